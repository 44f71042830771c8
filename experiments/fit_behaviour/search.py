"""The search for the behavioural coefficients (Optuna's TPE sampler, seeded, one trial at a
time, so the same command gives the same trials) and the diagnostic of how well the facts pin
each coefficient down.

The first trial is the config's own values (today's loss). After the search, each coefficient's
**profile**: the loss at `profile_points` values across its range with the others held at the
best trial's values. A coefficient's **plausible range** is the span of every evaluated point
(search trials and profile points) whose loss is within `LOSS_MARGIN` of the best; its verdict
compares that span with the range searched (`VERDICTS`).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from experiments.fit_behaviour.facts import FACTS, get_key
from experiments.fit_behaviour.trial import TrialSettings, evaluate

# The loss adds (miss / tolerance)^2 over the facts, so 1 is one tolerance's worth of miss on one
# fact: points within it of the best fit the facts about as well (assumption, the usual
# one-standard-error margin of a profile if the tolerances were standard errors).
LOSS_MARGIN = 1.0
# Share of the searched range the plausible range covers: at most the first figure, "well";
# at most the second, "weakly"; else "not" pinned down by these facts (assumption).
VERDICTS = ((0.25, "well"), (0.6, "weakly"))


@dataclass
class FitResult:
    trials: pd.DataFrame           # one row per search trial: coefficients, answers, loss
    profile: pd.DataFrame          # one row per profile point
    diagnostic: pd.DataFrame       # one row per coefficient: best, plausible range, verdict
    best: dict[str, float]
    seconds: float
    settings: dict = field(default_factory=dict)


def search(base: dict, coefficients: dict[str, tuple[float, float]], trials: int, s: TrialSettings,
           seed: int, log: Callable[[str], None]) -> pd.DataFrame:
    """`trials` TPE trials (the first at the config's own values, clipped into the ranges)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, max(1, trials // 3)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial({k: float(np.clip(get_key(base, k), lo, hi)) for k, (lo, hi) in coefficients.items()})
    rows: list[dict] = []

    def objective(trial) -> float:
        values = {k: trial.suggest_float(k, lo, hi) for k, (lo, hi) in coefficients.items()}
        out = evaluate(base, values, s)
        rows.append({"trial": trial.number, **values, **out})
        best = min(r["loss"] for r in rows)
        log(f"  trial {trial.number + 1}/{trials}: loss {out['loss']:.2f} (best {best:.2f}), "
            + ", ".join(f"{f.answer} {out[f.answer]:.1%}" for f in FACTS) + f", {out['seconds']:.1f} s")
        return out["loss"]

    study.optimize(objective, n_trials=trials)
    return pd.DataFrame(rows)


def profile(base: dict, coefficients: dict[str, tuple[float, float]], best: dict[str, float],
            points: int, s: TrialSettings, log: Callable[[str], None]) -> pd.DataFrame:
    """The loss along each coefficient's range, the others at the best values."""
    rows = []
    for key, (lo, hi) in coefficients.items():
        for v in np.linspace(lo, hi, points):
            out = evaluate(base, {**best, key: float(v)}, s)
            rows.append({"coefficient": key, "value": float(v), **best, key: float(v), **out})
        line = ", ".join(f"{r['value']:.3g}: {r['loss']:.1f}" for r in rows[-points:])
        log(f"  profile of {key}: {line}")
    return pd.DataFrame(rows)


def diagnose(coefficients: dict[str, tuple[float, float]], trials: pd.DataFrame,
             prof: pd.DataFrame, best: dict[str, float], best_loss: float) -> pd.DataFrame:
    """Per coefficient: best value, plausible range (the values of every evaluated point, trial or
    profile point, within LOSS_MARGIN of the best), the profile's losses, and the verdict."""
    rows = []
    for key, (lo, hi) in coefficients.items():
        p = prof[prof["coefficient"] == key]
        points = pd.concat([trials[[key, "loss"]], prof[[key, "loss"]]], ignore_index=True)
        near = points.loc[points["loss"] <= best_loss + LOSS_MARGIN, key].to_numpy()
        low, high = float(near.min()), float(near.max())
        share = (high - low) / (hi - lo)
        verdict = next((word for limit, word in VERDICTS if share <= limit), "not")
        rows.append({"coefficient": key, "searched_low": lo, "searched_high": hi, "best": best[key],
                     "plausible_low": low, "plausible_high": high, "range_share": share,
                     "at_edge": bool(np.isclose(low, lo) or np.isclose(high, hi)),
                     "profile_min_loss": float(p["loss"].min()) if len(p) else float("nan"),
                     "profile_max_loss": float(p["loss"].max()) if len(p) else float("nan"),
                     "verdict": f"{verdict} pinned down"})
    return pd.DataFrame(rows)


def fit(base: dict, coefficients: dict[str, tuple[float, float]], *, trials: int = 40,
        settings: TrialSettings | None = None, seed: int = 0, profile_points: int = 7,
        log: Callable[[str], None] = print) -> FitResult:
    """Fit `coefficients` ({dotted key: (low, high)}) of the config `base` (a plain dict) to the
    survey facts (`FACTS`), the base rates refitted for every trial."""
    s = settings or TrialSettings()
    t0 = time.perf_counter()
    table = search(base, coefficients, trials, s, seed, log)
    best_row = table.loc[table["loss"].idxmin()]
    best = {k: float(best_row[k]) for k in coefficients}
    prof = profile(base, coefficients, best, profile_points, s, log) if profile_points else \
        pd.DataFrame(columns=["coefficient", "value", "loss", *coefficients])
    best_loss, found_by = float(best_row["loss"]), f"trial {int(best_row['trial'])}"
    if len(prof) and prof["loss"].min() < best_loss:   # a profile point can beat every trial
        row = prof.loc[prof["loss"].idxmin()]
        best = {k: float(row[k]) for k in coefficients}
        best_loss, found_by = float(row["loss"]), f"profile of {row['coefficient']}"
    diag = diagnose(coefficients, table, prof, best, best_loss)
    return FitResult(trials=table, profile=prof, diagnostic=diag, best=best,
                     seconds=time.perf_counter() - t0,
                     settings={"trials": trials, "seed": seed, "scale": s.scale, "seeds": list(s.seeds),
                               "rounds": s.rounds, "profile_points": profile_points,
                               "best_loss": best_loss, "best_found_by": found_by,
                               "loss_at_config": float(table["loss"].iloc[0])})
