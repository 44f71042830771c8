"""A full run started from the dashboard, in a process of its own so that it goes on when the
page is closed or reloaded: `python -m sim.commands.dashboard.job FOLDER`.

It reads the folder's `request.json`, validates every run, runs them, writes `progress.json`
as it goes and the comparison and board report at the end (`sim.commands.dashboard.runs`).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sim.commands.dashboard.choices import Choice
from sim.commands.dashboard.runs import REQUEST, run_all, validate, write_progress
from sim.config import ConfigError


def launch(folder: Path, log_name: str = "job.log") -> subprocess.Popen:
    """Start the job for `folder` in a new session (it outlives the page's server)."""
    log = open(Path(folder) / log_name, "ab")  # noqa: SIM115 - the child keeps it
    return subprocess.Popen([sys.executable, "-m", "sim.commands.dashboard.job", str(folder)],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)


def main(argv: list[str] | None = None) -> int:
    import json

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0])
    choice = Choice.from_json(json.loads((folder / REQUEST).read_text()))
    try:
        runs = validate(choice)
    except ConfigError as err:
        write_progress(folder, "failed", 0, 1, error=str(err))
        return 2
    run_all(folder, runs)
    try:
        from analysis.report import write_report

        write_report(folder)
    except Exception as err:  # the runs and the comparison are written: say so, keep them
        print(f"report not written: {err}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
