"""The behaviour's schema: how pressure, unmet flexible-working wishes and pay move burnout,
sickness, leaving and moving, how recruits arrive, and how applicants and posts meet."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from sim.codes import ROUTES, SECTORS
from sim.schema.types import NonNegative, Rate, Strict, Weeks, Weight


class Burnout(Strict):
    """Burnout (0..1) moves each week by rise * stress - recovery * burnout + noise."""

    rise: Rate
    # no recovery at all has no equilibrium to start the population at (rise / recovery)
    recovery: Annotated[float, Field(gt=0.0, le=1.0)]
    noise: Rate
    base_stress: Annotated[float, Field(ge=0.0, le=2.0)]
    pressure_weight: Weight
    unmet_flex_weight: Weight


class Sickness(Strict):
    episode_end_rate: Annotated[float, Field(gt=0.0, le=1.0)]
    burnout_weight: Weight


class Leaving(Strict):
    burnout_weight: Weight
    unmet_flex_multiplier: Annotated[float, Field(ge=1.0, le=1000.0)]
    first_year_multiplier: Annotated[float, Field(ge=1.0, le=1000.0)]
    pay_sensitivity: Weight
    retirement_by_age: dict[int, Rate]
    # Leave hazard multiplier from an age on (a step function; 1 before the first age).
    age_multiplier: dict[int, Annotated[float, Field(ge=0.0, le=10.0)]] = {}
    # Leave hazard multiplier by route into the system (codes.ROUTES names; 1 if not given).
    route_multiplier: dict[str, Annotated[float, Field(ge=0.0, le=10.0)]] = {}

    @model_validator(mode="after")
    def _ages(self) -> Leaving:
        for name in ("retirement_by_age", "age_multiplier"):
            bad = [a for a in getattr(self, name) if not 16 <= a <= 100]
            if bad:
                raise ValueError(f"{name} has ages outside 16..100: {bad}")
        unknown = set(self.route_multiplier) - set(ROUTES)
        if unknown:
            raise ValueError(f"route_multiplier: unknown route(s) {sorted(unknown)}; routes are "
                             f"{list(ROUTES)}")
        return self


class Mobility(Strict):
    # weights in an exponent (exp(pay_pull * (relative pay - 1))): at 100 a 5% pay gap already
    # decides every move
    pay_pull: Annotated[float, Field(ge=0.0, le=100.0)]
    pressure_push: Annotated[float, Field(ge=0.0, le=100.0)]


class FlexibleWorking(Strict):
    share_met: Rate
    share_unmet: Rate
    wish_rate: Rate
    lapse_rate: Rate

    @model_validator(mode="after")
    def _shares(self) -> FlexibleWorking:
        if self.share_met + self.share_unmet > 1.0:
            raise ValueError(f"share_met + share_unmet = {self.share_met + self.share_unmet:g}: shares of "
                             "the workforce, at most 1 together")
        return self


AGED_ROUTES = ("education", "international")  # routes whose recruits' ages are given as a range


class Recruitment(Strict):
    time_to_hire_weeks: dict[str, Weeks]
    age_range: dict[str, tuple[int, int]]
    returner_fte_factor: Annotated[float, Field(gt=0.0, le=1.0)]
    retiree_fte_factor: Annotated[float, Field(gt=0.0, le=1.0)]
    pay_elasticity: NonNegative

    @model_validator(mode="after")
    def _routes(self) -> Recruitment:
        for name, routes in (("time_to_hire_weeks", ROUTES), ("age_range", AGED_ROUTES)):
            missing = set(routes) - set(getattr(self, name))
            extra = set(getattr(self, name)) - set(routes)
            if missing or extra:
                raise ValueError(f"{name} must have exactly the routes {list(routes)}")
        for route, (lo, hi) in self.age_range.items():
            if not 16 <= lo < hi <= 75:
                raise ValueError(f"age_range.{route} must satisfy 16 <= low < high <= 75")
        return self


class Matching(Strict):
    """How applicants and open posts meet (sim.pools, sim.matching)."""

    elasticity: Annotated[float, Field(ge=0.0, lt=1.0)]   # hires ~ applicants**e * openings**(1-e)
    acceptance: Annotated[float, Field(gt=0.0, le=1.0)]   # share of applications that end in a hire
                                                          # at the starting vacancy rate
    graduate_drift_per_year: Annotated[float, Field(ge=0.0, le=52.0)]
    former_staff_drift_per_year: Annotated[float, Field(ge=0.0, le=52.0)]
    retiree_drift_per_year: Annotated[float, Field(ge=0.0, le=52.0)]
    # retirees back within a year when posts are open, by the sector they retired from
    retire_return_within_year: dict[str, Annotated[float, Field(ge=0.0, lt=1.0)]]

    @model_validator(mode="after")
    def _sectors(self) -> Matching:
        if set(self.retire_return_within_year) != set(SECTORS):
            raise ValueError(f"retire_return_within_year must give every sector: {list(SECTORS)}")
        return self


class Behaviour(Strict):
    burnout: Burnout
    sickness: Sickness
    leaving: Leaving
    mobility: Mobility
    flexible_working: FlexibleWorking
    recruitment: Recruitment
    matching: Matching
