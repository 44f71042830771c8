"""`wfsim`: the Hydra app that runs the simulator and writes a run folder.

    wfsim                      # the embedded default, 5 years, seed 0
    wfsim years=10 seed=3
    wfsim -m seed=0,1,2        # several runs (one folder each under multirun/)
    wfsim hydra.run.dir=out/my_run

The config is validated before anything runs: a bad key or value stops with a message naming
it and exit code 2.
"""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config import ConfigError
from sim.configuration import CONFIG_DIR, to_run_config

EXIT_CONFIG = 2
PROGRESS_MIN_WEEKS = 104


def run(cfg: DictConfig) -> Path:
    from sim.model import WorkforceModel
    from sim.outputs import write_run

    run_cfg = to_run_config(cfg)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    t0 = time.perf_counter()
    model = WorkforceModel(run_cfg)
    print(f"wfsim: {run_cfg.system.name}, {len(model.engine):,} workers, {run_cfg.years} years, "
          f"seed {run_cfg.seed}", flush=True)
    model.run(progress=run_cfg.progress and model.horizon >= PROGRESS_MIN_WEEKS
              and sys.stderr.isatty())
    paths = write_run(model, out, time.perf_counter() - t0, overrides=list(hc.overrides.task))
    print(f"wfsim: wrote {', '.join(p.name for p in paths)} to {out}", flush=True)
    return out


# An absolute path: Hydra would look for a `configs` package when started from an entry point.
@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def _app(cfg: DictConfig) -> None:
    try:
        run(cfg)
    except ConfigError as err:
        print(f"wfsim: {err}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)


def main() -> None:
    _app()


if __name__ == "__main__":
    main()
