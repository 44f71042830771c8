"""The flow chart reads at a glance: lines round circles, small flows merged, the report's
start figure, a caption, programme names as the ICS papers write them, a difference panel,
the page to step through, and flows split further than (week, source, target)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from analysis import animate, flowdata, flowgraph, style
from analysis.load import load, load_run

DPI = 30


def test_a_line_goes_round_a_circle_in_its_way():
    centre = np.array([5.0, 0.0])
    straight = flowgraph.curve(np.array([0.0, 0.0]), np.array([10.0, 0.0]), 0.0)
    assert flowgraph.clearance(straight, [(centre, 1.0)]) < 0  # straight through it
    routed = flowgraph.route(np.array([0.0, 0.0]), np.array([10.0, 0.0]), 0.0, [(centre, 1.0)])
    assert flowgraph.clearance(routed, [(centre, 1.0)]) >= flowgraph.CLEARANCE - 1e-9
    assert np.allclose(routed[[0, -1]], [[0, 0], [10, 0]])  # still from source to target


def test_every_line_keeps_off_the_circles_it_does_not_belong_to(synthetic_run):
    chart = animate.build_chart([load(synthetic_run)], ["run"], dpi=DPI)
    biggest = chart.series[0].headcount.max(axis=0)
    radius = {s: chart.max_radius * np.sqrt(h / chart.max_head)
              for s, h in zip(chart.sectors, biggest, strict=True)}
    radius |= {k: flowgraph.OUTSIDE_RADIUS for k in [*chart.sources, *chart.destinations]}
    for edge, poly in chart.paths.items():
        others = [(chart.pos[k], r) for k, r in radius.items() if k not in (edge.source, edge.target)]
        assert flowgraph.clearance(poly, others) > 0, edge


def test_first_frame_is_the_reports_start(synthetic_run):
    run = load(synthetic_run)
    chart = animate.build_chart([run], ["run"], dpi=DPI)
    start = sum(v["headcount_start"] for v in run.summary["sectors"].values())
    assert chart.series[0].headcount[0].sum() == start
    assert chart.clock_text(0) == "Start, 7 April 2025"
    # the first month's end differs from the start: it is a frame of its own
    first_week = run.timeseries[run.timeseries["week"] == 0]["headcount"].sum()
    assert first_week != start


def test_small_pools_merge_and_small_lines_are_counted(tmp_path, make_synthetic_run):
    path = make_synthetic_run(tmp_path / "r", weeks=20)
    fl = pd.read_parquet(path / "flows.parquet")
    fl["source"], fl["target"] = fl["source"].astype(str), fl["target"].astype(str)
    # two tiny pools: both go into "Other routes in"; the big ones stay
    extra = pd.DataFrame({"week": [0, 1], "source": ["retire_return", "reservists"],
                          "target": ["acute", "acute"], "count": [1, 1]})
    pd.concat([fl, extra]).to_parquet(path / "flows.parquet", index=False)
    graph, _ = flowdata.build_graph([load_run(path)])
    assert sorted(graph.merged_pools[style.OTHER_SOURCES]) == ["reservists", "retire_return"]
    assert style.OTHER_SOURCES in graph.sources and "retire_return" not in graph.sources
    assert "local_labour" in graph.sources
    assert graph.edge_threshold > 0 and graph.hidden_edges > 0


def test_flows_split_by_role_and_new_node_names(tmp_path, make_synthetic_run):
    path = make_synthetic_run(tmp_path / "r", weeks=12)
    fl = pd.read_parquet(path / "flows.parquet")
    fl["source"], fl["target"] = fl["source"].astype(str), fl["target"].astype(str)
    before = fl.groupby(["week", "source", "target"])["count"].sum()
    # the same flows split over two roles, plus leavers going back to study
    half = fl.assign(count=fl["count"] // 2, role="nurse", target_role="nurse")
    rest = fl.assign(count=fl["count"] - fl["count"] // 2, role="support", target_role="support")
    study = pd.DataFrame({"week": range(12), "source": "acute", "target": "education",
                          "count": 40, "role": "nurse", "target_role": ""})
    pd.concat([half, rest, study]).to_parquet(path / "flows.parquet", index=False)
    (path / "pools.parquet").write_bytes(b"not read")  # files the analysis does not know
    run = load_run(path)
    got = run.flows.groupby(["week", "source", "target"])["count"].sum()
    assert got.drop(index="education", level="target").equals(before)
    chart = animate.build_chart([run], ["run"], dpi=DPI)
    assert "education" in chart.sources and "education>" in chart.destinations
    assert any(e.target == "education>" for e in chart.edges)
    chart.frame(3, 0)


def test_programme_names_as_the_papers_write_them():
    assert style.label("i_can") == "I Can"
    assert style.label("journey_to_work") == "Journey to Work"
    assert style.scenario_label(("i_can", "journey_to_work")) == "I Can + Journey to Work"
    assert style.scenario_label(()) == "Baseline (no programme)"


def test_caption_names_the_system_scenario_and_dates(tmp_path, make_synthetic_run):
    run = load_run(make_synthetic_run(tmp_path / "p", weeks=60, programmes=["i_can"]))
    text = flowdata.caption(run)
    assert "I Can" in text and "April 2025 to May 2026" in text


def test_difference_panel_shows_what_the_programme_changed(synthetic_run, synthetic_programme_run):
    base, prog = load(synthetic_run), load(synthetic_programme_run)
    chart = animate.build_chart([base, prog], ["Baseline", "Programme"], dpi=DPI)
    assert len(chart.panels) == 3 and chart.panels[2]["difference"]
    last = chart.n_months() - 1
    chart.frame(last, 0)
    diff = chart.series[1].headcount[last] - chart.series[0].headcount[last]
    for k, sector in enumerate(chart.sectors):
        circle = chart.panels[2]["circles"][sector]
        expected = style.MORE if diff[k] >= 0 else style.FEWER
        assert circle.get_facecolor()[:3] == pytest.approx(
            tuple(int(expected[i:i + 2], 16) / 255 for i in (1, 3, 5)))
        assert chart.panels[2]["counts"][sector].get_text() in ("", style.signed_count(diff[k]))
    assert chart.panels[2]["totals"].get_text().startswith(
        f"Staff in post {style.signed_count(diff.sum())}")


def test_player_page_is_offline_and_steps_month_by_month(synthetic_run, tmp_path):
    run = load(synthetic_run)
    (path,) = animate.render([run], tmp_path / "flows", formats=("html",), dpi=DPI)
    page = path.read_text()
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from the network
    frames = json.loads(re.search(r"const frames = (\[.*?\]);", page).group(1))
    labels = json.loads(re.search(r"const labels = (\[.*?\]);", page).group(1))
    assert len(frames) == len(labels) == 25  # the start and 24 months
    assert labels[0] == "Start, 7 April 2025" and labels[-1] == "March 2027"
    for control in ('id="play"', 'id="back"', 'id="next"', 'id="slider"'):
        assert control in page
