"""Collaborative international recruitment (BSol, SSOT, BLMK).

Mechanism: a system-wide campaign recruits registered staff from abroad each year into
vacancies, with a lag for visas, registration and travel, and pastoral support that lowers
early leaving (seeds: bsol_workforce_framework, growth "increasingly ... from international
recruitment (163% increase since 17/18)"; ssot_workforce_update_2022, 4.5.i; blmk "Collaborative
International recruitment", "IR Career Coach").

Assumptions: 100 nurses a year; 26 weeks from offer to start; GBP 12,000 per recruit (OSCE,
visa, travel, accommodation); a year of pastoral support that cuts leaving by 30%.

Drawn from: abroad, within policy: none into a (sector, role) whose overseas route is closed; the
recruits are tied to their sponsor like every overseas recruit.
What emerges (not inputs): how many recruits find a post (only open posts are filled), how many
of them add to staff in post rather than taking posts other applicants would have filled,
their retention, the effect on the other sectors, and the cost per FTE-year gained.
"""
from __future__ import annotations

from sim.programmes.base import (
    AgeRange,
    HireWeeks,
    NonNegative,
    PerYear,
    Programme,
    RecruitingParams,
    SupportWeeks,
)


class InternationalRecruitmentParams(RecruitingParams):
    sectors: list[str] = ["acute", "community"]
    roles: list[str] = ["nurse"]
    recruits_per_year: PerYear = 100.0
    time_to_hire_weeks: HireWeeks = 26
    age_range: AgeRange = (24, 40)
    cost_per_recruit_gbp: NonNegative = 12_000.0
    support_weeks: SupportWeeks = 52
    support_leave_multiplier: NonNegative = 0.7


class InternationalRecruitment(Programme):
    Params = InternationalRecruitmentParams
    assumed = ("recruits_per_year", "time_to_hire_weeks", "cost_per_recruit_gbp", "support_weeks",
               "support_leave_multiplier")
    routes = {"international_recruitment": "international"}

    def __init__(self, name, params, model):
        super().__init__(name, params, model)
        self.support = {"international_recruitment": (params.support_weeks,
                                                      params.support_leave_multiplier)}
        self._hired = 0

    def recruit(self, week):
        prm = self.params
        hires = self.hire(self.weekly_count(prm.recruits_per_year, week), week,
                          "international_recruitment", lag=prm.time_to_hire_weeks,
                          age_range=prm.age_range, deprived_share=0.0)
        self._hired = 0 if hires is None else len(hires)
        return hires

    def weekly_cost(self, week):
        return self._hired * self.params.cost_per_recruit_gbp


PROGRAMME = InternationalRecruitment
