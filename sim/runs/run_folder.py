"""The run folder: timeseries, flows, cohorts, programmes, leavers, pools and ages (parquet) and
summary.json (with a manifest).

Files are written under a temporary name and renamed into place, so a run that fails or is
killed never leaves a half-written file where a complete one is expected.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from sim.codes import SECTORS, WEEKS_PER_YEAR
from sim.files import write_atomic, write_text_atomic
from sim.metrics import yearly_rates

PACKAGES = ("numpy", "numba", "pandas", "pyarrow", "mesa", "hydra-core", "omegaconf", "pydantic")


EXECUTION_ONLY = ("threads", "progress", "checkpoint_every")  # settings that never change a result


def config_hash(config_dict: dict) -> str:
    """SHA-256 of the resolved config (canonical JSON) without execution-only settings:
    the identity of a run's inputs."""
    identity = {k: v for k, v in config_dict.items() if k not in EXECUTION_ONLY}
    blob = json.dumps(identity, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


@functools.cache   # the code a process runs is the code it imported: asked once per process
def git_revision() -> str:
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, capture_output=True, text=True, timeout=5).stdout
        return rev + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@functools.cache
def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _rate(value) -> float | None:
    """A yearly figure, or null where it is undefined (a rate of a sector with no staff that
    year): JSON has no NaN."""
    value = float(value)
    return value if math.isfinite(value) else None


def summary(model, wall_time_s: float, ts=None) -> dict:
    """The run's yearly rates per sector, programme costs and recruits, and the manifest (`ts`:
    the model's timeseries, if already made)."""
    ts = model.timeseries() if ts is None else ts
    rates = yearly_rates(ts, ["sector"])
    last = ts[ts["week"] == ts["week"].max()].groupby("sector", observed=True)["headcount"].sum()
    sectors = {}
    for s in SECTORS:
        if s not in model.config.system.sectors:
            continue
        years = rates[rates["sector"] == s].drop(columns=["sector"])
        sectors[s] = {
            "headcount_start": int(model.headcount_start[s]),
            "headcount_end": int(last.get(s, 0)),
            "years": [{k: (int(v) if k in ("year", "weeks") else _rate(v)) for k, v in row.items()}
                      for row in years.to_dict("records")],
        }
    cfg = model.config.model_dump(mode="json")
    programmes = {}
    prog = model.programme_table()
    targets = {pr.name: list(pr.params.sectors) for pr in model.programmes}
    assumed = {pr.name: {k: pr.params.model_dump(mode="json")[k] for k in pr.assumed}
               for pr in model.programmes}
    for name, g in prog.groupby("programme", sort=True):
        by_year = g.assign(year=g["week"] // WEEKS_PER_YEAR + 1).groupby("year")
        programmes[name] = {
            "cost_gbp": float(g["cost_gbp"].sum()), "recruits": int(g["recruits"].sum()),
            "sectors": targets[name],
            "assumed_inputs": assumed[name],   # the parameters its effect rests on that are assumptions
            "years": [{"year": int(y), "cost_gbp": float(v["cost_gbp"].sum()),
                       "recruits": int(v["recruits"].sum())} for y, v in by_year],
        }
    return {
        "sectors": sectors,
        "programmes": programmes,
        "manifest": {
            "seed": model.config.seed, "years": model.config.years,
            "start_date": str(model.config.system.start_date), "system": model.config.system.name,
            "engine": model.engine.name, "workers_start": int(sum(model.headcount_start.values())),
            "config_hash": config_hash(cfg), "git_revision": git_revision(),
            # what a spread over seeds covers, and this seed's coefficients if it drew them
            "uncertainty": {"covers": model.config.uncertainty.covers, "drawn": model.drawn},
            "packages": dict(package_versions()), "wall_time_s": round(wall_time_s, 3),
            "phase_seconds": {k: round(v, 4) for k, v in model.phase_seconds.items()},
        },
    }


def write_run(model, folder: Path, wall_time_s: float,
              overrides: list[str] | None = None) -> list[Path]:
    """Write the run's outputs, plus the resolved config and the command-line overrides."""
    folder.mkdir(parents=True, exist_ok=True)
    ts, fl = model.timeseries(), model.flows()
    info = summary(model, wall_time_s, ts)
    config = json.dumps(model.config.model_dump(mode="json"), indent=2)
    tables = {"timeseries": ts, "flows": fl, "cohorts": model.cohort_table(),
              "programmes": model.programme_table(), "leavers": model.leavers(), "pools": model.pools(),
              "ages": model.ages()}
    paths = [folder / f"{name}.parquet" for name in tables] + [folder / "summary.json"]
    for path, table in zip(paths, tables.values(), strict=False):
        write_atomic(path, lambda tmp, table=table: table.to_parquet(tmp, index=False))
    write_text_atomic(paths[-1], json.dumps(info, indent=2) + "\n")
    write_text_atomic(folder / "config.json", config + "\n")
    write_text_atomic(folder / "overrides.yaml", "".join(f"- {o}\n" for o in overrides or []))
    return paths

