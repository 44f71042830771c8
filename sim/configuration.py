"""Compose a run's configuration from `configs/` with Hydra and validate it, once.

`validate_config` checks the schema (`sim.config`) and then each programme's own typed
parameters (`sim.programmes`): the one place where a composed config is accepted or refused.
A system given by a file (`system=from_file`) is read and calibrated one layer up, in
`sim.system` (`sim.system.load_config` is what the `wfsim` command runs).
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import ConfigError, RunConfig, validate
from sim.programmes import available, parse_params
from sim.timeline import TimelineWarning, unreached
from sim.timeline import check as check_timeline
from sim.uncertainty import problems as uncertainty_problems

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


def programme_scenarios() -> str:
    """The comparison's scenarios as a sweep value: no programme, each alone, all together
    (`${programme_scenarios:}` in configs/experiment/compare_programmes.yaml), so that a new
    programme joins the comparison without an edit."""
    names = available()
    return ",".join(["[]", *(f"[{n}]" for n in names), f"[{','.join(names)}]"])


def seed_batches(seeds: int, per_job: int) -> str:
    """Seeds 0 .. seeds-1 in lists of `per_job` as a sweep value (`${seed_batches:20,5}` gives
    `[0,1,2,3,4],[5,6,7,8,9],...`): each job of the sweep runs its list one seed after another
    (`sim.runs.job`), paying once for what every job pays before it simulates."""
    if seeds < 1 or per_job < 1:
        raise ConfigError(f"seed_batches:{seeds},{per_job}: both must be at least 1")
    lists = (list(range(a, min(a + per_job, seeds))) for a in range(0, seeds, per_job))
    return ",".join("[" + ",".join(map(str, seeds_)) + "]" for seeds_ in lists)


OmegaConf.register_new_resolver("programme_scenarios", programme_scenarios, replace=True)
OmegaConf.register_new_resolver("seed_batches", seed_batches, replace=True)


def compose_config(overrides: list[str] | None = None):
    """The Hydra config (an OmegaConf object) for these command-line style overrides."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides or []))


def is_from_file(system) -> bool:
    """A system given by a file (`system=from_file system.path=...`) rather than a preset."""
    return isinstance(system, dict) and "path" in system   # the schema has no `path`: never a preset


def validate_config(raw: dict[str, Any], *, programmes: bool = True) -> RunConfig:
    """The schema, then (unless told not to) every programme's parameters, each error naming
    its dotted key. The typed parameters are kept (`sim.programmes.parse_params` caches them),
    so the model built from this config does not validate them again."""
    cfg = validate(raw)
    problems = check_timeline(cfg) + uncertainty_problems(cfg)
    if problems:
        raise ConfigError("\n".join(problems))
    for line in unreached(cfg):
        warnings.warn(line, TimelineWarning, stacklevel=2)
    if programmes:
        for name, params in cfg.intervention.items():
            parse_params(name, params or {})
    return cfg


def default_config() -> RunConfig:
    """The embedded default (`wfsim` with no overrides)."""
    raw = OmegaConf.to_container(compose_config(), resolve=True)
    raw.pop("hydra", None)
    return validate_config(raw)
