"""Global sensitivity analysis with SALib: Morris screening, then Sobol indices of the few
parameters that matter. `wfsim experiment=sensitivity` (configs/experiment/sensitivity.yaml).

The parameters and their ranges are dotted config keys in YAML (`sensitivity.parameters`). The
command prints how many runs it will make, then writes to the run folder:

- `sensitivity_morris.parquet` / `.csv`: per output and parameter, mu, mu* (mean absolute
  elementary effect) with its confidence interval, sigma, and the rank;
- `sensitivity_sobol.parquet` / `.csv`: per output and parameter, first-order (S1) and total (ST)
  Sobol indices with confidence intervals (`*_conf` is the half-width, `*_lo`/`*_hi` the bounds);
- `sensitivity.png`: both as charts; `sensitivity.json`: the plan and the choices made;
- `sensitivity_runs.jsonl`: one line per finished model run (the checkpoint).

Why the runs go in-process (a pool of worker processes) and not through Hydra's multirun: SALib
needs every output in the order of its sample, and the sample is a list of thousands of arbitrary
points, not the grid Hydra's sweeper expands; feeding it through Hydra would mean one command-line
job per point, each paying for config composition, a process or task, five output files and a
folder, when a screening run at the default scale takes under a second. Here each point is
validated against the same schema and run by `WorkforceModel` directly, and the analysis is still
crash-safe and resumable: every finished run is appended (and flushed) to `sensitivity_runs.jsonl`
under the key of the plan, so a rerun with the same `hydra.run.dir` reuses them and runs only the
rest (a line cut by a kill is ignored). For a study too big for one machine, split it by output
or by method, or raise `scale` and `n_jobs` on a large node.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.sensitivity.methods import morris, morris_runs, problem, sobol, sobol_runs
from experiments.sensitivity.runs import ModelEvaluator, number_at, point_config
from experiments.sensitivity.settings import OUTPUTS, Settings
from sim.config import ConfigError
from sim.files import write_atomic, write_text_atomic
from sim.system.calibrate import FIT_YEARS, START_YEARS


def check_parameters(base: dict, s: Settings) -> None:
    """Every key exists and both ends of every range pass validation: before any run."""
    from sim.config import validate

    for key, (lo, hi) in s.parameters.items():
        number_at(base, key, "sensitivity.parameters: ")
        for v in (lo, hi):
            try:
                validate(point_config(base, [key], [v]))
            except ConfigError as err:
                raise ConfigError(f"sensitivity.parameters.{key}: the range end {v} is not a valid "
                                  f"value ({err})") from None


def plan(base: dict, s: Settings) -> dict:
    k = len(s.parameters)
    year = s.year or base["years"]
    if not 1 <= year <= base["years"]:
        raise ConfigError(f"sensitivity.year = {year}: must be within the run's {base['years']} years")
    p: dict[str, Any] = {"parameters": k, "year": year, "years": base["years"], "scale": s.scale,
                         "outputs": list(s.outputs)}
    if s.method in ("morris", "morris+sobol"):
        p["morris_runs"] = morris_runs(k, s.morris_trajectories)
    if s.method == "sobol":
        p["sobol_parameters"] = k
    elif s.method == "morris+sobol":
        p["sobol_parameters"] = len(s.sobol_parameters) if s.sobol_parameters else min(s.sobol_top, k)
    if "sobol_parameters" in p:
        p["sobol_runs"] = sobol_runs(p["sobol_parameters"], s.sobol_n, s.sobol_second_order)
    p["runs"] = p.get("morris_runs", 0) + p.get("sobol_runs", 0)
    return p


def describe(p: dict, s: Settings, out_dir: Path) -> str:
    lines = [f"wfsim sensitivity: {p['parameters']} parameters; outputs {', '.join(s.outputs)} in year "
             f"{p['year']}; each run: scale {s.scale}, {p['years']} years, the same model seed"]
    if "morris_runs" in p:
        lines.append(f"  Morris screening: {s.morris_trajectories} trajectories x ({p['parameters']} + 1) "
                     f"= {p['morris_runs']} runs")
    if "sobol_runs" in p:
        who = ("every parameter" if s.method == "sobol" else "the listed parameters" if s.sobol_parameters
               else f"the {p['sobol_parameters']} with the largest Morris mu* on {s.outputs[0]}")
        mult = f"2 x {p['sobol_parameters']} + 2" if s.sobol_second_order else f"{p['sobol_parameters']} + 2"
        lines.append(f"  Sobol indices of {who}: N={s.sobol_n} x ({mult}) = {p['sobol_runs']} runs")
    if s.refit_base_rates:
        years = (s.refit_rounds + 1) * (START_YEARS[-1] + FIT_YEARS[-1])
        lines.append(f"  base rates refitted at every point ({s.refit_rounds} rounds): each run first "
                     f"simulates about {years} years")
    lines.append(f"  {p['runs']} runs in all -> {out_dir}")
    return "\n".join(lines)


def _atomic_df(df: pd.DataFrame, stem: Path) -> list[Path]:
    paths = [stem.with_suffix(".parquet"), stem.with_suffix(".csv")]
    write_atomic(paths[0], lambda p: df.to_parquet(p, index=False))
    write_atomic(paths[1], lambda p: df.to_csv(p, index=False))
    return paths


def run_analysis(base: dict, s: Settings, out_dir: Path, *, log=print) -> dict[str, Any]:
    """Morris and/or Sobol on the simulator; writes tables, chart and plan to `out_dir`."""

    out_dir = Path(out_dir)
    check_parameters(base, s)
    p = plan(base, s)
    log(describe(p, s, out_dir))
    result: dict[str, Any] = {"plan": p}
    if s.plan_only:
        return result
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    ev = ModelEvaluator(base, s, out_dir, log=log)
    info: dict[str, Any] = {"plan": p, "settings": asdict(s), "plan_key": ev.key}
    chosen = list(s.parameters)
    if s.method in ("morris", "morris+sobol"):
        prob = problem(s.parameters)
        m = morris(prob, lambda X, st: ev(X, st, prob["names"]), s.outputs,
                   trajectories=s.morris_trajectories, levels=s.morris_levels, seed=s.seed,
                   conf_level=s.conf_level)
        result["morris"] = m
        _atomic_df(m, out_dir / "sensitivity_morris")
        first = m[m["output"] == s.outputs[0]].sort_values("mu_star", ascending=False)
        chosen = list(s.sobol_parameters or first["parameter"].head(min(s.sobol_top, len(first))))
        info["sobol_chosen"] = chosen
        log("  Morris mu* on " + s.outputs[0] + ": " + ", ".join(
            f"{r.parameter} {r.mu_star:.4g} (+/-{r.mu_star_conf:.2g})" for r in first.itertuples()))
    if s.method in ("sobol", "morris+sobol"):
        sub = {k: s.parameters[k] for k in chosen}
        prob = problem(sub)
        so = sobol(prob, lambda X, st: ev(X, st, prob["names"]), s.outputs, n=s.sobol_n, seed=s.seed,
                   conf_level=s.conf_level, second_order=s.sobol_second_order)
        result["sobol"] = so
        _atomic_df(so, out_dir / "sensitivity_sobol")
        first = so[so["output"] == s.outputs[0]]
        log("  Sobol on " + s.outputs[0] + ": " + ", ".join(
            f"{r.parameter} S1 {r.S1:.2f} [{r.S1_lo:.2f}, {r.S1_hi:.2f}] ST {r.ST:.2f} "
            f"[{r.ST_lo:.2f}, {r.ST_hi:.2f}]" for r in first.itertuples()))
    png = out_dir / "sensitivity.png"
    write_atomic(png, lambda path: chart(result.get("morris"), result.get("sobol"), path, s, p["year"]))
    info.update(runs_made=ev.runs, runs_reused=ev.reused, wall_time_s=round(time.perf_counter() - t0, 1))
    write_text_atomic(out_dir / "sensitivity.json", json.dumps(info, indent=2, default=str) + "\n")
    log(f"wfsim sensitivity: {ev.runs} runs made, {ev.reused} reused, {info['wall_time_s']} s; wrote "
        f"sensitivity_morris/sobol (.parquet, .csv), sensitivity.png, sensitivity.json to {out_dir}")
    result["info"] = info
    return result


def chart(m: pd.DataFrame | None, so: pd.DataFrame | None, path: Path, s: Settings, year: int) -> None:
    """Morris mu* (with intervals) and Sobol S1/ST (with intervals) for the first output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = s.outputs[0]
    panels = [x for x in (m, so) if x is not None]
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 0.45 * len(s.parameters) + 2.2),
                             squeeze=False)
    ax_i = 0
    level = f"{s.conf_level:.0%}"
    if m is not None:
        ax = axes[0][ax_i]
        ax_i += 1
        d = m[m["output"] == out].sort_values("mu_star")
        ax.barh(d["parameter"], d["mu_star"], xerr=d["mu_star_conf"], color="#4c72b0", capsize=3)
        ax.set_xlabel(f"Morris mu* (mean |elementary effect|) on {out}, {level} interval")
        ax.set_title("Screening: which parameters move the output")
    if so is not None:
        ax = axes[0][ax_i]
        d = so[so["output"] == out].sort_values("ST").reset_index(drop=True)
        y = np.arange(len(d))
        ax.barh(y - 0.2, d["S1"], height=0.4, xerr=d["S1_conf"], label="first order S1", color="#55a868",
                capsize=3)
        ax.barh(y + 0.2, d["ST"], height=0.4, xerr=d["ST_conf"], label="total ST", color="#c44e52",
                capsize=3)
        ax.set_yticks(y, d["parameter"])
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlabel(f"Sobol index on {out}, {level} interval")
        ax.set_title("Share of the output's variance")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    fig.suptitle(f"Sensitivity of {OUTPUTS[out]}, year {year} (runs at scale {s.scale})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=120)
    plt.close(fig)


def run_from_hydra(cfg) -> dict[str, Any]:
    """`wfsim experiment=sensitivity`: the composed config minus `sensitivity` is the base."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from sim.system import to_run_config

    raw = OmegaConf.to_container(cfg, resolve=True)
    raw.pop("hydra", None)
    settings = Settings.from_dict(raw.pop("sensitivity") or {})
    base = to_run_config(OmegaConf.create(raw)).model_dump(mode="json")  # as `wfsim` would run it
    out = Path(HydraConfig.get().runtime.output_dir)
    return run_analysis(base, settings, out, log=lambda msg: print(msg, flush=True))
