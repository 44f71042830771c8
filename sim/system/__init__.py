"""Which system a run simulates: a preset of `configs/system/`, or an ICS's own numbers.

An ICS's own numbers come as a CSV file (`file`), are built into a full system on top of the
embedded default (`build`), calibrated so that the first simulated years reproduce the file's
rates (`calibrate`, the algorithm; `fit`, the cache next to the file). `load_config` is what the
`wfsim` command runs for a list of overrides, presets and files alike.
"""
from __future__ import annotations

from sim.system.run_config import load_config, to_run_config, validate_raw

__all__ = ["load_config", "to_run_config", "validate_raw"]
