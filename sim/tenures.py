"""Times in post that renew themselves: the starting workforce's tenures come from the stationary
distribution of a renewal process whose leave rate is higher in a worker's first year with an
employer (sim.kernels: first_year_multiplier), fitted so that its turnover is the observed one.
"""
from __future__ import annotations

import math

import numpy as np


def first_year_hazard_split(turnover: np.ndarray, first_year_multiplier: float) -> np.ndarray:
    """Yearly leave rate after the first year, h0, such that a first year at multiplier x h0 and
    h0 after it make the stationary turnover (1 / mean time in post) equal `turnover`."""
    out = np.empty_like(turnover, dtype=np.float64)
    m = first_year_multiplier
    for i, tau in enumerate(np.asarray(turnover, np.float64).ravel()):
        tau = max(tau, 0.02)
        lo, hi = 1e-6, 50.0
        for _ in range(80):
            h0 = 0.5 * (lo + hi)
            h1 = m * h0
            mean_t = (1.0 - math.exp(-h1)) / h1 + math.exp(-h1) / h0
            if 1.0 / mean_t > tau:
                hi = h0
            else:
                lo = h0
        out.ravel()[i] = 0.5 * (lo + hi)
    return out.reshape(np.shape(turnover))


def _in_first_year(h0: np.ndarray, h1: np.ndarray) -> np.ndarray:
    """Share of the stationary times in post (leave rate h1 in the first year, h0 after) that
    are within the first year."""
    p_first = (1.0 - np.exp(-h1)) / h1
    return p_first / (p_first + np.exp(-h1) / h0)


def share_shorter_than(years: float, h0: np.ndarray, first_year_multiplier: float) -> np.ndarray:
    """Share of the stationary times in post of `draw_tenure_years` shorter than `years`."""
    h1 = first_year_multiplier * h0
    p_first = _in_first_year(h0, h1)
    if years >= 1.0:
        return p_first + (1.0 - p_first) * (1.0 - np.exp(-h0 * (years - 1.0)))
    return p_first * (1.0 - np.exp(-h1 * years)) / np.maximum(1.0 - np.exp(-h1), 1e-300)


def draw_tenure_years(u: np.ndarray, h0: np.ndarray, first_year_multiplier: float) -> np.ndarray:
    """Time in post (years) from the stationary distribution of a renewal process whose leave
    rate is first_year_multiplier x h0 in the first year and h0 after (one uniform per worker)."""
    h1 = first_year_multiplier * h0
    p_first = _in_first_year(h0, h1)
    first = u < p_first
    v = np.where(first, u / p_first, (u - p_first) / np.maximum(1.0 - p_first, 1e-300))
    v = np.clip(v, 0.0, np.nextafter(1.0, 0.0))
    within = -np.log1p(-v * (1.0 - np.exp(-h1))) / h1          # truncated to [0, 1)
    after = 1.0 - np.log1p(-v) / h0
    return np.where(first, within, after)


def left_within(years: float, h0: np.ndarray, first_year_multiplier: float) -> np.ndarray:
    """Chance that someone who joins and later leaves had left within `years` (leave rate
    first_year_multiplier x h0 in the first year, h0 after)."""
    h1 = first_year_multiplier * h0
    if years <= 1.0:
        return 1.0 - np.exp(-h1 * years)
    return 1.0 - np.exp(-h1) * np.exp(-h0 * (years - 1.0))
