"""Numba kernels: pure functions over the worker arrays.

- `weekly_update` runs phases 3-5 for every worker (flexible working, burnout, sickness, the
  decision to leave). It is the hot loop: parallel over workers, no reductions, every draw
  keyed by (seed, week, worker id, stream), so 1 or N threads give identical results.
- `aggregate` sums stocks per (employer, role) serially in integer units: exact, and
  independent of thread count and row order.
- `choose_destinations` handles the few leavers (a fraction of a percent a week) in a second
  pass, in worker-id order.
- `count_fills` draws how many vacant posts are filled this week.

`sim/reference.py` writes the same rules per agent in plain Python; the docking test holds
the two to identical results. Keep the arithmetic order identical in both when editing.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from sim.codes import (
    DEST_OTHER_INDUSTRY,
    DEST_RETIRED,
    FIRST_YEAR_WEEKS,
    FLEX_MET,
    FLEX_NONE,
    FLEX_UNMET,
    MAX_WEEKS,
    N_SECTORS,
)
from sim.rng import (
    S_BURNOUT,
    S_DESTINATION,
    S_EMPLOYER,
    S_FILL,
    S_FLEX,
    S_LEAVE,
    S_SICK,
    key_state,
    uniform,
    uniform_from,
)
from sim.workers import BURNOUT_UNIT


@nb.njit(inline="always")
def next_flex(f, u, grant, wish, lapse):
    if f == FLEX_UNMET:
        if u < grant:
            return FLEX_MET
    elif f == FLEX_NONE:
        if u < wish:
            return FLEX_UNMET
    elif u < lapse:
        return FLEX_NONE
    return f


@nb.njit(inline="always")
def next_burnout(units, pressure, unmet, u, rise, recovery, noise, base_stress, pw, fw):
    b = units / BURNOUT_UNIT
    stress = base_stress
    if pressure > 1.0:
        stress = stress + pw * (pressure - 1.0)
    if unmet:
        stress = stress + fw
    b = b + rise * stress - recovery * b + noise * (u - 0.5)
    if b < 0.0:
        b = 0.0
    elif b > 1.0:
        b = 1.0
    return np.uint16(np.floor(b * BURNOUT_UNIT + 0.5))


@nb.njit(inline="always")
def leave_hazard(rules, x, s, r, cell, burnout, unmet, tenure, route):
    """Weekly chance of leaving the employer for any reason but retirement."""
    h = rules.leave_base[s, r] * (1.0 + rules.leave_burnout_weight * burnout) * x.pay_mult[s, r] \
        * x.leave_mult[cell]
    if unmet:
        h = h * rules.unmet_flex_multiplier
    if tenure < FIRST_YEAR_WEEKS:
        h = h * rules.first_year_multiplier
    if tenure < x.support_weeks[route]:  # in-role support of a programme's recruits
        h = h * x.support_mult[route]
    return h


@nb.njit(parallel=True, error_model="numpy", cache=True)
def weekly_update(seed, n_roles, w, rules, x, leaving):
    """Phases 3-5 for every live row of the worker columns `w` (sim.workers.WorkerColumns),
    with the run's constants `rules` (sim.params.WorkerRules) and this week's inputs `x`
    (sim.levers.WeekInputs); sets leaving[i] = 1 for those who decide to leave."""
    # One statement per column: inside a prange loop, Numba 0.68 lost writes made through a
    # tuple's field, or through names bound by unpacking several fields at once (both seen here).
    live = w.live
    ids = w.id
    sector = w.sector
    employer = w.employer
    role = w.role
    age = w.age
    tenure = w.tenure
    sector_tenure = w.sector_tenure
    flex = w.flex
    burnout = w.burnout
    sick = w.sick
    route = w.route
    n = live.shape[0]
    for i in nb.prange(n):
        leaving[i] = 0
        if live[i] == 0:
            continue
        ks = key_state(seed, x.week, ids[i])
        s = sector[i]
        r = role[i]
        f = next_flex(flex[i], uniform_from(ks, S_FLEX), x.flex_grant[s], rules.flex_wish,
                      rules.flex_lapse)
        flex[i] = f
        unmet = f == FLEX_UNMET
        cell = employer[i] * n_roles + r
        bu = next_burnout(burnout[i], x.pressure[cell], unmet, uniform_from(ks, S_BURNOUT),
                          x.b_rise[s], x.b_recovery[s], rules.b_noise, rules.base_stress,
                          rules.pressure_weight, rules.unmet_flex_weight)
        burnout[i] = bu
        b = bu / BURNOUT_UNIT
        u = uniform_from(ks, S_SICK)
        if sick[i]:
            if u < rules.sick_end:
                sick[i] = 0
        elif u < rules.sick_start[s, r] * (1.0 + rules.sick_burnout_weight * b):
            sick[i] = 1
        h = leave_hazard(rules, x, s, r, cell, b, unmet, tenure[i], route[i])
        if uniform_from(ks, S_LEAVE) < h + rules.retire_weekly[age[i]]:
            leaving[i] = 1  # tenure stays as it was: the destination pass recomputes h with it
            continue
        if tenure[i] < MAX_WEEKS:
            tenure[i] += 1
        if sector_tenure[i] < MAX_WEEKS:
            sector_tenure[i] += 1


@nb.njit(parallel=True, cache=True)
def aggregate(active, employer, role, fte, sick, burnout, n_employers, n_roles, chunks):
    """Headcount, FTE, sick FTE (hundredths) and burnout sum (fixed point) per (employer, role).

    Every quantity is an integer, so the per-chunk partial sums add up to the same totals
    whatever the number of threads or chunks (pass chunks = the number of threads)."""
    m = n_employers * n_roles
    n = active.shape[0]
    size = (n + chunks - 1) // chunks
    part = np.zeros((chunks, m, 4), np.int64)  # a cell's four counters share a cache line
    for c in nb.prange(chunks):
        acc = part[c]
        for i in range(c * size, min(n, (c + 1) * size)):
            if active[i] == 0:
                continue
            k = employer[i] * n_roles + role[i]
            acc[k, 0] += 1
            acc[k, 1] += fte[i]
            if sick[i]:
                acc[k, 2] += fte[i]
            acc[k, 3] += burnout[i]
    total = part[0].copy()
    for c in range(1, chunks):
        total += part[c]
    return (total[:, 0].copy(), total[:, 1].copy(), total[:, 2].copy(), total[:, 3].copy())


@nb.njit(inline="always")
def pick_employer(cum, lo, hi, skip, x):
    """Employer e in [lo, hi) with cum[e] <= x < cum[e + 1]; `skip` (own employer) has been
    cut out of the range of x by the caller."""
    if skip >= 0 and x >= cum[skip]:
        x = x + (cum[skip + 1] - cum[skip])
    a, b = lo, hi - 1
    while a < b:
        mid = (a + b + 1) // 2
        if cum[mid] <= x:
            a = mid
        else:
            b = mid - 1
    return a


@nb.njit(cache=True)
def choose_destinations(seed, n_roles, sector_first, w, rules, x):
    """Destination (codes.DESTINATIONS) and new employer (-1 if none) for each leaver (`w`: the
    leavers' columns, in worker-id order).

    A leaver retires with probability retirement hazard / total hazard; otherwise the
    destination is drawn from dest_cum[s, r]. A move inside the system goes to an employer
    of the target sector drawn in proportion to its vacant FTE for the role (the leaver's own
    employer excluded); with no vacancy there, the leaver leaves for another industry.
    x.vacancy_cum[r] is the prefix sum of vacant FTE over employers, a snapshot of the week.
    """
    week, dest_cum = x.week, x.dest_cum
    n = w.id.shape[0]
    dest = np.empty(n, np.int8)
    new_employer = np.full(n, -1, np.int32)
    for j in range(n):
        wid = w.id[j]
        s = w.sector[j]
        r = w.role[j]
        b = w.burnout[j] / BURNOUT_UNIT
        h = leave_hazard(rules, x, s, r, w.employer[j] * n_roles + r, b, w.flex[j] == FLEX_UNMET,
                         w.tenure[j], w.route[j])
        hr = rules.retire_weekly[w.age[j]]
        if uniform(seed, week, wid, S_DESTINATION) * (h + hr) < hr:
            dest[j] = DEST_RETIRED
            continue
        v = uniform(seed, week, wid, S_EMPLOYER)
        d = 0
        while d < dest_cum.shape[2] - 1 and v >= dest_cum[s, r, d]:
            d += 1
        if d >= N_SECTORS:
            dest[j] = d
            continue
        # Re-use the same draw, rescaled inside the chosen band, to pick the employer.
        lo_c = dest_cum[s, r, d - 1] if d > 0 else 0.0
        pos = (v - lo_c) / (dest_cum[s, r, d] - lo_c)
        lo, hi = sector_first[d], sector_first[d + 1]
        cum = x.vacancy_cum[r]
        total = cum[hi] - cum[lo]
        skip = -1
        if d == s:
            skip = w.employer[j]
            total = total - (cum[skip + 1] - cum[skip])
        if total <= 0.0 or hi <= lo:
            dest[j] = DEST_OTHER_INDUSTRY
            continue
        dest[j] = d
        new_employer[j] = pick_employer(cum, lo, hi, skip, cum[lo] + pos * total)
    return dest, new_employer


@nb.njit(cache=True)
def count_fills(seed, week, open_posts, p_fill, keys):
    """How many of the open_posts[k] (a real number) vacant posts of cell k are filled this
    week: each whole post with probability p_fill[k], the fractional last one with
    p_fill[k] times its fraction (small employers rarely have a whole post open)."""
    out = np.zeros(open_posts.shape[0], np.int64)
    for k in range(open_posts.shape[0]):
        n = int(np.floor(open_posts[k]))
        frac = open_posts[k] - n
        c = 0
        for j in range(n + 1):
            p = p_fill[k] if j < n else p_fill[k] * frac
            if uniform(seed, week, keys[k] * np.uint64(1 << 20) + np.uint64(j), S_FILL) < p:
                c += 1
        out[k] = c
    return out
