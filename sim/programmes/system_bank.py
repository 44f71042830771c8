"""System bank and reservists: the People Hub (Staffordshire and Stoke-on-Trent).

Mechanism: a shared pool of bank workers and reservists registered with the ICS fills gaps
across employers after their own bank and before agency, at bank rates (seed
ssot_workforce_update_2022, 4.4.2: "775 people are registered ... 1832 hours and 268 shifts
worked across the system" in one week; cpa_nhse_learning_summit_2023: reservists, the Social
Care Hub "unlike agency fees"). In winter the pool is escalated (more shifts offered at
escalated rates, seed 2.2: "introduction of complete escalation rates").

Defaults: a pool of 50 FTE (1,832 hours a week / 37.5 hours); the hub can reach half of the gap
employers' own bank leaves; in winter the pool grows by 30% at a 20% higher rate (assumptions);
GBP 300,000 a year to run the hub (assumption).
"""
from __future__ import annotations

from sim.codes import WEEKS_PER_YEAR
from sim.params import winter_factor
from sim.programmes.base import NonNegative, Programme, ProgrammeParams, Rate


class SystemBankParams(ProgrammeParams):
    sectors: list[str] = ["acute", "community", "primary", "social_care"]
    roles: list[str] = ["nurse", "ahp", "doctor", "support"]
    pool_fte: NonNegative = 1832 / 37.5
    reach: Rate = 0.5
    pay_premium: NonNegative = 1.05          # on-costs over substantive pay
    winter_pool_uplift: NonNegative = 0.30
    winter_pay_uplift: NonNegative = 0.20
    running_cost_gbp_per_year: NonNegative = 300_000.0


class SystemBank(Programme):
    Params = SystemBankParams
    assumed = ("reach", "pay_premium", "winter_pool_uplift", "winter_pay_uplift", "running_cost_gbp_per_year")

    def adjust(self, levers, week):
        prm = self.params
        winter = winter_factor(self.model.params, week) > 0.5
        levers.hub_share[self.sector_idx] = prm.reach
        levers.hub_fte = prm.pool_fte * (1.0 + prm.winter_pool_uplift * winter)
        levers.hub_premium = prm.pay_premium * (1.0 + prm.winter_pay_uplift * winter)

    def weekly_cost(self, week):
        # The hub's shifts are paid through the bank cost recorded by the cover phase.
        return self.params.running_cost_gbp_per_year / WEEKS_PER_YEAR


PROGRAMME = SystemBank
