"""Animated flow chart: staff moving into, between and out of the sectors.

The sectors are circles whose area follows staff in post; the outside pools
(where staff come from and where leavers go) are small fixed circles. Lines
carry the people moving each month, their width proportional to the number,
and dots travel along them to show the direction. Lines go round the circles
they do not belong to, and small flows are merged (:mod:`analysis.flowdata`).
A caption names the ICS, the scenario and the dates; a clock and running
totals are shown on screen. The first frame is the start of the run, with the
report's start figure for staff in post.

With a second run (a programme) there are three panels: the baseline, the
programme on the same scale, and their difference, where circles and lines
show only what the programme changed (blue: more than the baseline, vermilion:
fewer).

The figure is :class:`analysis.flowchart.FlowChart`; this module times its frames
and writes them as GIF and MP4 (:mod:`analysis.video`) or as a page to step
through (:mod:`analysis.player`).
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis import flowdata as fd
from analysis.flowchart import DEFAULT_DPI, FlowChart
from analysis.load import Run
from analysis.video import GifWriter, Mp4Writer

DEFAULT_FPS = 12
SECONDS_PER_MONTH = 0.5
HOLD_SECONDS = 1.5
FORMATS = ("gif", "mp4")
MonthlySeries = fd.MonthlySeries  # where it used to live


def build_chart(runs: list[Run], titles: list[str], dpi: int = DEFAULT_DPI,
                caption: str | None = None) -> FlowChart:
    graph, flows = fd.build_graph(runs)
    series = [fd.monthly_series(r, fl, graph, t) for r, fl, t in zip(runs, flows, titles, strict=True)]
    if caption is None:
        caption = fd.caption(runs[0]) if len(runs) == 1 else (
            fd.caption(runs[0]).split("  ·  ")[0] + "  ·  " + "  vs  ".join(titles[:2])
            + "  ·  " + fd.caption(runs[0]).split("  ·  ")[-1])
    return FlowChart(series, graph, titles, caption=caption, dpi=dpi)


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
    """Draw the animation for one run (or a baseline, a programme and their difference) and
    write the files: ``gif``, ``mp4`` and/or ``html`` (the page to step through)."""
    if fps < 1:
        raise ValueError("fps must be at least 1")
    titles = titles or [r.name for r in runs]
    chart = build_chart(runs, titles, dpi=dpi)
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    if "html" in formats:
        from analysis.player import write_player

        paths.append(write_player(chart, out_stem.with_suffix(".html")))
    video = [f for f in formats if f in FORMATS]
    if not video:
        return paths
    times = frame_times(chart.n_months(), fps, seconds_per_month, hold_seconds)
    writers = []
    if "gif" in video:
        samples = [chart.frame(t, sec) for t, sec in (times[0], times[len(times) // 2],
                                                     times[-1])]
        writers.append(GifWriter(out_stem.with_suffix(".gif"), fps, samples))
    if "mp4" in video:
        writers.append(Mp4Writer(out_stem.with_suffix(".mp4"), fps))
    try:
        for t, sec in times:
            rgb = chart.frame(t, sec)
            for w in writers:
                w.add(rgb)
    finally:
        paths += [w.close() for w in writers]
    return paths


def output_stem(out_dir: Path, compare_name: str | None) -> Path:
    if compare_name is None:
        return out_dir / "flows"
    return out_dir / ("flows_vs_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", compare_name))
