"""The kernel engine: workers in a struct-of-arrays table, phases 3-5 in Numba kernels.

`sim/reference.py` has the same interface with one Mesa agent per worker. The model calls:
`update_workers`, `depart`, `add`, `aggregate`, `age_one_year`, `snapshot`, `locate`; each week
the worker phases read the run's `WorkerRules` and the week's `WeekInputs` (sim.levers).
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from sim import kernels
from sim.codes import FLEX_MET, FLEX_UNMET, N_SECTORS, OTHER_EMPLOYER
from sim.levers import WeekInputs
from sim.params import MAX_AGE, Params
from sim.workers import FIELDS, Cohort, WorkerTable


@dataclass
class Departures:
    """Who left an employer this week, as they were, and where they went (codes.DESTINATIONS)."""

    sector: np.ndarray
    role: np.ndarray
    employer: np.ndarray
    route: np.ndarray
    join_week: np.ndarray
    dest: np.ndarray
    new_employer: np.ndarray


class KernelEngine:
    name = "kernels"

    def __init__(self, p: Params, cohort: Cohort):
        self.p = p
        self.rules = p.worker_rules()
        self.table = WorkerTable(int(len(cohort) * 1.25) + 16)
        self.table.add(cohort)
        self._leaving = np.zeros(self.table.capacity, np.uint8)

    def __len__(self) -> int:
        return len(self.table)

    def update_workers(self, x: WeekInputs) -> None:
        p, t = self.p, self.table
        if self._leaving.shape[0] < t.n_rows:
            self._leaving = np.zeros(t.capacity, np.uint8)
        kernels.weekly_update(p.seed, p.n_roles, t.columns(), self.rules, x, self._leaving[: t.n_rows])

    def depart(self, x: WeekInputs) -> Departures:
        p, t = self.p, self.table
        rows = np.flatnonzero(self._leaving[: t.n_rows].view(bool))  # bool view: ~15x faster
        rows = rows[np.argsort(t.id[rows], kind="stable")]
        c = {k: t.cols[k][rows] for k in FIELDS}
        dest, new_emp = kernels.choose_destinations(p.seed, p.n_roles, p.sector_first,
                                                    Cohort(**c).columns(), self.rules, x)
        moving = dest < N_SECTORS
        t.remove(rows[~moving])
        m = rows[moving]
        d = dest[moving]
        cols = t.cols
        changed_sector = cols["sector"][m] != d
        cols["employer"][m] = new_emp[moving]
        cols["route"][m] = OTHER_EMPLOYER
        cols["tenure"][m] = 0
        cols["join_week"][m] = x.week
        cols["sick"][m] = 0
        # assumption: a worker who moves for flexibility gets the arrangement they wanted
        flex = cols["flex"][m]
        cols["flex"][m] = np.where(flex == FLEX_UNMET, FLEX_MET, flex)
        cols["sector_tenure"][m] = np.where(changed_sector, 0, cols["sector_tenure"][m])
        cols["sector"][m] = d
        return Departures(sector=c["sector"], role=c["role"], employer=c["employer"],
                          route=c["route"], join_week=c["join_week"], dest=dest,
                          new_employer=new_emp)

    def add(self, cohort: Cohort) -> None:
        if len(cohort):
            self.table.add(cohort)

    def locate(self, ids: np.ndarray):
        """For each id: (in post?, employer or -1)."""
        t = self.table
        rows = np.flatnonzero(t.live.view(bool) & np.isin(t.id, ids))
        order = np.argsort(t.id[rows])
        found, emp = t.id[rows][order], t.employer[rows][order]
        pos = np.minimum(np.searchsorted(found, ids), max(len(found) - 1, 0))
        alive = (len(found) > 0) & (found[pos] == ids) if len(found) else np.zeros(len(ids), bool)
        return alive, np.where(alive, emp[pos] if len(found) else -1, -1)

    def aggregate(self):
        t, p = self.table, self.p
        return kernels.aggregate(t.live, t.employer, t.role, t.fte, t.sick, t.burnout,
                                 p.n_employers, p.n_roles, numba.get_num_threads())

    def age_one_year(self) -> None:
        t = self.table
        live = t.live.astype(bool)
        t.age[live] = np.minimum(t.age[live].astype(np.int64) + 1, MAX_AGE - 1)

    def snapshot(self) -> Cohort:
        """Every worker in post, sorted by id (for tests and inspection)."""
        t = self.table
        rows = np.flatnonzero(t.live.view(bool))
        rows = rows[np.argsort(t.id[rows], kind="stable")]
        return Cohort(**{k: t.cols[k][rows].copy() for k in FIELDS})
