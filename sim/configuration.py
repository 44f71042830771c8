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


def to_run_config(cfg) -> RunConfig:
    raw = OmegaConf.to_container(cfg, resolve=True)
    raw.pop("hydra", None)
    return validate(raw)


def load_config(overrides: list[str] | None = None) -> RunConfig:
    """`load_config(["years=2", "seed=3"])` is what `wfsim years=2 seed=3` would run."""
    return to_run_config(compose_config(overrides))
