"""`wfsim-compare FOLDER`: the programme comparison table from a finished multirun folder
(`experiments.compare`)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from experiments.compare import headline, write


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="wfsim-compare", description="Compare scenarios (programmes, "
                                 "swept values) with a baseline on paired seeds.")
    ap.add_argument("folder", type=Path, help="a multirun folder: the comparison experiment, or any "
                    "sweep (each value of a swept key is a scenario)")
    ap.add_argument("--baseline", help="the scenario to compare with, by name as the table writes it "
                    "(default: the runs with no programme and no override of their own, else the "
                    "sweep's first values)")
    args = ap.parse_args(argv)
    notes: list[str] = []
    try:
        paths = write(args.folder, notes, args.baseline)
    except (FileNotFoundError, ValueError) as err:
        print(f"wfsim-compare: {err}", file=sys.stderr)
        return 2
    for line in notes:   # runs left out: the table compares fewer than the folder holds
        print(f"wfsim-compare: {line}", file=sys.stderr)
    print(headline(pd.read_parquet(paths[0])).to_string(index=False))
    print(f"wrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
