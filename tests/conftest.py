"""Shared fixtures: small populations keep the suite fast; the calibration test uses the full default.
Helpers (ROOT, run_wfsim) are in tests/helpers.py."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_starts():
    """Each test builds its own runs' starts (sim.start keeps the last few in a process)."""
    from sim import start

    start.forget()


@pytest.fixture(scope="session")
def small_run():
    """A 2-year run of a ~3,000-worker system (5% of the default)."""
    from sim import WorkforceModel

    m = WorkforceModel(years=2, seed=11, scale=0.05)
    m.run()
    return m
