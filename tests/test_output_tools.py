"""wfsim-collect and wfsim-compare refuse what they cannot read honestly, naming the file, report
the runs they leave out, and never move or replace a file they did not write."""
from __future__ import annotations

import json
import shutil

import pytest

from sim import WorkforceModel
from sim.commands.collect import main as collect_main
from sim.commands.compare import main as compare_main
from sim.runs.run_folder import config_hash, write_run
from sim.system import load_config


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A small comparison sweep as `wfsim -m` leaves it: baseline and I Can, seeds 0 and 1."""
    folder = tmp_path_factory.mktemp("sweep")
    job = 0
    for programmes in ("[]", "[i_can]"):
        for seed in (0, 1):
            overrides = [f"seed={seed}", f"intervention={programmes}", "years=1"]
            cfg = load_config(overrides)
            m = WorkforceModel(cfg, scale=0.02)
            m.run()
            write_run(m, folder / str(job), 1.0, overrides=overrides)
            (folder / str(job) / "job.json").write_text(json.dumps({
                "status": "done", "config_hash": config_hash(cfg.model_dump(mode="json")),
                "seed": seed, "overrides": overrides}))
            job += 1
    return folder


@pytest.fixture
def sweep(finished, tmp_path):
    copy = tmp_path / "sweep"
    shutil.copytree(finished, copy)
    return copy


def test_collect_names_a_truncated_parquet_file(sweep, capsys):
    damaged = sweep / "2" / "flows.parquet"
    damaged.write_bytes(damaged.read_bytes()[:200])
    assert collect_main([str(sweep)]) == 2
    err = capsys.readouterr().err
    assert str(damaged) in err and "Traceback" not in err
    assert not (sweep / "results").exists()


def test_collect_names_a_damaged_summary(sweep, capsys):
    (sweep / "1" / "summary.json").write_text("{ not json")
    assert collect_main([str(sweep), "--tables", "yearly"]) == 2
    assert str(sweep / "1" / "summary.json") in capsys.readouterr().err


def test_collect_refuses_an_unknown_table(sweep, capsys):
    assert collect_main([str(sweep), "--tables", "bogus"]) == 2
    err = capsys.readouterr().err
    assert "unknown table(s) bogus" in err and "timeseries" in err
    assert not (sweep / "results").exists()


def test_collect_never_replaces_a_file_it_did_not_write(sweep, tmp_path, capsys):
    mine = tmp_path / "notes.txt"
    mine.write_text("a user's notes\n")
    assert collect_main([str(sweep), "--out", str(mine)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert mine.read_text() == "a user's notes\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    other = tmp_path / "analysis"
    other.mkdir()
    (other / "draft.csv").write_text("a,b\n")
    assert collect_main([str(sweep), "--out", str(other)]) == 2
    assert (other / "draft.csv").read_text() == "a,b\n"


def test_collect_replaces_its_own_earlier_results(sweep, capsys):
    out = sweep.parent / "results"
    assert collect_main([str(sweep), "--out", str(out)]) == 0
    assert collect_main([str(sweep), "--out", str(out), "--tables", "timeseries"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["jobs.parquet", "timeseries"]


def test_collect_reports_run_folders_without_a_marker(sweep, capsys):
    (sweep / "3" / "job.json").unlink()
    assert collect_main([str(sweep), "--tables", "timeseries"]) == 0
    assert "left out 1 without job.json" in capsys.readouterr().out


def test_compare_reports_a_run_it_leaves_out(sweep, capsys):
    (sweep / "3" / "config.json").unlink()
    assert compare_main([str(sweep)]) == 0
    captured = capsys.readouterr()
    assert f"{sweep / '3'}: left out, no config.json" in captured.err
    assert "i_can: seed(s) 1 left out: no baseline" not in captured.err
    assert "nan" not in captured.out and "no interval: 1 seed" in captured.out


def test_compare_reports_seeds_without_a_baseline(sweep, capsys):
    shutil.rmtree(sweep / "1")
    assert compare_main([str(sweep)]) == 0
    assert "i_can: seed(s) 1 left out: no baseline run with that seed" in capsys.readouterr().err


def test_compare_names_a_damaged_summary(sweep, capsys):
    (sweep / "2" / "summary.json").write_text("{ not json")
    assert compare_main([str(sweep)]) == 2
    err = capsys.readouterr().err
    assert str(sweep / "2" / "summary.json") in err and "Traceback" not in err
