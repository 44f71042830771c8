"""Report sections for an experiment: programmes compared with a baseline.

They read ``comparison.parquet`` (columns programme, metric, sector, year,
mean_diff, lo90, hi90, n_seeds; sector and year may be empty). A row is the
difference "programme minus baseline" averaged over seeds, with a 90%
interval. Metric names understood:

* effects: ``fte``, ``headcount``, ``vacancy_rate``, ``turnover_rate``,
  ``sickness_rate``, ``agency_spend_gbp``, ``bank_spend_gbp`` (others are shown
  with a generic label);
* cost: ``programme_cost_gbp`` (total over the run, or per year);
* gain: ``fte_years`` (extra FTE-years over the run); without it, the yearly
  system-wide ``fte`` differences are summed instead.

Rows with an empty sector are the whole system; rows with an empty year cover
the whole run. An optional ``target_sectors`` column (comma-separated) names
the sectors a programme aims at, for the spill-over panel.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from analysis import charts, style
from analysis.page import Section, figure, notice, table

COST = "programme_cost_gbp"
FTE_YEARS = "fte_years"
EFFECTS = {
    "fte": ("Staff in post", "difference in FTE"),
    "headcount": ("Staff in post (people)", "difference in people"),
    "vacancy_rate": ("Vacancy rate", "difference, percentage points"),
    "turnover_rate": ("Turnover rate", "difference, percentage points"),
    "sickness_rate": ("Sickness rate", "difference, percentage points"),
    "agency_spend_gbp": ("Agency spend", "difference in £"),
    "bank_spend_gbp": ("Bank spend", "difference in £"),
}
MAX_PANELS = 6


def experiment_sections(comparison: pd.DataFrame, dpi: int) -> list[Section]:
    system = comparison[comparison["sector"].isna()]
    programmes = list(dict.fromkeys(comparison["programme"]))
    seeds = int(comparison["n_seeds"].median())
    lead = (
        f"Each programme was run {seeds} times with different random seeds, alongside the "
        "same seeds with no programme; the figures are the average difference, with a 90% "
        "interval showing how sure we can be."
    )
    effects = headline_effects(system)
    costs = cost_table(system, programmes)
    with style.chart_style():
        effect_img = None
        if not effects.empty:
            titles = {m: panel_title(m, effects) for m in dict.fromkeys(effects["metric"])}
            effect_img = charts.to_data_uri(charts.forest(effects, titles), dpi)
        cost_img = None
        if costs["cost_per_fte_year"].notna().any():
            cost_img = charts.to_data_uri(charts.cost_per_fte_year(costs), dpi)
        by_sector = pick_year(comparison[(comparison["metric"] == "fte")
                                         & comparison["sector"].notna()])
        targets = target_sectors(comparison)
        spill_img = None
        if not by_sector.empty:
            sectors = style.ordered(by_sector["sector"].unique())
            spill_img = charts.to_data_uri(charts.spillover(by_sector, targets, sectors), dpi)

    body = programme_points(effects, costs)
    body += figure(effect_img, "Effect of each programme",
                   "Dots show the average difference from running no programme; lines show "
                   "the 90% interval. Blue means the effect is clear; grey means it could be "
                   "zero.") if effect_img else notice(
        "comparison.parquet has no whole-system rows (empty sector), so no effect chart.")
    sections = [Section("effects", "Programme effects", body, lead=lead)]

    if costs[COST].notna().any():
        body = cost_html(costs)
        if cost_img:
            body = figure(cost_img, "Cost per extra FTE-year",
                          "Programme cost divided by the extra full-time-equivalent years of "
                          "staff it produces; the whisker shows the range from the 90% "
                          "interval of the gain. Shorter bars are better value.") + body
    else:
        body = notice(f"No programme costs recorded (metric '{COST}'), so value for money "
                      "is not shown.")
    sections.append(Section("costs", "Costs and value for money", body))

    if spill_img:
        known = bool(targets)
        caption = (
            "Each cell is the change in staff in post in one sector. Outlined cells are the "
            "sectors the programme aims at; the other cells are spill-over, for example "
            "staff drawn away from one sector into another. 'Unclear' marks changes that "
            "could be zero." if known else
            "Each cell is the change in staff in post in one sector. The sectors each "
            "programme aims at are not recorded, so none are outlined."
        )
        body = figure(spill_img, "Effects on every sector", caption) + spill_points(
            by_sector, targets)
    else:
        body = notice("comparison.parquet has no sector rows for 'fte', so spill-over "
                      "cannot be shown.")
    sections.append(Section("spillover", "Effects on other sectors", body))
    return sections


def pick_year(df: pd.DataFrame) -> pd.DataFrame:
    """Per metric: the whole-run rows if there are any, else the final year."""
    parts = []
    for _, d in df.groupby("metric", sort=False):
        whole = d[d["year"].isna()]
        parts.append(whole if not whole.empty else d[d["year"] == d["year"].max()])
    return pd.concat(parts) if parts else df.iloc[0:0]


def headline_effects(system: pd.DataFrame) -> pd.DataFrame:
    d = system[~system["metric"].isin([COST, FTE_YEARS])]
    d = pick_year(d)
    known = [m for m in EFFECTS if m in set(d["metric"])]
    others = [m for m in dict.fromkeys(d["metric"]) if m not in EFFECTS]
    return d[d["metric"].isin((known + others)[:MAX_PANELS])]


def panel_title(metric: str, effects: pd.DataFrame) -> tuple[str, str]:
    title, unit = EFFECTS.get(metric, (style.label(metric), "difference"))
    years = effects.loc[effects["metric"] == metric, "year"]
    when = "whole period" if years.isna().all() else f"year {int(years.max())}"
    return f"{title} ({when})", unit


def target_sectors(comparison: pd.DataFrame) -> dict[str, list[str]]:
    col = next((c for c in ("target_sectors", "target_sector") if c in comparison.columns), None)
    if col is None:
        return {}
    out = {}
    for prog, d in comparison.groupby("programme", sort=False):
        values = d[col].dropna()
        if len(values):
            out[prog] = [s for s in re.split(r"[,;|\s]+", str(values.iloc[0])) if s]
    return out


def _total(system: pd.DataFrame, metric: str, programme: str) -> tuple[float, float, float]:
    """Whole-run (mean, lo, hi): the empty-year row, else the sum over years."""
    d = system[(system["metric"] == metric) & (system["programme"] == programme)]
    if d.empty:
        return (np.nan, np.nan, np.nan)
    whole = d[d["year"].isna()]
    d = whole if not whole.empty else d
    return tuple(float(d[c].sum()) for c in ("mean_diff", "lo90", "hi90"))


def cost_table(system: pd.DataFrame, programmes: list[str]) -> pd.DataFrame:
    rows = []
    for p in programmes:
        cost = _total(system, COST, p)[0]
        gain = _total(system, FTE_YEARS, p)
        from_yearly = np.isnan(gain[0])
        if from_yearly:
            yearly = system[(system["metric"] == "fte") & (system["programme"] == p)
                            & system["year"].notna()]
            gain = tuple(float(yearly[c].sum()) for c in ("mean_diff", "lo90", "hi90")) \
                if len(yearly) else gain
        agency = _total(system, "agency_spend_gbp", p)[0]
        rows.append({"programme": p, COST: cost, "gain": gain[0], "gain_lo": gain[1],
                     "gain_hi": gain[2], "gain_from_yearly": from_yearly,
                     "agency_change": agency})
    t = pd.DataFrame(rows)
    positive = t["gain"] > 0
    t["cost_per_fte_year"] = (t[COST] / t["gain"]).where(positive)
    t["cost_per_fte_year_lo"] = (t[COST] / t["gain_hi"]).where(t["gain_hi"] > 0)
    t["cost_per_fte_year_hi"] = (t[COST] / t["gain_lo"]).where(t["gain_lo"] > 0, np.inf)
    t.loc[~positive, "cost_per_fte_year_hi"] = np.nan
    net = t[COST] + t["agency_change"].fillna(0.0)
    t["net_cost_per_fte_year"] = (net / t["gain"]).where(positive)
    return t


def _money(v: float) -> str:
    return "–" if pd.isna(v) else style.gbp(v)


def cost_html(costs: pd.DataFrame) -> str:
    rows = []
    for _, r in costs.iterrows():
        hi = r["cost_per_fte_year_hi"]
        spread = "" if pd.isna(r["cost_per_fte_year"]) else (
            f'<br><span class="range">{_money(r["cost_per_fte_year_lo"])} to '
            f'{"no upper limit" if np.isinf(hi) else _money(hi)}</span>')
        rows.append([
            html.escape(style.label(r["programme"])),
            _money(r[COST]),
            f'{style.signed_count(r["gain"])}<br><span class="range">'
            f'{style.signed_count(r["gain_lo"])} to {style.signed_count(r["gain_hi"])}</span>'
            if pd.notna(r["gain"]) else "–",
            (_money(r["cost_per_fte_year"]) + spread) if pd.notna(r["cost_per_fte_year"])
            else "no gain",
            _money(r["agency_change"]),
            _money(r["net_cost_per_fte_year"]),
        ])
    note = ("Extra FTE-years: additional full-time-equivalent staff summed over the years "
            "of the run. Net cost subtracts any fall in agency spend (or adds a rise); "
            "a negative net cost means the agency savings more than pay for the programme.")
    if costs["gain_from_yearly"].any():
        note += " Where no FTE-year figure was recorded, the yearly FTE differences are added up."
    return table(["Programme", "Cost", "Extra FTE-years", "Cost per FTE-year",
                  "Change in agency spend", "Net cost per FTE-year"], rows, note)


def programme_points(effects: pd.DataFrame, costs: pd.DataFrame) -> str:
    fte = effects[effects["metric"] == "fte"].set_index("programme")
    points = []
    for _, c in costs.iterrows():
        p = c["programme"]
        text = f"{style.label(p)}: "
        if p in fte.index:
            r = fte.loc[p]
            text += (f"{style.signed_count(r['mean_diff'])} FTE staff in post "
                     f"(between {style.signed_count(r['lo90'])} and "
                     f"{style.signed_count(r['hi90'])})")
        else:
            text += "no whole-system FTE figure"
        if pd.notna(c[COST]):
            text += f"; costs {style.gbp(c[COST])}"
        if pd.notna(c["cost_per_fte_year"]):
            text += f", about {style.gbp(c['cost_per_fte_year'])} per extra FTE-year"
        points.append(text + ".")
    items = "".join(f"<li>{html.escape(p)}</li>" for p in points)
    return f'<ul class="points">{items}</ul>'


def spill_points(by_sector: pd.DataFrame, targets: dict[str, list[str]]) -> str:
    if not targets:
        return ""
    points = []
    for p, d in by_sector.groupby("programme", sort=False):
        aims = targets.get(p, [])
        others = d[~d["sector"].isin(aims)]
        clear = others[(others["lo90"] > 0) | (others["hi90"] < 0)]
        if clear.empty:
            text = f"{style.label(p)}: no clear effect on sectors it does not aim at."
        else:
            parts = ", ".join(
                f"{style.label(r.sector)} {style.signed_count(r.mean_diff)} FTE"
                for r in clear.itertuples()
            )
            text = f"{style.label(p)}: clear knock-on effect in {parts}."
        points.append(text)
    return '<ul class="points">' + "".join(f"<li>{html.escape(t)}</li>" for t in points) + "</ul>"
