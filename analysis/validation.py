"""The validation report (validation.html): the hindcast's facts against the model, with charts of
the observed and simulated paths, and the stationarity check. Built from the tables
`wfsim-validate` writes (hindcast.csv, hindcast_paths.csv, stillness.csv), in the board report's
style."""
from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import style
from analysis.charts import to_data_uri
from analysis.page import Section, figure, page, table

START = dt.date(2022, 4, 1)        # the hindcast's start (system/england_2022.yaml)
PANELS = (  # measure, title, x is a year (True) or a week
    ("care_vacancy", "Social care vacancy rate", True),
    ("care_turnover", "Social care turnover rate", True),
    ("nurse_vacancy", "NHS nursing vacancy rate", False),
    ("nurse_leaving", "NHS nurses leaving the NHS in the next 12 months", False),
)
STATUS = {"hit": "✓ within tolerance", "miss": "✗ miss", "fitted": "fitted (starting year)"}
METRICS = {"vacancy_rate": "vacancy", "turnover_rate": "turnover", "sickness_rate": "sickness",
           "over_55": "share aged 55+"}


def _when(at: int, yearly: bool):
    if yearly:
        return dt.date(START.year + at - 1, 10, 1)       # the middle of financial year `at`
    return START + dt.timedelta(weeks=int(at))


def paths_chart(paths: pd.DataFrame, facts: pd.DataFrame) -> Figure:
    """Observed points against the model's median and range over seeds, one panel per series."""
    fig = Figure(figsize=(10, 6.4))
    axes = fig.subplots(2, 2)
    for ax, (measure, title, yearly) in zip(axes.ravel(), PANELS, strict=True):
        d = paths[paths["measure"] == measure]
        by = d.groupby("at")["value"]
        x = [_when(a, yearly) for a in by.median().index]
        ax.fill_between(x, by.min().to_numpy(), by.max().to_numpy(), color=style.colour("acute"), alpha=0.25,
                        lw=0, label="model, range over seeds")
        ax.plot(x, by.median().to_numpy(), color=style.colour("acute"), lw=2, label="model, median")
        seen = facts[facts["measure"] == measure]
        ax.plot([_when(a, yearly) for a in seen["at"]], seen["observed"], "kX", ms=9, label="observed")
        for _, f in seen.iterrows():
            if f["status"] != "fitted":
                ax.errorbar(_when(f["at"], yearly), f["observed"], yerr=f["tolerance"], color="k",
                            capsize=4, lw=1)
        ax.set_title(title, fontsize=11)
        ax.set_ylabel("%")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="best")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def build(hindcast: pd.DataFrame, paths: pd.DataFrame, still: pd.DataFrame | None, seeds: int,
          scale: float, dpi: int = 100) -> str:
    """The report's HTML. `hindcast`: one row per fact (experiments.validation.hindcast, with the
    `measure` and `at` of each); `paths`: measure, at, seed, value; `still`: the stationarity
    table or None (not run)."""
    tested = hindcast[hindcast["status"] != "fitted"]
    hits = int((tested["status"] == "hit").sum())
    rows = [[html.escape(r["fact"]), html.escape(r["period"]), f"{r['observed']:.1f}", f"{r['model']:.1f}",
             f"{r['model_low']:.1f} to {r['model_high']:.1f}", f"±{r['tolerance']:.1f}", STATUS[r["status"]]]
            for _, r in hindcast.iterrows()]
    facts = table(["fact", "when", "observed %", "model %", "range over seeds", "tolerance", ""], rows,
                  note="Sources (history.csv series): " + "; ".join(
                      f"{r['fact']} {r['period']}: {r['source']}" for _, r in hindcast.iterrows()),
                  text_columns=2)
    with style.chart_style():
        chart = to_data_uri(paths_chart(paths, hindcast), dpi)
    sections = [Section(
        "hindcast", "Hindcast: England 2022/23 to 2024/25",
        f"{hits} of {len(tested)} tested figures within tolerance. " + facts + figure(
            chart, "Observed and simulated",
            f"Crosses: what was observed (bars: the tolerance). Line and band: the model's median and "
            f"range over {seeds} seeds, England at {scale:g} of its size."),
        lead="England from April 2022, fitted to 2022/23's figures only, then driven by the known pay "
             "awards, National Living Wage, care pay and overseas recruitment of 2023/24 and 2024/25 "
             "(configs/scenario/hindcast_2022.yaml). The later years are the test: nothing was fitted "
             "to them, and a miss is shown as a miss. Tolerances are the project's (about a year's "
             "change in each series), not the sources'.")]
    if still is not None:
        ok = int(still["still"].sum())
        rows = [[style.label(r["sector"]), METRICS[r["metric"]], f"{r['change_pp']:+.2f}",
                 f"{r['se_pp']:.2f}", f"±{r['tolerance_pp']:.2f}", "✓ still" if r["still"] else "✗ drifts"]
                for _, r in still.iterrows()]
        sections.append(Section(
            "stillness", "Stationarity: the baseline without growth",
            f"{ok} of {len(still)} series hold still. " + table(
                ["sector", "series", "change, pp", "standard error", "tolerance", ""], rows, text_columns=2),
            lead=f"The default system with no funded growth and no programmes, {int(still['seeds'].max())} "
                 "seeds: each series' change from year 2 to year 10 (after the first year's settling). "
                 "Still: within the spread a still system would exceed by chance once in a hundred "
                 "checks of all the series (Student's t on the seed-to-seed spread), or 0.25 points."))
    subtitle = f"Model validation · report made {dt.date.today():%d %B %Y}"
    return page("Does the model reproduce what happened?", subtitle, sections)


def paths_table(runs: list[dict]) -> pd.DataFrame:
    """Each seed's measures (experiments.validation.measures) as a tidy table."""
    rows = [{"measure": k, "at": int(at), "seed": i, "value": float(v)}
            for i, r in enumerate(runs) for k, d in r.items() for at, v in d.items() if np.isfinite(v)]
    return pd.DataFrame(rows)
