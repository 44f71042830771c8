"""ICS workforce programmes as plug-ins.

`load(model, intervention_config)` imports `sim.programmes.<name>` for each configured name and
builds its `PROGRAMME` class with typed parameters: adding a programme is one module, one YAML
file in `configs/intervention/` and one test, with no edit to the model or the comparison.
"""
from __future__ import annotations

import importlib
import json
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import ValidationError

from sim.config import ConfigError, error_lines
from sim.levers import Levers
from sim.programmes.base import Programme, ProgrammeParams
from sim.programmes.registry import available, channel_of

if TYPE_CHECKING:
    from sim.programmes.base import ModelView

__all__ = ["Levers", "Programme", "available", "channel_of", "load", "parse_params"]


def programme_class(name: str) -> type[Programme]:
    if name not in available():
        raise ConfigError(f"intervention.{name}: unknown programme; available: {', '.join(available())}")
    return importlib.import_module(f"sim.programmes.{name}").PROGRAMME


@lru_cache(maxsize=512)
def _parse(name: str, params_json: str) -> ProgrammeParams:
    cls = programme_class(name)
    try:
        return cls.Params.model_validate(json.loads(params_json))
    except ValidationError as err:
        lines = error_lines(err, ("intervention", name), unknown="unknown parameter")
        raise ConfigError("invalid programme parameters:\n  " + "\n  ".join(lines)) from None


def parse_params(name: str, params: dict) -> ProgrammeParams:
    """The programme's typed parameters, or ConfigError naming each bad dotted key. Validated
    once per distinct parameter set: composing a config validates them and the model built
    from it reuses the result."""
    return _parse(name, json.dumps(params, sort_keys=True, default=str))


def load(model: ModelView, config: dict[str, dict]) -> list[Programme]:
    """Programmes in a stable order (by name), with validated parameters."""
    out = []
    for name in sorted(config):
        cls = programme_class(name)
        params = parse_params(name, config[name] or {})
        try:
            out.append(cls(name, params, model))
        except ValueError as err:
            raise ConfigError(f"intervention.{name}: {err}") from None
    return out
