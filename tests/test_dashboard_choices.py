"""What the dashboard runs for a choice: the baseline is current policy unless the user picks
the system as it stands; a named scenario is compared with it on the same seeds, by its name."""
import pandas as pd

from sim.commands.dashboard import choices, runs


def test_the_baseline_is_current_policy_and_a_scenario_replaces_it_in_the_compared_runs():
    choice = choices.Choice(seeds=[0, 1], scenario="fair_pay_agreement", programmes=["i_can"])
    planned = choice.runs()
    assert [(s, seed) for s, seed, _ in planned] == [("baseline", 0), ("scenario", 0), ("baseline", 1),
                                                     ("scenario", 1)]
    assert "scenario=current_policy" in planned[0][2]
    assert "scenario=fair_pay_agreement" in planned[1][2] and "scenario=current_policy" not in planned[1][2]
    assert "intervention=[i_can]" in planned[1][2]
    plain = choices.Choice(seeds=[0], programmes=["i_can"], baseline=None)
    assert not any(o.startswith("scenario=") for _, _, overrides in plain.runs() for o in overrides)


def test_a_choice_saved_before_scenarios_reads_as_the_system_as_it_stands():
    old = {"system": "default", "system_file": None, "programmes": ["i_can"], "values": {}, "years": 1,
           "seeds": [0], "scale": 0.05}
    choice = choices.Choice.from_json(old)
    assert choice.baseline is None and choice.scenario is None
    again = choices.Choice.from_json(choices.Choice(scenario="fair_pay_agreement").to_json())
    assert again.baseline == "current_policy" and again.scenario == "fair_pay_agreement"


def test_only_the_scenarios_that_fit_a_system_are_offered():
    assert {"current_policy", "fair_pay_agreement", "international_below_10pct"} <= set(
        choices.scenarios_for("default"))
    assert "hindcast_2022" not in choices.scenarios_for("default")       # dated before its start
    assert "hindcast_2022" in choices.scenarios_for("england_2022")


def test_a_scenario_run_from_the_page_is_compared_by_its_name(tmp_path):
    choice = choices.Choice(years=2, seeds=[0], scale=0.05, scenario="international_below_10pct")
    planned = runs.validate(choice)
    folder = runs.start(tmp_path, "quick", choice)
    runs.run_all(folder, planned)
    table = pd.read_parquet(folder / "comparison.parquet")
    assert set(table["programme"]) == {"international_below_10pct"}
    assert set(table["baseline"]) == {"current_policy"}
