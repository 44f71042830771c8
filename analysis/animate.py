"""Animated flow chart: staff moving into, between and out of the sectors.

The sectors are circles whose area follows staff in post; the outside pools
(where staff come from and where leavers go) are small fixed circles. Lines
carry the people moving each month, their width proportional to the number,
and dots travel along them to show the direction. Monthly figures are
interpolated between frames so that the picture changes smoothly. A clock and
running totals are shown on screen.

Frames are drawn with matplotlib's Agg renderer, reusing the same artists and
only updating their data, and written as GIF (Pillow, one fixed palette) and
MP4 (H.264 through the ffmpeg binary bundled with imageio-ffmpeg). In
side-by-side mode a baseline run and a programme run share one scale.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from analysis import flowgraph as fg
from analysis import style
from analysis.load import OutputError, Run
from analysis.metrics import WEEKS_PER_MONTH
from analysis.video import GifWriter, Mp4Writer

DEFAULT_FPS = 12
DEFAULT_DPI = 80
SECONDS_PER_MONTH = 0.5
HOLD_SECONDS = 1.5
MAX_LINE_WIDTH = 16.0  # points, for the largest monthly flow
PARTICLE_SPACING = 0.6  # chart units between dots
PARTICLE_SPEED = 1.6  # chart units per second
INK = "#1d2733"
COUNT_FONT, MIN_COUNT_FONT = 12.0, 8.0  # points, staff count inside a sector circle
FORMATS = ("gif", "mp4")


@dataclass
class MonthlySeries:
    """One run's figures per calendar month, ready to draw."""

    name: str
    months: pd.DatetimeIndex
    headcount: np.ndarray  # [month, sector], end of month
    flows: np.ndarray  # [month, edge], people per month
    joined: np.ndarray  # cumulative people joining from outside
    left: np.ndarray  # cumulative people leaving to outside
    moved: np.ndarray  # cumulative moves between sectors


def monthly_series(run: Run, sectors: list[str], sources: list[str],
                   destinations: list[str], edges: list[fg.Edge], name: str) -> MonthlySeries:
    ts = run.timeseries
    week_month = ts.groupby("week")["date"].first().dt.to_period("M")
    heads = ts.groupby(["week", "sector"])["headcount"].sum().unstack("sector")
    heads = heads.reindex(columns=sectors, fill_value=0).fillna(0)
    heads_month = heads.groupby(week_month).last()
    weeks_in_month = week_month.value_counts().reindex(heads_month.index)
    flows = run.flows[run.flows["week"].isin(week_month.index)]
    flows = flows.assign(month=flows["week"].map(week_month))
    counts = flows.groupby(["month", "source", "target"])["count"].sum().unstack(
        ["source", "target"], fill_value=0)
    keys = pd.MultiIndex.from_tuples([(e.source, e.target) for e in edges])
    counts = counts.reindex(index=heads_month.index, columns=keys, fill_value=0).fillna(0)
    per_month = counts.to_numpy(float) / weeks_in_month.to_numpy(float)[:, None] * WEEKS_PER_MONTH

    def cumulative(mask) -> np.ndarray:
        cols = [k for k, m in zip(keys, mask, strict=True) if m]
        return counts[cols].sum(axis=1).cumsum().to_numpy(float) if cols else \
            np.zeros(len(counts))

    return MonthlySeries(
        name=name,
        months=heads_month.index.to_timestamp(),
        headcount=heads_month.to_numpy(float),
        flows=per_month,
        joined=cumulative([e.kind == "in" for e in edges]),
        left=cumulative([e.kind == "out" for e in edges]),
        moved=cumulative([e.kind == "between" for e in edges]),
    )


def _align(series: list[MonthlySeries]) -> list[MonthlySeries]:
    """Keep the months every series has (side-by-side runs must line up)."""
    common = series[0].months
    for s in series[1:]:
        common = common.intersection(s.months)
    if len(common) == 0:
        raise OutputError("the runs to compare have no months in common")
    out = []
    for s in series:
        idx = s.months.get_indexer(common)
        out.append(MonthlySeries(s.name, common, s.headcount[idx], s.flows[idx], s.joined[idx],
                                 s.left[idx], s.moved[idx]))
    return out


def _nice(x: float) -> float:
    """A round number near x (1, 2, 5, 10, 20, 50, ...)."""
    if x <= 0:
        return 1.0
    base = 10 ** np.floor(np.log10(x))
    return float(base * min((1, 2, 5, 10), key=lambda m: abs(m * base - x)))


def _text_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "white"


class FlowChart:
    """The figure and its artists; :meth:`frame` draws one moment and returns RGB pixels."""

    def __init__(self, series: list[MonthlySeries], sectors: list[str], sources: list[str],
                 destinations: list[str], titles: list[str], dpi: int = DEFAULT_DPI):
        self.series = _align(series)
        self.months = self.series[0].months
        self.sectors, self.sources, self.destinations = sectors, sources, destinations
        self._moving_artists: list = []
        self._background = None
        self.edges = fg.edges(sectors, sources, destinations)
        self.rgba = {k: to_rgba(style.colour(k)) for k in [*sectors, *sources, *destinations]}
        self.pos, self.outward = fg.node_positions(sectors, sources, destinations)
        n = len(self.series)
        size = (12.8, 7.2) if n == 1 else (9.6 * n, 6.8)
        self.fig = Figure(figsize=size, dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.max_radius = fg.max_radius(len(sectors))
        self.max_head = max(float(s.headcount.max()) for s in self.series) or 1.0
        self.max_flow = max(float(s.flows.max()) for s in self.series) or 1.0
        self.width_per_person = MAX_LINE_WIDTH / self.max_flow
        self._header(size, n)
        self.panels = [self._panel(i, n, titles[i] if n > 1 else None) for i in range(n)]

    # --- set-up ------------------------------------------------------------------------
    def _header(self, size, n):
        fig = self.fig
        top = 1 - 0.35 / size[1]
        fig.text(0.012, top, "How staff move into, around and out of the care system",
                 fontsize=16, fontweight="bold", color=INK, va="top")
        fig.text(0.012, top - 0.4 / size[1],
                 "Circle area: staff in post.   Line width: people moving per month.\n"
                 "Lines take the colour of where people come from; moving dots show the "
                 "direction.", fontsize=10, color="#5b6673", va="top", linespacing=1.5)
        self.clock = self._moving(fig.text(0.988, top, "", fontsize=22, fontweight="bold",
                                           color=INK, ha="right", va="top"))
        ref = _nice(self.max_flow * 0.4)
        y = top - 0.62 / size[1]
        x1 = 0.988 - 2.0 / size[0]
        fig.add_artist(Line2D([x1 - 0.6 / size[0], x1], [y, y], transform=fig.transFigure,
                              lw=max(ref * self.width_per_person, 0.5), color="#777777",
                              solid_capstyle="butt"))
        fig.text(x1 + 0.08 / size[0], y, f"= {ref:,.0f} people a month", fontsize=9.5,
                 color="#5b6673", va="center")
        self.progress = self._moving(fig.add_artist(
            Rectangle((0, 0), 0, 0.012, transform=fig.transFigure, color="#0072B2")))

    def _panel(self, i: int, n: int, title: str | None) -> dict:
        left, width = i / n, 1 / n
        height = 0.76 if n == 1 else 0.70
        ax = self.fig.add_axes((left, 0.09, width, height))
        fig_w, fig_h = self.fig.get_size_inches()
        inch_per_unit = min(fig_w * width / fg.WIDTH, fig_h * height / fg.HEIGHT)
        ax.set_xlim(0, fg.WIDTH)
        ax.set_ylim(0, fg.HEIGHT)
        ax.set_aspect("equal")
        ax.axis("off")
        if title:
            ax.set_title(title, fontsize=13, fontweight="bold", color=INK, pad=4)
        for key in self.sources + self.destinations:
            p = self.pos[key]
            # redrawn every frame (not text, so cheap) to stay on top of the lines
            self._moving(ax.add_patch(Circle(p, fg.OUTSIDE_RADIUS, color=style.colour(key),
                                             ec="white", lw=1, zorder=3)))
            is_source = key in self.sources
            name = textwrap.fill(style.label(key), 16)
            ax.text(p[0] + (-0.45 if is_source else 0.45), p[1], name,
                    ha="right" if is_source else "left", va="center", fontsize=10, color=INK,
                    zorder=4)
        lines, particles = [], []
        for e in self.edges:
            line = Line2D([], [], color=style.colour(e.source), alpha=0.55, lw=0,
                          solid_capstyle="round", zorder=1)
            self._moving(ax.add_line(line))
            lines.append(line)
            poly = None if e.kind == "within" else fg.curve(
                self.pos[e.source], self.pos[e.target], fg.bend_for(e))
            if poly is not None:
                line.set_data(poly[:, 0], poly[:, 1])
            particles.append(self._particle_track(poly))
        dots = self._moving(ax.scatter(np.zeros(1), np.zeros(1), s=0, lw=0, zorder=2))
        circles, counts, names = {}, {}, {}
        for s in self.sectors:
            colour = style.colour(s)
            circles[s] = self._moving(ax.add_patch(Circle(self.pos[s], 0.5, color=colour,
                                                          ec="white", lw=1.5, zorder=3)))
            counts[s] = self._moving(ax.text(
                *self.pos[s], "", ha="center", va="center", fontsize=COUNT_FONT,
                fontweight="bold", color=_text_colour(colour), zorder=4))
            up = self.outward[s][1] > 0
            names[s] = self._moving(ax.text(
                *self.pos[s], style.label(s), ha="center", va="bottom" if up else "top",
                fontsize=11.5, fontweight="bold", zorder=4,
                color=colour if _text_colour(colour) == "white" else INK))
        totals = self._moving(self.fig.text(left + width / 2, 0.04, "", ha="center",
                                            va="center", fontsize=12 if n == 1 else 10.5,
                                            color=INK))
        return dict(ax=ax, lines=lines, tracks=particles, dots=dots, circles=circles,
                    counts=counts, names=names, totals=totals, inch_per_unit=inch_per_unit)

    @staticmethod
    def _particle_track(poly):
        if poly is None:
            return None
        cum = fg.cumulative_length(poly)
        k = max(2, int(round(cum[-1] / PARTICLE_SPACING)))
        return poly, cum, np.arange(k) / k

    def _moving(self, artist):
        """Register an artist that changes between frames; the rest is drawn only once."""
        artist.set_animated(True)
        self._moving_artists.append(artist)
        return artist

    def _draw(self):
        """Paint the still background once, then per frame restore it and draw the
        moving artists on top, lowest first (text is the costly part to draw)."""
        if self._background is None:
            self.canvas.draw()  # skips the animated (moving) artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._moving_artists.sort(key=lambda a: a.get_zorder())
        self.canvas.restore_region(self._background)
        for artist in self._moving_artists:
            owner = artist.axes if artist.axes is not None else self.fig
            owner.draw_artist(artist)

    # --- drawing -------------------------------------------------------------------------
    def n_months(self) -> int:
        return len(self.months)

    def frame(self, t: float, seconds: float) -> np.ndarray:
        """Draw month-time ``t`` (0 = first month, fractions interpolate) at clock
        ``seconds`` (which moves the dots) and return an RGB array."""
        last = self.n_months() - 1
        t = min(max(t, 0.0), last)
        i = min(int(np.floor(t)), max(last - 1, 0))
        f = t - i if last > 0 else 0.0
        j = min(i + 1, last)
        self.clock.set_text(f"{self.months[int(round(t))]:%B %Y}")
        self.progress.set_width(t / last if last else 1.0)
        baseline = None  # staff in post of the first panel, to compare the others with
        for panel, s in zip(self.panels, self.series, strict=True):
            staff = self._draw_panel(panel, s, i, j, f, seconds, baseline)
            baseline = staff if baseline is None else baseline
        self._draw()
        buf = np.asarray(self.canvas.buffer_rgba())
        h, w = buf.shape[0] // 2 * 2, buf.shape[1] // 2 * 2  # even size for H.264
        return np.ascontiguousarray(buf[:h, :w, :3])

    def _draw_panel(self, p: dict, s: MonthlySeries, i: int, j: int, f: float, seconds: float,
                    baseline: float | None) -> float:
        def lerp(a):
            return a[i] * (1 - f) + a[j] * f

        heads, flows = lerp(s.headcount), lerp(s.flows)
        radius = {}
        for k, sector in enumerate(self.sectors):
            r = self.max_radius * np.sqrt(max(heads[k], 0.0) / self.max_head)
            radius[sector] = r
            p["circles"][sector].set_radius(r)
            count = f"{heads[k]:,.0f}"
            # the count goes inside the circle, in a smaller font if need be; if even
            # that would not fit, it goes after the sector's name
            size = min(COUNT_FONT, 1.7 * r * p["inch_per_unit"] * 72 / (0.64 * len(count)))
            inside = size >= MIN_COUNT_FONT
            p["counts"][sector].set_text(count if inside else "")
            p["counts"][sector].set_fontsize(size)
            p["names"][sector].set_text(style.label(sector) + ("" if inside else f"  {count}"))
            out = self.outward[sector]
            p["names"][sector].set_position(self.pos[sector] + out * (r + 0.58))
        offsets, sizes, colours = [], [], []
        for e, line, track, flow in zip(self.edges, p["lines"], p["tracks"], flows, strict=True):
            lw = flow * self.width_per_person
            lw = max(lw, 0.6) if flow > 0.05 else 0.0
            line.set_linewidth(lw)
            if e.kind == "within":
                poly = fg.loop(self.pos[e.source], radius[e.source], self.outward[e.source])
                line.set_data(poly[:, 0], poly[:, 1])
                track = self._particle_track(poly)
            if lw == 0:
                continue
            poly, cum, base = track
            phase = seconds * PARTICLE_SPEED / cum[-1]
            offsets.append(fg.points_along(poly, cum, (base + phase) % 1.0))
            sizes.append(np.full(len(base), np.clip(0.8 * lw, 2.6, 7.0) ** 2))
            colours += [self.rgba[e.source]] * len(base)
        if offsets:
            p["dots"].set_offsets(np.concatenate(offsets))
            p["dots"].set_sizes(np.concatenate(sizes))
            p["dots"].set_facecolors(colours)
        else:
            p["dots"].set_sizes([0])
        staff = float(heads.sum())
        versus = f" ({staff - baseline:+,.0f} vs baseline)" if baseline is not None else ""
        p["totals"].set_text(
            f"Staff in post {staff:,.0f}{versus}     Joined from outside {lerp(s.joined):,.0f}"
            f"     Left {lerp(s.left):,.0f}     Moved between sectors {lerp(s.moved):,.0f}")
        return staff


# --- putting it together ------------------------------------------------------------------


def build_chart(runs: list[Run], titles: list[str], dpi: int = DEFAULT_DPI) -> FlowChart:
    sectors = style.ordered(set().union(*(r.timeseries["sector"].unique() for r in runs)))
    all_flows = pd.concat([r.flows[["source", "target"]] for r in runs])
    sources, destinations = fg.outside_nodes(sectors, all_flows)
    edges = fg.edges(sectors, sources, destinations)
    series = [monthly_series(r, sectors, sources, destinations, edges, t)
              for r, t in zip(runs, titles, strict=True)]
    return FlowChart(series, sectors, sources, destinations, titles, dpi=dpi)


def frame_times(n_months: int, fps: int, seconds_per_month: float = SECONDS_PER_MONTH,
                hold_seconds: float = HOLD_SECONDS) -> list[tuple[float, float]]:
    """(month-time, seconds) of every frame: smooth steps through the months, then a
    short hold on the last month."""
    per_month = max(1, int(round(fps * seconds_per_month)))
    n_move = (n_months - 1) * per_month + 1
    n_hold = int(round(hold_seconds * fps))
    return [(min(k / per_month, n_months - 1), k / fps) for k in range(n_move + n_hold)]


def render(runs: list[Run], out_stem: Path, formats=FORMATS, fps: int = DEFAULT_FPS,
           dpi: int = DEFAULT_DPI, titles: list[str] | None = None,
           seconds_per_month: float = SECONDS_PER_MONTH,
           hold_seconds: float = HOLD_SECONDS) -> list[Path]:
    """Draw the animation for one run (or side by side for two) and write the files."""
    if fps < 1:
        raise ValueError("fps must be at least 1")
    titles = titles or [r.name for r in runs]
    chart = build_chart(runs, titles, dpi=dpi)
    times = frame_times(chart.n_months(), fps, seconds_per_month, hold_seconds)
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    writers = []
    if "gif" in formats:
        samples = [chart.frame(t, sec) for t, sec in (times[0], times[len(times) // 2],
                                                     times[-1])]
        writers.append(GifWriter(out_stem.with_suffix(".gif"), fps, samples))
    if "mp4" in formats:
        writers.append(Mp4Writer(out_stem.with_suffix(".mp4"), fps))
    try:
        for t, sec in times:
            rgb = chart.frame(t, sec)
            for w in writers:
                w.add(rgb)
    finally:
        paths = [w.close() for w in writers]
    return paths


def output_stem(out_dir: Path, compare_name: str | None) -> Path:
    if compare_name is None:
        return out_dir / "flows"
    return out_dir / ("flows_vs_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", compare_name))
