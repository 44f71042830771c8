"""The kernel engine: workers in a struct-of-arrays table, phases 3-5 in Numba kernels.

`sim/reference.py` has the same interface with one Mesa agent per worker. The model calls:
`update_workers`, `depart`, `add`, `aggregate`, `age_one_year`, `snapshot`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from sim import kernels
from sim.codes import FLEX_MET, FLEX_UNMET, N_SECTORS, OTHER_EMPLOYER
from sim.params import MAX_AGE, Params
from sim.workers import FIELDS, Cohort, WorkerTable


@dataclass
class WeekContext:
    """What the worker phases read this week (computed by the model from employer arrays and
    the levers programmes may have moved)."""

    week: int
    pressure_er: np.ndarray   # float64 [E*R]
    pay_mult: np.ndarray      # float64 [S, R]: leave hazard multiplier from pay shortfall
    dest_cum: np.ndarray      # float64 [S, R, N_DESTINATIONS]
    vacancy_cum: np.ndarray   # float64 [R, E+1]: prefix sums of vacant FTE over employers
    leave_mult_er: np.ndarray  # float64 [E*R]
    flex_grant: np.ndarray    # float64 [S]
    b_rise: np.ndarray        # float64 [S]
    b_recovery: np.ndarray    # float64 [S]
    support_weeks: np.ndarray  # int64 [routes]: weeks of in-role support for recruits of a route
    support_mult: np.ndarray  # float64 [routes]: leave hazard multiplier during that support


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
        self.table = WorkerTable(int(len(cohort) * 1.25) + 16)
        self.table.add(cohort)
        self._leaving = np.zeros(self.table.capacity, np.uint8)

    def __len__(self) -> int:
        return len(self.table)

    def update_workers(self, ctx: WeekContext) -> None:
        p, t = self.p, self.table
        if self._leaving.shape[0] < t.n_rows:
            self._leaving = np.zeros(t.capacity, np.uint8)
        kernels.weekly_update(
            p.seed, ctx.week, t.live, t.id, t.sector, t.employer, t.role, t.age, t.tenure,
            t.sector_tenure, t.flex, t.burnout, t.sick, t.route, ctx.pressure_er, ctx.leave_mult_er,
            p.n_roles, ctx.flex_grant, p.flex_wish, p.flex_lapse, ctx.b_rise, ctx.b_recovery,
            p.b_noise, p.base_stress, p.pressure_weight, p.unmet_flex_weight, p.sick_start,
            p.sick_end, p.sick_burnout_weight, p.leave_base, p.leave_burnout_weight,
            p.unmet_flex_multiplier, p.first_year_multiplier, ctx.pay_mult, ctx.support_weeks,
            ctx.support_mult, p.retire_weekly, self._leaving[: t.n_rows])

    def depart(self, ctx: WeekContext) -> Departures:
        p, t = self.p, self.table
        rows = np.flatnonzero(self._leaving[: t.n_rows].view(bool))  # bool view: ~15x faster
        rows = rows[np.argsort(t.id[rows], kind="stable")]
        c = {k: t.cols[k][rows] for k in FIELDS}
        dest, new_emp = kernels.choose_destinations(
            p.seed, ctx.week, c["id"], c["sector"], c["employer"], c["role"], c["age"],
            c["burnout"], c["flex"], c["tenure"], c["route"], p.leave_base, p.leave_burnout_weight,
            p.unmet_flex_multiplier, p.first_year_multiplier, ctx.pay_mult, ctx.leave_mult_er,
            p.n_roles, ctx.support_weeks, ctx.support_mult, p.retire_weekly, ctx.dest_cum,
            ctx.vacancy_cum, p.sector_first)
        moving = dest < N_SECTORS
        t.remove(rows[~moving])
        m = rows[moving]
        d = dest[moving]
        cols = t.cols
        changed_sector = cols["sector"][m] != d
        cols["employer"][m] = new_emp[moving]
        cols["route"][m] = OTHER_EMPLOYER
        cols["tenure"][m] = 0
        cols["join_week"][m] = ctx.week
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
