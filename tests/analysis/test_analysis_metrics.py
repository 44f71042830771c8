"""Derived measures agree with the raw outputs and with summary.json."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import metrics
from analysis.load import load


@pytest.fixture(scope="module")
def run(synthetic_run):
    return load(synthetic_run)


SECTORS = ["acute", "community", "primary", "social_care"]


def test_sector_weekly_sums_roles(run):
    weekly = metrics.sector_weekly(run.timeseries)
    assert len(weekly) == 104 * 4
    expected = run.timeseries.groupby(["week", "sector"])["fte"].sum().to_numpy()
    assert np.allclose(weekly.sort_values(["week", "sector"])["fte"], expected)
    assert weekly["vacancy_rate"].between(0, 1).all()


def test_rolling_turnover_matches_summary_after_a_year(run):
    weekly = metrics.sector_weekly(run.timeseries)
    at_year_end = weekly[weekly["week"] == 51].set_index("sector")["turnover_12m"]
    summary = run.summary_years.query("year == 1").set_index("sector")["turnover_rate"]
    assert np.allclose(at_year_end[summary.index], summary, rtol=1e-9)
    assert weekly.loc[weekly["week"] < 12, "turnover_12m"].isna().all()


def test_routes_account_for_every_flow(run):
    joiners = metrics.joiners_by_route(run.flows, SECTORS)
    leavers = metrics.leavers_by_destination(run.flows, SECTORS)
    moves = run.flows[run.flows["source"] != run.flows["target"]]
    into_sectors = moves[moves["target"].isin(SECTORS)]["count"].sum()
    out_of_sectors = moves[moves["source"].isin(SECTORS)]["count"].sum()
    assert joiners.to_numpy().sum() == pytest.approx(into_sectors)
    assert leavers.to_numpy().sum() == pytest.approx(out_of_sectors)
    # with moves between employers of one sector, they make the time series' joiners
    ts = run.timeseries.assign(year=run.timeseries["week"] // 52 + 1)
    from_ts = ts.groupby(["year", "sector"])["joiners"].sum()
    same = run.flows[run.flows["source"] == run.flows["target"]]
    same = same.assign(year=same["week"] // 52 + 1).groupby(["year", "target"])["count"].sum()
    assert np.allclose(joiners.sum(axis=1).to_numpy() + same.to_numpy(), from_ts.to_numpy())


def test_flow_matrix_is_people_per_year(run):
    matrix = metrics.flow_matrix(run.flows, n_weeks=104)
    assert matrix.to_numpy().sum() == pytest.approx(run.flows["count"].sum() / 2)


def test_staff_in_post_uses_summary_headcounts(run):
    staff = metrics.staff_in_post(run.timeseries, run.summary).set_index("sector")
    for sector in SECTORS:
        assert staff.loc[sector, "headcount_end"] == run.summary["sectors"][sector]["headcount_end"]
    assert staff.loc["all", "headcount_start"] == sum(
        s["headcount_start"] for s in run.summary["sectors"].values())


def test_fan_quantiles_are_ordered(synthetic_multirun):
    runs = load(synthetic_multirun)
    weekly = metrics.sector_weekly(runs.timeseries)
    q = metrics.fan(weekly, "fte", ["sector", "week"])
    assert len(q) == 4 * 104
    cols = ["q05", "q25", "q50", "q75", "q95"]
    assert (np.diff(q[cols].to_numpy(), axis=1) >= -1e-9).all()
