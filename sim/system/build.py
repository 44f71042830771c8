"""The system built from a system file: the file's numbers and the analyst's settings on top of
the embedded default (`configs/system/default.yaml`), which gives everything the file does not,
scaled to the system (see `build_system`). The built system is checked against the schema before
anything runs; problems are reported as a `SystemFileError` naming the file.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from sim.codes import SECTORS
from sim.config import SystemConfig
from sim.configuration import CONFIG_DIR
from sim.system.file import ROLES, Row, SystemFileError, fail, read_rows
from sim.system.settings import SECTOR_KEYS, read_settings

MAX_EMPLOYERS = 32000                # employer ids are 16-bit
MIN_EMPLOYER_SIZE = 5                # scaled employer counts never give smaller mean employers


def embedded_default() -> dict:
    """The embedded default system (configs/system/default.yaml with its fitted calibration)
    as a plain dict, read without Hydra so that it works inside a running Hydra app."""
    base = yaml.safe_load((CONFIG_DIR / "system" / "default.yaml").read_text(encoding="utf-8"))
    base.pop("defaults", None)
    cal = yaml.safe_load((CONFIG_DIR / "system" / "calibration" / "default.yaml").read_text(encoding="utf-8"))
    for s, spec in (cal or {}).items():
        for r, role in spec.get("roles", {}).items():
            base["sectors"][s]["roles"][r].update(copy.deepcopy(role))
    return base


REPLACED = ("hire_routes", "destinations")   # shares: a mapping given replaces the default's whole


def deep_merge(base: dict, extra: dict, replace: tuple[str, ...] = ()) -> dict:
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict) and k not in replace:
            deep_merge(base[k], v, replace)
        else:
            base[k] = copy.deepcopy(v)
    return base


def _headcount(system: dict, sectors=None) -> int:
    return sum(r["headcount"] for s, spec in system["sectors"].items() if sectors is None or s in sectors
               for r in spec["roles"].values())


REFERENCE_KEYS = ("reference_pay", "reference_intake", "reference_competing_pay")


def _role_template(default: dict, sector: str, role: str) -> dict:
    """The default's spec of this (sector, role), or of the same role in the first sector that
    has it (e.g. doctors in social care take community doctors' hire routes)."""
    spec = default["sectors"].get(sector, {}).get("roles", {}).get(role)
    if spec is None:
        spec = next(sp["roles"][role] for sp in default["sectors"].values() if role in sp["roles"])
    spec = copy.deepcopy(spec)
    # the default's factors start the fit; the market it was fitted in is not the file's
    for key in REFERENCE_KEYS:
        spec.get("calibration", {}).pop(key, None)
    return spec


@dataclass
class Built:
    """A system built from a file: the system dict (before calibration), where it came from,
    and the targets beyond the per-role rates."""

    system: dict
    csv_path: Path
    settings_path: Path | None
    agency_targets: list[tuple[tuple[str, ...], float]]
    notes: list[str]
    warnings: list[str]

    @property
    def workers(self) -> int:
        return _headcount(self.system)


def build_system(rows: list[Row], settings: dict | None = None, name: str = "my_ics",
                 default: dict | None = None) -> tuple[dict, list[tuple[tuple[str, ...], float]], list[str]]:
    """The system dict for these rows, with the default as the base.

    From the file: headcount, mean FTE (fte / headcount), pay, the three target rates, mean age
    and share over 55 of every (sector, role). From the settings, if given: anything else they set.
    From the default, scaled: employers per sector (x population / default population, with at
    least `MIN_EMPLOYER_SIZE` workers per employer on average), the training intakes (x the
    file's staff in the role / the default's); unscaled: employer size skew, establishment
    growth, winter surge, pay award, bank and agency shares and premiums, flexible-working grant
    rate, leavers' destinations, hire routes per (sector, role), start date, deprived share, the
    labour market (its sizes follow the population and the staff), the career routes between the
    file's roles and sectors, and the default's fitted calibration factors as the starting point
    of the fit.
    A row with headcount 0 leaves that role out; sectors without rows are left out.
    Returns (system, agency targets, notes saying what was derived)."""
    settings = copy.deepcopy(settings or {})
    default = copy.deepcopy(default or embedded_default())
    notes: list[str] = []
    by_sector: dict[str, dict[str, Row]] = {}
    for row in rows:
        if row.headcount > 0:
            by_sector.setdefault(row.sector, {})[row.role] = row
    present = [s for s in SECTORS if s in by_sector]
    total = sum(r.headcount for rs in by_sector.values() for r in rs.values())
    default_pop = int(default["population"])
    population = settings.pop("population", None)
    if population is None:
        population = int(max(1000, round(default_pop * total / _headcount(default, present), -3)))
        notes.append(f"population {population:,} estimated from the workforce size "
                     f"(the default has {_headcount(default, present):,} such workers per {default_pop:,})")
    ratio = population / default_pop
    sectors: dict[str, dict] = {}
    for s in present:
        base = copy.deepcopy(default["sectors"][s])
        sector_hc = sum(r.headcount for r in by_sector[s].values())
        base["employers"] = int(min(max(1, round(base["employers"] * ratio)),
                                    max(1, sector_hc // MIN_EMPLOYER_SIZE)))
        roles = {}
        for role in ROLES:
            row = by_sector[s].get(role)
            if row is None:
                continue
            spec = _role_template(default, s, role)
            spec.update(headcount=row.headcount, mean_fte=round(min(1.0, row.fte / row.headcount), 4),
                        pay_gbp=row.annual_pay_gbp, turnover=row.turnover_rate, vacancy=row.vacancy_rate,
                        sickness=row.sickness_rate, mean_age=row.mean_age, share_over_55=row.share_over_55)
            roles[role] = spec
        base["roles"] = roles
        sectors[s] = base
    for key in SECTOR_KEYS:                     # top-level shorthands for every sector
        if key in settings:
            value = settings.pop(key)
            for spec in sectors.values():
                spec[key] = copy.deepcopy(value)
    for s, spec in (settings.pop("sectors", None) or {}).items():
        deep_merge(sectors[s], spec, REPLACED)
    n_employers = sum(int(spec["employers"]) for spec in sectors.values()
                      if isinstance(spec.get("employers"), int))
    if n_employers > MAX_EMPLOYERS:
        raise SystemFileError(f"{n_employers:,} employers in all (population {population:,}): at most "
                              f"{MAX_EMPLOYERS:,}; set sectors.<sector>.employers in the settings file")
    training = {}
    for role, tr in default.get("training", {}).items():   # x the file's staff in the role / the default's
        mine = sum(spec["roles"][role]["headcount"] for spec in sectors.values() if role in spec["roles"])
        theirs = sum(sp["roles"][role]["headcount"] for sp in default["sectors"].values()
                     if role in sp["roles"])
        if mine > 0 and theirs > 0:
            training[role] = dict(tr, intake_per_year=round(tr["intake_per_year"] * mine / theirs, 1))
    for role, tr in (settings.pop("training", None) or {}).items():
        if tr is None:
            training.pop(role, None)
        else:
            training[role] = deep_merge(training.get(role, {}), tr)
    agency = settings.pop("agency_spend_gbp", None)
    if agency is None:
        targets = []
    elif isinstance(agency, dict):
        targets = [((s,), float(v)) for s, v in agency.items()]
    else:
        targets = [(tuple(s for s in ("acute", "community") if s in sectors), float(agency))]
    roles = {r for spec in sectors.values() for r in spec["roles"]}
    careers = {}
    for key, route in default.get("careers", {}).items():   # the default's career routes that fit
        route = dict(route, sectors=[s for s in route["sectors"] if s in sectors])
        if (route["sectors"] and {route["from_role"], route["to_role"]} <= roles
                and (route["in_post"] or route["to_role"] in training)):
            careers[key] = route
    for key, route in (settings.pop("careers", None) or {}).items():
        if route is None:
            careers.pop(key, None)
        else:
            careers[key] = deep_merge(careers.get(key, {}), route)
    system = {
        "name": settings.pop("name", name),
        "population": int(population),
        "start_date": str(settings.pop("start_date", default["start_date"])),
        "deprived_share": settings.pop("deprived_share", default["deprived_share"]),
        "sectors": sectors,
        "training": training,
        "labour_market": deep_merge(default["labour_market"], settings.pop("labour_market", None) or {}),
        "careers": careers,
    }
    return system, targets, notes


def _format_validation(err) -> list[str]:
    lines = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        if e["type"] == "extra_forbidden":
            lines.append(f"{key}: unknown key")
        else:
            lines.append(f"{key} = {e.get('input')!r}: {e['msg']}")
    return lines


def check_system(system: dict, source: str, what: str) -> None:
    """Validate a system dict against the schema; problems name `source` (a file)."""
    from pydantic import ValidationError

    try:
        SystemConfig.model_validate(system)
    except ValidationError as err:
        fail(source, _format_validation(err), what)


def load(csv_path: Path | str, settings_path: Path | str | None = None, *,
         auto_settings: bool = True) -> Built:
    """Read, check and build a system from a CSV (and its settings: `settings_path`, or else
    `<stem>.yaml` next to the CSV if it exists and `auto_settings`)."""
    csv_path = Path(csv_path)
    if csv_path.suffix.lower() in (".yaml", ".yml"):
        raise SystemFileError(f"{str(csv_path)!r} is YAML: the system file is a CSV (settings go with it as "
                              f"--settings or system.settings; a calibrated system runs as is with "
                              f"wfsim system=from_file system.path={csv_path.name})")
    if csv_path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        raise SystemFileError(f"system file {str(csv_path)!r} is a spreadsheet workbook: save the sheet as "
                              f"'CSV UTF-8' and give the .csv")
    rows, warnings = read_rows(csv_path)
    if settings_path is None and auto_settings:
        candidate = csv_path.with_suffix(".yaml")
        settings_path = candidate if candidate.is_file() else None
    sectors = {r.sector for r in rows if r.headcount > 0}
    settings = read_settings(settings_path, sectors) if settings_path is not None else {}
    name = re.sub(r"[^A-Za-z0-9_\-]+", "_", csv_path.stem) or "my_ics"
    system, targets, notes = build_system(rows, settings, name)
    if settings_path is not None:
        notes.insert(0, f"settings from {settings_path}")
    check_system(system, str(settings_path or csv_path), "settings file" if settings_path else "system file")
    return Built(system, csv_path, Path(settings_path) if settings_path else None, targets, notes, warnings)
