"""The search for the behavioural coefficients (Optuna's TPE sampler, seeded, one trial at a
time, so the same command gives the same trials) and the diagnostic of how well the facts pin
each coefficient down.

The first trial is the config's own values (today's loss). After the search, each coefficient's
**profile**: the loss at `profile_points` values across its range with the others held at the
best trial's values. A coefficient's **plausible range** is where the loss stays within
`LOSS_MARGIN` of the lowest: along its profile (interpolated between the points) and at any
search trial; its verdict compares that span with the range searched (`VERDICTS`). A range that reaches
one searched bound (`at_edge`) may go on beyond it: the coefficient is then only bounded on the
other side.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from experiments.fit_behaviour.facts import FACTS, SurveyFact
from experiments.fit_behaviour.trial import TrialSettings, evaluate
from experiments.sensitivity.runs import get_key

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
           seed: int, log: Callable[[str], None], facts: Sequence[SurveyFact] = FACTS) -> pd.DataFrame:
    """`trials` TPE trials (the first at the config's own values, clipped into the ranges)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, max(1, trials // 3)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial({k: float(np.clip(get_key(base, k), lo, hi)) for k, (lo, hi) in coefficients.items()})
    rows: list[dict] = []

    def objective(trial) -> float:
        values = {k: trial.suggest_float(k, lo, hi) for k, (lo, hi) in coefficients.items()}
        out = evaluate(base, values, s, facts)
        rows.append({"trial": trial.number, **values, **out})
        best = min(r["loss"] for r in rows)
        log(f"  trial {trial.number + 1}/{trials}: loss {out['loss']:.2f} (best {best:.2f}), "
            + ", ".join(f"{f.answer} {out[f.answer]:.1%}" for f in facts) + f", {out['seconds']:.1f} s")
        return out["loss"]

    study.optimize(objective, n_trials=trials)
    return pd.DataFrame(rows)


def profile(base: dict, coefficients: dict[str, tuple[float, float]], best: dict[str, float],
            points: int, s: TrialSettings, log: Callable[[str], None],
            facts: Sequence[SurveyFact] = FACTS) -> pd.DataFrame:
    """The loss along each coefficient's range, the others at the best values."""
    rows = []
    for key, (lo, hi) in coefficients.items():
        for v in np.linspace(lo, hi, points):
            out = evaluate(base, {**best, key: float(v)}, s, facts)
            rows.append({"coefficient": key, "value": float(v), **best, key: float(v), **out})
        line = ", ".join(f"{r['value']:.3g}: {r['loss']:.1f}" for r in rows[-points:])
        log(f"  profile of {key}: {line}")
    return pd.DataFrame(rows)


def crossings(values: np.ndarray, losses: np.ndarray, threshold: float, lo: float,
              hi: float) -> tuple[float, float]:
    """Where a profile (losses at values) rises through `threshold` on either side of its lowest
    point, between neighbouring points; the searched bound where it does not. NaN, NaN if no
    point is below the threshold. Between two points the square root of the loss's rise above
    its lowest point is taken as straight: exact where the loss is quadratic around its lowest
    point, as a sum of squared misses is there (a straight line through the loss itself cuts a
    convex profile's range short: with four points over 0.05-0.5, a coefficient of 0.3 fell
    just outside the range found for it)."""
    order = np.argsort(values)
    v, y = np.asarray(values, float)[order], np.asarray(losses, float)[order]
    i = int(np.argmin(y))
    if y[i] > threshold:
        return float("nan"), float("nan")
    g, t = np.sqrt(np.maximum(y - y[i], 0.0)), np.sqrt(threshold - y[i])
    j = i
    while j > 0 and y[j - 1] <= threshold:
        j -= 1
    left = lo if j == 0 else v[j - 1] + (g[j - 1] - t) / (g[j - 1] - g[j]) * (v[j] - v[j - 1])
    k = i
    while k < len(v) - 1 and y[k + 1] <= threshold:
        k += 1
    right = hi if k == len(v) - 1 else v[k] + (t - g[k]) / (g[k + 1] - g[k]) * (v[k + 1] - v[k])
    return float(left), float(right)


def diagnose(coefficients: dict[str, tuple[float, float]], trials: pd.DataFrame,
             prof: pd.DataFrame, best: dict[str, float], best_loss: float) -> pd.DataFrame:
    """Per coefficient: best value, plausible range and verdict. The plausible range spans the
    values where the loss is within LOSS_MARGIN of the lowest: along the coefficient's profile
    (interpolated between its points, the best trial among them; within the margin of the
    profile's own lowest point, since the profile may miss the best point found on another one)
    and at any search trial (within the margin of the best)."""
    threshold = best_loss + LOSS_MARGIN
    centre = trials.loc[trials["loss"].idxmin()]
    rows = []
    for key, (lo, hi) in coefficients.items():
        p = prof[prof["coefficient"] == key]
        losses = np.append(p["loss"].to_numpy(), centre["loss"])
        low, high = crossings(np.append(p[key].to_numpy(), centre[key]), losses,
                              losses.min() + LOSS_MARGIN, lo, hi) if len(p) else (float("nan"),) * 2
        near = trials.loc[trials["loss"] <= threshold, key].to_numpy()
        near = np.concatenate([near, [best[key]], [x for x in (low, high) if np.isfinite(x)]])
        low, high = float(near.min()), float(near.max())
        share = (high - low) / (hi - lo)
        verdict = next((word for limit, word in VERDICTS if share <= limit), "not") + " pinned down"
        low_edge, high_edge = bool(np.isclose(low, lo)), bool(np.isclose(high, hi))
        if low_edge and high_edge:
            verdict = "not pinned down"
        elif low_edge or high_edge:     # the range may go on beyond the bound searched
            verdict = f"only bounded: at {'most' if low_edge else 'least'} {high if low_edge else low:.3g}"
        rows.append({"coefficient": key, "searched_low": lo, "searched_high": hi, "best": best[key],
                     "plausible_low": low, "plausible_high": high, "range_share": share,
                     "at_edge": low_edge or high_edge,
                     "profile_min_loss": float(p["loss"].min()) if len(p) else float("nan"),
                     "profile_max_loss": float(p["loss"].max()) if len(p) else float("nan"),
                     "verdict": verdict})
    return pd.DataFrame(rows)


def fit(base: dict, coefficients: dict[str, tuple[float, float]], *, trials: int = 40,
        settings: TrialSettings | None = None, seed: int = 0, profile_points: int = 7,
        log: Callable[[str], None] = print, facts: Sequence[SurveyFact] = FACTS) -> FitResult:
    """Fit `coefficients` ({dotted key: (low, high)}) of the config `base` (a plain dict) to the
    survey facts (`FACTS`, or `facts`), the base rates refitted for every trial."""
    s = settings or TrialSettings()
    t0 = time.perf_counter()
    table = search(base, coefficients, trials, s, seed, log, facts)
    best_row = table.loc[table["loss"].idxmin()]
    best = {k: float(best_row[k]) for k in coefficients}
    prof = profile(base, coefficients, best, profile_points, s, log, facts) if profile_points else \
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
