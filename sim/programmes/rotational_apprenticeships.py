"""Rotational apprenticeships across health and social care (BLMK, SSOT, Somerset, Lincolnshire).

Mechanism: each year a cohort of apprentices starts (in September); they rotate across health
and social care placements for the length of the programme, supernumerary, and those who
complete choose a sector and join it in a support role (seeds: blmk "Launch rotational
apprenticeships across health & social care"; ssot 4.10.3 "System wide rotational HCSW
apprenticeship programme ongoing with 3 cohorts"; cpa_nhse_learning_summit_2023, Lincolnshire:
nursing associates rotating "around the whole system", many continuing in social care).

Assumptions: 30 apprentices a year; 52 weeks; 75% complete; sector choice acute 30%, community
20%, primary 10%, social care 40% (placements expose them to social care); a first half-year of
continued mentoring cuts leaving by 30%; GBP 8,000 per apprentice (training and rotation
coordination, spread over the programme).

Drawn from: its own apprentices, trained by the programme (not the graduates' pool).
What emerges (not inputs): how many recruits find a post (only open posts are filled), how many
of them add to staff in post rather than taking posts other applicants would have filled,
their retention, the effect on the other sectors, and the cost per FTE-year gained.
"""
from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from sim.codes import SECTORS, WEEKS_PER_YEAR
from sim.programmes.base import AgeRange, NonNegative, Programme, ProgrammeParams, Rate
from sim.rng import uniforms
from sim.workers import Cohort

STREAM_COMPLETE = 121
STREAM_CHOICE = 122


class RotationalApprenticeshipsParams(ProgrammeParams):
    sectors: list[str] = ["acute", "community", "primary", "social_care"]
    roles: list[str] = ["support"]
    # an intake's apprentices are numbered within 12 bits of their ids (see `recruit`)
    apprentices_per_year: Annotated[int, Field(ge=0, le=4095)] = 30
    intake_week_of_year: Annotated[int, Field(ge=0, le=51)] = 22   # September, from 1 April
    duration_weeks: Annotated[int, Field(ge=1, le=260)] = 52
    completion: Rate = 0.75
    sector_choice: dict[str, NonNegative] = {"acute": 0.3, "community": 0.2, "primary": 0.1,
                                             "social_care": 0.4}
    age_range: AgeRange = (16, 30)
    support_weeks: Annotated[int, Field(ge=0, le=520)] = 26
    support_leave_multiplier: NonNegative = 0.7
    cost_per_apprentice_gbp: NonNegative = 8_000.0

    @model_validator(mode="after")
    def _choice(self):
        if sum(self.sector_choice.values()) <= 0:
            raise ValueError("sector_choice needs a positive share for at least one sector")
        return self


class RotationalApprenticeships(Programme):
    Params = RotationalApprenticeshipsParams
    assumed = ("apprentices_per_year", "duration_weeks", "completion", "sector_choice",
               "support_leave_multiplier", "cost_per_apprentice_gbp")
    routes = {"rotational_apprenticeship": "education"}

    def __init__(self, name, params, model):
        super().__init__(name, params, model)
        bad = [s for s in params.sector_choice if s not in params.sectors]
        if bad:
            raise ValueError(f"sector_choice names sectors not targeted: {bad}")
        self.support = {"rotational_apprenticeship": (params.support_weeks,
                                                      params.support_leave_multiplier)}
        self.choice = np.array([params.sector_choice.get(s, 0.0) for s in SECTORS])
        self.choice = self.choice / max(self.choice.sum(), 1e-12)
        self.in_training: list[tuple[int, int]] = []  # (intake week, apprentices)

    def recruit(self, week):
        prm, p = self.params, self.model.params
        if week % WEEKS_PER_YEAR == prm.intake_week_of_year:
            self.in_training.append((week, prm.apprentices_per_year))
        done = [c for c in self.in_training if week - c[0] == prm.duration_weeks]
        self.in_training = [c for c in self.in_training if week - c[0] < prm.duration_weeks]
        parts = []
        for intake, n in done:
            keys = (np.uint64(self.channel) << np.uint64(32)) + np.uint64(intake << 12) + np.arange(
                n, dtype=np.uint64)
            complete = uniforms(p.seed, week, keys, STREAM_COMPLETE) < prm.completion
            sector = np.searchsorted(np.cumsum(self.choice), uniforms(p.seed, week, keys, STREAM_CHOICE),
                                     side="right")
            for s in range(len(SECTORS)):
                n_s = int((complete & (sector == s)).sum())
                mask = self.cell_mask() & (p.employer_sector == s)[:, None]
                hires = self.hire(n_s, week, "rotational_apprenticeship", stream=STREAM_CHOICE + 1 + s,
                                  mask=mask, k_offset=s << 12, lag=1, age_range=prm.age_range)
                if hires is not None:
                    parts.append(hires)
        return Cohort.concat(parts) if parts else None

    def weekly_cost(self, week):
        training = sum(n for _, n in self.in_training)
        return training * self.params.cost_per_apprentice_gbp / self.params.duration_weeks


PROGRAMME = RotationalApprenticeships
