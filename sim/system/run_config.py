"""The validated config of a run, whatever gives its system: a preset or a system file."""
from __future__ import annotations

from omegaconf import OmegaConf

from sim.config import RunConfig
from sim.configuration import compose_config, is_from_file, validate_config


def validate_raw(raw: dict) -> RunConfig:
    """Validate the composed config as a plain dict (without `hydra`). A system given by a file
    is read, checked and calibrated here (or its saved calibration reused), before anything
    runs; a bad file raises a `ConfigError` naming the file, row, column and value."""
    if is_from_file(raw.get("system")):
        from sim.system.build import embedded_default
        from sim.system.fit import resolve

        # the other keys first: fail before calibrating
        validate_config({**raw, "system": embedded_default()})
        raw = {**raw, "system": resolve(raw["system"], raw.get("behaviour"))}
        return validate_config(raw, programmes=False)
    return validate_config(raw)


def to_run_config(cfg) -> RunConfig:
    """The validated run config of a composed Hydra config (see `validate_raw`)."""
    raw = OmegaConf.to_container(cfg, resolve=True)
    raw.pop("hydra", None)
    return validate_raw(raw)


def load_config(overrides: list[str] | None = None) -> RunConfig:
    """`load_config(["years=2", "seed=3"])` is what `wfsim years=2 seed=3` would run."""
    return to_run_config(compose_config(overrides))
