"""Turning the config's yearly rates and dates into the weekly steps of the model."""
from __future__ import annotations

import datetime as dt
import math

from sim.codes import WEEKS_PER_YEAR


def annual_to_weekly(p: float) -> float:
    """Weekly probability that compounds to an annual probability p."""
    return 1.0 - (1.0 - p) ** (1.0 / WEEKS_PER_YEAR)


def per_year_to_weekly(rate: float) -> float:
    """Weekly chance of an event that happens `rate` times a year (exponential waiting time)."""
    return 1.0 - math.exp(-rate / WEEKS_PER_YEAR)


def week_of(start: dt.date, day: dt.date) -> int:
    """The simulated week that contains `day` (negative before the start)."""
    return (day - start).days // 7


def hazard_within_year(target: float, drift: float) -> float:
    """Weekly hazard h of an event (a hire) such that a share `target` of the people entering a
    pool that they also leave at `drift` a week have it within 52 weeks."""
    lo, hi = 0.0, 1.0 - drift
    for _ in range(100):
        h = 0.5 * (lo + hi)
        within = h / (h + drift) * (1.0 - (1.0 - h - drift) ** WEEKS_PER_YEAR) if h + drift > 0 else 0.0
        lo, hi = (h, hi) if within < target else (lo, h)
    return 0.5 * (lo + hi)
