"""Journey to Work (Staffordshire and Stoke-on-Trent).

Mechanism: a pipeline into entry roles with three routes (seed ssot_workforce_update_2022,
4.10.8: "those in education, those either in other careers or unemployed and those from seldom
heard communities who need additional support to become ready for work"). Each route enrols
participants every week; each participant converts into a job with the route's conversion
rate, after the route's lag (course, pre-employment support), into a vacancy of the targeted
sectors.

The seed gives no numbers: participants, conversion rates, lags, deprived shares and costs are
assumptions, stated per route below.

Drawn from: its own participants (people the programme brings to health and care work); those
in its education route are trained by the programme, not taken from the graduates' pool.
What emerges (not inputs): how many recruits find a post (only open posts are filled), how many
of them add to staff in post rather than taking posts other applicants would have filled,
their retention, the effect on the other sectors, and the cost per FTE-year gained.
"""
from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.programmes.base import AgeRange, NonNegative, PerYear, Programme, ProgrammeParams, Rate
from sim.rng import uniforms
from sim.workers import Cohort

STREAM_CONVERT = 111


class Route(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    participants_per_year: PerYear
    conversion: Rate
    lag_weeks: Annotated[int, Field(ge=1, le=260)]
    deprived_share: Rate
    age_range: AgeRange
    cost_per_participant_gbp: NonNegative


class JourneyToWorkParams(ProgrammeParams):
    sectors: list[str] = ["acute", "community", "primary", "social_care"]
    roles: list[str] = ["support"]
    education: Route = Route(participants_per_year=300, conversion=0.10, lag_weeks=52,
                             deprived_share=0.3, age_range=(16, 24), cost_per_participant_gbp=100)
    career_changers: Route = Route(participants_per_year=150, conversion=0.30, lag_weeks=13,
                                   deprived_share=0.35, age_range=(25, 60),
                                   cost_per_participant_gbp=400)
    seldom_heard: Route = Route(participants_per_year=60, conversion=0.25, lag_weeks=26,
                                deprived_share=0.8, age_range=(20, 55),
                                cost_per_participant_gbp=1_500)


ROUTES = ("education", "career_changers", "seldom_heard")


class JourneyToWork(Programme):
    Params = JourneyToWorkParams
    assumed = ("education", "career_changers", "seldom_heard")
    routes = {"jtw_education": "education", "jtw_career_changers": "local_labour",
              "jtw_seldom_heard": "local_labour"}

    def __init__(self, name, params, model):
        super().__init__(name, params, model)
        self._enrolled = np.zeros(len(ROUTES), np.int64)

    def recruit(self, week):
        p = self.model.params
        parts = []
        for i, route_name in enumerate(ROUTES):
            r = getattr(self.params, route_name)
            n = self.weekly_count(r.participants_per_year, week)
            self._enrolled[i] = n
            if n == 0:
                continue
            keys = (np.uint64(self.channel) << np.uint64(32)) + np.uint64(i << 20) + np.arange(
                n, dtype=np.uint64)
            converts = int((uniforms(p.seed, week, keys, STREAM_CONVERT) < r.conversion).sum())
            hires = self.hire(converts, week, f"jtw_{route_name}", stream=STREAM_CONVERT + 1 + i,
                              k_offset=i << 12, lag=r.lag_weeks, age_range=r.age_range,
                              deprived_share=r.deprived_share)
            if hires is not None:
                parts.append(hires)
        return Cohort.concat(parts) if parts else None

    def weekly_cost(self, week):
        return float(sum(self._enrolled[i] * getattr(self.params, r).cost_per_participant_gbp
                         for i, r in enumerate(ROUTES)))


PROGRAMME = JourneyToWork
