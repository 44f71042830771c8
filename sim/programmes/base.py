"""What every programme shares: typed parameters, the hooks the model calls, what a programme
may see of the model (`ModelView`), and the helpers to place its recruits into vacancies.

A programme is one module in `sim/programmes/` defining a `Programme` subclass, named in the
module's `PROGRAMME`, and one `configs/intervention/<module>.yaml`. Its random-number channel
comes from `sim.programmes.registry`. The model calls, each week the programme is active, the
hooks it overrides (their place in the week: `sim.model.PHASES`):

- `adjust(levers, week)`  move this week's levers (`sim.levers.Levers`: leave multipliers,
  flexible-working grant rate, burnout rise/recovery, fill rate, bank/agency/hub cover, pay
  scales); sector-wide levers (flexible working, burnout, cover) act on whole sectors, while
  recruits, leave multipliers and costs follow the full targeting (sectors, roles, employers);
- `recruit(week)`         return a cohort of recruits through the programme's own routes;
- `weekly_cost(week)`     GBP spent this week;

and, every week whether active or not, `after_departures(dep, week)`: see who left (e.g. to keep
a record of turnover hotspots). A programme acts only through these hooks and levers: it never
writes the model's state. An inactive programme must not move a lever nor draw a random number,
so a programme whose start_week is after the horizon gives output identical to the baseline.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar, Protocol

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from sim.codes import FTE_UNIT, SECTORS, WEEKS_PER_YEAR
from sim.employer_phases import open_posts_fte
from sim.levers import Levers
from sim.population import new_hires
from sim.programmes.registry import channel_of
from sim.rng import uniforms
from sim.workers import Cohort

if TYPE_CHECKING:
    from sim.employer_phases import EmployerState
    from sim.params import Params

def _ages(pair: tuple[int, int]) -> tuple[int, int]:
    lo, hi = pair
    if not 16 <= lo <= hi <= 75:
        raise ValueError(f"ages ({lo}, {hi}) must satisfy 16 <= low <= high <= 75 (working ages)")
    return pair


# Money, counts and multipliers: finite (inf and nan are refused), and at most 10^9 so that a
# programme's costs over a run add up to a finite number.
NonNegative = Annotated[float, Field(ge=0.0, le=1e9)]
# People brought in a year: England's largest programme (international nurse recruitment) brings
# ~20,000; every recruit is a row of the worker table.
PerYear = Annotated[float, Field(ge=0.0, le=100_000.0)]
AgeRange = Annotated[tuple[int, int], AfterValidator(_ages)]
HireWeeks = Annotated[int, Field(ge=1, le=104)]       # from offer to start
SupportWeeks = Annotated[int, Field(ge=0, le=520)]    # in-role support after starting
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
STREAM_PLACE = 101  # draw streams of programmes start here, away from the model's own


class ProgrammeParams(BaseModel):
    """Parameters every programme has. Unknown or misspelt keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    start_week: Annotated[int, Field(ge=0)] = 0
    end_week: Annotated[int, Field(ge=0)] | None = None  # None: to the end of the run
    sectors: list[str]
    roles: list[str]
    # Employer indices (0-based, as in the model's employer agents) to restrict to; None: all
    # employers of the targeted sectors.
    employers: list[Annotated[int, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _check(self):
        if self.end_week is not None and self.end_week < self.start_week:
            raise ValueError(f"end_week ({self.end_week}) is before start_week ({self.start_week})")
        bad = [s for s in self.sectors if s not in SECTORS]
        if bad:
            raise ValueError(f"unknown sector(s) {bad}; sectors are {list(SECTORS)}")
        return self


@dataclass
class Departures:
    """Who left an employer this week, as they were (sector, role, employer), and where they
    went (codes.DESTINATIONS: a sector is a move to another employer of the system)."""

    sector: np.ndarray
    role: np.ndarray
    employer: np.ndarray
    dest: np.ndarray


class ModelView(Protocol):
    """What a programme may see of the model (`sim.model.WorkforceModel` is one). Read only."""

    params: Params                 # the run's arrays (sim.params)
    state: EmployerState           # stocks and money per (employer, role), this week
    route_code: dict[str, int]     # route name -> code (programmes' own routes included)

    def snapshot(self) -> Cohort: ...                      # every worker in post, by id
    def locate(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...  # in post?, employer


class RecruitingParams(ProgrammeParams):
    """What every programme that brings people in has: their time to start, ages, in-role
    support and a cost per recruit (each programme sets its own defaults)."""

    time_to_hire_weeks: HireWeeks = 8
    age_range: AgeRange = (18, 60)
    support_weeks: SupportWeeks = 0
    support_leave_multiplier: NonNegative = 1.0
    cost_per_recruit_gbp: NonNegative = 0.0


class Programme:
    """Base class. Subclasses set `Params` and `routes` (route name -> flow source node) if they
    recruit; `channel` (1..62, from the registry) keys their recruits' ids and their draws."""

    Params: ClassVar[type[ProgrammeParams]] = ProgrammeParams
    # Parameters whose values are assumptions (no figure in the seed papers): reported with the
    # programme's results, so a reader knows which inputs its effect rests on.
    assumed: ClassVar[tuple[str, ...]] = ()
    routes: ClassVar[dict[str, str]] = {}
    # In-role support: route name -> (weeks, leave hazard multiplier during them).
    support: ClassVar[dict[str, tuple[int, float]]] = {}

    def __init__(self, name: str, params: ProgrammeParams, model: ModelView):
        self.name = name
        self.params = params
        self.model = model
        self.channel = channel_of(name)
        p = model.params
        unknown_roles = [r for r in params.roles if r not in p.roles]
        if unknown_roles:
            raise ValueError(f"roles {unknown_roles} are not roles of this system ({p.roles})")
        self.sector_idx = np.array([SECTORS.index(s) for s in params.sectors], np.int64)
        if params.employers is not None and max(params.employers, default=-1) >= p.n_employers:
            raise ValueError(f"employers must be below {p.n_employers} (the number of employers)")
        self.role_idx = np.array([p.roles.index(r) for r in params.roles], np.int64)
        self.recruits = 0  # people brought in so far (reported)
        self._cell_mask: np.ndarray | None = None

    # --- hooks -------------------------------------------------------------------------
    def active(self, week: int) -> bool:
        end = self.params.end_week
        return self.params.start_week <= week and (end is None or week < end)

    def adjust(self, levers: Levers, week: int) -> None:
        pass

    def recruit(self, week: int) -> Cohort | None:
        return None

    def weekly_cost(self, week: int) -> float:
        return 0.0

    def after_departures(self, dep, week: int) -> None:
        """Called every week, active or not: look, don't act."""

    # --- helpers -----------------------------------------------------------------------
    def cell_mask(self) -> np.ndarray:
        """[E, R] True for the (employer, role) cells the programme targets (read-only: it is
        made once, and asked for every week)."""
        mask = self._cell_mask
        if mask is None:
            p = self.model.params
            mask = np.zeros((p.n_employers, p.n_roles), bool)
            emp = np.isin(p.employer_sector, self.sector_idx)
            if self.params.employers is not None:
                emp &= np.isin(np.arange(p.n_employers), self.params.employers)
            mask[np.ix_(emp, self.role_idx)] = True
            mask &= p.employs[p.employer_sector]
            mask.flags.writeable = False
            self._cell_mask = mask
        return mask

    def weekly_count(self, per_year: float, week: int) -> int:
        """Deterministic whole numbers per week that add up to per_year a year."""
        rate = per_year / WEEKS_PER_YEAR
        w = week - self.params.start_week
        return int(np.floor(rate * (w + 1)) - np.floor(rate * w))

    def place(self, n: int, week: int, stream: int = STREAM_PLACE, mask: np.ndarray | None = None):
        """Choose (employer, role) cells for n recruits in proportion to their open vacancies
        (vacant FTE not already offered), among the targeted cells; returns employer, role and
        the index k of each recruit within its cell this week. No more than the whole posts
        open: fewer than n if there are not enough vacancies, none if there are none."""
        st, p = self.model.state, self.model.params
        vac = np.where(self.cell_mask() if mask is None else mask, open_posts_fte(st), 0.0).ravel()
        posts = vac / np.maximum(p.mean_fte_units[p.employer_sector].ravel() / FTE_UNIT, 1e-9)
        n = min(n, int(np.floor(posts.sum() + 1e-9)))
        if n <= 0 or vac.sum() <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
        keys = (np.uint64(self.channel) << np.uint64(32)) + np.arange(n, dtype=np.uint64)
        u = uniforms(p.seed, week, keys, stream)
        cells = np.searchsorted(np.cumsum(vac) / vac.sum(), u, side="right")
        cells = np.minimum(cells, len(vac) - 1)
        order = np.argsort(cells, kind="stable")
        cells = cells[order]
        k = np.arange(n) - np.searchsorted(cells, cells, side="left")
        return cells // p.n_roles, cells % p.n_roles, k

    def hire(self, n: int, week: int, route: str, *, stream: int = STREAM_PLACE,
             mask: np.ndarray | None = None, k_offset: int = 0, **kwargs) -> Cohort | None:
        """Place n recruits into vacancies (see `place`) and make them hires through the
        programme's `route`; `kwargs` go to `sim.population.new_hires` (lag, age_range,
        deprived_share, fte_factor). `k_offset` keeps ids distinct when one programme hires
        into the same cell twice in a week (e.g. through two routes)."""
        employer, role, k = self.place(n, week, stream, mask)
        if not len(employer):
            return None
        code = np.full(len(employer), self.model.route_code[route])
        return new_hires(self.model.params, week, employer, role, k + k_offset, route=code,
                         channel=self.channel, **kwargs)
