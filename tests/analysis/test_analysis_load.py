"""Loading output folders, and clear errors for missing or malformed outputs."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from analysis.load import OutputError, Run, RunSet, load, load_run, load_runs


def test_run_folder_loads_into_tidy_frames(synthetic_run):
    run = load(synthetic_run)
    assert isinstance(run, Run)
    ts, flows = run.timeseries, run.flows
    assert len(ts) == 104 * 4 * 4  # weeks x sectors x roles
    assert set(ts["sector"]) == {"acute", "community", "primary", "social_care"}
    assert pd.api.types.is_datetime64_any_dtype(ts["date"])
    assert ts["headcount"].dtype == "int64"
    assert (flows["count"] > 0).all()
    assert run.seed == 1
    assert run.start_date == pd.Timestamp("2025-04-07")
    years = run.summary_years
    assert sorted(years["year"].unique()) == [1, 2]
    assert len(years) == 8


def test_multirun_folder_stacks_runs_with_run_and_seed(synthetic_multirun):
    runs = load(synthetic_multirun)
    assert isinstance(runs, RunSet)
    assert runs.run_ids == ["0", "1", "2"]
    assert runs.comparison is None
    ts = runs.timeseries
    assert set(ts["run"]) == {"0", "1", "2"}
    assert set(ts["seed"]) == {11, 12, 13}
    assert len(ts) == 3 * 104 * 16
    assert ts.groupby("run")["seed"].nunique().eq(1).all()
    assert set(runs.flows["seed"]) == {11, 12, 13}
    assert set(runs.summary_years["run"]) == {"0", "1", "2"}


def test_runs_sorted_numerically(tmp_path, make_synthetic_multirun):
    make_synthetic_multirun(tmp_path, seeds=range(11), weeks=4)
    assert load_runs(tmp_path).run_ids == [str(i) for i in range(11)]


def test_experiment_folder_loads_comparison(synthetic_experiment):
    exp = load(synthetic_experiment)
    assert isinstance(exp, RunSet)
    assert exp.runs == []
    cmp = exp.comparison
    assert {"programme", "metric", "sector", "year", "mean_diff", "lo90", "hi90"} <= set(cmp)
    assert cmp["sector"].isna().any() and cmp["year"].isna().any()


@pytest.fixture
def tiny_run(tmp_path, make_synthetic_run):
    return make_synthetic_run(tmp_path / "run", weeks=8, seed=3)


def _rewrite(path, change):
    df = pd.read_parquet(path)
    change(df).to_parquet(path, index=False)


def _edit_summary(run, change):
    data = json.loads((run / "summary.json").read_text())
    change(data)
    (run / "summary.json").write_text(json.dumps(data))


BREAKAGES = {
    "missing timeseries": (
        lambda run: (run / "timeseries.parquet").unlink(),
        ["timeseries.parquet", "missing file"],
    ),
    "missing flows": (
        lambda run: (run / "flows.parquet").unlink(), ["flows.parquet", "missing file"]
    ),
    "missing summary": (
        lambda run: (run / "summary.json").unlink(), ["summary.json", "missing file"]
    ),
    "missing column": (
        lambda run: _rewrite(run / "flows.parquet", lambda d: d.drop(columns=["count"])),
        ["flows.parquet", "missing column", "'count'"],
    ),
    "float headcount": (
        lambda run: _rewrite(run / "timeseries.parquet",
                             lambda d: d.assign(headcount=d["headcount"] + 0.5)),
        ["timeseries.parquet", "'headcount'", "whole numbers", "float64"],
    ),
    "text fte": (
        lambda run: _rewrite(run / "timeseries.parquet", lambda d: d.assign(fte="many")),
        ["timeseries.parquet", "'fte'", "numbers"],
    ),
    "numeric date": (
        lambda run: _rewrite(run / "timeseries.parquet", lambda d: d.assign(date=d["week"])),
        ["timeseries.parquet", "'date'", "dates"],
    ),
    "missing values": (
        lambda run: _rewrite(run / "flows.parquet",
                             lambda d: d.assign(source=d["source"].where(d.index > 0))),
        ["flows.parquet", "'source'", "missing value"],
    ),
    "no rows": (
        lambda run: _rewrite(run / "flows.parquet", lambda d: d.iloc[0:0]),
        ["flows.parquet", "no rows"],
    ),
    "not parquet": (
        lambda run: (run / "timeseries.parquet").write_bytes(b"not a parquet file"),
        ["timeseries.parquet", "unreadable parquet"],
    ),
    "bad json": (
        lambda run: (run / "summary.json").write_text("{\"sectors\": "),
        ["summary.json", "invalid JSON"],
    ),
    "no seed": (
        lambda run: _edit_summary(run, lambda d: d["manifest"].pop("seed")),
        ["summary.json", "manifest.", "'seed'"],
    ),
    "text rate": (
        lambda run: _edit_summary(
            run, lambda d: d["sectors"]["acute"]["years"][0].update(vacancy_rate="high")),
        ["summary.json", "sectors.acute.years[0].", "'vacancy_rate'", "wrong type"],
    ),
    "bad start date": (
        lambda run: _edit_summary(run, lambda d: d["manifest"].update(start_date="soon")),
        ["summary.json", "start_date", "not a date"],
    ),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_malformed_run_raises_clear_error(tiny_run, breakage):
    breaker, expected = BREAKAGES[breakage]
    breaker(tiny_run)
    with pytest.raises(OutputError) as info:
        load(tiny_run)
    message = str(info.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert str(tiny_run) in message  # the file is named by its full path


def test_empty_folder_says_what_was_expected(tmp_path):
    with pytest.raises(OutputError, match="no simulator outputs found"):
        load(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(OutputError, match="no such folder"):
        load(tmp_path / "nowhere")
    with pytest.raises(OutputError, match="no such folder"):
        load_run(tmp_path / "nowhere")


def test_broken_run_inside_multirun_is_named(tmp_path, make_synthetic_multirun):
    make_synthetic_multirun(tmp_path, seeds=(1, 2), weeks=4)
    (tmp_path / "1" / "flows.parquet").unlink()
    with pytest.raises(OutputError, match=r"1[/\\]flows\.parquet: missing file"):
        load(tmp_path)


def test_malformed_comparison(tmp_path, make_synthetic_comparison):
    make_synthetic_comparison(tmp_path)
    _rewrite(tmp_path / "comparison.parquet", lambda d: d.drop(columns=["hi90"]))
    with pytest.raises(OutputError, match=r"comparison\.parquet: missing column\(s\) 'hi90'"):
        load(tmp_path)


def test_comparison_alongside_runs(tmp_path, synthetic_run, make_synthetic_comparison):
    make_synthetic_comparison(tmp_path)
    shutil.copytree(synthetic_run, tmp_path / "0")
    exp = load(tmp_path)
    assert exp.comparison is not None and len(exp.runs) == 1


def test_file_instead_of_folder(synthetic_run):
    with pytest.raises(OutputError, match="is a file"):
        load(synthetic_run / "timeseries.parquet")


def test_overrides_read_from_run_folder_or_hydra_folder(tmp_path, make_synthetic_run):
    from analysis.scenarios import read_overrides

    run = make_synthetic_run(tmp_path / "run", weeks=4)
    assert read_overrides(run) == []
    (run / ".hydra").mkdir()
    (run / ".hydra" / "overrides.yaml").write_text("- seed=4\n- years=2\n")
    assert read_overrides(run) == ["seed=4", "years=2"]
    (run / "overrides.yaml").write_text("- seed=5\n")
    assert read_overrides(run) == ["seed=5"]


def test_categorical_text_columns_are_accepted(synthetic_run):
    raw = pd.read_parquet(synthetic_run / "timeseries.parquet")
    assert isinstance(raw["sector"].dtype, pd.CategoricalDtype)
    assert load(synthetic_run).timeseries["sector"].dtype == "str"


def test_experiment_folder_keeps_baseline_runs(tmp_path, make_simulator_experiment):
    folder = make_simulator_experiment(tmp_path / "exp", seeds=(3, 4), weeks=8)
    exp = load(folder)
    assert exp.run_ids == ["0", "1"]
    assert exp.other_scenario_runs == 2
    assert set(exp.timeseries["seed"]) == {3, 4}
    assert exp.comparison is not None
