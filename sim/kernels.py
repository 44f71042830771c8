"""Numba kernels: pure functions over the worker arrays.

- `weekly_update` runs phase 3 for every worker (flexible working, burnout, sickness, the
  decision to leave, career steps). It is the hot loop: parallel over workers, no reductions,
  every draw keyed by (seed, week, worker id, stream), so 1 or N threads give identical results.
  `settle_decisions` then resolves its few career candidates and lists the week's decisions.
- `aggregate` sums stocks per (employer, role) in integer units: exact, and independent of
  thread count and row order; `age_profile` counts workers by age band once a year.
- `choose_destinations` handles the few leavers (a fraction of a percent a week) in a second
  pass: retirement, a search for another job in the system, or an exit.

Loops whose iterations are independent are `prange` loops even where they are short: Numba
compiled the same body several times slower in a plain `range` loop (measured: the
destinations of England's leavers ~7x faster on one thread).
- `count_fills` draws how many open posts are filled this week.
- `find_rows` finds the rows of given worker ids (for programmes that follow people).

`sim/reference.py` writes the same rules per agent in plain Python; the docking test holds
the two to identical results. Keep the arithmetic order identical in both when editing.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from sim.codes import (
    DEST_LEFT_AREA,
    DEST_OTHER_INDUSTRY,
    DEST_RETIRED,
    FIRST_YEAR_WEEKS,
    FLEX_MET,
    FLEX_NONE,
    FLEX_UNMET,
    MAX_WEEKS,
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

# What a worker does this week (weekly_update's `decision`): stay, leave their employer, finish
# their in-post training, or start career route c (CAREER_START + c). CANDIDATE marks, between
# weekly_update and settle_decisions only, a worker whose draw may start a career route.
STAY, LEAVE, TRAINED, CANDIDATE, CAREER_START = 0, 1, 2, 3, 4


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
def leave_hazard(rules, x, s, r, cell, burnout, unmet, tenure, route, age, entry):
    """Weekly chance of leaving the employer for any reason but retirement."""
    h = rules.leave_base[s, r] * (1.0 + rules.leave_burnout_weight * burnout) * x.pay_mult[s, r] \
        * x.leave_mult[cell] * rules.age_mult[age] * x.entry_mult[entry]
    if unmet:
        h = h * rules.unmet_flex_multiplier
    if tenure < FIRST_YEAR_WEEKS:
        h = h * rules.first_year_multiplier
    if tenure < x.support_weeks[route]:  # in-role support of a programme's recruits
        h = h * x.support_mult[route]
    return h


@nb.njit(inline="always")
def career_step(rules, s, r, age, u):
    """CAREER_START + c if a worker starts career route c this week, else STAY. `u` is the
    leave draw read from its top end (1 - u): leaving takes the bottom of the same draw, so the
    two are exclusive, as competing events are, with one draw."""
    acc = 0.0
    for c in range(rules.career_start.shape[2]):
        if age <= rules.career_max_age[c]:
            acc += rules.career_start[s, r, c]
            if u < acc:
                return CAREER_START + c
    return STAY


@nb.njit(parallel=True, error_model="numpy", cache=True)
def weekly_update(seed, n_roles, w, rules, x, decision):
    """Phase 3 for every live row of the worker columns `w` (sim.workers.WorkerColumns), with
    the run's constants `rules` (sim.params.WorkerRules) and this week's inputs `x`
    (sim.levers.WeekInputs); sets decision[i] (STAY, LEAVE, TRAINED, CAREER_START + c)."""
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
    entry = w.entry_route
    career = w.career
    career_until = w.career_until
    n = live.shape[0]
    for i in nb.prange(n):
        decision[i] = STAY
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
        h = leave_hazard(rules, x, s, r, cell, b, unmet, tenure[i], route[i], age[i], entry[i])
        u = uniform_from(ks, S_LEAVE)
        if u < h + rules.retire_weekly[age[i]]:
            decision[i] = LEAVE  # tenure stays as it was: the destination pass recomputes h with it
            continue
        if tenure[i] < MAX_WEEKS:
            tenure[i] += 1
        if sector_tenure[i] < MAX_WEEKS:
            sector_tenure[i] += 1
        if career[i] > 0:
            if x.week >= career_until[i]:
                decision[i] = TRAINED
        elif 1.0 - u < rules.career_top[s, r]:
            decision[i] = CANDIDATE


@nb.njit(cache=True)
def settle_decisions(seed, week, decision, ids, sector, role, age, rules, acting):
    """After weekly_update: the career route, if any, of each CANDIDATE (a fraction of a percent
    of workers), and the rows whose decision is not STAY written to `acting` (as many as fit);
    returns how many there are. Calling it again finds the same rows (the decisions are made).
    A pass of its own: in weekly_update's loop, a loop over the routes, or a second parallel
    loop in the same function, made it 2-3x slower a worker-week (measured)."""
    k = 0
    for i in range(decision.shape[0]):
        d = decision[i]
        if d == STAY:
            continue
        if d == CANDIDATE:
            u = uniform(seed, week, ids[i], S_LEAVE)
            d = career_step(rules, sector[i], role[i], age[i], 1.0 - u)
            decision[i] = d
            if d == STAY:
                continue
        if k < acting.shape[0]:
            acting[k] = i
        k += 1
    return k


@nb.njit(inline="always")
def _add_run(acc, k, a0, a1, a2, a3, a4):
    acc[k, 0] += a0
    acc[k, 1] += a1
    acc[k, 2] += a2
    acc[k, 3] += a3
    acc[k, 4] += a4


@nb.njit(parallel=True, cache=True)
def aggregate(active, employer, role, fte, sick, burnout, n_employers, n_roles, chunks, thresholds):
    """Per (employer, role): headcount, FTE and sick FTE (hundredths), the burnout sum (fixed
    point) and the number of workers with burnout at or above each of the two thresholds (units,
    codes.BURNOUT_THRESHOLDS).

    Every quantity is an integer, so the per-chunk partial sums add up to the same totals
    whatever the number of threads or chunks (pass chunks = the number of threads)."""
    m = n_employers * n_roles
    n = active.shape[0]
    size = (n + chunks - 1) // chunks
    # The two threshold counts share one counter, the first in the low 32 bits and the second in
    # the high ones (a table holds far fewer than 2**31 workers): one add, not two, measured
    # ~25% faster at England's size. A cell's five counters stay within 40 bytes. Rows of one
    # cell mostly come together (the starting workforce is laid out by employer): the sums of a
    # run of rows are kept in registers and added to the cell once, ~1.5x faster than adding
    # each row to memory (measured at the default's and England's sizes).
    part = np.zeros((chunks, m, 5), np.int64)
    t0, t1 = thresholds[0], thresholds[1]
    for c in nb.prange(chunks):
        acc = part[c]
        k = -1
        a0 = a1 = a2 = a3 = a4 = 0
        for i in range(c * size, min(n, (c + 1) * size)):
            if active[i] == 0:
                continue
            cell = employer[i] * n_roles + role[i]
            if cell != k:
                if k >= 0:
                    _add_run(acc, k, a0, a1, a2, a3, a4)
                k = cell
                a0 = a1 = a2 = a3 = a4 = 0
            f = np.int64(fte[i])
            b = np.int64(burnout[i])
            a0 += 1
            a1 += f
            a2 += f * np.int64(sick[i] != 0)
            a3 += b
            a4 += np.int64(b >= t0) + (np.int64(b >= t1) << 32)
        if k >= 0:
            _add_run(acc, k, a0, a1, a2, a3, a4)
    total = part[0].copy()
    for c in range(1, chunks):
        total += part[c]
    out = np.empty((m, 6), np.int64)
    out[:, :4] = total[:, :4]
    out[:, 4] = total[:, 4] & 0xFFFFFFFF
    out[:, 5] = total[:, 4] >> 32
    return out


@nb.njit(cache=True)
def age_profile(active, sector, role, age, n_sectors, n_roles, band_lo):
    """Workers by (sector, role, age band); band_lo holds each band's youngest age."""
    out = np.zeros((n_sectors, n_roles, band_lo.shape[0]), np.int64)
    for i in range(active.shape[0]):
        if active[i] == 0:
            continue
        b = 0
        while b + 1 < band_lo.shape[0] and age[i] >= band_lo[b + 1]:
            b += 1
        out[sector[i], role[i], b] += 1
    return out


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


@nb.njit(parallel=True, cache=True)
def choose_destinations(seed, n_roles, w, rules, x):
    """What each leaver does (`w`: the leavers' columns, in worker-id order): a destination
    code (codes.DESTINATIONS) for those who leave the system, or the sector (0..S-1) where they
    look for another job (moved in phase 6 if an employer there has an open post, else they stay).

    A leaver retires with probability retirement hazard / total hazard; otherwise the choice is
    drawn from x.dest_cum[s, r] (own sector, other sectors by attraction, another industry, the
    area). A worker tied to a sponsoring employer (a visa) cannot take a job in another industry:
    that choice becomes leaving the country."""
    week, dest_cum = x.week, x.dest_cum
    n = w.id.shape[0]
    dest = np.empty(n, np.int8)
    for j in nb.prange(n):   # each leaver's draws are their own: any order, any threads
        wid = w.id[j]
        s = w.sector[j]
        r = w.role[j]
        b = w.burnout[j] / BURNOUT_UNIT
        h = leave_hazard(rules, x, s, r, w.employer[j] * n_roles + r, b, w.flex[j] == FLEX_UNMET,
                         w.tenure[j], w.route[j], w.age[j], w.entry_route[j])
        hr = rules.retire_weekly[w.age[j]]
        if uniform(seed, week, wid, S_DESTINATION) * (h + hr) < hr:
            dest[j] = DEST_RETIRED
            continue
        v = uniform(seed, week, wid, S_EMPLOYER)
        d = 0
        while d < dest_cum.shape[2] - 1 and v >= dest_cum[s, r, d]:
            d += 1
        if d == DEST_OTHER_INDUSTRY and week < w.sponsored_until[j]:
            d = DEST_LEFT_AREA
        dest[j] = d
    return dest


@nb.njit(parallel=True, cache=True)
def count_fills(seed, week, open_posts, p_fill, keys):
    """How many of the open_posts[k] (a real number) vacant posts of cell k are filled this
    week: each whole post with probability p_fill[k], the fractional last one with
    p_fill[k] times its fraction (small employers rarely have a whole post open)."""
    out = np.zeros(open_posts.shape[0], np.int64)
    for k in nb.prange(open_posts.shape[0]):   # each cell's draws are its own
        n = int(np.floor(open_posts[k]))
        frac = open_posts[k] - n
        c = 0
        for j in range(n + 1):
            p = p_fill[k] if j < n else p_fill[k] * frac
            if uniform(seed, week, keys[k] * np.uint64(1 << 20) + np.uint64(j), S_FILL) < p:
                c += 1
        out[k] = c
    return out


@nb.njit(cache=True)
def find_rows(live, ids, wanted, hint_ids, hint_rows):
    """The row of each of the sorted, distinct ids `wanted` among the live rows (-1: not in
    post). A row is checked first where an earlier call found the id (`hint_ids` sorted, with
    their `hint_rows`): a worker keeps their row while in post (until the table's yearly
    re-layout, sim.workers.WorkerTable.compact), so a programme that asks about the same people
    every week costs a look at each, and only the others (new, or gone) a pass over the table."""
    k = wanted.shape[0]
    rows = np.full(k, -1, np.int64)
    unknown = np.zeros(k, np.bool_)
    n_unknown = 0
    h = 0
    for j in range(k):                      # both sorted: one walk along the two
        while h < hint_ids.shape[0] and hint_ids[h] < wanted[j]:
            h += 1
        if h < hint_ids.shape[0] and hint_ids[h] == wanted[j]:
            r = hint_rows[h]
            if r >= 0 and r < live.shape[0] and live[r] and ids[r] == wanted[j]:
                rows[j] = r
                continue
        unknown[j] = True
        n_unknown += 1
    if n_unknown == 0:
        return rows
    ask = np.empty(n_unknown, np.uint64)
    at = np.empty(n_unknown, np.int64)
    m = 0
    for j in range(k):
        if unknown[j]:
            ask[m] = wanted[j]
            at[m] = j
            m += 1
    lo, hi = ask[0], ask[n_unknown - 1]     # ids carry their hiring week: most rows are outside
    for i in range(live.shape[0]):
        if live[i] and ids[i] >= lo and ids[i] <= hi:
            q = np.searchsorted(ask, ids[i])
            if q < n_unknown and ask[q] == ids[i]:
                rows[at[q]] = i
    return rows
