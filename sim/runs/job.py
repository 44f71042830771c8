"""One job of a crash-safe sweep (`wfsim -m ...`): see `sim.runs.sweep` for the whole design.

A job runs one seed, or a list of seeds one after another (`seed=[0,1,2,3,4]`): a batch. A batch
pays once for what every job pays before it simulates (Hydra composing its config in the sweep's
parent and again in the worker, the worker taking the job), and each of its runs is still a run
of its own: its folder `<job>/seed_<n>/` holds the same files, with the same `job.json` and
config hash, as the job `seed=<n>` would have written, so collecting, comparing, reporting and
resuming see no difference. A killed batch reruns only its runs that have no `job.json`.
"""
from __future__ import annotations

import os
import socket
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, ListConfig, OmegaConf

from sim.config import ConfigError, RunConfig
from sim.files import write_json_atomic, write_text_atomic
from sim.runs.sweep import (
    MARKER,
    PARALLEL_LAUNCHERS,
    PARTIAL,
    STATE,
    SweepError,
    absolute,
    job_key,
    read_marker,
    remove,
)

SEED_FOLDER = "seed_{}"   # a batch's run of one seed, inside the job's folder


def _dirs(hc) -> tuple[Path, Path]:
    sweep_dir = absolute(str(hc.sweep.dir), hc.runtime.cwd)
    job_dir = sweep_dir / str(hc.sweep.subdir)
    if sweep_dir.resolve() not in job_dir.resolve().parents:
        raise SweepError(f"hydra.sweep.subdir must be a folder inside hydra.sweep.dir "
                         f"(got {hc.sweep.subdir!r})")
    return sweep_dir, job_dir


def _threads(hc, requested: int) -> int | None:
    """Jobs running side by side on one machine (joblib, local Ray) get one Numba thread each
    unless `threads` is set; results do not depend on it."""
    target = str(OmegaConf.select(hc, "launcher._target_", default="") or "")
    if requested == 0 and any(name in target for name in PARALLEL_LAUNCHERS):
        return 1
    return None


def _already_done(sweep_dir: Path, run_dir: Path, key: str) -> Path | None:
    own = read_marker(run_dir)
    if own:
        if own["config_hash"] == key:
            return run_dir
        raise SweepError(
            f"{run_dir} holds a finished job with other parameters "
            f"({' '.join(own.get('overrides', []))}); rerun the same command, or give this sweep "
            f"a new hydra.sweep.dir")
    try:
        folder = (sweep_dir / STATE / "index" / key).read_text().strip()
    except OSError:
        return None
    other = sweep_dir / folder
    rec = read_marker(other)
    return other if rec and rec["config_hash"] == key else None


def _publish(tmp: Path, run_dir: Path, marker: dict) -> None:
    """Move the finished files into the run folder, then write the marker: the commit point."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / MARKER).unlink(missing_ok=True)
    for f in sorted(tmp.iterdir()):
        os.replace(f, run_dir / f.name)
    write_json_atomic(run_dir / MARKER, marker)
    tmp.rmdir()


def batch_seeds(cfg: DictConfig) -> list[int] | None:
    """The seeds of a batch (`seed` given as a list), or None for a job of one seed. An empty
    list or a seed given twice is refused naming `seed`."""
    value = cfg.get("seed")
    if not isinstance(value, ListConfig):
        return None
    seeds = list(value)
    if not seeds:
        raise ConfigError("seed = []: give at least one seed")
    twice = sorted({s for s in seeds if seeds.count(s) > 1}, key=str)
    if twice:
        raise ConfigError(f"seed = {seeds}: {', '.join(map(str, twice))} given twice")
    return seeds


def run_overrides(overrides: list[str], seed: int) -> list[str]:
    """A batch's overrides as the job of this one seed would have had them."""
    out = [f"seed={seed}" if o.split("=")[0].lstrip("+~") == "seed" else o for o in overrides]
    return out if f"seed={seed}" in out else [f"seed={seed}", *out]


def _run_one(run_cfg: RunConfig, overrides: list[str], num: int, sweep_dir: Path, run_dir: Path,
             hc, simulate: Callable[..., list[Path]]) -> dict[str, Any]:
    """Skip the run if it is complete, else run it in a temporary folder and commit it
    atomically. Returns its record (status done or skipped); raises on a failure."""
    from sim.runs.run_folder import config_hash

    t0 = time.perf_counter()
    key = config_hash(run_cfg.model_dump(mode="json"))
    record: dict[str, Any] = {"seed": run_cfg.seed, "folder": str(run_dir.relative_to(sweep_dir)),
                              "config_hash": key}
    done = _already_done(sweep_dir, run_dir, key)
    if done is not None:
        record.update(status="skipped", note=f"already complete in {done.relative_to(sweep_dir)}")
        print(f"wfsim: job {num} (seed {run_cfg.seed}) skipped: {record['note']}", flush=True)
        return record
    for old in run_dir.parent.glob(f".{run_dir.name}{PARTIAL}*"):
        remove(old)  # a killed attempt at this run
    tmp = run_dir.parent / f".{run_dir.name}{PARTIAL}{socket.gethostname()}-{os.getpid()}"
    remove(tmp)
    try:
        paths = simulate(run_cfg, tmp, overrides, threads=_threads(hc, run_cfg.threads),
                         checkpoint=sweep_dir / STATE / "checkpoints" / f"{key}.pkl")
        marker = {"status": "done", "config_hash": key, "num": num, "overrides": overrides,
                  "seed": run_cfg.seed, "wall_time_s": round(time.perf_counter() - t0, 3),
                  "files": sorted(p.name for p in tmp.iterdir()),
                  "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        try:
            _publish(tmp, run_dir, marker)
        except OSError:
            if read_marker(run_dir) is None:
                raise
            remove(tmp)  # a twin of this run (a worker left over from a killed sweep) won
    except BaseException:
        remove(tmp)
        raise
    write_text_atomic(sweep_dir / STATE / "index" / key, record["folder"], make_parents=True)
    print(f"wfsim: job {num} wrote {', '.join(p.name for p in paths)} to {run_dir}", flush=True)
    return {**record, "status": "done"}


def run_job(cfg: DictConfig, simulate: Callable[..., list[Path]]) -> dict:
    """One job of a multirun: each of its runs skipped if complete, else run and committed
    atomically. A failure is recorded and returned, not raised (unless the sweep has no
    SweepCallback to report it); in a batch, the other seeds still run."""
    from sim.system import validate_raw

    hc = HydraConfig.get()
    overrides = list(hc.overrides.task)
    num = int(hc.job.num)
    record: dict[str, Any] = {"num": num, "overrides": overrides, "status": "failed",
                              "config_hash": None, "error": None, "host": socket.gethostname(),
                              "pid": os.getpid()}
    t0 = time.perf_counter()
    sweep_dir = job_dir = None
    failure: BaseException | None = None
    try:
        sweep_dir, job_dir = _dirs(hc)
        record["folder"] = str(job_dir.relative_to(sweep_dir))
        seeds = batch_seeds(cfg)
        raw = OmegaConf.to_container(cfg, resolve=True)
        raw.pop("hydra", None)
        if seeds is None:
            one = _run_one(validate_raw(raw), overrides, num, sweep_dir, job_dir, hc, simulate)
            record.update(one, folder=record["folder"])
        else:
            validate_raw({**raw, "seed": seeds[0]})   # a bad config fails the job once, not per seed
            runs = record["runs"] = []
            for seed in seeds:
                run_dir = job_dir / SEED_FOLDER.format(seed)
                try:
                    runs.append(_run_one(validate_raw({**raw, "seed": seed}), run_overrides(overrides, seed),
                                         num, sweep_dir, run_dir, hc, simulate))
                except Exception as err:  # noqa: BLE001 - a failed run is recorded, the batch goes on
                    runs.append({"seed": seed, "status": "failed", "error": f"{type(err).__name__}: {err}",
                                 "folder": str(run_dir.relative_to(sweep_dir))})
                    print(f"wfsim: job {num} (seed {seed}) failed: {runs[-1]['error']}", file=sys.stderr,
                          flush=True)
                    failure = failure or err
            failed = [r for r in runs if r["status"] == "failed"]
            if failed:
                record["error"] = "; ".join(f"seed {r['seed']}: {r['error']}" for r in failed)
            else:
                record["status"] = "skipped" if all(r["status"] == "skipped" for r in runs) else "done"
    except Exception as err:  # noqa: BLE001 - a failed job is recorded, the sweep goes on
        record["error"] = f"{type(err).__name__}: {err}"
        record["traceback"] = traceback.format_exc()
        print(f"wfsim: job {num} failed: {record['error']}", file=sys.stderr, flush=True)
        failure = err
    record["wall_time_s"] = round(time.perf_counter() - t0, 3)
    if sweep_dir is not None and job_dir is not None:
        try:
            write_json_atomic(sweep_dir / STATE / "status" / f"{job_key(sweep_dir, job_dir)}.json", record,
                              make_parents=True)
        except OSError as err:
            print(f"wfsim: job {num}: could not record its status: {err}", file=sys.stderr)
    if failure is not None and not _has_callback(hc):
        raise failure  # no manifest to report it: let Hydra fail the sweep as it would
    return {k: v for k, v in record.items() if k != "traceback"}


def _has_callback(hc) -> bool:
    callbacks = OmegaConf.select(hc, "callbacks", default=None) or {}
    return any(str(c.get("_target_", "")).endswith("sweep.SweepCallback") for c in callbacks.values())
