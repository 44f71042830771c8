"""Employer-level phases: demand, pressure, where leavers look for work, and cover.

Pure functions over per-(employer, role) arrays, shared by the kernel engine and the
reference model. Arrays are indexed [e, r] (E employers x R roles) unless said otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from sim.codes import DEST_LEFT_AREA, FTE_UNIT, N_DESTINATIONS, N_SECTORS, WEEKS_PER_YEAR
from sim.params import Params, winter_factor
from sim.timeline import Compounding

MAX_PRESSURE = 3.0
MAX_EXPONENT = 700.0  # exp(700) ~ 1e304: a few such weights still sum to a finite number


@dataclass
class EmployerState:
    """Stocks and money per (employer, role), updated each week."""

    establishment0: np.ndarray            # FTE at the start
    establishment: np.ndarray             # FTE this week
    headcount: np.ndarray                 # int64
    fte_units: np.ndarray                 # int64, hundredths
    sick_units: np.ndarray
    burnout_units: np.ndarray
    pending_units: np.ndarray             # FTE (hundredths) of hires agreed but not yet started
    bank_fte: np.ndarray
    agency_fte: np.ndarray
    bank_cost: np.ndarray                 # GBP this week (employers' bank and any system hub)
    agency_cost: np.ndarray
    capacity: np.ndarray                  # FTE working: in post - sick + bank + agency
    pressure: np.ndarray
    pay_scale: np.ndarray                 # [S, R] GBP a year, after pay awards
    high_burnout: np.ndarray | None = None  # [E, R, thresholds] workers at or above each threshold
    hub_fte: np.ndarray | None = None     # FTE of the bank cover that came from a system hub
    growth: Compounding | None = None     # [S] funded growth since the start (sim.timeline)

    def set_stocks(self, agg: np.ndarray, n_roles: int) -> None:
        """From sim.kernels.aggregate's [E*R, counters] table."""
        E = self.establishment.shape[0]
        cells = agg.reshape(E, n_roles, agg.shape[1])
        self.headcount, self.fte_units, self.sick_units, self.burnout_units = (
            cells[:, :, k].copy() for k in range(4))
        self.high_burnout = cells[:, :, 4:].copy()

    def move(self, old: np.ndarray, new: np.ndarray, role: np.ndarray, fte_old: np.ndarray,
             fte_new: np.ndarray, burnout: np.ndarray, sick: np.ndarray, thresholds: np.ndarray) -> None:
        """Workers leave (employer `old`, `role`) with their FTE, burnout and sickness and join
        (`new`, `role`) with FTE `fte_new`, well: the stocks as `aggregate` would count them."""
        _move_stocks(self.headcount, self.fte_units, self.sick_units, self.burnout_units,
                     self.high_burnout, old.astype(np.int64), new.astype(np.int64),
                     role.astype(np.int64), fte_old.astype(np.int64), fte_new.astype(np.int64),
                     burnout.astype(np.int64), sick.astype(np.int64), thresholds)


@nb.njit(cache=True)
def _move_stocks(headcount, fte_units, sick_units, burnout_units, high, old, new, role, fte_old,
                 fte_new, burnout, sick, thresholds):
    """One compiled pass for the nine table updates of a week's moves (integer sums: the order
    of the additions does not matter). An employer or role out of range raises."""
    E, R = headcount.shape
    for k in range(old.shape[0]):
        a, b, r = old[k], new[k], role[k]
        if a < 0 or a >= E or b < 0 or b >= E or r < 0 or r >= R:
            raise ValueError("move: employer or role out of range")
        headcount[a, r] -= 1
        headcount[b, r] += 1
        fte_units[a, r] -= fte_old[k]
        fte_units[b, r] += fte_new[k]
        sick_units[a, r] -= fte_old[k] * sick[k]     # movers start well
        burnout_units[a, r] -= burnout[k]
        burnout_units[b, r] += burnout[k]
        for t in range(thresholds.shape[0]):
            if burnout[k] >= thresholds[t]:
                high[a, r, t] -= 1
                high[b, r, t] += 1


def by_sector(p: Params, values: np.ndarray) -> np.ndarray:
    """[E, R] -> [S, R] sums (employers are stored contiguously by sector)."""
    return _sums_by_sector(values, p.sector_first)


@nb.njit(cache=True)
def _sums_by_sector(values, first):
    """Called a dozen times a week on small tables: compiled, the call is what it costs."""
    out = np.zeros((first.shape[0] - 1, values.shape[1]))
    for s in range(first.shape[0] - 1):
        for e in range(first[s], first[s + 1]):
            for r in range(values.shape[1]):
                out[s, r] += values[e, r]
    return out


def establishment(p: Params, st: EmployerState, week: int) -> np.ndarray:
    """Phase 1: funded FTE grows with demand and rises in winter."""
    s = p.employer_sector
    growth = st.growth.value(week)[s]
    surge = 1.0 + p.winter_surge[s] * winter_factor(p, week)
    return st.establishment0 * (growth * surge)[:, None]


def yearly_surge(p: Params) -> np.ndarray:
    """[S] the winter surge's factor on funded posts, averaged over the first year's weeks."""
    wf = np.mean([winter_factor(p, w) for w in range(WEEKS_PER_YEAR)])
    return 1.0 + p.winter_surge * wf


def starting_state(p: Params, stocks: np.ndarray) -> EmployerState:
    """The employers at the start, from the starting workforce's `sim.kernels.aggregate` table
    (bank and agency cover not yet set: `cover`).

    Funded posts: staff in post plus a vacancy rate, a year's mean, so net of the winter surge's
    mean over the year (not of the first week's): with the first week at the target, the year's
    mean funded posts would sit above it. The rate is the target times the fitted
    `calibration.start_vacancy` (`Params.start_vacancy`): staff in post also move within a year
    (more retire after the year's birthdays, graduates start in the autumn), so the first year's
    mean vacancy is not the one at the starting staff."""
    E, R = p.n_employers, p.n_roles
    zero = np.zeros((E, R))
    st = EmployerState(
        establishment0=zero, establishment=zero, headcount=zero, fte_units=zero,
        sick_units=zero, burnout_units=zero, pending_units=zero.copy(), bank_fte=zero,
        agency_fte=zero, bank_cost=zero, agency_cost=zero, capacity=zero, pressure=zero,
        pay_scale=p.pay_scale.copy(), growth=Compounding(np.ones(N_SECTORS), p.growth.copy()))
    st.set_stocks(stocks, R)
    vacancy = p.start_vacancy[p.employer_sector]                 # [E, R]
    surge = yearly_surge(p)[p.employer_sector][:, None]
    st.establishment0 = st.fte_units / FTE_UNIT / (1.0 - vacancy) / surge
    st.establishment = establishment(p, st, 0)
    return st


def observed_establishment(p: Params, st: EmployerState) -> np.ndarray:
    """[E, R] funded posts at the target vacancy rate (a year's mean) for the starting staff:
    the market the matching is set in (sim.labour_market)."""
    return st.fte_units / FTE_UNIT / (1.0 - p.vacancy[p.employer_sector])


def pressure(st: EmployerState) -> np.ndarray:
    """Phase 2: work needed over last week's effective capacity (1 where nothing is needed)."""
    est, cap = st.establishment, st.capacity
    out = np.where(cap > 0, est / np.maximum(cap, 1e-9), np.where(est > 0, MAX_PRESSURE, 1.0))
    return np.minimum(out, MAX_PRESSURE)


def pay_multiplier(p: Params, st: EmployerState) -> np.ndarray:
    """[S, R] leave-hazard multiplier: 1 + sensitivity * shortfall against the best-paying
    sector for the role (the pull of better pay elsewhere in the system)."""
    best = np.where(p.employs, st.pay_scale, 0.0).max(axis=0)
    short = np.where(p.employs, 1.0 - st.pay_scale / np.maximum(best, 1e-9), 0.0)
    return 1.0 + p.pay_sensitivity * np.maximum(short, 0.0)


def vacancy_fte(st: EmployerState) -> np.ndarray:
    """Vacant FTE as the statistic counts it: funded establishment minus FTE in post."""
    return np.maximum(st.establishment - st.fte_units / FTE_UNIT, 0.0)


def open_posts_fte(st: EmployerState) -> np.ndarray:
    """Vacant FTE not yet offered to anyone (hires agreed but not started are taken off)."""
    return np.maximum(st.establishment - (st.fte_units + st.pending_units) / FTE_UNIT, 0.0)


def destination_shares(p: Params, st: EmployerState) -> np.ndarray:
    """[S, R, D] cumulative probabilities of each choice of a leaver who is not retiring: a
    sector to look for another job in (codes.SECTORS), another industry, or leaving the area.

    A sector d other than the leaver's own gets the sector's `other_sectors` share times d's
    share of the role's staff, times exp(pay_pull * (relative pay - 1)) and
    exp(-pressure_push * (pressure - 1)): better pay elsewhere draws more people across (the
    main flow is social care -> NHS), and a pay rise at home (pay parity) draws fewer away.
    The weights are then normalised with the exits. Whether a search ends in a move depends on
    the openings there (sim.matching)."""
    S = N_SECTORS
    size = by_sector(p, st.headcount)                                       # [S', R]
    est = by_sector(p, st.establishment).sum(axis=1)
    cap = by_sector(p, st.capacity).sum(axis=1)
    sector_pressure = np.where(cap > 0, est / np.maximum(cap, 1e-9), 1.0)
    push = np.exp(-p.pressure_push * (sector_pressure - 1.0))[:, None]     # [S', 1]
    # every array below is [S (the leaver's sector), S' (where they might look), R]
    both = p.employs[None, :, :] & p.employs[:, None, :]
    others = np.where(both, size[None, :, :], 0.0)
    others[np.arange(S), np.arange(S)] = 0.0
    share = others / np.maximum(others.sum(axis=1, keepdims=True), 1e-300)
    pay = st.pay_scale
    rel_pay = np.where(both, pay[None, :, :] / np.where(both, pay[:, None, :], 1.0), 1.0)
    # the exponent is capped where exp() would overflow (pay far apart after decades of
    # different awards): infinite weights would make every share NaN
    attract = share * np.exp(np.minimum(p.pay_pull * (rel_pay - 1.0), MAX_EXPONENT)) * push[None]
    w = np.zeros((S, p.n_roles, N_DESTINATIONS))
    w[:, :, :S] = (p.dest_shares[:, 1, None, None] * attract).transpose(0, 2, 1)
    w[np.arange(S), :, np.arange(S)] = p.dest_shares[:, 0, None]
    # Only a share of searchers (the acceptance at the start) find a job in a given week; the
    # others stay. Weighting the search up by its inverse makes the moves, at the start, the
    # observed share of leavers (`destinations`).
    w[:, :, :S] /= p.market.acceptance
    w[:, :, S] = p.dest_shares[:, 2, None]          # other industry
    w[:, :, S + 2] = p.dest_shares[:, 3, None]      # left the area (retirement is drawn apart)
    w /= np.maximum(w.sum(axis=2, keepdims=True), 1e-300)
    cum = np.cumsum(w, axis=2)
    cum[..., DEST_LEFT_AREA:] = 1.0   # the last choice drawn takes any rounding left over
    return cum


def cover(p: Params, st: EmployerState, lv) -> None:
    """Phase 8: employers' bank staff fill a share of the gap left by vacancies and sickness;
    a system hub (if a programme runs one) fills a share of what remains, up to its pool; then
    agency fills a share of the rest (under any cap); what is left is felt as pressure.
    `lv` holds this week's levers (sim.levers.Levers)."""
    s = p.employer_sector
    available = (st.fte_units - st.sick_units) / FTE_UNIT
    gap = np.maximum(st.establishment - available, 0.0)
    bank = lv.bank_share[s][:, None] * gap
    hub = np.zeros_like(gap)
    if lv.hub_fte > 0:
        want = lv.hub_share[s][:, None] * (gap - bank)
        total = want.sum()
        hub = want * min(1.0, lv.hub_fte / total) if total > 0 else hub
    agency = lv.agency_share[s][:, None] * (gap - bank - hub)
    capped = np.isfinite(lv.agency_cap[s])[:, None]
    agency = np.where(capped, np.minimum(agency, np.where(capped, lv.agency_cap[s][:, None], 0.0)
                                         * st.establishment), agency)
    weekly_pay = st.pay_scale[s] / WEEKS_PER_YEAR
    st.bank_fte, st.agency_fte = bank + hub, agency
    st.hub_fte = hub
    st.bank_cost = (bank * lv.bank_premium[s][:, None] + hub * lv.hub_premium) * weekly_pay
    st.agency_cost = agency * weekly_pay * p.agency_premium[s][:, None]
    st.capacity = available + bank + hub + agency
