"""The flow chart's figure: sectors as circles whose area follows staff in post, the outside
pools as small fixed circles, lines whose width carries the people moving each month, and dots
travelling along them to show the direction; with a second run, the baseline, the programme and
their difference side by side. :class:`FlowChart` draws one moment at a time with matplotlib's
Agg renderer, reusing the same artists and only updating their data; :mod:`analysis.animate`
turns its frames into files.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from analysis import flowdata as fd
from analysis import flowgraph as fg
from analysis import style

DEFAULT_DPI = 80
MAX_LINE_WIDTH = 16.0  # points, for the largest monthly flow
PARTICLE_SPACING = 0.6  # chart units between dots
PARTICLE_SPEED = 1.6  # chart units per second
INK, MUTED = "#1d2733", "#5b6673"
COUNT_FONT, MIN_COUNT_FONT = 12.0, 8.0  # points, staff count inside a sector circle
HEADER_INCHES = 1.45  # title, caption and legend above the panels


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

    def __init__(self, series: list[fd.MonthlySeries], graph: fd.Graph, titles: list[str],
                 caption: str = "", dpi: int = DEFAULT_DPI):
        self.series = fd.align(series)
        self.graph = graph
        self.caption = caption
        self.months = self.series[0].months
        self.sectors, self.sources, self.destinations = graph.sectors, graph.sources, graph.destinations
        self.edges = graph.edges
        self.difference = self.series[1].minus(self.series[0], "difference") \
            if len(self.series) == 2 else None
        self._moving_artists: list = []
        self._background = None
        self.rgba = {k: to_rgba(style.colour(fg.node_name(k)))
                     for k in [*self.sectors, *self.sources, *self.destinations]}
        self.pos, self.outward = fg.node_positions(self.sectors, self.sources, self.destinations)
        n = len(self.series) + (self.difference is not None)
        size = (12.8, 7.2) if n == 1 else (6.4 * n, 5.0)
        self.fig = Figure(figsize=size, dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.max_radius = fg.max_radius(len(self.sectors))
        self.max_head = max(float(s.headcount.max()) for s in self.series) or 1.0
        self.max_flow = max(float(s.flows.max(initial=0)) for s in self.series) or 1.0
        self.width_per_person = MAX_LINE_WIDTH / self.max_flow
        self._header(size, caption)
        self.paths = self._route()
        panels = [self._panel(i, n, titles[i] if n > 1 else None) for i in range(len(self.series))]
        if self.difference is not None:
            d = self.difference
            self.max_diff_head = float(np.abs(d.headcount).max()) or 1.0
            self.max_diff_flow = float(np.abs(d.flows).max(initial=0)) or 1.0
            panels.append(self._panel(n - 1, n, "Difference from the baseline: blue more, "
                                      "vermilion fewer", difference=True))
        self.panels = panels

    # --- set-up ------------------------------------------------------------------------
    def _route(self) -> dict[fg.Edge, np.ndarray]:
        """Each line's path, kept off every circle it does not start or end at (sector
        circles at their largest size in the run)."""
        biggest = np.max([s.headcount.max(axis=0) for s in self.series], axis=0)
        radius = {s: self.max_radius * np.sqrt(max(h, 0.0) / self.max_head)
                  for s, h in zip(self.sectors, biggest, strict=True)}
        radius |= {k: fg.OUTSIDE_RADIUS for k in [*self.sources, *self.destinations]}
        # keep the widest line's edge, not only its middle, off the circles
        fig_w, fig_h = self.fig.get_size_inches()
        n = len(self.series) + (self.difference is not None)
        inch_per_unit = min(fig_w / n / fg.WIDTH, fig_h * (1 - (HEADER_INCHES + 0.55) / fig_h) / fg.HEIGHT)
        gap = fg.CLEARANCE + MAX_LINE_WIDTH / 72 / 2 / inch_per_unit
        paths = {}
        for e in self.edges:
            if e.kind == "within":
                continue
            others = [(self.pos[k], r) for k, r in radius.items() if k not in (e.source, e.target)]
            paths[e] = fg.route(self.pos[e.source], self.pos[e.target], fg.bend_for(e), others,
                                gap=gap)
        return paths

    def _header(self, size, caption: str):
        fig = self.fig
        top = 1 - 0.3 / size[1]
        fig.text(0.012, top, "How staff move into, around and out of the care system",
                 fontsize=16, fontweight="bold", color=INK, va="top")
        fig.text(0.012, top - 0.36 / size[1], caption, fontsize=11.5, color=INK, va="top")
        merged = [f"{style.label(o)}: {', '.join(style.label(p) for p in ps)}"
                  for o, ps in self.graph.merged_pools.items()]
        note = ("Circle area: staff in post.  Line width: people moving per month; lines take "
                "the colour of where people come from; dots show the direction.\n"
                f"Lines under {fd.EDGE_SHARE:.0%} of all moves ({self.graph.edge_threshold:,.0f} "
                f"people a month) are not drawn: {self.graph.hidden_edges} of them, "
                f"{self.graph.hidden_per_month:,.0f} people a month together."
                + (f"  Pools under {fd.POOL_SHARE:.0%} merged — " + "; ".join(merged)
                   if merged else ""))
        fig.text(0.012, top - 0.66 / size[1], note, fontsize=8.5, color=MUTED, va="top",
                 linespacing=1.45)
        self.clock = self._moving(fig.text(0.988, top, "", fontsize=20, fontweight="bold",
                                           color=INK, ha="right", va="top"))
        ref = _nice(self.max_flow * 0.4)
        y = top - 0.6 / size[1]
        x1 = 0.988 - 1.9 / size[0]
        fig.add_artist(Line2D([x1 - 0.5 / size[0], x1], [y, y], transform=fig.transFigure,
                              lw=max(ref * self.width_per_person, 0.5), color="#777777",
                              solid_capstyle="butt"))
        fig.text(x1 + 0.08 / size[0], y, f"= {ref:,.0f} people a month", fontsize=9.5,
                 color=MUTED, va="center")
        self.progress = self._moving(fig.add_artist(
            Rectangle((0, 0), 0, 0.012, transform=fig.transFigure, color="#0072B2")))

    def _panel(self, i: int, n: int, title: str | None, difference: bool = False) -> dict:
        left, width = i / n, 1 / n
        fig_w, fig_h = self.fig.get_size_inches()
        height = 1 - (HEADER_INCHES + 0.55) / fig_h
        ax = self.fig.add_axes((left, 0.5 / fig_h, width, height))
        inch_per_unit = min(fig_w * width / fg.WIDTH, fig_h * height / fg.HEIGHT)
        ax.set_xlim(0, fg.WIDTH)
        ax.set_ylim(0, fg.HEIGHT)
        ax.set_aspect("equal")
        ax.axis("off")
        if title:
            ax.set_title(title, fontsize=12.5, fontweight="bold", color=INK, pad=2)
        font = 10 if n == 1 else 8.5
        for key in self.sources + self.destinations:
            p = self.pos[key]
            # redrawn every frame (not text, so cheap) to stay on top of the lines
            self._moving(ax.add_patch(Circle(p, fg.OUTSIDE_RADIUS, color=style.colour(fg.node_name(key)),
                                             ec="white", lw=1, zorder=3)))
            is_source = key in self.sources
            name = textwrap.fill(style.label(fg.node_name(key)), 16)
            ax.text(p[0] + (-0.45 if is_source else 0.45), p[1], name,
                    ha="right" if is_source else "left", va="center", fontsize=font, color=INK,
                    zorder=4)
        lines, particles = [], []
        for e in self.edges:
            line = Line2D([], [], color=style.colour(fg.node_name(e.source)), alpha=0.55, lw=0,
                          solid_capstyle="round", zorder=1)
            self._moving(ax.add_line(line))
            lines.append(line)
            poly = self.paths.get(e)
            if poly is not None:
                line.set_data(poly[:, 0], poly[:, 1])
            particles.append(self._particle_track(poly))
        dots = self._moving(ax.scatter(np.zeros(1), np.zeros(1), s=0, lw=0, zorder=2))
        circles, counts, names = {}, {}, {}
        for s in self.sectors:
            colour = style.colour(s)
            if difference:  # where the sector is, so the eye finds it when the change is small
                ax.add_patch(Circle(self.pos[s], self.max_radius * 0.75, fill=False, ec="#c8ced6",
                                    lw=1, ls=(0, (3, 3)), zorder=0))
            circles[s] = self._moving(ax.add_patch(Circle(self.pos[s], 0.5, color=colour,
                                                          ec="white", lw=1.5, zorder=3)))
            counts[s] = self._moving(ax.text(
                *self.pos[s], "", ha="center", va="center", fontsize=COUNT_FONT,
                fontweight="bold", color=_text_colour(colour), zorder=4))
            up = self.outward[s][1] > 0
            names[s] = self._moving(ax.text(
                *self.pos[s], style.label(s), ha="center", va="bottom" if up else "top",
                fontsize=11 if n == 1 else 8, fontweight="bold", zorder=4,
                color=colour if _text_colour(colour) == "white" else INK))
        totals = self._moving(self.fig.text(left + width / 2, 0.3 / fig_h, "", ha="center",
                                            va="center", fontsize=12 if n == 1 else 9.5, color=INK,
                                            linespacing=1.4))
        if difference:
            ax.text(fg.WIDTH / 2, fg.HEIGHT - 0.02, "circle area and line width on this "
                    "panel's own scale", ha="center", va="top", fontsize=8, color=MUTED)
        return dict(ax=ax, lines=lines, tracks=particles, dots=dots, circles=circles,
                    counts=counts, names=names, totals=totals, inch_per_unit=inch_per_unit,
                    difference=difference)

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
        """Frames with data: the start, then each month."""
        return len(self.months)

    def clock_text(self, t: float) -> str:
        k = int(round(t))
        day = self.months[k]
        return f"Start, {day.day} {day:%B %Y}" if k == 0 else f"{day:%B %Y}"

    def frame(self, t: float, seconds: float) -> np.ndarray:
        """Draw month-time ``t`` (0 = the start, k = the end of the k-th month, fractions
        interpolate) at clock ``seconds`` (which moves the dots) and return an RGB array."""
        last = self.n_months() - 1
        t = min(max(t, 0.0), last)
        i = min(int(np.floor(t)), max(last - 1, 0))
        f = t - i if last > 0 else 0.0
        j = min(i + 1, last)
        self.clock.set_text(self.clock_text(t))
        self.progress.set_width(t / last if last else 1.0)
        baseline = None  # staff in post of the first panel, to compare the others with
        for panel, s in zip(self.panels, [*self.series, self.difference], strict=False):
            if panel["difference"]:
                self._draw_difference(panel, s, i, j, f, seconds)
                continue
            staff = self._draw_panel(panel, s, i, j, f, seconds, baseline)
            baseline = staff if baseline is None else baseline
        self._draw()
        buf = np.asarray(self.canvas.buffer_rgba())
        h, w = buf.shape[0] // 2 * 2, buf.shape[1] // 2 * 2  # even size for H.264
        return np.ascontiguousarray(buf[:h, :w, :3])

    def _set_sector(self, p, sector, r, text, colour=None):
        p["circles"][sector].set_radius(r)
        if colour is not None:
            p["circles"][sector].set_color(colour)
            p["counts"][sector].set_color(_text_colour(colour))
        # the count goes inside the circle, in a smaller font if need be; if even
        # that would not fit, it goes after the sector's name
        size = min(COUNT_FONT, 1.7 * r * p["inch_per_unit"] * 72 / (0.64 * len(text)))
        inside = size >= MIN_COUNT_FONT
        p["counts"][sector].set_text(text if inside else "")
        p["counts"][sector].set_fontsize(max(size, 1.0))
        p["names"][sector].set_text(style.label(sector) + ("" if inside else f"  {text}"))
        ring = self.max_radius * 0.75 if p["difference"] else r
        p["names"][sector].set_position(self.pos[sector] + self.outward[sector] * (max(r, ring) + 0.58))

    def _draw_lines(self, p, flows, radius, seconds, width_per_person, colour_of):
        offsets, sizes, colours = [], [], []
        for e, line, track, flow in zip(self.edges, p["lines"], p["tracks"], flows, strict=True):
            lw = abs(flow) * width_per_person
            lw = max(lw, 0.6) if abs(flow) > 0.05 else 0.0
            line.set_linewidth(lw)
            rgba = colour_of(e, flow)
            line.set_color(rgba)
            line.set_alpha(0.55)
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
            colours += [rgba] * len(base)
        if offsets:
            p["dots"].set_offsets(np.concatenate(offsets))
            p["dots"].set_sizes(np.concatenate(sizes))
            p["dots"].set_facecolors(colours)
        else:
            p["dots"].set_sizes([0])

    def _draw_panel(self, p: dict, s: fd.MonthlySeries, i: int, j: int, f: float, seconds: float,
                    baseline: float | None) -> float:
        def lerp(a):
            return a[i] * (1 - f) + a[j] * f

        heads, flows = lerp(s.headcount), lerp(s.flows)
        radius = {}
        for k, sector in enumerate(self.sectors):
            radius[sector] = self.max_radius * np.sqrt(max(heads[k], 0.0) / self.max_head)
            self._set_sector(p, sector, radius[sector], f"{heads[k]:,.0f}")
        self._draw_lines(p, flows, radius, seconds, self.width_per_person,
                         lambda e, _flow: self.rgba[e.source])
        staff = float(heads.sum())
        versus = f" ({staff - baseline:+,.0f} vs baseline)" if baseline is not None else ""
        brief = len(self.panels) > 1
        sep = "     " if len(self.panels) == 1 else "\n"
        p["totals"].set_text(
            f"Staff in post {staff:,.0f}{versus}{sep}Joined from outside {lerp(s.joined):,.0f}"
            f"{'   ' if brief else sep}Left {lerp(s.left):,.0f}{'   ' if brief else sep}"
            f"Moved between sectors {lerp(s.moved):,.0f}")
        return staff

    def _draw_difference(self, p: dict, d: fd.MonthlySeries, i: int, j: int, f: float,
                         seconds: float) -> None:
        def lerp(a):
            return a[i] * (1 - f) + a[j] * f

        heads, flows = lerp(d.headcount), lerp(d.flows)
        more, fewer = to_rgba(style.MORE), to_rgba(style.FEWER)
        radius = {}
        for k, sector in enumerate(self.sectors):
            r = self.max_radius * 0.75 * np.sqrt(abs(heads[k]) / self.max_diff_head)
            radius[sector] = max(r, 0.02)
            self._set_sector(p, sector, radius[sector], style.signed_count(heads[k]),
                             style.MORE if heads[k] >= 0 else style.FEWER)
        self._draw_lines(p, flows, radius, seconds, MAX_LINE_WIDTH / self.max_diff_flow,
                         lambda _e, flow: more if flow >= 0 else fewer)
        p["totals"].set_text(
            f"Staff in post {style.signed_count(heads.sum())}\nJoined from outside "
            f"{style.signed_count(lerp(d.joined))}   Left {style.signed_count(lerp(d.left))}   "
            f"Moved between sectors {style.signed_count(lerp(d.moved))}")
