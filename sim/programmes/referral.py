"""Staff referral through colleagues' networks: Care Friends, New 2 Care (CPA summit, SSOT).

Mechanism: staff on a referral app refer friends to jobs and are rewarded when they are hired
(seed cpa_nhse_learning_summit_2023: "Care Friends - a staff referral app to encourage staff to
refer a friend to a social care job"; ssot "New 2 Care Recruitment Campaign"). Referrals travel
through a networkx graph of who works with whom: participants are linked to colleagues at their
employer (a ring of `colleagues` neighbours) and, now and then, to someone at another employer.
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
        self.graph: nx.Graph | None = None
        self.arrival: dict[int, int] = {}  # referred recruits not yet started -> start week
        self._hired = 0

    def _build(self, week: int) -> None:
        """The graph of app users among current staff of the targeted cells."""
        p = self.model.params
        snap = self.model.snapshot()
        target = self.cell_mask()[snap["employer"].astype(np.int64), snap["role"].astype(np.int64)]
        ids = snap["id"][target]
        users = uniforms(p.seed, week, ids, STREAM_UPTAKE) < self.params.uptake
        ids, emp, role = ids[users], snap["employer"][target][users], snap["role"][target][users]
        g = nx.Graph()
        g.add_nodes_from((int(i), {"employer": int(e), "role": int(r)})
                         for i, e, r in zip(ids, emp, role, strict=True))
        half = self.params.colleagues // 2
        for e in np.unique(emp):
            team = ids[emp == e]
            for d in range(1, min(half, len(team) - 1) + 1):
                g.add_edges_from(zip(team.tolist(), np.roll(team, -d).tolist(), strict=True))
        cross = uniforms(p.seed, week, ids, STREAM_CROSS)
        linkers = ids[cross < self.params.cross_employer_link_rate]
        if len(ids) > 1:
            partners = ids[(cross[cross < self.params.cross_employer_link_rate]
                            / self.params.cross_employer_link_rate * len(ids)).astype(np.int64)]
            g.add_edges_from((int(a), int(b)) for a, b in zip(linkers, partners, strict=True) if a != b)
        self.graph = g

    def _refresh(self, week: int) -> None:
        """Follow users to their current employer; drop those who have left."""
        g = self.graph
        ids = np.array(sorted(g.nodes), np.uint64)
        alive, emp = self.model.locate(ids)
        for i, ok, e in zip(ids.tolist(), alive, emp, strict=True):
            if ok:
                g.nodes[i]["employer"] = int(e)
                self.arrival.pop(i, None)
            elif self.arrival.get(i, -1) < week:  # left, or a recruit who never started
                g.remove_node(i)
                self.arrival.pop(i, None)

    def _find_employer(self, user: int, role: int, vacant: np.ndarray, need: float) -> int:
        """The user's employer if it has a vacancy in the role, else the nearest colleague's."""
        g = self.graph
        for node in [user, *sorted(n for n in nx.single_source_shortest_path_length(
                g, user, cutoff=self.params.search_depth) if n != user)]:
            e = g.nodes[node]["employer"]
            if vacant[e, role] >= need:
                return e
        return -1

    def recruit(self, week):
        p, st = self.model.params, self.model.state
        if self.graph is None:
            self._build(week)
        self._refresh(week)
        users = np.array(sorted(i for i in self.graph.nodes if i not in self.arrival), np.uint64)
        rate = self.params.referrals_per_user_per_year / WEEKS_PER_YEAR * self.params.hired_share
        referrers = users[uniforms(p.seed, week, users, STREAM_REFER) < rate]
        vacant = np.where(self.cell_mask(), open_posts_fte(st), 0.0)
        employers, roles, sources = [], [], []
        for user in referrers.tolist():
            r = self.graph.nodes[user]["role"]
            need = p.mean_fte_units[p.employer_sector[self.graph.nodes[user]["employer"]], r] / FTE_UNIT
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
        for new_id, e, r, src, on_app, start in zip(hires["id"].tolist(), employer, role, sources, joins,
                                                    hires["arrival_week"], strict=True):
            if on_app:
                self.graph.add_node(new_id, employer=int(e), role=int(r))
                self.graph.add_edge(new_id, src)
                self.arrival[new_id] = int(start)
        return hires

    def weekly_cost(self, week):
        users = 0 if self.graph is None else self.graph.number_of_nodes()
        return (self._hired * self.params.cost_per_recruit_gbp
                + users * self.params.licence_per_user_gbp_per_year / WEEKS_PER_YEAR)


PROGRAMME = Referral
