"""The labour market's numbers for a run: the config's `system.labour_market`, `system.careers`
and `behaviour.matching` turned into plain arrays (the companion of `sim.params` for the supply
side). Shapes: [S, R] per (sector, role), [C] per career route. Rates given per year in the
config become weekly here; dates become weeks from the start.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import N_SECTORS, SECTORS, WEEKS_PER_YEAR
from sim.config import RunConfig
from sim.rates import annual_to_weekly, per_year_to_weekly, week_of

NEVER = 10**6  # a week that never comes
AGES_FROM_16 = np.arange(16, 76)   # the ages of sim.ages.AGES


@dataclass
class MarketParams:
    # local labour: people living in the area who could take a job
    working_age: float                 # people aged 16-64 (after scaling)
    available_share: float
    local_renewal: float               # weekly share of the gap to its size that the pool makes up
    competing_pay: float               # GBP a year at the start
    competing_award: float             # a year
    arrivals_scale: np.ndarray         # [S] applications from abroad, times those fitted at the start
    registered_share: float            # registered roles: qualified people outside, per staff member
    local_pay_elasticity: float
    # international recruitment
    sponsorship_weeks: int
    closed_week: np.ndarray            # int64 [S, R]: first week the overseas route is closed
    switching_until_week: np.ndarray   # int64 [S, R]: last week people in the country may switch in
    switching_pool_years: np.ndarray   # float64 [S, R]
    # caps on overseas recruits (visa quotas), one entry per cap
    cap_cells: np.ndarray              # bool [N, S, R]: the (sector, role) cells a cap covers
    cap_per_year: np.ndarray           # int64 [N]: recruits a cap year allows (after scaling)
    cap_from_week: np.ndarray          # int64 [N]: its first week; cap years run 52 weeks from it
    cap_until_week: np.ndarray         # int64 [N]: its last week
    # matching
    elasticity: float
    acceptance: float
    graduate_drift: float              # weekly
    former_staff_drift: float
    retiree_drift: float
    retire_return_within_year: np.ndarray   # [S]


@dataclass
class CareerParams:
    """Career routes (a change of role), one entry per route."""

    names: list[str]
    from_role: np.ndarray              # int64 [C]
    to_role: np.ndarray                # int64 [C]
    in_post: np.ndarray                # bool [C]
    weeks: np.ndarray                  # int64 [C]: length of the training
    completion: np.ndarray             # float64 [C]
    max_age: np.ndarray                # int64 [C]
    start_weekly: np.ndarray           # float64 [S, R, C]: weekly chance an eligible worker starts

    @property
    def n(self) -> int:
        return len(self.names)


def build_market(cfg: RunConfig, roles: list[str], scale: float) -> MarketParams:
    sysc, m = cfg.system, cfg.behaviour.matching
    lm = sysc.labour_market
    S, R = N_SECTORS, len(roles)
    closed = np.full((S, R), NEVER, np.int64)
    switching = np.full((S, R), NEVER, np.int64)
    pool_years = np.zeros((S, R))
    for c in lm.international.closures:
        for s in c.sectors:
            for r in c.roles:
                if r not in roles:
                    continue
                i, j = SECTORS.index(s), roles.index(r)
                closed[i, j] = min(closed[i, j], week_of(sysc.start_date, c.closed_from))
                until = c.switching_until
                switching[i, j] = week_of(sysc.start_date, until) if until is not None else closed[i, j]
                pool_years[i, j] = c.switching_pool_years
    caps = lm.international.caps
    cap_cells = np.zeros((len(caps), S, R), bool)
    for n, c in enumerate(caps):
        for s in c.sectors:
            for r in c.roles:
                if r in roles:
                    cap_cells[n, SECTORS.index(s), roles.index(r)] = True
    return MarketParams(
        working_age=sysc.population * scale * lm.local.working_age_share,
        available_share=lm.local.available_share,
        local_renewal=per_year_to_weekly(lm.local.renewal_per_year),
        competing_pay=lm.local.competing_pay_gbp, competing_award=lm.local.competing_pay_award,
        arrivals_scale=np.array([sysc.sectors[s].international_arrivals_scale if s in sysc.sectors else 1.0
                                 for s in SECTORS]),
        registered_share=lm.local.registered_share_of_staff,
        local_pay_elasticity=cfg.behaviour.recruitment.pay_elasticity,
        sponsorship_weeks=int(round(lm.international.sponsorship_years * WEEKS_PER_YEAR)),
        closed_week=closed, switching_until_week=switching, switching_pool_years=pool_years,
        cap_cells=cap_cells,
        cap_per_year=np.array([int(round(c.per_year * scale)) for c in caps], np.int64),
        cap_from_week=np.array([week_of(sysc.start_date, c.capped_from) for c in caps], np.int64),
        cap_until_week=np.array([week_of(sysc.start_date, c.capped_until) if c.capped_until else NEVER
                                 for c in caps], np.int64),
        elasticity=m.elasticity, acceptance=m.acceptance,
        graduate_drift=per_year_to_weekly(m.graduate_drift_per_year),
        former_staff_drift=per_year_to_weekly(m.former_staff_drift_per_year),
        retiree_drift=per_year_to_weekly(m.retiree_drift_per_year),
        retire_return_within_year=np.array([m.retire_return_within_year[s] for s in SECTORS]),
    )


def career_starts_per_year(p) -> np.ndarray:
    """[C] expected workers a year starting each career route at the start (those young enough)."""
    c = p.careers
    out = np.zeros(c.n)
    for k in range(c.n):
        young = p.age_pmf[:, c.from_role[k], :][:, AGES_FROM_16 <= c.max_age[k]].sum(axis=1)     # [S]
        rate = 1.0 - (1.0 - c.start_weekly[:, c.from_role[k], k]) ** WEEKS_PER_YEAR
        out[k] = float((p.headcount[:, c.from_role[k]] * young * rate).sum())
    return out


def build_careers(cfg: RunConfig, roles: list[str]) -> CareerParams:
    routes = sorted(cfg.system.careers.items())
    C = len(routes)
    start = np.zeros((N_SECTORS, len(roles), C))
    for c, (_, route) in enumerate(routes):
        for s in route.sectors:
            start[SECTORS.index(s), roles.index(route.from_role), c] = annual_to_weekly(route.starts_per_year)
    return CareerParams(
        names=[name for name, _ in routes],
        from_role=np.array([roles.index(r.from_role) for _, r in routes], np.int64),
        to_role=np.array([roles.index(r.to_role) for _, r in routes], np.int64),
        in_post=np.array([r.in_post for _, r in routes], bool),
        weeks=np.array([max(1, round(r.years * WEEKS_PER_YEAR)) for _, r in routes], np.int64),
        completion=np.array([r.completion for _, r in routes]),
        max_age=np.array([r.max_age for _, r in routes], np.int64),
        start_weekly=start,
    )
