"""Hires agreed but not yet in post, kept by the week they start.

Each week takes only its own arrivals (the rest is not copied), and the FTE the hires will bring
to each (employer, role) is kept as they come and go (whole hundredths: the same sums as adding
them up again). Arrivals leave in the order they were agreed."""
from __future__ import annotations

import numpy as np

from sim.scatter import add_at
from sim.workers import Cohort


class PendingHires:
    def __init__(self, n_employers: int, n_roles: int):
        self.shape = (n_employers, n_roles)
        self.by_week: dict[int, list[tuple[np.ndarray, Cohort]]] = {}
        self.units = np.zeros(n_employers * n_roles, np.int64)   # FTE hundredths on their way
        self.agreed = 0                                          # hires agreed so far (their order)

    def __len__(self) -> int:
        return sum(len(c) for parts in self.by_week.values() for _, c in parts)

    def _count(self, hires: Cohort, sign: int) -> None:
        cell = hires["employer"].astype(np.int64) * self.shape[1] + hires["role"].astype(np.int64)
        add_at(self.units, cell, sign * hires["fte"].astype(np.int64))

    def add(self, hires: Cohort) -> None:
        """Hires with their `arrival_week`."""
        if not len(hires):
            return
        order = self.agreed + np.arange(len(hires))
        self.agreed += len(hires)
        self._count(hires, 1)
        weeks = hires["arrival_week"]
        if (weeks[1:] < weeks[:-1]).any():     # by week, in the order agreed within each week
            by = np.argsort(weeks, kind="stable")
            hires, weeks, order = hires.take(by), weeks[by], order[by]
        starts = np.flatnonzero(np.r_[True, weeks[1:] != weeks[:-1]])
        for a, b in zip(starts, np.r_[starts[1:], len(weeks)], strict=True):
            part = hires if b - a == len(weeks) else Cohort(**{k: v[a:b] for k, v in hires.arrays.items()})
            self.by_week.setdefault(int(weeks[a]), []).append((order[a:b], part))

    def take_due(self, week: int) -> Cohort:
        """Every hire starting in `week` or before, in the order they were agreed; they are no
        longer pending."""
        parts = [part for w in sorted(k for k in self.by_week if k <= week) for part in self.by_week.pop(w)]
        if not parts:
            return Cohort.empty({"arrival_week": np.int32})
        out = Cohort.concat([c for _, c in parts])
        if len(parts) > 1:
            out = out.take(np.argsort(np.concatenate([o for o, _ in parts]), kind="stable"))
        self._count(out, -1)
        return out

    def fte_units(self) -> np.ndarray:
        """[E, R] FTE (hundredths) of the hires on their way."""
        return self.units.astype(np.float64).reshape(self.shape)
