"""The presentation commands refuse what they cannot show honestly: impossible numbers in a run
folder and impossible options, with one clear line and exit code 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.cli import animate_main, report_main
from analysis.load import load_run


@pytest.mark.parametrize("dpi", ["0", "-5", "100000"])
def test_report_refuses_a_resolution_it_cannot_draw(tmp_path, make_synthetic_run, capsys, dpi):
    run = make_synthetic_run(tmp_path / "run", weeks=8)
    with pytest.raises(SystemExit) as stop:
        report_main([str(run), "--dpi", dpi])
    assert stop.value.code == 2
    assert "--dpi must be between" in capsys.readouterr().err
    assert not (run / "report.html").exists()


def test_animate_refuses_negative_flows(tmp_path, make_synthetic_run, capsys):
    run = make_synthetic_run(tmp_path / "run", weeks=8)
    flows = pd.read_parquet(run / "flows.parquet")
    flows.loc[0, "count"] = -4
    flows.to_parquet(run / "flows.parquet")
    assert animate_main([str(run), "--format", "gif", "--dpi", "20"]) == 2
    err = capsys.readouterr().err
    assert "flows.parquet" in err and "'count' has 1 negative value" in err
    assert not (run / "flows.gif").exists()


def test_a_rate_with_no_staff_to_divide_by_may_be_null(tmp_path, make_synthetic_run):
    run = make_synthetic_run(tmp_path / "run", weeks=8)
    summary = json.loads((run / "summary.json").read_text())
    first = next(iter(summary["sectors"].values()))
    first["years"][0]["turnover_rate"] = None
    (run / "summary.json").write_text(json.dumps(summary))
    assert load_run(run).summary_years["turnover_rate"].isna().sum() == 1
