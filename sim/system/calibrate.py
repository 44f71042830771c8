"""Fit the base rates so that a system reproduces its observed turnover, vacancy and sickness
per (sector, role): turnover and sickness in the first years of the run as configured, vacancy
in the first years and the settled years of the system held still (no funded growth, no dated
changes), which therefore starts and stays at its observed vacancy.

Four factors per (sector, role) scale the first guesses in `sim.params`: `leave` (turnover) and
`sickness`, fitted to the first years (`START_YEARS`) of the run as configured, with its funded
growth; `start_vacancy` (the funded posts at the start) and `fill` (the matching efficiency),
fitted to the vacancy of the system held still over its first years and over its settled years
(`FIT_YEARS`). Each round runs both over several seeds and moves every factor by the ratio of
target to achieved (damped), a fixed-point iteration that converges in a few rounds because
each factor mostly drives its own rate.

The command lines that use it are in `sim.commands.calibrate` (`make calibrate`,
`wfsim-calibrate my_ics.csv`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import SECTORS
from sim.config import RunConfig, Uncertainty

DAMPING = 0.8
# Why vacancy is fitted held still, at both ends: the model starts from a workforce drawn to be
# in its steady state, but hires answer vacancies only as the square root of the openings
# (sim.matching), so a small imbalance of hires and leavers settles over years. Fitted to years
# 4-5 of the growing system, the default's matching factors (1.03-1.11 in acute) made hires
# outrun leavers from the first year once growth stopped (acute: 53 more joiners than leavers in
# year 1, 16 seeds), and vacancy fell half a point over the next eight years. Why turnover is
# fitted as the system runs: it counts moves between employers, which funded growth's openings
# make more of (the default's social care, with every rate fitted held still: 26.1% in the first
# year as it runs, 24.7% held still). The agency spend target is the first year's.
START_YEARS = (1, 2)
FIT_YEARS = (6, 7, 8, 9, 10)
TARGETS = {"turnover": "turnover_rate", "vacancy": "vacancy_rate", "sickness": "sickness_rate"}
# Convergence (with `tol`): every rate of a cell within tol (relative) or ABS_TOL (absolute) of
# its target, or, for a small cell, within NOISE / sqrt(its leavers over the fitted seeds): its
# integer counts move in steps a factor cannot fine-tune.
ABS_TOL = 0.001
NOISE = 0.5
# Where staff turn over fast, or a cell is a few people, the run leaves its start within months
# and the funded posts at the start hardly move the first years' mean: their factor is kept
# between a quarter and four times the target vacancy instead of running away (the presets'
# fits give 0.5-1.8)
BOUNDS = {"start_vacancy": (0.25, 4.0)}


def baseline(cfg: RunConfig) -> RunConfig:
    """The run as configured without programmes, the behavioural coefficients as set."""
    if "intervention" not in type(cfg).model_fields:
        return cfg
    return cfg.model_copy(update={"intervention": {}, "uncertainty": Uncertainty()})


def held_still(cfg: RunConfig) -> RunConfig:
    """The baseline held still: no funded growth and no dated changes."""
    sectors = {s: spec.model_copy(update={"establishment_growth": 0.0})
               for s, spec in cfg.system.sectors.items()}
    update = {"system": cfg.system.model_copy(update={"sectors": sectors})}
    if "timeline" in type(cfg).model_fields:
        update.update(timeline={}, scenario=None)
    return baseline(cfg).model_copy(update=update)


def _mean_rates(m, years) -> pd.DataFrame:
    from sim.metrics import yearly_rates

    rates = yearly_rates(m.timeseries(), ["sector", "role"])
    rates = rates[rates["year"].isin(years)]
    return (rates.groupby(["sector", "role"], observed=True).mean(numeric_only=True)
            .drop(columns=["year", "weeks"]))


def fitted_rates_by_role(cfg: RunConfig, seeds, scale: float = 1.0,
                         threads: int | None = None) -> pd.DataFrame:
    """Mean over seeds per (sector, role): the baseline's rates over its first years
    (`START_YEARS`) and its agency spend in the first; and the vacancy of the system held still
    over the same years (`vacancy_still_start`) and over its settled years
    (`vacancy_still_settled`, `FIT_YEARS`)."""
    from sim.model import WorkforceModel

    runs = {"as_run": baseline(cfg).model_copy(update={"years": START_YEARS[-1]}),
            "still": held_still(cfg).model_copy(update={"years": FIT_YEARS[-1]})}
    frames = []
    for seed in seeds:
        m = {k: WorkforceModel(c.model_copy(update={"seed": seed}), scale=scale, threads=threads)
             for k, c in runs.items()}
        for model in m.values():
            model.run()
        rates = _mean_rates(m["as_run"], START_YEARS)
        rates["agency_spend_gbp"] = _mean_rates(m["as_run"], (1,))["agency_spend_gbp"]
        rates["vacancy_still_start"] = _mean_rates(m["still"], START_YEARS)["vacancy_rate"]
        rates["vacancy_still_settled"] = _mean_rates(m["still"], FIT_YEARS)["vacancy_rate"]
        frames.append(rates.reset_index().assign(seed=seed))
    df = pd.concat(frames)
    return df.groupby(["sector", "role"], observed=True).mean(numeric_only=True).reset_index()


def _references(cfg: RunConfig, sector: str, role: str) -> dict:
    """The observed market a fit is made in: the role's pay and training intake, competing pay."""
    sysc = cfg.system
    training = sysc.training.get(role)
    return {"reference_pay": sysc.sectors[sector].roles[role].pay_gbp,
            "reference_intake": training.intake_per_year if training is not None else None,
            "reference_competing_pay": sysc.labour_market.local.competing_pay_gbp}


def targets(cfg: RunConfig) -> pd.DataFrame:
    rows = []
    for s, spec in cfg.system.sectors.items():
        for r, role in spec.roles.items():
            if role.headcount > 0:
                rows.append({"sector": s, "role": r, **{k: getattr(role, k) for k in TARGETS}})
    return pd.DataFrame(rows)


def _with_factors(cfg: RunConfig, factors: dict, shares: dict | None = None) -> RunConfig:
    raw = cfg.model_dump(mode="python")
    for (s, r), f in factors.items():
        raw["system"]["sectors"][s]["roles"][r]["calibration"] = {**f, **_references(cfg, s, r)}
    for s, share in (shares or {}).items():
        raw["system"]["sectors"][s]["agency_share_of_gap"] = share
    return RunConfig.model_validate(raw)


def compare(cfg: RunConfig, achieved: pd.DataFrame) -> pd.DataFrame:
    """Target vs achieved per (sector, role): the baseline over its first years, and the vacancy
    of the system held still over the same years and its settled years (`fitted_rates_by_role`);
    the fit aims turnover, sickness and the two held-still vacancies at the targets."""
    df = targets(cfg).merge(achieved, on=["sector", "role"], how="left")
    for k, col in TARGETS.items():
        df[f"{k}_achieved"] = df.pop(col)
    cols = [c for k in TARGETS for c in (k, f"{k}_achieved")]
    cols[cols.index("vacancy_achieved") + 1:cols.index("vacancy_achieved") + 1] = [
        "vacancy_still_start", "vacancy_still_settled"]
    return df[["sector", "role"] + cols]


def _agency_spend(achieved: pd.DataFrame, group, scale: float) -> float:
    return float(achieved.loc[achieved["sector"].isin(group), "agency_spend_gbp"].sum()) / scale


def calibrate(cfg: RunConfig, seeds=(0, 1, 2), rounds: int = 8, scale: float = 1.0, log=print,
              agency=None, tol: float | None = None, threads: int | None = None,
              fresh: bool = False) -> tuple[RunConfig, pd.DataFrame]:
    """Return the config with fitted factors and the final target-vs-achieved table.

    `agency`: optional [(sectors, GBP a year)] targets for the first year's agency spend of
    each group of sectors, met by scaling their `agency_share_of_gap` (at most 1); the table's
    `attrs["agency"]` lists (sectors, target, achieved). `tol`: stop early once every rate is
    within `tol` (relative) of its target, small cells within their counting noise (see NOISE),
    and the agency spend within `tol`; without it, `rounds` updates and a final evaluation.
    `threads`: Numba threads for the fitting runs (results do not depend on it; 1 is fastest for
    small systems); the process's setting is restored afterwards. `fresh`: start from the first
    guesses (every factor 1) instead of the factors in place, so that a refit gives the same
    factors whatever was fitted before (the fit over a few seeds stops at a point that depends
    on where it started; a warm start suits refits inside an experiment)."""
    import numba

    before = numba.get_num_threads()
    try:
        return _calibrate(cfg, seeds, rounds, scale, log, agency, tol, threads, fresh)
    finally:
        numba.set_num_threads(before)


def _calibrate(cfg, seeds, rounds, scale, log, agency, tol, threads, fresh):
    first = {"leave": 1.0, "sickness": 1.0, "fill": 1.0, "start_vacancy": 1.0}
    factors = {(s, r): {**dict(role.calibration), **(first if fresh else {})}
               for s, spec in cfg.system.sectors.items() for r, role in spec.roles.items()}
    agency = [(tuple(g), float(t)) for g, t in (agency or []) if g]
    shares = {s: cfg.system.sectors[s].agency_share_of_gap for g, _ in agency for s in g}
    cfg = _with_factors(cfg, factors, shares)      # fitted in the config's own market
    tgt = targets(cfg).set_index(["sector", "role"])
    allowed = {(s, r): max(tol or 0.0, NOISE / np.sqrt(max(role.headcount * scale * max(role.turnover, 0.02)
                                                           * len(seeds), 1.0)))
               for s, spec in cfg.system.sectors.items() for r, role in spec.roles.items()}
    for k in range(rounds + 1):
        table = fitted_rates_by_role(cfg, seeds, scale, threads)
        achieved = table.set_index(["sector", "role"])
        worst, converged = 0.0, True
        for key in tgt.index:
            if key not in achieved.index:
                continue
            f, a, t = factors[key], achieved.loc[key], tgt.loc[key]
            # (factor, what it aims at, what the runs gave, +1: a larger factor gives a larger rate)
            for name, want, got, sign in (("leave", t["turnover"], a["turnover_rate"], 1),
                                          ("sickness", t["sickness"], a["sickness_rate"], 1),
                                          ("start_vacancy", t["vacancy"], a["vacancy_still_start"], 1),
                                          ("fill", t["vacancy"], a["vacancy_still_settled"], -1)):
                if not (np.isfinite(want) and np.isfinite(got)):
                    continue
                want, got = float(want), max(float(got), 1e-4)
                ratio = (max(want, 1e-4) / got) ** sign
                worst = max(worst, abs(got / max(want, 1e-4) - 1))
                if tol is not None and abs(got - want) > max(allowed[key] * want, ABS_TOL):
                    converged = False
                f[name] = float(np.clip(f[name] * ratio ** DAMPING, *BOUNDS.get(name, (1e-3, 1e3))))
        spend = []
        for group, target in agency:
            got = _agency_spend(table, group, scale)
            spend.append((group, target, got))
            if tol is not None and abs(got - target) > tol * max(target, 1.0):
                converged = False
        done = k == rounds or (tol is not None and converged)
        msg = f"round {k + 1}: largest relative miss {worst:.1%}"
        msg += "".join(f"; agency spend {'+'.join(g)} GBP {got / 1e6:.1f}M for {t / 1e6:.1f}M"
                       for g, t, got in spend)
        if done:
            break
        for group, target, got in spend:
            for s in group:
                old = shares[s] if shares[s] > 0 else 0.1
                shares[s] = float(np.clip(old * (max(target, 1.0) / max(got, 1.0)) ** DAMPING, 0.0, 1.0))
        log(msg)
        cfg = _with_factors(cfg, factors, shares)
    if tol is not None and k < rounds:
        log(f"{msg} (converged)")
    out = compare(cfg, table)
    out.attrs["agency"] = spend
    return cfg, out


def calibration_yaml(cfg: RunConfig, note: str) -> str:
    lines = [f"# {line}" for line in note.splitlines()]
    for s in SECTORS:
        spec = cfg.system.sectors.get(s)
        if spec is None:
            continue
        lines += [f"{s}:", "  roles:"]
        for r, role in spec.roles.items():
            c = role.calibration
            refs = "".join(f", {k}: {v:.6g}" for k, v in (("reference_pay", c.reference_pay),
                                                            ("reference_intake", c.reference_intake),
                                                            ("reference_competing_pay",
                                                             c.reference_competing_pay))
                           if v is not None)
            lines.append(f"    {r}: {{calibration: {{leave: {c.leave:.6g}, sickness: "
                         f"{c.sickness:.6g}, fill: {c.fill:.6g}, start_vacancy: {c.start_vacancy:.6g}"
                         f"{refs}}}}}")
    return "\n".join(lines) + "\n"
