"""Validated configuration: the schema every run is checked against before it starts.

Hydra composes the YAML files in `configs/`; this module turns the result into typed,
range-checked objects. An unknown key, a wrong type or an out-of-range value raises
`ConfigError` naming the dotted key and the bad value.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.codes import ROUTES, SECTORS

Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Weeks = Annotated[int, Field(ge=0, le=520)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong type or out of range."""


class Calibration(Strict):
    """Factors fitted by `sim.calibrate` so that the first simulated year hits the targets."""

    leave: Positive = 1.0
    sickness: Positive = 1.0
    fill: Positive = 1.0


class HireRoutes(Strict):
    """Shares of external hires by route in (normalised; zero shares are allowed)."""

    education: NonNegative = 0.0
    international: NonNegative = 0.0
    local_labour: NonNegative = 0.0
    returners: NonNegative = 0.0

    def shares(self) -> list[float]:
        values = [getattr(self, r) for r in ROUTES]
        total = sum(values)
        if total <= 0:
            raise ValueError("hire_routes must have at least one positive share")
        return [v / total for v in values]


class RoleSpec(Strict):
    """One role in one sector: its size and the rates observed for it (the targets)."""

    headcount: Annotated[int, Field(ge=0)]
    mean_fte: Annotated[float, Field(gt=0.0, le=1.0)]
    pay_gbp: Positive
    turnover: Rate
    vacancy: Annotated[float, Field(ge=0.0, lt=1.0)]
    sickness: Annotated[float, Field(ge=0.0, lt=1.0)]
    mean_age: Annotated[float, Field(ge=18.0, le=67.0)]
    share_over_55: Rate
    hire_routes: HireRoutes
    calibration: Calibration = Calibration()


class Destinations(Strict):
    """Where leavers who are not retiring go, as shares (normalised)."""

    same_sector: NonNegative
    other_sectors: NonNegative
    other_industry: NonNegative
    left_area: NonNegative


class SectorSpec(Strict):
    employers: Annotated[int, Field(ge=1, le=30000)]
    employer_size_skew: Annotated[float, Field(ge=0.0, le=3.0)]
    establishment_growth: Annotated[float, Field(ge=-0.5, le=0.5)]
    winter_surge: Annotated[float, Field(ge=0.0, le=1.0)]
    pay_award: Annotated[float, Field(ge=-0.5, le=0.5)]
    bank_share_of_gap: Rate
    agency_share_of_gap: Rate
    bank_premium: Positive
    agency_premium: Positive
    agency_cap_fte_share: Rate | None = None
    flexible_grant_rate: Rate
    destinations: Destinations
    roles: dict[str, RoleSpec]


class Training(Strict):
    """Newly qualified supply for one role: a lagged pipeline of trainees."""

    intake_per_year: NonNegative
    course_years: Annotated[int, Field(ge=1, le=7)]
    completion: Rate
    qualify_week: Annotated[int, Field(ge=0, le=51)]


class SystemConfig(Strict):
    name: str
    population: Annotated[int, Field(ge=1)]
    start_date: dt.date
    deprived_share: Rate
    sectors: dict[str, SectorSpec]
    training: dict[str, Training] = {}

    @model_validator(mode="after")
    def _check(self) -> SystemConfig:
        unknown = set(self.sectors) - set(SECTORS)
        if unknown:
            raise ValueError(f"unknown sector(s) {sorted(unknown)}; sectors are {list(SECTORS)}")
        for s, spec in self.sectors.items():
            for r, role in spec.roles.items():
                try:
                    role.hire_routes.shares()
                except ValueError as err:
                    raise ValueError(f"sectors.{s}.roles.{r}: {err}") from None
        unknown_training = set(self.training) - set(self.roles)
        if unknown_training:
            raise ValueError(f"training names role(s) {sorted(unknown_training)} that no sector employs")
        return self

    @property
    def roles(self) -> list[str]:
        """Every role employed in some sector, in first-seen order."""
        seen: dict[str, None] = {}
        for spec in self.sectors.values():
            for r in spec.roles:
                seen.setdefault(r, None)
        return list(seen)


class Burnout(Strict):
    """Burnout (0..1) moves each week by rise * stress - recovery * burnout + noise."""

    rise: Rate
    recovery: Rate
    noise: Rate
    base_stress: Annotated[float, Field(ge=0.0, le=2.0)]
    pressure_weight: NonNegative
    unmet_flex_weight: NonNegative


class Sickness(Strict):
    episode_end_rate: Annotated[float, Field(gt=0.0, le=1.0)]
    burnout_weight: NonNegative


class Leaving(Strict):
    burnout_weight: NonNegative
    unmet_flex_multiplier: Annotated[float, Field(ge=1.0)]
    first_year_multiplier: Annotated[float, Field(ge=1.0)]
    pay_sensitivity: NonNegative
    retirement_by_age: dict[int, Rate]

    @model_validator(mode="after")
    def _ages(self) -> Leaving:
        bad = [a for a in self.retirement_by_age if not 18 <= a <= 100]
        if bad:
            raise ValueError(f"retirement_by_age has ages outside 18..100: {bad}")
        return self


class Mobility(Strict):
    pay_pull: NonNegative
    pressure_push: NonNegative


class FlexibleWorking(Strict):
    share_met: Rate
    share_unmet: Rate
    wish_rate: Rate
    lapse_rate: Rate


class Recruitment(Strict):
    time_to_hire_weeks: dict[str, Weeks]
    age_range: dict[str, tuple[int, int]]
    returner_fte_factor: Annotated[float, Field(gt=0.0, le=1.0)]
    pay_elasticity: NonNegative

    @model_validator(mode="after")
    def _routes(self) -> Recruitment:
        for name in ("time_to_hire_weeks", "age_range"):
            missing = set(ROUTES) - set(getattr(self, name))
            extra = set(getattr(self, name)) - set(ROUTES)
            if missing or extra:
                raise ValueError(f"{name} must have exactly the routes {list(ROUTES)}")
        for route, (lo, hi) in self.age_range.items():
            if not 16 <= lo < hi <= 75:
                raise ValueError(f"age_range.{route} must satisfy 16 <= low < high <= 75")
        return self


class Behaviour(Strict):
    burnout: Burnout
    sickness: Sickness
    leaving: Leaving
    mobility: Mobility
    flexible_working: FlexibleWorking
    recruitment: Recruitment


class RunConfig(Strict):
    years: Annotated[int, Field(ge=1, le=100)]
    seed: Annotated[int, Field(ge=0, lt=2**63)]
    scale: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    threads: Annotated[int, Field(ge=0, le=1024)] = 0
    progress: bool = True
    engine: str = "kernels"
    system: SystemConfig
    behaviour: Behaviour
    # Programmes by name, each with its own typed parameters (checked by sim.programmes.parse_params).
    intervention: dict[str, dict[str, Any] | None] = {}

    @model_validator(mode="after")
    def _engine(self) -> RunConfig:
        if self.engine not in ("kernels", "reference"):
            raise ValueError("engine must be 'kernels' or 'reference'")
        return self


def error_lines(err: ValidationError, prefix: tuple[str, ...] = (),
                unknown: str = "unknown key") -> list[str]:
    """One line per problem, naming the dotted key (under `prefix`) and the bad value."""
    lines = []
    for e in err.errors():
        key = ".".join([*prefix, *(str(p) for p in e["loc"])]) or "(top level)"
        if isinstance(e.get("input"), dict) and e["type"] == "value_error":
            lines.append(f"{key}: {e['msg'].removeprefix('Value error, ')}")  # a cross-field check
        elif e["type"] == "extra_forbidden":
            lines.append(f"{key}: {unknown} (value {e['input']!r})")
        else:
            lines.append(f"{key} = {e.get('input')!r}: {e['msg']}")
    return lines


def _format(err: ValidationError) -> str:
    return "invalid configuration:\n  " + "\n  ".join(error_lines(err))


def validate(raw: dict[str, Any]) -> RunConfig:
    """Check a plain dict (e.g. from `OmegaConf.to_container`) against the schema. Programmes'
    own parameters are checked by `sim.programmes.parse_params` (see `sim.configuration`)."""
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_format(err)) from None
