"""`wfsim-collect PATH`: every finished job under PATH into one parquet dataset.

    wfsim-collect multirun/2026-01-05/10-00-00          # one sweep -> <sweep>/results/
    wfsim-collect multirun --out results                # every sweep under multirun/

What the dataset holds: `sim.runs.collect`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.config import ConfigError
from sim.runs.collect import collect


def main(argv: list[str] | None = None) -> int:
    """The `wfsim-collect` command."""
    ap = argparse.ArgumentParser(prog="wfsim-collect",
                                 description="Every finished job under PATH into one parquet dataset.")
    ap.add_argument("path", type=Path, help="a sweep folder, or a folder holding several")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default PATH/results)")
    ap.add_argument("--scenario-key", default="intervention",
                    help="the override that names a job's scenario (default: intervention)")
    ap.add_argument("--experiment-key", default="experiment",
                    help="the override that names a job's experiment (default: experiment)")
    ap.add_argument("--tables", default=None,
                    help="tables to collect, comma-separated, e.g. timeseries,yearly (default: all)")
    args = ap.parse_args(argv)
    tables = tuple(t for t in args.tables.split(",") if t) if args.tables is not None else None
    try:
        res = collect(args.path, args.out, scenario_key=args.scenario_key,
                      experiment_key=args.experiment_key, tables=tables)
    except (FileNotFoundError, ConfigError) as err:
        print(f"wfsim-collect: {err}", file=sys.stderr)
        return 2
    left = ", ".join(f"{res[k]} {k}" for k in ("unfinished", "duplicate", "without job.json") if res[k])
    if not res["jobs"]:
        print(f"wfsim-collect: no finished jobs under {args.path}" + (f" ({left})" if left else ""),
              file=sys.stderr)
        return 2
    const = len(res["parameters"]) - len(res["varying"])
    print(f"wfsim-collect: {res['jobs']} jobs; experiments {', '.join(res['experiments'])}; scenarios "
          f"{', '.join(res['scenarios'])}; parameters that vary: {', '.join(res['varying']) or '-'}"
          + (f" ({const} more set to one value)" if const else "") + (f"; left out {left}" if left else ""))
    print(f"wfsim-collect: wrote {', '.join(f'{k} ({v:,} rows)' for k, v in res['rows'].items())} "
          f"and jobs.parquet to {res['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
