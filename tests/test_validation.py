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
