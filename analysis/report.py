"""A self-contained HTML report for an ICS board.

``write_report(folder)`` reads a run, multirun or experiment folder and writes
one HTML file with the charts embedded as PNG images, so it opens offline and
can be emailed or printed as it is.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import charts, metrics, style
from analysis.experiment import experiment_sections
from analysis.load import Run, RunSet, load
from analysis.page import Section, figure, page, table
from analysis.scenarios import read_overrides, scenario

DEFAULT_NAME = "report.html"


@dataclass
class Runs:
    """One run or several runs of the same scenario, in stacked form."""

    runs: list[Run]
    ids: list[str]
    timeseries: pd.DataFrame
    flows: pd.DataFrame
    summary_years: pd.DataFrame
    role_changes: pd.DataFrame

    @property
    def many(self) -> bool:
        return len(self.runs) > 1

    @property
    def sectors(self) -> list[str]:
        return style.ordered(self.timeseries["sector"].unique())

    @property
    def n_weeks(self) -> int:
        return int(self.timeseries["week"].max()) + 1


def as_runs(source: Run | RunSet) -> Runs | None:
    if isinstance(source, Run):
        ts = source.timeseries.assign(run="0")
        return Runs([source], ["0"], ts, source.flows.assign(run="0"),
                    source.summary_years.assign(run="0"), source.role_changes.assign(run="0"))
    if not source.runs:
        return None
    return Runs(source.runs, source.run_ids, source.timeseries, source.flows,
                source.summary_years, source.role_changes)


def build_report(source: Run | RunSet, dpi: int = 100) -> str:
    """The report as an HTML string."""
    runs = as_runs(source)
    sections: list[Section] = []
    if isinstance(source, RunSet) and source.comparison is not None:
        sections += experiment_sections(source.comparison, dpi)
    if runs is not None:
        run_part = run_sections(runs, dpi)
        others = source.other_scenario_runs if isinstance(source, RunSet) else 0
        if others:
            shown = f"the {len(runs.runs)} runs of {shown_scenario(source)}"
            run_part[0].lead = (
                f"From here on, the report shows {shown}. The folder's other {others} runs, of "
                f"{source.n_scenarios - 1} other scenario(s), are summarised in the sections above."
                if source.comparison is not None else
                f"From here on, the report shows {shown}; the folder's other {others} runs, of "
                f"{source.n_scenarios - 1} other scenario(s), are left out (the charts never mix "
                "scenarios: `wfsim-compare` sets them against each other)."
            )
        sections += run_part
    return page(title(source, runs), subtitle(source, runs), sections)


def write_report(folder: str | Path, out: str | Path | None = None, dpi: int = 100) -> Path:
    """Load ``folder``, write its report (default ``folder/report.html``), return the path."""
    source = load(folder)
    out = Path(out) if out else Path(folder) / DEFAULT_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(source, dpi=dpi), encoding="utf-8")
    return out


def title(source, runs: Runs | None) -> str:
    if isinstance(source, RunSet) and source.comparison is not None:
        return "Workforce programmes compared"
    return "Workforce outlook for the integrated care system"


def subtitle(source, runs: Runs | None) -> str:
    parts = [f"Simulation output: {source.name}"]
    if runs is not None:
        first = runs.runs[0]
        start = first.start_date
        end = runs.timeseries["date"].max()
        parts.append(f"{start:%B %Y} to {end:%B %Y} ({first.manifest['years']} years)")
        if isinstance(source, RunSet) and source.other_scenario_runs:
            parts.append(f"{len(runs.runs)} runs of {shown_scenario(source)}")
        elif runs.many:
            drew = any(r.manifest.get("uncertainty", {}).get("covers") == "seeds_and_behaviour"
                       for r in runs.runs)
            parts.append(f"{len(runs.runs)} runs with different random seeds"
                         + (" and behavioural coefficients" if drew else ""))
        else:
            parts.append(f"seed {first.seed}")
    parts.append(f"report made {date.today():%d %B %Y}")
    return " · ".join(parts)


def shown_scenario(source: RunSet) -> str:
    """The scenario the run charts show, in words."""
    if source.scenario == "baseline":
        return "the baseline (no programme)"
    return f"the scenario {source.scenario}"


# --- run sections ------------------------------------------------------------------


def band_covers(runs: Runs) -> str:
    """What the spread across runs covers (their manifests' `uncertainty`: sim.uncertainty)."""
    kinds = {r.manifest.get("uncertainty", {}).get("covers", "seeds") for r in runs.runs}
    if kinds == {"seeds"}:
        return "run-to-run randomness only, not what is unknown about how staff behave"
    if kinds == {"seeds_and_behaviour"}:
        return ("run-to-run randomness and what is unknown about how staff behave: each run drew "
                "its own behavioural coefficients")
    return "some runs drew their behavioural coefficients and some did not"


def run_sections(runs: Runs, dpi: int) -> list[Section]:
    sectors = runs.sectors
    weekly = metrics.sector_weekly(runs.timeseries)
    monthly_spend = metrics.monthly(weekly, ["agency_cost_gbp", "bank_cost_gbp"], how="rate")
    fan_note = (
        " The line is the middle result across runs; the darker band holds the middle half "
        f"of runs and the lighter band nine in ten runs ({band_covers(runs)})." if runs.many else ""
    )
    with style.chart_style():
        staff_fig = charts.staff_vs_establishment(weekly, sectors)
        rates_fig = charts.rates(weekly, sectors)
        spend_fig = charts.spend(monthly_spend, sectors)
        joiners = metrics.joiners_by_route(runs.flows, sectors)
        leavers = metrics.leavers_by_destination(runs.flows, sectors)
        join_fig = charts.routes(joiners, sectors, "Where new staff come from",
                                 "people joining per year (average)", "From")
        leave_fig = charts.routes(leavers, sectors, "Where leavers go",
                                  "people leaving per year (average)", "To")
        matrix_fig = charts.flow_matrix(metrics.flow_matrix(runs.flows, runs.n_weeks))
        figures = [charts.to_data_uri(f, dpi) for f in
                   (staff_fig, rates_fig, spend_fig, join_fig, leave_fig, matrix_fig)]
    staff_img, rates_img, spend_img, join_img, leave_img, matrix_img = figures
    return [
        Section("glance", "At a glance", key_points(runs, weekly) + headline_tables(runs)),
        Section("staff", "Staff in post and funded posts", figure(
            staff_img, "Staff in post and funded posts by sector",
            "Staff in post, in full-time equivalents, against the posts the budget pays for. "
            "Where the coloured line sits below the dashed line, posts are empty." + fan_note)),
        Section("rates", "Vacancies, turnover and sickness", figure(
            rates_img, "Vacancy, turnover and sickness rates by sector",
            "Vacancy rate: share of funded posts that are empty. Turnover: share of staff "
            "who left their employer over the past 12 months (in the first year, the months "
            "so far scaled up to a year). Sickness: share of staff time lost to sickness, "
            "averaged over four weeks."
            + fan_note)),
        Section("spend", "Spending on agency and bank staff", figure(
            spend_img, "Agency and bank spend per month by sector",
            "Agency staff come from outside agencies; bank staff are the system's own "
            "temporary pool. Both fill gaps left by vacancies and sickness; agency staff "
            "usually cost more." + fan_note)),
        Section("flows", "Where staff come from and where they go",
                figure(join_img, "Joiners by route",
                       "Average number of people joining each sector per year, by where they "
                       "came from, including moves from other sectors of the system.")
                + figure(leave_img, "Leavers by destination",
                         "Average number of people leaving each sector per year, by where "
                         "they went, including moves to other sectors of the system.")
                + figure(matrix_img, "All movements in one table",
                         "Each cell is the average number of people per year who moved from "
                         "the row to the column. The diagonal counts moves between employers "
                         "in the same sector and career steps in post (below).")
                + career_table(runs)),
        Section("about", "About these runs" if runs.many else "About this run", about(runs)),
    ]


def key_points(runs: Runs, weekly: pd.DataFrame) -> str:
    staff = pd.concat(
        [metrics.staff_in_post(r.timeseries, r.summary).assign(run=i)
         for i, r in zip(runs.ids, runs.runs, strict=True)]
    )
    total = staff[staff["sector"] == "all"]
    start, end = total["headcount_start"].median(), total["headcount_end"].median()
    many = " (middle result across runs)" if runs.many else ""
    points = [
        f"Staff in post across the system{many}: {style.count(start)} people at the start, "
        f"{style.count(end)} at the end ({style.signed_count(end - start)}, "
        f"{(end - start) / start:+.1%})." if start else "",
    ]
    by_sector = staff[staff["sector"] != "all"].groupby("sector")["change_pct"].median()
    if len(by_sector) > 1:
        hi, lo = by_sector.idxmax(), by_sector.idxmin()
        points.append(
            f"Fastest change: {style.label(hi)} ({by_sector[hi]:+.1%}); slowest: "
            f"{style.label(lo)} ({by_sector[lo]:+.1%})."
        )
    years = runs.summary_years
    last = int(years["year"].max())
    final = years[years["year"] == last].groupby("sector")["vacancy_rate"].median()
    if len(final):
        worst = final.idxmax()
        points.append(
            f"Highest vacancy rate in year {last}: {style.label(worst)} "
            f"({style.pct(final[worst])} of funded posts empty)."
        )
    spend = years.groupby(["run", "year"])[["agency_spend_gbp", "bank_spend_gbp"]].sum()
    spend = spend.groupby("year").median()
    points.append(
        f"Agency spend across the system: {style.gbp(spend['agency_spend_gbp'].iloc[0])} in "
        f"year 1 and {style.gbp(spend['agency_spend_gbp'].iloc[-1])} in year {last}; bank spend "
        f"{style.gbp(spend['bank_spend_gbp'].iloc[0])} and "
        f"{style.gbp(spend['bank_spend_gbp'].iloc[-1])}."
    )
    items = "".join(f"<li>{html.escape(p)}</li>" for p in points if p)
    return f'<ul class="points">{items}</ul>'


def _cell(values: pd.Series, fmt, many: bool) -> str:
    mid, lo, hi = metrics.spread(values)
    if pd.isna(mid):
        return "–"
    if not many or fmt(lo) == fmt(hi):
        return html.escape(fmt(mid))
    return f'{html.escape(fmt(mid))}<br><span class="range">{html.escape(fmt(lo))} to ' \
           f'{html.escape(fmt(hi))}</span>'


def headline_tables(runs: Runs) -> str:
    staff = pd.concat(
        [metrics.staff_in_post(r.timeseries, r.summary) for r in runs.runs]
    )
    order = [*runs.sectors, "all"]
    rows = []
    for sector in order:
        d = staff[staff["sector"] == sector]
        rows.append([
            _sector_name(sector),
            _cell(d["headcount_start"], style.count, runs.many),
            _cell(d["headcount_end"], style.count, runs.many),
            _cell(d["change"], style.signed_count, runs.many),
            _cell(d["change_pct"], lambda v: f"{v:+.1%}", runs.many),
            _cell(d["fte_start"], style.count, runs.many),
            _cell(d["fte_end"], style.count, runs.many),
        ])
    note = " Each cell shows the middle result across runs and, below it, the range that " \
           "holds nine in ten runs." if runs.many else ""
    out = table(
        ["Sector", "Staff at start", "Staff at end", "Change", "Change %", "FTE at start",
         "FTE at end"], rows,
        "Staff in post (people, and full-time equivalents) at the start and end." + note,
        total_last=True,
    )
    years = runs.summary_years
    rows = []
    for sector in runs.sectors:
        d = years[years["sector"] == sector]
        for year in sorted(d["year"].unique()):
            y = d[d["year"] == year]
            rows.append([
                _sector_name(sector) if year == d["year"].min() else "",
                f"Year {year}",
                _cell(y["vacancy_rate"], style.pct, runs.many),
                _cell(y["turnover_rate"], style.pct, runs.many),
                _cell(y["sickness_rate"], style.pct, runs.many),
                _cell(y["agency_spend_gbp"], style.gbp, runs.many),
                _cell(y["bank_spend_gbp"], style.gbp, runs.many),
            ])
    totals = years.groupby(["run", "year"])[["agency_spend_gbp", "bank_spend_gbp"]].sum()
    totals = totals.reset_index()
    for year in sorted(totals["year"].unique()):
        y = totals[totals["year"] == year]
        rows.append([
            _sector_name("all") if year == totals["year"].min() else "", f"Year {year}",
            "–", "–", "–",
            _cell(y["agency_spend_gbp"], style.gbp, runs.many),
            _cell(y["bank_spend_gbp"], style.gbp, runs.many),
        ])
    out += table(
        ["Sector", "Year", "Vacancy rate", "Turnover rate", "Sickness rate", "Agency spend",
         "Bank spend"], rows,
        "Year by year. Rates are averages over the year; spend is the total for the year.",
        text_columns=2,
    )
    return out


def career_table(runs: Runs) -> str:
    """Career steps in post (a support worker's apprenticeship into nursing, ...) per year, by
    sector and step; a sentence where nobody changed role."""
    steps = metrics.career_steps(runs.role_changes, runs.n_weeks)
    if steps.empty:
        return "<p>Career steps in post: nobody changed role with their employer in " + \
               ("these runs" if runs.many else "this run") + ".</p>"
    order = {s: i for i, s in enumerate(runs.sectors)}
    steps = steps.assign(at=steps["sector"].map(order)).sort_values(["at", "role", "target_role"])
    rows = []
    for (sector, role, target_role), d in steps.groupby(["sector", "role", "target_role"], sort=False):
        per_run = d.set_index("run")["per_year"].reindex(runs.ids, fill_value=0.0)
        rows.append([_sector_name(sector),
                     html.escape(f"{style.label(role)} to {style.label(target_role).lower()}"),
                     _cell(per_run, lambda v: f"{v:,.1f}", runs.many)])
    note = ("Career steps in post: staff who changed role with their employer (an apprenticeship, "
            "counted when it ends), people per year on average. Those who leave to study for a "
            "degree are among the leavers to education above.")
    if runs.many:
        note += " Each cell shows the middle result across runs and, below it, the range that " \
                "holds nine in ten runs."
    return table(["Sector", "Career step", "People per year"], rows, note, text_columns=2)


def _sector_name(sector: str) -> str:
    return f'<span class="swatch" style="background:{style.colour(sector)}"></span>' \
           f"{html.escape(style.label(sector))}" if sector != "all" else "<b>All sectors</b>"


def about(runs: Runs) -> str:
    first = runs.runs[0].manifest
    rows = [
        ["Start date", html.escape(str(first["start_date"]))],
        ["Years simulated", str(first["years"])],
        ["Seeds", html.escape(", ".join(str(r.seed) for r in runs.runs))],
    ]
    for key, name in [("config_hash", "Configuration fingerprint"),
                      ("git_revision", "Simulator version (git)")]:
        values = sorted({str(r.manifest.get(key, "not recorded")) for r in runs.runs})
        rows.append([name, html.escape(", ".join(values))])
    programmes = sorted({p for r in runs.runs for p in scenario(r.path)})
    rows.append(["Programmes switched on", html.escape(
        ", ".join(style.label(p) for p in programmes) if programmes else "none (baseline)")])
    wall = [r.manifest.get("wall_time_s") for r in runs.runs]
    wall = [w for w in wall if isinstance(w, int | float)]
    if wall:
        rows.append(["Computer time per run", f"{sum(wall) / len(wall):.1f} s"])
    overrides = sorted({" ".join(read_overrides(r.path)) for r in runs.runs} - {""})
    if overrides:
        rows.append(["Settings changed from default", html.escape("; ".join(overrides))])
    packages = first.get("packages")
    if isinstance(packages, dict) and packages:
        rows.append(["Software", html.escape(", ".join(f"{k} {v}" for k, v in packages.items()))])
    return table(["", ""], rows, "Details needed to reproduce these results.", header=False,
                 text_columns=2)
