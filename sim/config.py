"""Validated configuration: the schema every run is checked against before it starts.

Hydra composes the YAML files in `configs/`; this module turns the result into typed,
range-checked objects (the system's and the behaviour's parts are in `sim.schema`). An unknown
key, a wrong type or an out-of-range value raises `ConfigError` naming the dotted key and the bad
value.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from sim.schema.behaviour import AGED_ROUTES, Behaviour
from sim.schema.system import SystemConfig
from sim.schema.types import MAX_EMPLOYERS, ConfigError, Strict
from sim.timeline import Change, ScenarioInfo

__all__ = ["AGED_ROUTES", "Behaviour", "ConfigError", "RunConfig", "SystemConfig", "Uncertainty",
           "error_lines", "validate"]


class Uncertainty(Strict):
    """What the spread over seeds covers (sim.uncertainty): run-to-run randomness alone, or also
    the behavioural coefficients in `ranges` (keys under `behaviour.`), each seed drawing its own."""

    covers: Literal["seeds", "seeds_and_behaviour"] = "seeds"
    ranges: dict[str, tuple[float, float]] = {}


class RunConfig(Strict):
    years: Annotated[int, Field(ge=1, le=100)]
    seed: Annotated[int, Field(ge=0, lt=2**63)]
    scale: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    threads: Annotated[int, Field(ge=0, le=1024)] = 0
    progress: bool = True
    # weeks between checkpoints of a run (0: none); rerunning the command resumes from the last
    checkpoint_every: Annotated[int, Field(ge=0, le=5200)] = 0
    engine: str = "kernels"
    system: SystemConfig
    behaviour: Behaviour
    # Programmes by name, each with its own typed parameters (checked by sim.programmes.parse_params).
    intervention: dict[str, dict[str, Any] | None] = {}
    # dated changes to the inputs (sim.timeline), and the named scenario they come from if any
    timeline: dict[str, Change] = {}
    scenario: ScenarioInfo | None = None
    uncertainty: Uncertainty = Uncertainty()

    @model_validator(mode="after")
    def _engine(self) -> RunConfig:
        if self.engine not in ("kernels", "reference"):
            raise ValueError("engine must be 'kernels' or 'reference'")
        employers = sum(max(1, round(s.employers * self.scale)) for s in self.system.sectors.values())
        if employers > MAX_EMPLOYERS:
            raise ValueError(f"system.sectors.*.employers x scale gives {employers:,} employers; at most "
                             f"{MAX_EMPLOYERS:,} (employer ids are 16-bit)")
        return self


def error_lines(err: ValidationError, prefix: tuple[str, ...] = (),
                unknown: str = "unknown key") -> list[str]:
    """One line per problem, naming the dotted key (under `prefix`) and the bad value."""
    lines = []
    for e in err.errors():
        key = ".".join([*prefix, *(str(p) for p in e["loc"])]) or "(top level)"
        if isinstance(e.get("input"), dict) and e["type"] == "value_error":
            lines.append(f"{key}: {e['msg'].removeprefix('Value error, ')}")  # a cross-field check
        elif e["type"] == "extra_forbidden":
            lines.append(f"{key}: {unknown} (value {e['input']!r})")
        else:
            lines.append(f"{key} = {e.get('input')!r}: {e['msg']}")
    return lines


def _format(err: ValidationError) -> str:
    return "invalid configuration:\n  " + "\n  ".join(error_lines(err))


def validate(raw: dict[str, Any]) -> RunConfig:
    """Check a plain dict (e.g. from `OmegaConf.to_container`) against the schema. Programmes'
    own parameters are checked by `sim.programmes.parse_params` (see `sim.configuration`)."""
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_format(err)) from None
