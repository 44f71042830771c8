"""Weekly records of stocks and flows, kept in preallocated arrays and turned into the tidy
tables of the output contract (timeseries, flows, leavers, pools, ages)."""
from __future__ import annotations

import numba as nb
import numpy as np
import pandas as pd

from sim.ages import AGE_MAX
from sim.codes import (
    AGE_BANDS,
    BURNOUT_THRESHOLDS,
    DEST_EDUCATION,
    DESTINATIONS,
    EDUCATION_NODE,
    EXIT_NODE0,
    FTE_UNIT,
    N_SECTORS,
    NODES,
    ROUTES,
    SECTORS,
    WEEKS_PER_YEAR,
)
from sim.employer_phases import EmployerState
from sim.params import Params
from sim.pools import MEASURES
from sim.scatter import add_at
from sim.workers import BURNOUT_UNIT

STOCKS = ("headcount", "fte", "establishment_fte", "vacancy_fte", "sick_fte", "bank_fte",
          "agency_fte", "agency_cost_gbp", "bank_cost_gbp", "burnout_sum")
assert len(STOCKS) == 10, "_sum_stocks writes the STOCKS in this order, then HIGH_BURNOUT"
HIGH_BURNOUT = tuple(f"burnout_share_ge_{t:g}".replace(".", "_") for t in BURNOUT_THRESHOLDS)


def destination_node(dest: np.ndarray) -> np.ndarray:
    """Flow-graph node of a destination code (sectors keep their index)."""
    dest = np.asarray(dest).astype(np.int64)
    node = np.where(dest < N_SECTORS, dest, EXIT_NODE0 + (dest - N_SECTORS))
    return np.where(dest == DEST_EDUCATION, EDUCATION_NODE, node)


def band_names() -> list[str]:
    bounds = [*AGE_BANDS[1:], AGE_MAX + 1]
    return [f"{lo}-{hi - 1}" for lo, hi in zip(AGE_BANDS, bounds, strict=True)]


class Recorder:
    def __init__(self, p: Params, route_source: np.ndarray, route_names: list[str]):
        self.p = p
        self.route_source = route_source  # flow-graph node of each route in
        self.route_names = route_names
        W, S, R, N = p.weeks, N_SECTORS, p.n_roles, len(NODES)
        # one array [week, measure, sector, role], so that a week is recorded in one call
        self._stocks = np.zeros((W, len(STOCKS) + len(HIGH_BURNOUT), S, R))
        self.flows = np.zeros((W, N, N, R, R), np.int32)
        self.leavers = np.zeros((W, S, R, len(route_names), len(DESTINATIONS)), np.int32)
        self.pools = np.zeros((W, len(ROUTES), R, len(MEASURES)))
        self.ages = np.zeros((W // WEEKS_PER_YEAR + 1, S, R, len(AGE_BANDS)), np.int64)
        self.ages_recorded = np.zeros(W // WEEKS_PER_YEAR + 1, bool)
        self.cell_sector_role = (p.employer_sector.astype(np.int64)[:, None] * R
                                 + np.arange(R)[None, :]).ravel()

    # --- flows ------------------------------------------------------------------------
    def add_exits(self, week: int, sector, role, entry_route, dest) -> None:
        """Leavers who left the system (retired, another industry, the area, to study)."""
        s, r, d = (np.asarray(a).astype(np.int64) for a in (sector, role, dest))
        add_at(self.flows[week], (s, destination_node(d), r, r), 1)
        add_at(self.leavers[week], (s, r, np.asarray(entry_route).astype(np.int64), d), 1)

    def add_moves(self, week: int, sector, new_sector, role, entry_route) -> None:
        """Workers who moved to another employer of the system."""
        s, d, r = (np.asarray(a).astype(np.int64) for a in (sector, new_sector, role))
        add_at(self.flows[week], (s, d, r, r), 1)
        add_at(self.leavers[week], (s, r, np.asarray(entry_route).astype(np.int64), d), 1)

    def add_arrivals(self, week: int, sector, role, route) -> None:
        s, r = np.asarray(sector).astype(np.int64), np.asarray(role).astype(np.int64)
        add_at(self.flows[week], (self.route_source[np.asarray(route).astype(np.int64)], s, r, r), 1)

    def add_role_changes(self, week: int, sector, role, new_role) -> None:
        """A career step with the same employer: a leaver from one role, a joiner to another."""
        s, r, n = (np.asarray(a).astype(np.int64) for a in (sector, role, new_role))
        add_at(self.flows[week], (s, s, r, n), 1)

    # --- stocks -----------------------------------------------------------------------
    @property
    def stocks(self) -> dict[str, np.ndarray]:
        """Each measure's [week, sector, role] (views: made when asked, so that a checkpoint
        or a copy holds the one array)."""
        return {k: self._stocks[:, i] for i, k in enumerate((*STOCKS, *HIGH_BURNOUT))}

    def record_stocks(self, week: int, st: EmployerState) -> None:
        """This week's STOCKS and HIGH_BURNOUT counts by (sector, role)."""
        _sum_stocks(self._stocks[week].reshape(self._stocks.shape[1], -1), self.cell_sector_role,
                    st.headcount, st.fte_units, st.establishment, st.sick_units, st.bank_fte,
                    st.agency_fte, st.agency_cost, st.bank_cost, st.burnout_units, st.high_burnout,
                    FTE_UNIT, BURNOUT_UNIT)

    def record_pools(self, week: int, figures: np.ndarray) -> None:
        self.pools[week] = figures

    def record_ages(self, year: int, profile: np.ndarray) -> None:
        """Workers by age band at the start (year 0) or the end of a simulated year."""
        self.ages[year] = profile
        self.ages_recorded[year] = True

    # --- tables -----------------------------------------------------------------------
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
        for k in HIGH_BURNOUT:
            df[k] = np.where(hc > 0, col[k] / np.maximum(hc, 1), 0.0)
        # every joiner and leaver of a sector is a flow into or out of it (its node is its index):
        # an arrival, a move, an exit or a career step (which leaves one role for another)
        flows = self.flows[:W]
        df["joiners"] = flows[:, :, :S].sum(axis=(1, 3), dtype=np.int64).ravel()[keep]
        df["leavers"] = flows[:, :S].sum(axis=(2, 4), dtype=np.int64).ravel()[keep]
        return df

    def flow_table(self, weeks: int) -> pd.DataFrame:
        """One row per (week, source, target, role, target_role) with a non-zero count."""
        w, src, dst, r, t = np.nonzero(self.flows[:weeks])
        roles = self.p.roles
        return pd.DataFrame({
            "week": w.astype(np.int64),
            "source": pd.Categorical.from_codes(src, NODES),
            "target": pd.Categorical.from_codes(dst, NODES),
            "role": pd.Categorical.from_codes(r, roles),
            "target_role": pd.Categorical.from_codes(t, roles),
            "count": self.flows[:weeks][w, src, dst, r, t].astype(np.int64),
        })

    def leaver_table(self, weeks: int) -> pd.DataFrame:
        """One row per (week, sector, role, route in, destination) with a non-zero count."""
        w, s, r, k, d = np.nonzero(self.leavers[:weeks])
        return pd.DataFrame({
            "week": w.astype(np.int64),
            "sector": pd.Categorical.from_codes(s, SECTORS),
            "role": pd.Categorical.from_codes(r, self.p.roles),
            "route_in": pd.Categorical.from_codes(k, self.route_names),
            "destination": pd.Categorical.from_codes(d, DESTINATIONS),
            "count": self.leavers[:weeks][w, s, r, k, d].astype(np.int64),
        })

    def pool_table(self, weeks: int) -> pd.DataFrame:
        """One row per (week, pool, role): people in the pool at the end of the week and the
        week's flows (joined it, hired from it, left it) and expected applications."""
        W, K, R = weeks, len(ROUTES), self.p.n_roles
        w, k, r = np.meshgrid(np.arange(W), np.arange(K), np.arange(R), indexing="ij")
        df = pd.DataFrame({
            "week": w.ravel().astype(np.int64),
            "pool": pd.Categorical.from_codes(k.ravel(), ROUTES),
            "role": pd.Categorical.from_codes(r.ravel(), self.p.roles),
        })
        for i, name in enumerate(MEASURES):
            df[name] = self.pools[:W, :, :, i].ravel()
        return df

    def age_table(self) -> pd.DataFrame:
        """Workers in post by (year, sector, role, age band): year 0 is the start, year y the end
        of simulated year y."""
        rows = []
        names = band_names()
        for y in np.flatnonzero(self.ages_recorded):
            for s in range(N_SECTORS):
                for r in range(self.p.n_roles):
                    if not self.p.employs[s, r]:
                        continue
                    for b, name in enumerate(names):
                        rows.append((int(y), SECTORS[s], self.p.roles[r], name, int(self.ages[y, s, r, b])))
        df = pd.DataFrame(rows, columns=["year", "sector", "role", "age_band", "headcount"])
        df["date"] = pd.to_datetime(self.p.start_date + (7 * WEEKS_PER_YEAR * df["year"].to_numpy())
                                    .astype("timedelta64[D]"))
        return df[["year", "date", "sector", "role", "age_band", "headcount"]]


@nb.njit(cache=True)
def _sum_stocks(out, cell_to, headcount, fte_units, establishment, sick_units, bank_fte, agency_fte,
                agency_cost, bank_cost, burnout_units, high, fte_unit, burnout_unit):
    """out[measure, sector * R + role] = the (employer, role) cells' sums, in the order of STOCKS
    then HIGH_BURNOUT; vacancy is establishment minus FTE in post, at least 0 (as
    employer_phases.vacancy_fte). The cells are added in their order, as np.bincount adds them:
    the same sums to the last bit."""
    out[:] = 0.0
    E, R = headcount.shape
    for e in range(E):
        for r in range(R):
            c = cell_to[e * R + r]
            fte = fte_units[e, r] / fte_unit
            vacant = establishment[e, r] - fte
            out[0, c] += headcount[e, r]
            out[1, c] += fte
            out[2, c] += establishment[e, r]
            out[3, c] += vacant if vacant > 0.0 or vacant != vacant else 0.0
            out[4, c] += sick_units[e, r] / fte_unit
            out[5, c] += bank_fte[e, r]
            out[6, c] += agency_fte[e, r]
            out[7, c] += agency_cost[e, r]
            out[8, c] += bank_cost[e, r]
            out[9, c] += burnout_units[e, r] / burnout_unit
            for t in range(high.shape[2]):
                out[10 + t, c] += high[e, r, t]
