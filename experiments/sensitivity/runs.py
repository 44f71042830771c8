"""Running the simulator at the points of a sensitivity sample: one validated model run per point,
its outputs in the chosen year, and the checkpoint of finished runs (`sensitivity_runs.jsonl`)
that lets an interrupted analysis resume."""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.codes import WEEKS_PER_YEAR
from sim.config import ConfigError
from sim.keys import get_key, set_key

if TYPE_CHECKING:
    from experiments.sensitivity.settings import Settings

CHECKPOINT = "sensitivity_runs.jsonl"


def number_at(tree: dict, key: str, where: str = "") -> float:
    """The number at `key`; a ConfigError (its message prefixed by `where`) if the key does not
    exist or holds something other than a number."""
    try:
        old = get_key(tree, key)
    except KeyError:
        raise ConfigError(f"{where}{key} is not a config key") from None
    if isinstance(old, bool) or not isinstance(old, int | float):
        raise ConfigError(f"{where}{key} = {old!r} is not a number")
    return old


def point_config(base: dict, names: Sequence[str], values: Sequence[float]) -> dict:
    """The base config with these parameter values (integers rounded for integer keys)."""
    cfg = json.loads(json.dumps(base))
    for name, v in zip(names, values, strict=True):
        old = get_key(base, name)
        set_key(cfg, name, int(round(v)) if isinstance(old, int) and not isinstance(old, bool) else float(v))
    return cfg


def measure(ts: pd.DataFrame, year: int, outputs: Sequence[str]) -> list[float]:
    """The outputs of one run, in year `year` (1 = the first simulated year)."""
    lo, hi = (year - 1) * WEEKS_PER_YEAR, year * WEEKS_PER_YEAR - 1
    yr = ts[(ts["week"] >= lo) & (ts["week"] <= hi)]
    weekly = yr.groupby("week")[["fte", "headcount", "vacancy_fte", "establishment_fte",
                                 "leavers", "agency_cost_gbp"]].sum()
    values = {"fte": float(weekly.loc[weekly.index.max(), "fte"]),
              "vacancy_rate": float(weekly["vacancy_fte"].sum() / weekly["establishment_fte"].sum()),
              "turnover_rate": float(weekly["leavers"].sum() / weekly["headcount"].mean()),
              "agency_cost_gbp": float(weekly["agency_cost_gbp"].sum())}
    return [values[o] for o in outputs]


def run_point(base: dict, names: Sequence[str], values: Sequence[float], scale: float, year: int,
              outputs: Sequence[str], threads: int | None = None, refit_rounds: int = 0) -> list[float]:
    """One model run at one point of the sample (in a worker process). With `refit_rounds`, the
    base rates are first refitted to the system's targets at this point (that many rounds of
    sim.system.calibrate on the run's own seed and scale)."""
    import logging

    from sim.configuration import validate_config
    from sim.model import WorkforceModel
    from sim.system.calibrate import calibrate
    from sim.uncertainty import seeds_only

    logging.getLogger("MESA").setLevel(logging.WARNING)
    cfg = seeds_only(validate_config(point_config(base, names, values)))   # the sample's values, as set
    if refit_rounds:
        cfg, _ = calibrate(cfg, seeds=(cfg.seed,), rounds=refit_rounds, scale=scale, log=lambda _: None,
                           threads=threads)
    model = WorkforceModel(cfg, scale=scale, threads=threads)
    model.run()
    return measure(model.timeseries(), year, outputs)


def plan_key(base: dict, s: Settings) -> str:
    """Identity of the runs: the base config, the ranges, scale, year, outputs and sampling."""
    ident = {"base": {k: v for k, v in base.items() if k not in ("threads", "progress")},
             "parameters": s.parameters, "outputs": s.outputs, "scale": s.scale, "year": s.year,
             "morris": [s.morris_trajectories, s.morris_levels], "sobol": [s.sobol_n, s.sobol_second_order],
             "seed": s.seed}
    if s.refit_base_rates:      # runs without a refit keep the key they had
        ident["refit_rounds"] = s.refit_rounds
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()[:16]


class ModelEvaluator:
    """Evaluates sample points with the simulator, reusing runs found in the checkpoint."""

    def __init__(self, base: dict, settings: Settings, out_dir: Path, *, log=print):

        self.base, self.s, self.out_dir, self.log = base, settings, Path(out_dir), log
        self.year = settings.year or base["years"]
        self.key = plan_key(base, settings)
        self.path = self.out_dir / CHECKPOINT
        self.done: dict[tuple[str, str, int], list[float]] = {}
        self.runs = self.reused = 0
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        for line in self.path.read_text().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue  # a line cut by a kill
            if rec.get("plan") == self.key:
                self.done[(rec["stage"], rec["names"], rec["i"])] = rec["y"]

    def __call__(self, X: np.ndarray, stage: str, names: Sequence[str]) -> np.ndarray:
        from joblib import Parallel, delayed

        tag = ",".join(names)
        todo = [i for i in range(len(X)) if (stage, tag, i) not in self.done]
        self.reused += len(X) - len(todo)
        if len(X) - len(todo):
            self.log(f"  {stage}: {len(X) - len(todo)} of {len(X)} runs found in {CHECKPOINT}")
        n_jobs = self.s.n_jobs if self.s.n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + self.s.n_jobs)
        n_jobs = min(n_jobs, max(1, len(todo)))
        threads = 1 if n_jobs > 1 else (self.base.get("threads") or None)
        t0 = time.perf_counter()
        step = max(1, len(todo) // 10)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as fh:
            refit = self.s.refit_rounds if self.s.refit_base_rates else 0
            calls = (delayed(run_point)(self.base, names, X[i].tolist(), self.s.scale, self.year,
                                        self.s.outputs, threads, refit) for i in todo)
            results = Parallel(n_jobs=n_jobs, return_as="generator")(calls) if n_jobs > 1 else \
                (c[0](*c[1], **c[2]) for c in calls)
            for k, (i, y) in enumerate(zip(todo, results, strict=True), start=1):
                self.done[(stage, tag, i)] = y
                fh.write(json.dumps({"plan": self.key, "stage": stage, "names": tag, "i": i,
                                     "x": X[i].tolist(), "y": y}) + "\n")
                fh.flush()
                self.runs += 1
                if k % step == 0 or k == len(todo):
                    el = time.perf_counter() - t0
                    self.log(f"  {stage}: {k}/{len(todo)} runs, {el:.0f} s, about "
                             f"{el / k * (len(todo) - k):.0f} s to go")
        return np.array([self.done[(stage, tag, i)] for i in range(len(X))], dtype=float)
