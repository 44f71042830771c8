"""Ages that renew themselves: the pieces of the steady state the model starts from.

In a steady state the number of workers aged a+1 at the start of next year is the number aged a
who stayed plus the joiners of the year who arrived aged a (everyone is a year older at the
year's end). With the model's exit rates by age (leaving the system, retirement) and the ages
joiners arrive at (each route's range), the age structure at the start of a year this converges
to is computed here, with the routes' joiners a year and the pools they come from (former staff,
retirees). The ages of local recruits (the route without a fixed age profile) are fitted per
(sector, role) so that this stationary structure has the system file's mean age and share aged
55 or over (sim.steady_state puts the routes together, each leaving at its own rate); the
starting workforce is then drawn from it, so nothing drifts as the model runs. Times in post
are in sim.tenures.
"""
from __future__ import annotations

import numpy as np

from sim.codes import (
    EDUCATION,
    INTERNATIONAL,
    LOCAL_LABOUR,
    N_ROUTES,
    RETIRE_RETURN,
    RETURNERS,
    SECTORS,
    WEEKS_PER_YEAR,
)
from sim.rates import hazard_within_year

AGE_MIN, AGE_MAX = 16, 75          # ages a worker can have (older people have all retired)
AGES = np.arange(AGE_MIN, AGE_MAX + 1)
LOCAL_LO = range(16, 46)           # candidate youngest and oldest ages of local recruits
LOCAL_SPAN = range(4, 50)
YOUNG_SHARES = np.linspace(0.0, 0.8, 41)   # candidate shares of young local recruits (under 25)


def working_ages(p) -> np.ndarray:
    """bool [A]: ages below the first age at which everyone retires (retirees that old no longer
    come back: they would retire again at once)."""
    full = np.flatnonzero(p.retire_weekly[AGES] >= 1.0)
    last = AGES[full[0]] if len(full) else AGE_MAX + 1
    return AGES < last


def in_post_ages(p) -> np.ndarray:
    """bool [A]: ages a worker can have: up to the age at which everyone retires (those who reach
    it at the year's end retire in the next week)."""
    working = working_ages(p)
    return working | np.concatenate([[False], working[:-1]])


def stationary_from_each_age(exit_yearly: np.ndarray, first_year_exit: np.ndarray) -> np.ndarray:
    """[A, A]: row a0 is the count by age, at the start of a year in a steady state, of one
    joiner a year arriving at age a0, who leaves at `first_year_exit` in their first year (new
    starters leave more) and at `exit_yearly` after it. Joiners arrive through the year and
    everyone is a year older at its end (sim.model), so nobody who joins at a0 is a0 at the start
    of a year: they are first counted at a0 + 1, after half a year in post on average, and their
    first year ends half a year later."""
    A = len(AGES)
    exit_yearly = np.asarray(exit_yearly, np.float64)
    first_year_exit = np.asarray(first_year_exit, np.float64)
    first = np.sqrt(1.0 - first_year_exit[:A - 1])                         # counted at a0 + 1
    second = first[:A - 2] * np.sqrt((1.0 - first_year_exit[1:A - 1]) * (1.0 - exit_yearly[1:A - 1]))
    # then a year more at each age: row a0 is the running product of `second` and the stays from
    # a0 + 2 on, in age order (the ones before it leave the product as it is)
    row, col = np.arange(A)[:, None], np.arange(A)[None, :]
    factors = np.where(col >= row + 3, (1.0 - exit_yearly)[np.maximum(col - 1, 0)], 1.0)
    factors[np.arange(A - 2), np.arange(2, A)] = second
    out = np.where(col >= row + 2, np.cumprod(factors, axis=1), 0.0)
    out[np.arange(A - 1), np.arange(1, A)] = first
    return out


def uniform_density(lo: int, hi: int) -> np.ndarray:
    """[A] one person a year arriving at an age uniform on [lo, hi]."""
    out = ((AGES >= lo) & (AGES <= hi)).astype(np.float64)
    return out / max(out.sum(), 1.0)


def yearly_retirement(p) -> np.ndarray:
    """[A] chance of retiring within a year, by age."""
    return 1.0 - (1.0 - p.retire_weekly[AGES]) ** 52


def leaving_rates(p, pmf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per (sector, role), with the workforce's ages `pmf` [S, R, A]: the share of staff a year
    who leave their employer for any reason but retirement ([S, R]: the turnover target includes
    retirements, which happen by age), and the leave multiplier by age relative to its mean over
    the workforce ([S, R, A]: the kernels' base rate is fitted to the mean). At least a quarter of
    the turnover is left to other reasons (a system whose retirements alone exceed its turnover
    target is not consistent; assumption)."""
    retiring = (pmf * yearly_retirement(p)).sum(axis=2)
    leaving = np.maximum(p.turnover - retiring, 0.25 * p.turnover)
    mean_mult = (pmf * p.age_mult[AGES]).sum(axis=2)
    rel = p.age_mult[AGES][None, None, :] / np.where(mean_mult > 0, mean_mult, 1.0)[:, :, None]
    return leaving, rel


def external_hires_per_year(p, pmf: np.ndarray) -> np.ndarray:
    """[S, R] hires from outside the system a year that keep each (sector, role)'s headcount
    (and its growth), with the workforce's ages `pmf`: everyone who leaves its employer is
    replaced, less those who move between its own employers (the same people) and the movers
    who arrive from the other sectors (care workers into the NHS, say: they are not hired
    from a pool)."""
    leaving, _ = leaving_rates(p, pmf)
    moves_in = cross_sector_moves(p, leaving).sum(axis=0)                 # [S, R]
    per_staff = p.turnover - leaving * p.dest_shares[:, 0:1] + p.growth[:, None]
    return np.where(p.employs, np.maximum(p.headcount * per_staff - moves_in, 0.0), 0.0)


def fit_local_ages(response: np.ndarray, base: np.ndarray, local: float,
                   mean_age: float, share_over_55: float, youngest: int = LOCAL_LO[0],
                   share_under_25: float | None = None) -> tuple[int, int, float, np.ndarray]:
    """Local recruits' ages for one (sector, role): (youngest, oldest) of their main range, the
    share of them who are young instead (aged `youngest` to 24: only fitted when the role has a
    `share_under_25` target, else 0), and the stationary age distribution (over AGES, summing
    to 1) closest to the targets.

    `response`: stationary_from_each_age with local recruits' exit rates; `base` [A]: the
    stationary workforce by age of the joiners through the routes whose ages are given; `local`:
    local recruits a year; `youngest`: the youngest age a local recruit may have."""
    # every candidate (lo, hi) at once: the mean of rows lo..hi from prefix sums
    cum = np.vstack([np.zeros(len(AGES)), np.cumsum(response, axis=0)])
    lo = np.array([a for a in LOCAL_LO for _ in LOCAL_SPAN])
    hi = np.array([a + d for a in LOCAL_LO for d in LOCAL_SPAN])
    keep = (hi <= 66) & (lo >= youngest)
    lo, hi = lo[keep], hi[keep]
    rows = (cum[hi - AGE_MIN + 1] - cum[lo - AGE_MIN]) / (hi - lo + 1)[:, None]
    young = np.array([0.0]) if share_under_25 is None or youngest > 24 else YOUNG_SHARES
    young_row = (cum[25 - AGE_MIN] - cum[youngest - AGE_MIN]) / max(25 - youngest, 1)
    n = base[None, None, :] + local * ((1.0 - young)[:, None, None] * rows[None]
                                       + young[:, None, None] * young_row[None, None, :])
    pmf = n / np.maximum(n.sum(axis=2, keepdims=True), 1e-300)          # [young, candidates, A]
    mean = pmf @ AGES
    old = pmf[:, :, AGES >= 55].sum(axis=2)
    miss = ((mean - mean_age) / 5.0) ** 2 + ((old - share_over_55) / 0.05) ** 2
    if share_under_25 is not None:
        miss = miss + ((pmf[:, :, AGES < 25].sum(axis=2) - share_under_25) / 0.03) ** 2
    y, k = np.unravel_index(int(np.argmin(miss)), miss.shape)
    return int(lo[k]), int(hi[k]), float(young[y]), pmf[y, k]


def local_density(lo: int, hi: int, young: float, youngest: int) -> np.ndarray:
    """[A] one local recruit a year: aged `youngest` to 24 with chance `young`, else uniform on
    [lo, hi] (sim.population.draw_local_ages draws the same)."""
    out = (1.0 - young) * uniform_density(lo, hi)
    if young > 0.0:
        out = out + young * uniform_density(youngest, 24)
    return out


def cross_sector_moves(p, leaving: np.ndarray) -> np.ndarray:
    """[S, S', R] workers a year who move from sector s to sector s' in a role at the start: the
    `other_sectors` share of leavers (`leaving` [S, R]: a year, retirements aside), split by the
    other sectors' size and relative pay as in sim.employer_phases.destination_shares (pressure
    equal at the start)."""
    S, R = p.headcount.shape
    out = np.zeros((S, S, R))
    staff = p.headcount.astype(np.float64)
    for s in range(S):
        others = np.where(p.employs & p.employs[s], staff, 0.0)
        others[s] = 0.0
        both = p.employs & p.employs[s]
        pay = np.where(both, p.pay_scale / np.where(p.employs[s], p.pay_scale[s], 1.0), 1.0)
        pull = p.pay_pull * (pay - 1.0)                      # weights as exp(pull), scaled by the
        w = others * np.exp(pull - pull.max(axis=0, keepdims=True))   # largest: no overflow
        w = w / np.maximum(w.sum(axis=0, keepdims=True), 1e-300)
        out[s] = staff[s] * leaving[s] * p.dest_shares[s, 1] * w
    return out


def leaver_ages(p, pmf: np.ndarray, leavers: np.ndarray | None = None) -> np.ndarray:
    """[S, R, A] ages of the workers who leave each (sector, role) for anything but retirement
    (to another sector, another industry or out of the area): `leavers` where the steady state
    has worked them out (sim.steady_state: its new starters, younger, leave more), else a first
    guess from the workforce's ages `pmf` weighted by leaving by age."""
    if leavers is not None:
        return leavers
    out = pmf * p.age_mult[AGES]
    return out / np.maximum(out.sum(axis=2, keepdims=True), 1e-300)


def joiners_by_age(p, pmf: np.ndarray,
                   leavers: np.ndarray | None = None) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Joiners a year by age in a steady state with the workforce's ages `pmf` [S, R, A] (and
    its leavers' ages, `leaver_ages`), for the pools whose ages are not fitted ({route code:
    [S, R, A]}), and the local recruits a year ([S, R]: their ages are what local_age_profiles
    fits). The movers from the other sectors are sim.steady_state.movers_by_route."""
    S, R = p.headcount.shape
    m = p.market
    retire, working = yearly_retirement(p), working_ages(p)
    external = external_hires_per_year(p, pmf)
    retirees = np.zeros(pmf.shape)                  # back at the ages they retire
    others = np.zeros((S, R))                       # hires by the other routes
    for s in range(S):
        back = _ever_back(m.retire_return_within_year[s], m.retiree_drift)   # who ever return
        for r in np.flatnonzero(p.employs[s]):
            retirees[s, r] = float(p.headcount[s, r]) * pmf[s, r] * retire * back * working
            others[s, r] = max(external[s, r] - retirees[s, r].sum(), 0.5 * external[s, r])
    share = np.where(p.route_share.sum(axis=2, keepdims=True) > 0, p.route_share,
                     np.eye(N_ROUTES)[LOCAL_LABOUR])
    by_route = others[:, :, None] * share                                  # [S, R, routes]
    # returners are hired at random from the pool of former staff: its ages are theirs
    _, former, _ = former_staff_steady(former_staff_inflow(p, pmf, leavers), m.former_staff_drift,
                                       by_route[:, :, RETURNERS].sum(axis=0) / WEEKS_PER_YEAR, working)
    former = former / np.maximum(former.sum(axis=1, keepdims=True), 1e-300)
    out = {RETIRE_RETURN: retirees,
           RETURNERS: by_route[:, :, RETURNERS, None] * former[None]}
    for route in (EDUCATION, INTERNATIONAL):
        density = uniform_density(p.age_lo[route], p.age_hi[route])
        out[route] = by_route[:, :, route, None] * density[None, None]
    return out, by_route[:, :, LOCAL_LABOUR]


def age_fit_misses(p, mean_tol: float = 2.5, share_tol: float = 0.05) -> list[str]:
    """What the stationary age structure could not reproduce: one line per (sector, role) whose
    mean age or share aged 55+ is further than the tolerances from the system's. One age range
    of local recruits cannot give every mix (a young workforce with many aged 55+); the fit
    keeps the share aged 55+ first. The default's cells are within 2 years and 1 point."""
    out = []
    for s, r in np.argwhere(p.employs):
        pmf = p.age_pmf[s, r]
        if pmf.sum() <= 0 or p.headcount[s, r] <= 0:     # nobody to draw (a role with no staff)
            continue
        mean, old = float(pmf @ AGES), float(pmf[AGES >= 55].sum())
        want_mean, want_old = float(p.mean_age[s, r]), float(p.share_over_55[s, r])
        if abs(mean - want_mean) > mean_tol or abs(old - want_old) > share_tol:
            out.append(f"{SECTORS[s]} {p.roles[r]}: mean age {want_mean:.1f} with {want_old:.0%} "
                       f"aged 55+ is not a steady state of the model's flows; the workforce starts "
                       f"at mean age {mean:.1f} with {old:.0%} aged 55+")
        young, want_young = float(pmf[AGES < 25].sum()), float(p.share_under_25[s, r])
        if not np.isnan(want_young) and abs(young - want_young) > share_tol:
            out.append(f"{SECTORS[s]} {p.roles[r]}: {want_young:.0%} aged under 25 is not a steady "
                       f"state of the model's flows with its mean age and share aged 55+; the "
                       f"workforce starts with {young:.0%}")
    return out


def former_staff_inflow(p, pmf: np.ndarray, leavers: np.ndarray | None = None) -> np.ndarray:
    """[R, A] leavers a week who join the pool of former staff (those who leave for another
    industry), by role and age, with the workforce's ages `pmf` [S, R, A] and its leavers'
    (`leaver_ages`). Overseas recruits still tied to their sponsor leave the country instead
    (sim.kernels.choose_destinations), so their share of the leavers is taken out (spread over
    all ages: they are younger, so the pool's youngest are a little over-counted)."""
    leaving, _ = leaving_rates(p, pmf)
    staff = p.headcount.astype(np.float64)
    other_industry = staff * leaving * p.dest_shares[:, 2:3] * (1.0 - sponsored_share_of_leavers(p, pmf))
    return np.einsum("sr,sra->ra", other_industry, leaver_ages(p, pmf, leavers)) / WEEKS_PER_YEAR


def overseas_exit_rate(p, pmf: np.ndarray) -> np.ndarray:
    """[S, R] yearly rate at which an overseas recruit leaves the system after their first year
    (in it, at the first-year multiplier), with the workforce's ages `pmf` [S, R, A]: turnover x
    the route's leave multiplier x the share of leavers who leave the system (retiring, or the
    observed shares to another industry or out of the area). A recruit who moves employer stays
    tied and in the system, so sponsorship years run from arrival, not from joining an employer."""
    retiring = (pmf * yearly_retirement(p)).sum(axis=2)
    retire_share = np.clip(retiring / np.maximum(p.turnover, 1e-9), 0.0, 1.0)
    exits = p.dest_shares[:, 2] + p.dest_shares[:, 3]                      # [S]
    rate = p.turnover * p.route_mult[INTERNATIONAL] * (retire_share + (1.0 - retire_share) * exits[:, None])
    return np.maximum(rate, 1e-9)


def sponsored_share_of_leavers(p, pmf: np.ndarray) -> np.ndarray:
    """[S, R] share of the leavers (retirements aside) who are overseas recruits still within
    their sponsorship years. In a steady state a route's share of the leavers is its share of
    the hires from outside (`route_share`: overseas recruits stay longer, but their stock is
    larger by as much); of an overseas recruit's leaving the system, the part within the
    sponsorship years of their arrival is 1 - their chance of staying that long
    (`overseas_exit_rate`; with the time with an employer instead, the nurses' pool of former
    staff grew 8.5% in ten years)."""
    years = p.market.sponsorship_weeks / WEEKS_PER_YEAR
    lam = overseas_exit_rate(p, pmf)
    m = p.first_year_multiplier
    staying = np.exp(-m * lam * min(years, 1.0)) * np.exp(-lam * max(years - 1.0, 0.0))
    share = p.route_share[:, :, INTERNATIONAL] / np.maximum(p.route_share.sum(axis=2), 1e-300)
    return np.where(p.employs, share * (1.0 - staying), 0.0)


def former_staff_steady(inflow: np.ndarray, drift: float, needed: np.ndarray,
                        working: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pool of former staff in its steady state at the start of a year and on average over
    the year, by role and age ([R, A] each: returners are hired from it at random, so the second
    is their ages), and the weekly chance h [R] a person in it is hired back that gives `needed`
    hires a week (at most 90% of what the pool could give).

    `inflow` [R, A]: leavers a week joining it, by age. People in the pool leave it at
    `drift` + h a week and are a year older at each year's end, when those past working age
    leave (sim.pools.age_one_year): so it is older and smaller than inflow / (drift + h)."""
    R, A = inflow.shape

    def steady(x):                        # [R] weekly exit -> stocks at the year's start and end
        keep = (1.0 - x) ** WEEKS_PER_YEAR                                  # [R]
        joined = inflow * ((1.0 - keep) / np.maximum(x, 1e-12))[:, None]    # a year's, kept
        start = np.zeros((R, A))
        for _ in range(A):                # a person ages through every age at most once
            end = start * keep[:, None] + joined
            start = np.zeros((R, A))
            start[:, 1:] = end[:, :-1]
            start[:, ~working] = 0.0
        return start, start * keep[:, None] + joined

    def mean_stock(x):
        start, end = steady(x)
        return 0.5 * (start + end).sum(axis=1)

    top = 1.0 - drift                     # bisection on h, every role at once
    want = np.minimum(np.maximum(needed, 0.0), 0.9 * top * mean_stock(np.full(R, drift + top)))
    lo, hi = np.zeros(R), np.full(R, top)
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        short = mid * mean_stock(drift + mid) < want
        lo, hi = np.where(short, mid, lo), np.where(short, hi, mid)
    h = np.where(want > 0, 0.5 * (lo + hi), 0.0)
    start, end = steady(drift + h)
    return start, 0.5 * (start + end), h


def retire_return_share(p) -> np.ndarray:
    """[S, R] share of the hires from outside the system, in a steady state, that are retirees
    coming back (sim.pools: a known share of retirees return; the other routes replace the rest)."""
    m = p.market
    retiring = p.headcount * (p.age_pmf * yearly_retirement(p)).sum(axis=2)    # [S, R] a year
    back = np.array([_ever_back(share, m.retiree_drift) for share in m.retire_return_within_year])
    hires = external_hires_per_year(p, p.age_pmf)
    return np.clip(retiring * back[:, None] / np.maximum(hires, 1e-9), 0.0, 0.7)


def _ever_back(within_year: float, drift: float) -> float:
    h = hazard_within_year(within_year, drift)
    return h / (h + drift) if h + drift > 0 else 0.0


def draw_ages(u: np.ndarray, pmf: np.ndarray, cell: np.ndarray | None = None) -> np.ndarray:
    """Ages by inverse CDF: u[i] uniform; `pmf` one distribution over AGES, or one per cell
    ([C, A]) with `cell[i]` the worker's (one cell at a time: no [workers, ages] table)."""
    if cell is None:
        idx = np.searchsorted(np.cumsum(pmf), u, side="right")
    else:
        idx = np.empty(len(u), np.int64)
        for c in np.unique(cell):
            sel = cell == c
            idx[sel] = np.searchsorted(np.cumsum(pmf[c]), u[sel], side="right")
    return AGES[np.minimum(idx, len(AGES) - 1)]
