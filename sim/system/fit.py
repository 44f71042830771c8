"""Calibrating a system built from a system file: the first simulated years are fitted to
reproduce the file's turnover, vacancy and sickness rates (`sim.system.calibrate`), and the fitted
system is kept next to the file as `<name>.calibrated.yaml` so that a rerun does not refit
(`resolve`, behind `system=from_file`).
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import sys
from pathlib import Path

import yaml

from sim.files import write_text_atomic
from sim.system.build import Built, check_system, deep_merge, load
from sim.system.calibrate import FIT_YEARS, START_YEARS
from sim.system.file import SystemFileError
from sim.system.settings import read_yaml

CALIBRATION_VERSION = 2              # bump when the model's dynamics change: cached fits are refitted
KEY_LINE = "# wfsim-calibration-key: "
AUTO_SCALE_WORKERS = 150_000         # larger systems are calibrated on a scaled-down copy
SINGLE_THREAD_WORKERS = 100_000      # fitting runs this small are fastest on one Numba thread
FIT_WORKER_YEARS, MAX_FIT_SEEDS = 300_000, 10   # seeds of the fit: see fit_seeds


def calibration_key(system: dict, behaviour: dict, agency_targets) -> str:
    """What the fitted factors depend on: the system as built from the file (not the factors
    themselves), the behaviour config, the agency targets and the calibration version."""
    plain = copy.deepcopy(system)
    for spec in plain["sectors"].values():
        if agency_targets:
            spec.pop("agency_share_of_gap", None)
        for role in spec["roles"].values():
            role.pop("calibration", None)
    blob = json.dumps({"system": plain, "behaviour": behaviour, "agency": agency_targets,
                       "version": CALIBRATION_VERSION}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def calibrated_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.stem + ".calibrated.yaml")


def read_key(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.startswith(KEY_LINE):
                    return line[len(KEY_LINE):].strip()
                if not line.startswith("#"):
                    return None
    except (OSError, UnicodeDecodeError):
        return None
    return None


def fitted_values(system: dict) -> dict:
    """What a fit changes: calibration factors per (sector, role), agency shares per sector."""
    return {s: {"agency_share_of_gap": spec.get("agency_share_of_gap"),
                "roles": {r: {"calibration": dict(role.get("calibration", {}))}
                          for r, role in spec["roles"].items()}}
            for s, spec in system["sectors"].items()}


def apply_fitted(system: dict, fitted: dict, agency_targets) -> dict:
    system = copy.deepcopy(system)
    agency_sectors = {s for group, _ in agency_targets for s in group}
    for s, spec in system["sectors"].items():
        f = fitted.get(s, {})
        if s in agency_sectors and f.get("agency_share_of_gap") is not None:
            spec["agency_share_of_gap"] = f["agency_share_of_gap"]
        for r, role in spec["roles"].items():
            cal = f.get("roles", {}).get(r, {}).get("calibration")
            if cal:
                role["calibration"] = dict(cal)
    return system


def _scalar(v) -> str:
    if isinstance(v, bool) or v is None:
        return yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("...").strip()
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    return json.dumps(str(v))          # always quoted: a name such as "yes" or "2024" stays a string


def to_yaml(data: dict, indent: int = 0) -> str:
    """Readable YAML: small mappings of scalars inline, the rest as blocks."""
    out = []
    pad = "  " * indent
    for k, v in data.items():
        flat = isinstance(v, dict) and all(not isinstance(x, dict | list) for x in v.values())
        if flat and v and len(v) <= 5:
            inner = ", ".join(f"{kk}: {_scalar(vv)}" for kk, vv in v.items())
            out.append(f"{pad}{k}: {{{inner}}}")
        elif isinstance(v, dict) and v:
            out.append(f"{pad}{k}:")
            out.append(to_yaml(v, indent + 1).rstrip("\n"))
        elif isinstance(v, dict):
            out.append(f"{pad}{k}: {{}}")
        elif isinstance(v, list | tuple):
            out.append(f"{pad}{k}: [{', '.join(_scalar(x) for x in v)}]")
        else:
            out.append(f"{pad}{k}: {_scalar(v)}")
    return "\n".join(out) + "\n"


def write_calibrated(path: Path, system: dict, key: str, built: Built, table=None, seconds: float = 0.0,
                     scale: float = 1.0, seeds=(0, 1, 2)) -> None:
    """Write the calibrated system atomically (a temporary file, then a rename)."""
    src = built.csv_path.name + (f" and {built.settings_path.name}" if built.settings_path else "")
    head = [
        f"# The system built from {src} by wfsim, with its base rates calibrated so that",
        "# the first simulated years reproduce the file's turnover, vacancy and sickness rates.",
        f"# Run it as is:      wfsim system=from_file system.path={path.name}",
        f"# Rerun from the CSV: wfsim system=from_file system.path={built.csv_path.name}  (reuses this",
        "#   fit while the CSV, its settings and the behaviour config are unchanged, else refits and",
        "#   rewrites it).",
        "# Written by wfsim: edit a copy under another name, not this file.",
        f"{KEY_LINE}{key}",
    ]
    if scale != 1.0:
        head.append(f"# Fitted on a copy scaled by {scale:.4g} (the rates do not depend on the scale).")
    body = to_yaml(system)
    tail = []
    if table is not None:
        tail = ["", f"# Fit ({seconds:.0f} s): rates over years {START_YEARS[0]}-{START_YEARS[-1]}, mean of "
                    f"seeds {', '.join(map(str, seeds))}, target / achieved (vacancy held still: those "
                    f"years, years {FIT_YEARS[0]}-{FIT_YEARS[-1]})"]
        for r in table.itertuples(index=False):
            tail.append(f"#   {r.sector:<11} {r.role:<8} "
                        f"turnover {r.turnover:.4f} / {r.turnover_achieved:.4f}"
                        f"   vacancy {r.vacancy:.4f} / {r.vacancy_achieved:.4f} (held still "
                        f"{r.vacancy_still_start:.4f}, {r.vacancy_still_settled:.4f})"
                        f"   sickness {r.sickness:.4f} / {r.sickness_achieved:.4f}")
        for group, target, got in table.attrs.get("agency", []):
            tail.append(f"#   agency spend {'+'.join(group)}: GBP {target:,.0f} / {got:,.0f} a year")
    text = "\n".join(head) + "\n" + body + "\n".join(tail) + ("\n" if tail else "")
    write_text_atomic(path, text)


def auto_scale(workers: int) -> float:
    return 1.0 if workers <= AUTO_SCALE_WORKERS else AUTO_SCALE_WORKERS / workers


def fit_seeds(workers: float) -> tuple[int, ...]:
    """Seeds the fit averages over: 3, or more for a small system, so that each round simulates
    about `FIT_WORKER_YEARS` worker-years (a small system's rates vary more from seed to seed)."""
    years = max(workers, 1.0) * len(FIT_YEARS)
    return tuple(range(int(min(MAX_FIT_SEEDS, max(3, math.ceil(FIT_WORKER_YEARS / years))))))


def fit(built: Built, behaviour: dict, *, seeds=None, rounds: int = 8, scale: float | None = None,
        log=print):
    """Calibrate a built system; return (calibrated system dict, target-vs-achieved table, seconds,
    scale, seeds). Without `seeds`, `fit_seeds` of the (scaled) size."""
    import logging
    import time

    from sim.config import validate
    from sim.system.calibrate import calibrate

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    scale = auto_scale(built.workers) if scale is None else scale
    seeds = fit_seeds(built.workers * scale) if seeds is None else tuple(seeds)
    cfg = validate({"years": 1, "seed": 0, "progress": False, "engine": "kernels",
                    "system": built.system, "behaviour": behaviour})
    t0 = time.perf_counter()
    threads = 1 if built.workers * scale <= SINGLE_THREAD_WORKERS else None
    fitted, table = calibrate(cfg, seeds=seeds, rounds=rounds, scale=scale, log=log,
                              agency=built.agency_targets, tol=0.02, threads=threads)
    seconds = time.perf_counter() - t0
    system = fitted.system.model_dump(mode="json", exclude_none=True)
    for spec in system["sectors"].values():     # 6 significant digits, as saved
        spec["agency_share_of_gap"] = float(f"{spec['agency_share_of_gap']:.6g}")
        for role in spec["roles"].values():
            role["calibration"] = {k: float(f"{v:.6g}") for k, v in role["calibration"].items()}
    return system, table, seconds, scale, seeds


def _say(msg: str) -> None:
    print(f"wfsim: {msg}", flush=True)


def _warn(msg: str) -> None:
    print(f"wfsim: warning: {msg}", file=sys.stderr, flush=True)


def resolve(node: dict, behaviour: dict, *, log=_say, warn=_warn) -> dict:
    """The system for `system=from_file`: `node` is the composed `system` group (path, settings,
    cache, and any `+system.<key>=...` command-line additions, applied after calibration as
    changes to the fitted system). Returns a system dict ready for validation."""
    node = dict(node)
    path = node.pop("path", None)
    settings = node.pop("settings", None)
    cache = node.pop("cache", True)
    overrides = node
    if path in (None, "", "???"):
        raise SystemFileError("system=from_file needs the file: add system.path=<your file.csv> (or a "
                              "calibrated .yaml written by wfsim-calibrate)")
    path = Path(str(path))
    if path.suffix.lower() in (".yaml", ".yml"):
        if settings:
            raise SystemFileError(f"system.settings is for a CSV system file; {str(path)!r} is a full "
                                  "system already: put the settings into it")
        system = read_yaml(path, "system file")
        if not isinstance(system, dict) or "sectors" not in system:
            hint = (" (it is a Hydra preset: put it in configs/system/ and use system=<name>)"
                    if isinstance(system, dict) and "defaults" in system else
                    " (a settings file goes with a CSV: system.path=<file.csv> system.settings=<this>)")
            raise SystemFileError(f"system file {str(path)!r} is not a full system: it has no "
                                  f"'sectors'{hint}")
        check_system(system, str(path), "system file")
        log(f"system {system.get('name')!r} from {path} (as saved, no calibration)")
    else:
        built = load(path, settings)
        for w in built.warnings:
            warn(f"{path}: {w}")
        log(f"system {built.system['name']!r} from {path}: {built.workers:,} workers; "
            + "; ".join(built.notes))
        key = calibration_key(built.system, behaviour, built.agency_targets)
        cal_path = calibrated_path(path)
        cached_key = read_key(cal_path) if cache and cal_path.is_file() else None
        if cached_key == key:
            saved = read_yaml(cal_path, "calibrated system file")
            system = apply_fitted(built.system, fitted_values(saved), built.agency_targets)
            log(f"calibration reused from {cal_path} (the file and the behaviour config are unchanged)")
        else:
            seeds = fit_seeds(built.workers * auto_scale(built.workers))
            log(f"calibrating the base rates to the file's rates (first simulated years, mean of seeds "
                f"0-{seeds[-1]})...")
            system, table, seconds, scale, seeds = fit(built, behaviour, seeds=seeds,
                                                       log=lambda m: log(f"  {m}"))
            worst = worst_miss(table)
            log(f"calibrated in {seconds:.0f} s; largest miss {worst}")
            if cache:
                if cal_path.exists() and cached_key is None:
                    warn(f"not saving the calibration: {cal_path} exists and was not written by wfsim")
                else:
                    try:
                        write_calibrated(cal_path, system, key, built, table, seconds, scale, seeds)
                        log(f"calibration saved to {cal_path} (reused by the next run)")
                    except OSError as err:
                        warn(f"could not save the calibration to {cal_path}: {err.strerror}")
    if overrides:
        unknown = [s for s in overrides.get("sectors", {}) if s not in system["sectors"]]
        if unknown:
            raise SystemFileError(f"system.sectors.{unknown[0]}: the system from {str(path)!r} has no sector "
                                  f"{unknown[0]!r}")
        for s, spec in overrides.get("sectors", {}).items():
            for r in (spec or {}).get("roles", {}) or {}:
                if r not in system["sectors"][s]["roles"]:
                    raise SystemFileError(f"system.sectors.{s}.roles.{r}: the system from {str(path)!r} has "
                                          f"no role {r!r} in {s}")
        system = deep_merge(copy.deepcopy(system), overrides)
    return system


def worst_miss(table) -> str:
    """The largest relative miss of what the fit aims at (sim.system.calibrate.compare)."""
    worst, where = 0.0, ""
    for r in table.itertuples(index=False):
        for k, col in (("turnover", "turnover_achieved"), ("sickness", "sickness_achieved"),
                       ("vacancy", "vacancy_still_start"), ("vacancy", "vacancy_still_settled")):
            t, a = getattr(r, k), getattr(r, col)
            if t > 0 and a == a and abs(a / t - 1) > worst:
                worst, where = abs(a / t - 1), f"{r.sector} {r.role} {k} {a:.4f} for {t:.4f}"
    return f"{worst:.1%} ({where})" if where else "0%"
