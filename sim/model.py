"""`WorkforceModel`: the Mesa model that walks the weekly phases.

The order of the weekly step is a modelling decision, kept in one list (`PHASES`) and
documented there. Workers live in the engine (Numba kernels over arrays by default, or the
plain one-agent-per-worker reference); employers are Mesa agents whose numbers live in
`EmployerState` arrays.
"""
from __future__ import annotations

import time
from functools import partial
from typing import Any

import mesa
import numba
import numpy as np

from sim import employer_phases as ep
from sim import programmes
from sim.codes import (
    FTE_UNIT,
    N_SECTORS,
    NODES,
    OTHER_EMPLOYER,
    OTHER_EMPLOYER_NAME,
    ROUTES,
    SECTORS,
    WEEKS_PER_YEAR,
)
from sim.cohorts import CohortRecorder
from sim.config import RunConfig
from sim.employers import Employer
from sim.engine import KernelEngine
from sim.kernels import aggregate
from sim.levers import Levers, WeekInputs
from sim.params import Params, build
from sim.population import initial_population, settle_burnout
from sim.recorder import Recorder
from sim.workers import Cohort

# The weekly step, in order. Each entry is (phase, what happens); `step` calls `_phase_<name>`.
# Where programmes act is part of the list: `adjust` (2), `after_departures` (4), `recruit` (6),
# `weekly_cost` (9) (sim.programmes.base).
PHASES: tuple[tuple[str, str], ...] = (
    ("demand", "1. Establishment moves with demand growth and the winter surge."),
    ("pressure", "2. Levers reset to the system's own values; active programmes `adjust` them; "
                 "pressure = work needed / last week's effective capacity (in post - sick + bank "
                 "+ agency), per employer and role; snapshots of pay, destinations and vacancies."),
    ("workers", "3. Per worker: flexible-working wishes met or not; burnout rises with pressure "
                "and unmet wishes and recovers with slack; sickness starts and ends; the decision "
                "to leave (base rate x burnout, pay, unmet wish, first year; retirement by age)."),
    ("departures", "4. Leavers choose a destination: another employer of the sector, another "
                   "sector (pay, pressure), another industry, retirement or leaving the area; "
                   "every programme sees who left (`after_departures`)."),
    ("pipelines", "5. Trainees qualify (once a year); hires whose start date has come join."),
    ("recruitment", "6. Active programmes place their recruits into vacancies (`recruit`); then "
                    "vacant posts not yet offered are filled from the pools with a time to hire "
                    "by route."),
    ("cover", "7. Unfilled work is covered by bank staff first, then any system hub, then "
              "agency (under any cap); the cost is recorded."),
    ("yearly", "8. At the end of each 52-week year: everyone ages a year; pay awards."),
    ("record", "9. Stocks, flows and programme costs (`weekly_cost`) are recorded."),
)

PRESTART_CHANNEL = 63  # id channel of hires agreed before the run (the warm pipeline)


def _headcount_by_sector(m: WorkforceModel) -> dict[str, int]:
    hc = np.bincount(m.params.employer_sector, weights=m.state.headcount.sum(axis=1),
                     minlength=N_SECTORS)
    return {s: int(v) for s, v in zip(SECTORS, hc, strict=True)}


# Model-level reporters for Mesa's DataCollector (module-level functions, so a model pickles).
def _headcount(m: WorkforceModel) -> int:
    return int(m.state.headcount.sum())


def _fte(m: WorkforceModel) -> float:
    return float(m.state.fte_units.sum() / FTE_UNIT)


def _vacancy_rate(m: WorkforceModel) -> float:
    return float(ep.vacancy_fte(m.state).sum() / m.state.establishment.sum())


def _sickness_rate(m: WorkforceModel) -> float:
    return float(m.state.sick_units.sum() / max(m.state.fte_units.sum(), 1))


def _agency_cost(m: WorkforceModel) -> float:
    return float(m.state.agency_cost.sum())


def _mean_burnout(m: WorkforceModel) -> float:
    return float(m.state.burnout_units.sum() / 65535 / max(m.state.headcount.sum(), 1))


def _sector_headcount(sector: str, m: WorkforceModel) -> int:
    return _headcount_by_sector(m)[sector]


REPORTERS = {
    "headcount": _headcount, "fte": _fte, "vacancy_rate": _vacancy_rate,
    "sickness_rate": _sickness_rate, "agency_cost_gbp": _agency_cost, "mean_burnout": _mean_burnout,
    **{f"headcount_{s}": partial(_sector_headcount, s) for s in SECTORS},
}


def as_run_config(config: RunConfig | dict | None, **overrides: Any) -> RunConfig:
    """A validated config: the embedded default, a plain dict or a RunConfig, with overrides."""
    from sim.configuration import default_config, validate_config

    if config is None:
        config = default_config()
    elif isinstance(config, dict):
        config = validate_config(config)
    changes = {k: v for k, v in overrides.items() if v is not None}
    if changes:
        config = validate_config({**config.model_dump(mode="python"), **changes})
    return config


class WorkforceModel(mesa.Model):
    """Health and social care workforce of one system, stepped a week at a time.

    `WorkforceModel()` runs the embedded default; `seed`, `years`, `engine` and `scale` override
    the config; `scale` multiplies the population (0.05 for a quick look, ~60 for England).
    """

    def __init__(self, config: RunConfig | dict | None = None, *, seed: int | None = None,
                 years: int | None = None, engine: str | None = None, scale: float | None = None,
                 threads: int | None = None):
        cfg = as_run_config(config, seed=seed, years=years, engine=engine, scale=scale)
        super().__init__(seed=cfg.seed)
        n_threads = threads if threads is not None else cfg.threads
        if n_threads:
            numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))
        self.config = cfg
        self.params = p = build(cfg, cfg.scale)
        self.horizon = p.weeks
        self.week = 0
        cohort = initial_population(p)
        self.state = self._initial_state(p, cohort)
        settle_burnout(p, cohort, ep.pressure(self.state).ravel())
        if cfg.engine == "reference":
            from sim.reference import ReferenceEngine
            self.engine = ReferenceEngine(self, p, cohort)
        else:
            self.engine = KernelEngine(p, cohort)
        self.state.set_stocks(self.engine.aggregate(), p.n_roles)
        self.employers = [Employer(self, e) for e in range(p.n_employers)]
        self.pending = Cohort.empty({"arrival_week": np.int32})
        self._warm_pipeline()
        self.route_names = [*ROUTES, OTHER_EMPLOYER_NAME]
        self.route_source = [NODES.index(r) for r in ROUTES] + [-1]
        self.programmes = []
        self.programmes = programmes.load(self, dict(cfg.intervention))
        self._register_programme_routes()
        self.recorder = Recorder(p, np.array(self.route_source, np.int64))
        self.cohorts = CohortRecorder(p.weeks, len(self.route_names))
        self.programme_cost = np.zeros((p.weeks, len(self.programmes)))
        self.programme_recruits = np.zeros((p.weeks, len(self.programmes)), np.int64)
        self.headcount_start = _headcount_by_sector(self)
        self.phase_seconds = {name: 0.0 for name, _ in PHASES}
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)
        self.running = True

    # --- set-up ------------------------------------------------------------------------
    def _initial_state(self, p: Params, cohort: Cohort) -> ep.EmployerState:
        E, R = p.n_employers, p.n_roles
        zero = np.zeros((E, R))
        st = ep.EmployerState(
            establishment0=zero, establishment=zero, headcount=zero, fte_units=zero,
            sick_units=zero, burnout_units=zero, pending_units=zero.copy(), bank_fte=zero,
            agency_fte=zero, bank_cost=zero, agency_cost=zero, capacity=zero, pressure=zero,
            pay_scale=p.pay_scale.copy(), graduates=np.zeros(R, np.int64))
        self.levers = Levers.baseline(p, st.pay_scale)
        c = cohort
        st.set_stocks(aggregate(np.ones(len(c), np.uint8), c["employer"], c["role"], c["fte"],
                                c["sick"], c["burnout"], E, R, 1), R)
        # Funded posts at the start: staff in post plus the target vacancy rate.
        vacancy = p.vacancy[p.employer_sector]
        st.establishment0 = st.fte_units / FTE_UNIT / (1.0 - vacancy)
        st.establishment = ep.establishment(p, st, 0)
        for r in range(R):
            if p.training_intake[r] < 0:
                st.training_queue.append([])
                continue
            yearly = int(round(p.training_intake[r] * p.training_completion[r]))
            st.training_queue.append([yearly] * int(p.training_years[r]))
            # assumption: last year's newly qualified still looking, pro rata to the time
            # left before the next cohort qualifies
            st.graduates[r] = int(yearly * p.training_week[r] / WEEKS_PER_YEAR)
        ep.cover(p, st, self.levers)
        return st

    def _warm_pipeline(self) -> None:
        """Hires agreed before the start and not yet in post: run recruitment over the weeks
        before week 0 on the starting stocks, so the first weeks have joiners arriving."""
        p = self.params
        lag = int(p.time_to_hire.max())
        for j in range(lag):
            week = j - lag
            self.pending = self.pending.take(self.pending["arrival_week"] > week)
            self._update_pending_units()
            hires = ep.recruit(p, self.state, week, key_week=j, channel=PRESTART_CHANNEL)
            self.pending = Cohort.concat([self.pending, hires])
        self.pending = self.pending.take(self.pending["arrival_week"] >= 0)
        self._update_pending_units()

    def _register_programme_routes(self) -> None:
        """Give each programme's routes a code, a flow source node and in-role support."""
        self.route_code: dict[str, int] = {n: i for i, n in enumerate(self.route_names)}
        support = {}
        for prog in self.programmes:
            for route, node in prog.routes.items():
                self.route_code[route] = len(self.route_names)
                self.route_names.append(route)
                self.route_source.append(NODES.index(node))
            support.update(prog.support)
        n = len(self.route_names)
        self.support_weeks = np.zeros(n, np.int64)
        self.support_mult = np.ones(n)
        for route, (weeks, mult) in support.items():
            self.support_weeks[self.route_code[route]] = weeks
            self.support_mult[self.route_code[route]] = mult

    def active_programmes(self) -> list:
        return [prog for prog in self.programmes if prog.active(self.week)]

    def _update_pending_units(self) -> None:
        p = self.params
        cell = self.pending["employer"].astype(np.int64) * p.n_roles + self.pending["role"]
        self.state.pending_units = np.bincount(
            cell, weights=self.pending["fte"].astype(np.float64),
            minlength=p.n_employers * p.n_roles).reshape(p.n_employers, p.n_roles)

    # --- the weekly step ---------------------------------------------------------------
    def step(self) -> None:
        if self.week >= self.horizon:
            raise RuntimeError(f"the run's horizon of {self.horizon} weeks has been reached")
        for name, _ in PHASES:
            t0 = time.perf_counter()
            getattr(self, f"_phase_{name}")()
            self.phase_seconds[name] += time.perf_counter() - t0
        self.week += 1
        self.datacollector.collect(self)
        self.running = self.week < self.horizon

    def run(self, progress: bool = False) -> None:
        """Step to the horizon (with a progress bar if asked)."""
        from tqdm import tqdm

        with tqdm(total=self.horizon - self.week, unit="week", disable=not progress) as bar:
            while self.running:
                self.step()
                bar.update()

    def _phase_demand(self) -> None:
        self.state.establishment = ep.establishment(self.params, self.state, self.week)

    def _phase_pressure(self) -> None:
        p, st = self.params, self.state
        self.levers = lv = Levers.baseline(p, st.pay_scale)
        for prog in self.active_programmes():
            prog.adjust(lv, self.week)
        st.pay_scale = lv.pay_scale  # pay is a lever that persists: a raised scale stays raised
        st.pressure = ep.pressure(st)
        self.inputs = WeekInputs.of(self.week, lv, st.pressure, pay_mult=ep.pay_multiplier(p, st),
                                    support_weeks=self.support_weeks, support_mult=self.support_mult,
                                    dest_cum=ep.destination_shares(p, st),
                                    vacancy_cum=ep.vacancy_prefix(st))

    def _phase_workers(self) -> None:
        self.engine.update_workers(self.inputs)

    def _phase_departures(self) -> None:
        dep = self.engine.depart(self.inputs)
        week = self.week
        self.recorder.add_departures(week, dep.sector, dep.role, dep.dest)
        self.cohorts.add_departures(week, dep.join_week, dep.route, dep.dest)
        moved = dep.dest < N_SECTORS
        self.cohorts.add_joins(week, np.full(int(moved.sum()), OTHER_EMPLOYER))
        for prog in self.programmes:  # observing, active or not (it draws nothing, moves nothing)
            prog.after_departures(dep, week)

    def _phase_pipelines(self) -> None:
        p, st, week = self.params, self.state, self.week
        for r, queue in enumerate(st.training_queue):
            if queue and week % WEEKS_PER_YEAR == p.training_week[r]:
                st.graduates[r] = queue.pop(0)  # unhired graduates of last year have gone
                queue.append(int(round(p.training_intake[r] * p.training_completion[r])))
        due = self.pending["arrival_week"] <= week
        arrivals = self.pending.take(due)
        self.pending = self.pending.take(~due)
        self.engine.add(arrivals)
        self.recorder.add_arrivals(week, arrivals["sector"], arrivals["role"], arrivals["route"])
        self.cohorts.add_joins(week, arrivals["route"])
        st.set_stocks(self.engine.aggregate(), p.n_roles)

    def _phase_recruitment(self) -> None:
        self._update_pending_units()
        for i, prog in enumerate(self.programmes):
            if not prog.active(self.week):
                continue
            recruits = prog.recruit(self.week)
            if recruits is not None and len(recruits):
                self.programme_recruits[self.week, i] += len(recruits)
                prog.recruits += len(recruits)
                self.pending = Cohort.concat([self.pending, recruits])
                self._update_pending_units()
        hires = ep.recruit(self.params, self.state, self.week, fill_mult=self.levers.fill_mult)
        self.pending = Cohort.concat([self.pending, hires])
        self._update_pending_units()

    def _phase_cover(self) -> None:
        ep.cover(self.params, self.state, self.levers)

    def _phase_yearly(self) -> None:
        if (self.week + 1) % WEEKS_PER_YEAR == 0:
            self.engine.age_one_year()
            self.state.pay_scale = self.state.pay_scale * (1.0 + self.params.pay_award)[:, None]

    def _phase_record(self) -> None:
        self.recorder.record_stocks(self.week, self.state)
        for i, prog in enumerate(self.programmes):
            if prog.active(self.week):
                self.programme_cost[self.week, i] = prog.weekly_cost(self.week)

    # --- what programmes may look at (sim.programmes.base.ModelView) ---------------------
    def snapshot(self) -> Cohort:
        """Every worker in post, sorted by id."""
        return self.engine.snapshot()

    def locate(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each worker id: (in post?, employer or -1)."""
        return self.engine.locate(ids)

    # --- results -----------------------------------------------------------------------
    def timeseries(self):
        return self.recorder.timeseries(self.week)

    def flows(self):
        return self.recorder.flow_table(self.week)

    def cohort_table(self):
        return self.cohorts.table(self.week, self.route_names, self.params.start_date)

    def programme_table(self):
        """One row per (week, programme): cost and recruits."""
        import pandas as pd

        W = self.week
        names = [prog.name for prog in self.programmes]
        return pd.DataFrame({
            "week": np.repeat(np.arange(W), len(names)).astype(np.int64),
            "programme": np.tile(np.array(names, dtype=object), W),
            "cost_gbp": self.programme_cost[:W].ravel(),
            "recruits": self.programme_recruits[:W].ravel(),
        })
