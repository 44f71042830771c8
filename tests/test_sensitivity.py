"""Sensitivity analysis: SALib's wiring on a function with known indices, then on the model."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.sensitivity.experiment import plan, run_analysis
from experiments.sensitivity.methods import morris, morris_runs, problem, sobol, sobol_runs
from experiments.sensitivity.settings import Settings
from sim.config import ConfigError
from tests.helpers import ROOT, run_wfsim

pytest.importorskip("SALib")

ISHIGAMI = {"x1": (-np.pi, np.pi), "x2": (-np.pi, np.pi), "x3": (-np.pi, np.pi)}
# Analytic indices of the Ishigami function (a=7, b=0.1).
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(X: np.ndarray, stage: str) -> np.ndarray:
    from SALib.test_functions import Ishigami

    calls.append((stage, len(X)))
    return Ishigami.evaluate(X)[:, None]


calls: list = []


def test_sobol_recovers_the_ishigami_indices():
    calls.clear()
    df = sobol(problem(ISHIGAMI), ishigami, ["y"], n=2048, seed=3).set_index("parameter")
    assert calls == [("sobol", sobol_runs(3, 2048))]
    for name in ISHIGAMI:
        for idx, truth in (("S1", S1[name]), ("ST", ST[name])):
            est, conf = df.loc[name, idx], df.loc[name, f"{idx}_conf"]
            assert abs(est - truth) < max(2 * conf, 0.03), (name, idx, est, conf)
            assert df.loc[name, f"{idx}_lo"] < df.loc[name, f"{idx}_hi"]


def test_morris_screens_the_ishigami_function():
    calls.clear()
    df = morris(problem(ISHIGAMI), ishigami, ["y"], trajectories=40, levels=4, seed=1).set_index("parameter")
    assert calls == [("morris", morris_runs(3, 40))]
    assert (df["mu_star"] > 0).all() and (df["mu_star_conf"] >= 0).all()
    # x3 acts only through its interaction with x1: large effects of both signs, mean near 0
    assert abs(df.loc["x3", "mu"]) < 0.5 * df.loc["x3", "mu_star"]
    assert df.loc["x3", "mu_star"] < df.loc["x1", "mu_star"]
    assert df.loc["x1", "rank"] == 1


def test_settings_are_checked_and_the_plan_counts_runs():
    base = {"years": 2}
    s = Settings.from_dict({"parameters": {"a.b": [1, 3], "c": [0.1, 0.2], "d": [0, 1]},
                            "morris": {"trajectories": 5}, "sobol": {"n": 16, "top": 2}})
    p = plan(base, s)
    assert p["morris_runs"] == 5 * 4 and p["sobol_runs"] == 16 * 4 and p["runs"] == 84 and p["year"] == 2
    for bad, key in (({"parameters": {"a": [3, 1]}}, "sensitivity.parameters.a"),
                     ({"parameters": {"a": [0, 1]}, "sobol": {"n": 100}}, "sensitivity.sobol.n"),
                     ({"parameters": {"a": [0, 1]}, "outputs": ["staff"]}, "sensitivity.outputs"),
                     ({"parameters": {"a": [0, 1]}, "colour": 1}, "unknown key")):
        with pytest.raises(ConfigError, match=key):
            Settings.from_dict(bad)


PARAMS = {"behaviour.leaving.burnout_weight": [1.0, 3.0],
          "behaviour.leaving.pay_sensitivity": [0.5, 1.5],
          "behaviour.sickness.burnout_weight": [0.5, 1.5]}


@pytest.mark.slow  # dozens of model runs
def test_the_model_analysis_runs_resumes_and_ranks_burnout_first(tmp_path):
    from sim.system import load_config

    base = load_config(["years=1"]).model_dump(mode="json")
    s = Settings.from_dict({"parameters": PARAMS, "outputs": ["fte", "vacancy_rate"], "scale": 0.02,
                            "morris": {"trajectories": 2}, "sobol": {"n": 4, "top": 2}, "n_jobs": 1})
    res = run_analysis(base, s, tmp_path, log=lambda m: None)
    info = res["info"]
    assert info["runs_made"] == res["plan"]["runs"] == 2 * 4 + 4 * 4
    m = pd.read_parquet(tmp_path / "sensitivity_morris.parquet")
    assert set(m["output"]) == {"fte", "vacancy_rate"} and len(m) == 6
    first = m[m["output"] == "fte"].sort_values("rank")
    assert first["parameter"].iloc[0] == "behaviour.leaving.burnout_weight"
    so = pd.read_parquet(tmp_path / "sensitivity_sobol.parquet")
    assert sorted(so["parameter"].unique()) == sorted(info["sobol_chosen"]) and len(info["sobol_chosen"]) == 2
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(so.columns)
    assert (tmp_path / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "sensitivity.json").read_text())["plan"]["runs"] == 24

    # a rerun in the same folder reuses every finished run (the checkpoint) and gives the same table
    again = run_analysis(base, s, tmp_path, log=lambda m: None)
    assert again["info"]["runs_made"] == 0 and again["info"]["runs_reused"] == 24
    pd.testing.assert_frame_equal(again["morris"], res["morris"])


@pytest.mark.slow  # wfsim subprocesses
def test_the_command_prints_the_plan_and_refuses_unknown_keys(tmp_path):
    r = run_wfsim("experiment=sensitivity", "sensitivity.plan_only=true", f"hydra.run.dir={tmp_path}/sa",
                  cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "runs in all" in r.stdout and "Morris screening" in r.stdout
    assert not (tmp_path / "sa").exists() or not any((tmp_path / "sa").iterdir())
    r = run_wfsim("experiment=sensitivity", "sensitivity.plan_only=true",
                  "+sensitivity.parameters.behaviour.leaving.no_such_key=[0,1]",
                  f"hydra.run.dir={tmp_path}/sa", cwd=ROOT)
    assert r.returncode == 2
    assert "behaviour.leaving.no_such_key" in r.stderr


def test_refitting_base_rates_keeps_turnover_at_its_target_whatever_the_burnout_weight():
    """Without a refit the burnout weight moves the first year's turnover by points; refitted at
    each point, turnover stays at the system's target and only what behaviour changes beyond it
    is left to measure."""
    from experiments.sensitivity.runs import run_point
    from sim.system import load_config

    cfg = load_config(["years=2"])
    base = cfg.model_dump(mode="json")
    roles = [r for s in cfg.system.sectors.values() for r in s.roles.values()]
    target = np.average([r.turnover for r in roles], weights=[r.headcount for r in roles])
    key = ["behaviour.leaving.burnout_weight"]
    plain, refitted = ([run_point(base, key, [w], 0.05, 1, ["turnover_rate"], threads=1,
                                  refit_rounds=rounds)[0] for w in (1.0, 3.0)] for rounds in (0, 3))
    assert plain[1] - plain[0] > 0.02, plain
    assert abs(refitted[1] - refitted[0]) < 0.4 * (plain[1] - plain[0]), (plain, refitted)
    assert all(abs(t - target) < 0.015 for t in refitted), (refitted, target)
    with pytest.raises(ConfigError, match="refit_rounds"):
        Settings.from_dict({"parameters": {"a": [0, 1]}, "refit_base_rates": True, "refit_rounds": 0})
