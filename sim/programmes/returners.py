"""Returners: Come Back to Care, Retire and Return, 'we miss you' cards (SSOT, CPA summit).

Mechanism: campaigns bring former staff and retirees back into vacancies, often on fewer hours
(seed ssot_workforce_update_2022, 4.5.g: "'Come Back to Care' campaign ... to attract those who
previously left care"; cpa_nhse_learning_summit_2023: "'We miss you' cards to send to valued
ex-staff to encourage them to return").

Assumptions: 60 extra returners a year into social care and NHS community and acute support and
nursing roles; 60% of the usual hours; 8 weeks to return (refresher, checks); ages 40-66; GBP
1,500 per returner (campaign and return-to-practice support).

Drawn from: the pool of former staff (the people who actually left for another industry), no
more than it holds.
What emerges (not inputs): how many recruits find a post (only open posts are filled), how many
of them add to staff in post rather than taking posts other applicants would have filled,
their retention, the effect on the other sectors, and the cost per FTE-year gained.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.programmes.base import AgeRange, HireWeeks, NonNegative, PerYear, Programme, RecruitingParams


class ReturnersParams(RecruitingParams):
    sectors: list[str] = ["social_care", "community", "acute"]
    roles: list[str] = ["support", "nurse"]
    returners_per_year: PerYear = 60.0
    fte_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 0.6
    time_to_hire_weeks: HireWeeks = 8
    age_range: AgeRange = (40, 66)
    cost_per_recruit_gbp: NonNegative = 1_500.0   # per returner


class Returners(Programme):
    Params = ReturnersParams
    assumed = ("returners_per_year", "fte_factor", "time_to_hire_weeks", "cost_per_recruit_gbp")
    routes = {"returners_programme": "returners"}

    def __init__(self, name, params, model):
        super().__init__(name, params, model)
        self._hired = 0

    def recruit(self, week):
        prm = self.params
        hires = self.hire(self.weekly_count(prm.returners_per_year, week), week, "returners_programme",
                          lag=prm.time_to_hire_weeks, age_range=prm.age_range, fte_factor=prm.fte_factor)
        self._hired = 0 if hires is None else len(hires)
        return hires

    def weekly_cost(self, week):
        return self._hired * self.params.cost_per_recruit_gbp


PROGRAMME = Returners
