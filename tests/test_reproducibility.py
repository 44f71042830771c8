"""Same config and seed give the same files, bit for bit, whatever the number of threads."""
import json

import numpy as np
import pandas as pd
import pytest

from sim import WorkforceModel
from tests.helpers import run_wfsim

SMALL = ["years=2", "system.sectors.social_care.employers=60", "progress=false"]


def _outputs(folder):
    summary = json.loads((folder / "summary.json").read_text())
    for key in ("wall_time_s", "phase_seconds", "git_revision"):
        summary["manifest"].pop(key)
    return ((folder / "timeseries.parquet").read_bytes(), (folder / "flows.parquet").read_bytes(),
            summary)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three CLI runs: seed 0 on 1 thread, seed 0 on 2 threads, seed 1 on 2 threads."""
    base = tmp_path_factory.mktemp("runs")
    out = {}
    for name, args in {"a": ["seed=0", "threads=1"], "b": ["seed=0", "threads=2"],
                       "c": ["seed=1", "threads=2"]}.items():
        # NUMBA_NUM_THREADS=2 makes two threads available even on a one-core machine.
        res = run_wfsim(*SMALL, *args, f"hydra.run.dir={base / name}", cwd=base,
                        env={"NUMBA_NUM_THREADS": "2"})
        assert res.returncode == 0, res.stderr
        out[name] = base / name
    return out


@pytest.mark.slow  # wfsim subprocesses
def test_same_seed_gives_identical_files_on_1_and_2_threads(runs):
    assert _outputs(runs["a"]) == _outputs(runs["b"])


@pytest.mark.slow  # wfsim subprocesses
def test_different_seed_gives_different_numbers(runs):
    a = pd.read_parquet(runs["a"] / "timeseries.parquet")
    c = pd.read_parquet(runs["c"] / "timeseries.parquet")
    assert a.shape == c.shape
    assert not a["leavers"].equals(c["leavers"])
    assert not np.allclose(a["mean_burnout"], c["mean_burnout"])


def test_thread_count_is_really_used():
    import numba

    WorkforceModel(years=1, scale=0.01, threads=1)
    assert numba.get_num_threads() == 1
    WorkforceModel(years=1, scale=0.01, threads=numba.config.NUMBA_NUM_THREADS)
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


def test_a_change_elsewhere_leaves_other_workers_draws_alone():
    """Common random numbers: making flexible working easier in social care changes nothing,
    in the first week, for workers of the other sectors."""
    from sim.system import load_config

    base = load_config(["years=1"])
    changed = load_config(["years=1", "system.sectors.social_care.flexible_grant_rate=0.5"])
    snaps = []
    for cfg in (base, changed):
        m = WorkforceModel(cfg, scale=0.05)
        m.step()
        snaps.append(m.engine.snapshot())
    a, b = snaps
    # the same workers of the other sectors are in post (a care worker may have left in one run)
    np.testing.assert_array_equal(a["id"][a["sector"] != 3], b["id"][b["sector"] != 3])
    both = np.intersect1d(a["id"], b["id"])
    a, b = (snap.take(np.isin(snap["id"], both)) for snap in snaps)
    care = a["sector"] == 3
    for field in ("burnout", "sick", "flex", "employer"):
        np.testing.assert_array_equal(a[field][~care], b[field][~care], err_msg=field)
    assert not np.array_equal(a["flex"][care], b["flex"][care])


def test_a_run_in_a_batch_gives_what_it_gives_alone():
    """A batch's later seeds reuse the arrays built for its first (sim.params.build keeps them):
    each run gets its own copy, so a run that changes its arrays (a dated training intake) leaves
    the next run's alone, and a run gives the same numbers whether or not one ran before it."""
    from sim import params as pm
    from sim.system import load_config

    cfg = load_config(["years=2", "scale=0.05", "+timeline.t.key=system.training.nurse.intake_per_year",
                       "+timeline.t.by_year={2025: 0}"])
    nurse = cfg.system.roles.index("nurse")
    pm._BUILT.clear()
    alone = WorkforceModel(cfg, seed=3, threads=1)
    alone.run()
    first = WorkforceModel(cfg, seed=2, threads=1)
    first.run()
    again = WorkforceModel(cfg, seed=3, threads=1)
    assert again.params is not first.params and again.params.seed == 3
    again.run()
    pd.testing.assert_frame_equal(alone.timeseries(), again.timeseries())
    assert again.params.training_intake[nurse] == 0
    configured = cfg.system.training["nurse"].intake_per_year * cfg.scale
    assert pm.build(cfg, cfg.scale).training_intake[nurse] == configured


def test_the_starting_workforce_is_the_same_drawn_in_one_block_or_many(monkeypatch):
    """The starting workers are drawn a block of rows at a time (to keep the build's memory
    small); every draw is keyed by the worker's id, so blocks of any size give the same people."""
    from sim import population, start
    from sim.system import load_config

    cfg = load_config(["years=1", "scale=0.1"])

    def built():
        m = WorkforceModel(cfg, seed=4, threads=1)
        return m.engine.snapshot()

    whole = built()
    monkeypatch.setattr(population, "BUILD_BLOCK", 997)
    start.forget()
    blocks = built()
    assert len(whole) > 5 * 997
    for k in whole.arrays:
        np.testing.assert_array_equal(whole[k], blocks[k], err_msg=k)


def test_a_run_from_a_kept_start_gives_what_a_fresh_start_gives(monkeypatch):
    """A process keeps its last few starts (sim.start: the state at week 0, which programmes do
    not change) and hands each run a copy: a programme's run after the baseline's, same seed,
    starts from the baseline's start and gives what it gives from a start of its own, bit for
    bit; the baseline's run leaves the kept start as it was."""
    from sim import start
    from sim.system import load_config

    base = load_config(["years=2", "scale=0.05"])
    with_programme = load_config(["years=2", "scale=0.05", "intervention=[i_can,referral]"])
    built = []
    build_start = start.build_start
    monkeypatch.setattr(start, "build_start", lambda *a: built.append(1) or build_start(*a))

    def run(cfg, seed):
        m = WorkforceModel(cfg, seed=seed, threads=1)
        m.run()
        return m

    own = run(with_programme, 5)
    start.forget()
    run(base, 5)
    assert len(built) == 2
    kept = run(with_programme, 5)
    run(base, 6)
    assert len(built) == 3            # the programme's run took the kept start; another seed did not
    pd.testing.assert_frame_equal(own.timeseries(), kept.timeseries())
    pd.testing.assert_frame_equal(own.flows(), kept.flows())
    pd.testing.assert_frame_equal(own.programme_table(), kept.programme_table())
    for k, v in own.snapshot().arrays.items():
        np.testing.assert_array_equal(v, kept.snapshot()[k], err_msg=k)
    reference = WorkforceModel(base, seed=5, engine="reference", threads=1)
    assert len(built) == 4 and reference.engine is not kept.engine   # its agents are its model's
