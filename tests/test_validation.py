"""wfsim-validate: the hindcast's facts are measured the same way on every seed, a hit is a
figure within its tolerance and nothing else, and the report and tables are written."""
import numpy as np
import pandas as pd
import pytest

from experiments.validation import FACTS, hindcast
from sim.commands.validate import main


@pytest.fixture(scope="module")
def facts():
    table, runs = hindcast(range(2), scale=0.01)
    return table, runs


def test_every_fact_has_the_model_beside_it_and_an_honest_status(facts):
    table, runs = facts
    assert len(table) == len(FACTS) and len(runs) == 2
    assert (table["model_low"] <= table["model"]).all() and (table["model"] <= table["model_high"]).all()
    tested = table[table["status"] != "fitted"]
    within = (tested["model"] - tested["observed"]).abs() <= tested["tolerance"]
    assert ((tested["status"] == "hit") == within).all()
    assert set(table["status"]) <= {"fitted", "hit", "miss"}


def test_the_starting_year_reproduces_the_figures_it_was_fitted_to(facts):
    table, _ = facts
    fitted = table[table["status"] == "fitted"]
    assert len(fitted) == 3
    assert ((fitted["model"] - fitted["observed"]).abs() <= fitted["tolerance"]).all(), fitted


def test_the_command_writes_the_report_and_tables(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["--seeds", "2", "--scale", "0.01", "--still-seeds", "0", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["hindcast.csv", "hindcast_paths.csv", "validation.html"]
    html = (out / "validation.html").read_text()
    assert "Observed and simulated" in html and "Stationarity" not in html
    assert all(f.name in html for f in FACTS) and "data:image/png;base64," in html
    paths = pd.read_csv(out / "hindcast_paths.csv")
    assert set(paths["seed"]) == {0, 1} and np.isfinite(paths["value"]).all()
    assert "Social care vacancy rate" in capsys.readouterr().out


@pytest.mark.parametrize("args,words", [
    (["--still-seeds", "1"], "--still-seeds 1: 0 (skip) or at least 2"),
    (["--seeds", "0"], "--seeds 0: at least 1"),
    (["--scale", "2"], "--scale 2.0: above 0 and at most 1"),
])
def test_bad_arguments_are_refused_before_anything_runs(tmp_path, capsys, args, words):
    assert main([*args, "--out", str(tmp_path / "v")]) == 2
    assert words in capsys.readouterr().err and not (tmp_path / "v").exists()


def test_an_output_path_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "notes").write_text("a user's notes\n")
    assert main(["--out", str(tmp_path / "notes")]) == 2
    assert "is a file" in capsys.readouterr().err and (tmp_path / "notes").read_text() == "a user's notes\n"


@pytest.mark.parametrize("seeds", [4, 16])
def test_a_still_system_fails_the_stillness_check_rarely_and_a_drift_fails_it(seeds):
    """The stationarity check's tolerance (experiments.validation.still_verdicts): 16 series of
    paired changes with no drift, seed-to-seed spread 1 point, fail together in about 1% of
    checks (2,000 simulated checks: at most 2.5%); a fixed four standard errors failed one in
    three with 4 seeds. A drift in one series of 25 points with 4 seeds, 5 with 16 (50 and 20
    standard errors), is flagged."""
    from experiments.validation import STILL_FALSE_ALARM, still_verdicts

    rng = np.random.default_rng(1)
    failed = 0
    for _ in range(2000):
        changes = {(str(i), "m"): list(rng.normal(0.0, 0.01, seeds)) for i in range(16)}
        failed += not still_verdicts(changes)["still"].all()
    assert failed / 2000 <= 2.5 * STILL_FALSE_ALARM, failed
    changes = {(str(i), "m"): list(rng.normal(0.0, 0.01, seeds)) for i in range(16)}
    changes[("0", "m")] = list(rng.normal(0.25 if seeds == 4 else 0.05, 0.01, seeds))
    assert not still_verdicts(changes).set_index("sector").loc["0", "still"]
