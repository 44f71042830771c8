"""Crash-safe, resumable sweeps (`wfsim -m ...`) on any Hydra launcher.

How Hydra 1.3 behaves on its own, read from its source (basic launcher, joblib, ray and submitit
launchers): `run_job` catches an exception raised by the task and marks the job FAILED, and the
launcher goes on with the other jobs of the batch; then the basic sweeper reads every job's
return value and re-raises the first failure, so `on_multirun_end` is never called and the
command exits 1 with no record of which jobs ran. A `SystemExit` from a task (the single-run exit
code 2 for a bad config) is not caught at all and ends the sweep. A worker that dies (SIGKILL,
out of memory) makes joblib's `Parallel` raise `TerminatedWorkerError` and the submitit launcher
raise on `results()`; the parent drops every unfinished job, and a rerun of the same command
starts the whole sweep again. (Ray retries a task whose worker died, up to three times.)

So a sweep job here (`sim.runs.job.run_job`) does not raise (when the sweep has its callback).
For each of its runs (one, or one per seed of a batch, `seed=[0,1,2]`: see `sim.runs.job`), it:

- validates its config and computes its key, `sim.runs.run_folder.config_hash` of the resolved
  config (seed included; execution-only settings such as `threads` excluded);
- skips it if a finished run with the same key is already in the sweep folder (its own folder,
  or another one found through the index `.sweep/index/<hash>`);
- otherwise writes its run folder under a temporary name (`.<folder>.partial-<host>-<pid>`
  beside it), moves the files into the run folder and writes `job.json` LAST: a run folder is
  complete if and only if its `job.json` exists;

and records the job's status (done / skipped / failed, with the error; a batch's per seed) in
`.sweep/status/`.

`SweepCallback` (a Hydra callback, `configs/hydra/callbacks/sweep.yaml`) runs in the parent:
at the start it takes the sweep folder's lock (`sim.runs.lock`: one sweep per folder; a second
sweep on a folder in use is refused with exit code 2 before it touches anything, and the lock of
a sweep that is no longer running is taken over), removes temporary folders and files left by
killed jobs, clears the status records and rebuilds the index; at the end it writes
`sweep_manifest.json` (every job of the sweep with its status and error), releases the lock and
exits with code 3 if any job failed or is missing. If the sweep itself stops with an error
(e.g. a killed joblib worker), `finish_interrupted` still writes the manifest, marking the jobs
that did not report as "not-run"; rerun the same command with the same `hydra.sweep.dir` to run
only those. A job with `checkpoint_every` keeps its checkpoints in `.sweep/checkpoints/<hash>`,
so that the rerun resumes it where it was killed.

Kill the whole sweep (its process group), not only the parent: a worker left running after its
parent died can still be writing when the rerun starts.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError
from sim.files import TMP_MARK, folder_problem, write_json_atomic, write_text_atomic
from sim.runs.lock import SweepLock

MARKER = "job.json"                 # written last: the job folder is complete
MANIFEST = "sweep_manifest.json"
STATE = ".sweep"                    # status/ (this invocation's job records) and index/ (hash -> folder)
PARTIAL = ".partial-"               # temporary job folders: .<job>.partial-<host>-<pid>
EXIT_JOBS_FAILED = 3
EXIT_REFUSED = 2   # the sweep folder cannot be used, or another sweep is using it
PARALLEL_LAUNCHERS = ("joblib", "ray")  # jobs share one machine's cores


class SweepError(RuntimeError):
    """A job cannot run in this sweep folder (it would overwrite a different finished job)."""


# ----------------------------------------------------------------------------------- files
def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def read_marker(job_dir: Path) -> dict | None:
    """The `job.json` of a finished job, or None if the folder holds no complete result."""
    rec = _read_json(Path(job_dir) / MARKER)
    return rec if rec and rec.get("status") == "done" and rec.get("config_hash") else None


def absolute(path: str, cwd: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else Path(cwd) / p


def job_key(sweep_dir: Path, job_dir: Path) -> str:
    """The job folder relative to the sweep folder, as one file name."""
    return str(job_dir.relative_to(sweep_dir)).replace(os.sep, "__")


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def stale_temporaries(sweep_dir: Path) -> list[Path]:
    """Temporary job folders and files left by killed jobs (Hydra's and submitit's own hidden
    folders are not touched)."""
    found = []
    for root, dirs, files in os.walk(sweep_dir):
        dirs[:] = [d for d in dirs if d not in (".submitit", ".hydra", STATE)]
        for name in dirs + files:
            if name.startswith(".") and (PARTIAL in name or TMP_MARK in name):
                found.append(Path(root) / name)
        dirs[:] = [d for d in dirs if PARTIAL not in d]
    return found


def complete_jobs(sweep_dir: Path) -> dict[str, Path]:
    """config hash -> job folder, for every finished job under `sweep_dir` (first folder wins)."""
    out: dict[str, Path] = {}
    for marker in sorted(Path(sweep_dir).rglob(MARKER)):
        if any(part.startswith(".") for part in marker.relative_to(sweep_dir).parts[:-1]):
            continue
        rec = read_marker(marker.parent)
        if rec:
            out.setdefault(rec["config_hash"], marker.parent)
    return out


# -------------------------------------------------------------------------------- manifest
def expected_jobs(config: DictConfig) -> list[list[str]] | None:
    """The jobs the basic sweeper makes of this command (None for another sweeper)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    target = str(OmegaConf.select(config, "hydra.sweeper._target_", default="") or "")
    if not target.endswith("BasicSweeper"):
        return None
    try:
        params = OmegaConf.select(config, "hydra.sweeper.params", default=None) or {}
        args = [f"{k}={v}" for k, v in params.items()]
        args += list(OmegaConf.to_container(config.hydra.overrides.task, resolve=False))
        parsed = OverridesParser.create().parse_overrides(args)
        batches = BasicSweeper.split_arguments(parsed, None)
    except Exception:  # noqa: BLE001 - e.g. a glob() sweep needing the config loader
        return None
    return [job for batch in batches for job in batch]


def build_manifest(sweep_dir: Path, expected: list[list[str]] | None, *, interrupted: bool = False,
                   started: str | None = None, launcher: str = "") -> dict:
    records: dict[int, dict] = {}
    for path in sorted((sweep_dir / STATE / "status").glob("*.json")):
        rec = _read_json(path)
        if rec is not None:
            rec.pop("traceback", None)
            records[int(rec["num"])] = rec
    jobs = []
    nums = range(len(expected)) if expected is not None else sorted(records)
    for num in nums:
        rec = records.get(num)
        if rec is None:
            rec = {"num": num, "overrides": expected[num] if expected else None,
                   "status": "not-run" if interrupted else "missing", "config_hash": None,
                   "error": ("the sweep stopped before this job reported" if interrupted
                             else "no status recorded: the job's worker was lost")}
        jobs.append(rec)
    counts = {s: sum(j["status"] == s for j in jobs) for s in ("done", "skipped", "failed", "missing",
                                                               "not-run")}
    return {"sweep_dir": str(sweep_dir), "started": started,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "launcher": launcher,
            "interrupted": interrupted, "jobs_total": len(jobs), "counts": counts,
            "complete": counts["done"] + counts["skipped"] == len(jobs), "jobs": jobs}


def _varying(jobs: list[dict]) -> set[str]:
    """The override keys whose value differs between the jobs (what a job is known by)."""
    values: dict[str, set[str]] = {}
    for job in jobs:
        for o in job.get("overrides") or []:
            key, _, value = o.partition("=")
            values.setdefault(key, set()).add(value)
    seen = [set(o.split("=")[0] for o in job.get("overrides") or []) for job in jobs]
    partial = set().union(*seen) - set.intersection(*seen) if seen else set()
    return {k for k, v in values.items() if len(v) > 1} | partial


_ACTIVE: SweepCallback | None = None


class SweepCallback(Callback):
    """Prepares a sweep folder for a (re)run and writes `sweep_manifest.json` at the end."""

    def __init__(self) -> None:
        self.sweep_dir: Path | None = None
        self.expected: list[list[str]] | None = None
        self.started: str | None = None
        self.launcher = ""
        self.finished = False
        self.lock: SweepLock | None = None

    def __getstate__(self) -> dict:
        # Launchers send the callbacks to their workers (joblib, Ray, SLURM); the lock, with its
        # heartbeat thread, stays with the sweep that holds it.
        return {**self.__dict__, "lock": None}

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            self._start(config)
        except ConfigError as err:   # exit here: Hydra turns a callback's exception into a warning
            print(f"wfsim sweep: {err}", file=sys.stderr, flush=True)
            sys.exit(EXIT_REFUSED)
        except Exception:   # a bug: stop before any job runs without its manifest
            traceback.print_exc()
            sys.exit(1)

    def _start(self, config: DictConfig) -> None:
        global _ACTIVE
        hc = config.hydra
        sweep_dir = absolute(str(hc.sweep.dir), hc.runtime.cwd)
        problem = folder_problem(sweep_dir)
        if problem:
            raise ConfigError(f"hydra.sweep.dir: {problem}")
        sweep_dir.mkdir(parents=True, exist_ok=True)
        self.lock = SweepLock(sweep_dir / STATE)
        taken = self.lock.acquire()   # raises SweepBusy (exit 2) if another sweep runs here
        if taken:
            print(f"wfsim sweep: took over the lock of a sweep that is no longer running "
                  f"(pid {taken.get('pid')} on {taken.get('host')})", flush=True)
        self.sweep_dir = sweep_dir
        _ACTIVE = self
        self.started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.launcher = str(OmegaConf.select(config, "hydra.launcher._target_", default="") or "")
        self.expected = expected_jobs(config)
        state = self.sweep_dir / STATE
        stale = stale_temporaries(self.sweep_dir)
        stale += (state / "checkpoints").glob(f".*{TMP_MARK}*")   # a job killed while saving one
        for path in stale:
            remove(path)
        remove(state / "status")
        remove(state / "index")
        (state / "index").mkdir(parents=True, exist_ok=True)
        done = complete_jobs(self.sweep_dir)
        for key, folder in done.items():
            write_text_atomic(state / "index" / key, str(folder.relative_to(self.sweep_dir)),
                              make_parents=True)
        (self.sweep_dir / MANIFEST).unlink(missing_ok=True)
        n = len(self.expected) if self.expected is not None else "?"
        print(f"wfsim sweep: {n} jobs in {self.sweep_dir}; {len(done)} finished results there"
              + (f"; removed {len(stale)} temporary files of killed jobs" if stale else ""), flush=True)

    def finish(self, interrupted: bool) -> dict | None:
        global _ACTIVE
        _ACTIVE = None
        if self.finished or self.sweep_dir is None:
            return None
        self.finished = True
        try:
            manifest = build_manifest(self.sweep_dir, self.expected, interrupted=interrupted,
                                      started=self.started, launcher=self.launcher)
            write_json_atomic(self.sweep_dir / MANIFEST, manifest, make_parents=True)
        finally:
            if self.lock is not None:
                self.lock.release()
        c = manifest["counts"]
        line = (f"wfsim sweep: {manifest['jobs_total']} jobs: {c['done']} done, {c['skipped']} already "
                f"complete (skipped), {c['failed']} failed")
        for status in ("missing", "not-run"):
            if c[status]:
                line += f", {c[status]} {status}"
        print(f"{line} -> {self.sweep_dir / MANIFEST}", file=sys.stderr if not manifest["complete"]
              else sys.stdout, flush=True)
        varying = _varying(manifest["jobs"])
        for job in manifest["jobs"]:
            if job["status"] not in ("done", "skipped"):
                params = " ".join(o for o in job.get("overrides") or [] if o.split("=")[0] in varying)
                print(f"  job {job['num']} ({params}) {job['status']}: {job['error']}", file=sys.stderr)
        return manifest

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        manifest = self.finish(interrupted=False)
        if manifest is not None and not manifest["complete"]:
            sys.exit(EXIT_JOBS_FAILED)


def running() -> bool:
    """A sweep of this process has started and not yet written its manifest."""
    return _ACTIVE is not None


def finish_interrupted() -> None:
    """Write the manifest of a sweep that stopped before `on_multirun_end` (called by `main`)."""
    if _ACTIVE is not None:
        try:
            _ACTIVE.finish(interrupted=True)
        except OSError as err:
            print(f"wfsim sweep: could not write the manifest: {err}", file=sys.stderr)
