"""Retention of each intake: who joined (by route or programme, sector and role) and how many
are still with the employer, in the role, they joined after 13, 26 and 52 weeks, and where the
leavers went. Workers in post at the start belong to no intake."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import DESTINATIONS, N_DESTINATIONS, N_SECTORS, SECTORS
from sim.scatter import add_at

MILESTONES = (13, 26, 52)
INTAKE_WEEKS = 13  # an intake cohort is a quarter's joiners


class CohortRecorder:
    def __init__(self, weeks: int, n_routes: int, roles: list[str]):
        self.roles = roles
        R = len(roles)
        self.joined = np.zeros((weeks, n_routes, N_SECTORS, R), np.int32)
        # leavers by join week, route, sector, role, milestone band ([0,13), [13,26), [26,52))
        # and destination (a career step counts as a move within the sector)
        self.left = np.zeros((weeks, n_routes, N_SECTORS, R, len(MILESTONES), N_DESTINATIONS), np.int32)

    def add_joins(self, week: int, routes, sectors, roles) -> None:
        idx = tuple(np.asarray(a).astype(np.int64) for a in (routes, sectors, roles))
        add_at(self.joined[week], idx, 1)

    def add_departures(self, week: int, join_week, route, sector, role, dest) -> None:
        join_week = np.asarray(join_week).astype(np.int64)
        in_post = week - join_week
        keep = (join_week >= 0) & (in_post < MILESTONES[-1])
        band = np.searchsorted(np.array(MILESTONES), in_post[keep], side="right")
        idx = (join_week[keep], *(np.asarray(a).astype(np.int64)[keep] for a in (route, sector, role)),
               band, np.asarray(dest).astype(np.int64)[keep])
        add_at(self.left, idx, 1)

    def table(self, weeks: int, route_names: list[str], start_date: np.datetime64) -> pd.DataFrame:
        """One row per (intake cohort, route, sector, role, weeks since joining) observed by the
        end of the run."""
        cols = ["cohort_week", "cohort_start", "route", "sector", "role", "weeks_since_joining", "joined",
                "in_post", *[f"left_to_{d}" for d in DESTINATIONS]]
        parts: list[dict[str, np.ndarray]] = []
        routes, sectors, roles = (np.array(names, dtype=object)
                                  for names in (route_names, SECTORS, self.roles))
        for c0 in range(0, weeks, INTAKE_WEEKS):
            c1 = min(c0 + INTAKE_WEEKS, weeks)
            joined = self.joined[c0:c1].sum(axis=0)                     # [routes, S, R]
            left = self.left[c0:c1]
            k, s, r = np.nonzero(joined)
            for m_i, m in enumerate(MILESTONES):
                if c1 - 1 + m > weeks:  # the last joiners of the intake not yet m weeks in
                    continue
                gone = left[:, :, :, :, : m_i + 1].sum(axis=(0, 4))[k, s, r]     # [n, D]
                n = len(k)
                part = {"cohort_week": np.full(n, c0, np.int64),
                        "cohort_start": np.full(n, start_date + np.timedelta64(7 * c0, "D")),
                        "route": routes[k], "sector": sectors[s], "role": roles[r],
                        "weeks_since_joining": np.full(n, m, np.int64),
                        "joined": joined[k, s, r].astype(np.int64),
                        "in_post": (joined[k, s, r] - gone.sum(axis=1)).astype(np.int64)}
                part.update({f"left_to_{d}": gone[:, j].astype(np.int64) for j, d in enumerate(DESTINATIONS)})
                parts.append(part)
        df = pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in cols} if parts else [],
                          columns=cols)
        df["cohort_start"] = pd.to_datetime(df["cohort_start"])
        df["retention"] = df["in_post"] / df["joined"]
        return df
