"""Staff referral through colleagues' networks: Care Friends, New 2 Care (CPA summit, SSOT).

Mechanism: staff on a referral app refer friends to jobs and are rewarded when they are hired
(seed cpa_nhse_learning_summit_2023: "Care Friends - a staff referral app to encourage staff to
refer a friend to a social care job"; ssot "New 2 Care Recruitment Campaign"). Referrals travel
through a graph of who works with whom (kept in arrays; `graph` gives it as a networkx graph):
participants are linked to colleagues at their employer (a ring of `colleagues` neighbours) and,
now and then, to someone at another employer.
A referred friend is hired by the referrer's employer if it has a vacancy in the role, else by
the employer of a colleague one or two links away that has one; the new recruit joins the graph
next to the referrer and may join the app.

Assumptions: a quarter of staff use the app; each refers 0.5 friends a year of whom 30% are
hired; referred recruits leave 20% less in their first 26 weeks (referral hires are known to
stay longer); 4 weeks to hire; GBP 250 reward per hire and GBP 10 a year per user of the app.

Drawn from: the local pool (friends of staff who would not otherwise have applied), which the
recruits leave.
What emerges (not inputs): how many recruits find a post (only open posts are filled), how many
of them add to staff in post rather than taking posts other applicants would have filled,
their retention, the effect on the other sectors, and the cost per FTE-year gained.
"""
from __future__ import annotations

from typing import Annotated

import networkx as nx
import numba as nb
import numpy as np
from pydantic import Field

from sim.codes import FTE_UNIT, WEEKS_PER_YEAR
from sim.employer_phases import open_posts_fte
from sim.population import new_hires
from sim.programmes.base import AgeRange, NonNegative, Programme, Rate, RecruitingParams, SupportWeeks
from sim.rng import uniforms

STREAM_UPTAKE, STREAM_REFER, STREAM_CROSS = 131, 132, 133


class ReferralParams(RecruitingParams):
    sectors: list[str] = ["social_care"]
    roles: list[str] = ["support"]
    uptake: Rate = 0.25
    referrals_per_user_per_year: NonNegative = 0.5
    hired_share: Rate = 0.3
    colleagues: Annotated[int, Field(ge=0, le=50)] = 4
    cross_employer_link_rate: Rate = 0.05
    search_depth: Annotated[int, Field(ge=0, le=5)] = 2
    time_to_hire_weeks: Annotated[int, Field(ge=1, le=52)] = 4
    age_range: AgeRange = (18, 60)
    support_weeks: SupportWeeks = 26
    support_leave_multiplier: NonNegative = 0.8
    cost_per_recruit_gbp: NonNegative = 250.0     # the referrer's reward per hire
    licence_per_user_gbp_per_year: NonNegative = 10.0


class Referral(Programme):
    Params = ReferralParams
    assumed = ("uptake", "referrals_per_user_per_year", "hired_share", "support_leave_multiplier",
               "cost_per_recruit_gbp", "licence_per_user_gbp_per_year")
    routes = {"referral": "local_labour"}

    def __init__(self, name, params, model):
        super().__init__(name, params, model)
        self.support = {"referral": (params.support_weeks, params.support_leave_multiplier)}
        # The graph of app users, in arrays (a node is an index): worker id, employer, role,
        # whether still in it, the week a referred recruit starts (-1: started, or a user from
        # the start), and its links as pairs of nodes. Users who leave are marked, not removed:
        # searches do not pass through them, as through a node taken out of the graph.
        self.ids = np.zeros(0, np.uint64)
        self.employer = np.zeros(0, np.int64)
        self.role = np.zeros(0, np.int64)
        self.alive = np.zeros(0, bool)
        self.starts = np.zeros(0, np.int64)
        self.links = np.zeros((0, 2), np.int64)
        self._adjacency = None          # (first, neighbours): the links by node, built when needed
        self.built = False
        self._hired = 0

    def _add(self, ids, employer, role, starts) -> None:
        self.ids = np.concatenate([self.ids, np.asarray(ids, np.uint64)])
        self.employer = np.concatenate([self.employer, np.asarray(employer, np.int64)])
        self.role = np.concatenate([self.role, np.asarray(role, np.int64)])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), bool)])
        self.starts = np.concatenate([self.starts, np.asarray(starts, np.int64)])
        self._adjacency = None

    def _link(self, a: np.ndarray, b: np.ndarray) -> None:
        self.links = np.concatenate([self.links, np.stack([a, b], axis=1).astype(np.int64)])
        self._adjacency = None

    def adjacency(self) -> tuple[np.ndarray, np.ndarray]:
        """Each node's neighbours, compressed: those of node i are neighbours[first[i]:first[i+1]]."""
        if self._adjacency is None:
            self._adjacency = compress(self.links, len(self.ids))
        return self._adjacency

    def _build(self, week: int) -> None:
        """The graph of app users among current staff of the targeted cells."""
        p = self.model.params
        snap = self.model.snapshot()
        target = self.cell_mask()[snap["employer"].astype(np.int64), snap["role"].astype(np.int64)]
        ids = snap["id"][target]
        users = uniforms(p.seed, week, ids, STREAM_UPTAKE) < self.params.uptake
        ids, emp, role = ids[users], snap["employer"][target][users], snap["role"][target][users]
        self._add(ids, emp, role, np.full(len(ids), -1))
        node = np.arange(len(ids))
        half = self.params.colleagues // 2
        a, b = [], []
        for e in np.unique(emp):
            team = node[emp == e]
            for d in range(1, min(half, len(team) - 1) + 1):
                a.append(team)
                b.append(np.roll(team, -d))
        cross = uniforms(p.seed, week, ids, STREAM_CROSS)
        linkers = node[cross < self.params.cross_employer_link_rate]
        if len(ids) > 1:
            partners = node[(cross[cross < self.params.cross_employer_link_rate]
                             / self.params.cross_employer_link_rate * len(ids)).astype(np.int64)]
            other = linkers != partners
            a.append(linkers[other])
            b.append(partners[other])
        if a:
            self._link(np.concatenate(a), np.concatenate(b))
        self.built = True

    def _refresh(self, week: int) -> None:
        """Follow users to their current employer; drop those who have left (and recruits who
        never started)."""
        live = np.flatnonzero(self.alive)
        found, emp = self.model.locate(self.ids[live])
        self.employer[live[found]] = emp[found]
        self.starts[live[found]] = -1
        gone = live[~found & (self.starts[live] < week)]
        self.alive[gone] = False
        self.starts[gone] = -1

    @property
    def graph(self) -> nx.Graph:
        """The users still in the graph and their links, as a networkx graph (to look at or
        export): nodes are worker ids with their employer and role."""
        g = nx.Graph()
        live = np.flatnonzero(self.alive)
        g.add_nodes_from((int(self.ids[i]), {"employer": int(self.employer[i]), "role": int(self.role[i])})
                         for i in live)
        a, b = self.links[:, 0], self.links[:, 1]
        both = self.alive[a] & self.alive[b]
        g.add_edges_from(zip(self.ids[a[both]].tolist(), self.ids[b[both]].tolist(), strict=True))
        return g

    def recruit(self, week):
        p, st = self.model.params, self.model.state
        if not self.built:
            self._build(week)
        self._refresh(week)
        users = np.flatnonzero(self.alive & (self.starts < 0))
        users = users[np.argsort(self.ids[users], kind="stable")]
        rate = self.params.referrals_per_user_per_year / WEEKS_PER_YEAR * self.params.hired_share
        referrers = users[uniforms(p.seed, week, self.ids[users], STREAM_REFER) < rate]
        vacant = np.where(self.cell_mask(), open_posts_fte(st), 0.0)
        role = self.role[referrers]
        need = p.mean_fte_units[p.employer_sector[self.employer[referrers]], role] / FTE_UNIT
        first, neighbours = self.adjacency()
        found = referral_employers(referrers, role, need, first, neighbours, self.alive, self.ids,
                                   self.employer, vacant, self.params.search_depth)
        hired = found >= 0
        employer, role, sources = found[hired], role[hired], referrers[hired]
        self._hired = len(employer)
        if not len(employer):
            return None
        cell = employer * p.n_roles + role
        order = np.argsort(cell, kind="stable")
        k = np.empty(len(cell), np.int64)
        k[order] = np.arange(len(cell)) - np.searchsorted(cell[order], cell[order], side="left")
        route = np.full(len(employer), self.model.route_code["referral"])
        hires = new_hires(p, week, employer, role, k, route=route, channel=self.channel,
                          lag=self.params.time_to_hire_weeks,
                          age_range=self.params.age_range, deprived_share=p.deprived_share)
        joins = uniforms(p.seed, week, hires["id"], STREAM_UPTAKE) < self.params.uptake
        first = len(self.ids)
        self._add(hires["id"][joins], employer[joins], role[joins], hires["arrival_week"][joins])
        self._link(first + np.arange(int(joins.sum())), sources[joins])
        return hires

    def weekly_cost(self, week):
        users = int(self.alive.sum())
        return (self._hired * self.params.cost_per_recruit_gbp
                + users * self.params.licence_per_user_gbp_per_year / WEEKS_PER_YEAR)


@nb.njit(cache=True)
def compress(links, n_nodes):
    """The links [L, 2] as each node's neighbours (both ways), in one counting pass."""
    first = np.zeros(n_nodes + 1, np.int64)
    for i in range(links.shape[0]):
        first[links[i, 0] + 1] += 1
        first[links[i, 1] + 1] += 1
    for v in range(n_nodes):
        first[v + 1] += first[v]
    fill = first[:-1].copy()
    neighbours = np.empty(2 * links.shape[0], np.int64)
    for i in range(links.shape[0]):
        a, b = links[i, 0], links[i, 1]
        neighbours[fill[a]] = b
        fill[a] += 1
        neighbours[fill[b]] = a
        fill[b] += 1
    return first, neighbours


@nb.njit(cache=True)
def referral_employers(referrers, role, need, first, neighbours, alive, ids, employer, vacant, depth):
    """The employer that hires each referrer's friend (-1: none), in the referrers' order: the
    referrer's own if it has half a post open in the role, else that of the first colleague
    within `depth` links (through users still in the graph), in the order of their worker ids.
    Each hire takes a post (`need` FTE) off `vacant` [E, R] before the next referrer looks."""
    n_nodes = alive.shape[0]
    seen = np.full(n_nodes, -1, np.int64)      # the referrer whose search reached the node
    reached = np.empty(n_nodes, np.int64)
    out = np.full(referrers.shape[0], -1, np.int64)
    for j in range(referrers.shape[0]):
        user, r = referrers[j], role[j]
        seen[user] = j
        reached[0] = user
        n, lo, hi = 1, 0, 1                       # the last ring reached is reached[lo:hi]
        for _ in range(depth):
            for k in range(lo, hi):
                f = reached[k]
                for t in range(first[f], first[f + 1]):
                    v = neighbours[t]
                    if alive[v] and seen[v] != j:
                        seen[v] = j
                        reached[n] = v
                        n += 1
            lo, hi = hi, n
        if vacant[employer[user], r] >= 0.5 * need[j]:
            out[j] = employer[user]
        else:
            others = reached[1:n]
            for k in np.argsort(ids[others]):
                e = employer[others[k]]
                if vacant[e, r] >= 0.5 * need[j]:
                    out[j] = e
                    break
        if out[j] >= 0:
            vacant[out[j], r] -= need[j]
    return out


PROGRAMME = Referral
