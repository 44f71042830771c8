"""Validated configuration: the schema every run is checked against before it starts.

Hydra composes the YAML files in `configs/`; this module turns the result into typed,
range-checked objects. An unknown key, a wrong type or an out-of-range value raises
`ConfigError` naming the dotted key and the bad value.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.codes import ROUTES, SECTORS
from sim.timeline import Change, ScenarioInfo

Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Weeks = Annotated[int, Field(ge=0, le=520)]
# Relative weights (normalised): bounded so that their sum stays a finite number.
Share = Annotated[float, Field(ge=0.0, le=1e6)]
# Multipliers and weights on a weekly hazard or on stress: at 1,000 the rate or the burnout is
# already at its ceiling for anyone affected; larger values only overflow to infinity.
Weight = Annotated[float, Field(ge=0.0, le=1000.0)]
Pay = Annotated[float, Field(ge=1000.0, le=10_000_000.0)]   # GBP a year, full time
Intake = Annotated[float, Field(ge=0.0, le=10_000_000.0)]   # students a year
MAX_ROLES = 16          # a hire's id gives its role 4 bits (sim.population.hire_id)
MAX_EMPLOYERS = 32000   # employer ids are 16-bit (sim.codes.DT_EMPLOYER), after `scale`
MAX_CAREER_ROUTES = 64  # a week's decision is one byte (sim.kernels: CAREER_START + route)


class Strict(BaseModel):
    # inf and nan are refused: no rate, count or weight of the model means anything at infinity
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong type or out of range."""


class Calibration(Strict):
    """Factors fitted by `sim.system.calibrate` so that the steady state hits the targets."""

    # factors on first-guess rates: fits give 0.2-6; beyond 1,000 the rate is at its ceiling
    leave: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    sickness: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    fill: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    # The observed market the pools were sized in (sim.pools): pay, the role's training intake and
    # the competing industries' pay at the fit. A run with other values (a scenario) keeps the
    # pools' propensities and feels the difference; unset: the run's own values.
    reference_pay: Pay | None = None
    reference_intake: Intake | None = None
    reference_competing_pay: Pay | None = None


class HireRoutes(Strict):
    """Observed shares of external hires by route in (normalised; zero shares are allowed). They
    size the pools' applications at the start (sim.pools); after that the mix emerges. Retirees
    who come back are not a share here: how many return is a behaviour (labour_market)."""

    education: Share = 0.0
    international: Share = 0.0
    local_labour: Share = 0.0
    returners: Share = 0.0

    def shares(self) -> list[float]:
        """Shares in the order of codes.ROUTES (retire_return: 0)."""
        values = [getattr(self, r, 0.0) for r in ROUTES]
        total = sum(values)
        if total <= 0:
            raise ValueError("hire_routes must have at least one positive share")
        return [v / total for v in values]


class RoleSpec(Strict):
    """One role in one sector: its size and the rates observed for it (the targets)."""

    # 10^8: more than the population of any health system; `scale` and the memory check do the rest
    headcount: Annotated[int, Field(ge=0, le=100_000_000)]
    mean_fte: Annotated[float, Field(gt=0.0, le=1.0)]
    # full-time annual pay; below GBP 1,000 it is not annual pay (hourly or weekly?)
    pay_gbp: Pay
    turnover: Rate
    # a role 90% vacant is no longer a service: its funded posts (staff / (1 - vacancy)) would
    # be ten times its staff, and hiring towards them would dominate the run
    vacancy: Annotated[float, Field(ge=0.0, le=0.9)]
    sickness: Annotated[float, Field(ge=0.0, lt=1.0)]
    mean_age: Annotated[float, Field(ge=18.0, le=67.0)]
    share_over_55: Rate
    hire_routes: HireRoutes
    # the share of the sector's employers that employ the role, the largest ones (registered
    # nurses in social care work in care homes with nursing); unset: every employer, or for a
    # role with fewer staff than that the largest ones at about three staff each
    employer_share: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    calibration: Calibration = Calibration()


class Destinations(Strict):
    """Where leavers who are not retiring go, as shares (normalised)."""

    same_sector: Share
    other_sectors: Share
    other_industry: Share
    left_area: Share


class SectorSpec(Strict):
    employers: Annotated[int, Field(ge=1, le=30000)]
    employer_size_skew: Annotated[float, Field(ge=0.0, le=3.0)]
    establishment_growth: Annotated[float, Field(ge=-0.5, le=0.5)]
    winter_surge: Annotated[float, Field(ge=0.0, le=1.0)]
    pay_award: Annotated[float, Field(ge=-0.5, le=0.5)]
    bank_share_of_gap: Rate
    agency_share_of_gap: Rate
    # pay multipliers of cover over substantive pay: 100x is beyond any contract
    bank_premium: Annotated[float, Field(gt=0.0, le=100.0)]
    agency_premium: Annotated[float, Field(gt=0.0, le=100.0)]
    agency_cap_fte_share: Rate | None = None
    flexible_grant_rate: Rate
    # applications from abroad while the route is open, times those fitted to the start's hires
    # (a timeline moves it: a surge, a cap, a path down)
    international_arrivals_scale: Annotated[float, Field(ge=0.0, le=100.0)] = 1.0
    destinations: Destinations
    roles: dict[str, RoleSpec]


class Training(Strict):
    """Newly qualified supply for one role: a lagged pipeline of trainees."""

    intake_per_year: Intake   # England's is ~22,000 nurses
    course_years: Annotated[int, Field(ge=1, le=7)]
    completion: Rate
    qualify_week: Annotated[int, Field(ge=0, le=51)]


class LocalLabour(Strict):
    """People living in the area who could take a health or care job (sim.pools)."""

    working_age_share: Rate              # share of the population aged 16-64
    available_share: Rate                # share of them available for an entry-level job at any time
    renewal_per_year: Annotated[float, Field(gt=0.0, le=52.0)]  # how fast hires are replaced in it
    competing_pay_gbp: Pay          # full-time pay of the jobs competing for entry-level staff
    competing_pay_award: Annotated[float, Field(ge=-0.5, le=0.5)]  # a year
    registered_share_of_staff: Rate      # registered roles: qualified people in the area outside
                                         # the system, as a share of the role's staff


class Closure(Strict):
    """An overseas recruitment route closed to new applicants from a date."""

    sectors: list[str]
    roles: list[str]
    closed_from: dt.date
    switching_until: dt.date | None = None   # people already in the country may switch in until then
    switching_pool_years: NonNegative = 0.0  # how many could, in years of arrivals before the closure


class Cap(Strict):
    """At most `per_year` overseas recruits a year into these sectors' roles together (a visa
    quota), in years counted from `capped_from`; recruits beyond it are not hired."""

    sectors: list[str]
    roles: list[str]
    per_year: NonNegative                 # people a year in the system as given (scaled with `scale`)
    capped_from: dt.date
    capped_until: dt.date | None = None   # the last day of the cap (none: to the run's end)


class International(Strict):
    sponsorship_years: Annotated[float, Field(ge=0.0, le=20.0)]  # tied to the sponsoring employer
    closures: list[Closure] = []
    caps: list[Cap] = []


class LabourMarket(Strict):
    local: LocalLabour
    international: International


class CareerRoute(Strict):
    """A change of role, e.g. support worker -> registered nurse by apprenticeship or degree."""

    from_role: str
    to_role: str
    sectors: list[str]
    in_post: bool                                       # trains in post (apprenticeship) or leaves
                                                        # to study (degree)
    years: Annotated[float, Field(gt=0.0, le=7.0)]      # length of the training
    starts_per_year: Annotated[float, Field(ge=0.0, le=0.5)]  # share of eligible workers starting
    completion: Rate
    max_age: Annotated[int, Field(ge=16, le=75)]        # oldest age at which people start


class SystemConfig(Strict):
    name: str
    population: Annotated[int, Field(ge=1)]
    # dates are nanosecond timestamps in the outputs (1677-2262): a 100-year run must end by then
    start_date: Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2150, 12, 31))]
    deprived_share: Rate
    sectors: dict[str, SectorSpec]
    training: dict[str, Training] = {}
    labour_market: LabourMarket
    careers: dict[str, CareerRoute] = {}

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
        if len(self.careers) > MAX_CAREER_ROUTES:
            raise ValueError(f"careers: {len(self.careers)} routes; at most {MAX_CAREER_ROUTES} are "
                             "supported")
        for name, c in self.careers.items():
            bad = [r for r in (c.from_role, c.to_role) if r not in self.roles]
            if bad or c.from_role == c.to_role:
                raise ValueError(f"careers.{name}: from_role and to_role must be two different roles of "
                                 f"the system ({self.roles})")
            if not c.in_post and c.to_role not in self.training:
                raise ValueError(f"careers.{name}: a degree route (in_post: false) needs "
                                 f"training.{c.to_role}")
            unknown = set(c.sectors) - set(SECTORS)
            if unknown:
                raise ValueError(f"careers.{name}.sectors: unknown sector(s) {sorted(unknown)}")
        for i, c in enumerate(self.labour_market.international.closures):
            unknown = set(c.sectors) - set(SECTORS)
            if unknown:
                raise ValueError(f"labour_market.international.closures.{i}.sectors: unknown "
                                 f"{sorted(unknown)}")
            if c.switching_until is not None and c.switching_until < c.closed_from:
                raise ValueError(f"labour_market.international.closures.{i}: switching_until is before "
                                 "closed_from")
        for i, c in enumerate(self.labour_market.international.caps):
            where = f"labour_market.international.caps.{i}"
            unknown = set(c.sectors) - set(SECTORS)
            if unknown:
                raise ValueError(f"{where}.sectors: unknown {sorted(unknown)}")
            if not set(c.roles) & set(self.roles):
                raise ValueError(f"{where}.roles: none of {c.roles} is a role of the system ({self.roles})")
            if c.capped_until is not None and c.capped_until < c.capped_from:
                raise ValueError(f"{where}: capped_until is before capped_from")
        if len(self.roles) > MAX_ROLES:
            raise ValueError(f"{len(self.roles)} roles; at most {MAX_ROLES} (a worker's id keeps 4 bits "
                             "for the role)")
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


class Uncertainty(Strict):
    """What the spread over seeds covers (sim.uncertainty): run-to-run randomness alone, or also
    the behavioural coefficients in `ranges` (keys under `behaviour.`), each seed drawing its own."""

    covers: Literal["seeds", "seeds_and_behaviour"] = "seeds"
    ranges: dict[str, tuple[float, float]] = {}


class RunConfig(Strict):
    years: Annotated[int, Field(ge=1, le=100)]
    seed: Annotated[int, Field(ge=0, lt=2**63)]
    scale: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    threads: Annotated[int, Field(ge=0, le=1024)] = 0
    progress: bool = True
    # weeks between checkpoints of a run (0: none); rerunning the command resumes from the last
    checkpoint_every: Annotated[int, Field(ge=0, le=5200)] = 0
    engine: str = "kernels"
    system: SystemConfig
    behaviour: Behaviour
    # Programmes by name, each with its own typed parameters (checked by sim.programmes.parse_params).
    intervention: dict[str, dict[str, Any] | None] = {}
    # dated changes to the inputs (sim.timeline), and the named scenario they come from if any
    timeline: dict[str, Change] = {}
    scenario: ScenarioInfo | None = None
    uncertainty: Uncertainty = Uncertainty()

    @model_validator(mode="after")
    def _engine(self) -> RunConfig:
        if self.engine not in ("kernels", "reference"):
            raise ValueError("engine must be 'kernels' or 'reference'")
        employers = sum(max(1, round(s.employers * self.scale)) for s in self.system.sectors.values())
        if employers > MAX_EMPLOYERS:
            raise ValueError(f"system.sectors.*.employers x scale gives {employers:,} employers; at most "
                             f"{MAX_EMPLOYERS:,} (employer ids are 16-bit)")
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
