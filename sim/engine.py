"""The kernel engine: workers in a struct-of-arrays table, phase 3 in Numba kernels.

`sim/reference.py` has the same interface with one Mesa agent per worker. The model calls:
`update_workers` (phase 3: each worker's decision this week), `decided` (the workers who made a
given decision, by id), `destinations` (where leavers go), `update` and `remove` (the model's
changes to workers: moves, career steps, exits), `add`, `aggregate`, `age_profile`,
`age_one_year`, `snapshot`, `locate`. Each week the worker phases read the run's `WorkerRules`
and the week's `WeekInputs` (sim.levers).
"""
from __future__ import annotations

import numba
import numpy as np

from sim import kernels
from sim.codes import AGE_BANDS, BURNOUT_THRESHOLDS, N_SECTORS
from sim.levers import WeekInputs
from sim.params import MAX_AGE, Params
from sim.workers import BURNOUT_UNIT, FIELDS, Cohort, WorkerTable

THRESHOLD_UNITS = np.array([int(np.ceil(t * BURNOUT_UNIT)) for t in BURNOUT_THRESHOLDS], np.int64)
assert len(THRESHOLD_UNITS) == 2, "kernels.aggregate counts exactly two burnout thresholds"
BAND_LO = np.array(AGE_BANDS, np.int64)


class KernelEngine:
    name = "kernels"

    def __init__(self, p: Params, cohort: Cohort):
        self.p = p
        self.rules = p.worker_rules()
        self.table = WorkerTable(int(len(cohort) * 1.25) + 16)
        self.table.add(cohort)
        self._decision = np.zeros(self.table.capacity, np.uint8)
        self._rows = np.zeros(max(1024, self.table.capacity // 32), np.int64)
        self._acting = np.zeros(0, np.int64)            # rows whose decision is not STAY
        self._located = (np.zeros(0, np.uint64), np.zeros(0, np.int64))   # the last locate's rows

    def __len__(self) -> int:
        return len(self.table)

    def update_workers(self, x: WeekInputs) -> None:
        p, t = self.p, self.table
        if self._decision.shape[0] < t.n_rows:
            self._decision = np.zeros(t.capacity, np.uint8)
        decision = self._decision[: t.n_rows]
        kernels.weekly_update(p.seed, p.n_roles, t.columns(), self.rules, x, decision)
        args = (p.seed, x.week, decision, t.id, t.sector, t.role, t.age, self.rules)
        k = kernels.settle_decisions(*args, self._rows)
        if k > len(self._rows):                   # more than a usual week's: room, and again
            self._rows = np.zeros(2 * k, np.int64)
            k = kernels.settle_decisions(*args, self._rows)
        self._acting = self._rows[:k].copy()      # the few rows whose decision is not STAY

    def decided(self, lo: int, hi: int | None = None) -> Cohort:
        """Workers whose decision this week is in [lo, hi] (hi defaults to lo), sorted by id,
        with their `decision` and `row` (their place in the table, stable while they are in
        post until the year's end, when the table is laid out again: hand the cohort, or a
        part of it, back to `update` and `remove` in the same week)."""
        t = self.table
        rows = self._acting
        d = self._decision[rows]
        mask = (d == lo) if hi is None else (d >= lo) & (d <= hi)
        rows = rows[mask & t.live.view(bool)[rows]]
        rows = rows[np.argsort(t.id[rows], kind="stable")]
        out = Cohort(**{k: t.cols[k][rows] for k in FIELDS})      # picking rows copies them
        out.arrays["decision"] = self._decision[rows]
        out.arrays["row"] = rows
        return out

    def destinations(self, x: WeekInputs, leavers: Cohort) -> np.ndarray:
        return kernels.choose_destinations(self.p.seed, self.p.n_roles, leavers.columns(), self.rules, x)

    def update(self, who: Cohort, **values: np.ndarray) -> None:
        """Set fields of the workers `who` (from `decided`; each value an array matching it)."""
        for k, v in values.items():
            self.table.cols[k][who["row"]] = v

    def remove(self, who: Cohort) -> None:
        self.table.remove(who["row"])

    def add(self, cohort: Cohort) -> None:
        if len(cohort):
            self.table.add(cohort)

    def locate(self, ids: np.ndarray):
        """For each id: (in post?, employer or -1). The rows found are kept for the next call
        (kernels.find_rows): asked about the same people, it looks only at their rows."""
        t = self.table
        wanted, back = np.unique(np.asarray(ids, np.uint64), return_inverse=True)
        rows = kernels.find_rows(t.live, t.id, wanted, *self._located)
        self._located = (wanted, rows)
        emp = np.where(rows >= 0, t.cols["employer"][np.maximum(rows, 0)], -1).astype(np.int64)[back.ravel()]
        return emp >= 0, emp

    def aggregate(self) -> np.ndarray:
        t, p = self.table, self.p
        return kernels.aggregate(t.live, t.employer, t.role, t.fte, t.sick, t.burnout,
                                 p.n_employers, p.n_roles, numba.get_num_threads(), THRESHOLD_UNITS)

    def age_profile(self) -> np.ndarray:
        """[S, R, bands] workers in post by age band."""
        t = self.table
        return kernels.age_profile(t.live, t.sector, t.role, t.age, N_SECTORS, self.p.n_roles, BAND_LO)

    def age_one_year(self) -> None:
        """Everyone a year older; the table laid out by (employer, role) again (rows change:
        a cohort from `decided` is for the week it was taken)."""
        t = self.table
        live = t.live.astype(bool)
        t.age[live] = np.minimum(t.age[live].astype(np.int64) + 1, MAX_AGE - 1)
        t.compact()

    def snapshot(self) -> Cohort:
        """Every worker in post, sorted by id (for tests and inspection)."""
        t = self.table
        rows = np.flatnonzero(t.live.view(bool))
        rows = rows[np.argsort(t.id[rows], kind="stable")]
        return Cohort(**{k: t.cols[k][rows].copy() for k in FIELDS})
