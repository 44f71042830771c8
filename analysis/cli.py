"""Command-line entry points: ``wfsim-report`` and ``wfsim-animate``.

Both read an output folder, write their files into it unless told otherwise,
print the paths written, and on a missing or malformed folder print one clear
error line and exit with status 2 (no traceback).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from analysis import style
from analysis.load import OutputError, Run, RunSet, load, load_run
from analysis.scenarios import scenario

EXIT_BAD_OUTPUT = 2
MIN_DPI, MAX_DPI = 10, 1000   # beyond 1000 a chart or a frame is gigapixels


def _fail(prog: str, message: str) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return EXIT_BAD_OUTPUT


def report_main(argv: list[str] | None = None) -> int:
    """``wfsim-report PATH [--out FILE] [--dpi N]``"""
    parser = argparse.ArgumentParser(
        prog="wfsim-report",
        description="Write a self-contained HTML report for a run, multirun or experiment "
                    "folder.",
    )
    parser.add_argument("path", type=Path, help="run, multirun or experiment folder")
    parser.add_argument("--out", type=Path, help="HTML file to write (default PATH/report.html)")
    parser.add_argument("--dpi", type=int, default=100, help="chart resolution (default 100)")
    args = parser.parse_args(argv)
    if not MIN_DPI <= args.dpi <= MAX_DPI:
        parser.error(f"--dpi must be between {MIN_DPI} and {MAX_DPI}")
    from analysis.report import write_report

    try:
        out = write_report(args.path, args.out, dpi=args.dpi)
    except OutputError as exc:
        return _fail(parser.prog, str(exc))
    except OSError as exc:
        return _fail(parser.prog, f"cannot write the report: {exc}")
    print(out)
    return 0


def _single_run(source: Run | RunSet, path: Path) -> Run:
    if isinstance(source, Run):
        return source
    if not source.runs:
        raise OutputError(f"{path}: has no run folders to animate")
    first = source.runs[0]
    print(f"note: {path} holds {len(source.runs)} runs; animating {first.path}", file=sys.stderr)
    return first


def _panel_title(run: Run, first: bool) -> str:
    """What a side-by-side panel shows: its programmes (the left one is the baseline
    unless it has programmes) and its folder."""
    programmes = scenario(run.path)
    if programmes:
        return " + ".join(style.label(p) for p in programmes) + f" ({run.name})"
    return f"Baseline ({run.name})" if first else run.name


def animate_main(argv: list[str] | None = None) -> int:
    """``wfsim-animate PATH [--compare OTHER_RUN] [--out-dir DIR] [--format gif|mp4|both]
    [--fps N] [--dpi N]``"""
    from analysis import animate

    parser = argparse.ArgumentParser(
        prog="wfsim-animate",
        description="Animate staff flows between sectors for a run; with --compare, the "
                    "baseline, the programme on the same scale and their difference.",
    )
    parser.add_argument("path", type=Path, help="run folder (the baseline when comparing)")
    parser.add_argument("--compare", type=Path, metavar="OTHER_RUN",
                        help="second run folder, shown on the right (e.g. a programme)")
    parser.add_argument("--out-dir", type=Path, help="folder to write to (default PATH)")
    parser.add_argument("--format", choices=["gif", "mp4", "html", "both", "all"], default="all",
                        help="both: GIF and MP4; html: a page to pause and step through month by "
                             "month, offline; all (default): the three")
    parser.add_argument("--fps", type=int, default=animate.DEFAULT_FPS,
                        help=f"frames per second (default {animate.DEFAULT_FPS})")
    parser.add_argument("--dpi", type=int, default=animate.DEFAULT_DPI,
                        help=f"resolution; {animate.DEFAULT_DPI} gives 1024 x 576 pixels")
    args = parser.parse_args(argv)
    if args.fps < 1:
        parser.error("--fps must be at least 1")
    if not MIN_DPI <= args.dpi <= MAX_DPI:
        parser.error(f"--dpi must be between {MIN_DPI} and {MAX_DPI}")
    formats = {"both": animate.FORMATS, "all": (*animate.FORMATS, "html")}.get(
        args.format, (args.format,))
    try:
        runs = [_single_run(load(args.path), args.path)]
        titles = None
        if args.compare is not None:
            runs.append(load_run(args.compare))
            titles = [_panel_title(r, first=i == 0) for i, r in enumerate(runs)]
        out_dir = args.out_dir or (args.path if args.path.is_dir() else args.path.parent)
        stem = animate.output_stem(out_dir, runs[1].name if len(runs) > 1 else None)
        started = time.perf_counter()
        paths = animate.render(runs, stem, formats=formats, fps=args.fps, dpi=args.dpi,
                               titles=titles)
    except OutputError as exc:
        return _fail(parser.prog, str(exc))
    except (OSError, RuntimeError) as exc:
        return _fail(parser.prog, f"cannot write the animation: {exc}")
    for p in paths:
        print(p)
    print(f"done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
