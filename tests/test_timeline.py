"""Dated changes (sim.timeline) and the named scenarios built on them (configs/scenario): each is
checked before anything runs, takes effect in the week it says, and moves what it should."""
import datetime as dt

import numpy as np
import pytest

from sim import WorkforceModel
from sim.codes import SECTORS, WEEKS_PER_YEAR
from sim.config import ConfigError
from sim.system import load_config
from sim.timeline import TimelineWarning
from tests.helpers import run_wfsim

START = dt.date(2025, 4, 1)     # the default's start date


def change(name: str, **fields) -> list[str]:
    """Command-line overrides that add one timeline entry."""
    return [f"+timeline.{name}.{k}={v}" for k, v in fields.items()]


def model(overrides, years=2, scale=0.1, seed=0):
    return WorkforceModel(load_config([f"years={years}", f"scale={scale}", *overrides]), seed=seed, threads=1)


@pytest.mark.parametrize("fields,words", [
    ({"key": "system.sectors.acute.roles.nurse.turnover", "value": 0.1, "from": "2025-06-01"},
     ["timeline.x.key", "cannot change during a run", "system.sectors.<sector>.pay_award"]),
    ({"key": "system.sectors.hospice.pay_award", "value": 0.1, "from": "2025-06-01"},
     ["timeline.x.key", "no sector 'hospice'"]),
    ({"key": "system.sectors.acute.pay_award", "value": 0.1, "from": "2024-06-01"},
     ["timeline.x", "2024-06-01 is before the run's start (2025-04-01)"]),
    ({"key": "system.sectors.acute.pay_award", "value": 0.9, "from": "2025-06-01"},
     ["timeline.x", "0.9 from 2025-06-01 is not a valid system.sectors.acute.pay_award", "0.5"]),
    ({"key": "system.sectors.acute.agency_cap_fte_share", "times": 0.5, "from": "2025-06-01"},
     ["timeline.x.times", "no value to multiply"]),
    ({"key": "system.sectors.acute.pay_award", "value": 0.1},
     ["timeline.x", "needs the date it holds from"]),
    ({"key": "system.sectors.acute.pay_award", "value": 0.1, "from": "2025-06-01", "profile": "linear"},
     ["timeline.x", "a linear change needs `to`"]),
])
def test_a_bad_change_is_refused_naming_it(fields, words):
    with pytest.raises(ConfigError) as err:
        load_config(["years=3", *change("x", **fields)])
    for w in words:
        assert w in str(err.value)


def test_a_series_out_of_order_is_refused():
    with pytest.raises(ConfigError, match="by_year must list years in increasing order"):
        load_config(["years=3", "+timeline.x.key=system.sectors.acute.pay_award",
                     "+timeline.x.by_year={2027: 0.02, 2026: 0.03}"])


def test_a_change_after_the_run_is_said_not_refused():
    with pytest.warns(TimelineWarning, match="timeline.late starts on 2031-04-01, after this run ends"):
        load_config(["years=2", *change("late", key="system.sectors.acute.pay_award", value=0.1,
                                        **{"from": "2031-04-01"})])


@pytest.mark.slow  # a wfsim subprocess
def test_the_command_refuses_a_bad_change_before_it_runs(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "summary.json").write_text("earlier results\n")
    res = run_wfsim("years=1", *change("x", key="system.sectors.acute.turnover", value=0.1,
                                       **{"from": "2025-06-01"}), f"hydra.run.dir={folder}", cwd=tmp_path)
    assert res.returncode == 2 and "timeline.x.key" in res.stderr and "Traceback" not in res.stderr
    assert [p.name for p in folder.iterdir()] == ["summary.json"]


def test_pay_awards_by_year_are_paid_at_the_start_of_each_year():
    m = model(["+timeline.nhs.key=system.sectors.acute.pay_award",
               "+timeline.nhs.by_year={2025: 0.5, 2026: 0.033, 2027: 0.01}"], years=3)
    pay0 = m.state.pay_scale.copy()
    a = SECTORS.index("acute")
    seen = {}
    for week in range(3 * WEEKS_PER_YEAR):
        m.step()
        seen[week + 1] = m.state.pay_scale[a, 0] / pay0[a, 0]
    # the start year's award is in the starting pay; 2026/27's is paid from week 52, then 2027/28's
    assert seen[51] == 1.0 and seen[52] == pytest.approx(1.033, rel=1e-12)
    assert seen[103] == seen[52] and seen[104] == pytest.approx(1.033 * 1.01, rel=1e-12)
    care = SECTORS.index("social_care")
    assert m.state.pay_scale[care, 0] / pay0[care, 0] == pytest.approx(1.03 ** 3)   # untouched: 3%


def test_a_change_of_funded_growth_bends_the_path_without_a_jump():
    m = model([*change("g", key="system.sectors.acute.establishment_growth", value=0.10,
                       **{"from": "2026-04-01"})], years=2)
    a = SECTORS.index("acute")
    g0 = load_config([]).system.sectors["acute"].establishment_growth
    growth = {}
    for week in range(2 * WEEKS_PER_YEAR):
        m.step()
        growth[week + 1] = float(m.state.growth.value(week + 1)[a])
    assert growth[52] == pytest.approx(1 + g0, rel=1e-12)            # the system's own rate first
    assert growth[53] / growth[52] == pytest.approx(1.10 ** (1 / 52), rel=1e-12)   # then 10%
    assert growth[104] == pytest.approx((1 + g0) * 1.10, rel=1e-12)


def test_a_linear_ramp_moves_week_by_week_from_the_value_in_force():
    m = model([*change("r", key="system.sectors.acute.international_arrivals_scale", value=0.5,
                       profile="linear", **{"from": "2025-07-01", "to": "2026-07-01"})], years=2)
    w0 = (dt.date(2025, 7, 1) - START).days // 7
    w1 = (dt.date(2026, 7, 1) - START).days // 7
    scale = {}
    for week in range(2 * WEEKS_PER_YEAR - 1):
        m.step()
        scale[week + 1] = m.market.pools.arrivals_scale[SECTORS.index("acute")]
    assert scale[w0 - 1] == 1.0 and scale[w0] == 1.0
    mid = (w0 + w1) // 2
    assert scale[mid] == pytest.approx(1.0 - 0.5 * (mid - w0) / (w1 - w0))
    assert scale[w1] == 0.5 and scale[w1 + 10] == 0.5


def test_a_relative_change_multiplies_the_value_in_force():
    m = model([*change("ag", key="system.sectors.acute.agency_share_of_gap", times=0.7,
                       **{"from": "2025-04-01"})], years=1)
    base = model([], years=1)
    a = SECTORS.index("acute")
    assert m.params.agency_share[a] == pytest.approx(0.7 * base.params.agency_share[a])


def test_a_larger_training_intake_brings_more_graduates_after_the_course():
    def graduates(extra):
        m = model(extra, years=4, scale=0.2)
        m.run()
        pools = m.pools()
        edu = pools[(pools["pool"] == "education") & (pools["role"] == "nurse")]
        return edu.groupby(edu["week"] // WEEKS_PER_YEAR)["joined"].sum()

    base = graduates([])
    more = graduates(["+timeline.t.key=system.training.nurse.intake_per_year",
                      "+timeline.t.by_year={2025: 44000}"])
    cfg = load_config([])
    course = cfg.system.training["nurse"].course_years
    # the same graduates until the first larger intake has finished its course, then more
    assert (more.iloc[:course] == base.iloc[:course]).all()
    assert (more.iloc[course:] > base.iloc[course:]).all()


def test_the_shipped_scenarios_load_with_their_sources():
    for name in ("current_policy", "fair_pay_agreement", "international_below_10pct"):
        cfg = load_config([f"scenario={name}", "years=5"])
        assert cfg.scenario.name == name and cfg.scenario.description
        assert all(c.source for c in cfg.timeline.values()), name
    closures = load_config(["scenario=current_policy"]).system.labour_market.international.closures
    assert closures[0].closed_from == dt.date(2025, 7, 22)
    assert closures[0].switching_until == dt.date(2028, 7, 22)


@pytest.mark.slow  # 12 runs of 4 years
def test_the_fair_pay_agreement_adds_care_staff_against_current_policy():
    """Paired seeds: social care staff in post in year 4 (the uplift is paid from April 2028, the
    start of year 4) is higher with the agreement, by more than three standard errors."""
    def care_fte(scenario, seed):
        m = model([f"scenario={scenario}"], years=4, scale=0.3, seed=seed)
        m.run()
        ts = m.timeseries()
        last = ts[(ts["week"] >= 3 * WEEKS_PER_YEAR) & (ts["sector"] == "social_care")]
        return last["fte"].sum() / WEEKS_PER_YEAR

    diffs = np.array([care_fte("fair_pay_agreement", s) - care_fte("current_policy", s) for s in range(6)])
    assert diffs.mean() > 3 * diffs.std(ddof=1) / np.sqrt(len(diffs)), diffs   # measured: +7.3 FTE, 3.8 SE


def test_closing_the_care_worker_visa_route_cuts_overseas_hires_into_care():
    def care_recruits(extra):
        m = model(extra, years=2, scale=0.2)
        m.run()
        f = m.flows()
        return f[(f["source"] == "international") & (f["target"] == "social_care")
                 & (f["week"] >= WEEKS_PER_YEAR)]["count"].sum()

    assert care_recruits(["scenario=current_policy"]) < 0.3 * care_recruits([])
