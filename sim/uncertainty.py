"""Uncertainty that says what it covers.

A run's spread over seeds covers run-to-run randomness only (`uncertainty.covers: seeds`, the
default), or also what is not known about behaviour (`seeds_and_behaviour`): each seed then draws
its own value of every coefficient in `uncertainty.ranges` (a behaviour key, e.g.
`leaving.burnout_weight`, and the range it is drawn from, uniformly), so a 90% interval over seeds
spans both. The draw is keyed by (seed, coefficient): a programme and its baseline run with the
same seed get the same coefficients (the comparison stays paired), and adding a coefficient does
not move the others' draws.

The base rates were calibrated with the configured coefficients. So that a seed's other
coefficients change how the workforce responds, not where it starts, each (sector, role)'s base
leaving rate is rescaled at the start so that its workers' mean leave hazard is the one the
configured coefficients give them (`keep_starting_leaving`): a first-order refit of the one rate
the drawn coefficients move most (not of sickness or vacancy, which they move less; an
assumption, measured in the README).
"""
from __future__ import annotations

import zlib

import numpy as np
from pydantic import ValidationError

from sim.codes import FLEX_UNMET
from sim.config import Behaviour, RunConfig, Uncertainty
from sim.keys import get_key, with_values
from sim.rng import S_BEHAVIOUR, uniform_py

DRAW_WEEK = 0xFFFFFFFE      # the "week" coordinate of a seed's coefficient draws
COVERS = {
    "seeds": "run-to-run randomness only",
    "seeds_and_behaviour": "run-to-run randomness and the behavioural coefficients, drawn for each "
                           "seed within their ranges",
}


def problems(cfg: RunConfig) -> list[str]:
    """What is wrong with `uncertainty.ranges`, one line per key naming it: a key that is not a
    number of the behaviour config, a reversed range, an end the behaviour schema refuses."""
    out = []
    base = cfg.behaviour.model_dump(mode="python")
    for key, (lo, hi) in cfg.uncertainty.ranges.items():
        where = f"uncertainty.ranges.{key}"
        try:
            old = get_key(base, key)
        except KeyError:
            out.append(f"{where}: not a behaviour key (give it without 'behaviour.', e.g. "
                       "leaving.burnout_weight)")
            continue
        if isinstance(old, bool) or not isinstance(old, int | float):
            out.append(f"{where}: behaviour.{key} = {old!r} is not a number")
            continue
        if not lo <= hi:
            out.append(f"{where} = [{lo:g}, {hi:g}]: reversed; give [low, high]")
            continue
        for v in (lo, hi):
            try:
                Behaviour.model_validate(with_values(base, {key: v}))
            except ValidationError as err:
                out.append(f"{where}: the end {v:g} is not a valid behaviour.{key} "
                           f"({err.errors()[0]['msg']})")
                break
    return out


def drawn_values(cfg: RunConfig) -> dict[str, float]:
    """This seed's coefficients (empty when the spread covers the seeds only)."""
    u = cfg.uncertainty
    if u.covers == "seeds":
        return {}
    out = {}
    for key, (lo, hi) in sorted(u.ranges.items()):
        x = uniform_py(cfg.seed, DRAW_WEEK, zlib.crc32(key.encode()), S_BEHAVIOUR)
        out[key] = lo + x * (hi - lo)
    return out


def with_drawn(cfg: RunConfig, drawn: dict[str, float]) -> RunConfig:
    """The config whose behaviour holds the drawn coefficients (what the model is built from)."""
    if not drawn:
        return cfg
    behaviour = Behaviour.model_validate(with_values(cfg.behaviour.model_dump(mode="python"), drawn))
    return cfg.model_copy(update={"behaviour": behaviour})


def seeds_only(cfg: RunConfig) -> RunConfig:
    """The config with its spread over seeds covering randomness alone: for a run whose
    coefficients are set on purpose (a calibration, a sensitivity sample, a behaviour fit)."""
    return cfg.model_copy(update={"uncertainty": Uncertainty()})


def keep_starting_leaving(leave_base: np.ndarray, configured: Behaviour, drawn: Behaviour,
                          sector: np.ndarray, role: np.ndarray, burnout: np.ndarray,
                          flex: np.ndarray) -> np.ndarray:
    """[S, R] base leaving rates rescaled so that each cell's workers at the start (their burnout
    as a fraction, their flexible-working status) have the mean leave hazard the configured
    coefficients give them, under the drawn ones."""
    unmet = flex == FLEX_UNMET

    def multiplier(b: Behaviour) -> np.ndarray:
        return ((1.0 + b.leaving.burnout_weight * burnout)
                * np.where(unmet, b.leaving.unmet_flex_multiplier, 1.0))

    cell = sector.astype(np.int64) * leave_base.shape[1] + role.astype(np.int64)
    size = leave_base.size
    before = np.bincount(cell, multiplier(configured), minlength=size)
    after = np.bincount(cell, multiplier(drawn), minlength=size)
    ratio = np.where(after > 0, before / np.where(after > 0, after, 1.0), 1.0)
    return leave_base * ratio.reshape(leave_base.shape)
