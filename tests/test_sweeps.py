"""Crash-safe sweeps: kill and resume, failing jobs, Ray = joblib, the results store (wfsim-collect)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow  # sweeps run the wfsim command in subprocesses

N_JOBS = 12
SEEDS = f"seed=range({N_JOBS})"


def tiny() -> list[str]:
    """Overrides that shrink the default system ~20 times (a ~3,000-worker system)."""
    from sim.system import load_config

    c = load_config()
    out = []
    for s, spec in c.system.sectors.items():
        out.append(f"system.sectors.{s}.employers={max(1, spec.employers // 20)}")
        out += [f"system.sectors.{s}.roles.{r}.headcount={max(1, x.headcount // 20)}"
                for r, x in spec.roles.items()]
    out += [f"system.training.{r}.intake_per_year={t.intake_per_year / 20}"
            for r, t in c.system.training.items()]
    return ["years=1", "progress=false", *out]


def start(sweep_dir: Path, *args: str, cwd: Path) -> subprocess.Popen:
    """`wfsim -m ...` in its own process group (so that the whole sweep can be killed)."""
    cmd = [sys.executable, "-m", "sim.commands.wfsim", "-m", *args, *tiny(), f"hydra.sweep.dir={sweep_dir}"]
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def finish(proc: subprocess.Popen, timeout: float = 300, hang_ok: bool = False) -> tuple[int | None, str]:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        if hang_ok:
            return None, out
        pytest.fail(f"the sweep did not end in {timeout} s:\n{out[-5000:]}")
    return proc.returncode, out


def markers(sweep_dir: Path) -> list[Path]:
    return sorted(sweep_dir.glob("*/job.json"))


def wait_for(pred, timeout: float, proc: subprocess.Popen) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if pred():
            return True
        time.sleep(0.02)
    return False


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:  # the parent's pid follows the state
            out.append(int(stat.parent.name))
    return out


def temporaries(sweep_dir: Path) -> list[Path]:
    return [p for p in sweep_dir.rglob("*") if ".partial-" in p.name or ".tmp-" in p.name]


@pytest.fixture(scope="module")
def resumed_sweep(tmp_path_factory) -> dict:
    """A 12-job joblib sweep: one worker killed, then the whole sweep killed, then a rerun."""
    cwd = tmp_path_factory.mktemp("sweep")
    sweep = cwd / "multirun" / "kill"
    args = (SEEDS, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    facts: dict = {"sweep": sweep, "cwd": cwd}

    # 1. kill one worker once a job has finished: joblib gives up on the whole batch
    p = start(sweep, *args, cwd=cwd)
    assert wait_for(lambda: len(markers(sweep)) >= 1, 120, p), finish(p)[1][-3000:]
    workers = [c for c in children(p.pid)
               if "popen_loky" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")]
    assert workers, "no joblib worker found"
    os.kill(workers[0], signal.SIGKILL)
    # joblib gives up on the batch and Hydra exits 1 within seconds; should it ever hang instead,
    # the sweep is killed as a user would, which is what the next step does anyway
    rc, out = finish(p, timeout=120, hang_ok=True)
    facts["worker_kill"] = {"rc": rc, "done": len(markers(sweep))}
    if rc is not None:
        assert rc == 3, out[-3000:]   # jobs lost with the worker, not a bug
        manifest = json.loads((sweep / "sweep_manifest.json").read_text())
        assert manifest["interrupted"] and manifest["counts"]["not-run"] > 0

    # 2. kill the whole sweep (parent and workers) part-way
    before = len(markers(sweep))
    p = start(sweep, *args, cwd=cwd)
    assert wait_for(lambda: len(markers(sweep)) >= before + 2, 120, p), finish(p)[1][-3000:]
    os.killpg(p.pid, signal.SIGKILL)
    finish(p)
    facts["group_kill"] = {"done": len(markers(sweep))}
    assert len(markers(sweep)) < N_JOBS, "the sweep finished before it was killed"

    # 3. leftovers of a job killed while writing: a temporary folder and a half-filled job folder
    todo = [n for n in range(N_JOBS) if not (sweep / str(n) / "job.json").exists()]
    stale = sweep / f".{todo[0]}.partial-otherhost-4242"
    stale.mkdir(exist_ok=True)
    (stale / "timeseries.parquet").write_bytes(b"half a file")
    (sweep / str(todo[-1])).mkdir(exist_ok=True)
    (sweep / str(todo[-1]) / "timeseries.parquet").write_bytes(b"half a file")
    facts["before_rerun"] = len(markers(sweep))

    # 4. the same command again runs only what is missing
    rc, out = finish(start(sweep, *args, cwd=cwd))
    facts.update(rc=rc, out=out, manifest=json.loads((sweep / "sweep_manifest.json").read_text()))
    return facts


def test_killed_sweep_resumes_to_exactly_twelve_results(resumed_sweep):
    sweep, m = resumed_sweep["sweep"], resumed_sweep["manifest"]
    assert resumed_sweep["rc"] == 0, resumed_sweep["out"][-3000:]
    found = markers(sweep)
    assert len(found) == N_JOBS
    recs = [json.loads(p.read_text()) for p in found]
    assert len({r["config_hash"] for r in recs}) == N_JOBS          # no duplicates
    assert sorted(r["seed"] for r in recs) == list(range(N_JOBS))
    assert temporaries(sweep) == []                                 # no partial files left
    assert m["complete"] and m["jobs_total"] == N_JOBS
    assert m["counts"]["skipped"] == resumed_sweep["before_rerun"]  # finished jobs were not rerun
    assert m["counts"]["done"] == N_JOBS - resumed_sweep["before_rerun"]
    assert m["counts"]["failed"] == 0
    for p in found:                                                 # every result is whole
        ts = pd.read_parquet(p.parent / "timeseries.parquet")
        assert ts["week"].max() == 51
        assert set(json.loads(p.read_text())["files"]) <= {f.name for f in p.parent.iterdir()}


def test_failing_jobs_leave_the_others_complete(tmp_path):
    sweep = tmp_path / "fails"
    rc, out = finish(start(sweep, "seed=0,1", "behaviour.leaving.burnout_weight=1.5,-1", cwd=tmp_path))
    assert rc == 3, out[-3000:]
    m = json.loads((sweep / "sweep_manifest.json").read_text())
    assert m["counts"] == {"done": 2, "skipped": 0, "failed": 2, "missing": 0, "not-run": 0}
    failed = [j for j in m["jobs"] if j["status"] == "failed"]
    assert all("behaviour.leaving.burnout_weight" in j["error"] for j in failed)
    assert all("behaviour.leaving.burnout_weight=-1" in j["overrides"] for j in failed)
    assert len(markers(sweep)) == 2 and temporaries(sweep) == []
    assert "failed" in out

    # the same command again: the finished jobs are skipped untouched, the failed ones tried again
    stamp = {p: p.stat().st_mtime_ns for p in sweep.glob("*/timeseries.parquet")}
    rc, out = finish(start(sweep, "seed=0,1", "behaviour.leaving.burnout_weight=1.5,-1", cwd=tmp_path))
    assert rc == 3, out[-3000:]
    m = json.loads((sweep / "sweep_manifest.json").read_text())
    assert m["counts"] == {"done": 0, "skipped": 2, "failed": 2, "missing": 0, "not-run": 0}
    assert stamp == {p: p.stat().st_mtime_ns for p in sweep.glob("*/timeseries.parquet")}


def test_a_sweep_folder_refuses_other_parameters(resumed_sweep):
    """The same folder with a different command: jobs fail rather than overwrite results."""
    sweep = resumed_sweep["sweep"]
    rc, out = finish(start(sweep, "seed=100", cwd=resumed_sweep["cwd"]))
    assert rc == 3
    m = json.loads((sweep / "sweep_manifest.json").read_text())
    assert "other parameters" in m["jobs"][0]["error"]
    assert json.loads((sweep / "0" / "job.json").read_text())["seed"] == 0


def test_collect_and_query(resumed_sweep, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    from sim.runs.collect import collect

    res = collect(resumed_sweep["sweep"], tmp_path / "results")
    assert res["jobs"] == N_JOBS and res["scenarios"] == ["baseline"] and res["experiments"] == ["kill"]
    ts = pd.read_parquet(tmp_path / "results" / "timeseries")
    assert ts.groupby("config_hash").ngroups == N_JOBS
    assert {"experiment", "scenario", "seed", "year", "years", "fte"} <= set(ts.columns)
    q = f"""
        WITH staff AS (
          SELECT scenario, seed, year, sum(fte) AS fte
          FROM read_parquet('{tmp_path}/results/timeseries/*/*/*.parquet', hive_partitioning = true)
          WHERE week % 52 = 51 GROUP BY ALL)
        SELECT scenario, year, count(*) AS runs, avg(fte) AS mean_fte FROM staff GROUP BY ALL"""
    rows = duckdb.sql(q).fetchall()
    assert rows[0][:3] == ("baseline", 1, N_JOBS)
    jobs = pd.read_parquet(tmp_path / "results" / "jobs.parquet")
    assert sorted(jobs["seed"]) == list(range(N_JOBS))


def _fake_job(folder: Path, overrides: list[str], key: str, fte: float, config: dict | None = None):
    folder.mkdir(parents=True)
    pd.DataFrame({"week": [51, 103], "sector": ["acute"] * 2, "role": ["nurse"] * 2,
                  "fte": [fte, fte + 1]}).to_parquet(folder / "timeseries.parquet")
    (folder / "config.json").write_text(json.dumps(config or {}))
    (folder / "job.json").write_text(json.dumps({"status": "done", "config_hash": key, "seed": 0,
                                                 "overrides": overrides}))


def test_collect_scenarios_experiments_and_unknown_overrides(tmp_path):
    """Scenario = the intervention override (lists joined), else the programmes in the config,
    else baseline; experiment = the experiment override, else the sweep folder's name."""
    from sim.runs.collect import collect

    root = tmp_path / "sweeps"
    (root / "s1").mkdir(parents=True)
    (root / "s1" / "multirun.yaml").write_text("{}\n")
    _fake_job(root / "s1" / "0", ["seed=0", "not.yet.a.key=3"], "a", 10.0)
    _fake_job(root / "s1" / "1", ["seed=0", "intervention=[i_can,referral]", "+new.flag=true"], "b", 12.0)
    _fake_job(root / "s1" / "2", ["seed=0", "+experiment=trial", "x=abc"], "c", 11.0,
              config={"intervention": {"pay_parity": {}}})
    _fake_job(root / "s1" / "3", ["seed=0", "threads=4"], "a", 10.0)            # a duplicate of 0
    (root / "s1" / "4").mkdir()                                                 # unfinished
    (root / "s1" / "4" / "timeseries.parquet").write_bytes(b"half")
    res = collect(root, tmp_path / "out")
    assert res["jobs"] == 3 and res["duplicate"] == 1
    ts = pd.read_parquet(tmp_path / "out" / "timeseries")
    got = ts.groupby(["experiment", "scenario"], observed=True)["fte"].max().to_dict()
    assert got == {("s1", "baseline"): 11.0, ("s1", "i_can+referral"): 13.0, ("trial", "pay_parity"): 12.0}
    assert ts["not.yet.a.key"].dropna().unique().tolist() == [3]
    assert ts["new.flag"].dropna().unique().tolist() == [True]
    assert "threads" not in ts.columns and list(ts["year"].unique()) == [1, 2]


def test_ray_sweep_equals_joblib_sweep(resumed_sweep, tmp_path):
    """The first seeds of the 12-job joblib sweep again on a local Ray cluster: same numbers."""
    pytest.importorskip("ray", reason="ray is not installed (pip install -e .[cluster])")
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="hydra-ray-launcher is not installed")
    sweep = Path("sweeps") / "ray"  # relative: Ray workers must write where the parent runs
    rc, out = finish(start(sweep, "seed=0,1,2,3", "hydra/launcher=ray_local",
                           "hydra.launcher.ray.init.num_cpus=2", cwd=tmp_path), 600)
    assert rc == 0, out[-3000:]
    ray = {json.loads(p.read_text())["config_hash"]: p.parent for p in markers(tmp_path / sweep)}
    joblib = {json.loads(p.read_text())["config_hash"]: p.parent for p in markers(resumed_sweep["sweep"])}
    assert len(ray) == 4 and ray.keys() <= joblib.keys()
    for key, folder in ray.items():
        for name in ("timeseries.parquet", "flows.parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(folder / name), pd.read_parquet(joblib[key] / name))


def test_collect_a_sweep_whose_jobs_differ_only_in_seed_and_scenario(tmp_path):
    """The comparison experiment's jobs have no parameter besides seed, scenario and experiment."""
    from sim.runs.collect import collect

    root = tmp_path / "sweep"
    _fake_job(root / "0", ["seed=0", "intervention=[]"], "a", 10.0)
    _fake_job(root / "1", ["seed=0", "intervention=[i_can]"], "b", 12.0)
    res = collect(root, tmp_path / "out")
    assert res["jobs"] == 2
    ts = pd.read_parquet(tmp_path / "out" / "timeseries")
    assert ts.groupby("scenario", observed=True)["fte"].max().to_dict() == {"baseline": 11.0, "i_can": 13.0}
