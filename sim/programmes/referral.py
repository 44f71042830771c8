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
        # the start), and each node's neighbours. Users who leave are marked, not removed:
        # searches do not pass through them, as through a node taken out of the graph.
        self.ids = np.zeros(0, np.uint64)
        self.employer = np.zeros(0, np.int64)
        self.role = np.zeros(0, np.int64)
        self.alive = np.zeros(0, bool)
        self.starts = np.zeros(0, np.int64)
        self.neighbours: list[set[int]] = []
        self.built = False
        self._hired = 0

    def _add(self, ids, employer, role, starts) -> None:
        self.ids = np.concatenate([self.ids, np.asarray(ids, np.uint64)])
        self.employer = np.concatenate([self.employer, np.asarray(employer, np.int64)])
        self.role = np.concatenate([self.role, np.asarray(role, np.int64)])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), bool)])
        self.starts = np.concatenate([self.starts, np.asarray(starts, np.int64)])
        self.neighbours += [set() for _ in range(len(ids))]

    def _link(self, a: int, b: int) -> None:
        self.neighbours[a].add(b)
        self.neighbours[b].add(a)

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
        for e in np.unique(emp):
            team = node[emp == e]
            for d in range(1, min(half, len(team) - 1) + 1):
                for a, b in zip(team.tolist(), np.roll(team, -d).tolist(), strict=True):
                    self._link(a, b)
        cross = uniforms(p.seed, week, ids, STREAM_CROSS)
        linkers = node[cross < self.params.cross_employer_link_rate]
        if len(ids) > 1:
            partners = node[(cross[cross < self.params.cross_employer_link_rate]
                             / self.params.cross_employer_link_rate * len(ids)).astype(np.int64)]
            for a, b in zip(linkers.tolist(), partners.tolist(), strict=True):
                if a != b:
                    self._link(a, b)
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

    def _find_employer(self, user: int, role: int, vacant: np.ndarray, need: float) -> int:
        """The user's employer if it has a vacancy in the role, else that of a colleague within
        `search_depth` links (in the order of their worker ids)."""
        seen, frontier = {user}, [user]
        for _ in range(self.params.search_depth):
            frontier = [n for f in frontier for n in self.neighbours[f] if self.alive[n] and n not in seen]
            seen.update(frontier)
        others = sorted((n for n in seen if n != user), key=lambda n: int(self.ids[n]))
        for node in [user, *others]:
            e = self.employer[node]
            if vacant[e, role] >= need:
                return int(e)
        return -1

    @property
    def graph(self) -> nx.Graph:
        """The users still in the graph and their links, as a networkx graph (to look at or
        export): nodes are worker ids with their employer and role."""
        g = nx.Graph()
        live = np.flatnonzero(self.alive)
        g.add_nodes_from((int(self.ids[i]), {"employer": int(self.employer[i]), "role": int(self.role[i])})
                         for i in live)
        g.add_edges_from((int(self.ids[a]), int(self.ids[b])) for a in live for b in self.neighbours[a]
                         if self.alive[b])
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
        employers, roles, sources = [], [], []
        for user in referrers.tolist():
            r = int(self.role[user])
            need = p.mean_fte_units[p.employer_sector[self.employer[user]], r] / FTE_UNIT
            e = self._find_employer(user, r, vacant, 0.5 * need)
            if e >= 0:
                vacant[e, r] -= need
                employers.append(e)
                roles.append(r)
                sources.append(user)
        self._hired = len(employers)
        if not employers:
            return None
        employer, role = np.array(employers, np.int64), np.array(roles, np.int64)
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
        for n, src in enumerate(np.asarray(sources)[joins].tolist()):
            self._link(first + n, src)
        return hires

    def weekly_cost(self, week):
        users = int(self.alive.sum())
        return (self._hired * self.params.cost_per_recruit_gbp
                + users * self.params.licence_per_user_gbp_per_year / WEEKS_PER_YEAR)


PROGRAMME = Referral
