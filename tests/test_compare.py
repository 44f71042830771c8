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
    params = OmegaConf.load(CONFIG_DIR / "experiment" / "compare_programmes.yaml").hydra.sweeper.params
    assert params.seed == "range(0,20)"
    scenarios = str(params.intervention).split("],[")
    assert len(scenarios) == len(available()) + 2  # baseline, each alone, all together
    assert scenarios[0] == "[" and set(scenarios[-1].strip("[]").split(",")) == set(available())
