"""The workforce in a steady state, by route into the system and age: what a run starts from.

Each route's joiners arrive at their ages (sim.ages: graduates and overseas recruits in their
ranges, returners and retirees at the ages of their pools, movers at their sector's leavers')
and leave at the role's rate for their age times their route's multiplier: overseas recruits
leave at x0.73, so they stay to older ages and are more of the workforce than of its joiners.
A worker's first year with an employer has the kernels' higher leave rate, and a move between
the sector's employers starts another. Local recruits' ages are fitted so that the whole has
the system file's age targets. The starting workforce's ages and routes in are drawn together
from the stationary workforce this gives (sim.population), so that neither drifts as the run
goes on.
Counting every route at the role's mean rate and a first year only on joining the sector, the
default's acute workforce moved 0.8 points of its share aged 25-34 to the 45-54s between years 2
and 9-10 without growth, and its overseas recruits' mean age moved by up to 2.8 years (8 and 4
seeds; tests/test_steady_state.py).
"""
from __future__ import annotations

import math

import numpy as np

from sim.ages import (
    AGES,
    LOCAL_LO,
    cross_sector_moves,
    fit_local_ages,
    in_post_ages,
    joiners_by_age,
    leaver_ages,
    leaving_rates,
    local_density,
    stationary_from_each_age,
    uniform_density,
    yearly_retirement,
)
from sim.codes import EDUCATION, INTERNATIONAL, LOCAL_LABOUR, N_ROUTES, RETIRE_RETURN, RETURNERS
from sim.routes_in import stock_inflow_mix
from sim.tenures import first_year_hazard_split

ROUNDS = 6          # of the fixed point: the ages change by less than 1e-4 of a share after it


def local_age_profiles(p) -> tuple[np.ndarray, ...]:
    """Per (sector, role): youngest and oldest age of local recruits' main range, the share of
    them who are young instead and the youngest age they may have (sim.ages.local_density), the
    stationary age distribution the starting workforce is drawn from ([S, R, A]), its workers by
    route in and age ([S, R, N_ROUTES, A], summing to 1), and the ages of its leavers (retirement
    aside, [S, R, A] summing to 1: `_leavers_by_age`).

    Joiners a year by age: the observed route shares of the hires that replace the leavers to
    outside the system (graduates and overseas recruits at their ages; returners at the ages of
    the pool of former staff they are hired from, in its steady state; local recruits fitted),
    the retirees who come back (at the ages they retire) and the workers who move in
    from the other sectors (at their sector's ages, with its joiners' routes in); leavers to
    outside the system and to other sectors are the exits. Each route's people leave at their
    route's multiplier (overseas recruits stay longer), the mean over the workforce being the
    role's rate. Retirees', returners' and movers' ages depend on the workforces' own ages and
    their leavers', so the fit is repeated until they agree."""
    S, R = p.headcount.shape
    lo = np.full((S, R), 18, np.int64)
    hi = np.full((S, R), 60, np.int64)
    young = np.zeros((S, R))
    retire = yearly_retirement(p)
    in_post = in_post_ages(p)
    # a registered role's local recruits (qualified people not working in the system) are no
    # younger than its graduates: fitted freely, the default's acute doctors' were 16-43 and its
    # AHPs' 16-53, so the run hired doctors aged 16-20
    youngest = np.where(p.training_intake >= 0, p.age_lo[EDUCATION], LOCAL_LO[0])
    pmf = np.broadcast_to(uniform_density(18, 64), (S, R, len(AGES))).copy()
    by_route = np.zeros((S, R, N_ROUTES, len(AGES)))       # the stationary workforce by route in
    mean_mult = np.ones((S, R))                            # its mean route multiplier
    leavers = None                                         # first guess: sim.ages.leaver_ages
    for _ in range(ROUNDS):
        leaving, rel_mult = leaving_rates(p, pmf)
        joiners, local = joiners_by_age(p, pmf, leavers)
        arriving = movers_by_route(p, pmf, leaving, leavers)        # [S, R, N_ROUTES, A]
        new_leavers = np.zeros(pmf.shape)
        for k in (EDUCATION, INTERNATIONAL, RETURNERS, RETIRE_RETURN):
            arriving[:, :, k] += joiners[k]
        new = pmf.copy()
        for s in range(S):
            outside = p.dest_shares[s, 2] + p.dest_shares[s, 3]   # other industry, left the area
            exits = outside + p.dest_shares[s, 1]   # to outside the system and to other sectors
            for r in np.flatnonzero(p.employs[s]):
                first, later = _first_and_later(leaving[s, r] / mean_mult[s, r], p.first_year_multiplier,
                                                p.dest_shares[s, 0])
                first_rate, later_rate = first * exits * rel_mult[s, r], later * exits * rel_mult[s, r]
                response = _responses(first_rate, later_rate, retire, p.route_mult)
                stock = np.stack([arriving[s, r, k] @ response[k] for k in range(N_ROUTES)])
                under_25 = float(p.share_under_25[s, r])
                lo[s, r], hi[s, r], young[s, r], fitted = fit_local_ages(
                    response[LOCAL_LABOUR], stock.sum(axis=0), local[s, r],
                    float(p.mean_age[s, r]), float(p.share_over_55[s, r]), youngest=int(youngest[r]),
                    share_under_25=None if np.isnan(under_25) else under_25)
                arrivals = arriving[s, r].copy()
                arrivals[LOCAL_LABOUR] += local[s, r] * local_density(lo[s, r], hi[s, r], young[s, r],
                                                                      int(youngest[r]))
                stock[LOCAL_LABOUR] = arrivals[LOCAL_LABOUR] @ response[LOCAL_LABOUR]
                new_leavers[s, r] = _leavers_by_age(arrivals, response, first_rate, later_rate, retire,
                                                    p.route_mult)
                stock = stock * in_post
                by_route[s, r] = stock
                total = max(stock.sum(), 1e-300)
                mean_mult[s, r] = float(stock.sum(axis=1) @ p.route_mult) / total
                new[s, r] = fitted * in_post / max((fitted * in_post).sum(), 1e-300)
        pmf = new
        leavers = new_leavers / np.maximum(new_leavers.sum(axis=2, keepdims=True), 1e-300)
    young_lo = np.broadcast_to(youngest, (S, R)).astype(np.int64)
    joint = by_route / np.maximum(by_route.sum(axis=(2, 3), keepdims=True), 1e-300)
    return (lo, hi, young, young_lo, np.where(p.employs[:, :, None], pmf, 0.0),
            np.where(p.employs[:, :, None, None], joint, 0.0),
            np.where(p.employs[:, :, None], leavers, 0.0))


def _leavers_by_age(arrivals: np.ndarray, response: list[np.ndarray], first: np.ndarray,
                    later: np.ndarray, retire: np.ndarray, route_mult: np.ndarray) -> np.ndarray:
    """[A] leavers a year by age (retirement aside) of a steady state with `arrivals` [N_ROUTES,
    A] a year, whose people are counted by `response` (`_responses` with the leave rates a year
    `first` and `later`, retiring with the chances `retire`). One who arrives at a0 is counted at
    a0 + 1 after half a year, then at each birthday: the people lost between two counts left at
    the age of the first (everyone is a year older at the year's end), by leaving or retiring in
    proportion to the two hazards (their first half year at the first-year rate, the next year
    half at it). The first guess, the workforce's ages weighted by leaving by age, missed the new
    starters, younger, who leave more: the default's movers between sectors were 0.7-1.3 years
    younger in the run than it assumed (4 seeds, years 2-6 without growth)."""
    A = retire.shape[0]
    row, col = np.arange(A)[:, None], np.arange(A)[None, :]
    retire_h = -np.log(np.maximum(1.0 - retire, 1e-300))
    out = np.zeros(A)
    for k, m in enumerate(route_mult):
        if not arrivals[k].any():
            continue
        counted = response[k].copy()
        counted[np.arange(A), np.arange(A)] = 1.0                     # on arrival
        after = np.concatenate([counted[:, 1:], np.zeros((A, 1))], axis=1)
        lost = np.where(col >= row, counted - after, 0.0)
        leave_h = np.where(col == row, first[None, :],
                           np.where(col == row + 1, 0.5 * (first + later)[None, :], later[None, :])) * m
        share = leave_h / np.maximum(leave_h + retire_h[None, :], 1e-300)
        out += arrivals[k] @ (lost * share)
    return np.maximum(out, 0.0)


def _first_and_later(leaving: float, first_year_multiplier: float, within: float) -> tuple[float, float]:
    """Leave rates a year (all leaving but retirement) in a worker's first year in the (sector,
    role) and after it, whose mean over the workforce is `leaving`. The kernels' first year is the
    first with an employer: the rate after it, h0, comes from the times in post that give this
    turnover (sim.tenures), and a move to another employer of the sector (a share `within` of
    leaving) starts a first year again, so later years have some of it too. Counted as `leaving`
    after the first year and more in it, with rates taken as chances, the exits of acute doctors
    and care workers aged 25-54 were about a sixth more than the run's (the same workers a year
    on), which kept its workers longer: the workforce aged as the run went on."""
    h0 = float(first_year_hazard_split(np.array([leaving]), first_year_multiplier)[0])
    restarted = 1.0 - math.exp(-h0 * within)     # share of a later year within a year of a move
    return h0 * first_year_multiplier, h0 * (1.0 + (first_year_multiplier - 1.0) * restarted)


def _responses(first: np.ndarray, later: np.ndarray, retire: np.ndarray,
               route_mult: np.ndarray) -> list[np.ndarray]:
    """stationary_from_each_age for the joiners of each route, who leave at the rates a year
    `first` [A] in their first year and `later` [A] after it (retirement aside) times their
    route's multiplier, and retire with the chances `retire` [A]."""
    out: dict[float, np.ndarray] = {}
    for m in np.unique(route_mult):
        leave_first = 1.0 - np.exp(-first * m)           # rates to chances within a year
        leave_later = 1.0 - np.exp(-later * m)
        exit_yearly = 1.0 - (1.0 - leave_later) * (1.0 - retire)
        exit_first = 1.0 - (1.0 - leave_first) * (1.0 - retire)
        out[float(m)] = stationary_from_each_age(exit_yearly, exit_first)
    return [out[float(m)] for m in route_mult]


def movers_by_route(p, pmf: np.ndarray, leaving: np.ndarray, leavers: np.ndarray | None = None) -> np.ndarray:
    """[S, R, N_ROUTES, A] workers a year who move in from the other sectors, by the route they
    came into the system by and age: a sector's leavers are in the route mix of its joiners (in a
    steady state a route's share of the leavers is its share of the joiners: sim.routes_in), at
    the ages of its leavers (sim.ages.leaver_ages, `leavers`); `leaving` [S, R]: leave rates a
    year (sim.ages.leaving_rates with these ages)."""
    moves = cross_sector_moves(p, leaving)                                         # [S, S', R]
    mix = stock_inflow_mix(p, pmf)[0]                                              # [S, R, K]
    return np.einsum("tsr,trk,tra->srka", moves, mix, leaver_ages(p, pmf, leavers))
