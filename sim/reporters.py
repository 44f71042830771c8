"""The model-level figures Mesa's DataCollector records each week (module-level functions, so
a model pickles)."""
from __future__ import annotations

from functools import partial
from typing import Protocol

import numpy as np

from sim import employer_phases as ep
from sim.codes import BURNOUT_THRESHOLDS, FTE_UNIT, N_SECTORS, SECTORS
from sim.params import Params


class Observed(Protocol):
    """What the reporters read of a model (`sim.model.WorkforceModel` is one)."""

    params: Params
    state: ep.EmployerState


def headcount_by_sector(m: Observed) -> dict[str, int]:
    hc = np.bincount(m.params.employer_sector, weights=m.state.headcount.sum(axis=1),
                     minlength=N_SECTORS)
    return {s: int(v) for s, v in zip(SECTORS, hc, strict=True)}


def _headcount(m: Observed) -> int:
    return int(m.state.headcount.sum())


def _fte(m: Observed) -> float:
    return float(m.state.fte_units.sum() / FTE_UNIT)


def _vacancy_rate(m: Observed) -> float:
    return float(ep.vacancy_fte(m.state).sum() / m.state.establishment.sum())


def _sickness_rate(m: Observed) -> float:
    return float(m.state.sick_units.sum() / max(m.state.fte_units.sum(), 1))


def _agency_cost(m: Observed) -> float:
    return float(m.state.agency_cost.sum())


def _mean_burnout(m: Observed) -> float:
    return float(m.state.burnout_units.sum() / 65535 / max(m.state.headcount.sum(), 1))


def _high_burnout(m: Observed) -> float:
    """Share of staff at or above the first burnout threshold."""
    return float(m.state.high_burnout[:, :, 0].sum() / max(m.state.headcount.sum(), 1))


def _sector_headcount(sector: str, m: Observed) -> int:
    s = SECTORS.index(sector)      # employers are stored contiguously by sector
    return int(m.state.headcount[m.params.sector_first[s]:m.params.sector_first[s + 1]].sum())


REPORTERS = {
    "headcount": _headcount, "fte": _fte, "vacancy_rate": _vacancy_rate,
    "sickness_rate": _sickness_rate, "agency_cost_gbp": _agency_cost, "mean_burnout": _mean_burnout,
    f"burnout_share_ge_{BURNOUT_THRESHOLDS[0]:g}": _high_burnout,
    **{f"headcount_{s}": partial(_sector_headcount, s) for s in SECTORS},
}
