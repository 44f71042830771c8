"""The public face a Mesa user expects."""
import gc
import weakref

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import PHASES, WorkforceModel
from sim.employers import Employer
from sim.system import load_config


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


def test_locate_finds_workers_in_post_and_only_them():
    """Each id asked for: in post and where (as the snapshot has it), or not: ids of workers who
    left, ids never used and ids asked twice included, in any order. Asked again about the same
    people week after week (the engine looks first where it found them), while they move, leave,
    and new joiners arrive, the answers stay those of the snapshot."""
    m = WorkforceModel(load_config(["years=1"]), seed=0, scale=0.05, threads=1)
    start = m.snapshot()["id"]
    for _ in range(30):
        m.step()
    asked = None
    for week in range(6):
        snap = m.snapshot()
        where = dict(zip(snap["id"].tolist(), snap["employer"].tolist(), strict=True))
        gone = np.setdiff1d(start, snap["id"])[:20]
        newest = snap["id"][np.argsort(snap["id"])[-5:]]
        never = np.array([2**50, 2**50 + 3], np.uint64)
        ids = np.concatenate([snap["id"][::7], gone, never, snap["id"][:5], newest])
        if asked is not None:
            ids = np.concatenate([ids, asked])
        ids = ids[np.random.default_rng(week).permutation(len(ids))]
        alive, employer = m.locate(ids)
        assert len(gone) > 0 and alive.sum() > 0
        for i, ok, e in zip(ids.tolist(), alive, employer, strict=True):
            assert ok == (i in where) and e == where.get(i, -1)
        asked = ids
        m.step()


@pytest.mark.parametrize("engine", ["kernels", "reference"])
def test_a_finished_model_is_freed(engine):
    """A process that runs many models (a sweep's worker, the dashboard) keeps none of them:
    Mesa 3.3 numbers agents in a class-level dict that would hold every model made."""
    m = WorkforceModel(years=1, scale=0.01, seed=1, engine=engine)
    for _ in range(2):
        m.step()
    assert m.agents and all(a.unique_id >= 1 for a in m.agents)
    gone = weakref.ref(m)
    del m
    gc.collect()
    assert gone() is None
