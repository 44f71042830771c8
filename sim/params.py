"""Numeric parameters: the validated config turned into plain arrays that the kernels and
the reference model both read. Shapes: [S] per sector, [S, R] per (sector, role), [E] per
employer. Rates given per year in the config become weekly probabilities here.
"""
from __future__ import annotations

import copy
import json
import math
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.ages import age_fit_misses, retire_return_share
from sim.codes import FTE_UNIT, N_ROUTES, N_SECTORS, ROUTES, SECTORS, WEEKS_PER_YEAR
from sim.config import AGED_ROUTES, RunConfig
from sim.market import CareerParams, MarketParams, build_careers, build_market
from sim.rates import annual_to_weekly
from sim.routes_in import retirees_in_post, stock_inflow_mix, stock_route_mix
from sim.steady_state import local_age_profiles

MAX_AGE = 128


class WorkerRules(NamedTuple):
    """The constants of the worker phases (3-5) for a run: base rates per (sector, role) and the
    behavioural terms. A NamedTuple so that the Numba kernels take it as one argument."""

    leave_base: np.ndarray       # float64 [S, R] weekly leave hazard before the multipliers
    sick_start: np.ndarray       # float64 [S, R] weekly chance a sickness episode starts
    retire_weekly: np.ndarray    # float64 [MAX_AGE]
    age_mult: np.ndarray         # float64 [MAX_AGE] leave hazard multiplier by age
    career_start: np.ndarray     # float64 [S, R, C] weekly chance of starting a career route
    career_max_age: np.ndarray   # int64 [C]
    career_top: np.ndarray       # float64 [S, R] the routes' start chances summed (at most
                                 # what a worker of any age may draw)
    flex_wish: float
    flex_lapse: float
    b_noise: float
    base_stress: float
    pressure_weight: float
    unmet_flex_weight: float
    sick_end: float
    sick_burnout_weight: float
    leave_burnout_weight: float
    unmet_flex_multiplier: float
    first_year_multiplier: float



class AgeStructureWarning(UserWarning):
    """The system's ages are not a steady state of the model's flows (sim.ages.age_fit_misses)."""


@dataclass
class Params:
    seed: int
    weeks: int
    roles: list[str]
    # per (sector, role)
    employs: np.ndarray          # bool: the sector employs this role
    headcount: np.ndarray        # int64: starting headcount (after scaling)
    mean_fte_units: np.ndarray   # int64: mean FTE in hundredths
    pay_scale: np.ndarray        # float64: pay scale at the start, GBP a year
    turnover: np.ndarray         # targets, per year
    vacancy: np.ndarray
    sickness: np.ndarray
    mean_age: np.ndarray
    share_over_55: np.ndarray
    share_under_25: np.ndarray   # float64: a target, NaN where none is given
    leave_base: np.ndarray       # weekly leave hazard before the behavioural multipliers
    sick_start: np.ndarray       # weekly chance of starting a sickness episode, before burnout
    match_factor: np.ndarray     # fitted factor on the matching efficiency (sim.matching)
    start_vacancy: np.ndarray    # vacancy rate that sets the funded posts at the start (fitted)
    route_share: np.ndarray      # [S, R, N_ROUTES] observed shares of external hires by route
    # per sector
    growth: np.ndarray
    winter_surge: np.ndarray
    pay_award: np.ndarray
    bank_share: np.ndarray
    agency_share: np.ndarray
    bank_premium: np.ndarray
    agency_premium: np.ndarray
    agency_cap: np.ndarray       # share of establishment; inf = no cap
    flex_grant: np.ndarray
    dest_shares: np.ndarray      # [S, 4]: same_sector, other_sectors, other_industry, left_area
    # employers (contiguous by sector)
    employer_sector: np.ndarray  # int8 [E]
    employer_weight: np.ndarray  # float64 [E]: share of its sector's staff at the start
    employer_share: np.ndarray   # float64 [S, R]: share of the sector's employers with the role (0: unset)
    sector_first: np.ndarray     # int64 [S+1]: employers of sector s are sector_first[s]:sector_first[s+1]
    # behaviour
    retire_weekly: np.ndarray    # float64 [MAX_AGE]
    age_mult: np.ndarray         # float64 [MAX_AGE] leave hazard multiplier by age
    route_mult: np.ndarray       # float64 [N_ROUTES] leave hazard multiplier by route into the system
    b_rise: float
    b_recovery: float
    b_noise: float
    base_stress: float
    pressure_weight: float
    unmet_flex_weight: float
    sick_end: float
    sick_burnout_weight: float
    leave_burnout_weight: float
    unmet_flex_multiplier: float
    first_year_multiplier: float
    pay_sensitivity: float
    pay_pull: float
    pressure_push: float
    flex_share_met: float
    flex_share_unmet: float
    flex_wish: float
    flex_lapse: float
    time_to_hire: np.ndarray     # int64 [N_ROUTES]
    age_lo: np.ndarray           # int64 [N_ROUTES]: ages of recruits of the routes with an age range
    age_hi: np.ndarray
    returner_fte_factor: float
    retiree_fte_factor: float
    deprived_share: float
    start_date: np.datetime64
    # training pipeline per role: intake a year (scaled), course years, completion, qualify week; -1 = none
    training_intake: np.ndarray
    training_years: np.ndarray
    training_completion: np.ndarray
    training_week: np.ndarray
    market: MarketParams
    careers: CareerParams
    # the observed market the pools' propensities were sized in (sim.config.Calibration)
    ref_pay: np.ndarray | None = None              # [S, R] GBP a year
    ref_intake: np.ndarray | None = None           # [R] a year (scaled), -1: no pipeline
    ref_competing_pay: float = 0.0
    # FTE of a new hire (hundredths) before their route's factor (returners and retirees come back
    # on fewer hours), so that the workforce's mean FTE stays the observed one in a steady state
    # (a worker who moves to another sector takes its hours: sim.population.hours_after_move)
    hire_fte_units: np.ndarray | None = None  # float64 [S, R]
    route_fte: np.ndarray | None = None       # float64 [N_ROUTES]: the routes' factors
    retire_return_share: np.ndarray | None = None  # [S, R] share of outside hires in a steady state
    stock_route_mix: np.ndarray | None = None      # [S, R, N_ROUTES] routes in of the workforce
    overseas_direct: np.ndarray | None = None      # [S, R] of its joiners from abroad, those hired into it
    overseas_moves: np.ndarray | None = None       # [S, S', R] movers a year who came from abroad
    retiree_age_pmf: np.ndarray | None = None      # [S, R, A] ages of the retirees back in post
    # ages (sim.steady_state): local recruits' youngest and oldest age, the starting age distribution
    local_age_lo: np.ndarray | None = None   # int64 [S, R]
    local_age_hi: np.ndarray | None = None
    local_young: np.ndarray | None = None    # float64 [S, R]: share of local recruits aged under 25
    local_young_lo: np.ndarray | None = None  # int64 [S, R]: their youngest age
    age_pmf: np.ndarray | None = None         # float64 [S, R, len(sim.ages.AGES)]
    route_age_pmf: np.ndarray | None = None   # float64 [S, R, N_ROUTES, A]: workers by route in and age
    leaver_age_pmf: np.ndarray | None = None  # float64 [S, R, A]: its leavers' ages, retirement aside

    @property
    def n_roles(self) -> int:
        return len(self.roles)

    @property
    def n_employers(self) -> int:
        return int(self.employer_sector.shape[0])

    def burnout_equilibrium(self) -> float:
        return self.b_rise / self.b_recovery * self.base_stress

    def worker_rules(self) -> WorkerRules:
        arrays = {"leave_base": self.leave_base, "sick_start": self.sick_start,
                  "retire_weekly": self.retire_weekly, "age_mult": self.age_mult,
                  "career_start": self.careers.start_weekly, "career_max_age": self.careers.max_age,
                  "career_top": _summed_in_order(self.careers.start_weekly)}
        return WorkerRules(**arrays, **{name: float(getattr(self, name)) for name in WorkerRules._fields
                                        if name not in arrays})


def _summed_in_order(start: np.ndarray) -> np.ndarray:
    """[S, R] start chances over the routes, added one route after another as the kernels add
    them (so a worker whose routes are all open is a candidate exactly when one could start)."""
    out = np.zeros(start.shape[:2])
    for c in range(start.shape[2]):
        out = out + start[:, :, c]
    return out


def _employer_weights(n: int, skew: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** skew
    return w / w.sum()


# The last few runs' arrays, by everything they are built from but the seed: a sweep's batch
# runs one config over several seeds in one process, and fitting the starting age structure
# (sim.ages.local_age_profiles) is most of what building costs.
_BUILT: OrderedDict[str, tuple[Params, list[str]]] = OrderedDict()
_BUILT_KEEP = 4


def build(cfg: RunConfig, scale: float = 1.0) -> Params:
    """Arrays for a run. `scale` multiplies headcounts, employers and training intakes
    (e.g. 0.05 for a fast test population, ~60 for England from the default). Each call gets
    its own copy: a run may change its arrays (sim.timeline)."""
    params, misses = build_with_misses(cfg, scale)
    warn_misses(misses, stacklevel=3)
    return params


def build_with_misses(cfg: RunConfig, scale: float = 1.0) -> tuple[Params, list[str]]:
    """`build` without warning: the arrays, and where the starting age structure misses its
    targets (sim.ages.age_fit_misses; `warn_misses` says so)."""
    key = json.dumps([cfg.system.model_dump(mode="json"), cfg.behaviour.model_dump(mode="json"),
                      cfg.years, scale], sort_keys=True, default=str)
    built = _BUILT.pop(key, None)
    if built is None:
        params = _build(cfg, scale)
        built = params, age_fit_misses(params)
    _BUILT[key] = built
    while len(_BUILT) > _BUILT_KEEP:
        _BUILT.popitem(last=False)
    params = copy.deepcopy(built[0])
    params.seed = cfg.seed
    return params, list(built[1])


def warn_misses(misses: list[str], stacklevel: int = 2) -> None:
    for miss in misses:
        warnings.warn(miss, AgeStructureWarning, stacklevel=stacklevel)


def _build(cfg: RunConfig, scale: float) -> Params:
    sysc, beh = cfg.system, cfg.behaviour
    roles = sysc.roles
    S, R = N_SECTORS, len(roles)
    z = lambda dtype=np.float64: np.zeros((S, R), dtype)  # noqa: E731
    employs, headcount, fte_u = z(bool), z(np.int64), z(np.int64)
    pay, turnover, vacancy, sickness, mean_age, over55 = z(), z(), z(), z(), z(), z()
    under25 = np.full((S, R), np.nan)
    leave_base, sick_start, match_factor, employer_share, start_vacancy = z(), z(), z(), z(), z()
    route_share = np.zeros((S, R, N_ROUTES))
    per_sector = {k: np.zeros(S) for k in (
        "growth", "winter_surge", "pay_award", "bank_share", "agency_share", "bank_premium",
        "agency_premium", "flex_grant")}
    agency_cap = np.full(S, np.inf)
    dest = np.zeros((S, 4))
    n_emp = np.zeros(S, np.int64)
    weights: list[np.ndarray] = []
    q = beh.sickness.episode_end_rate
    for s, name in enumerate(SECTORS):
        spec = sysc.sectors.get(name)
        if spec is None:
            n_emp[s] = 0
            weights.append(np.zeros(0))
            continue
        n_emp[s] = max(1, round(spec.employers * scale))
        weights.append(_employer_weights(int(n_emp[s]), spec.employer_size_skew))
        per_sector["growth"][s] = spec.establishment_growth
        per_sector["winter_surge"][s] = spec.winter_surge
        per_sector["pay_award"][s] = spec.pay_award
        per_sector["bank_share"][s] = spec.bank_share_of_gap
        per_sector["agency_share"][s] = spec.agency_share_of_gap
        per_sector["bank_premium"][s] = spec.bank_premium
        per_sector["agency_premium"][s] = spec.agency_premium
        per_sector["flex_grant"][s] = spec.flexible_grant_rate
        if spec.agency_cap_fte_share is not None:
            agency_cap[s] = spec.agency_cap_fte_share
        d = spec.destinations
        dest[s] = (d.same_sector, d.other_sectors, d.other_industry, d.left_area)
        dest[s] /= max(dest[s].sum(), 1e-12)
        for r, rname in enumerate(roles):
            role = spec.roles.get(rname)
            if role is None:
                continue
            employs[s, r] = True
            headcount[s, r] = round(role.headcount * scale)
            fte_u[s, r] = round(role.mean_fte * FTE_UNIT)
            pay[s, r] = role.pay_gbp
            turnover[s, r], vacancy[s, r], sickness[s, r] = role.turnover, role.vacancy, role.sickness
            mean_age[s, r], over55[s, r] = role.mean_age, role.share_over_55
            under25[s, r] = np.nan if role.share_under_25 is None else role.share_under_25
            cal = role.calibration
            # First guesses from the targets; the fitted calibration factors correct for the
            # behavioural multipliers and the dynamics.
            leave_base[s, r] = annual_to_weekly(role.turnover) * cal.leave
            sick_start[s, r] = role.sickness * q / max(1.0 - role.sickness, 1e-9) * cal.sickness
            match_factor[s, r] = cal.fill
            start_vacancy[s, r] = min(role.vacancy * cal.start_vacancy, 0.9)
            route_share[s, r] = role.hire_routes.shares()
            employer_share[s, r] = role.employer_share or 0.0
    sector_first = np.concatenate([[0], np.cumsum(n_emp)]).astype(np.int64)
    employer_sector = np.repeat(np.arange(S, dtype=np.int8), n_emp)
    retire = np.zeros(MAX_AGE)
    for age, p in sorted(beh.leaving.retirement_by_age.items()):
        retire[age:] = annual_to_weekly(p) if p < 1 else 1.0
    age_mult = np.ones(MAX_AGE)
    for age, m in sorted(beh.leaving.age_multiplier.items()):
        age_mult[age:] = m
    rec = beh.recruitment
    t_intake, t_years, t_comp, t_week = (np.full(R, -1.0), np.zeros(R, np.int64),
                                         np.zeros(R), np.zeros(R, np.int64))
    for rname, tr in sysc.training.items():
        r = roles.index(rname)
        t_intake[r], t_years[r] = tr.intake_per_year * scale, tr.course_years
        t_comp[r], t_week[r] = tr.completion, tr.qualify_week
    ref_pay, ref_intake = pay.copy(), t_intake.copy()
    ref_competing = sysc.labour_market.local.competing_pay_gbp
    for s, name in enumerate(SECTORS):
        for r, rname in enumerate(roles):
            role = sysc.sectors[name].roles.get(rname) if name in sysc.sectors else None
            if role is None:
                continue
            cal = role.calibration
            ref_pay[s, r] = cal.reference_pay or ref_pay[s, r]
            if cal.reference_intake is not None and t_intake[r] >= 0:
                ref_intake[r] = cal.reference_intake * scale
            ref_competing = cal.reference_competing_pay or ref_competing
    b = beh.burnout
    careers = build_careers(cfg, roles)
    params = Params(
        seed=cfg.seed, weeks=cfg.years * WEEKS_PER_YEAR, roles=list(roles),
        employs=employs, headcount=headcount, mean_fte_units=fte_u, pay_scale=pay,
        turnover=turnover, vacancy=vacancy, sickness=sickness, mean_age=mean_age,
        share_over_55=over55, share_under_25=under25, leave_base=leave_base, sick_start=sick_start,
        match_factor=match_factor, start_vacancy=start_vacancy,
        route_share=route_share, agency_cap=agency_cap, dest_shares=dest,
        employer_sector=employer_sector,
        employer_weight=np.concatenate(weights) if weights else np.zeros(0),
        employer_share=employer_share,
        sector_first=sector_first, retire_weekly=retire, age_mult=age_mult,
        route_mult=np.array([beh.leaving.route_multiplier.get(r, 1.0) for r in ROUTES]),
        b_rise=b.rise, b_recovery=b.recovery, b_noise=b.noise, base_stress=b.base_stress,
        pressure_weight=b.pressure_weight, unmet_flex_weight=b.unmet_flex_weight,
        sick_end=q, sick_burnout_weight=beh.sickness.burnout_weight,
        leave_burnout_weight=beh.leaving.burnout_weight,
        unmet_flex_multiplier=beh.leaving.unmet_flex_multiplier,
        first_year_multiplier=beh.leaving.first_year_multiplier,
        pay_sensitivity=beh.leaving.pay_sensitivity,
        pay_pull=beh.mobility.pay_pull, pressure_push=beh.mobility.pressure_push,
        flex_share_met=beh.flexible_working.share_met,
        flex_share_unmet=beh.flexible_working.share_unmet,
        flex_wish=beh.flexible_working.wish_rate, flex_lapse=beh.flexible_working.lapse_rate,
        time_to_hire=np.array([max(1, rec.time_to_hire_weeks[r]) for r in ROUTES], np.int64),
        age_lo=np.array([rec.age_range[r][0] if r in AGED_ROUTES else 18 for r in ROUTES], np.int64),
        age_hi=np.array([rec.age_range[r][1] if r in AGED_ROUTES else 60 for r in ROUTES], np.int64),
        returner_fte_factor=rec.returner_fte_factor, retiree_fte_factor=rec.retiree_fte_factor,
        deprived_share=sysc.deprived_share, start_date=np.datetime64(sysc.start_date, "D"),
        training_intake=t_intake, training_years=t_years, training_completion=t_comp,
        training_week=t_week, market=build_market(cfg, roles, scale), careers=careers, **per_sector,
    )
    params.ref_pay, params.ref_intake, params.ref_competing_pay = ref_pay, ref_intake, ref_competing
    (params.local_age_lo, params.local_age_hi, params.local_young, params.local_young_lo,
     params.age_pmf, params.route_age_pmf, params.leaver_age_pmf) = local_age_profiles(params)
    params.route_fte = np.ones(N_ROUTES)
    params.route_fte[ROUTES.index("returners")] = rec.returner_fte_factor
    params.route_fte[ROUTES.index("retire_return")] = rec.retiree_fte_factor
    params.retire_return_share = retire_return_share(params)
    back = retirees_in_post(params)
    inflow, params.overseas_direct, params.overseas_moves = stock_inflow_mix(params)
    params.stock_route_mix = stock_route_mix(params, back, inflow)
    params.retiree_age_pmf = back / np.maximum(back.sum(axis=2, keepdims=True), 1e-300)
    mix = (params.stock_route_mix * params.route_fte).sum(axis=2)
    params.hire_fte_units = np.minimum(fte_u / np.maximum(mix, 1e-9), FTE_UNIT)
    return params


def winter_factor(p: Params, week: int) -> float:
    """0..1 seasonal demand shape peaking in mid-January, zero from mid-April to mid-October."""
    day = (p.start_date + np.timedelta64(7 * week, "D")).astype("datetime64[D]")
    doy = int((day - day.astype("datetime64[Y]")).astype(np.int64))
    return max(0.0, math.cos(2.0 * math.pi * (doy - 14) / 365.25))
