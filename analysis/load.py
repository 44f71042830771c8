"""Load simulator output folders into tidy pandas DataFrames.

Three kinds of folder are understood:

* a **run** folder holding ``timeseries.parquet``, ``flows.parquet`` and
  ``summary.json``;
* a **multirun** folder (Hydra ``-m``) holding numbered run folders
  ``0/``, ``1/``, ...;
* an **experiment** folder holding ``comparison.parquet`` (and optionally
  numbered run folders as well).

Every file is checked against the output contract. A missing or malformed file
raises :class:`OutputError` with a message that names the file and says what is
wrong, so the command-line tools can show it without a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analysis.scenarios import baseline_scenario, scenario_names

TIMESERIES = "timeseries.parquet"
FLOWS = "flows.parquet"
SUMMARY = "summary.json"
COMPARISON = "comparison.parquet"
RUN_FILES = (TIMESERIES, FLOWS, SUMMARY)
BATCH_RUN = "seed_"   # a batch job's run of one seed: <job>/seed_<n>/

# Column kinds: "int" whole numbers, "num" any number, "str" text,
# "date" dates. A trailing "?" means missing values are allowed.
TIMESERIES_COLUMNS = {
    "week": "int",
    "date": "date",
    "sector": "str",
    "role": "str",
    "headcount": "int",
    "fte": "num",
    "establishment_fte": "num",
    "vacancy_fte": "num",
    "sick_fte": "num",
    "bank_fte": "num",
    "agency_fte": "num",
    "agency_cost_gbp": "num",
    "bank_cost_gbp": "num",
    "mean_burnout": "num",
    "joiners": "int",
    "leavers": "int",
}
FLOWS_COLUMNS = {"week": "int", "source": "str", "target": "str", "count": "int"}
COMPARISON_COLUMNS = {
    "programme": "str",
    "metric": "str",
    "sector": "str?",
    "year": "int?",
    # missing where undefined: no interval from one seed, no ratio without a gain
    "mean_diff": "num?",
    "lo90": "num?",
    "hi90": "num?",
    "n_seeds": "int",
}
YEAR_KEYS = (
    "turnover_rate",
    "vacancy_rate",
    "sickness_rate",
    "agency_spend_gbp",
    "bank_spend_gbp",
)
KIND_WORDS = {"int": "whole numbers", "num": "numbers", "str": "text", "date": "dates"}
# Stocks and flows are counts of people, FTE and money: a negative one is a broken file.
NON_NEGATIVE = ("headcount", "fte", "establishment_fte", "vacancy_fte", "sick_fte", "bank_fte",
                "agency_fte", "agency_cost_gbp", "bank_cost_gbp", "joiners", "leavers")


class OutputError(Exception):
    """A simulator output folder is missing a file or a file breaks the contract."""


@dataclass(frozen=True)
class Run:
    """The outputs of one simulation run."""

    path: Path
    timeseries: pd.DataFrame
    flows: pd.DataFrame
    summary: dict
    # career steps in post (`role_changes`): empty for a run whose flows carry no roles
    role_changes: pd.DataFrame = field(default_factory=lambda: role_changes(pd.DataFrame()))

    @property
    def manifest(self) -> dict:
        return self.summary["manifest"]

    @property
    def seed(self) -> int:
        return int(self.manifest["seed"])

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def start_date(self) -> pd.Timestamp:
        return pd.Timestamp(self.manifest["start_date"])

    @cached_property
    def summary_years(self) -> pd.DataFrame:
        """``summary.json`` yearly figures as a tidy table (sector, year, ...)."""
        return summary_table(self.summary)


@dataclass(frozen=True)
class RunSet:
    """Several runs (a multirun) and/or an experiment comparison table."""

    path: Path
    runs: list[Run] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)
    comparison: pd.DataFrame | None = None
    # the scenario of the runs shown (analysis.load.scenario_names), and the runs of other
    # scenarios found next to them and left out
    scenario: str | None = None
    other_scenario_runs: int = 0
    n_scenarios: int = 1

    @property
    def name(self) -> str:
        return self.path.name

    def _stack(self, frames: list[pd.DataFrame]) -> pd.DataFrame:
        parts = [
            f.assign(run=run_id, seed=run.seed)
            for f, run_id, run in zip(frames, self.run_ids, self.runs, strict=True)
        ]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        return self._stack([r.timeseries for r in self.runs])

    @cached_property
    def flows(self) -> pd.DataFrame:
        return self._stack([r.flows for r in self.runs])

    @cached_property
    def summary_years(self) -> pd.DataFrame:
        return self._stack([r.summary_years for r in self.runs])

    @cached_property
    def role_changes(self) -> pd.DataFrame:
        return self._stack([r.role_changes for r in self.runs])


def is_run_folder(path: Path) -> bool:
    return any((path / name).exists() for name in RUN_FILES)


def batch_runs(path: Path) -> list[Path]:
    """The runs of a batch job's folder (``seed_<n>/``, one per seed, by seed: a sweep job given
    a list of seeds, ``wfsim -m 'seed=[0,1,2]'``); [] for any other folder."""
    subs = [p for p in path.iterdir()
            if p.is_dir() and p.name.startswith(BATCH_RUN) and p.name[len(BATCH_RUN):].isdigit()]
    return sorted(subs, key=lambda p: int(p.name[len(BATCH_RUN):]))


def run_subfolders(path: Path) -> list[Path]:
    """Numbered run folders (``0/``, ``1/``, ...) in numeric order, a batch job's folder
    standing for its runs."""
    subs = sorted((p for p in path.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    out = []
    for sub in subs:
        runs = batch_runs(sub)
        out += ([sub] if is_run_folder(sub) or not runs else []) + runs
    return out


def _check_folder(path: Path) -> None:
    if not path.exists():
        raise OutputError(f"{path}: no such folder")
    if not path.is_dir():
        raise OutputError(f"{path}: is a file; give the output folder that holds it")


def load(path: str | Path) -> Run | RunSet:
    """Load a run folder as a :class:`Run`, anything else as a :class:`RunSet`."""
    path = Path(path)
    _check_folder(path)
    if is_run_folder(path):
        return load_run(path)
    return load_runs(path)


def load_run(path: str | Path) -> Run:
    path = Path(path)
    _check_folder(path)
    summary = read_summary(path / SUMMARY)
    timeseries = read_table(path / TIMESERIES, TIMESERIES_COLUMNS)
    flows = read_table(path / FLOWS, FLOWS_COLUMNS)
    _not_negative(path / TIMESERIES, timeseries, NON_NEGATIVE)
    _not_negative(path / FLOWS, flows, ("count",))
    return Run(path=path, timeseries=timeseries, flows=by_node_pair(flows), summary=summary,
               role_changes=role_changes(flows))


ROLE_CHANGE_COLUMNS = ("week", "sector", "role", "target_role", "count")


def role_changes(flows: pd.DataFrame) -> pd.DataFrame:
    """The career steps in post among a run's flows: workers who changed role with their
    employer (``role`` to ``target_role``, source and target the same sector; a support
    worker's apprenticeship into nursing). Empty where the flows carry no roles."""
    if not {"role", "target_role"} <= set(flows.columns):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("week", "count") else "object")
                             for c in ROLE_CHANGE_COLUMNS})
    role, target_role = flows["role"].astype(str), flows["target_role"].astype(str)
    source = flows["source"].astype(str)
    steps = (target_role != "") & (role != target_role) & (source == flows["target"].astype(str))
    out = pd.DataFrame({"week": flows["week"], "sector": source, "role": role,
                        "target_role": target_role, "count": flows["count"]})[steps]
    return out.reset_index(drop=True)


def by_node_pair(flows: pd.DataFrame) -> pd.DataFrame:
    """One row per (week, source, target), summing ``count``: a run may split its flows
    further (e.g. by role and target role); every chart here is drawn between nodes."""
    if flows.duplicated(["week", "source", "target"]).any() or len(flows.columns) > 4:
        flows = flows.groupby(["week", "source", "target"], as_index=False, sort=True)["count"].sum()
    return flows[["week", "source", "target", "count"]].reset_index(drop=True)


def load_runs(path: str | Path) -> RunSet:
    path = Path(path)
    _check_folder(path)
    subs = run_subfolders(path)
    comparison_file = path / COMPARISON
    comparison = None
    if comparison_file.exists():
        comparison = read_table(comparison_file, COMPARISON_COLUMNS)
    if not subs and comparison is None:
        raise OutputError(
            f"{path}: no simulator outputs found; expected {', '.join(RUN_FILES)} "
            f"(a run), numbered run folders 0/, 1/, ... (a multirun) "
            f"or {COMPARISON} (an experiment)"
        )
    # A multirun may hold several scenarios (the baseline and each programme, or each value of a
    # swept key, over the same seeds). The run charts show one: the baseline (never a mix).
    names = scenario_names(subs)
    shown = baseline_scenario(names, error=OutputError) if subs else None
    kept = [p for p in subs if names[p] == shown]
    runs = [load_run(p) for p in kept]
    return RunSet(path=path, runs=runs, run_ids=[p.name for p in kept], comparison=comparison,
                  other_scenario_runs=len(subs) - len(kept), scenario=shown,
                  n_scenarios=len(set(names.values())))


# --- parquet -----------------------------------------------------------------


def read_table(file: Path, columns: dict[str, str]) -> pd.DataFrame:
    if not file.exists():
        raise OutputError(f"{file}: missing file")
    try:
        df = pq.read_table(file).to_pandas()
    except Exception as exc:  # pyarrow raises several error types
        raise OutputError(f"{file}: unreadable parquet file ({exc})") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise OutputError(f"{file}: missing column(s) {names}")
    if df.empty:
        raise OutputError(f"{file}: has no rows")
    for col, kind in columns.items():
        df[col] = _check_column(file, col, df[col], kind)
    return df


def _not_negative(file: Path, df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    for col in columns:
        bad = int((df[col] < 0).sum())
        if bad:
            raise OutputError(f"{file}: column {col!r} has {bad} negative value(s); it counts people, "
                              "FTE or money, which cannot be negative")


def _check_column(file: Path, col: str, s: pd.Series, kind: str) -> pd.Series:
    nullable = kind.endswith("?")
    kind = kind.rstrip("?")
    if not nullable and s.isna().any():
        raise OutputError(f"{file}: column {col!r} has {int(s.isna().sum())} missing value(s)")
    present = s.dropna()

    def wrong() -> OutputError:
        return OutputError(
            f"{file}: column {col!r} should hold {KIND_WORDS[kind]} but has type {s.dtype}"
        )

    if kind == "str":
        if isinstance(s.dtype, pd.CategoricalDtype):
            text = all(isinstance(v, str) for v in s.cat.categories)
        else:
            text = pd.api.types.is_string_dtype(s) or all(isinstance(v, str) for v in present)
        if text:
            return s.astype("object" if nullable else "str")
        raise wrong()
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(s):
            return s
        try:
            if s.dtype == object:
                return pd.to_datetime(s)
        except (TypeError, ValueError):
            pass
        raise wrong()
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise wrong()
    if kind == "int":
        if pd.api.types.is_integer_dtype(s):
            return s.astype("Int64") if nullable else s.astype("int64")
        if nullable and (present == present.round()).all():
            return s.astype("Int64")
        raise wrong()
    return s.astype("float64")


# --- summary.json --------------------------------------------------------------


def read_summary(file: Path) -> dict:
    if not file.exists():
        raise OutputError(f"{file}: missing file")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OutputError(f"{file}: invalid JSON ({exc})") from None

    def need(obj, key: str, kind: type | tuple, where: str):
        if not isinstance(obj, dict) or key not in obj:
            raise OutputError(f"{file}: missing key {where}{key!r}")
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise OutputError(f"{file}: {where}{key!r} has the wrong type ({type(value).__name__})")
        return value

    if not isinstance(data, dict):
        raise OutputError(f"{file}: top level should be a JSON object")
    sectors = need(data, "sectors", dict, "")
    if not sectors:
        raise OutputError(f"{file}: 'sectors' is empty")
    for name, sec in sectors.items():
        where = f"sectors.{name}."
        need(sec, "headcount_start", int, where)
        need(sec, "headcount_end", int, where)
        for i, year in enumerate(need(sec, "years", list, where)):
            need(year, "year", int, f"{where}years[{i}].")
            for key in YEAR_KEYS:   # null: a rate with no staff to divide by
                need(year, key, (int, float, type(None)), f"{where}years[{i}].")
    manifest = need(data, "manifest", dict, "")
    need(manifest, "seed", int, "manifest.")
    need(manifest, "years", int, "manifest.")
    start = need(manifest, "start_date", str, "manifest.")
    try:
        pd.Timestamp(start)
    except ValueError:
        raise OutputError(f"{file}: manifest.start_date {start!r} is not a date") from None
    return data


def summary_table(summary: dict) -> pd.DataFrame:
    rows = [
        {"sector": sector, **year}
        for sector, sec in summary["sectors"].items()
        for year in sec["years"]
    ]
    cols = ["sector", "year", *YEAR_KEYS]
    return pd.DataFrame(rows, columns=cols)
