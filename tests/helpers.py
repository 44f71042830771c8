"""What tests share besides fixtures: the checkout's root, running the `wfsim` command, and how
far a calibrated system's first year may sit from its fitted years.
Import as `from tests.helpers import ...` (the suite is a package)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The first year's vacancy as the system runs sits up to this much from the vacancy fitted held
# still (README, Calibration: funded growth's openings; the first winter), so it may miss by this
# much more.
FIRST_YEAR_SETTLING = {"turnover": 0.0, "vacancy": 0.005, "sickness": 0.0}


def run_wfsim(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the `wfsim` command (as `python -m sim.commands.wfsim`) in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "sim.commands.wfsim", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)
