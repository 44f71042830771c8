"""Matching applicants with open posts (phase 6).

Applicants are the pools' applications this week (sim.pools) and the workers looking for another
job in the system (job-to-job searchers, chosen in phase 4). In each (sector, role) an application
ends in a hire with the chance

    q = min(1, mu * (open posts / applicants) ** (1 - e))

so hires = q * applicants ~ mu * applicants**e * openings**(1 - e): a matching function with
elasticity e (`behaviour.matching.elasticity`). Fewer applicants (a closed route, a smaller pool)
mean fewer hires and more vacancies; more openings mean more hires from the same applicants. `mu`
is set at the start so that q equals `behaviour.matching.acceptance` at the observed vacancy rate,
times the fitted `calibration.fill` and this week's `fill_mult` lever.

Openings are counted for a sector as a whole (`net_openings`: one employer's extra staff offset
another's gap); they are filled at employers in proportion to each one's own open posts.
Searchers are placed first (they are already in post and move at once), each at an employer of
their target sector drawn in proportion to its open posts (their own employer excluded); then the
pools' hires fill the posts left, each post with the chance that gives q x the pools' applications
on average (at most the sector's openings), and each hire's route drawn from the mix of
applications.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from sim.codes import FTE_UNIT
from sim.employer_phases import by_sector
from sim.kernels import pick_employer
from sim.params import Params
from sim.rng import S_MATCH, uniform


def open_posts(p: Params, st) -> np.ndarray:
    """[E, R] vacant posts not yet offered to anyone, in posts of the role's mean FTE."""
    s = p.employer_sector
    mean_units = p.mean_fte_units[s]
    open_units = st.establishment * FTE_UNIT - st.fte_units - st.pending_units
    return np.where(p.employs[s], np.maximum(open_units, 0.0) / np.maximum(mean_units, 1), 0.0)


def net_openings(p: Params, st) -> np.ndarray:
    """[S, R] posts a sector still needs for a role: its employers' establishment less staff in
    post and hires on their way, summed over employers (one employer's extra staff offset another's
    gap) and at least zero. A hire brings a whole person into a part of a post, so some employers end
    up above their establishment; hiring for the sector as a whole stops when the sector is full,
    so staff in post follows funded posts instead of ratcheting above them."""
    s = p.employer_sector
    units = st.establishment * FTE_UNIT - st.fte_units - st.pending_units
    posts = np.where(p.employs[s], units / np.maximum(p.mean_fte_units[s], 1), 0.0)
    return np.maximum(by_sector(p, posts), 0.0)


def efficiency(p: Params, openings: np.ndarray, applications: np.ndarray) -> np.ndarray:
    """[S, R] mu such that q = acceptance at these openings and applications (the start)."""
    ratio = applications / np.maximum(openings, 1e-9)
    return p.market.acceptance * ratio ** (1.0 - p.market.elasticity)


def acceptance(p: Params, mu: np.ndarray, openings: np.ndarray, applications: np.ndarray,
               fill_mult: np.ndarray | None = None) -> np.ndarray:
    """[S, R] chance that one application this week ends in a hire."""
    m = mu * p.match_factor if fill_mult is None else mu * p.match_factor * fill_mult
    tight = np.where(applications > 0, openings / np.maximum(applications, 1e-300), 0.0)
    q = m * tight ** (1.0 - p.market.elasticity)
    return np.where((openings > 0) & (applications > 0), np.minimum(q, 1.0), 0.0)


@nb.njit(cache=True)
def place_searchers(seed, week, ids, target, employer, role, q, open_cum, sector_first):
    """New employer (-1: no offer this week) for each searcher, in worker-id order. A searcher
    gets an offer with chance q[target, role]; the employer is drawn in proportion to its open
    posts for the role in the target sector (the searcher's own employer cut out), from the
    week's snapshot `open_cum[r]` (prefix sums over employers)."""
    n = ids.shape[0]
    out = np.full(n, -1, np.int32)
    for j in range(n):
        d = target[j]
        r = role[j]
        u = uniform(seed, week, ids[j], S_MATCH)
        if u >= q[d, r]:
            continue
        lo, hi = sector_first[d], sector_first[d + 1]
        cum = open_cum[r]
        total = cum[hi] - cum[lo]
        skip = -1
        own = employer[j]
        if lo <= own < hi:
            skip = own
            total = total - (cum[own + 1] - cum[own])
        if total <= 0.0 or hi <= lo:
            continue
        x = u / q[d, r]                          # uniform again, given the offer
        out[j] = pick_employer(cum, lo, hi, skip, cum[lo] + x * total)
    return out


def open_prefix(open_er: np.ndarray) -> np.ndarray:
    """[R, E+1] prefix sums of open posts over employers."""
    out = np.zeros((open_er.shape[1], open_er.shape[0] + 1))
    out[:, 1:] = np.cumsum(open_er.T, axis=1)
    return out
