"""The Numba kernels and the plain one-agent-per-worker reference agree exactly."""
import numpy as np
import pytest

from sim import WorkforceModel
from sim.reference import WorkerAgent
from sim.workers import FIELDS


@pytest.mark.parametrize("seed", [1, 2])
def test_kernels_match_reference_exactly(seed):
    runs = {}
    for engine in ("kernels", "reference"):
        m = WorkforceModel(years=2, seed=seed, scale=0.02, engine=engine)
        m.run()
        runs[engine] = m
    k, r = runs["kernels"], runs["reference"]
    assert len(r.agents_by_type[WorkerAgent]) == len(k.engine) > 1000
    assert k.timeseries().equals(r.timeseries())
    assert k.flows().equals(r.flows())
    a, b = k.engine.snapshot(), r.engine.snapshot()
    for field in FIELDS:
        np.testing.assert_array_equal(a[field], b[field], err_msg=field)
    # Something happened: people left, moved and joined.
    assert k.flows()["count"].sum() > 500
