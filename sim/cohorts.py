"""Retention of each intake: who joined (by route or programme) and how many are still with
the employer they joined after 13, 26 and 52 weeks, and where the leavers went."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import DESTINATIONS, N_DESTINATIONS

MILESTONES = (13, 26, 52)
INTAKE_WEEKS = 13  # an intake cohort is a quarter's joiners


class CohortRecorder:
    def __init__(self, weeks: int, n_routes: int):
        self.joined = np.zeros((weeks, n_routes), np.int64)
        # leavers by join week, route, milestone band ([0,13), [13,26), [26,52)) and destination
        self.left = np.zeros((weeks, n_routes, len(MILESTONES), N_DESTINATIONS), np.int64)

    def add_joins(self, week: int, routes: np.ndarray) -> None:
        np.add.at(self.joined[week], routes.astype(np.int64), 1)

    def add_departures(self, week: int, join_week: np.ndarray, route: np.ndarray,
                       dest: np.ndarray) -> None:
        join_week = join_week.astype(np.int64)
        in_post = week - join_week
        keep = (join_week >= 0) & (in_post < MILESTONES[-1])
        band = np.searchsorted(np.array(MILESTONES), in_post[keep], side="right")
        np.add.at(self.left, (join_week[keep], route[keep].astype(np.int64), band,
                              dest[keep].astype(np.int64)), 1)

    def table(self, weeks: int, route_names: list[str], start_date: np.datetime64) -> pd.DataFrame:
        """One row per (intake cohort, route, weeks since joining) observed by the end of the run."""
        rows = []
        for c0 in range(0, weeks, INTAKE_WEEKS):
            c1 = min(c0 + INTAKE_WEEKS, weeks)
            joined = self.joined[c0:c1].sum(axis=0)
            left = self.left[c0:c1]
            for m_i, m in enumerate(MILESTONES):
                if c1 - 1 + m > weeks:  # the last joiners of the intake not yet m weeks in
                    continue
                gone = left[:, :, : m_i + 1].sum(axis=(0, 2))  # [routes, destinations]
                for r, name in enumerate(route_names):
                    if joined[r] == 0:
                        continue
                    row = {"cohort_week": c0, "cohort_start": start_date + np.timedelta64(7 * c0, "D"),
                           "route": name, "weeks_since_joining": m, "joined": int(joined[r]),
                           "in_post": int(joined[r] - gone[r].sum())}
                    row.update({f"left_to_{d}": int(gone[r, j]) for j, d in enumerate(DESTINATIONS)})
                    rows.append(row)
        cols = ["cohort_week", "cohort_start", "route", "weeks_since_joining", "joined", "in_post",
                *[f"left_to_{d}" for d in DESTINATIONS]]
        df = pd.DataFrame(rows, columns=cols)
        df["cohort_start"] = pd.to_datetime(df["cohort_start"])
        df["retention"] = df["in_post"] / df["joined"]
        return df

