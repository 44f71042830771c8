"""Checkpoints of one long run, so that a run killed at year 19 of 20 resumes at year 19.

With `checkpoint_every=<weeks>`, the whole model is saved every that many weeks: the model
object itself, pickled with everything it holds (the worker table, employers, pipelines and
pending hires, programmes and their records, the recorders, Mesa's own state). Nothing is listed
by hand, so state the model gains later is saved with it. Random numbers need no saving: every
draw is a hash of (seed, week, worker, decision) (`sim.rng`), so the resumed weeks draw exactly
what an uninterrupted run draws, and its output files are byte-identical (only the manifest's
timings differ).

The file is written atomically (`sim.files.write_atomic`): a run killed while saving leaves the
previous checkpoint. It starts with a header: the run's config hash (execution-only settings such
as `threads` and `checkpoint_every` excluded) and a hash of the simulator's source code; a
checkpoint of another config or of another version of the simulator is refused, naming the file,
rather than resumed into wrong numbers. It is removed once the run's outputs are written.
A checkpoint is a pickle: only ever resume one written by your own runs.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.config import ConfigError, RunConfig
from sim.files import write_atomic
from sim.runs.run_folder import config_hash

CHECKPOINT = "checkpoint.pkl"
FORMAT = 1
SOURCE = Path(__file__).resolve().parent.parent   # the `sim` package


class CheckpointError(ConfigError):
    """A checkpoint cannot be resumed by this command (another config, another version)."""


@lru_cache(maxsize=1)
def code_hash() -> str:
    """SHA-256 of the simulator's source (every .py file under sim/): the same model code."""
    h = hashlib.sha256()
    for path in sorted(SOURCE.rglob("*.py")):
        h.update(str(path.relative_to(SOURCE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def identity(cfg: RunConfig) -> dict[str, Any]:
    return {"format": FORMAT, "config_hash": config_hash(cfg.model_dump(mode="json")),
            "code": code_hash()}


class _ModelByReference(pickle.Pickler):
    """Pickles one attribute, taking references back to the model as given (so that the
    attribute at fault is the one named, not everything that points at the model)."""

    def __init__(self, file, model):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.model = model

    def persistent_id(self, obj):
        return "model" if obj is self.model else None


def _unpicklable(model) -> str:
    """The first attribute of the model that cannot be pickled, for the error message."""
    for name, value in vars(model).items():
        try:
            _ModelByReference(io.BytesIO(), model).dump(value)
        except Exception as err:  # noqa: BLE001 - any reason pickling fails is worth naming
            return f"model attribute {name!r} ({type(value).__name__}): {err}"
    return "an attribute of the model"


def save(model, path: Path, cfg: RunConfig, wall_time_s: float) -> None:
    """Write the model at its current week, atomically."""
    header = {**identity(cfg), "week": int(model.week), "horizon": int(model.horizon),
              "wall_time_s": wall_time_s, "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z")}

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            pickle.dump(header, f, protocol=pickle.HIGHEST_PROTOCOL)
            try:
                pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as err:  # noqa: BLE001 - re-raised with the attribute named
                raise RuntimeError(f"cannot checkpoint the model: {_unpicklable(model)}") from err

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, write)


def read_header(path: Path) -> dict | None:
    """The checkpoint's header, or None if there is no checkpoint at `path`."""
    try:
        with open(path, "rb") as f:
            header = pickle.load(f)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as err:
        raise CheckpointError(f"{path}: not a readable checkpoint ({type(err).__name__}: {err}); "
                              "delete it to start the run again") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a checkpoint of this simulator; delete it to start the run "
                              "again")
    return header


def resume(path: Path, cfg: RunConfig, threads: int | None = None):
    """(model, wall time so far) from the checkpoint at `path`, or None if there is none.
    Raises `CheckpointError` for a checkpoint this config cannot resume. `threads` (default:
    the config's) sets Numba's threads, as building the model would."""
    header = read_header(path)
    if header is None:
        return None
    ident = identity(cfg)
    if header["config_hash"] != ident["config_hash"]:
        raise CheckpointError(
            f"{path} holds week {header['week']} of a run with another config (hash "
            f"{header['config_hash'][:12]}, this one {ident['config_hash'][:12]}): rerun that command "
            "to resume it, or delete the file to start this run here")
    if header["code"] != ident["code"]:
        raise CheckpointError(
            f"{path} was written by another version of the simulator (its source has changed since "
            f"week {header['week']} was saved): delete the file to start the run again")
    with open(path, "rb") as f:
        pickle.load(f)
        try:
            model = pickle.load(f)
        except Exception as err:  # noqa: BLE001 - a damaged file, whatever the unpickler says
            raise CheckpointError(f"{path}: damaged checkpoint ({type(err).__name__}: {err}); delete it "
                                  "to start the run again") from None
    model.config = cfg   # the same run; execution-only settings as this command gives them
    n_threads = threads if threads is not None else cfg.threads
    if n_threads:
        import numba

        numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))
    return model, float(header.get("wall_time_s", 0.0))


def advance(model, cfg: RunConfig, path: Path, *, progress: bool = False, wall_time_s: float = 0.0,
            clock=time.perf_counter) -> float:
    """Step the model to its horizon, saving it every `cfg.checkpoint_every` weeks (none if 0);
    returns the run's wall time, earlier attempts included."""
    from tqdm import tqdm

    every = cfg.checkpoint_every
    t0 = clock()
    with tqdm(total=model.horizon, initial=model.week, unit="week", disable=not progress) as bar:
        while model.running:
            model.step()
            bar.update()
            if every and model.week % every == 0 and model.running:
                save(model, path, cfg, wall_time_s + clock() - t0)
    return wall_time_s + clock() - t0


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
