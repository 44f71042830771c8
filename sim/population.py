"""The synthetic population: the workers in post at the start, and new hires.

Every attribute is drawn from the counter-based generator keyed by the worker's id, so a
worker's attributes do not depend on how many others exist or in what order they are made.
"""
from __future__ import annotations

import numpy as np

from sim.codes import (
    DT_AGE,
    DT_CODE,
    DT_EMPLOYER,
    DT_FLAG,
    DT_FTE,
    DT_ID,
    DT_WEEKS,
    FLEX_MET,
    FLEX_NONE,
    FLEX_UNMET,
    FTE_UNIT,
    N_SECTORS,
    ROUTES,
    WEEKS_PER_YEAR,
)
from sim.params import Params
from sim.rng import (
    S_AGE,
    S_BURNOUT0,
    S_DEPRIVED,
    S_FTE,
    S_PLACE,
    S_ROUTE,
    S_SICK,
    S_TENURE,
    uniforms,
)
from sim.workers import BURNOUT_UNIT, Cohort

INIT_WEEK = 0xFFFFFFFF  # the "week" coordinate of draws made before the first week
INTERNATIONAL = ROUTES.index("international")
RETURNERS = ROUTES.index("returners")
MAX_AGE_DRAWN = 67
PART_TIME_HI = 0.9


def hire_id(week: int, channel: int, role: np.ndarray, employer: np.ndarray,
            k: np.ndarray) -> np.ndarray:
    """Stable id of the k-th hire of (employer, role) in a week through a channel (0: regular
    recruitment, 1-62: programmes, 63: hires agreed before the run): the same hire gets the
    same id (and so the same draws) in a baseline and a programme run. Bits: week 22, channel 6,
    role 4, employer 16, k 16; starting workers have ids below 2**42."""
    return ((np.uint64(week + 1) << np.uint64(42)) | (np.uint64(channel) << np.uint64(36))
            | (role.astype(np.uint64) << np.uint64(32)) | (employer.astype(np.uint64) << np.uint64(16))
            | k.astype(np.uint64))


def _split(u: np.ndarray, p: np.ndarray):
    """One uniform -> (event with probability p, a fresh uniform for what follows)."""
    hit = u < p
    v = np.where(hit, u / np.maximum(p, 1e-300), (u - p) / np.maximum(1.0 - p, 1e-300))
    return hit, np.clip(v, 0.0, np.nextafter(1.0, 0.0))


def draw_fte_units(u: np.ndarray, mean_units: np.ndarray) -> np.ndarray:
    """Full time with a probability that, with part-timers uniform on [lo, 0.9], gives the mean."""
    m = mean_units / FTE_UNIT
    lo = np.where(m >= 0.65, 0.4, np.maximum(0.1, 2 * m - PART_TIME_HI))
    pt_mean = (lo + PART_TIME_HI) / 2
    p_full = np.clip((m - pt_mean) / (1.0 - pt_mean), 0.0, 1.0)
    full, v = _split(u, p_full)
    part = np.rint(FTE_UNIT * (lo + v * (PART_TIME_HI - lo)))
    return np.where(full, FTE_UNIT, part).astype(DT_FTE)


def draw_initial_age(u: np.ndarray, mean_age: np.ndarray, over55: np.ndarray) -> np.ndarray:
    """Ages 55..66 uniform with the share over 55; below 55 uniform on [a, 55) with a chosen
    so that the overall mean matches."""
    old, v = _split(u, over55)
    mid_old = (55 + MAX_AGE_DRAWN) / 2
    m_low = (mean_age - mid_old * over55) / np.maximum(1.0 - over55, 1e-9)
    a = np.clip(2 * m_low - 55, 18, 54)
    young = np.floor(a + v * (55 - a))
    aged = np.floor(55 + v * (MAX_AGE_DRAWN - 55))
    return np.where(old, aged, young).astype(DT_AGE)


def draw_flex(u: np.ndarray, p: Params) -> np.ndarray:
    return np.where(u < p.flex_share_met, FLEX_MET,
                    np.where(u < p.flex_share_met + p.flex_share_unmet, FLEX_UNMET, FLEX_NONE)
                    ).astype(DT_FLAG)


def draw_route(u: np.ndarray, cum: np.ndarray) -> np.ndarray:
    """Route index from per-worker cumulative shares cum[i, :]."""
    return np.minimum((u[:, None] >= cum).sum(axis=1), len(ROUTES) - 1).astype(DT_FLAG)


def _allocate(n: int, weights: np.ndarray) -> np.ndarray:
    """Split n workers across employers by weight (largest remainder; no randomness)."""
    exact = n * weights
    counts = np.floor(exact).astype(np.int64)
    short = n - counts.sum()
    if short > 0:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def initial_population(p: Params) -> Cohort:
    """Workers in post at the start, per (sector, role), spread over the sector's employers."""
    sector, employer, role = [], [], []
    for s in range(N_SECTORS):
        lo, hi = p.sector_first[s], p.sector_first[s + 1]
        for r in range(p.n_roles):
            n = int(p.headcount[s, r])
            if n == 0 or hi == lo:
                continue
            counts = _allocate(n, p.employer_weight[lo:hi])
            employer.append(np.repeat(np.arange(lo, hi), counts))
            sector.append(np.full(n, s))
            role.append(np.full(n, r))
    if not sector:
        return Cohort.empty()
    sector, employer, role = (np.concatenate(x) for x in (sector, employer, role))
    n = len(sector)
    ids = np.arange(n, dtype=DT_ID)
    u = {st: uniforms(p.seed, INIT_WEEK, ids, st) for st in
         (S_AGE, S_FTE, S_TENURE, S_PLACE, S_BURNOUT0, S_SICK, S_ROUTE, S_DEPRIVED)}
    age = draw_initial_age(u[S_AGE], p.mean_age[sector, role], p.share_over_55[sector, role])
    # Tenure: exponential with the mean implied by the turnover rate, no longer than a career.
    years = -np.log1p(-u[S_TENURE]) / np.maximum(p.turnover[sector, role], 0.02)
    years = np.minimum(years, np.maximum(age.astype(np.float64) - 18.0, 0.0))
    tenure = np.minimum(np.floor(years * WEEKS_PER_YEAR), 32000).astype(DT_WEEKS)
    return Cohort(
        id=ids, sector=sector.astype(DT_CODE), employer=employer.astype(DT_EMPLOYER),
        role=role.astype(DT_CODE), age=age, tenure=tenure, sector_tenure=tenure.copy(),
        fte=draw_fte_units(u[S_FTE], p.mean_fte_units[sector, role]),
        flex=draw_flex(u[S_PLACE], p), burnout=np.zeros(n, np.uint16),  # see settle_burnout
        sick=(u[S_SICK] < p.sickness[sector, role]).astype(DT_FLAG),
        route=draw_route(u[S_ROUTE], p.route_cum[sector, role]),
        deprived=(u[S_DEPRIVED] < p.deprived_share).astype(DT_FLAG),
        join_week=(-tenure).astype(DT_WEEKS),
    )


def settle_burnout(p: Params, cohort: Cohort, pressure_er: np.ndarray) -> None:
    """Start each worker near the burnout equilibrium of their starting pressure and
    flexible-working status (the stationary spread of the weekly noise around it), so the
    first year is not a warm-up."""
    press = pressure_er[cohort["employer"].astype(np.int64) * p.n_roles + cohort["role"]]
    stress = (p.base_stress + p.pressure_weight * np.maximum(press - 1.0, 0.0)
              + p.unmet_flex_weight * (cohort["flex"] == FLEX_UNMET))
    eq = p.b_rise / p.b_recovery * stress
    # Stationary s.d. of an AR(1) with coefficient (1 - recovery) and uniform noise.
    sd = p.b_noise / np.sqrt(12.0) / np.sqrt(1.0 - (1.0 - p.b_recovery) ** 2)
    u = uniforms(p.seed, INIT_WEEK, cohort["id"], S_BURNOUT0)
    b = np.clip(eq + sd * np.sqrt(12.0) * (u - 0.5), 0.0, 1.0)
    cohort.arrays["burnout"] = np.rint(b * BURNOUT_UNIT).astype(np.uint16)


def new_hires(p: Params, week: int, employer: np.ndarray, role: np.ndarray, k: np.ndarray,
              route: np.ndarray | None = None, channel: int = 0, key_week: int | None = None,
              lag: int | None = None, age_range: tuple[int, int] | None = None,
              deprived_share: float | None = None, fte_factor: float = 1.0) -> Cohort:
    """Hires agreed in `week` for the given posts; each starts after a time to hire.

    Returns a cohort with an extra `arrival_week` array. Regular hires draw their route from the
    sector's mix and take its time to hire, ages and deprived share; a programme gives its own
    route code with `lag`, `age_range`, `deprived_share` and `fte_factor`. `key_week` (default
    `week`) is the week coordinate of the ids and draws, for hires agreed before the run."""
    kw = week if key_week is None else key_week
    sector = p.employer_sector[employer]
    ids = hire_id(kw, channel, role, employer, k)
    u = {st: uniforms(p.seed, kw, ids, st) for st in
         (S_AGE, S_FTE, S_PLACE, S_BURNOUT0, S_ROUTE, S_DEPRIVED)}
    if route is None:
        route = draw_route(u[S_ROUTE], p.route_cum[sector, role])
    route = route.astype(DT_FLAG)
    if lag is None:
        delay = p.time_to_hire[route]
        lo, hi = p.age_lo[route], p.age_hi[route]
        fte_factor = np.where(route == RETURNERS, p.returner_fte_factor, 1.0)
        local = route != INTERNATIONAL
        share = p.deprived_share
    else:
        delay = np.full(len(ids), max(1, lag))
        lo, hi = age_range
        local = np.ones(len(ids), bool)
        share = p.deprived_share if deprived_share is None else deprived_share
    age = np.floor(lo + u[S_AGE] * (hi - lo + 1)).astype(DT_AGE)
    mean_fte = p.mean_fte_units[sector, role].astype(np.float64)
    mean_fte = np.where(fte_factor != 1.0, np.rint(mean_fte * fte_factor), mean_fte)
    eq = p.burnout_equilibrium()
    zeros = np.zeros(len(ids), DT_WEEKS)
    arrival = (week + delay).astype(np.int32)
    return Cohort(
        id=ids, sector=sector.astype(DT_CODE), employer=employer.astype(DT_EMPLOYER),
        role=role.astype(DT_CODE), age=age, tenure=zeros, sector_tenure=zeros.copy(),
        fte=draw_fte_units(u[S_FTE], mean_fte), flex=draw_flex(u[S_PLACE], p),
        # New starters arrive fresher than the average worker (assumption).
        burnout=np.rint(eq * u[S_BURNOUT0] * BURNOUT_UNIT).astype(np.uint16),
        sick=np.zeros(len(ids), DT_FLAG), route=route,
        deprived=((u[S_DEPRIVED] < share) & local).astype(DT_FLAG),
        join_week=arrival.astype(DT_WEEKS), arrival_week=arrival,
    )
