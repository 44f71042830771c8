"""What the animated flow chart shows, month by month: staff in post per sector and the
people moving along each line, for one run or for the difference between two.

Frame 0 is the start of the run, with the same staff in post as the report's start figure
(``summary.json``'s ``headcount_start``); frame k is the end of the k-th calendar month.

Small flows are merged so that the picture reads at a glance:

* an outside pool that brings fewer than ``POOL_SHARE`` (5%) of everyone who joins from
  outside (or takes fewer than 5% of everyone who leaves) joins the other small pools in
  "Other routes in" ("Other destinations"), when at least two pools are that small;
* a line that carries, on average, fewer than ``EDGE_SHARE`` (1%) of all the people moving
  in a month is not drawn; those lines are summed into one figure given under the chart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import flowgraph as fg
from analysis import style
from analysis.load import OutputError, Run
from analysis.metrics import WEEKS_PER_MONTH
from analysis.scenarios import scenario

POOL_SHARE = 0.05
EDGE_SHARE = 0.01


@dataclass
class MonthlySeries:
    """One run's figures per frame (the start, then each calendar month), ready to draw."""

    name: str
    months: pd.DatetimeIndex  # frame 0: the start date; then the last day of each month
    headcount: np.ndarray  # [frame, sector]: at the start, then at the end of each month
    flows: np.ndarray  # [frame, edge], people per month (frame 0 repeats the first month)
    joined: np.ndarray  # cumulative people joining from outside
    left: np.ndarray  # cumulative people leaving to outside
    moved: np.ndarray  # cumulative moves between sectors

    def take(self, idx) -> MonthlySeries:
        return MonthlySeries(self.name, self.months[idx], self.headcount[idx], self.flows[idx],
                             self.joined[idx], self.left[idx], self.moved[idx])

    def minus(self, base: MonthlySeries, name: str) -> MonthlySeries:
        """This run less the baseline, frame by frame (the same frames and edges)."""
        return MonthlySeries(name, self.months, self.headcount - base.headcount,
                             self.flows - base.flows, self.joined - base.joined,
                             self.left - base.left, self.moved - base.moved)


@dataclass
class Graph:
    """The nodes and lines every panel shares, and the small flows left out of the lines."""

    sectors: list[str]
    sources: list[str]
    destinations: list[str]
    edges: list[fg.Edge]  # the lines drawn
    merged_pools: dict[str, list[str]]  # "other" node -> the pools merged into it
    hidden_edges: int  # lines under EDGE_SHARE, not drawn
    hidden_per_month: float  # the people they carry, a month on average (first run)
    edge_threshold: float  # people a month under which a line is not drawn


def node_flows(run: Run, sectors: list[str], merge: dict[str, str]) -> pd.DataFrame:
    """The run's flows between chart nodes: merged pools renamed, a destination that has a
    source's name given its own key."""
    fl = run.flows.assign(source=run.flows["source"].astype(str),
                          target=run.flows["target"].astype(str))
    sources = set(fl["source"]) - set(sectors)
    names = {t: t if t in sectors else fg.destination_key(t, sources) for t in set(fl["target"])}
    return fl.assign(source=fl["source"].map(lambda s: merge.get(s, s)),
                     target=fl["target"].map(lambda t: merge.get(names[t], names[t])))


def _small_pools(totals: pd.Series, other: str) -> dict[str, str]:
    small = totals[totals < POOL_SHARE * totals.sum()].index.tolist()
    return {p: other for p in small} if len(small) >= 2 else {}


def build_graph(runs: list[Run]) -> tuple[Graph, list[pd.DataFrame]]:
    """The shared graph of several runs (merging decided on all of them together) and each
    run's flows between its nodes."""
    sectors = style.ordered(set().union(*(r.timeseries["sector"].unique() for r in runs)))
    raw = [node_flows(r, sectors, {}) for r in runs]
    both = pd.concat(raw, ignore_index=True)
    ins = both[~both["source"].isin(sectors)].groupby("source")["count"].sum()
    outs = both[~both["target"].isin(sectors)].groupby("target")["count"].sum()
    merge = _small_pools(ins, style.OTHER_SOURCES) | _small_pools(outs, style.OTHER_DESTINATIONS)
    flows = [node_flows(r, sectors, merge) for r in runs] if merge else raw
    sources, destinations = fg.outside_nodes(sectors, pd.concat(flows, ignore_index=True))
    # merged pools go last in their column
    sources = [s for s in sources if s != style.OTHER_SOURCES] + (
        [style.OTHER_SOURCES] if style.OTHER_SOURCES in sources else [])
    destinations = [d for d in destinations if d != style.OTHER_DESTINATIONS] + (
        [style.OTHER_DESTINATIONS] if style.OTHER_DESTINATIONS in destinations else [])
    every = fg.edges(sectors, sources, destinations)
    months = max(1.0, float(both["week"].max() + 1) / WEEKS_PER_MONTH) * len(runs)
    per_edge = pd.concat(flows).groupby(["source", "target"])["count"].sum() / months
    moving = float(per_edge[[s != t for s, t in per_edge.index]].sum())
    threshold = EDGE_SHARE * moving
    keep, hidden = [], []
    for e in every:
        mean = float(per_edge.get((e.source, e.target), 0.0))
        (keep if mean >= threshold else hidden).append((e, mean))
    # a line drawn in any run is drawn in all, so panels can be compared line by line
    hidden_total = sum(m for e, m in hidden if m > 0) / len(runs)
    pools = {}
    for pool, other in merge.items():
        pools.setdefault(other, []).append(pool)
    graph = Graph(sectors, sources, destinations, [e for e, _ in keep], pools,
                  sum(1 for _, m in hidden if m > 0), hidden_total, threshold)
    return graph, flows


def monthly_series(run: Run, flows: pd.DataFrame, graph: Graph, name: str) -> MonthlySeries:
    ts = run.timeseries
    sectors, edges = graph.sectors, graph.edges
    week_month = ts.groupby("week")["date"].first().dt.to_period("M")
    heads = ts.groupby(["week", "sector"])["headcount"].sum().unstack("sector")
    heads = heads.reindex(columns=sectors, fill_value=0).fillna(0)
    heads_month = heads.groupby(week_month).last()
    weeks_in_month = week_month.value_counts().reindex(heads_month.index)
    flows = flows[flows["week"].isin(week_month.index)]
    flows = flows.assign(month=flows["week"].map(week_month))
    counts = flows.groupby(["month", "source", "target"])["count"].sum().unstack(
        ["source", "target"], fill_value=0)
    keys = pd.MultiIndex.from_tuples([(e.source, e.target) for e in graph_edges(graph)])
    counts = counts.reindex(index=heads_month.index, columns=keys, fill_value=0).fillna(0)
    per_month = counts.to_numpy(float) / weeks_in_month.to_numpy(float)[:, None] * WEEKS_PER_MONTH
    kinds = [e.kind for e in graph_edges(graph)]

    def cumulative(kind: str) -> np.ndarray:
        cols = [k for k, kd in zip(keys, kinds, strict=True) if kd == kind]
        total = counts[cols].sum(axis=1).cumsum().to_numpy(float) if cols else np.zeros(len(counts))
        return np.concatenate([[0.0], total])

    drawn = [keys.get_loc((e.source, e.target)) for e in edges]
    flows_drawn = per_month[:, drawn] if len(per_month) else np.zeros((0, len(edges)))
    start = start_headcount(run, heads, sectors)
    start_day = min(run.start_date, ts["date"].min()).normalize()
    month_ends = heads_month.index.to_timestamp(how="end").normalize()
    return MonthlySeries(
        name=name,
        months=pd.DatetimeIndex([start_day, *month_ends]),
        headcount=np.vstack([start[None, :], heads_month.to_numpy(float)]),
        flows=np.vstack([flows_drawn[:1], flows_drawn]),
        joined=cumulative("in"),
        left=cumulative("out"),
        moved=cumulative("between"),
    )


def graph_edges(graph: Graph) -> list[fg.Edge]:
    """Every edge between the graph's nodes, drawn or not (for the running totals)."""
    return fg.edges(graph.sectors, graph.sources, graph.destinations)


def start_headcount(run: Run, weekly_heads: pd.DataFrame, sectors: list[str]) -> np.ndarray:
    """Staff in post when the run starts: the report's start figure (``summary.json``),
    or, for a sector the summary does not list, the first week's end less its net flows."""
    listed = run.summary.get("sectors", {})
    out = []
    for s in sectors:
        if s in listed and "headcount_start" in listed[s]:
            out.append(float(listed[s]["headcount_start"]))
            continue
        fl = run.flows[run.flows["week"] == weekly_heads.index.min()]
        net = fl.loc[fl["target"] == s, "count"].sum() - fl.loc[fl["source"] == s, "count"].sum()
        out.append(float(weekly_heads[s].iloc[0] - net) if len(weekly_heads) else 0.0)
    return np.array(out)


def align(series: list[MonthlySeries]) -> list[MonthlySeries]:
    """Keep the frames every series has (side-by-side runs must line up)."""
    common = series[0].months
    for s in series[1:]:
        common = common[common.isin(s.months)]
    if len(common) == 0:
        raise OutputError("the runs to compare have no months in common")
    return [s.take(s.months.get_indexer(common)) for s in series]


def caption(run: Run, programmes: tuple[str, ...] | None = None) -> str:
    """ICS, scenario and dates, e.g. 'default ICS · I Can · April 2025 to March 2030'."""
    system = run.manifest.get("system") or "ICS"
    progs = scenario(run.path) if programmes is None else programmes
    dates = run.timeseries["date"]
    return (f"{system_label(system)}  ·  {style.scenario_label(progs)}  ·  "
            f"{dates.min():%B %Y} to {dates.max():%B %Y}")


def system_label(system: str) -> str:
    known = {"default": "Default ICS (England / 56)", "england": "England",
             "bsol": "Birmingham and Solihull", "ssot": "Staffordshire and Stoke-on-Trent",
             "blmk": "Bedfordshire, Luton and Milton Keynes", "somerset": "Somerset"}
    return known.get(system, system.replace("_", " "))
