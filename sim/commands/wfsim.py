"""`wfsim`: the Hydra app that runs the simulator and writes a run folder.

    wfsim                      # the embedded default, 5 years, seed 0
    wfsim years=10 seed=3
    wfsim -m seed=0,1,2        # several runs (one folder each under multirun/)
    wfsim -m 'seed=range(12)' hydra/launcher=joblib hydra.sweep.dir=multirun/s   # rerun to resume
    wfsim hydra.run.dir=out/my_run
    wfsim experiment=sensitivity     # global sensitivity analysis (SALib)

The config is validated before anything runs. Exit codes:

- 2: refused before anything ran, with a message naming the key, file or folder: a bad key or
  value (the schema's, or Hydra's own: a misspelt key, an unknown option of a config group),
  a run that needs more memory than the machine has (`sim.limits`), an output folder that is a
  file or cannot be written, a checkpoint of another run, a sweep folder in use by another
  sweep (`sim.runs.lock`);
- 3: a sweep (`-m`) in which some jobs failed or were lost (each job is crash-safe and keyed by
  its config hash, a job that fails does not stop the others, and a sweep stopped by a lost
  worker writes its manifest: rerun it; see `sim.runs.sweep`);
- 1: a bug (with its traceback).

`checkpoint_every=<weeks>` saves the run every that many weeks; rerunning the same command
resumes from the last checkpoint (`sim.runs.checkpoint`).
"""
from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.config import ConfigError, RunConfig
from sim.configuration import CONFIG_DIR
from sim.files import folder_problem
from sim.system import to_run_config

EXIT_CONFIG = 2
PROGRESS_MIN_WEEKS = 104
SWEEP_CALLBACK = "hydra/callbacks=sweep"  # configs/hydra/callbacks/sweep.yaml
SAY_ESTIMATE_SECONDS = 60  # runs expected to take longer say how long and how much memory


class OutputFolderError(ConfigError):
    """An output folder is a file, is under a file or cannot be written."""


def simulate(run_cfg: RunConfig, out: Path, overrides: list[str], *, threads: int | None = None,
             progress: bool = False, checkpoint: Path | None = None) -> list[Path]:
    """Run one validated config to its horizon and write its run folder `out`. The memory it
    needs is checked first; it resumes from `checkpoint` (default `out/checkpoint.pkl`) if a
    checkpoint of this run is there, and saves one every `checkpoint_every` weeks."""
    from sim import limits
    from sim.model import WorkforceModel
    from sim.runs import checkpoint as ck
    from sim.runs.run_folder import write_run

    problem = folder_problem(out)
    if problem:
        raise OutputFolderError(f"output folder: {problem}")
    est = limits.check(run_cfg)
    path = checkpoint if checkpoint is not None else out / ck.CHECKPOINT
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    t0 = time.perf_counter()
    resumed = ck.resume(path, run_cfg, threads=threads)
    if resumed is not None:
        model, wall = resumed
        print(f"wfsim: {run_cfg.system.name}: resuming at week {model.week} of {model.horizon} from "
              f"{path}", flush=True)
    else:
        model, wall = WorkforceModel(run_cfg, threads=threads), 0.0
        note = f" ({limits.gib(est.bytes)}, about {limits.duration(est.seconds)})" \
            if est.seconds > SAY_ESTIMATE_SECONDS else ""
        print(f"wfsim: {run_cfg.system.name}, {len(model.engine):,} workers, {run_cfg.years} years, "
              f"seed {run_cfg.seed}{note}", flush=True)
    if run_cfg.checkpoint_every and checkpoint is None:
        print(f"wfsim: saving the run every {run_cfg.checkpoint_every} weeks to {path}; if it stops, "
              f"run the same command with hydra.run.dir={out} to resume", flush=True)
    bar = progress and run_cfg.progress and model.horizon >= PROGRESS_MIN_WEEKS and sys.stderr.isatty()
    wall = ck.advance(model, run_cfg, path, progress=bar, wall_time_s=wall + time.perf_counter() - t0)
    paths = write_run(model, out, wall, overrides=overrides)
    ck.remove(path)
    return paths


def run(cfg: DictConfig) -> Path:
    from sim.runs.job import batch_seeds

    if batch_seeds(cfg) is not None:
        raise ConfigError(f"seed = {list(cfg.seed)}: a list of seeds is one job of a sweep that runs "
                          f"them one after another: add -m (wfsim -m 'seed=[0,1,2]')")
    run_cfg = to_run_config(cfg)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    paths = simulate(run_cfg, out, list(hc.overrides.task), progress=True)
    print(f"wfsim: wrote {', '.join(p.name for p in paths)} to {out}", flush=True)
    return out


# An absolute path: Hydra would look for a `configs` package when started from an entry point.
@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def _app(cfg: DictConfig) -> None:
    global _STARTED
    _STARTED = True
    multirun = HydraConfig.get().mode == RunMode.MULTIRUN
    if "sensitivity" in cfg and multirun:
        print("wfsim: experiment=sensitivity draws and runs its own sample (crash-safe, resumable): "
              "run it without -m", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    if multirun:
        from sim.runs.job import run_job
        return run_job(cfg, simulate)  # records failures instead of raising: see sim.runs.job
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


SUMMARY = """wfsim: simulate the health and social care workforce of an integrated care system.

Common commands:
  wfsim                                   the default ICS, 5 years, seed 0 (outputs/<date>/<time>/)
  wfsim years=10 seed=3                   change any config key
  wfsim system=ssot                       a preset ICS: {presets}
  wfsim system=from_file system.path=my_ics.csv    your own numbers (see README, "Your own system")
  wfsim intervention=[i_can,referral]     with programmes: {programmes}
  wfsim -m seed=0,1,2                     several runs, one folder each under multirun/
  wfsim -m experiment=compare_programmes  every programme against the baseline, 20 seeds
  wfsim-dashboard                         the same in a web page, with the difference from the baseline
  wfsim-report FOLDER / wfsim-animate FOLDER       the board report and the animated flow chart

Hydra's own help follows.
"""
# Launchers that need the cluster extra, and the plugin module each one loads.
EXTRA_LAUNCHERS = {"ray_local": "hydra_plugins.hydra_ray_launcher",
                   "ray_cluster": "hydra_plugins.hydra_ray_launcher",
                   "slurm": "hydra_plugins.hydra_submitit_launcher",
                   "submitit_local": "hydra_plugins.hydra_submitit_launcher"}
GROUPS = {"system": "preset", "intervention": "programme", "experiment": "experiment",
          "scenario": "scenario"}


def _names(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def check_names(argv: list[str]) -> str | None:
    """An unknown preset, programme, scenario or experiment, or a launcher whose extra is not
    installed, as a message listing what there is (Hydra would only say it cannot load it)."""
    import importlib.util
    import re

    for arg in argv:
        key, eq, value = arg.lstrip("+~").partition("=")
        if not eq:
            continue
        if key == "hydra/launcher":
            for name in value.split(","):
                module = EXTRA_LAUNCHERS.get(name)
                if module and importlib.util.find_spec(module.split(".")[0]) is not None:
                    try:
                        found = importlib.util.find_spec(module) is not None
                    except ModuleNotFoundError:
                        found = False
                else:
                    found = module is None
                if not found:
                    return (f"hydra/launcher={name} needs the cluster extra: pip install -e '.[cluster]' "
                            f"(or pip install 'wfsim[cluster]')")
            continue
        if key not in GROUPS or (key == "system" and value == "from_file"):
            continue
        known = _names(key)
        for name in re.findall(r"[A-Za-z_][A-Za-z0-9_\-]*", value):
            if name not in known and name != "null":
                listed = ", ".join(known) or "none"
                return f"{key}={value}: unknown {GROUPS[key]} '{name}'; available: {listed}"
    return None


_STARTED = False  # the task has started: Hydra accepted the command line and made the folder


def input_problem(err: BaseException) -> str | None:
    """What is wrong with the command line, for an error Hydra raised while reading it (a
    misspelt key, an unknown option of a config group, a bad value) or while making the output
    folder; None for anything else (a bug)."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(err, ConfigError):
        return str(err)
    if isinstance(err, HydraException | OmegaConfBaseException):
        cause = err.__cause__
        return str(err) + (f"\n{cause}" if isinstance(cause, OmegaConfBaseException) else "")
    if isinstance(err, OSError) and err.filename and not _STARTED:   # making the output folder
        problem = folder_problem(Path(err.filename))
        return f"output folder: {problem or f'{err.filename} cannot be made ({err.strerror})'}"
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    raised_in = tb.tb_frame.f_code.co_filename if tb is not None else ""
    if isinstance(err, ValueError | TypeError | KeyError) and any(
            f"{os.sep}{pkg}{os.sep}" in raised_in for pkg in ("hydra", "omegaconf")):
        return f"invalid command line: {err}"   # e.g. `intervention=42`
    return None


def main() -> None:
    from sim.runs import sweep

    args = sys.argv[1:]
    if {"--help", "-h"} & set(args):
        print(SUMMARY.format(presets=", ".join(p for p in _names("system") if p != "from_file"),
                             programmes=", ".join(_names("intervention"))), flush=True)
    else:
        problem = check_names(args)
        if problem:
            print(f"wfsim: {problem}", file=sys.stderr)
            sys.exit(EXIT_CONFIG)

    if any(a.endswith("hydra/launcher=ray_local") for a in sys.argv[1:]):
        # Ray swaps 127.0.0.1 for the machine's network address unless told that this is a
        # one-machine cluster; it reads this when imported, i.e. when Hydra loads its plugins.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    sys.argv = [sys.argv[0], *_with_sweep_callback(sys.argv[1:])]
    # Hydra prints an error and exits 1 itself unless asked to raise it: raised, it can be told
    # apart here, bad input (exit 2) from a bug (exit 1, with its traceback).
    full_error = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        _app()
    except Exception as err:
        problem = input_problem(err)
        if problem is None and sweep.running():
            # e.g. a joblib worker killed (out of memory): jobs were lost, not the input wrong
            traceback.print_exc()
            print("wfsim: the sweep stopped before every job finished; its manifest lists them: rerun "
                  "the same command to run only those", file=sys.stderr)
            sweep.finish_interrupted()
            sys.exit(sweep.EXIT_JOBS_FAILED)
        if problem is None:
            raise
        print(f"wfsim: {problem}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    finally:
        if full_error is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        sweep.finish_interrupted()  # a sweep stopped by an error still gets its manifest


if __name__ == "__main__":
    main()
