"""The comparison table: paired differences from the baseline with 90% intervals, cost per
FTE-year gained and the spill-over onto untargeted sectors."""
import json

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from experiments.compare import compare, headline
from sim import WorkforceModel
from sim.configuration import CONFIG_DIR, compose_config
from sim.programmes import available
from sim.runs.run_folder import write_run
from sim.system import load_config


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A miniature experiment folder: baseline and I Can, 3 seeds, 2 years, small population."""
    folder = tmp_path_factory.mktemp("sweep")
    job = 0
    for programmes in ([], ["i_can"]):
        for seed in (0, 1, 2):
            cfg = load_config(["years=2", f"seed={seed}", f"intervention=[{','.join(programmes)}]"])
            m = WorkforceModel(cfg, scale=0.2)
            m.run()
            write_run(m, folder / str(job), 1.0)
            job += 1
    return folder


def test_paired_differences_and_intervals(sweep):
    table = compare(sweep)
    assert set(table["programme"]) == {"i_can"}
    row = table.query("metric == 'staff_in_post_fte' and sector == 'acute' and year == 2").iloc[0]
    # Recompute by hand from the run folders.
    diffs = {}
    for run in sorted(sweep.iterdir()):
        if not (run / "summary.json").exists():
            continue
        cfg = json.loads((run / "config.json").read_text())
        ts = pd.read_parquet(run / "timeseries.parquet")
        fte = ts[(ts["week"] == 103) & (ts["sector"] == "acute")]["fte"].sum()
        diffs.setdefault(cfg["seed"], {})["i_can" if cfg["intervention"] else "base"] = fte
    by_hand = np.array([d["i_can"] - d["base"] for d in diffs.values()])
    assert row["mean_diff"] == pytest.approx(by_hand.mean())
    assert row["lo90"] < row["mean_diff"] < row["hi90"] and row["n_seeds"] == 3
    assert row["mean_diff"] > 0  # I Can fills acute support vacancies


def test_cost_per_fte_year_and_spillover(sweep):
    table = compare(sweep)
    cost = table.query("metric == 'programme_cost_gbp' and year.isna()").iloc[0]
    assert cost["mean_diff"] > 0 and cost["lo90"] == pytest.approx(cost["hi90"])  # same cost each seed
    per = table.query("metric == 'cost_per_fte_year_gained_gbp'").iloc[0]
    gained = table.query("metric == 'fte_years_gained'").iloc[0]
    assert gained["mean_diff"] > 0 and per["mean_diff"] > 0
    spill = table.query("metric == 'spillover_fte'")
    assert set(spill["year"]) == {1, 2}  # social care, which I Can does not target by default
    care = table.query("metric == 'staff_in_post_fte' and sector == 'social_care' and year == 2").iloc[0]
    assert spill.query("year == 2")["mean_diff"].iloc[0] == pytest.approx(care["mean_diff"])
    assert not headline(table).empty


def test_experiment_config_runs_each_programme_alone_and_all_together():
    cfg = compose_config(["experiment=compare_programmes"])
    assert cfg.years == 5 and cfg.threads == 1
    assert cfg.scenario.name == "current_policy" and cfg.timeline     # today's policy is the baseline
    params = OmegaConf.load(CONFIG_DIR / "experiment" / "compare_programmes.yaml").hydra.sweeper.params
    batches = [[int(x) for x in b.split(",")] for b in str(params.seed).strip("[]").split("],[")]
    assert sum(batches, []) == list(range(20)) and {len(b) for b in batches} == {5}  # 20 seeds, 5 a job
    scenarios = str(params.intervention).split("],[")
    assert len(scenarios) == len(available()) + 2  # baseline, each alone, all together
    assert scenarios[0] == "[" and set(scenarios[-1].strip("[]").split(",")) == set(available())


@pytest.fixture(scope="module")
def pay_sweep(tmp_path_factory):
    """A sweep over a setting, not a programme: social care's pay award at 2% and 10% a year,
    3 seeds, 2 years, a 10% copy of the default system."""
    from tests.helpers import run_wfsim

    folder = tmp_path_factory.mktemp("pay") / "sweep"
    done = run_wfsim("-m", "seed=0,1,2", "scale=0.1", "years=2", "progress=false",
                     "system.sectors.social_care.pay_award=0.02,0.1", f"hydra.sweep.dir={folder}",
                     cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    return folder


def test_a_sweep_over_any_key_compares_each_value_with_the_first(pay_sweep):
    notes = []
    table = compare(pay_sweep, notes)
    low, high = "system.sectors.social_care.pay_award=0.02", "system.sectors.social_care.pay_award=0.1"
    assert set(table["programme"]) == {high} and set(table["baseline"]) == {low}
    assert any(low in n and "--baseline" in n for n in notes)      # says what it compared with
    care = table.query("metric == 'staff_in_post_fte' and sector == 'social_care' and year == 2").iloc[0]
    assert care["n_seeds"] == 3
    assert care["mean_diff"] > 0          # better pay keeps and draws more care staff
    other_way = compare(pay_sweep, [], baseline=high)
    assert set(other_way["programme"]) == {low}
    back = other_way.query("metric == 'staff_in_post_fte' and sector == 'social_care' and year == 2").iloc[0]
    assert back["mean_diff"] == pytest.approx(-care["mean_diff"])
    with pytest.raises(ValueError, match="no scenario named 'nope'.*pay_award=0.02"):
        compare(pay_sweep, [], baseline="nope")


def test_the_report_of_a_sweep_never_pools_two_settings(pay_sweep):
    from analysis.load import load_runs
    from analysis.report import build_report

    runs = load_runs(pay_sweep)
    assert len(runs.runs) == 3 and runs.other_scenario_runs == 3
    assert runs.scenario == "system.sectors.social_care.pay_award=0.02"
    assert {json.loads((pay_sweep / i / "job.json").read_text())["overrides"][-1] for i in runs.run_ids} \
        == {"system.sectors.social_care.pay_award=0.02"}
    html = build_report(runs)
    assert "3 runs of the scenario system.sectors.social_care.pay_award=0.02" in html
    assert "runs with different random seeds" not in html


def test_a_second_run_of_one_scenario_and_seed_is_left_out_and_said(sweep, tmp_path):
    import shutil

    for name in ("0", "1"):
        shutil.copytree(sweep / "0", tmp_path / name)
    shutil.copytree(sweep / "3", tmp_path / "2")
    notes = []
    table = compare(tmp_path, notes)
    first, second = tmp_path / "0", tmp_path / "1"
    assert notes == [f"{second}: left out, the same scenario (baseline) and seed (0) as {first}"]
    assert set(table["n_seeds"]) == {1}
