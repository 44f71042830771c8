"""This week's policy levers, and the bundle of inputs the worker phases read.

`Levers` is what programmes move (phase 2): reset each week to the system's own values, then
each active programme's `adjust` changes it. `WeekInputs` is the read-only bundle the worker
kernels and the reference model take each week: the levers that act on workers, with the
employer-level numbers of the week (pressure, pay, where movers can go).

Adding a lever: a field of `Levers` with its baseline value in `Levers.baseline`; if it acts on
workers, a field of `WeekInputs` filled in `WeekInputs.of`, read by the rule that uses it in
`sim.kernels` and `sim.reference` (both, in step: the docking test holds them equal).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.codes import N_SECTORS


@dataclass
class Levers:
    """This week's policy levers, reset to the baseline each week before programmes act."""

    leave_mult: np.ndarray      # [E, R] leave hazard multiplier
    flex_grant: np.ndarray      # [S] weekly chance an unmet flexible-working wish is granted
    b_rise: np.ndarray          # [S] burnout build-up per unit of stress
    b_recovery: np.ndarray      # [S] burnout recovery rate
    fill_mult: np.ndarray       # [S, R] multiplier on the weekly chance a vacant post is filled
    bank_share: np.ndarray      # [S] share of the gap filled by employers' bank staff
    bank_premium: np.ndarray    # [S]
    agency_share: np.ndarray    # [S] share of what remains filled by agency
    agency_cap: np.ndarray      # [S] agency FTE cap as a share of establishment (inf: none)
    hub_share: np.ndarray       # [S] share of the gap after bank a system hub can fill
    pay_scale: np.ndarray       # [S, R] GBP a year; kept by the model from week to week
    hub_fte: float = 0.0        # the hub's pool this week (FTE)
    hub_premium: float = 1.0    # hub pay over substantive pay

    @classmethod
    def baseline(cls, p, pay_scale: np.ndarray) -> Levers:
        """The system's own values (`p`: `sim.params.Params`); pay scales as they stand."""
        return cls(
            leave_mult=np.ones((p.n_employers, p.n_roles)), flex_grant=p.flex_grant.copy(),
            b_rise=np.full(N_SECTORS, p.b_rise), b_recovery=np.full(N_SECTORS, p.b_recovery),
            fill_mult=np.ones((N_SECTORS, p.n_roles)), bank_share=p.bank_share.copy(),
            bank_premium=p.bank_premium.copy(), agency_share=p.agency_share.copy(),
            agency_cap=p.agency_cap.copy(), hub_share=np.zeros(N_SECTORS),
            pay_scale=pay_scale.copy())


class WeekInputs(NamedTuple):
    """What the worker phases (3-5) read this week. A NamedTuple of arrays so that the Numba
    kernels take it as one argument."""

    week: int
    pressure: np.ndarray       # float64 [E*R]: work needed over effective capacity
    leave_mult: np.ndarray     # float64 [E*R]: the leave-hazard lever
    pay_mult: np.ndarray       # float64 [S, R]: leave hazard multiplier from pay shortfall
    flex_grant: np.ndarray     # float64 [S]
    b_rise: np.ndarray         # float64 [S]
    b_recovery: np.ndarray     # float64 [S]
    support_weeks: np.ndarray  # int64 [routes]: weeks of in-role support for recruits of a route
    support_mult: np.ndarray   # float64 [routes]: leave hazard multiplier during that support
    entry_mult: np.ndarray     # float64 [routes]: leave hazard multiplier by route into the system
    dest_cum: np.ndarray       # float64 [S, R, N_DESTINATIONS]: cumulative choices of leavers

    @classmethod
    def of(cls, week: int, lv: Levers, pressure: np.ndarray, pay_mult: np.ndarray,
           routes, dest_cum: np.ndarray) -> WeekInputs:
        """`routes`: the run's per-route arrays (`support_weeks`, `support_mult`, `entry_mult`)."""
        return cls(week=int(week), pressure=pressure.ravel().copy(),
                   leave_mult=lv.leave_mult.ravel().copy(), pay_mult=pay_mult,
                   flex_grant=lv.flex_grant, b_rise=lv.b_rise, b_recovery=lv.b_recovery,
                   support_weeks=routes.support_weeks, support_mult=routes.support_mult,
                   entry_mult=routes.entry_mult, dest_cum=dest_cum)
