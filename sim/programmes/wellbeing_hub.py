"""Staff wellbeing hub (Staffordshire and Stoke-on-Trent, BLMK).

Mechanism: psychological support and wellbeing offers slow the build-up of burnout and speed
recovery (seed ssot_workforce_update_2022, 4.7.3: the staff psychological wellbeing hub "has now
received more than 550 referrals"; blmk_people_strategy_2023: "BLMK Wellbeing Hub").

Assumptions: burnout builds 5% more slowly and recovers 5% faster across the targeted sectors.
The effect is kept small on purpose: direct psychological support reaches ~1% of staff a year
(550 referrals against a ~55,000 workforce); workshops and apps reach more people but do less.
Referrals at 10 a year per 1,000 staff at GBP 400 each (a short course of psychological support).
"""
from __future__ import annotations

from sim.codes import WEEKS_PER_YEAR
from sim.programmes.base import NonNegative, Programme, ProgrammeParams, Rate


class WellbeingHubParams(ProgrammeParams):
    sectors: list[str] = ["acute", "community", "primary", "social_care"]
    roles: list[str] = ["nurse", "ahp", "doctor", "support"]
    rise_reduction: Rate = 0.05
    recovery_increase: NonNegative = 0.05
    referrals_per_1000_staff_per_year: NonNegative = 10.0
    cost_per_referral_gbp: NonNegative = 400.0


class WellbeingHub(Programme):
    Params = WellbeingHubParams
    assumed = ("rise_reduction", "recovery_increase", "referrals_per_1000_staff_per_year",
               "cost_per_referral_gbp")

    def adjust(self, levers, week):
        levers.b_rise[self.sector_idx] *= 1.0 - self.params.rise_reduction
        levers.b_recovery[self.sector_idx] *= 1.0 + self.params.recovery_increase

    def weekly_cost(self, week):
        staff = self.model.state.headcount[self.cell_mask()].sum()
        referrals = staff / 1000.0 * self.params.referrals_per_1000_staff_per_year / WEEKS_PER_YEAR
        return referrals * self.params.cost_per_referral_gbp


PROGRAMME = WellbeingHub
