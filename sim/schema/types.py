"""The field types and limits the config schema shares, and the error a bad value raises."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Weeks = Annotated[int, Field(ge=0, le=520)]
# Relative weights (normalised): bounded so that their sum stays a finite number.
Share = Annotated[float, Field(ge=0.0, le=1e6)]
# Multipliers and weights on a weekly hazard or on stress: at 1,000 the rate or the burnout is
# already at its ceiling for anyone affected; larger values only overflow to infinity.
Weight = Annotated[float, Field(ge=0.0, le=1000.0)]
Pay = Annotated[float, Field(ge=1000.0, le=10_000_000.0)]   # GBP a year, full time
Intake = Annotated[float, Field(ge=0.0, le=10_000_000.0)]   # students a year
MAX_ROLES = 16          # a hire's id gives its role 4 bits (sim.population.hire_id)
MAX_EMPLOYERS = 32000   # employer ids are 16-bit (sim.codes.DT_EMPLOYER), after `scale`
MAX_CAREER_ROUTES = 64  # a week's decision is one byte (sim.kernels: CAREER_START + route)


class Strict(BaseModel):
    # inf and nan are refused: no rate, count or weight of the model means anything at infinity
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong type or out of range."""
