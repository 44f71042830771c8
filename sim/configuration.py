"""Compose and validate a run configuration outside the command line (Python use, tests)."""
from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import RunConfig, validate

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


def compose_config(overrides: list[str] | None = None):
    """The Hydra config (an OmegaConf object) for these command-line style overrides."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides or []))


def is_from_file(system) -> bool:
    """A system given by a file (`system=from_file system.path=...`) rather than a preset."""
    return isinstance(system, dict) and "path" in system   # the schema has no `path`: never a preset


def validate_raw(raw: dict) -> RunConfig:
    """Validate the composed config as a plain dict (without `hydra`). A system given by a file
    is read, checked and calibrated here (or its saved calibration reused), before anything
    runs; a bad file raises a `ConfigError` naming the file, row, column and value."""
    if is_from_file(raw.get("system")):
        from sim.system_build import embedded_default
        from sim.system_fit import resolve

        validate({**raw, "system": embedded_default()})  # the other keys first: fail before calibrating
        raw = {**raw, "system": resolve(raw["system"], raw.get("behaviour"))}
    return validate(raw)


def to_run_config(cfg) -> RunConfig:
    """The validated run config of a composed Hydra config (see `validate_raw`)."""
    raw = OmegaConf.to_container(cfg, resolve=True)
    raw.pop("hydra", None)
    return validate_raw(raw)


def load_config(overrides: list[str] | None = None) -> RunConfig:
    """`load_config(["years=2", "seed=3"])` is what `wfsim years=2 seed=3` would run."""
    return to_run_config(compose_config(overrides))
