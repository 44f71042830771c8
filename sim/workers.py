"""The worker table: one row per worker, one numpy array per attribute (struct of arrays).

Compact dtypes keep a worker at ~36 bytes, so England's 3.5M workers fit in ~100 MB and the
weekly kernels stream little memory. Rows of workers who left are reused by new joiners.
A `Cohort` is a batch of workers with the same fields (the starting population, or new hires
waiting to start), kept in plain arrays until they join the table.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.codes import DT_AGE, DT_CODE, DT_EMPLOYER, DT_FLAG, DT_FTE, DT_ID, DT_WEEKS

BURNOUT_UNIT = 65535  # burnout is stored as a 16-bit fixed-point fraction: exact integer sums

FIELDS: dict[str, type] = {
    "id": DT_ID,                 # unique, stable: all random draws are keyed by it
    "sector": DT_CODE,
    "employer": DT_EMPLOYER,
    "role": DT_CODE,
    "age": DT_AGE,               # years
    "tenure": DT_WEEKS,          # weeks with the current employer
    "sector_tenure": DT_WEEKS,   # weeks in the current sector
    "fte": DT_FTE,               # contracted FTE in hundredths
    "flex": DT_FLAG,             # FLEX_NONE / FLEX_MET / FLEX_UNMET
    "burnout": np.uint16,        # 0..BURNOUT_UNIT
    "sick": DT_FLAG,
    "route": DT_FLAG,            # how they joined their current employer: a pool, another
                                 # employer, a career step, or a programme's route
    "entry_route": DT_FLAG,      # how they first came into the system (never changes)
    "prev_role": DT_CODE,        # role before their last career step (-1: none)
    "career": DT_FLAG,           # 0, or 1 + the career route they are training for in post
    "career_until": DT_WEEKS,    # week their in-post training ends
    "sponsored_until": DT_WEEKS,  # week their visa sponsorship ends (tied to the employer until then)
    "deprived": DT_FLAG,         # lives in a deprived area
    # Pay is not stored: it is the sector's pay scale for the role (after awards), so a
    # worker's pay follows from sector and role (see employer_phases.pay_multiplier).
    "join_week": DT_WEEKS,       # week joined the current employer (negative: before the run)
}


class WorkerColumns(NamedTuple):
    """The columns the worker kernels read and write, as one argument (views, not copies)."""

    live: np.ndarray
    id: np.ndarray
    sector: np.ndarray
    employer: np.ndarray
    role: np.ndarray
    age: np.ndarray
    tenure: np.ndarray
    sector_tenure: np.ndarray
    flex: np.ndarray
    burnout: np.ndarray
    sick: np.ndarray
    route: np.ndarray
    entry_route: np.ndarray
    career: np.ndarray
    career_until: np.ndarray
    sponsored_until: np.ndarray


class Cohort:
    """A batch of workers as arrays, one per field (plus any extra arrays given)."""

    def columns(self) -> WorkerColumns:
        """The cohort as kernel columns, every row live."""
        return WorkerColumns(np.ones(len(self), np.uint8),
                             *(self.arrays[k] for k in WorkerColumns._fields[1:]))

    def __init__(self, **arrays: np.ndarray):
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays["id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def take(self, index: np.ndarray) -> Cohort:
        """The workers at `index` (positions, or a mask: turned into positions once, not once a
        field)."""
        if index.dtype == np.bool_:
            index = np.flatnonzero(index)
        return Cohort(**{k: v[index] for k, v in self.arrays.items()})

    @staticmethod
    def concat(parts: list[Cohort]) -> Cohort:
        """One cohort of all the parts (with the fields of the first; all empty: every field of
        the parts, so that hires keep their arrival_week)."""
        if not any(len(p) for p in parts):
            return Cohort(**{k: v[:0] for p in parts for k, v in p.arrays.items()}) if parts \
                else Cohort.empty()
        parts = [p for p in parts if len(p)]
        keys = parts[0].arrays.keys()
        return Cohort(**{k: np.concatenate([p.arrays[k] for p in parts]) for k in keys})

    @staticmethod
    def empty(extra: dict[str, type] | None = None) -> Cohort:
        fields = dict(FIELDS, **(extra or {}))
        return Cohort(**{k: np.zeros(0, dt) for k, dt in fields.items()})


class WorkerTable:
    """Struct-of-arrays storage with free-row reuse. `active[i]` marks a row in use; the rows
    freed by leavers are kept in a sorted list, so placing joiners looks at the few free rows,
    not at the whole table."""

    def __init__(self, capacity: int):
        self.capacity = max(int(capacity), 16)
        self.cols = {k: np.zeros(self.capacity, dt) for k, dt in FIELDS.items()}
        self.active = np.zeros(self.capacity, np.uint8)
        self.n_rows = 0  # rows [0, n_rows) have been used at least once
        self.free = np.zeros(0, np.int64)   # rows below n_rows not in use, ascending

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name][: self.n_rows]
        raise AttributeError(name)

    @property
    def live(self) -> np.ndarray:
        return self.active[: self.n_rows]

    def columns(self) -> WorkerColumns:
        """Views of the used rows, for the kernels."""
        return WorkerColumns(self.live, *(getattr(self, k) for k in WorkerColumns._fields[1:]))

    def __len__(self) -> int:
        return int(self.live.sum())

    def bytes_per_worker(self) -> int:
        return sum(np.dtype(dt).itemsize for dt in FIELDS.values()) + self.active.itemsize

    def add(self, cohort: Cohort) -> np.ndarray:
        """Place a cohort in free rows (lowest first), growing the table if needed; returns rows."""
        n = len(cohort)
        free = self.free
        if len(free) < n:
            extra = n - len(free)
            self._reserve(self.n_rows + extra)
            free = np.concatenate([free, np.arange(self.n_rows, self.n_rows + extra)])
            self.n_rows += extra
        rows, self.free = free[:n], free[n:]
        for k in FIELDS:
            self.cols[k][rows] = cohort[k]
        self.active[rows] = 1
        return rows

    def compact(self) -> None:
        """Move the workers in post to the first rows, in order of (employer, role), and free
        the rest. Joiners fill the rows of leavers wherever they are, so over a year a cell's
        workers scatter across the table; laid out by cell again, the weekly passes that add
        up each cell's stocks read it in long runs (sim.kernels.aggregate). No result depends
        on a worker's row (every draw is keyed by id)."""
        live = np.flatnonzero(self.live)
        rows = live[np.lexsort((self.cols["role"][live], self.cols["employer"][live]))]
        n = len(rows)
        for col in self.cols.values():
            col[:n] = col[rows]
        self.active[:self.n_rows] = 0
        self.active[:n] = 1
        self.n_rows, self.free = n, np.zeros(0, np.int64)

    def remove(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, np.int64)
        self.active[rows] = 0
        self.free = np.union1d(self.free, rows)

    def _reserve(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        new = max(needed, int(self.capacity * 1.5))
        for k, a in self.cols.items():
            grown = np.zeros(new, a.dtype)
            grown[: self.capacity] = a
            self.cols[k] = grown
        grown = np.zeros(new, np.uint8)
        grown[: self.capacity] = self.active
        self.active = grown
        self.capacity = new
