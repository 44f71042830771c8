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

from sim.codes import DEST_OTHER_INDUSTRY, DEST_RETIRED, FLEX_MET, FLEX_NONE, FLEX_UNMET, N_SECTORS
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

FIRST_YEAR_WEEKS = 52
MAX_WEEKS = 32767


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
def leave_hazard(base, burnout, unmet, tenure, pay_mult, leave_mult, support_weeks, support_mult,
                 bw, um, fy):
    """Weekly chance of leaving the employer for any reason but retirement."""
    h = base * (1.0 + bw * burnout) * pay_mult * leave_mult
    if unmet:
        h = h * um
    if tenure < FIRST_YEAR_WEEKS:
        h = h * fy
    if tenure < support_weeks:  # in-role support of a programme's recruits
        h = h * support_mult
    return h


@nb.njit(parallel=True, error_model="numpy", cache=True)
def weekly_update(seed, week, active, ids, sector, employer, role, age, tenure, sector_tenure,
                  flex, burnout, sick, route, pressure_er, leave_mult_er, n_roles, flex_grant,
                  flex_wish, flex_lapse, b_rise, b_recovery, b_noise, base_stress, pressure_w,
                  unmet_w, sick_start, sick_end, sick_bw, leave_base, leave_bw, unmet_mult,
                  first_year_mult, pay_mult, support_weeks, support_mult, retire_weekly, leaving):
    """Phases 3-5 for every active row; sets leaving[i] = 1 for those who decide to leave.
    Per-sector arrays: flex_grant, b_rise, b_recovery; per (employer, role): pressure_er,
    leave_mult_er; per route in: support_weeks, support_mult."""
    n = active.shape[0]
    for i in nb.prange(n):
        leaving[i] = 0
        if active[i] == 0:
            continue
        ks = key_state(seed, week, ids[i])
        s = sector[i]
        r = role[i]
        f = next_flex(flex[i], uniform_from(ks, S_FLEX), flex_grant[s], flex_wish, flex_lapse)
        flex[i] = f
        unmet = f == FLEX_UNMET
        cell = employer[i] * n_roles + r
        bu = next_burnout(burnout[i], pressure_er[cell], unmet, uniform_from(ks, S_BURNOUT),
                          b_rise[s], b_recovery[s], b_noise, base_stress, pressure_w, unmet_w)
        burnout[i] = bu
        b = bu / BURNOUT_UNIT
        u = uniform_from(ks, S_SICK)
        if sick[i]:
            if u < sick_end:
                sick[i] = 0
        elif u < sick_start[s, r] * (1.0 + sick_bw * b):
            sick[i] = 1
        rt = route[i]
        h = leave_hazard(leave_base[s, r], b, unmet, tenure[i], pay_mult[s, r], leave_mult_er[cell],
                         support_weeks[rt], support_mult[rt], leave_bw, unmet_mult, first_year_mult)
        if uniform_from(ks, S_LEAVE) < h + retire_weekly[age[i]]:
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
def choose_destinations(seed, week, ids, sector, employer, role, age, burnout, flex, tenure, route,
                        leave_base, leave_bw, unmet_mult, first_year_mult, pay_mult, leave_mult_er,
                        n_roles, support_weeks, support_mult, retire_weekly, dest_cum, vacancy_cum,
                        sector_first):
    """Destination (codes.DESTINATIONS) and new employer (-1 if none) for each leaver.

    A leaver retires with probability retirement hazard / total hazard; otherwise the
    destination is drawn from dest_cum[s, r]. A move inside the system goes to an employer
    of the target sector drawn in proportion to its vacant FTE for the role (the leaver's own
    employer excluded); with no vacancy there, the leaver leaves for another industry.
    vacancy_cum[r] is the prefix sum of vacant FTE over employers, a snapshot of the week.
    """
    n = ids.shape[0]
    dest = np.empty(n, np.int8)
    new_employer = np.full(n, -1, np.int32)
    for j in range(n):
        wid = ids[j]
        s = sector[j]
        r = role[j]
        b = burnout[j] / BURNOUT_UNIT
        rt = route[j]
        h = leave_hazard(leave_base[s, r], b, flex[j] == FLEX_UNMET, tenure[j], pay_mult[s, r],
                         leave_mult_er[employer[j] * n_roles + r], support_weeks[rt], support_mult[rt],
                         leave_bw, unmet_mult, first_year_mult)
        hr = retire_weekly[age[j]]
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
        x = (v - lo_c) / (dest_cum[s, r, d] - lo_c)
        lo, hi = sector_first[d], sector_first[d + 1]
        cum = vacancy_cum[r]
        total = cum[hi] - cum[lo]
        skip = -1
        if d == s:
            skip = employer[j]
            total = total - (cum[skip + 1] - cum[skip])
        if total <= 0.0 or hi <= lo:
            dest[j] = DEST_OTHER_INDUSTRY
            continue
        dest[j] = d
        new_employer[j] = pick_employer(cum, lo, hi, skip, cum[lo] + x * total)
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
