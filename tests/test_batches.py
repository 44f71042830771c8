"""Batches: a sweep job given a list of seeds (`seed=[0,1,2]`) runs them one after another, each
run written as the job of that one seed would have written it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import ROOT
from tests.test_sweeps import finish, start, temporaries, tiny

RESULTS = ("timeseries.parquet", "flows.parquet", "leavers.parquet")


def run_markers(sweep: Path) -> dict[int, dict]:
    """seed -> job.json of every finished run under the sweep folder."""
    return {rec["seed"]: rec for rec in (json.loads(p.read_text()) for p in sweep.rglob("job.json"))}


def test_seed_batches_and_run_overrides():
    from sim.config import ConfigError
    from sim.configuration import seed_batches
    from sim.runs.job import run_overrides

    assert seed_batches(7, 3) == "[0,1,2],[3,4,5],[6]"
    assert seed_batches(2, 5) == "[0,1]"
    with pytest.raises(ConfigError, match="seed_batches"):
        seed_batches(0, 5)
    assert run_overrides(["seed=[0,1]", "intervention=[i_can]"], 1) == ["seed=1", "intervention=[i_can]"]
    assert run_overrides(["years=1"], 4) == ["seed=4", "years=1"]   # the list came from a config file


@pytest.fixture(scope="module")
def batch_sweep(tmp_path_factory) -> dict:
    cwd = tmp_path_factory.mktemp("batch")
    sweep = cwd / "batch"
    rc, out = finish(start(sweep, "seed=[0,1,2],[3]", cwd=cwd))
    return {"cwd": cwd, "sweep": sweep, "rc": rc, "out": out}


@pytest.mark.slow
def test_a_batch_writes_each_seed_as_its_own_job_would(batch_sweep):
    from sim.runs.run_folder import config_hash
    from sim.system import load_config

    sweep = batch_sweep["sweep"]
    assert batch_sweep["rc"] == 0, batch_sweep["out"][-3000:]
    folders = sorted(str(p.parent.relative_to(sweep)) for p in sweep.rglob("job.json"))
    assert folders == ["0/seed_0", "0/seed_1", "0/seed_2", "1/seed_3"]
    for seed, rec in run_markers(sweep).items():
        assert f"seed={seed}" in rec["overrides"] and not any("[" in o for o in rec["overrides"])
        alone = load_config([*tiny(), f"seed={seed}"])              # the job of this seed alone
        assert rec["config_hash"] == config_hash(alone.model_dump(mode="json"))
    m = json.loads((sweep / "sweep_manifest.json").read_text())
    assert m["complete"] and m["jobs_total"] == 2 and m["counts"]["done"] == 2
    assert [r["seed"] for r in m["jobs"][0]["runs"]] == [0, 1, 2]
    assert temporaries(sweep) == []


@pytest.mark.slow
def test_a_batched_run_equals_the_job_of_its_seed(batch_sweep, tmp_path):
    alone = tmp_path / "alone"
    rc, out = finish(start(alone, "seed=2", cwd=tmp_path))
    assert rc == 0, out[-3000:]
    assert json.loads((alone / "0" / "job.json").read_text())["config_hash"] == \
        run_markers(batch_sweep["sweep"])[2]["config_hash"]
    for name in RESULTS:
        pd.testing.assert_frame_equal(pd.read_parquet(alone / "0" / name),
                                      pd.read_parquet(batch_sweep["sweep"] / "0" / "seed_2" / name))


@pytest.mark.slow
def test_collect_compare_and_report_see_every_run_of_a_batch(batch_sweep, tmp_path):
    from analysis.load import run_subfolders
    from experiments.compare import find_runs
    from sim.runs.collect import collect

    sweep = batch_sweep["sweep"]
    found, partial = find_runs(sweep)
    assert [p.relative_to(sweep).as_posix() for p in found] == [
        "0/seed_0", "0/seed_1", "0/seed_2", "1/seed_3"]
    assert partial == []
    assert run_subfolders(sweep) == found
    res = collect(sweep, tmp_path / "results")
    assert res["jobs"] == 4 and res["scenarios"] == ["baseline"]
    assert sorted(pd.read_parquet(tmp_path / "results" / "jobs.parquet")["seed"]) == [0, 1, 2, 3]


@pytest.mark.slow
def test_a_killed_batch_reruns_only_its_unfinished_runs(batch_sweep, tmp_path):
    sweep, cwd = batch_sweep["sweep"], batch_sweep["cwd"]
    killed = sweep / "0" / "seed_1"
    before = {name: pd.read_parquet(killed / name) for name in RESULTS}
    (killed / "job.json").unlink()                          # killed before its commit point
    (killed / "timeseries.parquet").write_bytes(b"half a file")
    (sweep / "0" / ".seed_1.partial-otherhost-4242").mkdir()  # and its temporary folder
    others = {p: p.stat().st_mtime_ns for p in sweep.rglob("timeseries.parquet") if p.parent != killed}

    rc, out = finish(start(sweep, "seed=[0,1,2],[3]", cwd=cwd))
    assert rc == 0, out[-3000:]
    m = json.loads((sweep / "sweep_manifest.json").read_text())
    assert [r["status"] for r in m["jobs"][0]["runs"]] == ["skipped", "done", "skipped"]
    assert m["jobs"][0]["status"] == "done" and m["jobs"][1]["status"] == "skipped"
    assert others == {p: p.stat().st_mtime_ns for p in others}      # finished runs untouched
    for name, frame in before.items():                               # the rerun gives the same run
        pd.testing.assert_frame_equal(pd.read_parquet(killed / name), frame)
    assert temporaries(sweep) == []


@pytest.mark.slow
def test_a_seed_given_twice_fails_its_job(tmp_path):
    sweep = tmp_path / "twice"
    rc, out = finish(start(sweep, "seed=[1,1],[2]", cwd=tmp_path))
    assert rc == 3, out[-3000:]
    m = json.loads((sweep / "sweep_manifest.json").read_text())
    assert m["counts"]["failed"] == 1 and "1 given twice" in m["jobs"][0]["error"]
    assert sorted(run_markers(sweep)) == [2]                          # the other job ran
    shutil.rmtree(sweep)


def test_a_list_of_seeds_outside_a_sweep_is_refused(tmp_path):
    out_dir = tmp_path / "run"
    res = subprocess.run([sys.executable, "-m", "sim.commands.wfsim", "seed=[0,1]", "years=1",
                          f"hydra.run.dir={out_dir}"], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert res.returncode == 2, res.stderr[-3000:]
    assert "seed = [0, 1]" in res.stderr and "-m" in res.stderr
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_a_job_folder_with_its_own_run_and_a_batch_inside_gives_both(tmp_path):
    """A sweep folder rerun with batches after a run of one seed: both are found."""
    from analysis.load import run_subfolders
    from experiments.compare import find_runs

    for folder in (tmp_path / "0", tmp_path / "0" / "seed_1", tmp_path / "0" / "seed_10", tmp_path / "1"):
        folder.mkdir(parents=True)
        for name in ("summary.json", "timeseries.parquet", "config.json", "job.json"):
            (folder / name).write_text("{}")
    want = [tmp_path / "0", tmp_path / "0" / "seed_1", tmp_path / "0" / "seed_10", tmp_path / "1"]
    assert find_runs(tmp_path) == (want, [])
    assert run_subfolders(tmp_path) == want
