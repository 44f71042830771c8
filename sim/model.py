"""`WorkforceModel`: the Mesa model that walks the weekly phases.

The order of the weekly step is a modelling decision, kept in one list (`PHASES`) and
documented there. Workers live in the engine (Numba kernels over arrays by default, or the
plain one-agent-per-worker reference); employers are Mesa agents whose numbers live in
`EmployerState` arrays; the people outside the system live in the labour market's pools.
"""
from __future__ import annotations

import time
from typing import Any

import mesa
import numba
import numpy as np

from sim import careers as cr
from sim import employer_phases as ep
from sim import programmes
from sim.codes import (
    CAREER,
    CAREER_NAME,
    DEST_EDUCATION,
    FLEX_MET,
    FLEX_UNMET,
    N_SECTORS,
    NODES,
    OTHER_EMPLOYER,
    OTHER_EMPLOYER_NAME,
    ROUTES,
    WEEKS_PER_YEAR,
)
from sim.cohorts import CohortRecorder
from sim.config import RunConfig
from sim.employers import Employer
from sim.engine import THRESHOLD_UNITS
from sim.kernels import LEAVE
from sim.levers import Levers, WeekInputs
from sim.pools import age_one_year as age_pools
from sim.population import hours_after_move
from sim.programmes.base import Departures
from sim.recorder import Recorder
from sim.reporters import REPORTERS, headcount_by_sector
from sim.start import starting_point
from sim.workers import Cohort

# The weekly step, in order. Each entry is (phase, what happens); `step` calls `_phase_<name>`.
# Where programmes act is part of the list: `adjust` (2), `recruit` (6), `after_departures` (6),
# `weekly_cost` (9) (sim.programmes.base).
PHASES: tuple[tuple[str, str], ...] = (
    ("demand", "1. Establishment moves with demand growth and the winter surge."),
    ("pressure", "2. Levers reset to the system's own values; active programmes `adjust` them; "
                 "pressure = work needed / last week's effective capacity (in post - sick + bank "
                 "+ agency), per employer and role; pay, and where leavers would look for work."),
    ("workers", "3. Per worker: flexible-working wishes met or not; burnout rises with pressure "
                "and unmet wishes and recovers with slack; sickness starts and ends; the decision "
                "to leave (base rate x burnout, pay, unmet wish, first year, age, route in; "
                "retirement by age); a career step (start or finish training for another role)."),
    ("departures", "4. Leavers retire, leave for another industry or the area (into the pools of "
                   "former staff and retirees), or look for another job in the system (moved in 6 "
                   "if an employer offers one); career steps: apprentices who finish change role, "
                   "degree students leave to study."),
    ("pipelines", "5. The pools move: graduates qualify once a year, people drift out of the pools, "
                  "the local pool renews, a closed overseas route opens its switching window; "
                  "hires whose start date has come join."),
    ("recruitment", "6. Active programmes place their recruits into vacancies (`recruit`), drawn "
                    "from the pool they come from; then matching: job-to-job searchers and the "
                    "pools' applicants fill open posts (a matching function); every programme "
                    "sees who left this week (`after_departures`)."),
    ("cover", "7. Unfilled work is covered by bank staff first, then any system hub, then "
              "agency (under any cap); the cost is recorded."),
    ("calendar", "8. The dated changes of the timeline (sim.timeline) that hold from next week "
                 "are made: pay awards, funded growth, bank and agency rules, training intake, "
                 "competing pay, arrivals from abroad."),
    ("yearly", "9. At the end of each 52-week year: everyone, in post and in the pools, ages a "
               "year; pay awards, at the rates in force for the year that starts."),
    ("record", "10. Stocks, flows, pools and programme costs (`weekly_cost`) are recorded; ages "
               "once a year."),
)


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
        if cfg.engine == "reference":
            from sim.reference import ReferenceEngine
            start = starting_point(cfg, lambda p, cohort: ReferenceEngine(self, p, cohort))
        else:
            start = starting_point(cfg)
        self.drawn = start.drawn    # this seed's behavioural coefficients, when the spread covers them
        self.params = p = start.params
        self.state, self.levers, self.engine = start.state, start.levers, start.engine
        self.market, self.timeline, self.pending = start.market, start.timeline, start.pending
        self.horizon = p.weeks
        self.week = 0
        self.employers = [Employer(self, e) for e in range(p.n_employers)]
        self.route_names = [*ROUTES, OTHER_EMPLOYER_NAME, CAREER_NAME]
        self.route_source = [NODES.index(r) for r in ROUTES] + [-1, -1]
        self.route_pool: list[str | None] = [*ROUTES, None, None]
        self.programmes = []
        self.programmes = programmes.load(self, dict(cfg.intervention))
        self.routes = self._register_programme_routes()
        self.recorder = Recorder(p, np.array(self.route_source, np.int64), self.route_names)
        self.recorder.record_ages(0, self.engine.age_profile())
        self.cohorts = CohortRecorder(p.weeks, len(self.route_names), p.roles)
        self.programme_cost = np.zeros((p.weeks, len(self.programmes)))
        self.programme_recruits = np.zeros((p.weeks, len(self.programmes)), np.int64)
        self.headcount_start = headcount_by_sector(self)
        self.phase_seconds = {name: 0.0 for name, _ in PHASES}
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)
        self.running = True

    # --- set-up ------------------------------------------------------------------------
    def _register_programme_routes(self):
        """Give each programme's routes a code, a flow source node, the pool they draw from and
        in-role support; return the per-route arrays the worker phases read."""
        from types import SimpleNamespace

        self.route_code: dict[str, int] = {n: i for i, n in enumerate(self.route_names)}
        support = {}
        for prog in self.programmes:
            for route, node in prog.routes.items():
                self.route_code[route] = len(self.route_names)
                self.route_names.append(route)
                self.route_source.append(NODES.index(node))
                self.route_pool.append(node if node in ROUTES else None)
            support.update(prog.support)
        n = len(self.route_names)
        support_weeks, support_mult = np.zeros(n, np.int64), np.ones(n)
        for route, (weeks, mult) in support.items():
            support_weeks[self.route_code[route]] = weeks
            support_mult[self.route_code[route]] = mult
        entry_mult = np.array([self.params.route_mult[ROUTES.index(pool)] if pool else 1.0
                               for pool in self.route_pool])
        self.entry_fte = np.array([self.params.route_fte[ROUTES.index(pool)] if pool else 1.0
                                   for pool in self.route_pool])
        return SimpleNamespace(support_weeks=support_weeks, support_mult=support_mult, entry_mult=entry_mult)

    def active_programmes(self) -> list:
        return [prog for prog in self.programmes if prog.active(self.week)]

    def _update_pending_units(self) -> None:
        self.state.pending_units = self.pending.fte_units()

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
                                    routes=self.routes,
                                    dest_cum=ep.destination_shares(p, st))

    def _phase_workers(self) -> None:
        self.engine.update_workers(self.inputs)

    def _phase_departures(self) -> None:
        p, week = self.params, self.week
        leavers = self.engine.decided(LEAVE)
        dest = self.engine.destinations(self.inputs, leavers)
        exits = dest >= N_SECTORS
        gone = leavers.take(exits)
        self.engine.remove(gone)
        self._record_exits(gone, dest[exits])
        self.market.add_leavers(gone, dest[exits])
        self.searchers, self.search_target = leavers.take(~exits), dest[~exits]
        done, new_role = cr.finish_training(p, self.engine, week)
        changed = new_role >= 0
        if changed.any():
            c = done.take(changed)
            self.recorder.add_role_changes(week, c["sector"], c["role"], new_role[changed])
            self.cohorts.add_departures(week, c["join_week"], c["route"], c["sector"], c["role"], c["sector"])
            self.cohorts.add_joins(week, np.full(len(c), CAREER), c["sector"], new_role[changed])
        _, students = cr.start_careers(p, self.engine, week)
        self._record_exits(students, np.full(len(students), DEST_EDUCATION))
        self.market.add_students(cr.students_by_role(p, students))
        self.week_leavers = [(gone, dest[exits]), (students, np.full(len(students), DEST_EDUCATION))]

    def _record_exits(self, who: Cohort, dest: np.ndarray) -> None:
        if len(who):
            self.recorder.add_exits(self.week, who["sector"], who["role"], who["entry_route"], dest)
            self.cohorts.add_departures(self.week, who["join_week"], who["route"], who["sector"],
                                        who["role"], dest)

    def _phase_pipelines(self) -> None:
        p, week = self.params, self.week
        self.market.advance(week)
        arrivals = self.pending.take_due(week)
        self.engine.add(arrivals)
        self.recorder.add_arrivals(week, arrivals["sector"], arrivals["role"], arrivals["route"])
        self.cohorts.add_joins(week, arrivals["route"], arrivals["sector"], arrivals["role"])
        self.state.set_stocks(self.engine.aggregate(), p.n_roles)

    def _phase_recruitment(self) -> None:
        self._update_pending_units()
        for i, prog in enumerate(self.programmes):
            if not prog.active(self.week):
                continue
            recruits = prog.recruit(self.week)
            if recruits is not None and len(recruits):
                recruits = Cohort.concat([
                    self.market.programme_recruits(self.week, recruits.take(recruits["route"] == code),
                                                   self.route_pool[int(code)])
                    for code in np.unique(recruits["route"])])
                if not len(recruits):
                    continue
                self.programme_recruits[self.week, i] += len(recruits)
                prog.recruits += len(recruits)
                self.pending.add(recruits)
                self._update_pending_units()
        new_employer, hires = self.market.hire(self.state, self.week, self.searchers, self.search_target,
                                               fill_mult=self.levers.fill_mult)
        self._move(self.searchers, self.search_target, new_employer)
        self.pending.add(hires)
        self._update_pending_units()
        for prog in self.programmes:  # observing, active or not (it draws nothing, moves nothing)
            prog.after_departures(self._departures(new_employer), self.week)

    def _move(self, searchers: Cohort, target: np.ndarray, new_employer: np.ndarray) -> None:
        """Searchers who got an offer move now: they leave one employer and join another."""
        moved = new_employer >= 0
        if not moved.any():
            return
        m, d, e = searchers.take(moved), target[moved].astype(np.int64), new_employer[moved].astype(np.int64)
        n = len(m)
        new_fte = hours_after_move(self.params, self.week, m, d, self.entry_fte)
        self.engine.update(
            m, employer=e, sector=d, fte=new_fte, tenure=np.zeros(n), join_week=np.full(n, self.week),
            route=np.full(n, OTHER_EMPLOYER), sick=np.zeros(n), career=np.zeros(n), career_until=np.zeros(n),
            # assumption: a worker who moves for flexibility gets the arrangement they wanted
            flex=np.where(m["flex"] == FLEX_UNMET, FLEX_MET, m["flex"]),
            sector_tenure=np.where(m["sector"] != d, 0, m["sector_tenure"]))
        r = m["role"].astype(np.int64)
        self.state.move(m["employer"], e, r, m["fte"], new_fte, m["burnout"], m["sick"], THRESHOLD_UNITS)
        self.recorder.add_moves(self.week, m["sector"], d, r, m["entry_route"])
        self.cohorts.add_departures(self.week, m["join_week"], m["route"], m["sector"], r, d)
        self.cohorts.add_joins(self.week, np.full(n, OTHER_EMPLOYER), d, r)

    def _departures(self, new_employer: np.ndarray):
        """Everyone who left an employer this week (exits and moves), for the programmes."""
        parts = [*self.week_leavers, (self.searchers.take(new_employer >= 0),
                                      self.search_target[new_employer >= 0])]
        cat = {k: np.concatenate([who[k] for who, _ in parts]) for k in ("sector", "role", "employer")}
        return Departures(**cat, dest=np.concatenate([d for _, d in parts]))

    def _phase_cover(self) -> None:
        ep.cover(self.params, self.state, self.levers)

    def _phase_calendar(self) -> None:
        self.timeline.apply(self.week + 1)

    def _phase_yearly(self) -> None:
        if (self.week + 1) % WEEKS_PER_YEAR == 0:
            self.engine.age_one_year()
            age_pools(self.market.pools, self.market.working)
            self.state.pay_scale = self.state.pay_scale * (1.0 + self.params.pay_award)[:, None]

    def _phase_record(self) -> None:
        self.recorder.record_stocks(self.week, self.state)
        self.recorder.record_pools(self.week, self.market.figures())
        if (self.week + 1) % WEEKS_PER_YEAR == 0:
            self.recorder.record_ages((self.week + 1) // WEEKS_PER_YEAR, self.engine.age_profile())
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

    def leavers(self):
        return self.recorder.leaver_table(self.week)

    def pools(self):
        return self.recorder.pool_table(self.week)

    def ages(self):
        return self.recorder.age_table()

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
