"""Weekly records of stocks and flows, kept in preallocated arrays and turned into the
tidy tables of the output contract (timeseries and flows)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import EXIT_NODE0, FTE_UNIT, N_SECTORS, NODES, SECTORS
from sim.employer_phases import EmployerState, vacancy_fte
from sim.params import Params
from sim.workers import BURNOUT_UNIT

STOCKS = ("headcount", "fte", "establishment_fte", "vacancy_fte", "sick_fte", "bank_fte",
          "agency_fte", "agency_cost_gbp", "bank_cost_gbp", "burnout_sum", "joiners", "leavers")


def destination_node(dest: np.ndarray) -> np.ndarray:
    """Flow-graph node of a destination code (sectors keep their index)."""
    return np.where(dest < N_SECTORS, dest, EXIT_NODE0 + (dest - N_SECTORS)).astype(np.int64)


class Recorder:
    def __init__(self, p: Params, route_source: np.ndarray):
        self.p = p
        self.route_source = route_source  # flow-graph node of each route in
        W, S, R = p.weeks, N_SECTORS, p.n_roles
        self.stocks = {k: np.zeros((W, S, R)) for k in STOCKS}
        self.flows = np.zeros((W, len(NODES), len(NODES)), np.int64)
        self.cell_sector_role = (p.employer_sector.astype(np.int64)[:, None] * R
                                 + np.arange(R)[None, :]).ravel()

    def add_departures(self, week: int, sector, role, dest) -> None:
        np.add.at(self.stocks["leavers"][week], (sector, role), 1)
        moved = dest < N_SECTORS
        np.add.at(self.stocks["joiners"][week], (dest[moved], role[moved]), 1)
        np.add.at(self.flows[week], (sector.astype(np.int64), destination_node(dest)), 1)

    def add_arrivals(self, week: int, sector, role, route) -> None:
        np.add.at(self.stocks["joiners"][week], (sector, role), 1)
        np.add.at(self.flows[week], (self.route_source[route.astype(np.int64)], sector), 1)

    def record_stocks(self, week: int, st: EmployerState) -> None:
        S, R = N_SECTORS, self.p.n_roles
        fte = st.fte_units / FTE_UNIT
        cells = {
            "headcount": st.headcount, "fte": fte, "establishment_fte": st.establishment,
            "vacancy_fte": vacancy_fte(st),
            "sick_fte": st.sick_units / FTE_UNIT, "bank_fte": st.bank_fte,
            "agency_fte": st.agency_fte, "agency_cost_gbp": st.agency_cost,
            "bank_cost_gbp": st.bank_cost, "burnout_sum": st.burnout_units / BURNOUT_UNIT,
        }
        for name, values in cells.items():
            self.stocks[name][week] = np.bincount(
                self.cell_sector_role, weights=values.ravel().astype(np.float64),
                minlength=S * R).reshape(S, R)

    def timeseries(self, weeks: int) -> pd.DataFrame:
        """One row per (week, sector, role) the sector employs."""
        p = self.p
        W, S, R = weeks, N_SECTORS, p.n_roles
        w, s, r = np.meshgrid(np.arange(W), np.arange(S), np.arange(R), indexing="ij")
        keep = np.broadcast_to(p.employs, (W, S, R)).ravel()
        col = {k: v[:W].ravel()[keep] for k, v in self.stocks.items()}
        hc = col["headcount"]
        dates = p.start_date + (7 * w.ravel()[keep]).astype("timedelta64[D]")
        df = pd.DataFrame({
            "week": w.ravel()[keep].astype(np.int64),
            "date": pd.to_datetime(dates),
            "sector": pd.Categorical.from_codes(s.ravel()[keep], SECTORS),
            "role": pd.Categorical.from_codes(r.ravel()[keep], p.roles),
            "headcount": hc.astype(np.int64),
        })
        for k in ("fte", "establishment_fte", "vacancy_fte", "sick_fte", "bank_fte",
                  "agency_fte", "agency_cost_gbp", "bank_cost_gbp"):
            df[k] = col[k]
        df["mean_burnout"] = np.where(hc > 0, col["burnout_sum"] / np.maximum(hc, 1), 0.0)
        df["joiners"] = col["joiners"].astype(np.int64)
        df["leavers"] = col["leavers"].astype(np.int64)
        return df

    def flow_table(self, weeks: int) -> pd.DataFrame:
        """One row per (week, source, target) with a non-zero count."""
        w, src, dst = np.nonzero(self.flows[:weeks])
        return pd.DataFrame({
            "week": w.astype(np.int64),
            "source": pd.Categorical.from_codes(src, NODES),
            "target": pd.Categorical.from_codes(dst, NODES),
            "count": self.flows[:weeks][w, src, dst].astype(np.int64),
        })

