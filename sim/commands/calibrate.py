"""Calibration from the command line.

    python -m sim.commands.calibrate                       # refit the default's calibration file
    python -m sim.commands.calibrate system=bsol           # another preset (`make calibrate`: all)
    python -m sim.commands.calibrate system=england --scale 0.05   # fit on a scaled-down copy
    wfsim-calibrate my_ics.csv                             # a system file (see sim.system.file)

The fitting itself is `sim.system.calibrate`.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from sim.config import ConfigError
from sim.files import folder_problem, write_text_atomic
from sim.system.calibrate import FIT_YEARS, START_YEARS, calibrate, calibration_yaml

# A preset's fit runs more rounds than an own CSV's (8): the funded posts at the start and the
# matching both move the vacancy of the system held still, and after 8 rounds the default's
# primary care doctors still sat 6% above their target there
PRESET_ROUNDS = 12


def _print_table(table: pd.DataFrame) -> None:
    pd.set_option("display.width", 160)
    print(table.round(4).to_string(index=False))
    for group, target, got in table.attrs.get("agency", []):
        print(f"agency spend {'+'.join(group)}: target GBP {target:,.0f}, achieved GBP {got:,.0f} a year")


def _pop_scale(args: list[str]) -> tuple[list[str], float]:
    scale, rest, it = 1.0, [], iter(args)
    for a in it:
        if a == "--scale" or a.startswith("--scale="):
            text = a.split("=", 1)[1] if "=" in a else next(it, "")
            try:
                scale = positive(text)
            except argparse.ArgumentTypeError as err:
                raise ConfigError(f"--scale {text!r}: {err}") from None
        else:
            rest.append(a)
    return rest, scale


def positive(text: str) -> float:
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a number above 0")
    return value


def at_least(low: int):
    """An argparse type: a whole number >= low."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    """`python -m sim.commands.calibrate [overrides] [--scale X]`: refit a preset's calibration file."""
    from hydra.errors import HydraException

    try:
        return _refit(list(sys.argv[1:] if argv is None else argv))
    except (ConfigError, HydraException) as err:
        print(f"calibrate: {err}", file=sys.stderr)
        return 2


def _refit(argv: list[str]) -> int:
    from sim.configuration import CONFIG_DIR, compose_config
    from sim.system import load_config

    overrides, scale = _pop_scale(argv)
    composed = compose_config(overrides)
    if "path" in composed.system:       # system=from_file: the file's own calibration
        args = [str(composed.system.path)]
        if composed.system.get("settings"):
            args += ["--settings", str(composed.system.settings)]
        return calibrate_main(args)
    cfg = load_config(overrides)
    workers = sum(r.headcount for s in cfg.system.sectors.values() for r in s.roles.values()) * scale
    t0 = time.perf_counter()
    threads = 1 if workers <= 100_000 else None
    fitted, table = calibrate(cfg, rounds=PRESET_ROUNDS, scale=scale, threads=threads, fresh=True)
    elapsed = time.perf_counter() - t0
    _print_table(table)
    print(f"calibrated in {elapsed:.0f} s")
    path = Path(CONFIG_DIR) / "system" / "calibration" / f"{cfg.system.name}.yaml"
    scaled = "" if scale == 1.0 else f", on a copy scaled by {scale:g}"
    note = (f"Fitted by `python -m sim.commands.calibrate` for system '{cfg.system.name}': factors on the\n"
            f"first-guess base rates so that simulated years {START_YEARS[0]}-{START_YEARS[-1]} reproduce "
            f"each (sector, role)'s turnover\nand sickness targets, and the system held still (no funded "
            f"growth) its vacancy target in years\n{START_YEARS[0]}-{START_YEARS[-1]} and "
            f"{FIT_YEARS[0]}-{FIT_YEARS[-1]} (mean of seeds 0-2{scaled}), fitted from factors of 1 (a "
            "rerun gives the\nsame factors). Do not edit by hand: rerun the command.")
    write_text_atomic(path, calibration_yaml(fitted, note))
    print(f"wrote {path.relative_to(CONFIG_DIR.parent)}")
    return 0


def calibrate_main(argv: list[str] | None = None) -> int:
    """`wfsim-calibrate my_ics.csv`: check the file, fit the base rates to its rates, print
    target vs achieved per (sector, role) and write the calibrated system (a full system YAML,
    `my_ics.calibrated.yaml` by default) that `wfsim system=from_file system.path=...` runs."""
    from sim.configuration import compose_config
    from sim.system.build import load
    from sim.system.file import SystemFileError
    from sim.system.fit import (
        AUTO_SCALE_WORKERS,
        calibrated_path,
        calibration_key,
        fit,
        read_key,
        worst_miss,
        write_calibrated,
    )

    parser = argparse.ArgumentParser(
        prog="wfsim-calibrate",
        description="Calibrate the simulator to a system file: the baseline's first simulated years "
                    "reproduce the file's turnover, vacancy and sickness per sector and role.")
    parser.add_argument("file", help="the system file (CSV, one row per sector and role)")
    parser.add_argument("--settings", help="system-level settings (YAML); default: <file>.yaml next to "
                                           "the CSV if it exists")
    parser.add_argument("--out", help="where to write the calibrated system (default: "
                                      "<file>.calibrated.yaml next to the CSV)")
    parser.add_argument("--seeds", type=at_least(0), nargs="+", default=None,
                        help="seeds the fitted years are averaged over (default: enough for about "
                             "300,000 worker-years a round, 3 to 10: 0-2 for 58,800 workers)")
    parser.add_argument("--rounds", type=at_least(1), default=8,
                        help="at most this many rounds (default: 8)")
    parser.add_argument("--scale", type=positive, default=None,
                        help=f"fit on a copy scaled by this (default: 1, or {AUTO_SCALE_WORKERS:,} "
                             "workers for larger systems)")
    parser.add_argument("overrides", nargs="*", help="behaviour overrides, e.g. behaviour.burnout.rise=0.05")
    args = parser.parse_args(argv)
    try:
        behaviour = _behaviour(compose_config, args.overrides)
        built = load(args.file, args.settings)
        for w in built.warnings:
            print(f"wfsim-calibrate: warning: {args.file}: {w}", file=sys.stderr)
        out = Path(args.out) if args.out else calibrated_path(Path(args.file))
        if out.is_dir():
            raise SystemFileError(f"--out {str(out)!r} is a folder: give the file to write")
        problem = folder_problem(out.parent)   # before calibrating, not after
        if problem or not out.parent.is_dir():
            raise SystemFileError(f"--out {str(out)!r}: {problem or f'no folder {str(out.parent)!r}'}")
        if out.exists() and read_key(out) is None:
            raise SystemFileError(f"{str(out)!r} exists and was not written by wfsim: "
                                  "choose another --out")
        print(f"wfsim-calibrate: {built.system['name']!r} from {args.file}: {built.workers:,} workers; "
              + "; ".join(built.notes), flush=True)
        system, table, seconds, scale, seeds = fit(
            built, behaviour, seeds=args.seeds, rounds=args.rounds, scale=args.scale,
            log=lambda m: print(f"  {m}", flush=True))
    except ConfigError as err:
        print(f"wfsim-calibrate: {err}", file=sys.stderr)
        return 2
    _print_table(table)
    scaled = "" if scale == 1.0 else f", on a copy scaled by {scale:.4g}"
    print(f"target vs achieved: simulated years {START_YEARS[0]}-{START_YEARS[-1]} (held still: its "
          f"vacancy then and over years {FIT_YEARS[0]}-{FIT_YEARS[-1]}), "
          f"mean of seeds {', '.join(map(str, seeds))}{scaled}")
    print(f"calibrated in {seconds:.1f} s; largest miss {worst_miss(table)}")
    key = calibration_key(built.system, behaviour, built.agency_targets)
    write_calibrated(out, system, key, built, table, seconds, scale, seeds)
    print(f"wrote {out}\nrun it: wfsim system=from_file system.path={args.file}   (reuses this fit)\n"
          f"    or: wfsim system=from_file system.path={out}   (the calibrated system as saved)")
    return 0


def _behaviour(compose_config, overrides: list[str]) -> dict:
    from hydra.errors import HydraException
    from omegaconf import OmegaConf

    bad = [o for o in overrides if not o.lstrip("+~").startswith("behaviour.")]
    if bad:
        raise ConfigError(f"only behaviour.<key>=<value> overrides can follow the file, not {bad[0]!r}")
    try:
        cfg = compose_config(overrides)
    except HydraException as err:
        raise ConfigError(str(err)) from None
    return OmegaConf.to_container(cfg.behaviour, resolve=True)


if __name__ == "__main__":
    raise SystemExit(main())
