"""The settings of a sensitivity analysis (`sensitivity:` in configs/experiment/sensitivity.yaml),
checked before anything runs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.config import ConfigError

OUTPUTS = {
    "fte": "staff in post (FTE) at the end of the year, whole system",  # the last week of the year
    "vacancy_rate": "vacant FTE / establishment FTE over the year",
    "turnover_rate": "leavers in the year / mean headcount",
    "agency_cost_gbp": "agency spend in the year (GBP)",
}

METHODS = ("morris", "sobol", "morris+sobol")


# ------------------------------------------------------------------------------ settings
@dataclass(frozen=True)
class Settings:
    parameters: dict[str, tuple[float, float]]
    outputs: tuple[str, ...] = ("fte", "vacancy_rate")
    year: int | None = None
    scale: float = 0.05
    method: str = "morris+sobol"
    morris_trajectories: int = 10
    morris_levels: int = 4
    sobol_n: int = 128
    sobol_top: int = 3
    sobol_parameters: tuple[str, ...] | None = None
    sobol_second_order: bool = False
    conf_level: float = 0.95
    seed: int = 0
    n_jobs: int = -1
    plan_only: bool = False
    # Refit the base rates at every point (sim.system.calibrate, `refit_rounds` rounds on the run's
    # own seed and scale) so that turnover, vacancy and sickness stay at the system's targets and
    # the indices measure what a parameter changes beyond them (behaviour, not miscalibration).
    refit_base_rates: bool = False
    refit_rounds: int = 3      # 2 rounds left the default's turnover 1.6 points off at a burnout weight of 3

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        """`sensitivity:` of the config -> Settings; a bad entry raises ConfigError naming it."""
        raw = dict(raw)
        known = {"parameters", "outputs", "year", "scale", "method", "morris", "sobol", "conf_level",
                 "seed", "n_jobs", "plan_only", "refit_base_rates", "refit_rounds"}
        unknown = set(raw) - known
        if unknown:
            raise ConfigError(f"sensitivity: unknown key(s) {sorted(unknown)}; keys are {sorted(known)}")
        params = {}
        for key, rng in _flatten(raw.get("parameters") or {}).items():
            if not (isinstance(rng, list | tuple) and len(rng) == 2
                    and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
                    and rng[0] < rng[1]):
                raise ConfigError(f"sensitivity.parameters.{key} = {rng!r}: give [low, high] with low < high")
            params[str(key)] = (float(rng[0]), float(rng[1]))
        if not params:
            raise ConfigError("sensitivity.parameters: give at least one `dotted.key: [low, high]`")
        outputs = tuple(raw.get("outputs") or ("fte",))
        bad = [o for o in outputs if o not in OUTPUTS]
        if bad:
            raise ConfigError(f"sensitivity.outputs = {bad}: outputs are {list(OUTPUTS)}")
        method = raw.get("method", "morris+sobol")
        if method not in METHODS:
            raise ConfigError(f"sensitivity.method = {method!r}: one of {list(METHODS)}")
        morris = raw.get("morris") or {}
        sobol = raw.get("sobol") or {}
        s = cls(parameters=params, outputs=outputs, year=raw.get("year"),
                scale=float(raw.get("scale", 0.05)), method=method,
                morris_trajectories=int(morris.get("trajectories", 10)),
                morris_levels=int(morris.get("levels", 4)),
                sobol_n=int(sobol.get("n", 128)), sobol_top=int(sobol.get("top", 3)),
                sobol_parameters=tuple(sobol["parameters"]) if sobol.get("parameters") else None,
                sobol_second_order=bool(sobol.get("second_order", False)),
                conf_level=float(raw.get("conf_level", 0.95)), seed=int(raw.get("seed", 0)),
                n_jobs=int(raw.get("n_jobs", -1)), plan_only=bool(raw.get("plan_only", False)),
                refit_base_rates=bool(raw.get("refit_base_rates", False)),
                refit_rounds=int(raw.get("refit_rounds", 3)))
        checks = [(s.scale > 0, "scale", "must be > 0"),
                  (s.morris_trajectories >= 2, "morris.trajectories", "must be >= 2"),
                  (s.morris_levels >= 2 and s.morris_levels % 2 == 0, "morris.levels", "must be even, >= 2"),
                  (s.sobol_n >= 2 and s.sobol_n & (s.sobol_n - 1) == 0, "sobol.n", "must be a power of 2"),
                  (s.sobol_top >= 1, "sobol.top", "must be >= 1"),
                  (s.refit_rounds >= 1, "refit_rounds", "must be >= 1"),
                  (0 < s.conf_level < 1, "conf_level", "must be between 0 and 1")]
        for ok, key, msg in checks:
            if not ok:
                raise ConfigError(f"sensitivity.{key}: {msg}")
        extra = [p for p in s.sobol_parameters or () if p not in params]
        if extra:
            raise ConfigError(f"sensitivity.sobol.parameters {extra} are not in sensitivity.parameters")
        return s


def _flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    """`{"a.b": r}` and `{"a": {"b": r}}` (what `+sensitivity.parameters.a.b=[0,1]` makes) -> `{"a.b": r}`."""
    out: dict[str, Any] = {}
    for k, v in tree.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out
