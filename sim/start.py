"""A run's state at week 0, before its programmes act: the arrays, the starting workforce, the
employers' numbers, the labour market's pools, the timeline's week-0 changes and the hires agreed
before the run (`Start`).

It depends on the config without its programmes (`intervention`) and the seed, so a programme
comparison starts each seed the same way under every programme (common random numbers). A
process keeps its last few starts (of the kernel engine) and hands each run a copy: in a
comparison, one worker runs a batch of seeds under one programme after another, and building a
start (the workforce, the pools, the weeks of hiring before the run) took 91 ms for the default
ICS against 11 ms for the copy (a 5-year run steps for about a second). Starts of large
populations are not kept (their memory)."""
from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import employer_phases as ep
from sim import uncertainty
from sim.config import RunConfig
from sim.engine import THRESHOLD_UNITS, KernelEngine
from sim.kernels import aggregate
from sim.labour_market import LabourMarket
from sim.levers import Levers
from sim.params import Params, build_with_misses, warn_misses
from sim.pending import PendingHires
from sim.population import initial_population, settle_burnout
from sim.timeline import Timeline
from sim.workers import BURNOUT_UNIT, Cohort

PRESTART_CHANNEL = 63       # id channel of hires agreed before the run (the warm pipeline)
KEEP_WORKERS = 1_000_000    # the kept starts hold at most this many workers (~50 MB), the oldest
                            # dropped first; a larger start is built for each run


@dataclass
class Start:
    drawn: dict[str, float]     # this seed's behavioural coefficients (sim.uncertainty)
    params: Params
    state: ep.EmployerState
    levers: Levers
    engine: Any                 # KernelEngine, or the Mesa reference engine
    market: LabourMarket
    timeline: Timeline
    pending: PendingHires
    misses: list[str]           # where the starting age structure misses its targets


_KEPT: OrderedDict[str, Start] = OrderedDict()
_LOCK = threading.Lock()


def starting_point(cfg: RunConfig, reference_engine: Callable[[Params, Cohort], Any] | None = None) -> Start:
    """The start of a run of `cfg` (a copy of its own). `reference_engine(params, cohort)`
    makes the Mesa reference engine instead of the kernels (its agents belong to one model:
    never kept)."""
    if reference_engine is not None:
        start = build_start(cfg, reference_engine)
    else:
        key = json.dumps(cfg.model_dump(mode="json", exclude={"intervention"}), sort_keys=True, default=str)
        with _LOCK:
            kept = _KEPT.pop(key, None)
        start = kept or build_start(cfg, KernelEngine)
        if len(start.engine) <= KEEP_WORKERS:
            with _LOCK:     # the dashboard may build runs in several threads
                _KEPT[key] = start
                while sum(len(s.engine) for s in _KEPT.values()) > KEEP_WORKERS:
                    _KEPT.popitem(last=False)
            start = copy.deepcopy(start)    # the kept start is never changed: only copied
    warn_misses(start.misses, stacklevel=4)
    return start


def forget() -> None:
    """Drop the kept starts (after changing how a start is built, e.g. in a test)."""
    with _LOCK:
        _KEPT.clear()


def build_start(cfg: RunConfig, make_engine: Callable[[Params, Cohort], Any]) -> Start:
    """The start of a run of `cfg`, built; `make_engine(params, cohort)` holds its workers."""
    drawn = uncertainty.drawn_values(cfg)
    built = uncertainty.with_drawn(cfg, drawn)
    p, misses = build_with_misses(built, cfg.scale)
    cohort = initial_population(p)
    state, levers = _initial_state(p, cohort)
    settle_burnout(p, cohort, ep.pressure(state).ravel())
    if drawn:
        p.leave_base = uncertainty.keep_starting_leaving(
            p.leave_base, cfg.behaviour, built.behaviour, cohort["sector"], cohort["role"],
            cohort["burnout"] / BURNOUT_UNIT, cohort["flex"])
    engine = make_engine(p, cohort)
    state.set_stocks(engine.aggregate(), p.n_roles)
    market = LabourMarket(p, state, ep.destination_shares(p, state))
    timeline = Timeline(cfg, p, state, market.pools)
    timeline.apply(0)
    pending = PendingHires(p.n_employers, p.n_roles)
    _warm_pipeline(p, state, market, pending)
    return Start(drawn, p, state, levers, engine, market, timeline, pending, misses)


def _initial_state(p: Params, c: Cohort) -> tuple[ep.EmployerState, Levers]:
    stocks = aggregate(np.ones(len(c), np.uint8), c["employer"], c["role"], c["fte"], c["sick"],
                       c["burnout"], p.n_employers, p.n_roles, 1, THRESHOLD_UNITS)
    st = ep.starting_state(p, stocks)
    levers = Levers.baseline(p, st.pay_scale)
    ep.cover(p, st, levers)
    return st, levers


def _warm_pipeline(p: Params, state: ep.EmployerState, market: LabourMarket, pending: PendingHires) -> None:
    """Hires agreed before the start and not yet in post: the weeks before week 0, twice the
    longest time to hire, are matched as the run matches (the start's expected job-to-job
    searchers placed first) and hires due before week 0 dropped, so the first weeks have the
    joiners the run itself keeps arriving (tests/test_labour_market.py). The pools are at
    their steady state already, so these hires do not draw on them."""
    lag = 2 * int(p.time_to_hire.max())
    nobody = Cohort.empty()
    for j in range(lag):
        week = j - lag
        pending.take_due(week)                  # started before the run: not kept
        state.pending_units = pending.fte_units()
        _, hires = market.hire(state, week, nobody, np.zeros(0, np.int64), key_week=j,
                               channel=PRESTART_CHANNEL, take=False, prestart=True)
        pending.add(hires)
    pending.take_due(-1)
    state.pending_units = pending.fte_units()
