"""Derived measures: sector totals, rates, monthly figures, flows by route.

All functions take the tidy frames from :mod:`analysis.load`. Frames holding
several runs carry a ``run`` column; the functions keep it as a grouping key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.style import DESTINATION_ORDER, SOURCE_ORDER

WEEKS_PER_YEAR = 52
WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12
STOCKS = [
    "headcount",
    "fte",
    "establishment_fte",
    "vacancy_fte",
    "sick_fte",
    "bank_fte",
    "agency_fte",
]
FLOWS = ["agency_cost_gbp", "bank_cost_gbp", "joiners", "leavers"]
FAN_QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}


def _run_key(df: pd.DataFrame) -> list[str]:
    return ["run"] if "run" in df.columns else []


def sector_weekly(ts: pd.DataFrame, all_sectors: bool = False) -> pd.DataFrame:
    """Totals over roles per (run,) week and sector, with rates added.

    With ``all_sectors`` the sectors are summed too (sector = "all").
    """
    df = ts.assign(burnout_x_head=ts["mean_burnout"] * ts["headcount"])
    if all_sectors:
        df = df.assign(sector="all")
    keys = [*_run_key(df), "week", "date", "sector"]
    out = df.groupby(keys, sort=True)[[*STOCKS, *FLOWS, "burnout_x_head"]].sum().reset_index()
    out["mean_burnout"] = out.pop("burnout_x_head") / out["headcount"].where(out["headcount"] > 0)
    return add_rates(out)


def add_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Vacancy and sickness rates, sickness over 4 weeks and turnover over 12 months.

    Turnover in the first year uses the weeks so far, scaled to a year
    (from week 13 on; earlier weeks are left blank).
    """
    df = df.copy()
    df["vacancy_rate"] = df["vacancy_fte"] / df["establishment_fte"].where(
        df["establishment_fte"] > 0
    )
    df["sickness_rate"] = df["sick_fte"] / df["fte"].where(df["fte"] > 0)
    keys = [*_run_key(df), "sector"]
    df = df.sort_values([*keys, "week"])
    grouped = df.groupby(keys, sort=False)
    window = dict(window=WEEKS_PER_YEAR, min_periods=13)
    leavers = grouped["leavers"].transform(lambda s: s.rolling(**window).sum())
    heads = grouped["headcount"].transform(lambda s: s.rolling(**window).mean())
    weeks = grouped["leavers"].transform(lambda s: s.rolling(**window).count())
    df["turnover_12m"] = leavers / heads.where(heads > 0) * (WEEKS_PER_YEAR / weeks)
    # sickness averaged over 4 weeks, to smooth out week-to-week noise in charts
    sick = grouped["sick_fte"].transform(lambda s: s.rolling(4, min_periods=1).sum())
    fte = grouped["fte"].transform(lambda s: s.rolling(4, min_periods=1).sum())
    df["sickness_4w"] = sick / fte.where(fte > 0)
    return df.reset_index(drop=True)


def monthly(df: pd.DataFrame, values: list[str], how: str) -> pd.DataFrame:
    """Calendar-month figures from weekly ones.

    ``how="last"`` takes the end-of-month stock; ``how="rate"`` gives a
    per-month amount (mean weekly amount times weeks per month), so months
    that are only partly covered by the run are not understated.
    """
    keys = [*_run_key(df), "sector"]
    df = df.assign(month=df["date"].dt.to_period("M").dt.to_timestamp())
    grouped = df.sort_values("week").groupby([*keys, "month"])[values]
    out = grouped.last() if how == "last" else grouped.mean() * WEEKS_PER_MONTH
    return out.reset_index()


def fan(df: pd.DataFrame, value: str, by: list[str]) -> pd.DataFrame:
    """Quantiles of ``value`` across runs (columns q05, q25, q50, q75, q95)."""
    grouped = df.groupby(by)[value]
    out = pd.DataFrame({name: grouped.quantile(q) for name, q in FAN_QUANTILES.items()})
    return out.reset_index()


# --- flows ----------------------------------------------------------------------


def flow_year(flows: pd.DataFrame) -> pd.Series:
    return flows["week"] // WEEKS_PER_YEAR + 1


def n_runs(df: pd.DataFrame) -> int:
    return int(df["run"].nunique()) if "run" in df.columns else 1


def flow_matrix(flows: pd.DataFrame, n_weeks: int) -> pd.DataFrame:
    """People per year from each source (rows) to each target (columns), averaged over runs."""
    per_year = flows.groupby(["source", "target"])["count"].sum() / n_runs(flows)
    per_year = per_year * WEEKS_PER_YEAR / n_weeks
    return per_year.unstack("target", fill_value=0.0)


def career_steps(changes: pd.DataFrame, n_weeks: int) -> pd.DataFrame:
    """People a year who changed role with their employer (analysis.load.role_changes), per
    run, sector and step (`role` to `target_role`): columns run, sector, role, target_role,
    per_year."""
    per_run = changes.groupby(["run", "sector", "role", "target_role"])["count"].sum()
    return (per_run * WEEKS_PER_YEAR / n_weeks).rename("per_year").reset_index()


def joiners_by_route(flows: pd.DataFrame, sectors: list[str]) -> pd.DataFrame:
    """People joining each sector per year, by where they came from (rows: year)."""
    df = flows[flows["target"].isin(sectors) & (flows["source"] != flows["target"])]
    return _by_year(df, "target", "source", SOURCE_ORDER + sectors, sectors)


def leavers_by_destination(flows: pd.DataFrame, sectors: list[str]) -> pd.DataFrame:
    """People leaving each sector per year, by where they went (rows: year)."""
    df = flows[flows["source"].isin(sectors) & (flows["source"] != flows["target"])]
    return _by_year(df, "source", "target", DESTINATION_ORDER + sectors, sectors)


def _by_year(df, sector_col, route_col, routes, sectors) -> pd.DataFrame:
    df = df.assign(year=flow_year(df))
    table = df.groupby(["year", sector_col, route_col])["count"].sum() / n_runs(df)
    table = table.unstack(route_col, fill_value=0.0)
    cols = [r for r in routes if r in table.columns] + sorted(
        c for c in table.columns if c not in routes
    )
    table = table.reindex(columns=cols)
    table.index = table.index.set_names(["year", "sector"])
    return table.reindex(
        pd.MultiIndex.from_product([sorted(df["year"].unique()), sectors]), fill_value=0.0
    ).rename_axis(["year", "sector"])


# --- headline tables ------------------------------------------------------------


def staff_in_post(ts: pd.DataFrame, summary: dict) -> pd.DataFrame:
    """Staff in post at the start and end of one run, per sector and for all sectors.

    Headcounts come from ``summary.json``; FTE from the first and last week of
    the time series.
    """
    weekly = pd.concat([sector_weekly(ts), sector_weekly(ts, all_sectors=True)])
    weekly = weekly.sort_values("week")
    fte = weekly.groupby("sector")["fte"]
    out = pd.DataFrame({"fte_start": fte.first(), "fte_end": fte.last()})
    sectors = summary["sectors"]
    for key in ("headcount_start", "headcount_end"):
        out[key] = [sectors[s][key] if s in sectors else np.nan for s in out.index]
    if "all" in out.index:
        known = out.index.isin(list(sectors))
        out.loc["all", "headcount_start"] = out.loc[known, "headcount_start"].sum()
        out.loc["all", "headcount_end"] = out.loc[known, "headcount_end"].sum()
    out["change"] = out["headcount_end"] - out["headcount_start"]
    out["change_pct"] = out["change"] / out["headcount_start"].where(out["headcount_start"] > 0)
    return out.rename_axis("sector").reset_index()


def spread(values: pd.Series) -> tuple[float, float, float]:
    """Median and 90% range of a set of run results."""
    arr = np.asarray(values, dtype=float)
    return (
        float(np.nanmedian(arr)),
        float(np.nanquantile(arr, 0.05)),
        float(np.nanquantile(arr, 0.95)),
    )
