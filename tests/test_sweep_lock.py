"""One sweep per folder: a second sweep on a folder in use is refused before it touches anything,
and the lock of a sweep that is no longer running is taken over."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from sim.runs.lock import LOCK, STALE_AFTER, SweepBusy, SweepLock, process_start
from tests.helpers import ROOT


def dead_pid() -> int:
    """The pid of a process that has ended."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def plant(folder, **holder) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOCK).write_text(json.dumps(holder))


def test_the_lock_names_its_holder_and_is_released(tmp_path):
    lock = SweepLock(tmp_path)
    assert lock.acquire() is None
    holder = json.loads((tmp_path / LOCK).read_text())
    assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
    assert holder["process_start"] == process_start(os.getpid())
    lock.release()
    assert not (tmp_path / LOCK).exists()


def test_a_second_sweep_on_a_folder_in_use_is_refused(tmp_path):
    first = SweepLock(tmp_path)
    first.acquire()
    try:
        with pytest.raises(SweepBusy, match=rf"in use by another sweep \(pid {os.getpid()} on"):
            SweepLock(tmp_path).acquire()
        assert json.loads((tmp_path / LOCK).read_text()) == first.me   # untouched
    finally:
        first.release()


def test_the_lock_of_a_sweep_that_died_is_taken_over(tmp_path):
    pid = dead_pid()
    plant(tmp_path, host=socket.gethostname(), pid=pid, process_start="1", started="earlier")
    lock = SweepLock(tmp_path)
    taken = lock.acquire()
    assert taken["pid"] == pid
    assert json.loads((tmp_path / LOCK).read_text())["pid"] == os.getpid()
    lock.release()


def test_a_reused_pid_is_not_the_holder(tmp_path):
    """The holder's pid now runs another process (this one, started at another time)."""
    plant(tmp_path, host=socket.gethostname(), pid=os.getpid(), process_start="-1", started="earlier")
    lock = SweepLock(tmp_path)
    assert lock.acquire()["process_start"] == "-1"
    lock.release()


def test_a_holder_on_another_host_counts_while_it_refreshes_the_lock(tmp_path):
    plant(tmp_path, host="another-node", pid=1, started="earlier")
    with pytest.raises(SweepBusy, match="pid 1 on another-node"):
        SweepLock(tmp_path).acquire()
    old = time.time() - STALE_AFTER - 60
    os.utime(tmp_path / LOCK, (old, old))
    lock = SweepLock(tmp_path)
    assert lock.acquire()["host"] == "another-node"
    lock.release()


@pytest.mark.slow  # two sweeps of the wfsim command in subprocesses
def test_two_sweeps_on_one_folder(tmp_path):
    """The second is refused with exit code 2 and the holder's pid; the first reports no job
    as lost and finishes every job; the second, rerun, finds them all done."""
    sweep = tmp_path / "multirun" / "twice"
    # six jobs of a few seconds: the first sweep is still running when the second starts
    args = [sys.executable, "-m", "sim.commands.wfsim", "-m", "seed=range(6)", "years=2", "scale=0.5",
            "progress=false", f"hydra.sweep.dir={sweep}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not (sweep / ".sweep" / LOCK).exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    second = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert first.poll() is None, "the first sweep ended before the second started"
    out, _ = first.communicate(timeout=600)
    assert second.returncode == 2, second.stdout + second.stderr
    assert f"in use by another sweep (pid {first.pid}" in second.stderr
    assert first.returncode == 0, out[-3000:]
    manifest = json.loads((sweep / "sweep_manifest.json").read_text())
    assert manifest["counts"]["done"] == 6 and manifest["complete"]
    assert "missing" not in out and not (sweep / ".sweep" / LOCK).exists()
    again = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    manifest = json.loads((sweep / "sweep_manifest.json").read_text())
    assert manifest["counts"]["skipped"] == 6
