"""The public face a Mesa user expects."""
import mesa
import pandas as pd

from sim import PHASES, WorkforceModel
from sim.employers import Employer


def test_step_datacollector_and_employers():
    m = WorkforceModel(years=1, scale=0.05, seed=3)
    for _ in range(4):
        m.step()
    assert m.steps == 4 and m.week == 4 and m.running
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 5  # at the start and after each step
    assert {"headcount", "vacancy_rate", "agency_cost_gbp", "headcount_social_care"} <= set(df.columns)
    assert (df["headcount"] > 2500).all()
    employers = m.agents_by_type[Employer]
    assert len(employers) == m.params.n_employers
    assert sum(int(e.staff_in_post.sum()) for e in employers) == df["headcount"].iloc[-1]
    assert [name for name, _ in PHASES][0] == "demand" and PHASES[-1][0] == "record"
    assert set(m.phase_seconds) == {name for name, _ in PHASES}


def test_runs_to_the_horizon_and_stops():
    m = WorkforceModel(years=1, scale=0.02)
    m.run()
    assert m.week == 52 and not m.running
    try:
        m.step()
    except RuntimeError as err:
        assert "horizon" in str(err)
    else:
        raise AssertionError("stepping past the horizon should fail")


def test_batch_run():
    results = mesa.batch_run(WorkforceModel, parameters={"seed": [0, 1], "years": 1, "scale": 0.02},
                             max_steps=6, number_processes=1, display_progress=False)
    df = pd.DataFrame(results)
    assert set(df["seed"]) == {0, 1} and (df["Step"] == 6).all()
    assert df.groupby("seed")["headcount"].first().nunique() == 2
