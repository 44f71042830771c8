"""The start holds still: the workforce a run starts from is the one its own flows keep in place
(sim.steady_state, sim.ages, sim.routes_in), so that without growth or programmes nothing drifts
that seed noise does not explain: ages, routes in, sponsorship, hires on their way, rates."""
from __future__ import annotations

import numpy as np
import pytest

from experiments.validation import stillness
from sim import WorkforceModel
from sim.codes import SECTORS
from sim.configuration import validate_config
from sim.system import load_config
from sim.system.calibrate import held_still

pytestmark = pytest.mark.slow  # multi-year runs at full size

SEEDS = range(4)


def config(years: int):
    return validate_config(load_config([f"years={years}"]).model_dump(mode="python"))


def still(years: int):
    """The default held still: no funded growth (and no dated changes: it has none)."""
    return held_still(load_config([f"years={years}"]))


def test_joiners_arrive_at_the_ages_the_starting_workforce_assumes():
    """The stationary age structure the workforce starts from (sim.ages) assumes an age profile
    for each route's joiners; the run's joiners in years 2-3 have those mean ages (within a year)
    by route: graduates, overseas recruits, local recruits, returners (drawn from the pool of
    former staff by age) and retirees who come back. A route assumed younger or older than the
    run hires it makes the workforce age or grow younger year after year."""
    from sim.ages import AGES, joiners_by_age, local_density
    from sim.codes import EDUCATION, INTERNATIONAL, LOCAL_LABOUR, RETIRE_RETURN, RETURNERS

    m = WorkforceModel(config(3), seed=5, threads=1)
    p = m.params
    assumed, local = joiners_by_age(p, p.age_pmf, p.leaver_age_pmf)
    S, R = p.headcount.shape
    assumed[LOCAL_LABOUR] = np.array([[local[s, r] * local_density(
        p.local_age_lo[s, r], p.local_age_hi[s, r], p.local_young[s, r], p.local_young_lo[s, r])
        for r in range(R)] for s in range(S)])
    ages = {k: [] for k in assumed if k in (EDUCATION, INTERNATIONAL, LOCAL_LABOUR, RETURNERS, RETIRE_RETURN)}
    for week in range(3 * 52):
        m.step()
        # joined in the last four weeks, all within the year (everyone ages at its end)
        if week >= 52 and week % 4 == 2 and week % 52 >= 4:
            snap = m.snapshot()
            recent = snap["join_week"] > week - 4
            for k in ages:
                ages[k].append(snap["age"][recent & (snap["route"] == k)].astype(float))
    for k, got in ages.items():
        got = np.concatenate(got)
        want = float((assumed[k].sum(axis=(0, 1)) @ AGES) / assumed[k].sum())
        assert len(got) > 200 and abs(got.mean() - want) < 1.0, (m.route_names[k], got.mean(), want, len(got))


def test_the_routes_in_renew_themselves():
    """Without growth, the share of each (sector, role)'s staff who came into the system from
    abroad holds from the start to years 8-10 (4 seeds; within 3 points, or 12% of the share
    where that is more; roles of 400 people or more). The starting mix counts the movers from
    the other sectors, who keep their route in: counting each cell's own hires alone started
    primary care's support staff at 6.4% from abroad, and the run took them to 9.8% in ten
    years (overseas recruits leave less, so the cell's leaving fell year after year). The
    smallest cells (400-600 people) scatter: each seed's starting share alone is a draw with a
    spread of about two points; the largest changes measured are primary care's nurses, 23.8%
    to 21.1%, and social care's, 47.2% to 50.2%."""
    from sim.codes import INTERNATIONAL

    cfg = still(10)
    start, late = [], []
    for seed in range(4):
        m = WorkforceModel(cfg, seed=seed, threads=1)
        cells = m.params.headcount >= 400

        def overseas_share(m=m, cells=cells):
            snap = m.snapshot()
            S, R = m.params.headcount.shape
            cell = snap["sector"].astype(np.int64) * R + snap["role"].astype(np.int64)
            staff = np.bincount(cell, minlength=S * R).reshape(S, R)
            abroad = np.bincount(cell[snap["entry_route"] == INTERNATIONAL], minlength=S * R).reshape(S, R)
            return (abroad / np.maximum(staff, 1))[cells]

        start.append(overseas_share())
        shares = []
        for week in range(10 * 52):
            m.step()
            if week + 1 in (8 * 52, 9 * 52, 10 * 52):
                shares.append(overseas_share())
        late.append(np.mean(shares, axis=0))
    start, late = np.mean(start, axis=0), np.mean(late, axis=0)
    assert len(start) >= 10
    assert np.all(np.abs(late - start) <= np.maximum(0.03, 0.12 * start)), np.c_[start, late]


def test_overseas_recruits_start_at_the_ages_the_run_keeps_them_at():
    """Without growth, the mean age of the staff who came into the system from abroad holds from
    the start to years 8-10 (4 seeds, within a year) in every (sector, role) with 400 or more of
    them. Overseas recruits leave at x0.73, so they stay to older ages than the other joiners; the
    start draws each worker's route in with its age from the stationary workforce by route
    (sim.steady_state). With the cell's mix of routes at every age and every route leaving at the
    mean rate, acute doctors from abroad aged 2.8 years in nine, acute support staff 1.9 and
    social care's care workers got 2.7 years younger; measured now, the largest change is social
    care's care workers, +0.43 years."""
    from sim.codes import INTERNATIONAL

    cfg = still(10)
    start, late, counts = [], [], []
    for seed in SEEDS:
        m = WorkforceModel(cfg, seed=seed, threads=1)
        S, R = m.params.headcount.shape

        def mean_ages(m=m, S=S, R=R):
            snap = m.snapshot()
            abroad = snap["entry_route"] == INTERNATIONAL
            cell = (snap["sector"].astype(np.int64) * R + snap["role"].astype(np.int64))[abroad]
            n = np.bincount(cell, minlength=S * R)
            years = np.bincount(cell, weights=snap["age"][abroad].astype(float), minlength=S * R)
            return years / np.maximum(n, 1), n

        ages, n = mean_ages()
        start.append(ages)
        counts.append(n)
        later = []
        for week in range(10 * 52):
            m.step()
            if week + 1 in (8 * 52, 9 * 52, 10 * 52):
                later.append(mean_ages()[0])
        late.append(np.mean(later, axis=0))
    cells = np.mean(counts, axis=0) >= 400
    start, late = np.mean(start, axis=0)[cells], np.mean(late, axis=0)[cells]
    assert cells.sum() >= 5
    assert np.all(np.abs(late - start) < 1.0), np.c_[start, late]


def test_care_workers_under_25_start_at_their_share_and_stay():
    """Social care's support staff have a share aged under 25 to reproduce (9.6%): local
    recruits are then partly young (one age range for all of them gave 0.2% under 25). The
    start has the share within a point, and without growth it holds to years 5-6 within one
    and a half (2 seeds). Roles without the target keep one range."""
    care, support = SECTORS.index("social_care"), 3

    cfg = still(6)
    target = cfg.system.sectors["social_care"].roles["support"].share_under_25
    start, late = [], []
    for seed in (0, 1):
        m = WorkforceModel(cfg, seed=seed, threads=1)
        assert m.params.roles[support] == "support" and m.params.local_young[care, support] > 0
        assert (m.params.local_young[np.isnan(m.params.share_under_25)] == 0).all()

        def under_25(m=m):
            snap = m.snapshot()
            cell = (snap["sector"] == care) & (snap["role"] == support)
            return float((snap["age"][cell] < 25).mean())

        start.append(under_25())
        shares = []
        for week in range(6 * 52):
            m.step()
            if week + 1 in (5 * 52 - 26, 6 * 52 - 26):
                shares.append(under_25())
        late.append(np.mean(shares))
    assert abs(np.mean(start) - target) < 0.01, (start, target)
    assert abs(np.mean(late) - np.mean(start)) < 0.015, (start, late)


def test_movers_between_sectors_arrive_at_the_ages_the_start_assumes():
    """The workers who move into each sector from another, years 2-6 without growth (3 seeds),
    have the mean age the steady state gives them (sim.steady_state: its leavers' ages, new
    starters leaving more), within 3 standard errors (0.5 years in acute, 1 in social care).
    Taking the workforce's ages weighted by leaving by age instead, it assumed them 0.7-1.3 years
    older than the run moved them (4 seeds), and primary care, a third of whose joiners move in,
    grew younger year after year; now 0.03 years in acute and community, 0.35 and 0.4 in
    primary and social care (3 seeds)."""
    from sim.ages import AGES, cross_sector_moves, leaving_rates

    S = len(SECTORS)
    moved = np.zeros((S, len(AGES)))            # into each sector, by age at the next count
    for seed in range(3):
        m = WorkforceModel(still(6), seed=seed, threads=1)
        for _ in range(52):
            m.step()
        for _ in range(5):
            before = m.snapshot()
            for _ in range(52):
                m.step()
            after = m.snapshot()
            ids = before["id"]                  # sorted (Cohort snapshots are by id)
            at = np.minimum(np.searchsorted(ids, after["id"]), len(ids) - 1)
            came_from = np.where(ids[at] == after["id"], before["sector"][at], -1)
            for t in range(S):
                sel = (came_from >= 0) & (came_from != t) & (after["sector"] == t)
                moved[t] += np.bincount(after["age"][sel] - AGES[0], minlength=len(AGES))[:len(AGES)]
    p = m.params
    moves = cross_sector_moves(p, leaving_rates(p, p.age_pmf)[0])                 # [S, S', R]
    assumed = np.einsum("str,sra->ta", moves, p.leaver_age_pmf)
    for t in range(S):
        # a year older at the count after the move (everyone is a year older at the year's end)
        want = float(assumed[t] @ AGES / assumed[t].sum()) + 1.0
        n = moved[t].sum()
        got = float(moved[t] @ AGES / n)
        se = np.sqrt(float(moved[t] @ (AGES - got) ** 2) / n / n)
        assert n > 500 and abs(got - want) < 3 * se, (SECTORS[t], got, want, se)


def test_the_age_structure_and_the_pool_of_former_staff_renew_themselves():
    """Without growth, each sector's mean age and share under 25 hold over six years (2 seeds,
    within a quarter of a year and a fifth): the workforce is drawn from the ages the model's own
    joiners and leavers keep in place, counted at the start of a year (joiners arrive through the
    year and are a year older at its end). The pool of former staff holds its size within 5%:
    its steady state counts only the leavers who can go to another industry (overseas recruits
    still tied to a sponsor leave the country instead; counting them, it shrank by 9%)."""
    cfg = still(6)
    start, end, pool = [], [], []
    for seed in (1, 2):
        m = WorkforceModel(cfg, seed=seed, threads=1)
        start.append(m.snapshot())
        m.run()
        end.append(m.snapshot())
        former = m.pools().query("pool == 'returners'").groupby("week")["stock"].sum()
        pool.append(former.iloc[-52:].mean() / former.iloc[:52].mean())
    assert 0.95 < np.mean(pool) < 1.05, pool

    def stats(snaps, s):
        age = np.concatenate([c["age"][c["sector"] == s] for c in snaps]).astype(float)
        return age.mean(), (age < 25).mean()

    for s in range(len(SECTORS)):
        (age0, young0), (age1, young1) = stats(start, s), stats(end, s)
        # counted at the joiners' arrival ages, acute aged 0.3 years in six and lost a third of
        # its under-25s; social care still ages ~0.03 years a year (the README's validation)
        assert abs(age1 - age0) < 0.25, (s, age0, age1)
        if young0 > 0.01:                 # social care's few under-25s are too few to compare
            assert 0.8 < young1 / young0 < 1.25, (s, young0, young1)


def test_the_start_holds_as_many_sponsored_recruits_and_hires_on_their_way_as_the_run_keeps():
    """Without growth, the overseas recruits still tied to a sponsor at the start are within 20% of
    their number in years 6-7 (when every tie is the run's own) in every sector (measured: primary
    care 18% above, community 9% above, social care 14% below, acute within 4%), and the hires
    agreed but not yet in post at the start within 5% of those at the same week of years 2-4, all
    sectors together (each sector with at least 100 FTE of them within 20%: a hundred hires on
    their way scatter by a tenth from week to week). Counting every
    overseas recruit with a short tenure as tied started acute with 65% more than the run keeps;
    hiring the pools' design numbers before the start put 17% more hires on their way."""
    cfg = still(7)
    tied_start, tied_late, pend_start, pend_later = [], [], [], []
    for seed in (1, 2):
        m = WorkforceModel(cfg, seed=seed, threads=1)
        sector_of = m.params.employer_sector.astype(np.int64)

        def pending_by_sector(m=m, sector_of=sector_of):
            out = np.zeros(len(SECTORS))
            np.add.at(out, sector_of, m.state.pending_units.sum(axis=1) / 100)
            return out

        def tied_by_sector(m=m):
            snap = m.snapshot()
            tied = snap["sponsored_until"] > m.week
            return np.bincount(snap["sector"][tied].astype(np.int64), minlength=len(SECTORS))

        tied_start.append(tied_by_sector())
        pend_start.append(pending_by_sector())
        late = []
        for week in range(7 * 52):
            m.step()
            if week + 1 in (104, 156, 208):
                pend_later.append(pending_by_sector())
            if week + 1 in (312, 338):
                late.append(tied_by_sector())
        tied_late.append(np.mean(late, axis=0))
    ratio = np.sum(tied_start, axis=0) / np.sum(tied_late, axis=0)
    assert np.all(np.abs(ratio - 1) < 0.2), ratio
    start, later = np.mean(pend_start, axis=0), np.mean(pend_later, axis=0)
    big = later >= 100
    assert big.sum() >= 2 and np.all(np.abs(start[big] / later[big] - 1) < 0.2), (start, later)
    assert abs(start.sum() / later.sum() - 1) < 0.05, (start, later)


def test_the_baseline_holds_still_for_ten_years_without_growth():
    """Zero growth, no programmes, 10 years, 16 seeds at full size: each sector's vacancy,
    turnover and sickness, and the share aged 55 or over, in year 10 are within the change a still
    system shows by chance once in a hundred such checks (Student's t on the seed-to-seed spread
    of the paired change: 4.3 standard errors) of year 2 (after the first year's settling), or a
    quarter of a percentage point (experiments.validation.stillness). Social care's share aged
    55+ is at the edge: +0.303 points against a tolerance of 0.304 (the README's validation
    section), so a change that ages it further fails here."""
    table = stillness(range(16))
    assert table["still"].all(), table[~table["still"]]
