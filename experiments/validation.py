"""Validation: does the model reproduce what happened, and does its baseline hold still?

The hindcast starts England in April 2022 (system/england_2022.yaml, fitted to 2022/23's figures
only), drives it with the known inputs of 2023/24 and 2024/25 (scenario/hindcast_2022.yaml: pay
awards, the National Living Wage, care pay, overseas recruitment) and sets each year against what
was observed (`FACTS`, from history.csv with its sources). Nothing is fitted to the later years:
a miss is reported as a miss. The stationarity check runs the default with no funded growth for
ten years and asks whether vacancy, turnover, sickness and the share aged 55+ stay within seed
noise from year 2 to year 10.

Tolerances are the project's, not the sources': about the size of a year's change in each
series (an assumption stated with each fact).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import WorkforceModel
from sim.codes import WEEKS_PER_YEAR
from sim.metrics import yearly_rates
from sim.system import load_config
from sim.system.calibrate import held_still

HINDCAST = ["system=england_2022", "scenario=hindcast_2022", "years=3"]
NHS_TRUSTS = ["acute", "community"]
STILL_SECTORS = ("acute", "community", "primary", "social_care")
STILL_METRICS = ("vacancy_rate", "turnover_rate", "sickness_rate", "over_55")
# The chance that a system whose every series holds still fails the check anyway, over all the
# series together: each change is compared with the Student's t quantile for this share split
# over the series (with 16 seeds, 4.3 standard errors; a fixed four standard errors would fail a
# still system 1 time in 3 with 4 seeds, whose spread is itself a guess)
STILL_FALSE_ALARM = 0.01
STILL_FLOOR = 0.0025               # changes below a quarter of a point are still whatever the spread


@dataclass(frozen=True)
class Fact:
    """One observed figure and how the model's counterpart is measured (`measure` in
    `measures`: per year 1..3, or at a week)."""

    name: str          # what, in words
    period: str        # as the source gives it
    observed: float    # percent
    tolerance: float   # percentage points: a hit within it (assumption)
    measure: str
    at: int            # model year (1-3) or week, as the measure reads it
    fitted: bool       # a starting-year figure the model was fitted to
    source: str


FACTS = (
    Fact("Social care vacancy rate", "2022/23", 9.9, 1.0, "care_vacancy", 1, True, "asc_vacancy_rate"),
    Fact("Social care vacancy rate", "2023/24", 8.3, 1.0, "care_vacancy", 2, False, "asc_vacancy_rate"),
    Fact("Social care vacancy rate", "2024/25", 7.0, 1.0, "care_vacancy", 3, False, "asc_vacancy_rate"),
    Fact("Social care turnover rate", "2022/23", 30.0, 2.0, "care_turnover", 1, True,
         "asc_turnover_rate_independent"),
    Fact("Social care turnover rate", "2023/24", 25.8, 2.0, "care_turnover", 2, False,
         "asc_turnover_rate_independent"),
    Fact("Social care turnover rate", "2024/25", 24.7, 2.0, "care_turnover", 3, False,
         "asc_turnover_rate_independent"),
    Fact("NHS nursing vacancy rate", "Mar 2023", 11.1, 1.5, "nurse_vacancy", WEEKS_PER_YEAR - 1, True,
         "nhs_vacancies_nursing / (vacancies + nhs_hchs_fte_nurses): 43,000 / 388,114"),
    Fact("NHS nursing vacancy rate", "Mar 2024", 7.8, 1.5, "nurse_vacancy", 2 * WEEKS_PER_YEAR - 1, False,
         "nhs_vacancies_nursing / (vacancies + nhs_hchs_fte_nurses): 31,000 / 397,438"),
    Fact("NHS nurses leaving the NHS", "Oct 2022-Sep 2023", 9.9, 1.5, "nurse_leaving", 26, False,
         "nhs_leaver_rate_nurses"),
    Fact("NHS nurses leaving the NHS", "Oct 2023-Sep 2024", 8.8, 1.5, "nurse_leaving", 26 + WEEKS_PER_YEAR,
         False, "nhs_leaver_rate_nurses"),
    Fact("NHS nurses in post (FTE), change", "Mar 2023-Mar 2024", 6.2, 2.0, "nurse_fte_growth",
         WEEKS_PER_YEAR - 1, False, "nhs_hchs_fte_nurses 345,114 to 366,438"),
    # Skills for Care revised the series' basis between publications (the 2025 report puts
    # 2023/24 at 1,548,000 filled posts, the 2024 report at 1,705,000): levels from two reports
    # do not give a change, each report's own growth rate does.
    Fact("Social care filled posts, change", "2022/23-2024/25", 7.7, 2.0, "care_staff_change", 3, False,
         "asc_filled_posts_growth: +4.2% (2024 report) then +3.4% (2025 report)"),
)


def measures(m: WorkforceModel) -> dict[str, dict[int, float]]:
    """The model's counterpart of each kind of fact, in percent, keyed by the fact's `at`."""
    ts = m.timeseries()
    ts["sector"] = ts["sector"].astype(str)
    rates = yearly_rates(ts, ["sector"]).set_index(["year", "sector"])
    years = range(1, int(ts["week"].max() + 1) // WEEKS_PER_YEAR + 1)
    nurses = ts[ts["sector"].isin(NHS_TRUSTS) & (ts["role"].astype(str) == "nurse")]
    nurses = nurses.groupby("week")[["fte", "establishment_fte", "headcount"]].sum()
    flows = m.flows()
    source, target = flows["source"].astype(str), flows["target"].astype(str)
    out_of_trusts = flows[source.isin(NHS_TRUSTS) & (flows["role"].astype(str) == "nurse")
                          & ~target.isin(NHS_TRUSTS)]
    leaving = out_of_trusts.groupby("week")["count"].sum().reindex(nurses.index, fill_value=0)
    care = ts[ts["sector"] == "social_care"].groupby(ts["week"] // WEEKS_PER_YEAR + 1)["headcount"].sum()
    weeks = nurses.index
    return {
        "care_vacancy": {y: 100 * rates.loc[(y, "social_care"), "vacancy_rate"] for y in years},
        "care_turnover": {y: 100 * rates.loc[(y, "social_care"), "turnover_rate"] for y in years},
        "nurse_vacancy": {w: 100 * (1 - nurses.loc[w, "fte"] / nurses.loc[w, "establishment_fte"])
                          for w in weeks},
        # people leaving over the 52 weeks from `w`, per head on average over them
        "nurse_leaving": {w: 100 * leaving.loc[w:w + WEEKS_PER_YEAR - 1].sum()
                          / nurses.loc[w:w + WEEKS_PER_YEAR - 1, "headcount"].mean()
                          for w in weeks if w + WEEKS_PER_YEAR - 1 <= weeks.max()},
        "nurse_fte_growth": {w: 100 * (nurses.loc[w + WEEKS_PER_YEAR, "fte"] / nurses.loc[w, "fte"] - 1)
                             for w in weeks if w + WEEKS_PER_YEAR <= weeks.max()},
        "care_staff_change": {y: 100 * (care.loc[y] / care.loc[1] - 1) for y in years},
    }


def hindcast(seeds: range, scale: float) -> tuple[pd.DataFrame, list[dict]]:
    """(one row per fact with the model's mean, range over seeds and status, each seed's
    measures)."""
    cfg = load_config([*HINDCAST, f"scale={scale}"])
    runs = []
    for seed in seeds:
        m = WorkforceModel(cfg, seed=seed, threads=1)
        m.run()
        runs.append(measures(m))
    rows = []
    for f in FACTS:
        values = np.array([r[f.measure][f.at] for r in runs])
        mean = float(values.mean())
        status = "fitted" if f.fitted else ("hit" if abs(mean - f.observed) <= f.tolerance else "miss")
        rows.append({"fact": f.name, "period": f.period, "observed": f.observed, "model": mean,
                     "model_low": float(values.min()), "model_high": float(values.max()),
                     "tolerance": f.tolerance, "status": status, "source": f.source,
                     "measure": f.measure, "at": f.at})
    return pd.DataFrame(rows), runs


def stillness(seeds: range, years: int = 10) -> pd.DataFrame:
    """The default with no funded growth and no programmes: each sector's vacancy, turnover and
    sickness rates and share aged 55+, year 2 against year `years` (after the first year's
    settling). Still: the mean change is within the spread a still system would exceed by chance
    once in a hundred checks of all the series (`STILL_FALSE_ALARM`; Student's t on the
    seed-to-seed spread of the paired change), or a quarter of a percentage point."""
    cfg = held_still(load_config([f"years={years}"]))
    changes: dict[tuple[str, str], list[float]] = {}
    for seed in seeds:
        m = WorkforceModel(cfg, seed=seed, threads=1)
        m.run()
        r = yearly_rates(m.timeseries(), ["sector"]).set_index(["year", "sector"])
        ages = m.ages()
        old = ages["age_band"].isin(["55-64", "65-75"])
        share = (ages[old].groupby(["year", "sector"], observed=True)["headcount"].sum()
                 / ages.groupby(["year", "sector"], observed=True)["headcount"].sum())
        for s in STILL_SECTORS:
            for k in STILL_METRICS[:3]:
                changes.setdefault((s, k), []).append(r.loc[(years, s), k] - r.loc[(2, s), k])
            changes.setdefault((s, "over_55"), []).append(share.loc[(years, s)] - share.loc[(2, s)])
    return still_verdicts(changes)


def still_verdicts(changes: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    """One row per (sector, metric) of the paired changes over seeds: their mean and standard
    error, the tolerance (`STILL_FALSE_ALARM` split over the series, Student's t) and whether the
    series is still."""
    from scipy.stats import t as student_t

    rows = []
    for (sector, metric), d in changes.items():
        d = np.asarray(d)
        se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else np.nan
        q = student_t.ppf(1.0 - STILL_FALSE_ALARM / (2 * len(changes)), len(d) - 1) if len(d) > 1 else np.nan
        tol = max(q * se, STILL_FLOOR) if np.isfinite(se) else STILL_FLOOR
        rows.append({"sector": sector, "metric": metric, "change_pp": 100 * d.mean(), "se_pp": 100 * se,
                     "tolerance_pp": 100 * tol, "still": bool(abs(d.mean()) <= tol), "seeds": len(d)})
    return pd.DataFrame(rows)
