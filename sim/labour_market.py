"""The labour market of a run: its pools (sim.pools) and the weekly matching of applicants with
open posts (sim.matching), with the bookkeeping that ties the two together: people leave the
system into the pools, hires come out of them, programmes' recruits are drawn from the pool they
really come from."""
from __future__ import annotations

from dataclasses import replace

import numba as nb
import numpy as np

from sim import pools as pl
from sim.ages import leaving_rates, working_ages
from sim.codes import (
    DEST_OTHER_INDUSTRY,
    DEST_RETIRED,
    EDUCATION,
    INTERNATIONAL,
    LOCAL_LABOUR,
    N_ROUTES,
    N_SECTORS,
    RETIRE_RETURN,
    RETURNERS,
    ROUTES,
    WEEKS_PER_YEAR,
)
from sim.employer_phases import by_sector, observed_establishment
from sim.kernels import count_fills
from sim.matching import acceptance, efficiency, net_openings, open_posts, open_prefix, place_searchers
from sim.params import Params
from sim.population import new_hires
from sim.rates import annual_to_weekly
from sim.rng import S_PREV, uniforms
from sim.workers import Cohort

STOCK_POOLS = (EDUCATION, LOCAL_LABOUR, RETURNERS, RETIRE_RETURN)
STOCKED = np.isin(np.arange(N_ROUTES), STOCK_POOLS)    # by route code: a pool that holds people


@nb.njit(cache=True)
def rank_within(group: np.ndarray) -> np.ndarray:
    """Each entry's position among the entries of its group before it (0 for the first)."""
    n = group.shape[0]
    rank = np.empty(n, np.int64)
    if n == 0:
        return rank
    lo = group.min()
    seen = np.zeros(group.max() - lo + 1, np.int64)
    for i in range(n):
        g = group[i] - lo
        rank[i] = seen[g]
        seen[g] += 1
    return rank


class LabourMarket:
    def __init__(self, p: Params, st, dest_cum: np.ndarray):
        """Pools at their steady state for the starting workforce `st`, and the matching
        efficiency that makes an application succeed with the configured acceptance there."""
        self.p = p
        # the observed vacancy rate is a year's mean: the matching is set at the funded posts
        # that give it (winter surge included), not at the first week's
        year = replace(st, establishment=observed_establishment(p, st))
        gross = net_openings(p, year)
        needed = pl.external_hires_needed(p)
        lag = (p.route_share * p.time_to_hire[None, None, :]).sum(axis=2)
        # posts already offered to someone who has not started yet, in a steady state
        openings = np.maximum(gross - needed * lag, 0.1 * gross)
        self.pools = pl.build(p)
        self.working = working_ages(p)
        # the applications of the observed market (what the pools were sized for), so that a
        # scenario's more or fewer applicants meet the same matching
        apps = self.pools.steady_hires / p.market.acceptance
        self.searchers0 = self.expected_searchers(st, dest_cum)          # [S, R] a week
        self.mu = efficiency(p, openings, apps + self.searchers0)
        # caps on overseas recruits: the cap year each count belongs to, and the recruits counted
        self.cap_year = np.full(len(p.market.cap_per_year), -1, np.int64)
        self.cap_used = np.zeros(len(p.market.cap_per_year), np.int64)
        self.degree_from = np.full(p.n_roles, -1, np.int64)   # role before a degree into each role
        for c in range(p.careers.n):
            if not p.careers.in_post[c] and self.degree_from[p.careers.to_role[c]] < 0:
                self.degree_from[p.careers.to_role[c]] = p.careers.from_role[c]

    def expected_searchers(self, st, dest_cum: np.ndarray) -> np.ndarray:
        """[S, R] workers a week who look for another job in each (sector, role) at the start."""
        p = self.p
        share = np.diff(dest_cum, axis=2, prepend=0.0)[:, :, :N_SECTORS]         # [S, R, S']
        leaving = by_sector(p, st.headcount) * np.vectorize(annual_to_weekly)(leaving_rates(p, p.age_pmf)[0])
        return np.einsum("sr,srd->dr", leaving, share)

    # --- weekly flows -----------------------------------------------------------------
    def advance(self, week: int) -> None:
        pl.advance(self.p, self.pools, week)

    def add_leavers(self, leavers: Cohort, dest: np.ndarray) -> None:
        pl.add_leavers(self.pools, leavers["sector"], leavers["role"], leavers["age"], dest,
                       DEST_OTHER_INDUSTRY, DEST_RETIRED)

    def add_students(self, expected_graduates: np.ndarray) -> None:
        self.pools.starters += expected_graduates

    def figures(self) -> np.ndarray:
        """[K, R, measures] this week's pool figures for the record (stocks at the end), read
        once a week; the next week's are counted from zero (leavers join the pools before the
        pools move, so the count starts here, not in `advance`)."""
        out = self.pools.week_record.copy()
        out[:, :, 0] = self.pools.stock()
        self.pools.week_record[:] = 0.0
        return out

    # --- hiring -----------------------------------------------------------------------
    def hire(self, st, week: int, searchers: Cohort, target: np.ndarray, *, fill_mult=None,
             key_week: int | None = None, channel: int = 0, take: bool = True, prestart: bool = False):
        """This week's matching. Returns (new employer of each searcher, -1 if none; the hires
        from the pools, with `arrival_week`). `take`: the hires leave their pools. `prestart`: a
        week before the run (the hires agreed before the start), where the workers who look for
        another job are the start's expected number, placed first as the run places its own."""
        p, pools = self.p, self.pools
        kw = week if key_week is None else key_week
        open_er = open_posts(p, st)
        openings = net_openings(p, st)
        apps = pl.applicants(p, pools, st.pay_scale, max(week, 0))       # [K, S, R]
        apps[INTERNATIONAL][self._caps_used_up(week)] = 0.0   # no visas left this cap year
        pool_apps = apps.sum(axis=0)
        searching = np.zeros_like(pool_apps)
        np.add.at(searching, (target.astype(np.int64), searchers["role"].astype(np.int64)), 1.0)
        if prestart:
            searching = self.searchers0
        q = acceptance(p, self.mu, openings, pool_apps + searching, fill_mult)
        if prestart:   # the posts the expected searchers take, spread over employers as their gaps
            openings = np.maximum(openings - q * searching, 0.0)
            open_er = open_er * (openings / np.maximum(by_sector(p, open_er), 1e-9))[p.employer_sector]
        if take:
            pools.week_record[:, :, 4] += apps.sum(axis=1)
        new_employer = np.full(len(searchers), -1, np.int32)
        if len(searchers):
            new_employer = place_searchers(p.seed, kw, searchers["id"], target.astype(np.int64),
                                           searchers["employer"].astype(np.int64),
                                           searchers["role"].astype(np.int64), q, open_prefix(open_er),
                                           p.sector_first)
            moved = new_employer >= 0
            posts = searchers["fte"][moved] / np.maximum(
                p.mean_fte_units[target[moved], searchers["role"][moved]], 1)
            np.subtract.at(open_er, (new_employer[moved].astype(np.int64),
                                     searchers["role"][moved].astype(np.int64)), posts)
            np.maximum(open_er, 0.0, out=open_er)
            np.subtract.at(openings, (target[moved].astype(np.int64),
                                      searchers["role"][moved].astype(np.int64)), posts)
            np.maximum(openings, 0.0, out=openings)
        expected = np.minimum(q * pool_apps, openings)
        hires = self._pool_hires(st, week, kw, channel, open_er, expected, apps, take)
        return new_employer, hires

    def _pool_hires(self, st, week, kw, channel, open_er, expected, apps, take) -> Cohort:
        """Hires from the pools: `expected` [S, R] a week, spread over the open posts."""
        p, pools = self.p, self.pools
        E, R = open_er.shape
        s = p.employer_sector
        pool_apps = apps.sum(axis=0)
        left = by_sector(p, open_er)
        p_post = np.minimum(1.0, expected / np.maximum(left, 1e-9))[s]             # [E, R]
        fills = count_fills(p.seed, kw, open_er.ravel(), p_post.ravel(), np.arange(E * R, dtype=np.uint64))
        if fills.sum() == 0:
            return Cohort.empty({"arrival_week": np.int32})
        cell = np.repeat(np.arange(E * R), fills)
        k = np.arange(len(cell)) - np.repeat(np.cumsum(fills) - fills, fills)
        route_cum = np.cumsum(np.moveaxis(apps, 0, 2), axis=2) / np.maximum(pool_apps, 1e-300)[:, :, None]
        hires = new_hires(p, week, cell // R, cell % R, k, route_cum=route_cum, channel=channel,
                          key_week=kw, pool_stocks={RETURNERS: pools.former_staff,
                                                    RETIRE_RETURN: pools.retirees})
        keep = self._within_pools(week, hires)
        hires = hires.take(keep)
        if take:
            self._mark_former_students(hires, kw)
            for k_route in range(N_ROUTES):
                sel = hires["route"] == k_route
                if sel.any():
                    pl.take(pools, k_route, hires["role"][sel], hires["age"][sel], hires["sector"][sel])
        return hires

    def _within_pools(self, week: int, hires: Cohort) -> np.ndarray:
        """Keep the first hires of each (pool, role) up to the people the pool holds; retirees
        come back to the sector they left, and from abroad, once a route has closed, only those
        already in the country can switch in."""
        p, pools = self.p, self.pools
        R = p.n_roles
        route, role, sector = (hires[k].astype(np.int64) for k in ("route", "role", "sector"))
        stock = np.floor(pools.stock())
        room = np.full(len(hires), np.inf)
        stocked = STOCKED[route]
        room[stocked] = stock[route[stocked], role[stocked]]
        keep = rank_within(np.where(stocked, route * R + role, -1)) < room
        back = route == RETIRE_RETURN
        retirees = np.floor(pools.retirees.sum(axis=2))                    # [S, R]
        keep &= ~back | (rank_within(np.where(back, sector * R + role, -1)) < retirees[sector, role])
        switching = (route == INTERNATIONAL) & (week >= p.market.closed_week[sector, role])
        keep &= ~switching | (rank_within(np.where(switching, sector * R + role, -1))
                              < np.floor(pools.switching[sector, role]))
        overseas = np.flatnonzero(keep & (route == INTERNATIONAL))
        keep[overseas] = self._within_caps(week, sector[overseas], role[overseas])
        return keep

    # --- caps on overseas recruits ------------------------------------------------------
    def _cap_room(self, week: int) -> np.ndarray:
        """[N] recruits each cap still allows in its year that contains `week` (-1: not in force);
        a new cap year starts its count from zero."""
        m = self.p.market
        room = np.full(len(m.cap_per_year), -1, np.int64)
        for n in range(len(room)):
            if m.cap_from_week[n] <= week <= m.cap_until_week[n]:
                year = (week - m.cap_from_week[n]) // WEEKS_PER_YEAR
                if year != self.cap_year[n]:
                    self.cap_year[n], self.cap_used[n] = year, 0
                room[n] = max(m.cap_per_year[n] - self.cap_used[n], 0)
        return room

    def _caps_used_up(self, week: int) -> np.ndarray:
        """bool [S, R]: cells under a cap with no recruits left this cap year."""
        room = self._cap_room(week)
        return np.any(self.p.market.cap_cells[room == 0], axis=0)

    def _within_caps(self, week: int, sector: np.ndarray, role: np.ndarray) -> np.ndarray:
        """Keep the first of these overseas recruits up to what each cap covering them still
        allows this cap year, and count the kept ones against it."""
        keep = np.ones(len(sector), bool)
        for n, room in enumerate(self._cap_room(week)):
            if room < 0:
                continue
            inside = keep & self.p.market.cap_cells[n, sector, role]
            allowed = inside & (np.cumsum(inside) <= room)
            keep &= ~inside | allowed
            self.cap_used[n] += int(allowed.sum())
        return keep

    def _mark_former_students(self, hires: Cohort, kw: int) -> None:
        """Graduates who were support workers before (a degree route) keep that as prev_role."""
        pools = self.pools
        edu = np.flatnonzero(hires["route"] == EDUCATION)
        if not len(edu):
            return
        role = hires["role"][edu].astype(np.int64)
        frac = pools.graduates_career[role] / np.maximum(pools.graduates[role], 1e-9)
        was = (uniforms(self.p.seed, kw, hires["id"][edu], S_PREV) < frac) & (self.degree_from[role] >= 0)
        hires.arrays["prev_role"][edu[was]] = self.degree_from[role[was]]

    # --- programmes -------------------------------------------------------------------
    def programme_recruits(self, week: int, recruits: Cohort, pool: str | None) -> Cohort:
        """A programme's recruits from a pool, within what the pool holds and what policy allows:
        none from abroad into a route that is closed, no more than the pool's people."""
        p, pools = self.p, self.pools
        if pool not in ROUTES or pool == "education":   # a programme's own trainees: its own supply
            return recruits
        k = ROUTES.index(pool)
        sector, role = recruits["sector"].astype(np.int64), recruits["role"].astype(np.int64)
        keep = np.ones(len(recruits), bool)
        if k == INTERNATIONAL:
            keep &= week < p.market.closed_week[sector, role]
            kept = np.flatnonzero(keep)
            keep[kept] = self._within_caps(week, sector[kept], role[kept])
        else:
            stock = pools.stock()[k]
            for r in np.unique(role):
                idx = np.flatnonzero(role == r)
                keep[idx[int(np.floor(stock[r])):]] = False
        out = recruits.take(keep)
        if k == INTERNATIONAL:   # tied to the sponsoring employer, as every overseas recruit
            out.arrays["sponsored_until"] = np.minimum(out["arrival_week"] + p.market.sponsorship_weeks,
                                                       32000).astype(out["sponsored_until"].dtype)
        elif len(out):
            pl.take(pools, k, out["role"], out["age"])
        return out
