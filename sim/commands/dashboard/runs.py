"""Runs started from the dashboard: ordinary run folders, gathered like a sweep.

A request's folder (under the dashboard's runs folder) holds `request.json` (the choice),
`progress.json` (weeks done of all weeks, the status), one numbered run folder per run
(`0/`, `1/`, ... as `wfsim -m` writes them: the baseline and the choice on each seed), and,
when every run is done, `comparison.parquet`/`.csv` (`experiments.compare`). `wfsim-report`
reads the folder, and the page can open it again after a reload or a restart.
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from experiments.compare import write as write_comparison
from sim.commands.dashboard.choices import Choice
from sim.config import ConfigError, RunConfig
from sim.files import write_text_atomic
from sim.system import load_config

REQUEST, PROGRESS = "request.json", "progress.json"
PROGRESS_EVERY_WEEKS = 4


def validate(choice: Choice) -> list[tuple[str, int, list[str], RunConfig]]:
    """Every run's validated config, or `ConfigError` naming what is wrong (nothing runs).
    A system file is read, checked and (the first time) calibrated here."""
    out = []
    for scenario, seed, overrides in choice.runs():
        try:
            out.append((scenario, seed, overrides, load_config(overrides)))
        except ConfigError:
            raise
        except Exception as err:  # Hydra's own errors (an unknown preset or programme)
            raise ConfigError(str(err).strip().splitlines()[0]) from None
    return out


def new_folder(root: Path, kind: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(root) / f"{stamp}-{kind}"
    n = 1
    while folder.exists():
        n += 1
        folder = Path(root) / f"{stamp}-{kind}-{n}"
    folder.mkdir(parents=True)
    return folder


def start(root: Path, kind: str, choice: Choice) -> Path:
    folder = new_folder(root, kind)
    write_text_atomic(folder / REQUEST, json.dumps({"kind": kind, **choice.to_json()}, indent=2) + "\n")
    write_progress(folder, "queued", 0, 1)
    return folder


def write_progress(folder: Path, status: str, done: int, total: int, error: str | None = None,
                   **extra) -> None:
    info = {"status": status, "weeks_done": done, "weeks_total": total, "error": error,
            "pid": os.getpid(), "updated": time.time(), **extra}
    write_text_atomic(Path(folder) / PROGRESS, json.dumps(info) + "\n")


@dataclass
class Status:
    folder: Path
    kind: str
    status: str        # queued, running, done, failed, stopped
    fraction: float
    error: str | None
    choice: Choice | None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "stopped")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(folder: Path) -> Status:
    folder = Path(folder)
    try:
        request = json.loads((folder / REQUEST).read_text())
        choice = Choice.from_json(request)
    except (OSError, ValueError, KeyError):
        request, choice = {}, None
    try:
        p = json.loads((folder / PROGRESS).read_text())
    except (OSError, ValueError):
        p = {"status": "done" if (folder / "comparison.parquet").exists() else "stopped",
             "weeks_done": 1, "weeks_total": 1}
    state = p.get("status", "stopped")
    if state in ("queued", "running") and p.get("pid") and not _alive(int(p["pid"])):
        state = "stopped"  # the process that ran it has gone (stopped, or the machine restarted)
    total = max(int(p.get("weeks_total") or 1), 1)
    return Status(folder, request.get("kind", "runs"), state,
                  min(int(p.get("weeks_done") or 0) / total, 1.0), p.get("error"), choice)


def listing(root: Path) -> list[Status]:
    """Request folders, newest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    folders = [p for p in root.iterdir() if (p / REQUEST).exists()]
    return [status(p) for p in sorted(folders, key=lambda p: p.name, reverse=True)]


def run_all(folder: Path, runs: list[tuple[str, int, list[str], RunConfig]],
            on_week: Callable | None = None) -> list[Path]:
    """Run every run into `folder/<n>/`, writing progress, then the comparison. `on_week`
    (model, run index) is called every few weeks (the page's live picture)."""
    from sim.model import WorkforceModel
    from sim.runs.run_folder import write_run

    logging.getLogger("MESA").setLevel(logging.WARNING)
    total = sum(cfg.years * 52 for *_, cfg in runs)
    done = 0
    write_progress(folder, "running", 0, total)
    try:
        for i, (_scenario, _seed, overrides, cfg) in enumerate(runs):
            t0 = time.perf_counter()
            model = WorkforceModel(cfg)
            while model.running:
                model.step()
                if model.week % PROGRESS_EVERY_WEEKS == 0:
                    write_progress(folder, "running", done + model.week, total)
                    if on_week is not None:
                        on_week(model, i)
            done += model.horizon
            write_run(model, folder / str(i), time.perf_counter() - t0, overrides=overrides)
        paths = write_comparison(folder) if any(s != "baseline" for s, *_ in runs) else []
        write_progress(folder, "done", total, total)
        return paths
    except Exception as err:
        write_progress(folder, "failed", done, total, error=f"{type(err).__name__}: {err}")
        raise
