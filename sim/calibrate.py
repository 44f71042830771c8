"""Fit the base rates so that a system's first simulated year reproduces its observed
turnover, vacancy and sickness per (sector, role).

Three factors per (sector, role) scale the first guesses in `sim.params`: `leave` (turnover),
`sickness` and `fill` (vacancy). Each round runs the first year over several seeds and moves
every factor by the ratio of target to achieved (damped), a fixed-point iteration that
converges in a few rounds because each factor mostly drives its own rate.

    python -m sim.calibrate                 # refit the default, write its calibration file
    python -m sim.calibrate system=bsol     # another preset
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.codes import SECTORS, WEEKS_PER_YEAR
from sim.config import RunConfig
from sim.metrics import first_year

DAMPING = 0.8
TARGETS = {"turnover": "turnover_rate", "vacancy": "vacancy_rate", "sickness": "sickness_rate"}


def first_year_by_role(cfg: RunConfig, seeds, scale: float = 1.0) -> pd.DataFrame:
    """Mean over seeds of the first-year rates per (sector, role)."""
    from sim.model import WorkforceModel

    frames = []
    for seed in seeds:
        m = WorkforceModel(cfg.model_copy(update={"seed": seed, "years": 1}), scale=scale)
        m.run()
        frames.append(first_year(m.timeseries(), ["sector", "role"]).assign(seed=seed))
    df = pd.concat(frames)
    return df.groupby(["sector", "role"], observed=True).mean(numeric_only=True).reset_index()


def targets(cfg: RunConfig) -> pd.DataFrame:
    rows = []
    for s, spec in cfg.system.sectors.items():
        for r, role in spec.roles.items():
            if role.headcount > 0:
                rows.append({"sector": s, "role": r, **{k: getattr(role, k) for k in TARGETS}})
    return pd.DataFrame(rows)


def _with_factors(cfg: RunConfig, factors: dict) -> RunConfig:
    raw = cfg.model_dump(mode="python")
    for (s, r), f in factors.items():
        raw["system"]["sectors"][s]["roles"][r]["calibration"] = f
    return RunConfig.model_validate(raw)


def compare(cfg: RunConfig, achieved: pd.DataFrame) -> pd.DataFrame:
    """Target vs achieved per (sector, role)."""
    df = targets(cfg).merge(achieved, on=["sector", "role"], how="left")
    for k, col in TARGETS.items():
        df[f"{k}_achieved"] = df.pop(col)
    return df[["sector", "role"] + [c for k in TARGETS for c in (k, f"{k}_achieved")]]


def calibrate(cfg: RunConfig, seeds=(0, 1, 2), rounds: int = 8, scale: float = 1.0,
              log=print) -> tuple[RunConfig, pd.DataFrame]:
    """Return the config with fitted factors and the final target-vs-achieved table."""
    factors = {(s, r): dict(role.calibration) for s, spec in cfg.system.sectors.items()
               for r, role in spec.roles.items()}
    tgt = targets(cfg).set_index(["sector", "role"])
    for k in range(rounds):
        achieved = first_year_by_role(cfg, seeds, scale).set_index(["sector", "role"])
        worst = 0.0
        for key in tgt.index:
            if key not in achieved.index:
                continue
            f, a, t = factors[key], achieved.loc[key], tgt.loc[key]
            for name, target_col, col, sign in (("leave", "turnover", "turnover_rate", 1),
                                                ("sickness", "sickness", "sickness_rate", 1),
                                                ("fill", "vacancy", "vacancy_rate", -1)):
                got = max(float(a[col]), 1e-4)
                ratio = (max(float(t[target_col]), 1e-4) / got) ** sign
                worst = max(worst, abs(got / max(float(t[target_col]), 1e-4) - 1))
                f[name] = float(np.clip(f[name] * ratio ** DAMPING, 1e-3, 1e3))
        log(f"round {k + 1}: largest relative miss {worst:.1%}")
        cfg = _with_factors(cfg, factors)
    final = first_year_by_role(cfg, seeds, scale)
    return cfg, compare(cfg, final)


def calibration_yaml(cfg: RunConfig, note: str) -> str:
    lines = [f"# {line}" for line in note.splitlines()]
    for s in SECTORS:
        spec = cfg.system.sectors.get(s)
        if spec is None:
            continue
        lines += [f"{s}:", "  roles:"]
        for r, role in spec.roles.items():
            c = role.calibration
            lines.append(f"    {r}: {{calibration: {{leave: {c.leave:.6g}, sickness: "
                         f"{c.sickness:.6g}, fill: {c.fill:.6g}}}}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from sim.configuration import CONFIG_DIR, load_config

    overrides = list(sys.argv[1:] if argv is None else argv)
    cfg = load_config(overrides)
    t0 = time.perf_counter()
    fitted, table = calibrate(cfg)
    elapsed = time.perf_counter() - t0
    pd.set_option("display.width", 160)
    print(table.round(4).to_string(index=False))
    print(f"calibrated in {elapsed:.0f} s")
    path = Path(CONFIG_DIR) / "system" / "calibration" / f"{cfg.system.name}.yaml"
    note = (f"Fitted by `python -m sim.calibrate` for system '{cfg.system.name}': factors on the\n"
            f"first-guess base rates so that the first simulated year ({WEEKS_PER_YEAR} weeks, mean of\n"
            "seeds 0-2) reproduces each (sector, role)'s turnover, vacancy and sickness targets\n"
            "given in the system file. Do not edit by hand: rerun the command.")
    path.write_text(calibration_yaml(fitted, note))
    print(f"wrote {path.relative_to(CONFIG_DIR.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
