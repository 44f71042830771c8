"""Fixtures of the analysis tests: synthetic output folders (tests/analysis/synthetic_outputs.py)."""
from tests.analysis.synthetic_outputs import (  # noqa: F401 - fixtures are found by name
    make_simulator_experiment,
    make_synthetic_comparison,
    make_synthetic_multirun,
    make_synthetic_run,
    synthetic_experiment,
    synthetic_multirun,
    synthetic_programme_run,
    synthetic_run,
)
