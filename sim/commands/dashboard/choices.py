"""What a user can choose in the dashboard: a system, what to compare with the baseline and
its main parameters, years and seeds; and the command-line overrides that choice means.

`comparables()` is the one list of what can be compared with the baseline: the named scenarios
(`configs/scenario/*.yaml`) that fit the chosen system, then the programmes, each as (kind,
name). The baseline is current policy by default (the
comparison experiment's), or the system as it stands.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from sim.configuration import CONFIG_DIR
from sim.programmes import available

QUICK_SCALE = 0.05  # the quick look: a 5% copy of the system
BASELINE = "current_policy"   # the comparisons' baseline, as the comparison experiment's
# Parameters every programme has that are not "main" ones to move with a slider or field.
TARGETING = {"sectors", "roles", "employers", "end_week", "age_range"}


@dataclass(frozen=True)
class Comparable:
    kind: str  # "programme" or "scenario"
    name: str


def presets() -> list[str]:
    """The preset systems of configs/system/ (not the file-based one)."""
    return sorted(p.stem for p in (CONFIG_DIR / "system").glob("*.yaml") if p.stem != "from_file")


def comparables(system: str = "default") -> list[Comparable]:
    """Everything a user can compare with the baseline: the scenario files that fit the
    system (a hindcast fits only its own), then programmes."""
    return [Comparable("scenario", s) for s in scenarios_for(system)] + [Comparable("programme", p)
                                                                        for p in available()]


@lru_cache(maxsize=32)
def scenarios_for(system: str) -> tuple[str, ...]:
    """The named scenarios none of whose changes is dated before the system's start (a run
    would refuse them: sim.timeline), read from the files without composing a run."""
    from sim.system import load_config

    start = load_config([f"system={system}"]).system.start_date
    names = sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))
    return tuple(n for n in names if all(d >= start for d in _change_dates(n)))


def _change_dates(name: str) -> list[dt.date]:
    """The first date of each timeline change of a scenario file and of those it builds on."""
    data = yaml.safe_load((CONFIG_DIR / "scenario" / f"{name}.yaml").read_text()) or {}
    out = []
    for base in data.get("defaults") or []:
        if isinstance(base, str) and base != "_self_":
            out += _change_dates(base)
    for change in (data.get("timeline") or {}).values():
        if change.get("by_year"):
            out.append(dt.date(min(int(y) for y in change["by_year"]), 4, 1))
        elif change.get("from"):
            day = change["from"]
            out.append(day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)))
    return out


@dataclass(frozen=True)
class Parameter:
    """One number of a programme a user may move: its dotted key under the programme, its
    default (from configs/intervention/<name>.yaml) and how to show it."""

    key: str
    default: float
    whole: bool

    @property
    def slider(self) -> tuple[float, float] | None:
        """A slider's range for shares and multipliers (0 to 1) and weeks; else a field."""
        leaf = self.key.rsplit(".", 1)[-1]
        if not self.whole and 0 <= self.default <= 1 and any(
                w in leaf for w in ("share", "rate", "conversion", "multiplier", "reduction")):
            return (0.0, 1.0)
        if self.whole and leaf.endswith("weeks") or leaf == "start_week":
            return (0.0, max(260.0, 2 * self.default))
        return None


def parameters(programme: str) -> list[Parameter]:
    """The programme's numeric parameters, nested ones with dotted keys."""
    raw = yaml.safe_load((CONFIG_DIR / "intervention" / f"{programme}.yaml").read_text())
    out: list[Parameter] = []

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if key in TARGETING:
                continue
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            elif isinstance(value, bool) or value is None:
                continue
            elif isinstance(value, int | float):
                out.append(Parameter(prefix + key, float(value), isinstance(value, int)))

    walk(raw.get(programme, {}) or {}, "")
    return out


@dataclass
class Choice:
    """A user's choice: which system, what to compare, its parameters, years and seeds."""

    system: str = "default"            # a preset name
    system_file: Path | None = None    # an ICS's own CSV (instead of the preset)
    programmes: list[str] = field(default_factory=list)
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # programme -> key -> value
    years: int = 5
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    scale: float = 1.0
    baseline: str | None = BASELINE     # a named scenario, or None: the system as it stands
    scenario: str | None = None         # a named scenario to compare with the baseline

    def base_overrides(self, seed: int, scenario: str | None = None) -> list[str]:
        system = (["system=from_file", f"system.path={self.system_file}"] if self.system_file
                  else [f"system={self.system}"])
        scale = [] if self.scale == 1.0 else [f"scale={self.scale}"]
        named = scenario or self.baseline
        return [*system, f"years={self.years}", f"seed={seed}", *scale,
                *([f"scenario={named}"] if named else [])]

    def programme_overrides(self) -> list[str]:
        """`intervention=[a,b]` and each parameter moved from its default."""
        if not self.programmes:
            return []
        out = [f"intervention=[{','.join(sorted(self.programmes))}]"]
        for name in sorted(self.programmes):
            defaults = {p.key: p.default for p in parameters(name)}
            for key, value in sorted(self.values.get(name, {}).items()):
                if key in defaults and value != defaults[key]:
                    shown = int(value) if float(value).is_integer() and _is_whole(name, key) else value
                    out.append(f"intervention.{name}.{key}={shown}")
        return out

    def runs(self) -> list[tuple[str, int, list[str]]]:
        """(scenario, seed, overrides) of every run: the baseline and the choice, per seed,
        so the comparison pairs them on the same seeds (common random numbers)."""
        out = []
        for seed in self.seeds:
            out.append(("baseline", seed, self.base_overrides(seed)))
            if self.programmes or self.scenario:
                out.append(("scenario", seed, self.base_overrides(seed, self.scenario)
                            + self.programme_overrides()))
        return out

    def to_json(self) -> dict:
        return {"system": self.system, "system_file": str(self.system_file) if self.system_file else None,
                "programmes": sorted(self.programmes), "values": self.values, "years": self.years,
                "seeds": self.seeds, "scale": self.scale, "baseline": self.baseline,
                "scenario": self.scenario}

    @classmethod
    def from_json(cls, data: dict) -> Choice:
        f = data.get("system_file")
        return cls(data["system"], Path(f) if f else None, list(data["programmes"]),
                   dict(data.get("values") or {}), int(data["years"]), list(data["seeds"]),
                   float(data.get("scale", 1.0)), data.get("baseline"), data.get("scenario"))


def _is_whole(programme: str, key: str) -> bool:
    return next((p.whole for p in parameters(programme) if p.key == key), False)
