"""ICS workforce programmes as plug-ins.

`load(model, intervention_config)` imports `sim.programmes.<name>` for each configured name and
builds its `PROGRAMME` class with typed parameters: adding a programme is one module, one YAML
file in `configs/intervention/` and one test, with no edit to the model.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from pydantic import ValidationError

from sim.config import ConfigError, error_lines
from sim.programmes.base import Levers, Programme

if TYPE_CHECKING:
    from sim.model import WorkforceModel

__all__ = ["Levers", "Programme", "available", "load", "validate_params"]


def available() -> list[str]:
    """Names of all programme modules."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base")


def programme_class(name: str) -> type[Programme]:
    if name not in available():
        raise ConfigError(f"intervention.{name}: unknown programme; available: {', '.join(available())}")
    return importlib.import_module(f"sim.programmes.{name}").PROGRAMME


def validate_params(name: str, params: dict):
    """The programme's typed parameters, or ConfigError naming each bad dotted key."""
    cls = programme_class(name)
    try:
        return cls.Params.model_validate(params)
    except ValidationError as err:
        lines = error_lines(err, ("intervention", name), unknown="unknown parameter")
        raise ConfigError("invalid programme parameters:\n  " + "\n  ".join(lines)) from None


def load(model: WorkforceModel, config: dict[str, dict]) -> list[Programme]:
    """Programmes in a stable order (by name), with validated parameters."""
    out = []
    channels: dict[int, str] = {}
    for name in sorted(config):
        cls = programme_class(name)
        params = validate_params(name, config[name] or {})
        if cls.channel in channels:
            raise ConfigError(f"programmes {channels[cls.channel]} and {name} share channel {cls.channel}")
        channels[cls.channel] = name
        try:
            out.append(cls(name, params, model))
        except ValueError as err:
            raise ConfigError(f"intervention.{name}: {err}") from None
    return out
