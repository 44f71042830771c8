"""Shared fixtures: small populations keep the suite fast; the calibration test uses the full default."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_wfsim(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the `wfsim` command (as `python -m sim.cli`) in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def small_run():
    """A 2-year run of a ~3,000-worker system (5% of the default)."""
    from sim import WorkforceModel

    m = WorkforceModel(years=2, seed=11, scale=0.05)
    m.run()
    return m
