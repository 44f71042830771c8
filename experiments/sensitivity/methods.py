"""SALib's wiring, free of the model: the problem definition, the run counts, and Morris and Sobol
analyses of any function of the sample (tests/test_sensitivity.py checks them on Ishigami)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd


def problem(parameters: dict[str, tuple[float, float]]) -> dict:
    """SALib's problem definition for these parameters."""
    return {"num_vars": len(parameters), "names": list(parameters),
            "bounds": [list(b) for b in parameters.values()]}


def morris_runs(k: int, trajectories: int) -> int:
    return trajectories * (k + 1)


def sobol_runs(k: int, n: int, second_order: bool = False) -> int:
    return n * (2 * k + 2) if second_order else n * (k + 2)


Evaluate = Callable[[np.ndarray, str], np.ndarray]  # (X [n, k], stage) -> Y [n, outputs]


def morris(prob: dict, evaluate: Evaluate, outputs: Sequence[str], *, trajectories: int,
           levels: int = 4, seed: int = 0, conf_level: float = 0.95) -> pd.DataFrame:
    """Morris elementary effects of every parameter on every output."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    X = sample.sample(prob, trajectories, num_levels=levels, seed=seed)
    Y = np.asarray(evaluate(X, "morris"), dtype=float).reshape(len(X), len(outputs))
    rows = []
    for j, out in enumerate(outputs):
        r = analyze.analyze(prob, X, Y[:, j], num_levels=levels, conf_level=conf_level,
                            num_resamples=1000, seed=seed)
        top = float(np.nanmax(r["mu_star"])) or 1.0
        for i, name in enumerate(prob["names"]):
            rows.append({"output": out, "parameter": name, "low": prob["bounds"][i][0],
                         "high": prob["bounds"][i][1], "mu": float(r["mu"][i]),
                         "mu_star": float(r["mu_star"][i]), "mu_star_conf": float(r["mu_star_conf"][i]),
                         "sigma": float(r["sigma"][i]), "mu_star_rel": float(r["mu_star"][i]) / top})
    df = pd.DataFrame(rows)
    df["rank"] = df.groupby("output")["mu_star"].rank(ascending=False, method="first").astype(int)
    return df


def sobol(prob: dict, evaluate: Evaluate, outputs: Sequence[str], *, n: int, seed: int = 0,
          conf_level: float = 0.95, second_order: bool = False) -> pd.DataFrame:
    """First-order and total Sobol indices (Saltelli/Jansen estimators) with bootstrap intervals."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    X = sample.sample(prob, n, calc_second_order=second_order, seed=seed)
    Y = np.asarray(evaluate(X, "sobol"), dtype=float).reshape(len(X), len(outputs))
    rows = []
    for j, out in enumerate(outputs):
        y = Y[:, j]
        if np.ptp(y) == 0:  # a constant output: every index is 0
            r = {k: np.zeros(prob["num_vars"]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            r = analyze.analyze(prob, y, calc_second_order=second_order, conf_level=conf_level,
                                num_resamples=1000, seed=seed)
        for i, name in enumerate(prob["names"]):
            row = {"output": out, "parameter": name, "low": prob["bounds"][i][0],
                   "high": prob["bounds"][i][1]}
            for idx in ("S1", "ST"):
                v, c = float(r[idx][i]), float(r[f"{idx}_conf"][i])
                row.update({idx: v, f"{idx}_conf": c, f"{idx}_lo": v - c, f"{idx}_hi": v + c})
            rows.append(row)
    return pd.DataFrame(rows)
