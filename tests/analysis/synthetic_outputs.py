"""Synthetic output folders that follow the simulator's output contract.

Its fixtures reach the analysis tests through ``tests/analysis/conftest.py``.

The presentation layer is tested against these instead of the simulator, so
the tests stay fast and independent of the model. The stocks and flows are
consistent: each week's headcount is last week's plus joiners minus leavers,
and ``flows.parquet`` holds exactly the moves that make those joiners and
leavers. As in the simulator, joiners and leavers are counted per employer,
so a move between two employers of one sector is both a leaver and a joiner.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # let `pytest` find the analysis package uninstalled
    sys.path.insert(0, str(REPO_ROOT))

SECTORS = ["acute", "community", "primary", "social_care"]
ROLES = ["nurse", "ahp", "doctor", "support"]
START_HEADCOUNT = {"acute": 6000, "community": 2500, "primary": 1800, "social_care": 4000}
ROLE_SHARE = {"nurse": 0.35, "ahp": 0.15, "doctor": 0.15, "support": 0.35}
# people per 1,000 staff per week
JOIN_RATE = {"education": 1.3, "international": 0.7, "local_labour": 1.1, "returners": 0.3}
LEAVE_RATE = {"other_industry": 1.5, "retired": 0.8, "left_area": 0.6}
MOVE_RATE = 0.2  # to each other sector
SAME_SECTOR_MOVE_RATE = 0.4
START_DATE = "2025-04-07"
AGENCY_COST_PER_FTE_WEEK = 2200.0
BANK_COST_PER_FTE_WEEK = 1300.0


def write_run_folder(
    path: Path,
    weeks: int = 104,
    seed: int = 0,
    sectors: list[str] | None = None,
    roles: list[str] | None = None,
    recruitment_boost: dict[str, float] | None = None,
    scale: float = 1.0,
    programmes: list[str] | None = None,
) -> Path:
    """Write a valid run folder (timeseries, flows, summary) and return its path.

    ``recruitment_boost`` multiplies the joining rates of chosen sectors, to
    make a "programme" run that differs from a baseline; ``programmes`` names
    the programmes switched on (recorded in config.json and summary.json, as the
    simulator does).
    """
    sectors = sectors or SECTORS
    roles = roles or ROLES
    boost = recruitment_boost or {}
    rng = np.random.default_rng(seed)
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    n_s, n_r = len(sectors), len(roles)
    share = np.array([ROLE_SHARE.get(r, 1.0 / n_r) for r in roles])
    share = share / share.sum()
    start = np.array([START_HEADCOUNT.get(s, 1000) * scale for s in sectors])
    heads = np.rint(start[:, None] * share[None, :]).astype(np.int64)
    heads_start = heads.copy()
    fte_ratio = rng.uniform(0.82, 0.95, size=(n_s, n_r))
    establishment = heads * fte_ratio * rng.uniform(1.05, 1.12, size=(n_s, n_r))
    burnout = rng.uniform(0.25, 0.4, size=(n_s, n_r))
    dates = pd.Timestamp(START_DATE) + pd.to_timedelta(7 * np.arange(weeks), unit="D")
    ts_rows, flow_rows = [], []
    for w in range(weeks):
        week_of_year = w % 52
        education_season = 4.0 if 20 <= week_of_year < 26 else 0.4  # September starters
        joiners = np.zeros((n_s, n_r), dtype=np.int64)
        leavers = np.zeros((n_s, n_r), dtype=np.int64)
        flows: dict[tuple[str, str], int] = {}

        def add(src, dst, n, flows=flows):
            n = int(n.sum()) if hasattr(n, "sum") else int(n)
            if n > 0:
                flows[(src, dst)] = flows.get((src, dst), 0) + n

        for source, rate in JOIN_RATE.items():
            season = education_season if source == "education" else 1.0
            mult = np.array([boost.get(s, 1.0) for s in sectors])[:, None]
            n = rng.poisson(rate * season * mult * heads / 1000.0)
            joiners += n
            for i, s in enumerate(sectors):
                add(source, s, n[i])
        for dest, rate in LEAVE_RATE.items():
            n = np.minimum(rng.poisson(rate * heads / 1000.0), heads - leavers)
            leavers += n
            for i, s in enumerate(sectors):
                add(s, dest, n[i])
        for i, s in enumerate(sectors):
            for j, t in enumerate(sectors):
                rate = SAME_SECTOR_MOVE_RATE if i == j else MOVE_RATE
                n = np.minimum(rng.poisson(rate * heads[i] / 1000.0), heads[i] - leavers[i])
                add(s, t, n)
                leavers[i] += n  # joiners and leavers are counted per employer,
                joiners[j] += n  # so a move inside a sector is both
        heads = heads + joiners - leavers
        establishment = establishment * (1 + 0.01 / 52)
        fte = heads * fte_ratio
        vacancy = np.maximum(establishment - fte, 0.0)
        winter = 1.0 + 0.3 * np.cos(2 * np.pi * (week_of_year - 38) / 52)
        sick = fte * 0.045 * winter
        bank = 0.35 * vacancy
        agency = 0.15 * vacancy
        burnout = np.clip(burnout + rng.normal(0, 0.005, size=burnout.shape), 0, 1)
        for i, s in enumerate(sectors):
            for k, r in enumerate(roles):
                ts_rows.append(
                    (w, dates[w], s, r, int(heads[i, k]), fte[i, k], establishment[i, k],
                     vacancy[i, k], sick[i, k], bank[i, k], agency[i, k],
                     agency[i, k] * AGENCY_COST_PER_FTE_WEEK, bank[i, k] * BANK_COST_PER_FTE_WEEK,
                     burnout[i, k], int(joiners[i, k]), int(leavers[i, k]))
                )
        flow_rows += [(w, src, dst, n) for (src, dst), n in flows.items()]

    ts = pd.DataFrame(ts_rows, columns=[
        "week", "date", "sector", "role", "headcount", "fte", "establishment_fte",
        "vacancy_fte", "sick_fte", "bank_fte", "agency_fte", "agency_cost_gbp",
        "bank_cost_gbp", "mean_burnout", "joiners", "leavers",
    ])
    fl = pd.DataFrame(flow_rows, columns=["week", "source", "target", "count"])
    # text columns as categories and dates in milliseconds, as the simulator writes them
    for col in ("sector", "role"):
        ts[col] = ts[col].astype("category")
    nodes = list(JOIN_RATE) + sectors + list(LEAVE_RATE)
    for col in ("source", "target"):
        fl[col] = pd.Categorical(fl[col], categories=nodes)
    ts["date"] = ts["date"].astype("datetime64[ms]")
    ts.to_parquet(path / "timeseries.parquet", index=False)
    fl.to_parquet(path / "flows.parquet", index=False)
    progs = {p: {"cost_gbp": 1.0e6, "sectors": ["acute"], "years": []} for p in programmes or []}
    (path / "config.json").write_text(json.dumps({"seed": seed, "intervention": {
        p: None for p in programmes or []}}))
    summary = {"sectors": _summary_sectors(ts, sectors, heads_start), "programmes": progs,
               "manifest": {
        "seed": seed, "config_hash": f"synthetic-{seed}", "git_revision": "synthetic",
        "packages": {"numpy": np.__version__, "pandas": pd.__version__},
        "wall_time_s": 0.5, "years": int(np.ceil(weeks / 52)), "start_date": START_DATE,
    }}
    (path / "summary.json").write_text(json.dumps(summary, indent=2))
    return path


def _summary_sectors(ts: pd.DataFrame, sectors: list[str], heads_start: np.ndarray) -> dict:
    out = {}
    by = ts.groupby(["sector", "week"]).sum(numeric_only=True).reset_index()
    by["year"] = by["week"] // 52 + 1
    for i, s in enumerate(sectors):
        sec = by[by["sector"] == s]
        years = []
        for year, y in sec.groupby("year"):
            years.append({
                "year": int(year),
                "weeks": int(len(y)),
                "turnover_rate": float(y["leavers"].sum() / y["headcount"].mean()),
                "vacancy_rate": float(y["vacancy_fte"].mean() / y["establishment_fte"].mean()),
                "sickness_rate": float(y["sick_fte"].mean() / y["fte"].mean()),
                "agency_spend_gbp": float(y["agency_cost_gbp"].sum()),
                "bank_spend_gbp": float(y["bank_cost_gbp"].sum()),
            })
        out[s] = {
            "headcount_start": int(heads_start[i].sum()),
            "headcount_end": int(sec.sort_values("week")["headcount"].iloc[-1]),
            "years": years,
        }
    return out


def write_multirun(path: Path, seeds=(0, 1, 2), **kwargs) -> Path:
    """A Hydra-style multirun folder: numbered run folders with their overrides."""
    path = Path(path)
    for i, seed in enumerate(seeds):
        run = write_run_folder(path / str(i), seed=seed, **kwargs)
        (run / "overrides.yaml").write_text(f"- seed={seed}\n")
    (path / "multirun.yaml").write_text("hydra:\n  mode: MULTIRUN\n")
    return path


PROGRAMMES = {
    "international_recruitment": {"target_sectors": "acute", "fte": 180.0, "cost": 4.0e6},
    "care_worker_pay_uplift": {"target_sectors": "social_care", "fte": 220.0, "cost": 9.0e6},
    "return_to_practice": {"target_sectors": "community,primary", "fte": 25.0, "cost": 0.6e6},
}


def write_comparison(path: Path, years: int = 2, seed: int = 0, with_targets: bool = True) -> Path:
    """An experiment folder's ``comparison.parquet`` with invented programme effects."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    rows = []
    for prog, p in PROGRAMMES.items():
        targets = p["target_sectors"].split(",")

        def row(metric, sector, year, mean, half, prog=prog):
            rows.append((prog, metric, sector, year, mean, mean - half, mean + half, 20))

        for year in range(1, years + 1):
            ramp = year / years
            total = 0.0
            for s in SECTORS:
                effect = p["fte"] * ramp / len(targets) if s in targets else -0.08 * p["fte"] * ramp
                effect += rng.normal(0, 5)
                total += effect
                row("fte", s, year, effect, 25 + abs(effect) * 0.3)
                row("vacancy_rate", s, year, -effect / 40000, 0.002)
            row("fte", None, year, total, 40 + abs(total) * 0.3)
            row("vacancy_rate", None, year, -total / 150000, 0.002)
            row("turnover_rate", None, year, -0.002 * ramp, 0.003)
            row("agency_spend_gbp", None, year, -total * 4000.0, 1.0e5 + abs(total) * 1500)
        fte_years = p["fte"] * (years + 1) / 2 * 0.8
        row("fte_years", None, None, fte_years, 0.4 * fte_years)
        row("programme_cost_gbp", None, None, p["cost"], 0.0)
    df = pd.DataFrame(rows, columns=[
        "programme", "metric", "sector", "year", "mean_diff", "lo90", "hi90", "n_seeds",
    ])
    df["year"] = df["year"].astype("Int64")
    if with_targets:
        targets = {k: v["target_sectors"] for k, v in PROGRAMMES.items()}
        df["target_sectors"] = df["programme"].map(targets)
    df.to_parquet(path / "comparison.parquet", index=False)
    return path


@pytest.fixture(scope="session")
def synthetic_run(tmp_path_factory) -> Path:
    return write_run_folder(tmp_path_factory.mktemp("run") / "baseline", weeks=104, seed=1)


@pytest.fixture(scope="session")
def synthetic_programme_run(tmp_path_factory) -> Path:
    return write_run_folder(
        tmp_path_factory.mktemp("run") / "programme", weeks=104, seed=1,
        recruitment_boost={"acute": 1.5},
    )


@pytest.fixture(scope="session")
def synthetic_multirun(tmp_path_factory) -> Path:
    return write_multirun(tmp_path_factory.mktemp("multirun"), seeds=(11, 12, 13), weeks=104)


@pytest.fixture(scope="session")
def synthetic_experiment(tmp_path_factory) -> Path:
    return write_comparison(tmp_path_factory.mktemp("experiment"), years=2)


# Factory fixtures, so test modules need not import the writers.
@pytest.fixture
def make_synthetic_run():
    return write_run_folder


@pytest.fixture
def make_synthetic_multirun():
    return write_multirun


@pytest.fixture
def make_synthetic_comparison():
    return write_comparison


def write_simulator_comparison(path: Path, years: int = 2, seed: int = 0) -> Path:
    """``comparison.parquet`` in the layout the simulator's comparison step writes:
    whole-system rows under sector "all", ``staff_in_post_fte``, a ``targeted`` flag on
    sector rows, and precomputed ``cost_per_fte_year_gained_gbp``, ``fte_years_gained``
    and ``spillover_fte`` (sector "untargeted")."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    rows = []
    names = {"international_recruitment": ["acute"], "pay_parity": ["social_care"],
             "all": SECTORS}
    for prog, targets in names.items():
        def row(metric, sector, year, mean, half, targeted=None, prog=prog):
            rows.append({"programme": prog, "metric": metric, "sector": sector, "year": year,
                         "mean_diff": mean, "lo90": mean - half, "hi90": mean + half,
                         "n_seeds": 5, "baseline_mean": np.nan, "targeted": targeted})

        for year in range(1, years + 1):
            total = 0.0
            for s in SECTORS:
                effect = 90.0 * year if s in targets else -6.0 * year + rng.normal(0, 2)
                total += effect
                row("staff_in_post_fte", s, year, effect, 12.0, targeted=s in targets)
                row("vacancy_rate", s, year, -effect / 30000, 0.001, targeted=s in targets)
            row("staff_in_post_fte", "all", year, total, 20.0)
            row("vacancy_rate", "all", year, -total / 90000, 0.001)
            row("turnover_rate", "all", year, -0.001, 0.002)
            row("agency_spend_gbp", "all", year, -total * 3000, 5.0e4)
            row("programme_cost_gbp", "all", year, 1.0e6, 0.0)
            if targets != SECTORS:
                row("spillover_fte", "untargeted", year, -6.0 * year * (4 - len(targets)), 5.0,
                    targeted=False)
        row("programme_cost_gbp", "all", None, 1.0e6 * years, 0.0)
        row("fte_years_gained", "all", None, 100.0 * years, 30.0)
        row("cost_per_fte_year_gained_gbp", "all", None, 1.0e4, 3.0e3)
    df = pd.DataFrame(rows)
    df["year"] = df["year"].astype("Int64")
    df.to_parquet(path / "comparison.parquet", index=False)
    return path


def write_experiment_folder(path: Path, seeds=(0, 1), weeks: int = 30) -> Path:
    """An experiment as the simulator lays it out: numbered runs mixing the baseline and
    a programme over the same seeds, plus comparison.parquet."""
    path = Path(path)
    k = 0
    for programmes in ([], ["international_recruitment"]):
        for seed in seeds:
            write_run_folder(path / str(k), weeks=weeks, seed=seed, programmes=programmes,
                             recruitment_boost={"acute": 1.5} if programmes else None)
            k += 1
    write_simulator_comparison(path, years=int(np.ceil(weeks / 52)))
    return path


@pytest.fixture
def make_simulator_experiment():
    return write_experiment_folder
