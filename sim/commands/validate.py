"""`wfsim-validate`: the hindcast (England 2022/23 to 2024/25 against what was observed) and the
stationarity check (the baseline without growth over ten years), as tables and a report
(experiments.validation, analysis.validation).

    wfsim-validate                          # -> outputs/validation/validation.html and the tables
    wfsim-validate --seeds 10 --out v1      # more seeds, another folder
    wfsim-validate --still-seeds 0          # the hindcast only (a minute less)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="wfsim-validate", description="Hindcast and stationarity check.")
    ap.add_argument("--out", type=Path, default=Path("outputs/validation"), help="folder to write to")
    ap.add_argument("--seeds", type=int, default=5, help="hindcast seeds (default 5)")
    ap.add_argument("--scale", type=float, default=0.02,
                    help="England's size for the hindcast (default 0.02: ~66,000 workers)")
    ap.add_argument("--still-seeds", type=int, default=16,
                    help="seeds of the stationarity check (default 16; 0: skip it)")
    args = ap.parse_args(argv)
    problems = []
    if args.seeds < 1:
        problems.append(f"--seeds {args.seeds}: at least 1")
    if args.still_seeds == 1 or args.still_seeds < 0:
        problems.append(f"--still-seeds {args.still_seeds}: 0 (skip) or at least 2 (a spread)")
    if not 0 < args.scale <= 1:
        problems.append(f"--scale {args.scale}: above 0 and at most 1")
    if args.out.exists() and not args.out.is_dir():
        problems.append(f"--out {args.out}: is a file, not a folder")
    if problems:
        print("wfsim-validate: " + "; ".join(problems), file=sys.stderr)
        return 2

    from analysis.validation import build, paths_table
    from experiments.validation import hindcast, stillness
    from sim.files import write_atomic

    facts, runs = hindcast(range(args.seeds), args.scale)
    paths = paths_table(runs)
    still = stillness(range(args.still_seeds)) if args.still_seeds else None
    args.out.mkdir(parents=True, exist_ok=True)
    tables = {"hindcast.csv": facts, "hindcast_paths.csv": paths}
    if still is not None:
        tables["stillness.csv"] = still
    for name, df in tables.items():
        write_atomic(args.out / name, lambda tmp, df=df: df.to_csv(tmp, index=False))
    report = build(facts, paths, still, args.seeds, args.scale)
    write_atomic(args.out / "validation.html", lambda tmp: Path(tmp).write_text(report, encoding="utf-8"))
    with pd.option_context("display.width", 200, "display.max_columns", 12):
        print(facts.drop(columns=["source", "measure", "at"]).round(2).to_string(index=False))
        if still is not None:
            print(still.round(3).to_string(index=False))
    print(f"wrote {args.out / 'validation.html'} and {', '.join(tables)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
