"""Rates as the statistics count them, computed from the timeseries table.

- turnover: leavers from an employer (including moves to another employer) over a year,
  divided by the mean headcount over that year (NHS Digital / Skills for Care definition);
- vacancy: vacant FTE over establishment FTE, averaged over the year's weeks;
- sickness: FTE absent sick over FTE in post (share of FTE days lost).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import WEEKS_PER_YEAR


def yearly_rates(ts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rates per simulated year (1, 2, ...) and grouping `by` (e.g. ["sector"])."""
    df = ts.assign(year=ts["week"] // WEEKS_PER_YEAR + 1)
    weekly = df.groupby(["year", "week", *by], observed=True)[
        ["headcount", "fte", "establishment_fte", "vacancy_fte", "sick_fte", "leavers",
         "agency_cost_gbp", "bank_cost_gbp"]].sum().reset_index()
    g = weekly.groupby(["year", *by], observed=True)
    out = pd.DataFrame({
        "weeks": g["week"].nunique(),
        "turnover_rate": g["leavers"].sum() / g["headcount"].mean()
        * (WEEKS_PER_YEAR / g["week"].nunique()),
        "vacancy_rate": g["vacancy_fte"].sum() / g["establishment_fte"].sum(),
        "sickness_rate": g["sick_fte"].sum() / g["fte"].sum(),
        "agency_spend_gbp": g["agency_cost_gbp"].sum(),
        "bank_spend_gbp": g["bank_cost_gbp"].sum(),
    }).reset_index()
    return out.replace([np.inf, -np.inf], np.nan)


def first_year(ts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return yearly_rates(ts[ts["week"] < WEEKS_PER_YEAR], by).drop(columns=["year", "weeks"])
