"""Dated changes to a run's inputs: the timeline.

A change names a setting by its config key and says from when it holds:

    timeline:
      nhs_pay_awards:                       # any name: scenario files merge by it
        key: system.sectors.acute.pay_award
        by_year: {2025: 0.036, 2026: 0.033} # by financial year: from 1 April of each year
        source: "Agenda for Change awards 2025/26 and 2026/27"
      fair_pay:
        key: system.sectors.social_care.pay_award
        from: 2028-04-01                    # a step on a date
        value: 0.046
      less_agency:
        key: system.sectors.acute.agency_share_of_gap
        from: 2025-04-01
        times: 0.7                          # relative to the value in force then
      fewer_overseas:
        key: system.sectors.acute.international_arrivals_scale
        from: 2026-04-01
        to: 2035-04-01                      # a linear ramp, week by week, from the value then
        value: 0.3                          # in force to this one (or to `times` it)
        profile: linear

A change holds from the simulated week that contains its date (as a route closure does). A
date before the start is an error (the starting values are the system's); a change that starts
after the run's end is not reached (`unreached` says so: a scenario file serves runs of any
length), nor are the later years of a series or the end of a ramp that outlasts the run.

Pay awards and the competing industries' award are paid at the start of each 52-week year after
the first, at the rate then in force (a pay award for 2026/27 is paid in April 2026); the
starting pay is the start year's, so an award listed for the start year changes nothing. Funded
growth compounds from the establishment reached when it changes; a new level of competing pay
holds from its date and then rises by their award.

Only settings the running model reads as it goes can change (`CHANGEABLE`); the rest (headcounts,
employers, observed rates the model is fitted to, behaviour) are the starting point and the
model's assumptions. `check` refuses, before anything runs, a key that cannot change, a date
before the start, a series out of order and a value the setting itself would refuse.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.codes import SECTORS, WEEKS_PER_YEAR
from sim.rates import week_of


class TimelineWarning(UserWarning):
    """A dated change this run does not reach."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True)


class Change(_Strict):
    """One dated change (see the module's docstring)."""

    key: str
    by_year: dict[int, float] | None = None      # financial year (2025 = 2025/26) -> value
    value: float | None = None
    times: float | None = Field(None, ge=0.0, le=1000.0)   # or: the value in force times this
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    profile: Literal["step", "linear"] = "step"
    source: str = ""                              # where the figures come from, or "assumption"

    @model_validator(mode="after")
    def _shape(self) -> Change:
        given = [k for k in ("by_year", "value", "times") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give one of by_year (values by financial year), value or times (with "
                             f"from); got {', '.join(given) or 'none'}")
        if self.by_year is not None:
            if self.from_ is not None or self.to is not None or self.profile != "step":
                raise ValueError("by_year takes no from, to or profile (each year's value holds from "
                                 "1 April)")
            if not self.by_year:
                raise ValueError("by_year is empty")
            years = list(self.by_year)
            if years != sorted(set(years)):
                raise ValueError(f"by_year must list years in increasing order, each once: {years}")
        else:
            if self.from_ is None:
                raise ValueError(f"{given[0]} needs the date it holds from (from: YYYY-MM-DD)")
            if self.profile == "linear":
                if self.to is None or self.to <= self.from_:
                    raise ValueError("a linear change needs `to`, a date after `from`")
            elif self.to is not None:
                raise ValueError("`to` is for a linear change (profile: linear)")
        return self

    def steps(self) -> list[tuple[dt.date, float]]:
        """(date, value) of each step, in date order (a ramp's own steps are weekly: `schedule`)."""
        if self.by_year is not None:
            return [(dt.date(year, 4, 1), v) for year, v in self.by_year.items()]
        return [(self.from_, self.value)]     # times: the value is known only in the run


class ScenarioInfo(_Strict):
    """A named scenario (configs/scenario/<name>.yaml): what it is, in one line."""

    name: str
    description: str


# Settings that may change during a run: (the key's pattern, what it is). <sector> and <role>
# stand for names in the system.
CHANGEABLE = {
    "system.sectors.<sector>.pay_award": "pay award paid at the start of each year",
    "system.sectors.<sector>.establishment_growth": "funded growth a year",
    "system.sectors.<sector>.bank_share_of_gap": "share of the gap filled by bank staff",
    "system.sectors.<sector>.agency_share_of_gap": "share of the rest filled by agency",
    "system.sectors.<sector>.agency_cap_fte_share": "agency FTE cap, a share of establishment",
    "system.sectors.<sector>.bank_premium": "bank pay over substantive pay",
    "system.sectors.<sector>.agency_premium": "agency cost over substantive pay",
    "system.sectors.<sector>.flexible_grant_rate": "weekly chance a flexible-working wish is granted",
    "system.sectors.<sector>.international_arrivals_scale": "applications from abroad, times the start's",
    "system.training.<role>.intake_per_year": "students starting a year (next intake on)",
    "system.labour_market.local.competing_pay_gbp": "competing industries' pay (a new level)",
    "system.labour_market.local.competing_pay_award": "competing industries' award a year",
}
SECTOR_FIELDS = {k.split(".")[-1] for k in CHANGEABLE if k.startswith("system.sectors.")}


@dataclass(frozen=True)
class Target:
    """Where a key points: its kind (sector, training, local), the index of the
    sector or role (-1: none) and the field."""

    kind: str
    index: int
    field: str


def resolve(key: str, cfg) -> Target:
    """The setting a key names, or ValueError saying which keys can change."""
    parts = key.split(".")
    if len(parts) == 4 and parts[:2] == ["system", "sectors"] and parts[3] in SECTOR_FIELDS:
        if parts[2] not in cfg.system.sectors:
            raise ValueError(f"no sector {parts[2]!r} in this system ({', '.join(cfg.system.sectors)})")
        return Target("sector", SECTORS.index(parts[2]), parts[3])
    if len(parts) == 4 and parts[:2] == ["system", "training"] and parts[3] == "intake_per_year":
        if parts[2] not in cfg.system.training:
            raise ValueError(f"no training pipeline for {parts[2]!r} ({', '.join(cfg.system.training)})")
        return Target("training", -1, parts[2])
    if parts[:3] == ["system", "labour_market", "local"] and key in CHANGEABLE:
        return Target("local", -1, parts[-1])
    raise ValueError(f"{key!r} cannot change during a run; these can: {', '.join(CHANGEABLE)}")


def _container(cfg, target: Target):
    if target.kind == "sector":
        return cfg.system.sectors[SECTORS[target.index]], target.field
    if target.kind == "training":
        return cfg.system.training[target.field], "intake_per_year"
    return cfg.system.labour_market.local, target.field


def check(cfg) -> list[str]:
    """Every problem of the timeline, one line each naming `timeline.<name>`; [] if none."""
    out = []
    start = cfg.system.start_date
    for name, change in cfg.timeline.items():
        where = f"timeline.{name}"
        try:
            target = resolve(change.key, cfg)
        except ValueError as err:
            out.append(f"{where}.key: {err}")
            continue
        steps = change.steps()
        first = steps[0][0]
        if first < start:
            out.append(f"{where}: {first} is before the run's start ({start}); the starting values "
                       "are the system's own")
        container, field = _container(cfg, target)
        if change.times is not None:         # checked on the value the system starts from
            base = getattr(container, field)
            if base is None:
                out.append(f"{where}.times: {change.key} has no value to multiply (give value)")
                continue
            steps = [(first, base * change.times)]
        for day, value in steps:
            try:
                type(container).model_validate({**container.model_dump(by_alias=True), field: value})
            except ValidationError as err:
                msg = err.errors()[0]["msg"]
                out.append(f"{where}: {value!r} from {day} is not a valid {change.key} ({msg})")
    return out


def unreached(cfg) -> list[str]:
    """The changes that start after the run's end, one line each (not errors: a warning)."""
    end = cfg.system.start_date + dt.timedelta(weeks=cfg.years * WEEKS_PER_YEAR)
    return [f"timeline.{name} starts on {change.steps()[0][0]}, after this run ends ({end}): it "
            "changes nothing here" for name, change in cfg.timeline.items() if change.steps()[0][0] >= end]


def schedule(cfg) -> dict[int, list[tuple[Target, str, Any]]]:
    """Week -> the changes that hold from that week, in the timeline's order: (target, "set",
    value), (target, "times", factor) or (target, "ramp", (first week, last week, value, factor))
    for each week of a ramp (from the value in force at its first week)."""
    out: dict[int, list[tuple[Target, str, Any]]] = {}
    weeks = cfg.years * WEEKS_PER_YEAR
    for change in cfg.timeline.values():
        target = resolve(change.key, cfg)
        if change.profile == "linear":
            w0, w1 = week_of(cfg.system.start_date, change.from_), week_of(cfg.system.start_date, change.to)
            for w in range(w0, min(w1, weeks - 1) + 1):
                out.setdefault(w, []).append((target, "ramp", (w0, w1, change.value, change.times)))
            continue
        for day, value in change.steps():
            w = week_of(cfg.system.start_date, day)
            if w < weeks:
                kind, x = ("set", value) if change.times is None else ("times", change.times)
                out.setdefault(w, []).append((target, kind, x))
    return out


def ramp_value(start_value: float, spec: tuple, week: int) -> float:
    """The value of a linear ramp in `week`, from `start_value` (in force at its first week)."""
    w0, w1, end_value, times = spec
    end = start_value * times if end_value is None else end_value
    frac = min(max((week - w0) / max(w1 - w0, 1), 0.0), 1.0)
    return float(start_value + (end - start_value) * frac)


class Compounding:
    """Values that grow by a rate a year from a base level, e.g. funded posts (weekly) or
    competing pay (once a 52-week year): base * (1 + rate) ** (years since the base was set).
    A new rate or level rebases it, so the path bends but does not jump."""

    def __init__(self, base, rate, yearly_steps: bool = False):
        self.base = np.array(base, np.float64)
        self.rate = np.array(rate, np.float64)
        self.since = np.zeros_like(self.base)
        self.yearly_steps = yearly_steps

    def _years(self, week: int):
        if self.yearly_steps:       # the year starts passed since the base was set
            return week // WEEKS_PER_YEAR - self.since // WEEKS_PER_YEAR
        return (week - self.since) / WEEKS_PER_YEAR

    def value(self, week: int) -> np.ndarray:
        return self.base * (1.0 + self.rate) ** self._years(week)

    def new_rate(self, week: int, rate: float, index=...) -> None:
        """`rate` from `week` on (paid from that week if it starts a year)."""
        at = week - 1 if self.yearly_steps else week
        level = self.value(at)
        self.base[index], self.since[index], self.rate[index] = level[index], at, rate

    def new_level(self, week: int, level: float, index=...) -> None:
        """`level` from `week` on, growing by the rate after it."""
        self.base[index], self.since[index] = level, week


SECTOR_PARAMS = {"pay_award": "pay_award", "establishment_growth": "growth",
                 "bank_share_of_gap": "bank_share", "agency_share_of_gap": "agency_share",
                 "agency_cap_fte_share": "agency_cap", "bank_premium": "bank_premium",
                 "agency_premium": "agency_premium", "flexible_grant_rate": "flex_grant"}
POOL_FIELDS = {"international_arrivals_scale": "arrivals_scale"}    # kept by the pools


class Timeline:
    """A run's dated changes (`schedule`) and what they act on: the run's parameters `p`
    (sim.params.Params), its employers' state (funded growth) and its pools (competing pay,
    arrivals from abroad by sector). `apply(week)` makes the changes that hold from `week`."""

    def __init__(self, cfg, p, state, pools):
        self.by_week = schedule(cfg)
        self.p, self.state, self.pools, self.scale = p, state, pools, cfg.scale
        self.ramp_from: dict[tuple, float] = {}

    def apply(self, week: int) -> None:
        for target, kind, x in self.by_week.get(week, []):
            if kind == "ramp":                           # from the value at its first week
                key = (target, x[0])
                if key not in self.ramp_from:
                    self.ramp_from[key] = self.current(target, week)
                value = ramp_value(self.ramp_from[key], x, week)
            else:
                value = x if kind == "set" else self.current(target, week) * x
            self.set(target, value, week)

    def current(self, target: Target, week: int) -> float:
        p, pools = self.p, self.pools
        if target.field in POOL_FIELDS:
            return float(getattr(pools, POOL_FIELDS[target.field])[target.index])
        if target.kind == "sector":
            return float(getattr(p, SECTOR_PARAMS[target.field])[target.index])
        if target.kind == "training":
            return float(p.training_intake[p.roles.index(target.field)]) / self.scale
        if target.field == "competing_pay_gbp":
            return float(pools.competing_pay.value(week))
        return float(pools.competing_pay.rate)

    def set(self, target: Target, value: float, week: int) -> None:
        p, pools = self.p, self.pools
        if target.field in POOL_FIELDS:
            getattr(pools, POOL_FIELDS[target.field])[target.index] = value
        elif target.kind == "sector":
            getattr(p, SECTOR_PARAMS[target.field])[target.index] = value
            if target.field == "establishment_growth":
                self.state.growth.new_rate(week, value, target.index)
        elif target.kind == "training":
            p.training_intake[p.roles.index(target.field)] = value * self.scale
        elif target.field == "competing_pay_gbp":
            pools.competing_pay.new_level(week, value)
        else:
            pools.competing_pay.new_rate(week, value)
