"""The pools of people employers hire from: stocks that fill, drain and run dry.

Each route in (codes.ROUTES) is a pool with its own dynamics:

- education: each role's students, in yearly cohorts, qualify once a year into a stock of newly
  qualified people; those not hired drift away (take jobs elsewhere) at a rate;
- international: recruits from abroad apply at a rate while the route is open for the (sector,
  role); when it closes (`labour_market.international.closures`) only people already in the
  country may switch in, from a stock that drains, until the switching window ends;
- local_labour: people living in the area available for a job (entry-level roles: a share of the
  working-age population; registered roles: qualified people outside the system), a stock that
  hires deplete and that renews towards its size; how many apply depends on what health and care
  pay against the competing industries;
- returners: the people who actually left for another industry, by role and age; they drift away;
- retire_return: the people who actually retired, by sector, role and age; they drift away faster
  and come back, if at all, to the sector they retired from.

Each person in a stock applies for a job with a weekly propensity; the applications go to the
sectors in the shares observed at the start, shifted by relative pay. Where the openings are does
not move them (the matching function turns more openings into more hires): a sector that loses a
route cannot simply take the other sectors' applicants. The propensities are set at the start so
that the baseline hires by route match the system's observed shares (`hire_routes`) at its
observed turnover and vacancy (`build`); after that the mix emerges. Stocks are expected numbers
of people (floats); hires are whole people.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.ages import (
    AGE_MIN,
    AGES,
    external_hires_per_year,
    former_staff_inflow,
    former_staff_steady,
    working_ages,
)
from sim.codes import (
    EDUCATION,
    INTERNATIONAL,
    LOCAL_LABOUR,
    N_ROUTES,
    N_SECTORS,
    RETIRE_RETURN,
    RETURNERS,
    WEEKS_PER_YEAR,
)
from sim.market import career_starts_per_year
from sim.params import Params
from sim.rates import hazard_within_year
from sim.timeline import Compounding

MEASURES = ("stock", "joined", "hired", "left", "applicants")
SWITCHING_WEEKS = 26   # assumption: people eligible to switch onto a closed route look for ~6 months


@dataclass
class Pools:
    graduates: np.ndarray            # [R] newly qualified, not yet hired
    graduates_career: np.ndarray     # [R] of whom came through a career route (were support staff)
    students: list[list[list[float]]]  # [R][years to qualify] -> [people, of whom career starters]
    starters: np.ndarray             # [R] career starters since the last intake (join the next one)
    former_staff: np.ndarray         # [R, A] left for another industry, by age
    retirees: np.ndarray             # [S, R, A] by the sector they retired from
    local: np.ndarray                # [R] people in the area available for a job
    local_size: np.ndarray           # [R] that stock when nobody has been drawn from it
    switching: np.ndarray            # [S, R] in-country people who may switch onto a closed route
    rate: np.ndarray                 # [K, R] weekly applications per person of a stock pool
    retiree_rate: np.ndarray         # [S] the same for retirees, who apply to their own sector
    intl_rate: np.ndarray            # [S, R] applications from abroad a week while the route is open
    split: np.ndarray                # [K, S, R] each pool's applications by sector at the start
    pay_ratio0: np.ndarray           # [R] health and care pay over competing pay at the start
    rel_pay0: np.ndarray             # [K, S, R] a sector's pay over the pool's average, at the start
    entry_level: np.ndarray          # bool [R]: roles hired from the local population
    steady_hires: np.ndarray         # [S, R] hires from the pools a week in the steady state
    oldest: int                      # people this age or older are not in the pools (all retired)
    # competing industries' pay (their award once a 52-week year, like the sectors'), and the
    # applications from abroad times the start's: both may change on a date (sim.timeline)
    competing_pay: Compounding = field(default=None)
    arrivals_scale: np.ndarray = field(default=None)   # [S]
    week_record: np.ndarray = field(default=None)  # [K, R, len(MEASURES)] this week's figures

    def stock(self) -> np.ndarray:
        """[K, R] people in each pool (international: those who may still switch in)."""
        out = np.zeros((N_ROUTES, len(self.graduates)))
        out[EDUCATION] = self.graduates
        out[INTERNATIONAL] = self.switching.sum(axis=0)
        out[LOCAL_LABOUR] = self.local
        out[RETURNERS] = self.former_staff.sum(axis=1)
        out[RETIRE_RETURN] = self.retirees.sum(axis=(0, 2))
        return out


def external_hires_needed(p: Params) -> np.ndarray:
    """[S, R] hires from outside the system a week that keep the starting headcount (and its
    growth): sim.ages.external_hires_per_year."""
    return external_hires_per_year(p, p.age_pmf) / WEEKS_PER_YEAR


def build(p: Params) -> Pools:
    """Pools at their steady state for the starting workforce, and the application propensities
    that give the observed route shares."""
    m = p.market
    S, R, K = N_SECTORS, p.n_roles, N_ROUTES
    q0 = m.acceptance
    pmf = p.age_pmf                                                         # [S, R, A]
    staff = p.headcount.astype(np.float64)
    # Retirees: a known share return (to the sector they retired from) within a year if there are
    # posts; the other routes replace the rest of the leavers, in the observed shares.
    retire_yearly = 1.0 - (1.0 - p.retire_weekly[AGES]) ** WEEKS_PER_YEAR
    retiring = np.einsum("sr,sra->sra", staff, pmf * retire_yearly) / WEEKS_PER_YEAR  # [S, R, A] a week
    h_r = np.array([hazard_within_year(share, m.retiree_drift) for share in m.retire_return_within_year])
    retirees = retiring / np.maximum(h_r + m.retiree_drift, 1e-9)[:, None, None] * working_ages(p)
    back = (retirees.sum(axis=2) * h_r[:, None])                           # [S, R] hired a week
    needed_hires = external_hires_needed(p)
    others = np.maximum(needed_hires - back, 0.3 * needed_hires)
    apps = p.route_share * others[:, :, None] / q0                         # [S, R, K] a week
    apps = np.moveaxis(apps, 2, 0)                                          # [K, S, R]
    by_role = apps.sum(axis=1)                                              # [K, R]
    split = apps / np.maximum(by_role[:, None, :], 1e-300)
    by_sector = retiring.sum(axis=2)
    split[RETIRE_RETURN] = by_sector / np.maximum(by_sector.sum(axis=0, keepdims=True), 1e-300)
    rate = np.zeros((K, R))
    starts = career_starts_per_year(p)
    # Local labour.
    entry_level = p.training_intake < 0
    local_size = np.where(entry_level, m.working_age * m.available_share,
                          m.registered_share * staff.sum(axis=0))
    # in a steady state hires keep the pool below its size by what renewal makes up each week
    local_steady = np.maximum(local_size - by_role[LOCAL_LABOUR] * q0 / max(m.local_renewal, 1e-9),
                              0.1 * local_size)
    rate[LOCAL_LABOUR] = by_role[LOCAL_LABOUR] / np.maximum(local_steady, 1e-9)
    # Education: a share of each year's graduates hired in the system, the rest drift away.
    graduates = np.zeros(R)
    students = []
    for r in range(R):
        if p.training_intake[r] < 0:
            students.append([])
            continue
        yearly = p.training_intake[r] * p.training_completion[r]
        # support workers on a degree route, as many as in a steady state (they graduate too)
        career = sum(starts[k] * p.careers.completion[k] for k in range(p.careers.n)
                     if p.careers.to_role[k] == r and not p.careers.in_post[k])
        # the observed market's intake is on the course and sized the graduates' propensity to
        # apply; the run's own intake starts at the next intake and qualifies a course later
        observed = p.ref_intake[r] * p.training_completion[r] if p.ref_intake[r] >= 0 else yearly
        students.append([[observed + career, career] for _ in range(int(p.training_years[r]))])
        needed = by_role[EDUCATION, r] * q0 * WEEKS_PER_YEAR
        share = min(needed / max(observed, 1e-9), 0.95)
        h = m.graduate_drift * share / (1.0 - share)          # hired share = h / (h + drift)
        rate[EDUCATION, r] = h / q0
        keep = (1.0 - h - m.graduate_drift)
        since = (-int(p.training_week[r])) % WEEKS_PER_YEAR      # weeks since the last qualification
        graduates[r] = observed * keep ** since / max(1.0 - keep ** WEEKS_PER_YEAR, 1e-9)
    # Former staff: leavers to other industries; returners are drawn from them.
    former, _, h = former_staff_steady(former_staff_inflow(p, pmf, p.leaver_age_pmf), m.former_staff_drift,
                                       by_role[RETURNERS] * q0, working_ages(p))
    rate[RETURNERS] = h / q0
    pools = Pools(
        graduates=graduates, graduates_career=np.zeros(R), students=students, starters=np.zeros(R),
        former_staff=former, retirees=retirees, local=local_steady, local_size=local_size,
        switching=np.zeros((S, R)), rate=rate, retiree_rate=h_r / q0, intl_rate=apps[INTERNATIONAL].copy(),
        split=split,
        pay_ratio0=np.ones(R), rel_pay0=np.ones((K, S, R)),
        entry_level=entry_level, steady_hires=others + back,
        oldest=int(AGES[~working_ages(p)][0]) if (~working_ages(p)).any() else int(AGES[-1]) + 1)
    # pay as observed when the pools were sized: a run with other pay feels the difference
    pools.pay_ratio0 = _pay_ratio(pools, p.ref_pay, p.ref_competing_pay)
    pools.rel_pay0 = _relative_pay(pools, p.ref_pay)
    pools.week_record = np.zeros((K, R, len(MEASURES)))
    pools.competing_pay = Compounding(m.competing_pay, m.competing_award, yearly_steps=True)
    pools.arrivals_scale = m.arrivals_scale.copy()
    return pools


def _relative_pay(pools: Pools, pay: np.ndarray) -> np.ndarray:
    """[K, S, R] each sector's pay over the pool's application-weighted average pay for the role
    (1 where the pool sends nobody)."""
    avg = (pools.split * pay[None]).sum(axis=1, keepdims=True)
    return np.where(avg > 0, pay[None] / np.where(avg > 0, avg, 1.0), 1.0)


def _pay_ratio(pools: Pools, pay: np.ndarray, competing: float) -> np.ndarray:
    """[R] what health and care pay local applicants (application-weighted) over competing pay."""
    avg = (pools.split[LOCAL_LABOUR] * pay).sum(axis=0)
    return avg / max(competing, 1e-9)


def applicants(p: Params, pools: Pools, pay: np.ndarray, week: int) -> np.ndarray:
    """[K, S, R] expected applications this week from each pool to each (sector, role)."""
    m = p.market
    stock = pools.stock()
    attract = np.exp(p.pay_pull * (_relative_pay(pools, pay) - pools.rel_pay0))
    split = pools.split * attract
    split = split / np.maximum(split.sum(axis=1, keepdims=True), 1e-300)
    total = pools.rate * stock                                                # [K, R]
    now = _pay_ratio(pools, pay, float(pools.competing_pay.value(week)))
    ratio = np.where(pools.pay_ratio0 > 0, now / np.where(pools.pay_ratio0 > 0, pools.pay_ratio0, 1.0), 1.0)
    total[LOCAL_LABOUR] *= np.where(pools.entry_level, ratio ** m.local_pay_elasticity, 1.0)
    out = total[:, None, :] * split
    out[RETIRE_RETURN] = pools.retiree_rate[:, None] * pools.retirees.sum(axis=2)
    open_route = week < m.closed_week
    switching = (~open_route) & (week <= m.switching_until_week)
    out[INTERNATIONAL] = np.where(open_route, pools.intl_rate * pools.arrivals_scale[:, None],
                                  np.where(switching, pools.switching / SWITCHING_WEEKS, 0.0))
    return out * p.employs[None]


def advance(p: Params, pools: Pools, week: int) -> None:
    """This week's flows that do not depend on hiring: graduates qualify, pools drift away, the
    local pool renews, a closure opens its switching window. Call before hiring."""
    m = p.market
    rec = pools.week_record
    for r, queue in enumerate(pools.students):
        if queue and week % WEEKS_PER_YEAR == p.training_week[r]:
            people, career = queue.pop(0)
            pools.graduates[r] += people
            pools.graduates_career[r] += career
            rec[EDUCATION, r, 1] += people
            c = pools.starters[r]
            intake = p.training_intake[r] * p.training_completion[r]
            queue.append([intake + c, c])
            pools.starters[r] = 0.0
    for k, stock, drift in ((EDUCATION, pools.graduates, m.graduate_drift),
                            (RETURNERS, pools.former_staff, m.former_staff_drift),
                            (RETIRE_RETURN, pools.retirees, m.retiree_drift)):
        lost = stock * drift
        # per role: graduates are [R], former staff [R, A], retirees [S, R, A]
        rec[k, :, 3] += lost.sum(axis=(0, 2)) if lost.ndim == 3 else lost.reshape(len(lost), -1).sum(axis=1)
        stock -= lost
    pools.graduates_career *= 1.0 - m.graduate_drift
    renewal = m.local_renewal * (pools.local_size - pools.local)
    pools.local += renewal
    rec[LOCAL_LABOUR, :, 1] += renewal
    starting = week == m.closed_week
    if starting.any():
        opened = np.where(starting, m.switching_pool_years * WEEKS_PER_YEAR * pools.intl_rate
                          * p.market.acceptance, 0.0)
        pools.switching += opened
        rec[INTERNATIONAL, :, 1] += opened.sum(axis=0)
    ended = week > m.switching_until_week
    rec[INTERNATIONAL, :, 3] += np.where(ended, pools.switching, 0.0).sum(axis=0)
    pools.switching[ended] = 0.0


def add_leavers(pools: Pools, sector: np.ndarray, role: np.ndarray, age: np.ndarray, dest: np.ndarray,
                dest_other_industry: int, dest_retired: int) -> None:
    """People who left the system this week join the pools of former staff and retirees."""
    ages = np.clip(age.astype(np.int64), AGE_MIN, AGES[-1]) - AGE_MIN
    role = role.astype(np.int64)
    sel = dest == dest_other_industry
    np.add.at(pools.former_staff, (role[sel], ages[sel]), 1.0)
    np.add.at(pools.week_record[RETURNERS, :, 1], role[sel], 1.0)
    sel = (dest == dest_retired) & (ages + AGE_MIN < pools.oldest)
    np.add.at(pools.retirees, (sector[sel].astype(np.int64), role[sel], ages[sel]), 1.0)
    np.add.at(pools.week_record[RETIRE_RETURN, :, 1], role[sel], 1.0)


def take(pools: Pools, route: int, role: np.ndarray, age: np.ndarray | None = None,
         sector: np.ndarray | None = None) -> None:
    """Remove hired people from their pool (ages for the pools kept by age; sector for the
    international switching pool)."""
    role = role.astype(np.int64)
    np.add.at(pools.week_record[route, :, 2], role, 1.0)
    if route == EDUCATION:
        frac = pools.graduates_career / np.maximum(pools.graduates, 1e-9)
        np.subtract.at(pools.graduates, role, 1.0)
        np.subtract.at(pools.graduates_career, role, frac[role])
        np.maximum(pools.graduates, 0.0, out=pools.graduates)
        np.maximum(pools.graduates_career, 0.0, out=pools.graduates_career)
    elif route == LOCAL_LABOUR:
        np.subtract.at(pools.local, role, 1.0)
        np.maximum(pools.local, 0.0, out=pools.local)
    elif route in (RETURNERS, RETIRE_RETURN):
        a = np.clip(age.astype(np.int64), AGE_MIN, AGES[-1]) - AGE_MIN
        if route == RETURNERS:
            np.subtract.at(pools.former_staff, (role, a), 1.0)
        else:
            np.subtract.at(pools.retirees, (sector.astype(np.int64), role, a), 1.0)
        np.maximum(pools.former_staff, 0.0, out=pools.former_staff)
        np.maximum(pools.retirees, 0.0, out=pools.retirees)
    elif route == INTERNATIONAL and sector is not None:
        np.subtract.at(pools.switching, (sector.astype(np.int64), role), 1.0)
        np.maximum(pools.switching, 0.0, out=pools.switching)


def age_one_year(pools: Pools, working: np.ndarray) -> None:
    """Everyone in the pools kept by age is a year older; those past working age leave them."""
    for stock in (pools.former_staff, pools.retirees):
        stock[..., 1:] = stock[..., :-1].copy()
        stock[..., 0] = 0.0
        stock[..., ~working] = 0.0

