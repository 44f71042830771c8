"""Charts for the board report.

Each function returns a matplotlib Figure; make them inside
:func:`analysis.style.chart_style`. Time-series charts accept frames with a
``run`` column: with one run they draw lines, with several they draw fan
charts (median line, middle 50% and middle 90% of runs shaded).
"""

from __future__ import annotations

import base64
import io

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from analysis import style
from analysis.metrics import fan

WIDTH = 10.0  # inches; the report column is this wide at 100 dpi


def to_data_uri(fig: Figure, dpi: int = 100) -> str:
    """The figure as an embeddable ``data:image/png;base64,...`` string."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def is_fan(df: pd.DataFrame) -> bool:
    return "run" in df.columns and df["run"].nunique() > 1


def _series(ax, df: pd.DataFrame, value: str, colour: str, x: str = "date", bands=True,
            **line_kw):
    """A line for one run, a fan for several (or just the median without ``bands``)."""
    df = df.dropna(subset=[value])
    if df.empty:
        return
    if is_fan(df):
        q = fan(df, value, [x])
        if bands:
            ax.fill_between(q[x], q["q05"], q["q95"], color=colour, alpha=0.15, lw=0)
            ax.fill_between(q[x], q["q25"], q["q75"], color=colour, alpha=0.35, lw=0)
        ax.plot(q[x], q["q50"], color=colour, lw=1.8, **line_kw)
    else:
        ax.plot(df[x], df[value], color=colour, lw=1.8, **line_kw)


def _date_axis(ax):
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def _sector_legend(fig: Figure, sectors: list[str], extra: list | None = None, fans=False):
    handles = [Line2D([], [], color=style.colour(s), lw=2.5, label=style.label(s)) for s in sectors]
    handles += extra or []
    if fans:
        handles += [
            Patch(color="#777777", alpha=0.45, label="middle 50% of runs"),
            Patch(color="#777777", alpha=0.15, label="middle 90% of runs"),
        ]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6))


def gbp_axis(ax, axis="y"):
    fmt = FuncFormatter(lambda v, _: style.gbp(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


# --- run and multirun charts ------------------------------------------------------


def staff_vs_establishment(weekly: pd.DataFrame, sectors: list[str]) -> Figure:
    """Per-sector panels: FTE in post against funded establishment."""
    n = len(sectors)
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(WIDTH, 2.9 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    fans = is_fan(weekly)
    for ax, sector in zip(axes, sectors, strict=False):
        d = weekly[weekly["sector"] == sector]
        colour = style.colour(sector)
        if not fans:
            ax.fill_between(d["date"], d["fte"], d["establishment_fte"],
                            where=d["establishment_fte"] > d["fte"], color=colour, alpha=0.12,
                            lw=0)
        _series(ax, d, "establishment_fte", style.ESTABLISHMENT_COLOUR, bands=False, ls="--")
        _series(ax, d, "fte", colour)
        ax.set_title(style.label(sector), color=colour)
        ax.set_ylabel("FTE (full-time equivalent)")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: style.count(v)))
        _date_axis(ax)
    for ax in axes[n:]:
        ax.set_visible(False)
    extra = [Line2D([], [], color=style.ESTABLISHMENT_COLOUR, ls="--", lw=1.8,
                    label="Funded posts (establishment)")]
    if not fans:
        extra.append(Patch(color="#999999", alpha=0.3, label="Gap = vacancies"))
    _sector_legend(fig, [], extra=[Line2D([], [], color="#333333", lw=1.8,
                                          label="Staff in post (sector colour)"), *extra],
                   fans=fans)
    fig.suptitle("Staff in post compared with funded posts")
    return fig


def rates(weekly: pd.DataFrame, sectors: list[str]) -> Figure:
    """Vacancy, turnover (past 12 months) and sickness rates by sector."""
    fig = Figure(figsize=(WIDTH, 3.9), layout="constrained")
    axes = fig.subplots(1, 3, sharex=True)
    panels = [
        ("vacancy_rate", "Vacancy rate", "% of funded posts empty"),
        ("turnover_12m", "Turnover, past 12 months", "% of staff leaving per year"),
        ("sickness_4w", "Sickness absence (4-week average)", "% of FTE off sick"),
    ]
    for ax, (col, title, unit) in zip(axes, panels, strict=True):
        for sector in sectors:
            _series(ax, weekly[weekly["sector"] == sector], col, style.colour(sector))
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(bottom=0)
        _date_axis(ax)
    _sector_legend(fig, sectors, fans=is_fan(weekly))
    fig.suptitle("Vacancies, turnover and sickness")
    return fig


def spend(monthly_spend: pd.DataFrame, sectors: list[str]) -> Figure:
    """Agency and bank spend per month by sector."""
    fig = Figure(figsize=(WIDTH, 3.9), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, col, title in zip(axes, ["agency_cost_gbp", "bank_cost_gbp"],
                              ["Agency staff", "Bank (in-house temporary) staff"], strict=True):
        for sector in sectors:
            d = monthly_spend[monthly_spend["sector"] == sector]
            _series(ax, d, col, style.colour(sector), x="month")
        ax.set_title(title)
        ax.set_ylabel("£ per month")
        gbp_axis(ax)
        _date_axis(ax)
    top = max(ax.get_ylim()[1] for ax in axes)
    for ax in axes:  # same scale on both panels
        ax.set_ylim(0, top)
    _sector_legend(fig, sectors, fans=is_fan(monthly_spend))
    fig.suptitle("Spending on temporary staff")
    return fig


def routes(table: pd.DataFrame, sectors: list[str], title: str, xlabel: str,
           sector_prefix: str) -> Figure:
    """Stacked bars: for each sector, people per year by route (columns of ``table``).

    Routes that are sectors are named with ``sector_prefix`` ("From", "To").
    """
    avg = table.groupby(level="sector").mean().reindex(sectors)
    fig = Figure(figsize=(WIDTH, 0.55 * len(sectors) + 2.0), layout="constrained")
    ax = fig.subplots()
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    y = np.arange(len(sectors))[::-1]
    left = np.zeros(len(sectors))
    handles = []
    for route in avg.columns:
        vals = avg[route].to_numpy(dtype=float)
        if not np.any(vals > 0):
            continue
        colour = style.colour(route)
        ax.barh(y, vals, left=left, color=colour, edgecolor="white", lw=0.6, height=0.66)
        left += vals
        name = style.label(route)
        if route in sectors:
            name = f"{sector_prefix}: {name}"
        handles.append(Patch(color=colour, label=name))
    for yi, total in zip(y, left, strict=True):
        ax.text(total, yi, f"  {style.count(total)}", va="center", fontsize=8.5)
    ax.set_yticks(y, [style.label(s) for s in sectors])
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, left.max() * 1.12 if left.max() > 0 else 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: style.count(v)))
    ax.set_title(title)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def flow_matrix(matrix: pd.DataFrame) -> Figure:
    """Heatmap of people per year from each source (rows) to each target (columns)."""
    nodes = matrix.index.union(matrix.columns)
    sectors = style.ordered([c for c in nodes if c not in style.OUTSIDE])
    rows = [s for s in style.SOURCE_ORDER if s in matrix.index] + [
        s for s in sectors if s in matrix.index
    ]
    cols = [s for s in sectors if s in matrix.columns] + [
        s for s in style.DESTINATION_ORDER if s in matrix.columns
    ]
    m = matrix.reindex(index=rows, columns=cols, fill_value=0.0)
    fig = Figure(figsize=(WIDTH, 0.48 * len(rows) + 2.3), layout="constrained")
    ax = fig.subplots()
    ax.grid(False)
    vmax = max(float(m.to_numpy().max()), 1.0)
    ax.imshow(m.to_numpy(), cmap="Blues", vmin=0, vmax=vmax * 1.15, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            v = m.iat[i, j]
            if v >= 0.5:
                ax.text(j, i, style.count(v), ha="center", va="center", fontsize=8.5,
                        color="white" if v > 0.6 * vmax else "#222222")
    ax.set_xticks(range(len(cols)), [style.short_label(c) for c in cols], rotation=25,
                  ha="right")
    ax.set_yticks(range(len(rows)), [style.short_label(r) for r in rows])
    for tick, key in zip(ax.get_xticklabels(), cols, strict=True):
        tick.set_color(style.colour(key) if key in sectors else "#444444")
    for tick, key in zip(ax.get_yticklabels(), rows, strict=True):
        tick.set_color(style.colour(key) if key in sectors else "#444444")
    n_src = sum(r in style.SOURCE_ORDER for r in rows)
    n_sec = sum(c in sectors for c in cols)
    ax.axhline(n_src - 0.5, color="#333333", lw=1)
    ax.axvline(n_sec - 0.5, color="#333333", lw=1)
    ax.set_xlabel("Moved to")
    ax.set_ylabel("Came from")
    ax.xaxis.set_label_position("top")
    ax.set_title("People moving each year, from (rows) to (columns)", pad=12)
    return fig


# --- experiment charts -------------------------------------------------------------


def forest(effects: pd.DataFrame, metric_titles: dict[str, tuple[str, str]]) -> Figure:
    """One panel per metric: each programme's difference from baseline with 90% interval."""
    metrics = list(metric_titles)
    programmes = list(dict.fromkeys(effects["programme"]))
    cols = min(2, len(metrics))
    rows = int(np.ceil(len(metrics) / cols))
    fig = Figure(figsize=(WIDTH, (0.45 * len(programmes) + 1.5) * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    y = np.arange(len(programmes))[::-1]
    for ax, metric in zip(axes, metrics, strict=False):
        d = effects[effects["metric"] == metric].set_index("programme").reindex(programmes)
        title, unit = metric_titles[metric]
        clear = (d["lo90"] > 0) | (d["hi90"] < 0)
        colours = np.where(clear, "#0072B2", "#999999")
        ax.hlines(y, d["lo90"], d["hi90"], color=colours, lw=2.2)
        ax.scatter(d["mean_diff"], y, color=colours, s=36, zorder=3)
        ax.axvline(0, color="#333333", lw=1)
        ax.set_yticks(y, programmes)
        ax.grid(axis="y", visible=False)
        ax.set_title(title)
        ax.set_xlabel(unit)
        _value_axis(ax, metric)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    fig.legend(handles=[
        Line2D([], [], color="#0072B2", marker="o", lw=2,
               label="clear effect (90% interval excludes 0)"),
        Line2D([], [], color="#999999", marker="o", lw=2, label="could be no effect"),
    ], loc="outside lower center", ncol=2)
    fig.suptitle("Difference each programme makes compared with no programme")
    return fig


def _value_axis(ax, metric: str, axis: str = "x"):
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(nbins=5))
    if metric.endswith("_rate"):
        fmt = lambda v: f"{100 * v:+.1f}"  # noqa: E731
    elif metric.endswith("_gbp"):
        fmt = lambda v: style.gbp(v, short=True)  # noqa: E731
    else:
        fmt = style.signed_count
    target.set_major_formatter(FuncFormatter(lambda v, _: "0" if abs(v) < 1e-12 else fmt(v)))


def cost_per_fte_year(table: pd.DataFrame) -> Figure:
    """Bars of cost per FTE-year gained, with the range implied by the FTE interval."""
    d = table.dropna(subset=["cost_per_fte_year"]).iloc[::-1]
    fig = Figure(figsize=(WIDTH, 0.5 * max(len(d), 1) + 1.6), layout="constrained")
    ax = fig.subplots()
    ax.grid(axis="y", visible=False)
    y = np.arange(len(d))
    ax.set_axisbelow(True)
    mid = d["cost_per_fte_year"].to_numpy(float)
    low = d["cost_per_fte_year_lo"].to_numpy(float)
    high = d["cost_per_fte_year_hi"].to_numpy(float)
    ax.barh(y, mid, color="#56B4E9", height=0.6)
    finite = np.isfinite(high)
    right = np.nanmax(np.concatenate([mid, high[finite]])) * 1.12
    ax.errorbar(mid[finite], y[finite],
                xerr=[np.nan_to_num(np.clip(mid - low, 0, None))[finite],
                      np.nan_to_num(np.clip(high - mid, 0, None))[finite]],
                fmt="none", ecolor="#333333", capsize=4, lw=1.2)
    for yi, lo in zip(y[~finite], low[~finite], strict=True):  # the gain could be zero
        start = lo if np.isfinite(lo) else 0.0
        ax.annotate("", xy=(right, yi), xytext=(start, yi),
                    arrowprops=dict(arrowstyle="->", color="#333333", lw=1.2))
        ax.text(right, yi + 0.18, "no upper limit", ha="right", va="bottom", fontsize=8,
                color="#555555")
    ax.set_xlim(0, right * 1.02)
    ax.set_yticks(y, list(d["programme"]))
    ax.set_xlabel("£ per extra FTE-year (one more full-time person for a year)")
    gbp_axis(ax, "x")
    ax.set_title("Cost of each extra full-time-equivalent year of staff")
    return fig


def spillover(effects: pd.DataFrame, targets: dict[str, list[str]], sectors: list[str]) -> Figure:
    """Heatmap: each programme's effect on FTE in every sector; targeted cells outlined."""
    programmes = list(dict.fromkeys(effects["programme"]))
    table = effects.set_index(["programme", "sector"])
    grid = np.full((len(programmes), len(sectors)), np.nan)
    for i, p in enumerate(programmes):
        for j, s in enumerate(sectors):
            if (p, s) in table.index:
                grid[i, j] = table.loc[(p, s), "mean_diff"]
    fig = Figure(figsize=(WIDTH, 0.6 * len(programmes) + 1.9), layout="constrained")
    ax = fig.subplots()
    ax.grid(False)
    vmax = max(float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0, 1.0)
    image = ax.imshow(grid, cmap="PuOr", vmin=-vmax, vmax=vmax, aspect="auto")
    for i, p in enumerate(programmes):
        for j, s in enumerate(sectors):
            if np.isnan(grid[i, j]):
                continue
            row = table.loc[(p, s)]
            clear = row["lo90"] > 0 or row["hi90"] < 0
            text = style.signed_count(grid[i, j]) + ("" if clear else "\n(unclear)")
            dark = abs(grid[i, j]) > 0.6 * vmax
            ax.text(j, i, text, ha="center", va="center", fontsize=8.5,
                    color="white" if dark else "#222222",
                    fontweight="bold" if clear else "normal")
            if s in targets.get(p, []):
                ax.add_patch(Rectangle((j - 0.48, i - 0.46), 0.96, 0.92, fill=False,
                                       ec="#000000", lw=2.2))
    ax.set_xticks(range(len(sectors)), [style.label(s) for s in sectors])
    for tick, s in zip(ax.get_xticklabels(), sectors, strict=True):
        tick.set_color(style.colour(s))
    ax.set_yticks(range(len(programmes)), programmes)
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label("Change in FTE staff in post")
    ax.set_title("Change in staff in post (FTE) in every sector", pad=10)
    return fig
