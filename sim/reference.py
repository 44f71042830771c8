"""The readable reference: one `mesa.Agent` per worker, the weekly rules in plain Python.

It is the specification the kernels are checked against (the docking test feeds both the
same random numbers and requires identical results) and the Mesa baseline the benchmark
compares with. It has the same interface as `sim.engine.KernelEngine`. Use it for small
populations only: it is a few hundred times slower.
"""
from __future__ import annotations

import math

import mesa
import numpy as np

from sim.codes import (
    DEST_OTHER_INDUSTRY,
    DEST_RETIRED,
    FIRST_YEAR_WEEKS,
    FLEX_MET,
    FLEX_NONE,
    FLEX_UNMET,
    MAX_WEEKS,
    N_SECTORS,
    OTHER_EMPLOYER,
)
from sim.engine import Departures
from sim.levers import WeekInputs
from sim.params import MAX_AGE, Params, WorkerRules
from sim.rng import S_BURNOUT, S_DESTINATION, S_EMPLOYER, S_FLEX, S_LEAVE, S_SICK, uniform_py
from sim.workers import BURNOUT_UNIT, FIELDS, Cohort


class WorkerAgent(mesa.Agent):
    """One health or care worker."""

    def __init__(self, model: mesa.Model, **attrs):
        super().__init__(model)
        for k in FIELDS:
            setattr(self, k, int(attrs[k]))
        self.leaving = False

    def leave_hazard(self, p: Params, rules: WorkerRules, x: WeekInputs) -> float:
        """Weekly chance of leaving the employer for any reason but retirement."""
        s, r = self.sector, self.role
        h = float(rules.leave_base[s, r]) * (1.0 + rules.leave_burnout_weight * (self.burnout / BURNOUT_UNIT))
        h = h * float(x.pay_mult[s, r]) * float(x.leave_mult[self.employer * p.n_roles + r])
        if self.flex == FLEX_UNMET:
            h = h * rules.unmet_flex_multiplier
        if self.tenure < FIRST_YEAR_WEEKS:
            h = h * rules.first_year_multiplier
        if self.tenure < x.support_weeks[self.route]:  # a programme's in-role support
            h = h * float(x.support_mult[self.route])
        return h

    def weekly_update(self, p: Params, rules: WorkerRules, x: WeekInputs) -> None:
        """Phases 3-5: flexible working, burnout, sickness, the decision to leave."""
        seed, week, wid, s, r = p.seed, x.week, self.id, self.sector, self.role
        # Flexible working: an unmet wish may be granted; a new wish may arise; a met one may lapse.
        u = uniform_py(seed, week, wid, S_FLEX)
        if self.flex == FLEX_UNMET:
            if u < x.flex_grant[s]:
                self.flex = FLEX_MET
        elif self.flex == FLEX_NONE:
            if u < rules.flex_wish:
                self.flex = FLEX_UNMET
        elif u < rules.flex_lapse:
            self.flex = FLEX_NONE
        unmet = self.flex == FLEX_UNMET
        # Burnout rises with pressure and an unmet wish, recovers towards zero.
        pressure = float(x.pressure[self.employer * p.n_roles + r])
        stress = rules.base_stress
        if pressure > 1.0:
            stress = stress + rules.pressure_weight * (pressure - 1.0)
        if unmet:
            stress = stress + rules.unmet_flex_weight
        b = self.burnout / BURNOUT_UNIT
        noise = uniform_py(seed, week, wid, S_BURNOUT) - 0.5
        b = b + float(x.b_rise[s]) * stress - float(x.b_recovery[s]) * b + rules.b_noise * noise
        b = min(max(b, 0.0), 1.0)
        self.burnout = int(math.floor(b * BURNOUT_UNIT + 0.5))
        b = self.burnout / BURNOUT_UNIT
        # Sickness starts more often when burnt out.
        u = uniform_py(seed, week, wid, S_SICK)
        if self.sick:
            if u < rules.sick_end:
                self.sick = 0
        elif u < float(rules.sick_start[s, r]) * (1.0 + rules.sick_burnout_weight * b):
            self.sick = 1
        # Leaving: behaviour-driven hazard plus retirement by age.
        total = self.leave_hazard(p, rules, x) + float(rules.retire_weekly[self.age])
        self.leaving = uniform_py(seed, week, wid, S_LEAVE) < total
        if self.leaving:
            return  # tenure stays as it was: the destination uses the same hazard
        self.tenure = min(self.tenure + 1, MAX_WEEKS)
        self.sector_tenure = min(self.sector_tenure + 1, MAX_WEEKS)

    def choose_destination(self, p: Params, rules: WorkerRules, x: WeekInputs) -> tuple[int, int]:
        """(destination code, new employer or -1) for a leaver."""
        seed, week, wid, s, r = p.seed, x.week, self.id, self.sector, self.role
        h = self.leave_hazard(p, rules, x)
        hr = float(rules.retire_weekly[self.age])
        if uniform_py(seed, week, wid, S_DESTINATION) * (h + hr) < hr:
            return DEST_RETIRED, -1
        v = uniform_py(seed, week, wid, S_EMPLOYER)
        cum_dest = x.dest_cum[s, r]
        d = 0
        while d < len(cum_dest) - 1 and v >= cum_dest[d]:
            d += 1
        if d >= N_SECTORS:
            return d, -1
        lo_c = float(cum_dest[d - 1]) if d > 0 else 0.0
        pos = (v - lo_c) / (float(cum_dest[d]) - lo_c)
        lo, hi = int(p.sector_first[d]), int(p.sector_first[d + 1])
        cum = x.vacancy_cum[r]
        total = float(cum[hi]) - float(cum[lo])
        own_width = 0.0
        if d == s:
            own_width = float(cum[self.employer + 1]) - float(cum[self.employer])
            total = total - own_width
        if total <= 0.0 or hi <= lo:
            return DEST_OTHER_INDUSTRY, -1
        target = float(cum[lo]) + pos * total
        if d == s and target >= cum[self.employer]:
            target = target + own_width  # skip over the leaver's own employer
        employer = lo  # the last employer whose range starts at or before target
        for e in range(lo, hi):
            if cum[e] <= target:
                employer = e
        return d, employer

    def move_to(self, sector: int, employer: int, week: int) -> None:
        if sector != self.sector:
            self.sector_tenure = 0
        self.route = OTHER_EMPLOYER
        self.sector, self.employer = sector, employer
        self.tenure, self.join_week, self.sick = 0, week, 0
        if self.flex == FLEX_UNMET:
            self.flex = FLEX_MET


class ReferenceEngine:
    name = "reference"

    def __init__(self, model: mesa.Model, p: Params, cohort: Cohort):
        self.model, self.p = model, p
        self.rules = p.worker_rules()
        self.add(cohort)

    @property
    def workers(self) -> list[WorkerAgent]:
        return list(self.model.agents_by_type.get(WorkerAgent, []))

    def __len__(self) -> int:
        return len(self.workers)

    def update_workers(self, x: WeekInputs) -> None:
        for w in self.workers:
            w.weekly_update(self.p, self.rules, x)

    def depart(self, x: WeekInputs) -> Departures:
        leavers = sorted((w for w in self.workers if w.leaving), key=lambda w: w.id)
        cols = {k: [] for k in ("sector", "role", "employer", "route", "join_week", "dest",
                                "new_employer")}
        for w in leavers:
            d, employer = w.choose_destination(self.p, self.rules, x)
            for k in ("sector", "role", "employer", "route", "join_week"):
                cols[k].append(getattr(w, k))
            cols["dest"].append(d)
            cols["new_employer"].append(employer)
            if d < N_SECTORS:
                w.move_to(d, employer, x.week)
            else:
                w.remove()
        dtypes = {k: FIELDS.get(k, np.int32) for k in cols}
        dtypes["dest"] = np.int8
        return Departures(**{k: np.array(v, dtypes[k]) for k, v in cols.items()})

    def add(self, cohort: Cohort) -> None:
        for i in range(len(cohort)):
            WorkerAgent(self.model, **{k: cohort[k][i] for k in FIELDS})

    def locate(self, ids: np.ndarray):
        """For each id: (in post?, employer or -1)."""
        where = {w.id: w.employer for w in self.workers}
        emp = np.array([where.get(int(i), -1) for i in ids], np.int64)
        return emp >= 0, emp

    def aggregate(self):
        m = self.p.n_employers * self.p.n_roles
        out = [np.zeros(m, np.int64) for _ in range(4)]
        headcount, fte, sick, burnout = out
        for w in self.workers:
            k = w.employer * self.p.n_roles + w.role
            headcount[k] += 1
            fte[k] += w.fte
            if w.sick:
                sick[k] += w.fte
            burnout[k] += w.burnout
        return tuple(out)

    def age_one_year(self) -> None:
        for w in self.workers:
            w.age = min(w.age + 1, MAX_AGE - 1)

    def snapshot(self) -> Cohort:
        ws = sorted(self.workers, key=lambda w: w.id)
        return Cohort(**{k: np.array([getattr(w, k) for w in ws], dtype=dt)
                         for k, dt in FIELDS.items()})
