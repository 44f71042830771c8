"""Report sections for an experiment: programmes compared with a baseline.

They read ``comparison.parquet`` (columns programme, metric, sector, year,
mean_diff, lo90, hi90, n_seeds). A row is the difference "programme minus
baseline" averaged over seeds, with a 90% interval. Rows whose sector is empty
or ``all`` are the whole system; rows with an empty year cover the whole run.
Metric names understood (the first of each pair is the simulator's name):

* staff in post: ``staff_in_post_fte`` or ``fte``; other effects such as
  ``vacancy_rate``, ``turnover_rate``, ``sickness_rate``, ``agency_spend_gbp``,
  ``bank_spend_gbp`` and ``headcount`` are shown too (unknown metrics with a
  generic label);
* cost: ``programme_cost_gbp`` (whole run, or per year and summed);
* gain: ``fte_years_gained`` or ``fte_years`` (extra FTE-years over the run);
  without either, the yearly whole-system staff-in-post differences are summed;
* ``cost_per_fte_year_gained_gbp``: used only when cost / gain cannot be worked out
  (cost over the average gain, with the range from the gain's interval, reads more
  plainly than an average of per-seed ratios, which must leave out seeds with no gain);
* ``spillover_fte``: change in staff in post in the sectors a programme does
  not target (sector ``untargeted``).

The sectors a programme aims at come from a boolean ``targeted`` column on
sector rows, or a comma-separated ``target_sectors`` column. Panels whose
inputs are missing are replaced by a short note.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from analysis import charts, style
from analysis.page import Section, figure, notice, table

ALL = "all"
FTE = ("staff_in_post_fte", "fte")
FTE_YEARS = ("fte_years_gained", "fte_years")
COST = "programme_cost_gbp"
COST_PER = "cost_per_fte_year_gained_gbp"
SPILL = "spillover_fte"
NOT_EFFECTS = {COST, COST_PER, SPILL, *FTE_YEARS}
EFFECTS = {
    "staff_in_post_fte": ("Staff in post", "difference in FTE"),
    "fte": ("Staff in post", "difference in FTE"),
    "headcount": ("Staff in post (people)", "difference in people"),
    "vacancy_rate": ("Vacancy rate", "difference, percentage points"),
    "turnover_rate": ("Turnover rate", "difference, percentage points"),
    "sickness_rate": ("Sickness rate", "difference, percentage points"),
    "agency_spend_gbp": ("Agency spend", "difference in £ a year"),
    "bank_spend_gbp": ("Bank spend", "difference in £ a year"),
}
MAX_PANELS = 6


def programme_label(name: str) -> str:
    """A scenario's name (analysis.load.scenario_names) for people: programmes by their names,
    swept settings as they were set."""
    out = []
    for part in name.split(", "):
        if "=" in part:
            out.append(part)
        elif part == ALL:
            out.append("All programmes together")
        elif part == "baseline":
            out.append("Baseline")
        else:
            out.append(" + ".join(style.label(p) for p in part.split("+")))
    return ", ".join(out)


# What a 90% interval over seeds covers (the comparison's `interval_covers`: sim.uncertainty).
COVERS = {
    "seeds": "The intervals cover run-to-run randomness only, not what is unknown about how staff "
             "behave (run with uncertainty.covers=seeds_and_behaviour for that).",
    "seeds_and_behaviour": "The intervals cover run-to-run randomness and what is unknown about how "
                           "staff behave: each seed drew its own behavioural coefficients within "
                           "their ranges (a scenario and its baseline drew the same).",
    "mixed": "Some runs drew their behavioural coefficients and some did not, so the intervals mix "
             "the two kinds of uncertainty.",
}


def interval_covers(comparison: pd.DataFrame) -> str:
    """What the intervals cover, in a sentence (tables written before the column: seeds only)."""
    kinds = set(comparison["interval_covers"].dropna()) if "interval_covers" in comparison else set()
    kind = "seeds" if not kinds else kinds.pop() if len(kinds) == 1 else "mixed"
    return COVERS.get(kind, COVERS["mixed"])


def experiment_sections(comparison: pd.DataFrame, dpi: int) -> list[Section]:
    comparison = comparison.assign(programme=comparison["programme"].map(programme_label))
    is_system = comparison["sector"].isna() | (comparison["sector"] == ALL)
    system = comparison[is_system]
    fte_metric = next((m for m in FTE if m in set(comparison["metric"])), None)
    seeds = int(comparison["n_seeds"].max())
    base = set(comparison["baseline"].dropna()) if "baseline" in comparison else {"baseline"}
    against = ("with no programme" if base == {"baseline"} else
               "of " + " / ".join(programme_label(b) for b in sorted(base)))
    lead = (
        f"Each scenario was run with up to {seeds} random seeds, alongside the same seeds "
        f"{against}; the figures are the average difference, with a 90% interval "
        f"showing how sure we can be. {interval_covers(comparison)}"
    )
    effects = headline_effects(system)
    costs = cost_table(system, list(dict.fromkeys(comparison["programme"])), fte_metric)
    sector_rows = comparison[~is_system & comparison["sector"].isin(
        [s for s in comparison["sector"].dropna().unique() if s != "untargeted"])]
    by_sector = pick_year(sector_rows[sector_rows["metric"] == fte_metric])
    targets = target_sectors(comparison)
    with style.chart_style():
        effect_img = cost_img = spill_img = None
        if not effects.empty:
            present = list(dict.fromkeys(effects["metric"]))
            order = [m for m in EFFECTS if m in present] + [m for m in present if m not in EFFECTS]
            titles = {m: panel_title(m, effects) for m in order}
            effect_img = charts.to_data_uri(charts.forest(effects, titles), dpi)
        if costs["cost_per_fte_year"].notna().any():
            cost_img = charts.to_data_uri(charts.cost_per_fte_year(costs), dpi)
        if not by_sector.empty:
            sectors = style.ordered(by_sector["sector"].unique())
            spill_img = charts.to_data_uri(charts.spillover(by_sector, targets, sectors), dpi)

    body = programme_points(effects, costs, fte_metric)
    body += figure(effect_img, "Effect of each programme",
                   "Dots show the average difference from running no programme; lines show "
                   "the 90% interval. Blue means the effect is clear; grey means it could be "
                   "zero. For vacancies, turnover, sickness and spend, a difference below zero "
                   "(left of the line) is an improvement.") if effect_img else notice(
        "comparison.parquet has no whole-system rows, so no effect chart.")
    sections = [Section("effects", "Programme effects", body, lead=lead)]

    if costs[COST].notna().any():
        body = cost_html(costs)
        if cost_img:
            body = figure(cost_img, "Cost per extra FTE-year",
                          "Programme cost divided by the extra full-time-equivalent years of "
                          "staff it produces, with its 90% interval. Shorter bars are better "
                          "value. An arrow means the gain could be zero, so the cost per "
                          "FTE-year has no upper limit; programmes with no gain are only in "
                          "the table.") + body
    else:
        body = notice(f"No programme costs recorded (metric '{COST}'), so value for money "
                      "is not shown.")
    sections.append(Section("costs", "Costs and value for money", body))

    if spill_img:
        caption = (
            "Each cell is the change in staff in post in one sector. Outlined cells are the "
            "sectors the programme aims at; the other cells are spill-over, for example "
            "staff drawn away from one sector into another. 'Unclear' marks changes that "
            "could be zero." if targets else
            "Each cell is the change in staff in post in one sector. The sectors each "
            "programme aims at are not recorded, so none are outlined."
        )
        body = figure(spill_img, "Effects on every sector", caption)
        body += spill_points(comparison, by_sector, targets)
    else:
        body = notice("comparison.parquet has no staff-in-post rows by sector, so spill-over "
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
    d = pick_year(system[~system["metric"].isin(NOT_EFFECTS)])
    present = list(dict.fromkeys(d["metric"]))
    known = [m for m in EFFECTS if m in present]
    others = [m for m in present if m not in EFFECTS]
    return d[d["metric"].isin((known + others)[:MAX_PANELS])]


def panel_title(metric: str, effects: pd.DataFrame) -> tuple[str, str]:
    title, unit = EFFECTS.get(metric, (style.label(metric), "difference"))
    years = effects.loc[effects["metric"] == metric, "year"]
    when = "whole period" if years.isna().all() else f"year {int(years.max())}"
    return f"{title} ({when})", unit


def target_sectors(comparison: pd.DataFrame) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if "targeted" in comparison.columns:
        rows = comparison[comparison["targeted"].fillna(False).astype(bool)]
        for prog, d in rows.groupby("programme", sort=False):
            out[prog] = sorted(set(d["sector"].dropna()) - {ALL, "untargeted"})
    if "target_sectors" in comparison.columns:
        for prog, d in comparison.groupby("programme", sort=False):
            values = d["target_sectors"].dropna()
            if len(values) and prog not in out:
                out[prog] = [s for s in re.split(r"[,;|\s]+", str(values.iloc[0])) if s]
    return out


def _total(system: pd.DataFrame, metrics: tuple[str, ...], programme: str):
    """Whole-run (mean, lo, hi) of the first metric present: the empty-year row, else the
    sum over years."""
    for metric in metrics:
        d = system[(system["metric"] == metric) & (system["programme"] == programme)]
        if d.empty:
            continue
        whole = d[d["year"].isna()]
        d = whole if not whole.empty else d
        return tuple(float(d[c].sum(min_count=1)) for c in ("mean_diff", "lo90", "hi90"))
    return (np.nan, np.nan, np.nan)


def cost_table(system: pd.DataFrame, programmes: list[str], fte_metric: str | None):
    rows = []
    for p in programmes:
        gain = _total(system, FTE_YEARS, p)
        from_yearly = np.isnan(gain[0]) and fte_metric is not None
        if from_yearly:
            yearly = system[(system["metric"] == fte_metric) & (system["programme"] == p)
                            & system["year"].notna()]
            gain = tuple(float(yearly[c].sum(min_count=1)) for c in ("mean_diff", "lo90", "hi90"))
        rows.append({"programme": p, COST: _total(system, (COST,), p)[0], "gain": gain[0],
                     "gain_lo": gain[1], "gain_hi": gain[2], "gain_from_yearly": from_yearly,
                     "agency_change": _total(system, ("agency_spend_gbp",), p)[0],
                     "given": _total(system, (COST_PER,), p)})
    t = pd.DataFrame(rows)
    positive = t["gain"] > 0
    t["cost_per_fte_year"] = (t[COST] / t["gain"]).where(positive)
    t["cost_per_fte_year_lo"] = (t[COST] / t["gain_hi"]).where(t["gain_hi"] > 0)
    t["cost_per_fte_year_hi"] = (t[COST] / t["gain_lo"]).where(t["gain_lo"] > 0, np.inf)
    t.loc[~positive, "cost_per_fte_year_hi"] = np.nan
    # Without a cost/gain figure of our own, use the one in the table (if any).
    for i, given in enumerate(t["given"]):
        if np.isnan(t.loc[i, "cost_per_fte_year"]) and t.loc[i, "gain"] > 0 \
                and not np.isnan(given[0]):
            t.loc[i, ["cost_per_fte_year", "cost_per_fte_year_lo", "cost_per_fte_year_hi"]] = given
    net = t[COST] + t["agency_change"].fillna(0.0)
    t["net_cost_per_fte_year"] = (net / t["gain"]).where(positive)
    return t.drop(columns="given")


def _money(v: float) -> str:
    return "–" if pd.isna(v) else style.gbp(v)


def _range(lo: float, hi: float, fmt) -> str:
    if pd.isna(lo) and pd.isna(hi):
        return ""
    hi_text = "no upper limit" if np.isinf(hi) else fmt(hi)
    return f'<br><span class="range">{fmt(lo)} to {hi_text}</span>'


def cost_html(costs: pd.DataFrame) -> str:
    rows = []
    for _, r in costs.iterrows():
        rows.append([
            html.escape(r["programme"]),
            _money(r[COST]),
            style.signed_count(r["gain"]) + _range(r["gain_lo"], r["gain_hi"],
                                                   style.signed_count)
            if pd.notna(r["gain"]) else "–",
            _money(r["cost_per_fte_year"]) + _range(r["cost_per_fte_year_lo"],
                                                   r["cost_per_fte_year_hi"], _money)
            if pd.notna(r["cost_per_fte_year"]) else "no gain",
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


def programme_points(effects: pd.DataFrame, costs: pd.DataFrame, fte_metric) -> str:
    fte = effects[effects["metric"] == fte_metric].set_index("programme")
    points = []
    for _, c in costs.iterrows():
        p = c["programme"]
        text = f"{p}: "
        if p in fte.index:
            r = fte.loc[p]
            text += (f"{style.signed_count(r['mean_diff'])} FTE staff in post "
                     f"(between {style.signed_count(r['lo90'])} and "
                     f"{style.signed_count(r['hi90'])})")
        else:
            text += "no whole-system staff-in-post figure"
        if pd.notna(c[COST]):
            text += f"; costs {style.gbp(c[COST])}"
        if pd.notna(c["cost_per_fte_year"]):
            text += f", about {style.gbp(c['cost_per_fte_year'])} per extra FTE-year"
        points.append(text + ".")
    items = "".join(f"<li>{html.escape(p)}</li>" for p in points)
    return f'<ul class="points">{items}</ul>'


def spill_points(comparison: pd.DataFrame, by_sector: pd.DataFrame,
                 targets: dict[str, list[str]]) -> str:
    """One line per programme on what happens outside the sectors it aims at."""
    if not targets:
        return ""
    spill = pick_year(comparison[(comparison["metric"] == SPILL)]).set_index("programme")
    points = []
    for p, d in by_sector.groupby("programme", sort=False):
        if p in spill.index:
            r = spill.loc[p]
            clear = r["lo90"] > 0 or r["hi90"] < 0
            text = (f"{p}: {style.signed_count(r['mean_diff'])} FTE in the sectors it does not "
                    f"aim at (between {style.signed_count(r['lo90'])} and "
                    f"{style.signed_count(r['hi90'])}"
                    f"{'' if clear else '; could be no change'}).")
        else:
            others = d[~d["sector"].isin(targets.get(p, []))]
            clear = others[(others["lo90"] > 0) | (others["hi90"] < 0)]
            text = f"{p}: no clear effect on sectors it does not aim at." if clear.empty else (
                f"{p}: clear knock-on effect in " + ", ".join(
                    f"{style.label(r.sector)} {style.signed_count(r.mean_diff)} FTE"
                    for r in clear.itertuples()) + ".")
        points.append(text)
    return '<ul class="points">' + "".join(f"<li>{html.escape(t)}</li>" for t in points) + "</ul>"
