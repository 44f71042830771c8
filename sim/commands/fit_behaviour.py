"""`wfsim-fit-behaviour`: fit behavioural coefficients to what NHS staff say in the Staff Survey
(burnt out, often think of leaving, will look for a new job), the base rates refitted for every
trial so that turnover, vacancy and sickness stay at the system's observed rates
(experiments.fit_behaviour; the survey's answers in the model: sim.intentions).

    wfsim-fit-behaviour                                   # the default ICS at 10%, 40 trials
    wfsim-fit-behaviour --trials 80 --out outputs/fit2    # a longer search
    wfsim-fit-behaviour --fit behaviour.leaving.burnout_weight=0,15 --fit behaviour.burnout.rise=0.03,0.08
    wfsim-fit-behaviour system=ssot                       # another preset (Hydra overrides)

Writes trials.csv, profile.csv, diagnostic.csv, fit.json and behaviour_fitted.yaml (the behaviour
config with the best values: it never replaces configs/behaviour/default.yaml).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from sim.commands.calibrate import at_least, positive
from sim.config import ConfigError
from sim.files import folder_problem, write_atomic, write_text_atomic

OUTPUTS = ("trials.csv", "profile.csv", "diagnostic.csv", "fit.json", "behaviour_fitted.yaml")


def coefficient(text: str) -> tuple[str, float, float]:
    """An argparse type: KEY=LOW,HIGH."""
    key, sep, rng = text.partition("=")
    parts = rng.split(",")
    if not sep or not key or len(parts) != 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give KEY=LOW,HIGH, e.g. "
                                         "behaviour.leaving.burnout_weight=0,8")
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: LOW and HIGH must be numbers") from None
    return key.strip(), lo, hi


def parser() -> argparse.ArgumentParser:
    from experiments.fit_behaviour import COEFFICIENTS

    ap = argparse.ArgumentParser(
        prog="wfsim-fit-behaviour",
        description="Fit behavioural coefficients to the NHS Staff Survey's shares (burnt out, often "
                    "think of leaving, will look for a new job) with the base rates refitted for "
                    "every trial; report how well each coefficient is pinned down.")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. system=ssot")
    ap.add_argument("--fit", type=coefficient, action="append", metavar="KEY=LOW,HIGH",
                    help="a coefficient and its range (repeat; replaces the default set: "
                         + ", ".join(f"{k}={lo:g},{hi:g}" for k, (lo, hi) in COEFFICIENTS.items()) + ")")
    ap.add_argument("--trials", type=at_least(2), default=40, help="search trials (default 40)")
    ap.add_argument("--scale", type=positive, default=0.1,
                    help="size of the copy of the system each trial runs (default 0.1)")
    ap.add_argument("--seeds", type=at_least(0), nargs="+", default=[0, 1],
                    help="model seeds of each trial's refit and survey (default 0 1)")
    ap.add_argument("--rounds", type=at_least(1), default=3, help="refit rounds per trial (default 3)")
    ap.add_argument("--seed", type=at_least(0), default=0, help="seed of the search's sampler (default 0)")
    ap.add_argument("--profile-points", type=at_least(0), default=7,
                    help="points of each coefficient's profile (default 7; 0: none)")
    ap.add_argument("--out", type=Path, default=Path("outputs/fit_behaviour"), help="folder to write to")
    return ap


def main(argv: list[str] | None = None) -> int:
    from hydra.errors import HydraException

    args = parser().parse_args(argv)
    try:
        return _run(args)
    except (ConfigError, HydraException) as err:
        print(f"wfsim-fit-behaviour: {err}", file=sys.stderr)
        return 2


def _coefficients(args) -> dict[str, tuple[float, float]]:
    from experiments.fit_behaviour import COEFFICIENTS

    if not args.fit:
        return dict(COEFFICIENTS)
    out: dict[str, tuple[float, float]] = {}
    for key, lo, hi in args.fit:
        if key in out:
            raise ConfigError(f"--fit {key}: given twice")
        out[key] = (lo, hi)
    return out


def _run(args) -> int:
    from experiments.fit_behaviour import check_coefficients, fit
    from experiments.fit_behaviour.trial import TrialSettings
    from sim.system import load_config

    problem = folder_problem(args.out)
    if problem:
        raise ConfigError(f"--out {str(args.out)!r}: {problem}")
    coefficients = _coefficients(args)
    base = load_config(list(args.overrides)).model_dump(mode="json")
    check_coefficients(base, coefficients)
    s = TrialSettings(scale=args.scale, seeds=tuple(args.seeds), rounds=args.rounds)
    print(f"wfsim-fit-behaviour: {len(coefficients)} coefficients, {args.trials} trials and "
          f"{len(coefficients)} x {args.profile_points} profile points; each: the base rates refitted "
          f"({args.rounds} rounds) and surveyed, scale {args.scale:g}, "
          f"seeds {' '.join(map(str, args.seeds))}", flush=True)
    result = fit(base, coefficients, trials=args.trials, settings=s, seed=args.seed,
                 profile_points=args.profile_points, log=lambda m: print(m, flush=True))
    _write(args.out, base, result, list(args.overrides))
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        cols = ["coefficient", "best", "plausible_low", "plausible_high", "verdict"]
        print(result.diagnostic[cols].round(3).to_string(index=False))
    best = _best_row(result)
    answers = ", ".join(f"{a} {best[a]:.1%}" for a in ("burnt_out", "thinking_of_leaving", "looking_for_job"))
    print(f"best ({result.settings['best_found_by']}): {answers} (survey 30%, 29%, 21%); NHS trusts' "
          f"turnover {best['turnover_nhs_trusts']:.1%} after the refit; loss {best['loss']:.2f} "
          f"(the config's own values: {result.settings['loss_at_config']:.2f})")
    print(f"fitted in {result.seconds:.0f} s; wrote {', '.join(OUTPUTS)} to {args.out}")
    print(f"use it: cp {args.out / 'behaviour_fitted.yaml'} configs/behaviour/fitted.yaml, then refit the "
          "base rates for it before running (python -m sim.commands.calibrate behaviour=fitted), or try "
          "the values as overrides: " + " ".join(f"{k}={v:.4g}" for k, v in result.best.items()))
    return 0


def _best_row(result) -> pd.Series:
    """The evaluated point (a search trial or a profile point) with the lowest loss."""
    rows = pd.concat([result.trials, result.profile], ignore_index=True)
    return rows.loc[rows["loss"].idxmin()]


def _write(out: Path, base: dict, result, overrides: list[str]) -> None:
    import yaml

    from experiments.fit_behaviour.trial import with_values

    out.mkdir(parents=True, exist_ok=True)
    for name, df in (("trials.csv", result.trials), ("profile.csv", result.profile),
                     ("diagnostic.csv", result.diagnostic)):
        write_atomic(out / name, lambda tmp, df=df: df.to_csv(tmp, index=False))
    record = {**result.settings, "overrides": overrides, "best": result.best, "seconds": result.seconds,
              "diagnostic": result.diagnostic.to_dict(orient="records")}
    write_text_atomic(out / "fit.json", json.dumps(record, indent=2) + "\n")
    behaviour = with_values(base, result.best)["behaviour"]
    head = ["# Behaviour with coefficients fitted by wfsim-fit-behaviour to the NHS Staff Survey's shares",
            "# (burnt out 30%, often think of leaving 29%, will look for a new job 21%), the base rates",
            "# refitted for every trial. Fitted (see diagnostic.csv for how well each is pinned down):",
            *(f"#   {k} = {v:.4g}" for k, v in result.best.items()),
            "# Everything else as in the config the fit started from "
            f"({' '.join(overrides) or 'the defaults'}).",
            "# To use it: copy it to configs/behaviour/fitted.yaml, refit the base rates",
            "# (python -m sim.commands.calibrate behaviour=fitted, which rewrites the system's calibration",
            "# file) and run with behaviour=fitted."]
    write_text_atomic(out / "behaviour_fitted.yaml",
                      "\n".join(head) + "\n" + yaml.safe_dump(behaviour, sort_keys=False))


if __name__ == "__main__":
    raise SystemExit(main())
