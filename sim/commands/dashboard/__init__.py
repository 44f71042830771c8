"""`wfsim-dashboard`: the web page where a strategist picks a system and programmes, runs them
and sees the difference from the baseline (`app.page`, served by Solara).

    wfsim-dashboard                 # http://127.0.0.1:8765, runs kept in outputs/dashboard/
    wfsim-dashboard --port 9000 --runs my_runs
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

DEFAULT_PORT = 8765


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="wfsim-dashboard", description="Start the dashboard web page.")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    ap.add_argument("--host", default="127.0.0.1", help="127.0.0.1 (default): this machine only")
    ap.add_argument("--runs", type=Path, default=Path("outputs/dashboard"),
                    help="folder for the runs started from the page (default outputs/dashboard)")
    args = ap.parse_args(argv)
    if importlib.util.find_spec("solara") is None:
        print("wfsim-dashboard: the page needs Solara: pip install -e . (or make run) installs it",
              file=sys.stderr)
        return 2
    env = {**os.environ, "WFSIM_DASHBOARD_RUNS": str(args.runs.resolve())}
    print(f"wfsim-dashboard: http://{args.host}:{args.port} (runs in {args.runs}); Ctrl-C stops it",
          flush=True)
    cmd = [sys.executable, "-m", "solara", "run", "sim.commands.dashboard.app", "--host", args.host,
           "--port", str(args.port), "--production", "--no-open"]
    # the server replaces this process: stopping wfsim-dashboard stops the page
    os.execve(sys.executable, cmd, env)
    return 0
