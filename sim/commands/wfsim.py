"""`wfsim`: the Hydra app that runs the simulator and writes a run folder.

    wfsim                      # the embedded default, 5 years, seed 0
    wfsim years=10 seed=3
    wfsim -m seed=0,1,2        # several runs (one folder each under multirun/)
    wfsim -m 'seed=range(12)' hydra/launcher=joblib hydra.sweep.dir=multirun/s   # rerun to resume
    wfsim hydra.run.dir=out/my_run
    wfsim experiment=sensitivity     # global sensitivity analysis (SALib)

The config is validated before anything runs: a bad key or value stops with a message naming
it and exit code 2. In a sweep (`-m`) each job is crash-safe and keyed by its config hash, a
job that fails does not stop the others, and the sweep folder gets `sweep_manifest.json`; the
exit code is then 3 if any job failed (see `sim.runs.sweep`).
"""
from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.config import ConfigError, RunConfig
from sim.configuration import CONFIG_DIR
from sim.system import to_run_config

EXIT_CONFIG = 2
PROGRESS_MIN_WEEKS = 104
SWEEP_CALLBACK = "hydra/callbacks=sweep"  # configs/hydra/callbacks/sweep.yaml


def simulate(run_cfg: RunConfig, out: Path, overrides: list[str], *, threads: int | None = None,
             progress: bool = False) -> list[Path]:
    """Run one validated config to its horizon and write its run folder `out`."""
    from sim.model import WorkforceModel
    from sim.runs.run_folder import write_run

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    t0 = time.perf_counter()
    model = WorkforceModel(run_cfg, threads=threads)
    print(f"wfsim: {run_cfg.system.name}, {len(model.engine):,} workers, {run_cfg.years} years, "
          f"seed {run_cfg.seed}", flush=True)
    model.run(progress=progress and run_cfg.progress and model.horizon >= PROGRESS_MIN_WEEKS
              and sys.stderr.isatty())
    return write_run(model, out, time.perf_counter() - t0, overrides=overrides)


def run(cfg: DictConfig) -> Path:
    run_cfg = to_run_config(cfg)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    paths = simulate(run_cfg, out, list(hc.overrides.task), progress=True)
    print(f"wfsim: wrote {', '.join(p.name for p in paths)} to {out}", flush=True)
    return out


# An absolute path: Hydra would look for a `configs` package when started from an entry point.
@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def _app(cfg: DictConfig) -> None:
    multirun = HydraConfig.get().mode == RunMode.MULTIRUN
    if "sensitivity" in cfg and multirun:
        print("wfsim: experiment=sensitivity draws and runs its own sample (crash-safe, resumable): "
              "run it without -m", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    if multirun:
        from sim.runs.sweep import run_job
        return run_job(cfg, simulate)  # records failures instead of raising: see sim.sweep
    if "sensitivity" in cfg:
        from experiments.sensitivity import run_from_hydra as job
    else:
        job = run
    try:
        job(cfg)
    except ConfigError as err:
        print(f"wfsim: {err}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    return None


def _with_sweep_callback(argv: list[str]) -> list[str]:
    """A sweep gets the manifest callback unless the command line chooses callbacks itself.
    (Selecting it in config.yaml's defaults, `override hydra/callbacks: sweep`, makes this moot.)"""
    if not {"-m", "--multirun"} & set(argv):
        return argv
    if any(a.lstrip("+~").startswith(("hydra/callbacks", "hydra.callbacks")) for a in argv):
        return argv
    # beside the other overrides: Hydra's parser takes them as one run of positional arguments
    first = next((i for i, a in enumerate(argv) if "=" in a and not a.startswith("-")), len(argv))
    return [*argv[:first], SWEEP_CALLBACK, *argv[first:]]


def main() -> None:
    from sim.runs import sweep

    if any(a.endswith("hydra/launcher=ray_local") for a in sys.argv[1:]):
        # Ray swaps 127.0.0.1 for the machine's network address unless told that this is a
        # one-machine cluster; it reads this when imported, i.e. when Hydra loads its plugins.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    sys.argv = [sys.argv[0], *_with_sweep_callback(sys.argv[1:])]
    try:
        _app()
    finally:
        sweep.finish_interrupted()  # a sweep stopped by an error still gets its manifest


if __name__ == "__main__":
    main()
