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

from sim.agents import Agent
from sim.codes import (
    AGE_BANDS,
    DEST_LEFT_AREA,
    DEST_OTHER_INDUSTRY,
    DEST_RETIRED,
    FIRST_YEAR_WEEKS,
    FLEX_MET,
    FLEX_NONE,
    FLEX_UNMET,
    MAX_WEEKS,
    N_SECTORS,
)
from sim.engine import THRESHOLD_UNITS
from sim.kernels import CAREER_START, LEAVE, STAY, TRAINED
from sim.levers import WeekInputs
from sim.params import MAX_AGE, Params, WorkerRules
from sim.rng import (
    S_BURNOUT,
    S_DESTINATION,
    S_EMPLOYER,
    S_FLEX,
    S_LEAVE,
    S_SICK,
    uniform_py,
)
from sim.workers import BURNOUT_UNIT, FIELDS, Cohort


class WorkerAgent(Agent):
    """One health or care worker."""

    def __init__(self, model: mesa.Model, **attrs):
        super().__init__(model)
        for k in FIELDS:
            setattr(self, k, int(attrs[k]))
        self.decision = STAY

    def leave_hazard(self, p: Params, rules: WorkerRules, x: WeekInputs) -> float:
        """Weekly chance of leaving the employer for any reason but retirement."""
        s, r = self.sector, self.role
        h = float(rules.leave_base[s, r]) * (1.0 + rules.leave_burnout_weight * (self.burnout / BURNOUT_UNIT))
        h = h * float(x.pay_mult[s, r]) * float(x.leave_mult[self.employer * p.n_roles + r])
        h = h * float(rules.age_mult[self.age]) * float(x.entry_mult[self.entry_route])
        if self.flex == FLEX_UNMET:
            h = h * rules.unmet_flex_multiplier
        if self.tenure < FIRST_YEAR_WEEKS:
            h = h * rules.first_year_multiplier
        if self.tenure < x.support_weeks[self.route]:  # a programme's in-role support
            h = h * float(x.support_mult[self.route])
        return h

    def weekly_update(self, p: Params, rules: WorkerRules, x: WeekInputs) -> None:
        """Phase 3: flexible working, burnout, sickness, the decision to leave, career steps."""
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
        self.decision = STAY
        u_leave = uniform_py(seed, week, wid, S_LEAVE)
        if u_leave < total:
            self.decision = LEAVE
            return  # tenure stays as it was: the destination uses the same hazard
        self.tenure = min(self.tenure + 1, MAX_WEEKS)
        self.sector_tenure = min(self.sector_tenure + 1, MAX_WEEKS)
        # Career: finish in-post training, or perhaps start a route to another role.
        if self.career > 0:
            if week >= self.career_until:
                self.decision = TRAINED
        elif 1.0 - u_leave < float(rules.career_top[s, r]):
            # the top end of the leave draw: leaving takes its bottom, so the two are exclusive
            u = 1.0 - u_leave
            acc = 0.0
            for c in range(rules.career_start.shape[2]):
                if self.age <= rules.career_max_age[c]:
                    acc += float(rules.career_start[s, r, c])
                    if u < acc:
                        self.decision = CAREER_START + c
                        break

    def choose_destination(self, p: Params, rules: WorkerRules, x: WeekInputs) -> int:
        """A leaver's choice: an exit (codes.DESTINATIONS) or a sector to look for work in."""
        seed, week, wid, s, r = p.seed, x.week, self.id, self.sector, self.role
        h = self.leave_hazard(p, rules, x)
        hr = float(rules.retire_weekly[self.age])
        if uniform_py(seed, week, wid, S_DESTINATION) * (h + hr) < hr:
            return DEST_RETIRED
        v = uniform_py(seed, week, wid, S_EMPLOYER)
        cum_dest = x.dest_cum[s, r]
        d = 0
        while d < len(cum_dest) - 1 and v >= cum_dest[d]:
            d += 1
        if d == DEST_OTHER_INDUSTRY and week < self.sponsored_until:
            d = DEST_LEFT_AREA  # a visa tied to health and care: another industry is not open
        return d


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

    def decided(self, lo: int, hi: int | None = None) -> Cohort:
        hi = lo if hi is None else hi
        ws = sorted((w for w in self.workers if lo <= w.decision <= hi), key=lambda w: w.id)
        out = Cohort(**{k: np.array([getattr(w, k) for w in ws], dtype=dt) for k, dt in FIELDS.items()})
        out.arrays["decision"] = np.array([w.decision for w in ws], np.uint8)
        return out

    def destinations(self, x: WeekInputs, leavers: Cohort) -> np.ndarray:
        by_id = {w.id: w for w in self.workers}
        return np.array([by_id[int(i)].choose_destination(self.p, self.rules, x) for i in leavers["id"]],
                        np.int8)

    def update(self, who: Cohort, **values: np.ndarray) -> None:
        by_id = {w.id: w for w in self.workers}
        for j, wid in enumerate(who["id"]):
            w = by_id[int(wid)]
            for k, v in values.items():
                setattr(w, k, int(v[j]))

    def remove(self, who: Cohort) -> None:
        by_id = {w.id: w for w in self.workers}
        for wid in who["id"]:
            by_id[int(wid)].remove()

    def add(self, cohort: Cohort) -> None:
        for i in range(len(cohort)):
            WorkerAgent(self.model, **{k: cohort[k][i] for k in FIELDS})

    def locate(self, ids: np.ndarray):
        """For each id: (in post?, employer or -1)."""
        where = {w.id: w.employer for w in self.workers}
        emp = np.array([where.get(int(i), -1) for i in ids], np.int64)
        return emp >= 0, emp

    def aggregate(self) -> np.ndarray:
        out = np.zeros((self.p.n_employers * self.p.n_roles, 4 + len(THRESHOLD_UNITS)), np.int64)
        for w in self.workers:
            k = w.employer * self.p.n_roles + w.role
            out[k, 0] += 1
            out[k, 1] += w.fte
            if w.sick:
                out[k, 2] += w.fte
            out[k, 3] += w.burnout
            for t, units in enumerate(THRESHOLD_UNITS):
                if w.burnout >= units:
                    out[k, 4 + t] += 1
        return out

    def age_profile(self) -> np.ndarray:
        out = np.zeros((N_SECTORS, self.p.n_roles, len(AGE_BANDS)), np.int64)
        for w in self.workers:
            band = sum(1 for lo in AGE_BANDS[1:] if w.age >= lo)
            out[w.sector, w.role, band] += 1
        return out

    def age_one_year(self) -> None:
        for w in self.workers:
            w.age = min(w.age + 1, MAX_AGE - 1)

    def snapshot(self) -> Cohort:
        ws = sorted(self.workers, key=lambda w: w.id)
        return Cohort(**{k: np.array([getattr(w, k) for w in ws], dtype=dt)
                         for k, dt in FIELDS.items()})
