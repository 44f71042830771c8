"""The results store: every finished job of a sweep folder in one parquet dataset.

    wfsim-collect multirun/2026-01-05/10-00-00          # one sweep -> <sweep>/results/
    wfsim-collect multirun --out results                # every sweep under multirun/

A finished job is a run folder with a `job.json` (written last by `sim.runs.sweep`); folders without
one (killed or failed jobs, single runs) are left out, and a config run twice in one experiment
(same config hash) is collected once. The output folder holds:

- `timeseries/experiment=<e>/scenario=<s>/<config hash>.parquet`: the weekly rows of every job
  (see README, Outputs) with `job`, `config_hash`, `seed`, `year` (1, 2, ...) and one column per
  override of the job (its parameters, e.g. `behaviour.leaving.burnout_weight`);
- `flows/...`, and the same for every other `<name>.parquet` of the run folders, and `yearly/...`
  (summary.json's yearly rates per sector);
- `jobs.parquet`: one row per job: experiment, scenario, folder, hash, seed, parameters, wall time.

The scenario of a job is its `intervention` override (a programme; `a+b` for several), else the
programmes named in its resolved config, else `baseline`; the experiment is its `experiment`
override, else the name of its sweep folder. Every file carries every parameter column (empty
where a job did not set it), so pandas, pyarrow and DuckDB read the folders as one table with
hive partitioning. The output is built under a temporary name and swapped in at the end; it
replaces an existing output folder only if that folder is an earlier result of this collect (it
holds only `jobs.parquet` and table folders): any other file or folder at `out` is refused, as is
a finished job whose files cannot be read (`CollectError` names the file). Folders with run
outputs but no `job.json` (single runs, jobs killed before they finished) are counted and
reported, not collected.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.codes import WEEKS_PER_YEAR
from sim.config import ConfigError
from sim.runs.run_folder import EXECUTION_ONLY
from sim.runs.sweep import MARKER, read_marker

YEARLY = "yearly"  # from summary.json; every <name>.parquet of a run folder is a table too
BASELINE = "baseline"
JOBS = "jobs.parquet"
RUN_OUTPUTS = ("summary.json", "timeseries.parquet")   # what makes a folder a run folder


class CollectError(ConfigError):
    """A file that cannot be read honestly, an unknown table, or an output that is not ours."""


@dataclass
class Job:
    folder: Path
    marker: dict
    experiment: str
    scenario: str
    params: dict[str, Any] = field(default_factory=dict)


def _safe(value: str) -> str:
    """A hive partition value: no path separators, '=' or leading dots; not too long for a name."""
    value = re.sub(r"[/\\=\s]+", "_", value).lstrip(".") or "_"
    if len(value) > 150:
        digest = hashlib.sha1(value.encode()).hexdigest()[:8]
        value = f"{value[:120]}..{value.count('+') + 1}-{digest}"
    return value


def parse_override(text: str) -> tuple[str, Any]:
    """`key=value` -> (key, python value) as Hydra parses it (`+`/`++` prefixes dropped)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        o = OverridesParser.create().parse_override(text)
        key = o.get_key_element().lstrip("+~")
        value = o.value()
    except Exception:  # noqa: BLE001 - keep anything Hydra accepted at run time, as text
        key, _, value = text.lstrip("+~").partition("=")
    if hasattr(value, "__iter__") and not isinstance(value, str | dict | list):
        value = list(value)
    return key, value


def _names(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "+".join(str(v) for v in value) if value else BASELINE
    if isinstance(value, dict):
        return "+".join(str(k) for k, v in value.items() if v is not False) or BASELINE
    return str(value) if value not in (None, "", "null") else BASELINE


def _config_scenario(folder: Path, scenario_key: str) -> str:
    try:
        cfg = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError):
        return BASELINE
    return _names(cfg.get(scenario_key) or None)


def _sweep_root(folder: Path, root: Path) -> Path:
    for parent in [folder.parent, *folder.parent.parents]:
        if (parent / "multirun.yaml").exists():
            return parent
        if parent == root or root not in parent.parents:
            break
    return folder.parent


def find_jobs(root: Path, scenario_key: str = "intervention",
              experiment_key: str = "experiment") -> tuple[list[Job], dict[str, int]]:
    """The finished jobs under `root` (one per config hash) and counts of what was left out."""
    root = Path(root).resolve()
    jobs: list[Job] = []
    seen: set[tuple[str, str]] = set()
    counts = {"unfinished": 0, "duplicate": 0, "without job.json": 0}
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(dirpath)
        if MARKER not in files:
            # a single run, or a job killed before it finished: counted, not collected
            counts["without job.json"] += any(f in files for f in RUN_OUTPUTS)
            continue
        marker = read_marker(here)
        if marker is None:
            counts["unfinished"] += 1
            continue
        params: dict[str, Any] = {}
        scenario = experiment = None
        for text in marker.get("overrides") or []:
            key, value = parse_override(text)
            if key == scenario_key:
                scenario = _names(value)
            elif key == experiment_key:
                experiment = _names(value)
            elif key not in (*EXECUTION_ONLY, "seed") and not key.startswith("hydra"):
                params[key] = value
        if experiment is None:
            sweep = _sweep_root(here, root)
            rel = sweep.relative_to(root) if sweep != root else Path(root.name)
            experiment = str(rel)
        experiment = _safe(experiment)
        if (experiment, marker["config_hash"]) in seen:  # e.g. threads=1,2: the same result twice
            counts["duplicate"] += 1
            continue
        seen.add((experiment, marker["config_hash"]))
        jobs.append(Job(here, marker, experiment,
                        _safe(scenario or _config_scenario(here, scenario_key)), params))
    return jobs, counts


def _column(values: list[Any]) -> pd.Series:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64")
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series([float(v) if v is not None else None for v in values], dtype="float64")
    return pd.Series([None if v is None else v if isinstance(v, str) else json.dumps(v)
                      for v in values], dtype="string")


def param_table(jobs: list[Job]) -> pd.DataFrame:
    """One row per job, one typed column per parameter (the union over all jobs)."""
    keys = sorted({k for j in jobs for k in j.params})
    # An explicit index: a sweep whose jobs differ only in seed and scenario has no columns here.
    return pd.DataFrame({k: _column([j.params.get(k) for j in jobs]) for k in keys},
                        index=range(len(jobs)))


def _yearly(folder: Path) -> pd.DataFrame:
    path = folder / "summary.json"
    try:
        info = json.loads(path.read_text())
        rows = [{"sector": s, **y} for s, v in info["sectors"].items() for y in v["years"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise CollectError(f"{path}: cannot be read ({type(err).__name__}: {err}); the job's results are "
                           "damaged: delete its folder and rerun the sweep to run it again") from None
    return pd.DataFrame(rows)


def table_names(jobs: list[Job]) -> list[str]:
    names = {p.stem for j in jobs for p in j.folder.glob("*.parquet")}
    first = {"timeseries": 0, "flows": 1}
    return sorted(names, key=lambda n: (first.get(n, 2), n)) + [YEARLY]


def _table(job: Job, name: str) -> pd.DataFrame | None:
    if name == YEARLY:
        return _yearly(job.folder) if (job.folder / "summary.json").exists() else None
    path = job.folder / f"{name}.parquet"
    if not path.exists():
        return None
    try:
        df = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises several kinds for a damaged file
        raise CollectError(f"{path}: not a readable parquet file ({type(err).__name__}: {err}); the job's "
                           "results are damaged: delete its folder and rerun the sweep to run it "
                           "again") from None
    if "week" in df.columns and "year" not in df.columns:
        df.insert(1, "year", (df["week"] // WEEKS_PER_YEAR + 1).astype("int64"))
    return df


def _check_out(out: Path) -> None:
    """`out` may be new, or an earlier output of collect (replaced); nothing else."""
    from sim.files import folder_problem

    if out.exists():
        if not out.is_dir():
            raise CollectError(f"--out {out} is a file: choose another --out (nothing was written)")
        ours = all(p.name == JOBS or (p.is_dir() and all(q.name.startswith("experiment=")
                                                         for q in p.iterdir()))
                   for p in out.iterdir())
        if not ours or not (out / JOBS).exists() and any(out.iterdir()):
            raise CollectError(f"--out {out} holds files that wfsim-collect did not write: choose "
                               "another --out, or move them (nothing was written)")
        return
    problem = folder_problem(out)
    if problem:
        raise CollectError(f"--out: {problem}")


def collect(path: Path, out: Path | None = None, *, scenario_key: str = "intervention",
            experiment_key: str = "experiment", tables: tuple[str, ...] | None = None) -> dict:
    """Write the dataset for every finished job under `path`; returns what was collected."""
    root = Path(path).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"no folder {path}")
    out = (Path(out) if out is not None else root / "results").resolve()
    _check_out(out)
    jobs, counts = find_jobs(root, scenario_key, experiment_key)
    if not jobs:
        return {"jobs": 0, **counts, "out": str(out)}
    params = param_table(jobs)
    known = table_names(jobs)
    unknown = [t for t in tables or () if t not in known]
    if tables is not None and (unknown or not tables):
        what = f"unknown table(s) {', '.join(unknown)}" if unknown else "no table named"
        raise CollectError(f"{what}; the jobs under {path} have {', '.join(known)}")
    tables = tuple(t for t in known if tables is None or t in tables)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    rows = dict.fromkeys(tables, 0)
    try:
        job_rows = []
        for i, job in enumerate(jobs):
            p = params.iloc[[i]].reset_index(drop=True)
            ident = {"job": str(job.folder.relative_to(root)) if job.folder != root else ".",
                     "config_hash": job.marker["config_hash"], "seed": job.marker.get("seed")}
            for name in tables:
                df = _table(job, name)
                if df is None:
                    continue
                front = pd.concat([pd.DataFrame([ident]), p], axis=1)
                front = front.loc[front.index.repeat(len(df))].reset_index(drop=True)
                df = pd.concat([front, df.reset_index(drop=True)], axis=1)
                part = tmp / name / f"experiment={job.experiment}" / f"scenario={job.scenario}"
                part.mkdir(parents=True, exist_ok=True)
                df.to_parquet(part / f"{job.marker['config_hash']}.parquet", index=False)
                rows[name] += len(df)
            job_rows.append({"experiment": job.experiment, "scenario": job.scenario, **ident,
                             "wall_time_s": job.marker.get("wall_time_s"),
                             "finished": job.marker.get("finished")})
        jobs_df = pd.concat([pd.DataFrame(job_rows), params], axis=1)
        tmp.mkdir(parents=True, exist_ok=True)
        jobs_df.to_parquet(tmp / "jobs.parquet", index=False)
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.*-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a collect that was killed
    return {"jobs": len(jobs), **counts, "out": str(out), "rows": rows,
            "experiments": sorted({j.experiment for j in jobs}),
            "scenarios": sorted({j.scenario for j in jobs}), "parameters": list(params.columns),
            "varying": [c for c in params.columns if params[c].astype("string").nunique(dropna=False) > 1]}
