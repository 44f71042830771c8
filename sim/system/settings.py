"""The optional settings (YAML) beside an ICS's system file: read and checked for unknown keys,
and for sectors or roles the CSV does not have, before anything runs (`SystemFileError` naming
the file, the key and the value); values are checked by the schema afterwards."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.codes import SECTORS
from sim.system.file import decode, did_you_mean, fail

# Settings a system-level YAML may give. Sector-level keys given at the top level apply to
# every sector of the file unless `sectors.<sector>` sets its own.
SECTOR_KEYS = ("employers", "employer_size_skew", "establishment_growth", "winter_surge", "pay_award",
               "bank_share_of_gap", "agency_share_of_gap", "bank_premium", "agency_premium",
               "agency_cap_fte_share", "flexible_grant_rate", "destinations")
SETTINGS_KEYS = ("name", "population", "start_date", "deprived_share", "agency_spend_gbp", "sectors",
                 "training", "labour_market", "careers", *SECTOR_KEYS)
ROLE_SETTINGS_KEYS = ("hire_routes", "employer_share", "share_under_25", "calibration")


def read_yaml(path: Path, what: str) -> Any:
    """A YAML file of the system (its settings, a calibrated system), a syntax error named by
    row and column."""
    text = decode(path, what)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"row {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        fail(path, [f"{where}not valid YAML ({problem})"], what)
    raise AssertionError("unreachable")


def read_settings(path: Path | str, sectors: set[str]) -> dict:
    """The optional system-level settings (see `SETTINGS_KEYS`), checked for unknown keys and for
    sectors or roles the CSV does not have. Values are checked by the schema afterwards."""
    path = Path(path)
    data = read_yaml(path, "settings file")
    if data is None:
        return {}
    if not isinstance(data, dict):
        fail(path, ["the settings must be a mapping of keys to values"], "settings file")
    problems = []
    for key in data:
        if key not in SETTINGS_KEYS:
            near = did_you_mean(str(key), SETTINGS_KEYS)
            problems.append(f"key {key!r}: unknown setting{near}; settings are {', '.join(SETTINGS_KEYS)}")
    pop = data.get("population")
    if "population" in data and (not isinstance(pop, int) or isinstance(pop, bool) or pop < 1000):
        problems.append(f"key 'population', value {pop!r}: a whole number of people, at least 1000")
    agency = data.get("agency_spend_gbp")
    if agency is not None:
        items = agency.items() if isinstance(agency, dict) else [("acute+community", agency)]
        for k, v in items:
            if isinstance(agency, dict) and k not in sectors:
                problems.append(f"key 'agency_spend_gbp.{k}': the file has no sector {k!r}")
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                problems.append(f"key 'agency_spend_gbp', value {v!r}: GBP a year, a number >= 0")
        if not isinstance(agency, dict) and not {"acute", "community"} & sectors:
            problems.append("key 'agency_spend_gbp': a single figure is the agency spend of NHS trusts "
                            "(acute and community), which the file does not have; give it per sector")
    training = data.get("training") or {}
    if not isinstance(training, dict):
        problems.append(f"key 'training', value {training!r}: must be a mapping of roles to their "
                        "pipeline settings (or null to remove one)")
    else:
        problems += [f"key 'training.{r}', value {t!r}: must be a mapping of settings, or null"
                     for r, t in training.items() if t is not None and not isinstance(t, dict)]
    sec = data.get("sectors") or {}
    if not isinstance(sec, dict):
        problems.append("key 'sectors': must be a mapping of sector names to settings")
        sec = {}
    for s, spec in sec.items():
        if s not in SECTORS:
            problems.append(f"key 'sectors.{s}': unknown sector{did_you_mean(str(s), SECTORS)}")
            continue
        if s not in sectors:
            problems.append(f"key 'sectors.{s}': the system file has no rows for sector {s!r}")
            continue
        if not isinstance(spec, dict):
            problems.append(f"key 'sectors.{s}': must be a mapping of settings")
            continue
        for k, v in spec.items():
            if k == "roles":
                if not isinstance(v or {}, dict):
                    problems.append(f"key 'sectors.{s}.roles', value {v!r}: must be a mapping of roles to "
                                    f"their settings (e.g. roles: {{nurse: {{hire_routes: ...}}}})")
                    continue
                for r, rspec in (v or {}).items():
                    if not isinstance(rspec, dict):
                        problems.append(f"key 'sectors.{s}.roles.{r}': must be a mapping")
                        continue
                    for rk in rspec:
                        if rk not in ROLE_SETTINGS_KEYS:
                            why = ("comes from the system file" if rk in
                                   ("headcount", "mean_fte", "pay_gbp", "turnover", "vacancy", "sickness",
                                    "mean_age", "share_over_55") else "unknown role setting")
                            problems.append(f"key 'sectors.{s}.roles.{r}.{rk}': {why}; a role's settings are "
                                            f"{', '.join(ROLE_SETTINGS_KEYS)}")
            elif k not in SECTOR_KEYS:
                near = did_you_mean(str(k), SECTOR_KEYS)
                problems.append(f"key 'sectors.{s}.{k}': unknown sector setting{near}")
    if problems:
        fail(path, problems, "settings file")
    return data
