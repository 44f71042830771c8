"""What tests share besides fixtures: the checkout's root and running the `wfsim` command.
Import as `from tests.helpers import ...` (the suite is a package)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_wfsim(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the `wfsim` command (as `python -m sim.commands.wfsim`) in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "sim.commands.wfsim", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)
