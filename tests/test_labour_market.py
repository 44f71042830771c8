"""The supply side answers the central questions with the right sign and a real size: paired seeds
(common random numbers), each effect asserted as a direction and a minimum size in standard errors
of the paired differences."""
from __future__ import annotations

import numpy as np
import pytest

from experiments.validation import stillness
from sim import WorkforceModel
from sim.codes import SECTORS
from sim.configuration import validate_config
from sim.metrics import yearly_rates
from sim.system import load_config

pytestmark = pytest.mark.slow  # dozens of multi-year runs

SEEDS = range(4)
NHS = ["acute", "community", "primary"]


def config(years: int, change=None):
    raw = load_config([f"years={years}"]).model_dump(mode="python")
    if change:
        change(raw["system"])
    return validate_config(raw)


def runs(cfg, scale: float):
    out = []
    for seed in SEEDS:
        m = WorkforceModel(cfg, seed=seed, scale=scale, threads=1)
        m.run()
        out.append(m)
    return out


def paired(base, changed, measure) -> tuple[float, float]:
    """Mean paired difference (changed - base) and its standard error."""
    d = np.array([measure(c) - measure(b) for b, c in zip(base, changed, strict=True)])
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def rate(m, sector, metric, year):
    r = yearly_rates(m.timeseries(), ["sector"])
    return float(r[(r["sector"] == sector) & (r["year"] == year)][metric].iloc[0])


def flows(m, sources, targets, role=None, years=None):
    fl = m.flows()
    sel = fl["source"].astype(str).isin(sources) & fl["target"].astype(str).isin(targets)
    if role is not None:
        sel &= fl["role"].astype(str) == role
    if years is not None:
        sel &= (fl["week"] // 52 + 1).isin(years)
    return int(fl.loc[sel, "count"].sum())


def assert_effect(mean: float, se: float, sign: int, n_se: float = 3.0):
    assert sign * mean > n_se * se and sign * mean > 0, (mean, se)


@pytest.fixture(scope="module")
def baseline3():
    return runs(config(3), scale=0.5)


def test_closing_the_care_worker_route_raises_care_vacancy_and_agency_spend(baseline3):
    def close(system):
        system["labour_market"]["international"]["closures"] = [
            {"sectors": ["social_care"], "roles": ["support"], "closed_from": system["start_date"]}]
    closed = runs(config(3, close), scale=0.5)
    mean, se = paired(baseline3, closed, lambda m: rate(m, "social_care", "vacancy_rate", 3))
    assert_effect(mean, se, +1)
    # at least a third of a point by year 3: the in-country switching window and moves between
    # care employers soften the first years, and the gap keeps widening after
    assert mean > 0.0033
    mean, se = paired(baseline3, closed, lambda m: rate(m, "social_care", "agency_spend_gbp", 3))
    assert_effect(mean, se, +1)
    # nobody arrives from abroad into care support any more, and local people do not fill the gap
    assert all(flows(m, ["international"], ["social_care"], "support", [2, 3]) == 0 for m in closed)


def cap_care_workers(per_year: float):
    def change(system):
        system["labour_market"]["international"]["caps"] = [
            {"sectors": ["social_care"], "roles": ["support"], "per_year": per_year,
             "capped_from": system["start_date"]}]
    return change


def overseas_care_arrivals(m, first_week: int, last_week: int) -> int:
    fl = m.flows()
    sel = ((fl["source"] == "international") & (fl["target"] == "social_care") & (fl["role"] == "support")
           & fl["week"].between(first_week, last_week))
    return int(fl.loc[sel, "count"].sum())


def test_a_visa_cap_allows_its_number_of_overseas_recruits_each_year(baseline3):
    """A cap of 400 care workers a year from abroad (200 at half scale) from the start: the
    recruits agreed in each cap year arrive 26 weeks later, exactly 200 of them in each of the first
    two cap years where the uncapped run has more; fewer people arrive, so care vacancy rises. A
    cap above what arrives anyway changes nothing, to the bit."""
    lag = load_config([]).behaviour.recruitment.time_to_hire_weeks["international"]
    capped = runs(config(3, cap_care_workers(400)), scale=0.5)
    for year in (0, 1):
        first, last = lag + 52 * year, lag + 52 * year + 51
        assert all(overseas_care_arrivals(m, first, last) == 200 for m in capped)
        assert all(overseas_care_arrivals(m, first, last) > 220 for m in baseline3)
    mean, se = paired(baseline3, capped, lambda m: rate(m, "social_care", "vacancy_rate", 3))
    assert_effect(mean, se, +1)
    loose = WorkforceModel(config(3, cap_care_workers(1e6)), seed=SEEDS[0], scale=0.5, threads=1)
    loose.run()
    assert loose.timeseries().equals(baseline3[0].timeseries())


def test_nurse_training_intake_moves_nurse_vacancy_after_the_course(tmp_path):
    def intake(factor):
        def change(system):
            system["training"]["nurse"]["intake_per_year"] *= factor
        return change

    base, more, less = (runs(config(5, intake(f)), scale=0.5) for f in (1.0, 2.0, 0.0))

    def nhs_nurse_vacancy(m, year):
        ts = m.timeseries()
        ts = ts[ts["sector"].astype(str).isin(NHS) & (ts["role"] == "nurse") & (ts["week"] // 52 + 1 == year)]
        return float(ts["vacancy_fte"].sum() / ts["establishment_fte"].sum())

    for year in (1, 2):   # the students already on the course qualify as before
        mean, se = paired(base, more, lambda m, y=year: nhs_nurse_vacancy(m, y))
        assert abs(mean) < max(4 * se, 0.003)
    mean, se = paired(base, more, lambda m: nhs_nurse_vacancy(m, 5))
    assert_effect(mean, se, -1)
    mean, se = paired(base, less, lambda m: nhs_nurse_vacancy(m, 5))
    assert_effect(mean, se, +1)
    assert mean > 0.01                                    # losing the graduates costs more than a point


def test_better_care_pay_against_competing_industries_brings_more_local_applicants(baseline3):
    def raise_pay(system):
        system["sectors"]["social_care"]["roles"]["support"]["pay_gbp"] *= 1.10
    paid = runs(config(3, raise_pay), scale=0.5)
    mean, se = paired(baseline3, paid, lambda m: float(m.pools().query(
        "pool == 'local_labour' and role == 'support'")["applicants"].sum()))
    assert_effect(mean, se, +1)
    # and care needs fewer of them: better pay keeps its staff (fewer leave, fewer go to the NHS)
    mean, se = paired(baseline3, paid, lambda m: rate(m, "social_care", "turnover_rate", 3))
    assert_effect(mean, se, -1)


def test_better_nhs_support_pay_pulls_more_care_workers_into_the_nhs(baseline3):
    def raise_pay(system):
        for s in NHS:
            system["sectors"][s]["roles"]["support"]["pay_gbp"] *= 1.10
    paid = runs(config(3, raise_pay), scale=0.5)
    mean, se = paired(baseline3, paid, lambda m: flows(m, ["social_care"], NHS, "support"))
    assert_effect(mean, se, +1)


def test_a_recruiting_programme_adds_nobody_where_there_are_no_vacancies():
    def full(system):
        for s in ("acute", "community", "primary"):
            system["sectors"][s]["establishment_growth"] = -0.5      # posts go faster than people
            system["sectors"][s]["roles"]["support"]["vacancy"] = 0.0
    raw = config(1, full).model_dump(mode="python")
    raw["intervention"] = {"i_can": {"start_week": 10}}   # by then the sectors are above their posts
    m = WorkforceModel(validate_config(raw), seed=1, scale=0.25, threads=1)
    m.run()
    ts = m.timeseries()
    nhs_support = ts[ts["sector"].astype(str).isin(NHS) & (ts["role"] == "support") & (ts["week"] >= 10)]
    assert (nhs_support.groupby("week")["vacancy_fte"].sum() < 0.5).all()   # not a post to fill
    assert m.programme_table()["recruits"].sum() == 0
    assert not (m.cohort_table()["route"] == "i_can").any()


def test_careers_route_specific_leaving_and_retire_and_return():
    """Support workers become nurses (in post and through a degree), keeping their route into the
    system; overseas recruits leave less than local ones; some retirees come back within a year."""
    m = WorkforceModel(config(5), seed=2, scale=0.5, threads=1)
    m.run()
    fl = m.flows()
    steps = fl[(fl["role"] == "support") & (fl["target_role"] == "nurse")]
    assert steps["count"].sum() > 0 and (steps["source"].astype(str) == steps["target"].astype(str)).all()
    snap = m.snapshot()
    nurses = snap.take(snap["role"] == m.params.roles.index("nurse"))
    support = m.params.roles.index("support")
    assert (nurses["prev_role"] == support).sum() > 0
    assert (snap["entry_route"] != snap["route"]).any()            # route in kept after a move
    assert flows(m, ["acute", "community", "primary", "social_care"], ["education"], "support") > 0
    leavers = m.leavers()
    care = leavers[(leavers["sector"] == "social_care") & (leavers["role"] == "support")]
    by_route = care.groupby(care["route_in"].astype(str))["count"].sum()
    stock = np.bincount(snap["entry_route"][(snap["sector"] == 3) & (snap["role"] == support)],
                        minlength=len(m.route_names))
    intl, local = m.route_names.index("international"), m.route_names.index("local_labour")
    assert by_route["international"] / stock[intl] < by_route["local_labour"] / stock[local]
    assert flows(m, ["retire_return"], ["acute", "community", "primary", "social_care"]) > 0


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
    assumed, local = joiners_by_age(p, p.age_pmf)
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

    def no_growth(system):
        for spec in system["sectors"].values():
            spec["establishment_growth"] = 0.0

    cfg = config(10, no_growth)
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


def test_care_workers_under_25_start_at_their_share_and_stay():
    """Social care's support staff have a share aged under 25 to reproduce (9.6%): local
    recruits are then partly young (one age range for all of them gave 0.2% under 25). The
    start has the share within a point, and without growth it holds to years 5-6 within one
    and a half (2 seeds). Roles without the target keep one range."""
    care, support = SECTORS.index("social_care"), 3

    def no_growth(system):
        for spec in system["sectors"].values():
            spec["establishment_growth"] = 0.0

    cfg = config(6, no_growth)
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


def test_the_age_structure_and_the_pool_of_former_staff_renew_themselves():
    """Without growth, each sector's mean age and share under 25 hold over six years (2 seeds,
    within a quarter of a year and a fifth): the workforce is drawn from the ages the model's own
    joiners and leavers keep in place, counted at the start of a year (joiners arrive through the
    year and are a year older at its end). The pool of former staff holds its size within 5%:
    its steady state counts only the leavers who can go to another industry (overseas recruits
    still tied to a sponsor leave the country instead; counting them, it shrank by 9%)."""
    def no_growth(system):
        for spec in system["sectors"].values():
            spec["establishment_growth"] = 0.0

    cfg = config(6, no_growth)
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
    def no_growth(system):
        for spec in system["sectors"].values():
            spec["establishment_growth"] = 0.0

    cfg = config(7, no_growth)
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


@pytest.mark.xfail(strict=True, reason="the baseline still settles: acute vacancy falls ~0.5 points from "
                   "year 2 to year 10 without growth (16 seeds: -0.49, se 0.05; measured with "
                   "wfsim-validate; the README's validation section)")
def test_the_baseline_holds_still_for_ten_years_without_growth():
    """Zero growth, no programmes, 10 years, 4 seeds at full size: each sector's vacancy,
    turnover and sickness, and the share aged 55 or over, in year 10 are within four standard
    errors (of the seed-to-seed spread of the paired change) of year 2 (after the first year's
    settling), or a quarter of a percentage point (experiments.validation.stillness)."""
    table = stillness(SEEDS)
    assert table["still"].all(), table[~table["still"]]
