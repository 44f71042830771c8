"""The run folder contract that analysis and users rely on."""
import json

import pandas as pd
import pytest

from tests.helpers import run_wfsim

pytestmark = pytest.mark.slow  # runs the wfsim command in a subprocess

TIMESERIES = {"week": "int64", "date": "datetime64", "sector": None, "role": None, "headcount": "int64",
              "fte": "float64", "establishment_fte": "float64", "vacancy_fte": "float64",
              "sick_fte": "float64", "bank_fte": "float64", "agency_fte": "float64",
              "agency_cost_gbp": "float64", "mean_burnout": "float64", "joiners": "int64",
              "leavers": "int64"}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    base = tmp_path_factory.mktemp("out")
    res = run_wfsim("years=2", "seed=5", f"hydra.run.dir={base / 'run'}", cwd=base)
    assert res.returncode == 0, res.stderr
    return base / "run"


def test_timeseries_columns_and_rows(run_folder):
    ts = pd.read_parquet(run_folder / "timeseries.parquet")
    for col, dtype in TIMESERIES.items():
        assert col in ts.columns
        if dtype:
            assert str(ts[col].dtype).startswith(dtype), (col, ts[col].dtype)
    assert ts["week"].min() == 0 and ts["week"].max() == 103
    assert set(ts["sector"].astype(str)) == {"acute", "community", "primary", "social_care"}
    assert set(ts["role"].astype(str)) == {"nurse", "ahp", "doctor", "support"}
    assert not ts.duplicated(["week", "sector", "role"]).any()
    # Social care employs no doctors: no such row.
    assert ts.query("sector == 'social_care' and role == 'doctor'").empty
    assert len(ts) == 104 * 15


def test_flows_and_summary(run_folder):
    fl = pd.read_parquet(run_folder / "flows.parquet")
    assert list(fl.columns) == ["week", "source", "target", "role", "target_role", "count"]
    assert str(fl["count"].dtype) == "int64"
    summary = json.loads((run_folder / "summary.json").read_text())
    for info in summary["sectors"].values():
        assert info["headcount_start"] > 0 and info["headcount_end"] > 0
        assert [y["year"] for y in info["years"]] == [1, 2]
        for y in info["years"]:
            assert {"turnover_rate", "vacancy_rate", "sickness_rate", "agency_spend_gbp"} <= set(y)
    man = summary["manifest"]
    assert man["seed"] == 5 and len(man["config_hash"]) == 64
    assert {"numpy", "numba", "mesa", "hydra-core"} <= set(man["packages"])
    assert man["wall_time_s"] > 0 and man["git_revision"]
    assert (run_folder / "overrides.yaml").read_text().splitlines()[:2] == ["- years=2", "- seed=5"]
    assert not list(run_folder.glob(".*tmp*"))


def test_cohorts_and_programmes_tables(run_folder):
    co = pd.read_parquet(run_folder / "cohorts.parquet")
    assert {"cohort_week", "route", "weeks_since_joining", "joined", "in_post", "retention",
            "left_to_other_industry", "left_to_social_care"} <= set(co.columns)
    assert set(co["weeks_since_joining"]) == {13, 26, 52}
    assert set(co["route"]) >= {"local_labour", "international", "other_employer"}
    assert (co["in_post"] <= co["joined"]).all() and co["retention"].between(0, 1).all()
    left = co.filter(like="left_to_").sum(axis=1)
    assert (co["joined"] - co["in_post"] == left).all()
    # Retention can only fall as weeks pass, for the same intake and route.
    wide = co.pivot_table(index=["cohort_week", "route"], columns="weeks_since_joining", values="in_post")
    wide = wide.dropna()
    assert (wide[13] >= wide[26]).all() and (wide[26] >= wide[52]).all()
    prog = pd.read_parquet(run_folder / "programmes.parquet")
    assert list(prog.columns) == ["week", "programme", "cost_gbp", "recruits"] and prog.empty


def test_pool_figures_balance(run_folder):
    """pools.parquet: each week a pool's stock moves by those who joined it, less those hired and
    those who left it (every stock pool, every role). The pools hold expected people, so a hire
    of one whole person from an age with less than one left empties it by less than one: the
    stock may fall by less than the figures say, by under one person per hire that week, never
    more. The year's last week also ages the pools kept by age, whose oldest leave uncounted, so
    it is left out."""
    pools = pd.read_parquet(run_folder / "pools.parquet")
    for (pool, role), g in pools.groupby(["pool", "role"], observed=True):
        if pool == "international":          # applications from abroad, not a stock
            continue
        g = g.sort_values("week")
        gap = (g["stock"].diff() - (g["joined"] - g["hired"] - g["left"])).iloc[1:]
        counted = (g["week"].iloc[1:] % 52 != 51).to_numpy()
        gap, hired = gap[counted], g["hired"].iloc[1:][counted]
        assert (gap >= -1e-6).all() and (gap <= hired + 1e-6).all() \
            and (gap[hired == 0].abs() < 1e-6).all(), (pool, role, gap.min(), gap.max())
