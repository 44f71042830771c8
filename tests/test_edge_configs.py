"""Configs at the edges of what the schema allows: each either runs with sound outputs or is
refused with a message naming its key. Every case here once crashed, gave a wrong number or was
accepted although it meant nothing."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from sim import WorkforceModel
from sim.commands.calibrate import calibrate_main
from sim.config import ConfigError
from sim.params import AgeStructureWarning
from sim.system import load_config
from sim.system.build import load
from sim.system.file import COLUMNS
from sim.workers import Cohort
from tests.fuzz.invariants import violations

STARTING_IDS = 2**42   # sim.population.hire_id: starting workers have ids below this


def refused(overrides: list[str], *words: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(overrides)
    for w in words:
        assert w in str(err.value)


# ------------------------------------------------------------------------ crashes that ran
def test_a_week_with_no_hires_keeps_the_hires_arrival_week():
    empty = Cohort.empty({"arrival_week": np.int32})
    assert "arrival_week" in Cohort.concat([empty, empty.take(np.zeros(0, bool))]).arrays


def test_a_tiny_system_whose_warm_up_weeks_hire_nobody_runs():
    """`wfsim years=1 scale=0.002 seed=2` stopped with KeyError: 'arrival_week'."""
    m = WorkforceModel(years=1, scale=0.002, seed=2)
    m.run()
    assert m.week == 52


def test_a_one_row_system_file_of_300_nurses_runs(tmp_path):
    csv = tmp_path / "ward.csv"
    csv.write_text(",".join(COLUMNS) + "\nacute,nurse,300,267,0.1,0.115,0.056,42,0.19,37000\n")
    built = load(csv)
    cfg = load_config(["years=1"]).model_dump(mode="python")
    for seed in range(10):   # the calibration's seeds; seeds 2 and 8 hired nobody in a warm-up week
        m = WorkforceModel({**cfg, "seed": seed, "system": built.system})
        m.run()
        assert m.week == 52


def test_no_burnout_recovery_is_refused_not_divided_by():
    refused(["behaviour.burnout.recovery=0"], "behaviour.burnout.recovery = 0", "greater than 0")


@pytest.mark.parametrize("override,key", [
    ("intervention.i_can.recruits_per_year=inf", "intervention.i_can.recruits_per_year = inf"),
    ("behaviour.leaving.burnout_weight=inf", "behaviour.leaving.burnout_weight = inf"),
    ("system.sectors.acute.roles.nurse.pay_gbp=nan", "system.sectors.acute.roles.nurse.pay_gbp = nan"),
])
def test_infinite_and_nan_values_are_refused(override, key):
    overrides = ["intervention=[i_can]"] if "i_can" in override else []
    refused([*overrides, override], key, "finite number")


def test_destination_shares_stay_finite_when_pay_drifts_far_apart():
    """Decades of different pay awards can put one sector's pay 10,000 times another's: the
    pull of pay overflowed exp() and every destination share became NaN."""
    from sim import employer_phases as ep

    m = WorkforceModel(load_config(["years=1", "behaviour.mobility.pay_pull=100"]), scale=0.01)
    m.state.pay_scale = m.state.pay_scale * np.array([1e4, 1, 1, 1])[:, None]
    cum = ep.destination_shares(m.params, m.state)
    assert np.isfinite(cum).all() and np.allclose(cum[..., -1], 1.0)


def test_a_pay_far_above_the_others_starts_a_sound_workforce():
    """A support worker paid GBP 5.5M (the schema allows it) made the steady state's movers
    between sectors overflow exp(), and the starting mix of routes in became NaN."""
    cfg = load_config(["years=1", "system.sectors.acute.roles.support.pay_gbp=5538860"])
    with pytest.warns(AgeStructureWarning):
        m = WorkforceModel(cfg, scale=0.0102)
    assert np.isfinite(m.params.stock_route_mix).all() and np.isfinite(m.params.hire_fte_units).all()
    m.run()
    assert np.isfinite(m.timeseries()["fte"]).all()


# ------------------------------------------------------------------- a wrong number, silently
def test_starting_workers_joined_before_the_run():
    """A starting worker with no weeks of tenure had join_week 0 and so counted as a leaver of
    intake cohort 0 without being one of its joiners."""
    snap = WorkforceModel(years=1, scale=0.05, seed=3).snapshot()
    starting = snap["id"] < STARTING_IDS
    assert starting.any() and (snap["join_week"][starting] < 0).all()


def test_cohort_retention_stays_within_0_and_1(tmp_path):
    """A config the fuzz suite found with in_post -1 of 13 joined in cohort 0 (starting workers
    who left counted against the intake)."""
    from sim.runs.run_folder import write_run

    cfg = load_config(["years=1", "seed=0", "behaviour.leaving.first_year_multiplier=50",
                       "system.sectors.acute.roles.support.turnover=0.91",
                       "behaviour.recruitment.time_to_hire_weeks.education=0"])
    m = WorkforceModel(cfg, scale=0.0129)
    m.run()
    co = m.cohort_table()
    assert (co["in_post"] >= 0).all() and co["retention"].between(0, 1).all()
    write_run(m, tmp_path, 0.0)
    assert violations(tmp_path) == []


def test_rates_of_a_sector_without_staff_are_null_in_valid_json(tmp_path):
    from sim.runs.run_folder import write_run

    m = WorkforceModel(load_config(["years=2", "system=blmk"]), scale=2e-5)
    m.run()
    write_run(m, tmp_path, 0.0)
    text = (tmp_path / "summary.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in summary.json"))


# ---------------------------------------------------------- accepted, but meaning nothing
@pytest.mark.parametrize("pair", ["[40,20]", "[5,200]"])
def test_programme_age_ranges_must_be_working_ages(pair):
    refused(["intervention=[i_can]", f"intervention.i_can.age_range={pair}"],
            "intervention.i_can.age_range", "16 <= low <= high <= 75")


def test_behaviour_age_ranges_must_be_working_ages():
    refused(["behaviour.recruitment.age_range.education=[5,200]"], "age_range.education")


def test_a_negative_sector_choice_is_refused():
    refused(["intervention=[rotational_apprenticeships]",
             "intervention.rotational_apprenticeships.sector_choice.acute=-0.3"],
            "intervention.rotational_apprenticeships.sector_choice.acute = -0.3")


def test_flexible_working_shares_cannot_add_up_to_more_than_everyone():
    refused(["behaviour.flexible_working.share_met=0.9", "behaviour.flexible_working.share_unmet=0.9"],
            "behaviour.flexible_working", "share_met + share_unmet = 1.8")


def test_more_employers_than_ids_allow_is_refused():
    refused(["scale=1000"], "432,000 employers", "at most 32,000")


def test_a_settings_file_with_a_list_of_roles_is_refused_naming_the_key(tmp_path, capsys):
    csv = tmp_path / "ics.csv"
    csv.write_text(",".join(COLUMNS) + "\nacute,nurse,300,267,0.1,0.115,0.056,42,0.19,37000\n")
    (tmp_path / "ics.yaml").write_text("sectors:\n  acute:\n    roles: [nurse]\n")
    assert calibrate_main([str(csv)]) == 2
    assert "key 'sectors.acute.roles'" in capsys.readouterr().err


@pytest.mark.parametrize("args,words", [
    (["--rounds", "-1"], ["--rounds", "at least 1"]),
    (["--seeds", "-3"], ["--seeds", "at least 0"]),
    (["--scale", "0"], ["--scale", "above 0"]),
])
def test_calibrate_refuses_bad_options(tmp_path, capsys, args, words):
    csv = tmp_path / "ics.csv"
    csv.write_text(",".join(COLUMNS) + "\nacute,nurse,300,267,0.1,0.115,0.056,42,0.19,37000\n")
    with pytest.raises(SystemExit) as stop:
        calibrate_main([str(csv), *args])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words)


def test_calibrate_checks_out_before_calibrating(tmp_path, capsys):
    csv = tmp_path / "ics.csv"
    csv.write_text(",".join(COLUMNS) + "\nacute,nurse,300,267,0.1,0.115,0.056,42,0.19,37000\n")
    assert calibrate_main([str(csv), "--out", str(tmp_path / "missing" / "ics.yaml")]) == 2
    out = capsys.readouterr()
    assert "no folder" in out.err and "calibrated in" not in out.out


# --------------------------------------------------------- plausible data that was refused
def test_a_young_workforce_runs_and_says_how_far_its_ages_are_from_a_steady_state(tmp_path):
    """Mean age 39 with 21% aged 55+ (a young acute support workforce) was refused. It runs; its
    ages start from the model's steady state nearest to the file's (the share aged 55+ first),
    and the run says how far that is from the file's mean age."""
    csv = tmp_path / "young.csv"
    csv.write_text(",".join(COLUMNS) + "\nacute,support,2000,1800,0.1,0.2,0.05,39,0.21,24000\n")
    built = load(csv)
    cfg = load_config(["years=1"]).model_dump(mode="python")
    with pytest.warns(AgeStructureWarning, match=r"mean age 39\.0 with 21% aged 55\+") as caught:
        snap = WorkforceModel({**cfg, "system": built.system}).snapshot()
    said = float(re.search(r"starts at mean age ([0-9.]+)", str(caught[0].message)).group(1))
    age = snap["age"].astype(float)
    assert abs(age.mean() - said) < 1.0 and abs((age >= 55).mean() - 0.21) < 0.03
    assert age.mean() < 45                       # as young as the flows allow, not the default's
