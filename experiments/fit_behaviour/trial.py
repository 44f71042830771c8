"""One trial of the behaviour fit: set the coefficients, refit the base rates so that the
system's observed turnover, vacancy and sickness still hold, then ask the model's NHS trust
staff the survey's questions (`sim.intentions`) and score the answers against the facts."""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from experiments.fit_behaviour.facts import FACTS, SurveyFact
from experiments.sensitivity.runs import number_at
from sim.config import ConfigError, RunConfig
from sim.intentions import ANSWERS, SURVEYED, survey, survey_weeks
from sim.keys import with_values
from sim.metrics import yearly_rates
from sim.system.calibrate import START_YEARS, baseline, calibrate


@dataclass(frozen=True)
class TrialSettings:
    scale: float = 0.1             # a 10% copy of the system: ~3,000 NHS trust staff surveyed
    seeds: tuple[int, ...] = (0, 1)
    rounds: int = 2                # refit rounds from the system's own calibration
    threads: int = 1


def refit(cfg: RunConfig, s: TrialSettings) -> RunConfig:
    """The config with its base rates refitted to the system's targets (`sim.system.calibrate`,
    `s.rounds` rounds from its current factors, over `s.seeds` at `s.scale`)."""
    fitted, _ = calibrate(cfg, seeds=s.seeds, rounds=s.rounds, scale=s.scale, log=lambda _: None,
                          threads=s.threads)
    return fitted


def surveyed_run(cfg: RunConfig, seed: int, scale: float, threads: int = 1) -> dict[str, float]:
    """One baseline run over the years whose turnover the base rates were fitted to
    (`sim.system.calibrate.START_YEARS`): the survey's answers (mean over each year's survey
    week) and the NHS trusts' turnover over those years."""
    from sim.model import WorkforceModel
    from sim.uncertainty import seeds_only

    m = WorkforceModel(baseline(seeds_only(cfg)).model_copy(update={"years": START_YEARS[-1], "seed": seed}),
                       scale=scale, threads=threads)
    weeks = set(survey_weeks(START_YEARS))
    answers = []
    while m.running:
        m.step()
        if m.week - 1 in weeks:           # after the step of a survey week
            answers.append(survey(m))
    out = {a: float(np.mean([x[a] for x in answers])) for a in ANSWERS}
    ts = m.timeseries()
    ts = ts[ts["sector"].astype(str).isin(SURVEYED)]
    rates = yearly_rates(ts.assign(sector="nhs_trusts"), ["sector"])
    out["turnover_nhs_trusts"] = float(rates.loc[rates["year"].isin(START_YEARS), "turnover_rate"].mean())
    return out


def turnover_target(cfg: RunConfig) -> float:
    """The NHS trusts' turnover target: the roles' targets weighted by headcount."""
    roles = [r for s in SURVEYED if s in cfg.system.sectors for r in cfg.system.sectors[s].roles.values()]
    hc = np.array([r.headcount for r in roles], float)
    return float(np.average([r.turnover for r in roles], weights=hc)) if hc.sum() else float("nan")


def loss(measured: dict[str, float], facts: Sequence[SurveyFact] = FACTS) -> float:
    """Sum over the facts of (model - observed)^2 / tolerance^2."""
    return float(sum(((measured[f.answer] - f.observed) / f.tolerance) ** 2 for f in facts))


def evaluate(base: dict, values: dict[str, float], s: TrialSettings,
             facts: Sequence[SurveyFact] = FACTS) -> dict[str, float]:
    """The coefficients `values` on the config `base` (a plain dict): refit, survey, score.
    Returns the answers, the NHS trusts' turnover after the refit, the loss and the seconds."""
    from sim.configuration import validate_config

    logging.getLogger("MESA").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    cfg = refit(validate_config(with_values(base, values), programmes=False), s)
    runs = [surveyed_run(cfg, seed, s.scale, s.threads) for seed in s.seeds]
    out = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
    out["loss"] = loss(out, facts)
    out["seconds"] = time.perf_counter() - t0
    return out


def check_coefficients(base: dict, coefficients: dict[str, tuple[float, float]]) -> None:
    """Every key is a number of the behaviour config, every range low < high, and both ends of
    every range are valid values of the schema: before anything runs (a ConfigError names it)."""
    from sim.config import validate

    if not coefficients:
        raise ConfigError("no coefficients to fit: give at least one --fit KEY=LOW,HIGH")
    for key, (lo, hi) in coefficients.items():
        if not key.startswith("behaviour."):
            raise ConfigError(f"{key}: only behaviour.<...> coefficients are fitted (base rates are "
                              "refitted for every trial)")
        number_at(base, key)
        if not lo < hi:
            raise ConfigError(f"{key}: range [{lo:g}, {hi:g}] is reversed or empty: give LOW,HIGH with "
                              "LOW < HIGH")
        for v in (lo, hi):
            try:
                validate(with_values(base, {key: v}))
            except ConfigError as err:
                raise ConfigError(f"{key}: the range end {v:g} is not a valid value ({err})") from None
