"""The HTML report: sections, embedded images, tables and offline use."""

from __future__ import annotations

import base64
import io
import re
import shutil

import pandas as pd
import pytest
from PIL import Image

from analysis.report import write_report

RUN_HEADINGS = [
    "At a glance",
    "Staff in post and funded posts",
    "Vacancies, turnover and sickness",
    "Spending on agency and bank staff",
    "Where staff come from and where they go",
]
EXPERIMENT_HEADINGS = ["Programme effects", "Costs and value for money", "Effects on other sectors"]
IMAGE = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def headings(page: str) -> list[str]:
    return re.findall(r"<h2[^>]*>([^<]+)</h2>", page)


def images(page: str) -> list[Image.Image]:
    return [Image.open(io.BytesIO(base64.b64decode(b))) for b in IMAGE.findall(page)]


def assert_self_contained(page: str):
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "@media print" in page
    assert not re.search(r'(src|href)="(https?:|//|file:)', page)
    assert "<script" not in page and "<link" not in page


@pytest.fixture(scope="module")
def run_page(synthetic_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "run.html"
    return write_report(synthetic_run, out, dpi=40).read_text(encoding="utf-8")


def test_run_report_sections_and_images(run_page):
    assert headings(run_page) == [*RUN_HEADINGS, "About this run"]
    pics = images(run_page)
    assert len(pics) == 6  # staff, rates, spend, joiners, leavers, flow matrix
    for pic in pics:
        assert pic.format == "PNG" and pic.width > 200 and pic.height > 80
    assert_self_contained(run_page)


def test_run_report_headline_numbers(run_page, synthetic_run):
    import json

    summary = json.loads((synthetic_run / "summary.json").read_text())
    for sector, label in [("acute", "Acute hospitals"), ("social_care", "Social care")]:
        assert label in run_page
        assert f"{summary['sectors'][sector]['headcount_end']:,}" in run_page
    total_start = sum(s["headcount_start"] for s in summary["sectors"].values())
    assert f"{total_start:,}" in run_page
    assert "Year 2" in run_page and "Agency spend" in run_page
    assert "seed 1" in run_page


def test_multirun_report_has_fans_and_ranges(synthetic_multirun, tmp_path):
    page = write_report(synthetic_multirun, tmp_path / "r.html", dpi=40).read_text()
    assert headings(page) == [*RUN_HEADINGS, "About these runs"]
    assert len(images(page)) == 6
    assert "3 runs with different random seeds" in page
    assert "middle half of runs" in page
    assert "run-to-run randomness only" in page  # what the bands cover (no run drew its behaviour)
    assert 'class="range"' in page  # table cells show the spread across runs
    assert "seed=11" in page  # overrides are listed
    assert not set(EXPERIMENT_HEADINGS) & set(headings(page))


def test_default_output_goes_into_the_folder(tmp_path, make_synthetic_run):
    run = make_synthetic_run(tmp_path / "run", weeks=30)
    out = write_report(run, dpi=30)
    assert out == run / "report.html" and out.exists()


def test_experiment_report(synthetic_experiment, tmp_path):
    page = write_report(synthetic_experiment, tmp_path / "e.html", dpi=40).read_text()
    assert headings(page) == EXPERIMENT_HEADINGS
    assert len(images(page)) == 3  # effects, cost per FTE-year, spill-over
    for name in ["International Recruitment", "Care worker pay uplift", "Return to practice"]:
        assert name in page
    assert "Cost per FTE-year" in page
    assert "Outlined cells are the sectors the programme aims at" in page
    assert_self_contained(page)


def test_experiment_without_costs_or_targets(tmp_path, make_synthetic_comparison):
    make_synthetic_comparison(tmp_path, with_targets=False)
    cmp = pd.read_parquet(tmp_path / "comparison.parquet")
    cmp[~cmp["metric"].isin(["programme_cost_gbp"])].to_parquet(tmp_path / "comparison.parquet")
    page = write_report(tmp_path, tmp_path / "e.html", dpi=40).read_text()
    assert headings(page) == EXPERIMENT_HEADINGS
    assert "No programme costs recorded" in page
    assert "not recorded, so none are outlined" in page
    assert len(images(page)) == 2


def test_experiment_with_runs_reports_both(tmp_path, synthetic_run, make_synthetic_comparison):
    make_synthetic_comparison(tmp_path)
    shutil.copytree(synthetic_run, tmp_path / "0")
    page = write_report(tmp_path, tmp_path / "e.html", dpi=30).read_text()
    assert headings(page)[:3] == EXPERIMENT_HEADINGS
    assert "At a glance" in headings(page)
    assert len(images(page)) == 9


def test_experiment_in_simulator_layout(tmp_path, make_simulator_experiment):
    folder = make_simulator_experiment(tmp_path / "exp", seeds=(3, 4), weeks=30)
    page = write_report(folder, tmp_path / "e.html", dpi=30).read_text()
    assert headings(page)[:3] == EXPERIMENT_HEADINGS
    assert "At a glance" in headings(page)
    assert len(images(page)) == 3 + 6
    assert "All programmes together" in page and "Pay parity" in page
    assert "Outlined cells are the sectors the programme aims at" in page
    assert "in the sectors it does not aim at" in page  # from spillover_fte
    assert "£10k" in page  # cost per FTE-year: £2m over 200 extra FTE-years
    # run sections: the two baseline runs only; the two programme runs are left out
    assert "the 2 runs of the baseline (no programme)" in page
    assert "other 2 runs, of 1 other scenario(s)" in page
    assert "Programmes switched on</td><td>none (baseline)" in page


def with_career_steps(path, steps_per_week: int, weeks: int):
    """The run's flows split by role, plus `steps_per_week` acute support workers becoming
    nurses with their employer each week (a career step in post)."""
    fl = pd.read_parquet(path / "flows.parquet")
    fl["source"], fl["target"] = fl["source"].astype(str), fl["target"].astype(str)
    fl = fl.assign(role="support", target_role="support")
    steps = pd.DataFrame({"week": range(weeks), "source": "acute", "target": "acute",
                          "count": steps_per_week, "role": "support", "target_role": "nurse"})
    pd.concat([fl, steps]).to_parquet(path / "flows.parquet", index=False)


def test_the_report_counts_career_steps_in_post(tmp_path, make_synthetic_run):
    from analysis.load import load_run

    plain = make_synthetic_run(tmp_path / "plain", weeks=104)
    page = write_report(plain, tmp_path / "plain.html", dpi=30).read_text()
    assert "nobody changed role with their employer in this run" in page
    path = make_synthetic_run(tmp_path / "steps", weeks=104)
    before = load_run(path).flows
    with_career_steps(path, steps_per_week=3, weeks=104)
    run = load_run(path)
    assert run.role_changes["count"].sum() == 3 * 104
    # the chart's flows between nodes are the same, with the steps on acute's diagonal
    diagonal = run.flows[(run.flows["source"] == "acute") & (run.flows["target"] == "acute")]
    assert diagonal["count"].sum() - before.query("source == target == 'acute'")["count"].sum() == 3 * 104
    page = write_report(path, tmp_path / "steps.html", dpi=30).read_text()
    row = re.search(r"Acute hospitals</td><td>Support staff to nurses</td><td[^>]*>([^<]+)</td>", page)
    assert row and row.group(1) == "156.0"      # 3 a week, 52 weeks a year
    assert "nobody changed role" not in page
