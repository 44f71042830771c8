"""The system's schema: an ICS's sectors and employers, each (sector, role)'s size and observed
rates, the training pipelines, the labour market (local pool, overseas closures and quotas,
sponsorship) and the career routes between roles."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, model_validator

from sim.codes import ROUTES, SECTORS
from sim.schema.types import (
    MAX_CAREER_ROUTES,
    MAX_ROLES,
    Intake,
    NonNegative,
    Pay,
    Rate,
    Share,
    Strict,
)


class Calibration(Strict):
    """Factors fitted by `sim.system.calibrate` so that the steady state hits the targets."""

    # factors on first-guess rates: fits give 0.2-6; beyond 1,000 the rate is at its ceiling
    leave: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    sickness: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    fill: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    # factor on the target vacancy that sets the funded posts at the start: staff in post fall
    # and rise within a year (retirements after the year's birthdays, graduates in the autumn),
    # so the first year's mean vacancy is not the first week's; fitted to the first years
    start_vacancy: Annotated[float, Field(gt=0.0, le=5.0)] = 1.0
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
    # share aged under 25 (unset: not a target; local recruits' ages are then one range)
    share_under_25: Rate | None = None
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
