"""ICS retention coordinators (Staffordshire and Stoke-on-Trent).

Mechanism: a small team works with turnover hotspots (seed ssot_workforce_update_2022, 4.6:
"scoping of the hotspot areas for turnover ... employed a team of people to work directly with
these"; stay discussions, exit interviews, flexible-working arrangements; "3 x Retention
partners"). Every quarter the team takes the (employer, role) cells of the targeted sectors
with the highest recent turnover, until its capacity (coordinators x staff each can cover) is
used, and lowers leaving there.

Assumptions (no figures in the seed): each coordinator covers 1,500 staff; leaving falls by 15%
where they work; GBP 50,000 a year per coordinator (Band 6-7 with on-costs).
"""
from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

from sim.codes import WEEKS_PER_YEAR
from sim.programmes.base import NonNegative, Programme, ProgrammeParams, Rate

REVIEW_WEEKS = 13


class RetentionCoordinatorsParams(ProgrammeParams):
    sectors: list[str] = ["acute", "community", "primary"]
    roles: list[str] = ["nurse", "ahp", "doctor", "support"]
    coordinators: Annotated[int, Field(ge=0, le=1000)] = 3
    staff_per_coordinator: Annotated[int, Field(ge=1)] = 1_500
    leave_reduction: Rate = 0.15
    cost_per_coordinator_gbp_per_year: NonNegative = 50_000.0


class RetentionCoordinators(Programme):
    Params = RetentionCoordinatorsParams
    assumed = ("staff_per_coordinator", "leave_reduction", "cost_per_coordinator_gbp_per_year")

    def __init__(self, name, params, model):
        super().__init__(name, params, model)
        shape = (model.params.n_employers, model.params.n_roles)
        self.hotspots = np.zeros(shape, bool)
        self.recent_leavers = np.zeros(shape)  # leavers per (employer, role), decaying over ~13 weeks

    def after_departures(self, dep, week):
        """Keep the record of recent leavers from the start of the run, so that the team knows
        the hotspots on its first day."""
        self.recent_leavers *= 12.0 / 13.0
        np.add.at(self.recent_leavers, (dep.employer.astype(np.int64), dep.role.astype(np.int64)), 1.0)

    def choose_hotspots(self) -> np.ndarray:
        """Cells with the highest recent turnover, within the team's capacity (in staff)."""
        st = self.model.state
        hc = st.headcount.astype(np.float64)
        eligible = self.cell_mask() & (hc > 0)
        rate = np.where(eligible, self.recent_leavers / np.maximum(hc, 1.0), -1.0).ravel()
        order = np.argsort(-rate, kind="stable")
        capacity = self.params.coordinators * self.params.staff_per_coordinator
        covered = np.cumsum(hc.ravel()[order]) <= capacity
        chosen = np.zeros(rate.shape[0], bool)
        chosen[order[covered & (rate[order] >= 0)]] = True
        return chosen.reshape(hc.shape)

    def adjust(self, levers, week):
        if (week - self.params.start_week) % REVIEW_WEEKS == 0:
            self.hotspots = self.choose_hotspots()
        levers.leave_mult[self.hotspots] *= 1.0 - self.params.leave_reduction

    def weekly_cost(self, week):
        return self.params.coordinators * self.params.cost_per_coordinator_gbp_per_year / WEEKS_PER_YEAR


PROGRAMME = RetentionCoordinators
