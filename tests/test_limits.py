"""Limits before work: the memory a run needs is estimated from its config before anything is
allocated, and a run that cannot fit is refused with the figures (exit code 2)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim import limits
from sim.system import load_config
from sim.workers import WorkerTable
from tests.helpers import ROOT, run_wfsim

HUGE = ["system.sectors.acute.roles.nurse.headcount=100000000", "scale=5"]


def test_the_worker_table_is_counted_from_its_fields():
    assert limits.table_bytes_per_worker() == WorkerTable(16).bytes_per_worker() + 1   # + leaving flag


def test_the_estimate_grows_with_the_workforce_and_its_funded_posts():
    small, big = (limits.estimate(load_config(["years=1", f"scale={s}"])) for s in (1, 4))
    assert big.workers_start == pytest.approx(4 * small.workers_start, rel=1e-3)
    per_worker = (big.bytes - small.bytes) / (big.workers_start - small.workers_start)
    assert limits.table_bytes_per_worker() < per_worker < 400
    grow = limits.estimate(load_config(["years=10", "system.sectors.social_care.establishment_growth=0.3"]))
    assert grow.workers_peak > 5 * grow.workers_start and grow.bytes > small.bytes


def test_a_run_that_cannot_fit_is_refused_with_the_figures():
    cfg = load_config(HUGE)
    with pytest.raises(limits.LimitError) as err:
        limits.check(cfg, available=2**30)
    text = str(err.value)
    assert "this run needs ~" in text and "GiB of memory and this machine has 1.0 GiB available" in text
    assert "500,270,500 workers at the start" in text and "lower `scale` (now 5)" in text
    assert limits.check(load_config(["years=1"]), available=2**30).workers_start == 58_800


def test_available_memory_is_read():
    free = limits.available_memory()
    assert free is None or free > 0


@pytest.mark.slow  # the wfsim command in a subprocess
def test_the_command_refuses_before_allocating_and_writes_nothing(tmp_path):
    folder = tmp_path / "existing"
    folder.mkdir()
    (folder / "summary.json").write_text("earlier results\n")
    res = run_wfsim(*HUGE, f"hydra.run.dir={folder}", cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert "this run needs ~" in res.stderr and "Traceback" not in res.stderr
    assert [p.name for p in folder.iterdir()] == ["summary.json"]


@pytest.mark.slow  # a run of ~470,000 workers in a fresh process, to measure its peak memory
def test_the_estimate_covers_the_measured_peak():
    code = """
import json, tempfile
from pathlib import Path
from sim import limits
from sim.commands.wfsim import simulate
from sim.system import load_config
cfg = load_config(["years=2", "scale=8", "progress=false"])
with tempfile.TemporaryDirectory() as d:
    simulate(cfg, Path(d) / "run", [])
print(json.dumps({"estimate": limits.estimate(cfg).bytes, "peak": limits.peak_memory()}))
"""
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout.splitlines()[-1])
    # Typically the estimate is 1-15% above the peak; on a busy machine the same run's peak has
    # measured up to ~40% higher (how the allocator returns freed memory varies): within 1.5x.
    assert got["peak"] / 1.5 <= got["estimate"] <= 1.5 * got["peak"], got
