"""The synthetic population: the workers in post at the start, and new hires.

Every attribute is drawn from the counter-based generator keyed by the worker's id, so a
worker's attributes do not depend on how many others exist or in what order they are made.
"""
from __future__ import annotations

import numpy as np

from sim.ages import AGE_MIN, AGES, draw_ages, overseas_exit_rate
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
    INTERNATIONAL,
    LOCAL_LABOUR,
    N_ROUTES,
    N_SECTORS,
    RETIRE_RETURN,
    WEEKS_PER_YEAR,
)
from sim.params import Params
from sim.rng import (
    S_AGE,
    S_BURNOUT0,
    S_CAREER,
    S_DEPRIVED,
    S_FTE,
    S_MOVE_FTE,
    S_PLACE,
    S_POOL_AGE,
    S_ROUTE,
    S_SICK,
    S_SPONSOR,
    S_TENURE,
    uniforms,
)
from sim.tenures import draw_tenure_years, first_year_hazard_split, left_within, share_shorter_than
from sim.workers import BURNOUT_UNIT, Cohort

INIT_WEEK = 0xFFFFFFFF  # the "week" coordinate of draws made before the first week
PART_TIME_HI = 0.9
# A role with fewer staff than a sector has employers, and no `employer_share` of its own, is
# employed by the largest employers only, at least this many each on average (assumption).
# Spreading a few people over every employer would leave each with a fraction of a post it could
# never fill: hiring stops when the sector as a whole is full, so those fractions stay vacant.
MIN_STAFF_PER_EMPLOYER = 3
BUILD_BLOCK = 1 << 19   # starting workers drawn at a time: the build's temporaries stay small


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


def hours_after_move(p: Params, week: int, movers: Cohort, sector: np.ndarray,
                     route_fte: np.ndarray) -> np.ndarray:
    """Contracted FTE of workers who move to another employer in `sector`: kept within a sector;
    a move to another sector is a new post with that sector's hours (drawn as a hire's, with the
    factor of the worker's route in, `route_fte` by route code: retirees who came back stay on
    fewer hours). Assumption: hours follow the post (a care worker on 0.8 FTE who joins the NHS
    works an NHS post's hours); it keeps each sector's mean FTE where its own hires put it."""
    out = movers["fte"].copy()
    cross = movers["sector"] != sector
    if cross.any():
        r = movers["role"][cross].astype(np.int64)
        mean = np.rint(p.hire_fte_units[sector[cross], r] * route_fte[movers["entry_route"][cross]])
        out[cross] = draw_fte_units(uniforms(p.seed, week, movers["id"][cross], S_MOVE_FTE), mean)
    return out


def draw_local_ages(u: np.ndarray, p: Params, sector: np.ndarray, role: np.ndarray) -> np.ndarray:
    """Ages of local recruits from one uniform each: young (their youngest age to 24) with the
    (sector, role)'s chance `local_young`, else uniform on its main range (sim.ages.local_density)."""
    y = p.local_young[sector, role]
    ylo = p.local_young_lo[sector, role]
    lo, hi = p.local_age_lo[sector, role], p.local_age_hi[sector, role]
    first = u < y
    v = np.where(first, u / np.maximum(y, 1e-300), (u - y) / np.maximum(1.0 - y, 1e-300))
    return np.where(first, np.floor(ylo + v * (25 - ylo)), np.floor(lo + v * (hi - lo + 1))).astype(np.int64)


def draw_flex(u: np.ndarray, p: Params) -> np.ndarray:
    return np.where(u < p.flex_share_met, FLEX_MET,
                    np.where(u < p.flex_share_met + p.flex_share_unmet, FLEX_UNMET, FLEX_NONE)
                    ).astype(DT_FLAG)


def draw_route(u: np.ndarray, cum: np.ndarray) -> np.ndarray:
    """Route index from per-worker cumulative shares cum[i, :]."""
    return np.minimum((u[:, None] >= cum).sum(axis=1), N_ROUTES - 1).astype(DT_FLAG)


def routes_by_age(p: Params, sector: np.ndarray, role: np.ndarray, age: np.ndarray) -> np.ndarray:
    """[n, N_ROUTES] each starting worker's chances of each route in, given its age. Retirees who
    came back are the steady state's share (sim.routes_in.stock_route_mix) with their own ages
    (sim.routes_in.retirees_in_post): a worker of age a is one with the chance that makes the
    (sector, role)'s returned retirees of that age as many as the steady state has (all its
    workers of that age, if there are too few). The other routes share the rest as the stationary
    workforce has them at that age (sim.steady_state: graduates are younger than returners, and
    overseas recruits, who stay longer, are more of the older workers than of the joiners)."""
    rr = RETIRE_RETURN
    mix = p.stock_route_mix[sector, role]                  # [n, N_ROUTES] (indexing copies)
    a = np.clip(age.astype(np.int64) - AGE_MIN, 0, len(AGES) - 1)
    everyone = p.age_pmf[sector, role, a]
    rr_share = np.where(everyone > 0, mix[:, rr] * p.retiree_age_pmf[sector, role, a]
                        / np.maximum(everyone, 1e-300), 0.0)
    rr_share = np.minimum(rr_share, 1.0)
    rest = mix                                             # the cell's mix: where nobody is that age
    rest[:, rr] = 0.0
    at_age = p.route_age_pmf[sector, role, :, a]
    at_age[:, rr] = 0.0
    rest = np.where(at_age.sum(axis=1, keepdims=True) > 0, at_age, rest)
    rest /= np.maximum(rest.sum(axis=1, keepdims=True), 1e-300)
    out = rest * (1.0 - rr_share)[:, None]
    out[:, rr] = rr_share
    return out


def _allocate(n: int, weights: np.ndarray) -> np.ndarray:
    """Split n workers across employers by weight (largest remainder; no randomness)."""
    exact = n * weights
    counts = np.floor(exact).astype(np.int64)
    short = n - counts.sum()
    if short > 0:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def employers_with_role(p: Params, s: int, r: int) -> int:
    """How many of sector s's employers (its largest) employ role r: the role's `employer_share`
    of them, else every one, or as many as keep about MIN_STAFF_PER_EMPLOYER staff each."""
    n_emp = int(p.sector_first[s + 1] - p.sector_first[s])
    share = float(p.employer_share[s, r])
    if share > 0.0:
        return int(min(n_emp, max(1, round(share * n_emp))))
    return int(min(n_emp, max(1, int(p.headcount[s, r]) // MIN_STAFF_PER_EMPLOYER)))


def initial_population(p: Params) -> Cohort:
    """Workers in post at the start, per (sector, role), spread over the sector's employers. Ages
    and routes in come from the stationary workforce (sim.steady_state) and tenures from the
    stationary time in post (sim.tenures), so the starting workforce is one the model's own flows
    keep in place.

    Every draw is keyed by the worker's id, so the workers are drawn a block of rows at a time
    into the cohort's arrays: the same workers, without a full-size float array per draw (at
    England's size those made the build the run's peak of memory)."""
    sector, employer, role = [], [], []
    for s in range(N_SECTORS):
        lo, hi = p.sector_first[s], p.sector_first[s + 1]
        for r in range(p.n_roles):
            n = int(p.headcount[s, r])
            if n == 0 or hi == lo:
                continue
            k = employers_with_role(p, s, r)
            weights = np.zeros(hi - lo)
            weights[:k] = p.employer_weight[lo:lo + k] / p.employer_weight[lo:lo + k].sum()
            counts = _allocate(n, weights)
            employer.append(np.repeat(np.arange(lo, hi), counts).astype(DT_EMPLOYER))
            sector.append(np.full(n, s, DT_CODE))
            role.append(np.full(n, r, DT_CODE))
    if not sector:
        return Cohort.empty()
    sector, employer, role = (np.concatenate(x) for x in (sector, employer, role))
    n = len(sector)
    out = Cohort.empty()
    out.arrays.update({k: np.empty(n, a.dtype) for k, a in out.arrays.items()})
    out.arrays.update(sector=sector, employer=employer, role=role)
    h0 = first_year_hazard_split(p.turnover, p.first_year_multiplier)
    still_tied = still_sponsored(p, h0)
    for a in range(0, n, BUILD_BLOCK):
        b = min(n, a + BUILD_BLOCK)
        block = _starting_workers(p, h0, still_tied, np.arange(a, b, dtype=DT_ID),
                                  sector[a:b].astype(np.int64), role[a:b].astype(np.int64))
        for k, v in block.items():
            out.arrays[k][a:b] = v
    return out


def still_sponsored(p: Params, h0: np.ndarray) -> np.ndarray:
    """[S, R] chance that a starting overseas recruit who joined their employer less than the
    sponsorship period ago is still tied to a sponsor, so that as many are tied as in a steady
    state. Recruits from abroad stay longer than their tenures drawn with everyone's leave rate
    suggest (their stock share is their hires' share times their longer stay), so a share of
    those with short tenures arrived in the country long before: counting them all as sponsored
    started the run with 65% more tied recruits than the run keeps (acute: 2,150 falling to
    1,300 in five years, their exits going to leaving the country instead of to other
    industries and the pool of former staff). In a steady state the time since arrival of a
    recruit who leaves the system at the yearly rate lam (sim.ages.overseas_exit_rate; higher
    in their first year) is distributed as a time in post with that rate. That holds for those
    hired from abroad into the (sector, role); those who moved in from another sector
    (1 - p.overseas_direct of them) are tied if their time there and here together is short
    enough (`_movers_still_sponsored`)."""
    years = p.market.sponsorship_weeks / WEEKS_PER_YEAR
    m = p.first_year_multiplier
    lam = overseas_exit_rate(p, p.age_pmf)
    tied = share_shorter_than(years, lam, m)
    short = share_shorter_than(years, h0, m)   # tenures shorter than the period
    direct = np.clip(tied / np.maximum(short, 1e-300), 0.0, 1.0)
    return p.overseas_direct * direct + (1.0 - p.overseas_direct) * _movers_still_sponsored(p, h0, years)


def _movers_still_sponsored(p: Params, h0: np.ndarray, years: float, steps: int = 400) -> np.ndarray:
    """[S, R] chance that a starting worker who came from abroad, moved in from another sector
    and has been with their employer less than `years`, arrived in the country less than `years`
    ago: their time in the sector they moved from (a time in post at that sector's leave rate for
    recruits from abroad, from the sectors in proportion to their movers) plus their time here (a
    stationary time in post) is under `years`."""
    m = p.first_year_multiplier
    w = p.overseas_moves / np.maximum(p.overseas_moves.sum(axis=0, keepdims=True), 1e-300)   # [S, S', R]
    origin_h = np.einsum("tsr,tr->sr", w, h0) * p.route_mult[INTERNATIONAL]
    edges = np.linspace(0.0, years, steps + 1)
    here = np.array([share_shorter_than(b, h0, m) for b in edges])                   # [steps+1, S, R]
    mid = 0.5 * (edges[1:] + edges[:-1])
    before = np.array([left_within(years - b, origin_h, m) for b in mid])           # [steps, S, R]
    within = (np.diff(here, axis=0) * before).sum(axis=0)
    return np.clip(within / np.maximum(here[-1], 1e-300), 0.0, 1.0)


def _starting_workers(p: Params, h0: np.ndarray, still_tied: np.ndarray, ids: np.ndarray,
                      sector: np.ndarray, role: np.ndarray) -> dict[str, np.ndarray]:
    """Every field but the place (sector, employer, role) of the starting workers `ids`."""
    n = len(ids)
    u = {st: uniforms(p.seed, INIT_WEEK, ids, st) for st in
         (S_AGE, S_FTE, S_TENURE, S_PLACE, S_SICK, S_ROUTE, S_DEPRIVED, S_SPONSOR)}
    age = draw_ages(u[S_AGE], p.age_pmf.reshape(-1, len(AGES)), sector * p.n_roles + role).astype(DT_AGE)
    years = draw_tenure_years(u[S_TENURE], h0[sector, role], p.first_year_multiplier)
    years = np.minimum(years, np.maximum(age.astype(np.float64) - 18.0, 0.0))
    tenure = np.minimum(np.floor(years * WEEKS_PER_YEAR), 32000).astype(DT_WEEKS)
    route = draw_route(u[S_ROUTE], np.cumsum(routes_by_age(p, sector, role, age), axis=1))
    # joined before the run: a tenure of t weeks is a join t weeks ago (at least one)
    join_week = np.minimum(-tenure.astype(np.int64), -1)
    tied = (route == INTERNATIONAL) & (u[S_SPONSOR] < still_tied[sector, role])
    sponsored = np.where(tied, np.maximum(p.market.sponsorship_weeks + join_week, 0), 0).astype(DT_WEEKS)
    career, career_until = apprentices_at_start(p, ids, sector, role, age)
    return dict(
        id=ids, age=age, tenure=tenure, sector_tenure=tenure,
        fte=draw_fte_units(u[S_FTE], np.rint(p.hire_fte_units[sector, role] * p.route_fte[route])),
        flex=draw_flex(u[S_PLACE], p), burnout=np.zeros(n, np.uint16),  # see settle_burnout
        sick=(u[S_SICK] < p.sickness[sector, role]).astype(DT_FLAG),
        route=route, entry_route=route, prev_role=np.full(n, -1, DT_CODE),
        career=career, career_until=career_until, sponsored_until=sponsored,
        deprived=(u[S_DEPRIVED] < p.deprived_share).astype(DT_FLAG),
        join_week=join_week.astype(DT_WEEKS),
    )


def apprentices_at_start(p: Params, ids: np.ndarray, sector: np.ndarray, role: np.ndarray,
                         age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Workers already training in post for another role at the start, as many as in a steady
    state (each route's yearly starts x its length), their training ending at any week of it."""
    c = p.careers
    career = np.zeros(len(ids), DT_FLAG)
    until = np.zeros(len(ids), DT_WEEKS)
    u = uniforms(p.seed, INIT_WEEK, ids, S_CAREER)
    acc = np.zeros(len(ids))
    for k in np.flatnonzero(c.in_post):
        share = (1.0 - (1.0 - c.start_weekly[sector, role, k]) ** c.weeks[k]) * (age <= c.max_age[k])
        hit = (u >= acc) & (u < acc + share) & (career == 0)
        career[hit] = k + 1
        # the position within the band is uniform: the weeks of training left
        within = (u[hit] - acc[hit]) / np.maximum(share[hit], 1e-300)
        left = np.floor(within * c.weeks[k]).astype(np.int64) + 1
        until[hit] = np.minimum(left, 32000)
        acc = acc + share
    return career, until


def settle_burnout(p: Params, cohort: Cohort, pressure_er: np.ndarray) -> None:
    """Start each worker near the burnout equilibrium of their starting pressure and
    flexible-working status (the stationary spread of the weekly noise around it), so the
    first year is not a warm-up. A block of rows at a time (see initial_population)."""
    # Stationary s.d. of an AR(1) with coefficient (1 - recovery) and uniform noise.
    sd = p.b_noise / np.sqrt(12.0) / np.sqrt(1.0 - (1.0 - p.b_recovery) ** 2)
    burnout = np.empty(len(cohort), np.uint16)
    for a in range(0, len(cohort), BUILD_BLOCK):
        rows = slice(a, a + BUILD_BLOCK)
        press = pressure_er[cohort["employer"][rows].astype(np.int64) * p.n_roles + cohort["role"][rows]]
        stress = (p.base_stress + p.pressure_weight * np.maximum(press - 1.0, 0.0)
                  + p.unmet_flex_weight * (cohort["flex"][rows] == FLEX_UNMET))
        eq = p.b_rise / p.b_recovery * stress
        u = uniforms(p.seed, INIT_WEEK, cohort["id"][rows], S_BURNOUT0)
        b = np.clip(eq + sd * np.sqrt(12.0) * (u - 0.5), 0.0, 1.0)
        burnout[rows] = np.rint(b * BURNOUT_UNIT)
    cohort.arrays["burnout"] = burnout


def pool_ages(u: np.ndarray, stock: np.ndarray, sector: np.ndarray, role: np.ndarray,
              otherwise: np.ndarray) -> np.ndarray:
    """Ages of people hired from a pool kept by age (`stock`: [R, A] expected people by role and
    age, or [S, R, A] by the sector they left), by inverse CDF of each hire's role (and sector);
    `otherwise` where the pool holds nobody."""
    total = stock.sum(axis=-1, keepdims=True)
    cdf = np.cumsum(stock / np.maximum(total, 1e-300), axis=-1)
    rows, held = (cdf[sector, role], total[sector, role, 0]) if stock.ndim == 3 \
        else (cdf[role], total[role, 0])
    idx = (rows <= u[:, None]).sum(axis=1)          # = searchsorted(row, u, side="right")
    return np.where(held > 0, AGES[np.minimum(idx, len(AGES) - 1)], otherwise)


def new_hires(p: Params, week: int, employer: np.ndarray, role: np.ndarray, k: np.ndarray, *,
              route: np.ndarray | None = None, route_cum: np.ndarray | None = None,
              channel: int = 0, key_week: int | None = None, lag: int | None = None,
              age_range: tuple[int, int] | None = None, deprived_share: float | None = None,
              fte_factor: float = 1.0, pool_stocks: dict[int, np.ndarray] | None = None,
              entry_route: np.ndarray | None = None) -> Cohort:
    """Hires agreed in `week` for the given posts; each starts after a time to hire.

    Returns a cohort with an extra `arrival_week` array. Hires from the pools draw their route
    from `route_cum` ([S, R, routes] cumulative mix of this week's applications) and take its
    time to hire, ages (`pool_stocks`: route -> [R, A] people by age for the pools kept by age),
    FTE and deprived share; a programme gives its own `route` code with `lag`, `age_range`,
    `deprived_share` and `fte_factor`, and the pool it drew from as `entry_route`. `key_week`
    (default `week`) is the week coordinate of the ids and draws, for hires agreed before the run."""
    kw = week if key_week is None else key_week
    sector = p.employer_sector[employer]
    ids = hire_id(kw, channel, role, employer, k)
    u = {st: uniforms(p.seed, kw, ids, st) for st in
         (S_AGE, S_FTE, S_PLACE, S_BURNOUT0, S_ROUTE, S_DEPRIVED)}
    n = len(ids)
    if route is None:
        route = draw_route(u[S_ROUTE], route_cum[sector, role])
    route = route.astype(DT_FLAG)
    if lag is None:
        delay = p.time_to_hire[route]
        lo, hi = p.age_lo[route], p.age_hi[route]
        local = route == LOCAL_LABOUR
        lo = np.where(local, p.local_age_lo[sector, role], lo)
        hi = np.where(local, p.local_age_hi[sector, role], hi)
        fte_factor = p.route_fte[route]
        local = route != INTERNATIONAL
        share = p.deprived_share
        entry = route
    else:
        delay = np.full(n, max(1, lag))
        lo, hi = age_range
        local = np.ones(n, bool)
        share = p.deprived_share if deprived_share is None else deprived_share
        entry = route if entry_route is None else entry_route.astype(DT_FLAG)
    age = np.floor(lo + u[S_AGE] * (hi - lo + 1)).astype(np.int64)
    if lag is None:
        young = np.flatnonzero((route == LOCAL_LABOUR) & (p.local_young[sector, role] > 0))
        if len(young):
            age[young] = draw_local_ages(u[S_AGE][young], p, sector[young], role[young])
    if lag is None and pool_stocks:
        v = uniforms(p.seed, kw, ids, S_POOL_AGE)
        for k_route, stock in pool_stocks.items():       # [R, A], or [S, R, A] by sector left
            sel = np.flatnonzero(route == k_route)
            if len(sel):
                age[sel] = pool_ages(v[sel], stock, sector[sel], role[sel], age[sel])
    mean_fte = np.rint(p.hire_fte_units[sector, role] * fte_factor)
    eq = p.burnout_equilibrium()
    zeros = np.zeros(n, DT_WEEKS)
    arrival = (week + delay).astype(np.int32)
    sponsored = np.where(entry == INTERNATIONAL, arrival + p.market.sponsorship_weeks, 0)
    return Cohort(
        id=ids, sector=sector.astype(DT_CODE), employer=employer.astype(DT_EMPLOYER),
        role=role.astype(DT_CODE), age=np.clip(age, AGE_MIN, AGES[-1]).astype(DT_AGE), tenure=zeros,
        sector_tenure=zeros.copy(), fte=draw_fte_units(u[S_FTE], mean_fte), flex=draw_flex(u[S_PLACE], p),
        # New starters arrive fresher than the average worker (assumption).
        burnout=np.rint(eq * u[S_BURNOUT0] * BURNOUT_UNIT).astype(np.uint16),
        sick=np.zeros(n, DT_FLAG), route=route, entry_route=entry.astype(DT_FLAG),
        prev_role=np.full(n, -1, DT_CODE), career=np.zeros(n, DT_FLAG), career_until=zeros.copy(),
        sponsored_until=np.minimum(sponsored, 32000).astype(DT_WEEKS),
        deprived=((u[S_DEPRIVED] < share) & local).astype(DT_FLAG),
        join_week=arrival.astype(DT_WEEKS), arrival_week=arrival,
    )
