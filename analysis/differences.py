"""The differences from the baseline that the dashboard shows, as tidy tables and a chart.

They read a comparison table (``comparison.parquet``: programme, metric, sector, year,
mean_diff, lo90, hi90, n_seeds, baseline_mean, targeted), so what is on screen is what
``wfsim-compare`` writes for the same runs.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import style

# (metric, sector, which year, label, unit): the headline rows, in order
HEADLINE = (
    ("staff_in_post_fte", "all", "last", "Staff in post", "FTE"),
    ("vacancy_rate", "all", "last", "Vacancy rate", "points"),
    ("turnover_rate", "all", "last", "Turnover", "points"),
    ("agency_spend_gbp", "all", "last", "Agency spend", "£ a year"),
    ("bank_spend_gbp", "all", "last", "Bank spend", "£ a year"),
    ("programme_cost_gbp", "all", "run", "Programme cost", "£, whole run"),
    ("fte_years_gained", "all", "run", "FTE-years gained", "FTE-years, whole run"),
    ("cost_per_fte_year_gained_gbp", "all", "run", "Cost per FTE-year gained", "£"),
    ("spillover_fte", "untargeted", "last", "Spill-over: staff in post in sectors not targeted",
     "FTE"),
)
POINTS = {"vacancy_rate", "turnover_rate"}  # fractions shown as percentage points


def scenarios(comparison: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(comparison["programme"]))


def headline(comparison: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """One row per headline measure: the mean difference from the baseline on the same
    seeds and its 90% interval, for the last year (or the whole run)."""
    c = comparison[comparison["programme"] == scenario]
    last = int(c["year"].max()) if c["year"].notna().any() else None
    rows = []
    for metric, sector, when, label, unit in HEADLINE:
        sel = c[(c["metric"] == metric) & (c["sector"] == sector)]
        sel = sel[sel["year"].isna()] if when == "run" else sel[sel["year"] == last]
        if sel.empty:
            continue
        r = sel.iloc[0]
        scale = 100.0 if metric in POINTS else 1.0
        base = r.get("baseline_mean", np.nan)
        rows.append({"measure": label, "unit": unit, "metric": metric, "sector": sector,
                     "year": None if when == "run" else last,
                     "difference": r["mean_diff"] * scale, "lo90": r["lo90"] * scale,
                     "hi90": r["hi90"] * scale, "baseline": base * scale if pd.notna(base) else np.nan,
                     "n_seeds": int(r["n_seeds"])})
    return pd.DataFrame(rows)


def by_sector(comparison: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """Staff in post in each sector at the end of the last year: difference, interval and
    whether the scenario targets the sector (the others are its spill-over)."""
    c = comparison[(comparison["programme"] == scenario) & (comparison["metric"] == "staff_in_post_fte")]
    last = c["year"].max()
    c = c[(c["year"] == last) & (c["sector"] != "all")]
    out = pd.DataFrame({"sector": c["sector"].map(style.label), "difference": c["mean_diff"],
                        "lo90": c["lo90"], "hi90": c["hi90"], "baseline": c.get("baseline_mean"),
                        "targeted": c.get("targeted"), "year": last})
    return out.reset_index(drop=True)


def _number(value: float, unit: str) -> str:
    if value is None or not np.isfinite(value):
        return "no gain" if unit == "£" else "–"
    if unit.startswith("£"):
        return style.gbp(value) if value >= 0 else "-" + style.gbp(-value)
    if unit == "points":
        return f"{value:+.2f}"
    return f"{value:+,.1f}"


def html_table(table: pd.DataFrame, css_class: str = "wf-diff") -> str:
    """The table as HTML; every number carries its exact value in ``data-value`` so that a
    reader (or a test) can check it against the command line's comparison."""
    if table.empty:
        return f'<p class="{css_class}-empty">No differences to show.</p>'
    head = "<tr><th>Measure</th><th>Difference from baseline</th><th>90% interval</th><th>Baseline</th></tr>"
    body = []
    for r in table.itertuples():
        unit = getattr(r, "unit", "FTE")
        name = getattr(r, "measure", None) or r.sector
        if getattr(r, "targeted", None) is not None and "measure" not in table.columns:
            name += " (targeted)" if r.targeted else " (spill-over)"
        cells = [f'<td class="name">{html.escape(str(name))} '
                 f'<span class="unit">{html.escape(unit)}</span></td>']
        v = float(r.difference)
        cells.append(f'<td class="num" data-key="difference" data-value="{v!r}">'
                     f'{_number(v, unit)}</td>')
        lo, hi = float(r.lo90), float(r.hi90)
        finite = np.isfinite(lo) and np.isfinite(hi)
        interval = f"{_number(lo, unit)} to {_number(hi, unit)}" if finite else "–"
        cells.append(f'<td class="num" data-lo="{lo!r}" data-hi="{hi!r}">{interval}</td>')
        base = getattr(r, "baseline", np.nan)
        base_text = "–" if base is None or not np.isfinite(base) else (
            style.gbp(base) if unit.startswith("£") else f"{base:,.1f}" + ("%" if unit == "points" else ""))
        cells.append(f'<td class="num">{base_text}</td>')
        metric = getattr(r, "metric", "staff_in_post_fte")
        body.append(f'<tr data-metric="{metric}" data-sector="{html.escape(str(r.sector))}">'
                    + "".join(cells) + "</tr>")
    return f'<table class="{css_class}">{head}{"".join(body)}</table>'


def staff_chart(comparison: pd.DataFrame, scenario: str, title: str) -> Figure:
    """Difference in staff in post at the end of each year, all sectors and each sector,
    with the 90% interval across seeds."""
    c = comparison[(comparison["programme"] == scenario) & (comparison["metric"] == "staff_in_post_fte")]
    with style.chart_style():
        fig = Figure(figsize=(7.5, 3.6), dpi=100)
        ax = fig.add_subplot()
        sectors = ["all", *style.ordered(s for s in c["sector"].unique() if s != "all")]
        width = 0.8 / len(sectors)
        for k, s in enumerate(sectors):
            d = c[c["sector"] == s].sort_values("year")
            x = d["year"].astype(float).to_numpy() + (k - (len(sectors) - 1) / 2) * width
            y = d["mean_diff"].to_numpy(float)
            err = np.vstack([y - d["lo90"].to_numpy(float), d["hi90"].to_numpy(float) - y])
            colour = "#1d2733" if s == "all" else style.colour(s)
            ax.bar(x, y, width=width, color=colour, label=style.label(s))
            ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt="none", ecolor="#555555", lw=1, capsize=2)
        ax.axhline(0, color="#888888", lw=0.8)
        ax.set_xlabel("Year of the run")
        ax.set_ylabel("FTE, difference")
        ax.set_title(f"Staff in post: {title} minus baseline")
        ax.legend(ncols=3, loc="upper left", fontsize=8)
        fig.tight_layout()
    return fig
