"""The supply side answers the central questions with the right sign and a real size: paired seeds
(common random numbers), each effect asserted as a direction and a minimum size in standard errors
of the paired differences."""
from __future__ import annotations

import numpy as np
import pytest

from sim import WorkforceModel
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
