"""Counter-based random numbers: one uniform per (seed, week, key, stream).

A draw depends only on its four coordinates, never on the order in which workers are
visited or on how many threads run: the same seed gives the same numbers on 1 or 2
threads, and a change that does not touch a worker does not change that worker's draws
(common random numbers when a programme is compared with the baseline).

The mixer is SplitMix64's finaliser applied to a combination of the four coordinates.
`uniform` is jitted for the kernels; `uniform_py` is the same arithmetic in plain Python
for the readable reference model (tests check that they agree bit for bit).
"""
from __future__ import annotations

import numba as nb
import numpy as np

# Streams: each decision draws from its own stream.
S_FLEX = 1
S_BURNOUT = 2
S_SICK = 3
S_LEAVE = 4
S_DESTINATION = 5
S_EMPLOYER = 6
S_FILL = 7
S_ROUTE = 8
S_AGE = 9
S_FTE = 10
S_DEPRIVED = 11
S_PLACE = 13
S_TENURE = 16
S_BURNOUT0 = 17
S_MATCH = 18       # a job-to-job searcher gets an offer
S_CAREER = 19      # starting a career route
S_CAREER_DONE = 20  # finishing it
S_PREV = 21        # a graduate who was a support worker before
S_POOL_AGE = 22    # the age of someone hired from a pool kept by age
S_MOVE_FTE = 23    # the hours of a worker who moves to another sector
S_BEHAVIOUR = 24   # a seed's behavioural coefficients (sim.uncertainty)
S_SPONSOR = 25     # a starting overseas recruit is still tied to a sponsor

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@nb.njit(inline="always")
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


@nb.njit(inline="always")
def key_state(seed, week, key):
    """The hash of (seed, week, key), shared by all of that key's decisions in the week."""
    z = np.uint64(seed) * np.uint64(_GOLDEN)
    z = _mix(z ^ np.uint64(week))
    return _mix(z ^ np.uint64(key))


@nb.njit(inline="always")
def uniform_from(state, stream):
    """Uniform in [0, 1) for one decision (stream) of a key_state."""
    z = _mix(state ^ (np.uint64(stream) * np.uint64(_GOLDEN)))
    return np.float64(z >> np.uint64(11)) * _INV53


@nb.njit(inline="always")
def uniform(seed, week, key, stream):
    """Uniform in [0, 1) for (seed, week, key, stream); all arguments are integers."""
    return uniform_from(key_state(seed, week, key), stream)


def _mix_py(z: int) -> int:
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def uniform_py(seed: int, week: int, key: int, stream: int) -> float:
    """The same draw as `uniform`, in plain Python."""
    z = (seed * _GOLDEN) & _MASK
    z = _mix_py(z ^ week)
    z = _mix_py(z ^ key)
    z = _mix_py(z ^ ((stream * _GOLDEN) & _MASK))
    return float(z >> 11) * _INV53


@nb.njit(cache=True)
def uniforms(seed, week, keys, stream):
    """Vector of draws, one per key (used for employer- and hire-level decisions)."""
    out = np.empty(keys.shape[0], np.float64)
    for i in range(keys.shape[0]):
        out[i] = uniform(seed, week, keys[i], stream)
    return out
