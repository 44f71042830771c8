"""Flexible working (Staffordshire and Stoke-on-Trent, BLMK).

Mechanism: employers grant flexible-working requests more readily, so fewer workers have an
unmet wish, which lowers burnout and leaving (seed ssot_workforce_update_2022, 4.6.3: flexible
working is "the main reason for leavers"; blmk_people_strategy_2023: "Improve flexible
working"). Implemented as a multiplier on the weekly chance that an unmet wish is granted.

Assumptions: the grant rate doubles; GBP 15,000 a year per 1,000 staff covered (flexible-working
leads, rota redesign, e-rostering).
"""
from __future__ import annotations

import numpy as np

from sim.codes import WEEKS_PER_YEAR
from sim.programmes.base import NonNegative, Programme, ProgrammeParams


class FlexibleWorkingParams(ProgrammeParams):
    sectors: list[str] = ["acute", "community", "primary", "social_care"]
    roles: list[str] = ["nurse", "ahp", "doctor", "support"]
    grant_rate_multiplier: NonNegative = 2.0
    cost_per_1000_staff_gbp_per_year: NonNegative = 15_000.0


class FlexibleWorking(Programme):
    Params = FlexibleWorkingParams
    assumed = ("grant_rate_multiplier", "cost_per_1000_staff_gbp_per_year")

    def adjust(self, levers, week):
        levers.flex_grant[self.sector_idx] = np.minimum(
            1.0, levers.flex_grant[self.sector_idx] * self.params.grant_rate_multiplier)

    def weekly_cost(self, week):
        staff = self.model.state.headcount[self.cell_mask()].sum()
        return staff / 1000.0 * self.params.cost_per_1000_staff_gbp_per_year / WEEKS_PER_YEAR


PROGRAMME = FlexibleWorking
