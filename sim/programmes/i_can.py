"""I Can (Birmingham and Solihull anchor-institution programme).

Mechanism: entry-level (Band 2/3 support) jobs for unemployed and young people from
economically disadvantaged areas, ~100 a year for 3 years (seed bsol_workforce_framework:
"deliver 100 entry-level job opportunities each year for 3 years"), across NHS trusts and
primary care. Recruits come from the local labour market, mostly from deprived areas, and are
supported in role for up to 16 weeks (seed: "supported in their new role for up to 16 weeks").

Outcomes the seed reports and the defaults reproduce (tests/test_programmes.py checks them):
>90% of recruits still in post after 6 months ("c90% retention rate for those employed 6+
months"), and a larger share of recruits from deprived areas than the regular route (UHB
"recruited 23% more people from deprived areas into Band 2 roles").

Cost (assumption, no figure in the seed): GBP 2,000 per recruit for engagement, application
support and 16 weeks of in-role support, plus a programme team of GBP 120,000 a year.

Drawn from: the local pool of people available for an entry-level job (sim.pools), which the recruits leave.
What emerges (not inputs): how many recruits find a post (only open posts are filled), how many
of them add to staff in post rather than taking posts other applicants would have filled,
their retention, the effect on the other sectors, and the cost per FTE-year gained.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.codes import WEEKS_PER_YEAR
from sim.programmes.base import (
    AgeRange,
    HireWeeks,
    NonNegative,
    PerYear,
    Programme,
    Rate,
    RecruitingParams,
    SupportWeeks,
)


class ICanParams(RecruitingParams):
    duration_weeks: Annotated[int, Field(ge=0)] = 3 * WEEKS_PER_YEAR  # "for 3 years", from start_week
    sectors: list[str] = ["acute", "community", "primary"]
    roles: list[str] = ["support"]
    recruits_per_year: PerYear = 100.0
    support_weeks: SupportWeeks = 16
    support_leave_multiplier: NonNegative = 0.5   # assumption: halves leaving during support
    deprived_share: Rate = 0.7                    # assumption: "economically disadvantaged areas"
    time_to_hire_weeks: HireWeeks = 8
    age_range: AgeRange = (18, 35)         # "unemployed and young people"
    cost_per_recruit_gbp: NonNegative = 2_000.0
    team_cost_gbp_per_year: NonNegative = 120_000.0


class ICan(Programme):
    Params = ICanParams
    assumed = ("support_leave_multiplier", "deprived_share", "cost_per_recruit_gbp", "team_cost_gbp_per_year")
    routes = {"i_can": "local_labour"}

    def __init__(self, name, params, model):
        super().__init__(name, params, model)
        self.support = {"i_can": (params.support_weeks, params.support_leave_multiplier)}
        self._hired_this_week = 0

    def active(self, week):
        return super().active(week) and week < self.params.start_week + self.params.duration_weeks

    def recruit(self, week):
        prm = self.params
        hires = self.hire(self.weekly_count(prm.recruits_per_year, week), week, "i_can",
                          lag=prm.time_to_hire_weeks, age_range=prm.age_range,
                          deprived_share=prm.deprived_share)
        self._hired_this_week = 0 if hires is None else len(hires)
        return hires

    def weekly_cost(self, week):
        return (self._hired_this_week * self.params.cost_per_recruit_gbp
                + self.params.team_cost_gbp_per_year / WEEKS_PER_YEAR)


PROGRAMME = ICan
