"""The behaviour fit: the survey's answers read from the worker table, their response to the
burnout weight at equal turnover, the search recovering a coefficient from answers the model
itself gave, and the command refusing bad input. Tiny systems and few rounds: each test runs in
seconds."""
from __future__ import annotations

import pandas as pd
import pytest

from experiments.fit_behaviour.facts import SurveyFact
from experiments.fit_behaviour.search import fit
from experiments.fit_behaviour.trial import TrialSettings, check_coefficients, evaluate, turnover_target
from sim.commands.fit_behaviour import main
from sim.config import ConfigError
from sim.intentions import ANSWERS, survey
from sim.system import load_config

pytest.importorskip("optuna")

TINY = TrialSettings(scale=0.05, seeds=(0,), rounds=2)


@pytest.fixture(scope="module")
def base():
    return load_config(["years=2"]).model_dump(mode="json")


def test_without_behaviour_nobody_is_more_likely_to_leave_than_their_colleagues():
    """Every multiplier of the leave hazard at 1: each worker's hazard is their cell's, so no one
    is above the thresholds; the same model with the default behaviour has some who are."""
    from sim import WorkforceModel

    flat = ["years=1", "behaviour.leaving.burnout_weight=0", "behaviour.leaving.unmet_flex_multiplier=1",
            "behaviour.leaving.first_year_multiplier=1", "behaviour.leaving.pay_sensitivity=0",
            "behaviour.leaving.age_multiplier={16: 1.0}", "behaviour.leaving.route_multiplier={}"]
    answers = {}
    for name, overrides in (("flat", flat), ("default", ["years=1"])):
        m = WorkforceModel(load_config(overrides), scale=0.05, threads=1)
        for _ in range(3):
            m.step()
        answers[name] = survey(m)
    assert answers["flat"]["thinking_of_leaving"] == 0.0 and answers["flat"]["looking_for_job"] == 0.0
    d = answers["default"]
    assert 0 < d["looking_for_job"] <= d["thinking_of_leaving"] < 1   # every looker also thinks of it
    assert set(d) == set(ANSWERS)


def test_more_burnout_weight_more_thinking_of_leaving_at_equal_turnover(base):
    """With burnout spread between colleagues (noise 0.4), a larger burnout weight concentrates
    the wish to leave on the burnt out; the refit keeps the trusts' turnover where it was."""
    low, high = (evaluate(base, {"behaviour.burnout.noise": 0.4, "behaviour.leaving.burnout_weight": w},
                          TrialSettings(scale=0.1, seeds=(0, 1), rounds=3)) for w in (0.5, 5.0))
    assert high["thinking_of_leaving"] > low["thinking_of_leaving"] + 0.02
    assert high["looking_for_job"] > low["looking_for_job"] + 0.02
    target = turnover_target(load_config([]))
    for r in (low, high):
        assert abs(r["turnover_nhs_trusts"] - target) < 0.01
    assert abs(high["turnover_nhs_trusts"] - low["turnover_nhs_trusts"]) < 0.01


def test_the_search_recovers_a_coefficient_from_the_models_own_answers(base):
    """Answers given by the model at burnout noise 0.3 (seed 5), fitted on another seed."""
    truth = 0.3
    made = evaluate(base, {"behaviour.burnout.noise": truth},
                    TrialSettings(scale=0.05, seeds=(5,), rounds=2))
    facts = [SurveyFact(a, made[a], 0.02, "the model at noise 0.3") for a in ANSWERS]
    res = fit(base, {"behaviour.burnout.noise": (0.05, 0.5)}, trials=12, settings=TINY, seed=0,
              profile_points=4, log=lambda _: None, facts=facts)
    assert abs(res.best["behaviour.burnout.noise"] - truth) < 0.05
    d = res.diagnostic.iloc[0]
    assert d["plausible_low"] <= truth <= d["plausible_high"]
    assert d["verdict"] == "well pinned down"
    assert len(res.trials) == 12 and len(res.profile) == 4
    # seeded: the same search gives the same trials
    again = fit(base, {"behaviour.burnout.noise": (0.05, 0.5)}, trials=12, settings=TINY, seed=0,
                profile_points=0, log=lambda _: None, facts=facts)
    pd.testing.assert_frame_equal(again.trials.drop(columns="seconds"), res.trials.drop(columns="seconds"))


def test_coefficients_are_checked_before_anything_runs(base):
    for coefficients, message in (({"behaviour.leaving.no_such_weight": (0, 1)}, "not a config key"),
                                  ({"behaviour.leaving.burnout_weight": (3, 1)}, "reversed"),
                                  ({"behaviour.burnout.recovery": (0, 0.2)}, "not a valid value"),
                                  ({"system.sectors.acute.pay_award": (0, 0.1)}, "only behaviour"),
                                  ({}, "no coefficients")):
        with pytest.raises(ConfigError, match=message):
            check_coefficients(base, coefficients)


def test_the_command_refuses_bad_input_with_exit_code_2(tmp_path, capsys):
    out = ["--out", str(tmp_path / "fit")]
    for args, message in ((["--fit", "behaviour.leaving.no_such_weight=0,1"], "not a config key"),
                          (["--fit", "behaviour.leaving.burnout_weight=3,1"], "reversed"),
                          (["--fit", "behaviour.leaving.burnout_weight=1,2",
                            "--fit", "behaviour.leaving.burnout_weight=1,3"], "given twice"),
                          (["system=nowhere"], "nowhere")):
        assert main(args + out) == 2, args
        assert message in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["--out", str(tmp_path / "file")]) == 2
    assert "is a file" in capsys.readouterr().err
    for args in (["--fit", "burnout_weight"], ["--trials", "0"], ["--scale", "-1"]):
        with pytest.raises(SystemExit) as err:
            main(args + out)
        assert err.value.code == 2
    assert not (tmp_path / "fit").exists()
