"""The comparison: each scenario against a baseline on the same seeds.

Reads the run folders of a multirun (each with summary.json, timeseries.parquet and
config.json) and writes a tidy table, one row per (scenario, metric, sector, year; the
scenario in the column `programme`), with the mean paired difference from the baseline over
the seeds both ran, and a 90% interval (Student's t on the paired differences). Common random
numbers make these differences far less noisy than the seed-to-seed spread.

A scenario is what a run simulated apart from its seed: its programmes and the overrides that
set it apart from the other runs (analysis.load.scenario_names), so a sweep over any key
compares each value with the first (or with `baseline`), and runs of two parameter sets are
never pooled.

    wfsim -m experiment=compare_programmes      # runs, then writes comparison.parquet / .csv
    wfsim-compare multirun/compare_programmes/<date>   # rebuild the table from finished runs
                                                       # (sim.commands.compare)
    wfsim-compare multirun/pay --baseline system.sectors.social_care.pay_award=0.03

Nothing is dropped silently: run folders missing one of the files (a job still running or
killed) and runs whose seed has no baseline run are left out and listed in `notes`, which the
command prints; a file that cannot be read stops the comparison naming it (`CompareError`).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from hydra.experimental.callback import Callback
from scipy import stats

from analysis.load import batch_runs
from analysis.scenarios import baseline_scenario, scenario_names
from sim.codes import SECTORS, WEEKS_PER_YEAR
from sim.files import write_atomic
from sim.metrics import yearly_rates

ALL = "all"  # the sector label of system-wide metrics
RESULT_FILES = ("summary.json", "timeseries.parquet", "config.json")


class CompareError(ValueError):
    """A run's file cannot be read, or there is nothing to compare."""


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise CompareError(f"{path}: cannot be read ({type(err).__name__}: {err})") from None
    if not isinstance(data, dict):
        raise CompareError(f"{path}: should hold a JSON object")
    return data


def run_metrics(folder: Path) -> tuple[dict, pd.DataFrame]:
    """Metrics of one run: (info, long table of metric, sector, year, value)."""
    summary = _read_json(folder / "summary.json")
    config = _read_json(folder / "config.json")
    try:
        ts = pd.read_parquet(folder / "timeseries.parquet")
        ts["sector"] = ts["sector"].astype(str)
        years = int(ts["week"].max() + 1) // WEEKS_PER_YEAR
    except Exception as err:  # noqa: BLE001 - pyarrow raises several kinds for a damaged file
        raise CompareError(f"{folder / 'timeseries.parquet'}: cannot be read ({type(err).__name__}: "
                           f"{err})") from None
    try:
        return _metrics(summary, config, ts, years)
    except (KeyError, TypeError, ValueError) as err:
        raise CompareError(f"{folder}: summary.json or config.json lacks what a run writes "
                           f"({type(err).__name__}: {err})") from None


def _metrics(summary: dict, config: dict, ts: pd.DataFrame, years: int) -> tuple[dict, pd.DataFrame]:
    rows = []

    def add(metric, sector, year, value):
        rows.append({"metric": metric, "sector": sector, "year": year, "value": float(value)})

    weekly = ts.groupby(["week", "sector"])[["fte", "establishment_fte"]].sum().reset_index()
    total = weekly.groupby("week")[["fte"]].sum()
    for y in range(1, years + 1):
        end = y * WEEKS_PER_YEAR - 1
        at_end = weekly[weekly["week"] == end].set_index("sector")["fte"]
        for s, v in at_end.items():
            add("staff_in_post_fte", s, y, v)
        add("staff_in_post_fte", ALL, y, at_end.sum())
    for by, label in ((["sector"], None), ([], ALL)):
        rates = yearly_rates(ts, by) if by else yearly_rates(ts.assign(all=ALL), ["all"])
        for _, r in rates.iterrows():
            sector = r["sector"] if by else label
            for metric in ("vacancy_rate", "turnover_rate", "agency_spend_gbp", "bank_spend_gbp"):
                add(metric, sector, int(r["year"]), r[metric])
    # FTE-years over the whole run, for cost per FTE-year gained.
    add("fte_years", ALL, None, total["fte"].sum() / WEEKS_PER_YEAR)
    progs = summary.get("programmes", {})
    cost = sum(p["cost_gbp"] for p in progs.values())
    add("programme_cost_gbp", ALL, None, cost)
    for y in range(1, years + 1):
        add("programme_cost_gbp", ALL, y, sum(sum(v["cost_gbp"] for v in p["years"] if v["year"] == y)
                                               for p in progs.values()))
    targeted = sorted({s for p in progs.values() for s in p["sectors"]})
    assumed = sorted(f"{name}.{k}" for name, p in progs.items() for k in p.get("assumed_inputs", {}))
    covers = summary["manifest"].get("uncertainty", {}).get("covers", "seeds")   # older runs: seeds
    info = {"seed": int(config["seed"]), "programmes": sorted(config.get("intervention") or {}),
            "targeted": targeted, "years": years, "assumed": assumed, "covers": covers}
    return info, pd.DataFrame(rows)


def _interval(diffs: np.ndarray) -> tuple[float, float, float]:
    n = len(diffs)
    mean = float(diffs.mean())
    if n < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.95, n - 1) * diffs.std(ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def find_runs(folder: Path) -> tuple[list[Path], list[str]]:
    """The run folders of a multirun that have every result file, and a note for each folder
    that has some but not all (a job still running, failed or killed)."""
    found, partial = [], []
    jobs = sorted(p for p in Path(folder).iterdir() if p.is_dir() and not p.name.startswith("."))
    for sub in (run for job in jobs for run in [job, *batch_runs(job)]):   # a job's own, a batch's
        have = [f for f in (*RESULT_FILES, "job.json") if (sub / f).exists()]
        if not have:
            continue
        missing = [f for f in RESULT_FILES if f not in have]
        if missing:
            partial.append(f"{sub}: left out, no {', '.join(missing)}")
        else:
            found.append(sub)
    return found, partial


def compare(folder: Path, notes: list[str] | None = None, baseline: str | None = None) -> pd.DataFrame:
    """The comparison table for a multirun folder: every scenario (analysis.load.scenario_names:
    programmes, or the values of a swept key) against `baseline` (by default the runs with no
    programme and no override of their own, else the sweep's first values) on the seeds both
    ran; what was left out goes to `notes`."""
    notes = [] if notes is None else notes
    if not Path(folder).is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    runs, partial = find_runs(Path(folder))
    notes += partial
    if not runs:
        raise FileNotFoundError(f"{folder}: no finished runs (folders with {', '.join(RESULT_FILES)})")
    loaded = [run_metrics(r) for r in runs]
    names = scenario_names(runs)
    try:
        base_name = baseline_scenario(names, baseline)
    except ValueError as err:
        raise ValueError(f"{folder}: {err}") from None
    if len(set(names.values())) < 2:
        raise ValueError(f"{folder}: every run is of one scenario ({base_name}): nothing to compare it with")
    seen: dict[tuple[str, int], Path] = {}
    kept = []
    for run, (info, df) in zip(runs, loaded, strict=True):
        twin = seen.setdefault((names[run], info["seed"]), run)
        if twin == run:
            kept.append((run, (info, df)))
        else:   # e.g. threads=1,2: the same results again
            notes.append(f"{run}: left out, the same scenario ({names[run]}) and seed ({info['seed']}) "
                         f"as {twin}")
    if base_name != "baseline":
        notes.append(f"compared against {base_name} (no run without a programme or an override "
                     "of its own; choose another with --baseline)")
    covers = sorted({info["covers"] for _, (info, _) in kept})
    if len(covers) > 1:
        notes.append(f"the runs differ in what their spread covers ({', '.join(covers)}): their "
                     "intervals mix run-to-run randomness with drawn behaviour")
    frames = []
    targeted = {}
    assumed = {}
    for run, (info, df) in kept:
        name = names[run]
        targeted[name] = info["targeted"]
        assumed[name] = "; ".join(info.get("assumed", []))
        frames.append(df.assign(scenario=name, seed=info["seed"]))
    long = pd.concat(frames, ignore_index=True)
    long["year"] = long["year"].astype("Int64")
    key = ["metric", "sector", "year", "seed"]
    base = long[long["scenario"] == base_name].set_index(key)["value"]
    base_seeds = set(long.loc[long["scenario"] == base_name, "seed"])
    for name, g in long[long["scenario"] != base_name].groupby("scenario"):
        alone = sorted(set(g["seed"]) - base_seeds)
        if alone:
            notes.append(f"{name}: seed(s) {', '.join(map(str, alone))} left out: no baseline run with "
                         f"that seed; compared on {len(set(g['seed'])) - len(alone)} seed(s)")
    rows = []
    for name, g in long[long["scenario"] != base_name].groupby("scenario"):
        paired = g.set_index(key)["value"].to_frame("value").join(base.rename("base"), how="inner")
        paired["diff"] = paired["value"] - paired["base"]
        for (metric, sector, year), d in paired.groupby(level=["metric", "sector", "year"], dropna=False):
            if metric == "fte_years":
                continue
            mean, lo, hi = _interval(d["diff"].to_numpy())
            rows.append({"programme": name, "metric": metric, "sector": sector, "year": year,
                         "mean_diff": mean, "lo90": lo, "hi90": hi, "n_seeds": len(d),
                         "baseline_mean": float(d["base"].mean()),
                         "targeted": sector in targeted[name] if sector in SECTORS else None})
        # Cost per FTE-year gained: mean cost over mean gain (seeds with a loss count too), its
        # interval from the gain's; undefined (NaN) when the programme gains nothing on average.
        gain = paired.xs(("fte_years", ALL), level=["metric", "sector"])["diff"].droplevel("year")
        cost = paired.xs(("programme_cost_gbp", ALL), level=["metric", "sector"])
        cost = cost[cost.index.get_level_values("year").isna()]["value"].droplevel("year")
        g_mean, g_lo, g_hi = _interval(gain.to_numpy())
        c_mean = float(cost.mean())
        per = c_mean / g_mean if g_mean > 0 else np.nan
        per_lo = c_mean / g_hi if g_mean > 0 and g_hi > 0 else np.nan
        per_hi = (c_mean / g_lo if g_lo > 0 else np.inf) if g_mean > 0 else np.nan
        rows.append({"programme": name, "metric": "cost_per_fte_year_gained_gbp", "sector": ALL,
                     "year": pd.NA, "mean_diff": per, "lo90": per_lo, "hi90": per_hi,
                     "n_seeds": len(gain), "baseline_mean": np.nan, "targeted": None})
        rows.append({"programme": name, "metric": "fte_years_gained", "sector": ALL, "year": pd.NA,
                     "mean_diff": g_mean, "lo90": g_lo, "hi90": g_hi,
                     "n_seeds": len(gain), "baseline_mean": np.nan, "targeted": None})
        # Spill-over: change in staff in post in the sectors the programme does not target.
        fte = paired.xs("staff_in_post_fte", level="metric")
        others = [s for s in SECTORS if s not in targeted[name]]
        if others:
            spill = fte[fte.index.get_level_values("sector").isin(others)]["diff"]
            for year, d in spill.groupby(level="year"):
                per_seed = d.groupby(level="seed").sum().to_numpy()
                mean, lo, hi = _interval(per_seed)
                rows.append({"programme": name, "metric": "spillover_fte", "sector": "untargeted",
                             "year": year, "mean_diff": mean, "lo90": lo, "hi90": hi,
                             "n_seeds": len(per_seed), "baseline_mean": np.nan, "targeted": False})
    out = pd.DataFrame(rows)
    out["year"] = out["year"].astype("Int64")
    # what each programme's effect rests on that no source gives: the rest of a row's number emerges
    out["assumed_inputs"] = out["programme"].map(assumed)
    out["baseline"] = base_name
    # what the 90% intervals cover (sim.uncertainty): "seeds", "seeds_and_behaviour" or "mixed"
    out["interval_covers"] = covers[0] if len(covers) == 1 else "mixed"
    return out.sort_values(["programme", "metric", "sector", "year"], ignore_index=True)


def write(folder: Path, notes: list[str] | None = None, baseline: str | None = None) -> list[Path]:
    table = compare(folder, notes, baseline)
    paths = [Path(folder) / "comparison.parquet", Path(folder) / "comparison.csv"]
    write_atomic(paths[0], lambda tmp: table.to_parquet(tmp, index=False))
    write_atomic(paths[1], lambda tmp: table.to_csv(tmp, index=False))
    return paths


def headline(table: pd.DataFrame, year: int = 5) -> pd.DataFrame:
    """Programme x headline metrics, formatted 'mean [lo, hi]' (for the terminal and notes)."""
    def fmt(r, scale=1.0, digits=0):
        lo, mid, hi = (f"{v / scale:+,.{digits}f}" for v in (r.lo90, r.mean_diff, r.hi90))
        if not (np.isfinite(r.lo90) and np.isfinite(r.hi90)):
            return f"{mid} (no interval: {int(r.n_seeds)} seed)" if np.isfinite(r.mean_diff) else "n/a"
        return f"{mid} [{lo}, {hi}]"

    rows = []
    for name, g in table.groupby("programme"):
        def pick(metric, sector=ALL, yr=None, g=g):
            sel = g[(g.metric == metric) & (g.sector == sector)]
            sel = sel[sel.year.isna()] if yr is None else sel[sel.year == yr]
            return sel.iloc[0] if len(sel) else None
        row = {"programme": name}
        for y in (1, 3, year):
            r = pick("staff_in_post_fte", yr=y)
            row[f"FTE y{y}"] = fmt(r, digits=1) if r is not None else ""
        for label, metric, scale, digits in (("vacancy pp", "vacancy_rate", 0.01, 2),
                                             ("turnover pp", "turnover_rate", 0.01, 2)):
            r = pick(metric, yr=year)
            row[f"{label} y{year}"] = fmt(r, scale, digits) if r is not None else ""
        r = pick("agency_spend_gbp", yr=year)
        row[f"agency £k y{year}"] = fmt(r, 1e3) if r is not None else ""
        r = pick("programme_cost_gbp")
        row["cost £k"] = f"{r.mean_diff / 1e3:,.0f}" if r is not None else ""
        r = pick("cost_per_fte_year_gained_gbp")
        row["£ per FTE-year"] = (f"{r.mean_diff:,.0f}" if r is not None and np.isfinite(r.mean_diff)
                                 else "no gain")
        r = pick("spillover_fte", sector="untargeted", yr=year)
        row[f"spill-over FTE y{year}"] = fmt(r, digits=1) if r is not None else "(none untargeted)"
        rows.append(row)
    return pd.DataFrame(rows)


class ComparisonCallback(Callback):
    """Hydra callback: at the end of the sweep, write the comparison into the sweep folder."""

    def on_multirun_end(self, config, **kwargs) -> None:
        folder = Path(config.hydra.sweep.dir)
        notes: list[str] = []
        try:
            paths = write(folder, notes)
        except (FileNotFoundError, ValueError) as err:
            print(f"wfsim: no comparison written: {err}", file=sys.stderr)
            return
        for line in notes:
            print(f"wfsim: {line}", file=sys.stderr)
        print(f"wfsim: wrote {paths[0]} and {paths[1].name}")
        with pd.option_context("display.width", 250, "display.max_columns", 20):
            print(headline(pd.read_parquet(paths[0])).to_string(index=False))
