"""Checkpoint and resume of one run: a run killed after a checkpoint and run again gives output
files byte-identical to a run that was never interrupted."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim import WorkforceModel
from sim.programmes import available
from sim.runs import checkpoint as ck
from sim.runs.run_folder import config_hash, write_run
from sim.system import load_config
from tests.helpers import ROOT

TABLES = ("timeseries", "flows", "cohort_table", "programme_table")
TIMINGS = ("wall_time_s", "phase_seconds")


@pytest.mark.parametrize("engine", ["kernels", "reference"])
def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path, engine):
    """Every programme on (their state is saved too), stopped after a checkpoint at week 39."""
    cfg = load_config(["years=2", "seed=4", f"engine={engine}", "checkpoint_every=13",
                       f"intervention=[{','.join(available())}]"])
    scale = 0.05 if engine == "kernels" else 0.01
    whole = WorkforceModel(cfg, scale=scale)
    whole.run()
    cfg = cfg.model_copy(update={"scale": scale})
    killed = WorkforceModel(cfg)
    path = tmp_path / ck.CHECKPOINT
    for _ in range(45):            # past the checkpoint of week 39, then "killed"
        killed.step()
        if killed.week % cfg.checkpoint_every == 0:
            ck.save(killed, path, cfg, 1.0)
    del killed
    model, wall = ck.resume(path, cfg)
    assert model.week == 39 and wall == 1.0
    ck.advance(model, cfg, path)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(model, table)(), getattr(whole, table)())
    assert model.datacollector.get_model_vars_dataframe().equals(
        whole.datacollector.get_model_vars_dataframe())


def test_checkpoint_every_is_not_part_of_the_run(tmp_path):
    a = load_config(["checkpoint_every=0"]).model_dump(mode="json")
    b = load_config(["checkpoint_every=26"]).model_dump(mode="json")
    assert config_hash(a) == config_hash(b)


def test_a_checkpoint_of_another_config_or_version_is_refused(tmp_path, monkeypatch):
    cfg = load_config(["years=1"])
    m = WorkforceModel(cfg, scale=0.01)
    m.step()
    path = tmp_path / ck.CHECKPOINT
    ck.save(m, path, cfg, 0.0)
    with pytest.raises(ck.CheckpointError, match="week 1 of a run with another config"):
        ck.resume(path, load_config(["years=1", "seed=9"]))
    monkeypatch.setattr(ck, "code_hash", lambda: "another version")
    with pytest.raises(ck.CheckpointError, match="another version of the simulator"):
        ck.resume(path, cfg)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ck.CheckpointError, match=str(path)):
        ck.resume(path, cfg)


def test_state_that_cannot_be_saved_is_named(tmp_path):
    cfg = load_config(["years=1"])
    m = WorkforceModel(cfg, scale=0.01)
    m.new_state = lambda: None
    with pytest.raises(RuntimeError, match="model attribute 'new_state'"):
        ck.save(m, tmp_path / ck.CHECKPOINT, cfg, 0.0)
    assert list(tmp_path.iterdir()) == []   # nothing half-written left behind


def _wfsim(folder, *args) -> list[str]:
    return [sys.executable, "-m", "sim.commands.wfsim", "years=10", "seed=5", "checkpoint_every=52",
            f"hydra.run.dir={folder}", *args]


def _same_outputs(a, b) -> None:
    for name in ("timeseries.parquet", "flows.parquet", "cohorts.parquet", "programmes.parquet",
                 "config.json", "overrides.yaml"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    sa, sb = (json.loads((f / "summary.json").read_text()) for f in (a, b))
    for s in (sa, sb):
        for k in TIMINGS:
            s["manifest"].pop(k)
    assert sa == sb


@pytest.mark.slow  # three runs of the wfsim command, 10 simulated years each
def test_a_run_killed_after_a_checkpoint_resumes_to_identical_files(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    reference = subprocess.Popen(_wfsim(whole), cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
    p = subprocess.Popen(_wfsim(killed), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    path, deadline = killed / ck.CHECKPOINT, time.monotonic() + 300
    while p.poll() is None and time.monotonic() < deadline:
        header = ck.read_header(path) if path.exists() else None
        if header and header["week"] >= 4 * 52:
            break
        time.sleep(0.05)
    assert p.poll() is None, "the run ended before it could be killed"
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    week = ck.read_header(path)["week"]
    assert not (killed / "summary.json").exists() and 4 * 52 <= week < 520
    res = subprocess.run(_wfsim(killed), cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"resuming at week {week} of 520" in res.stdout
    assert not path.exists()
    out, _ = reference.communicate(timeout=600)
    assert reference.returncode == 0, out
    _same_outputs(killed, whole)


def test_write_run_outputs_do_not_depend_on_checkpointing(tmp_path):
    """The same run written with and without checkpoints in between: identical tables."""
    cfg = load_config(["years=1", "checkpoint_every=10"]).model_copy(update={"scale": 0.02})
    a = WorkforceModel(cfg)
    ck.advance(a, cfg, tmp_path / "a.pkl")
    b = WorkforceModel(cfg)
    b.run()
    write_run(a, tmp_path / "a", 0.0)
    write_run(b, tmp_path / "b", 0.0)
    for name in ("timeseries.parquet", "flows.parquet", "cohorts.parquet", "programmes.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
