"""How much memory and time a run needs, worked out from its config before anything is
allocated, and the refusal when the machine does not have it.

The figures (`estimate`):

- the worker table: `sim.workers.FIELDS` bytes per worker, plus the in-use and leaving flags,
  for the most workers the run can have: the staff at the start (headcount x scale) grown to
  fill the funded posts (staff / (1 - vacancy)), with establishment growth and the winter
  surge at their largest over the run; room is reserved in steps of 1.5x, and while the table
  grows the old and the new arrays are both held;
- setting up: the starting population is drawn a block of rows at a time
  (`sim.population.BUILD_BLOCK`), each block holding its random draws and codes
  (`BLOCK_BYTES` a worker of the block), and is then copied into the table while both are held
  (`SETUP_BYTES` per starting worker beyond the table);
- per employer and role: the employer agents and the state arrays (`EMPLOYER_BYTES`);
- the weekly records (stocks, flows, intake cohorts) for every week of the run;
- the interpreter with its libraries (`BASE_BYTES`);
- the reference engine's Mesa agents (`AGENT_BYTES` per worker) when it is chosen.

The per-worker constants were measured as peak resident memory (`peak_memory`) of one-year
runs of the default at scales 1 to 59.5 (58,800 to 3.5M workers, England's size) and of the
reference engine at 0.1 and 0.4, on Python 3.11 with the locked libraries;
`tests/test_limits.py` checks the estimate against a measured run. The estimate was 5-15%
above the measured peak at those scales;
the peak of the same run has measured up to ~40% higher on a busy machine, so treat a run close
to the limit with care.
"""
from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.codes import N_DESTINATIONS, N_ROUTES, N_SECTORS, NODES, WEEKS_PER_YEAR
from sim.config import ConfigError, RunConfig
from sim.population import BUILD_BLOCK
from sim.workers import FIELDS

MIB = 2**20
BASE_BYTES = 300 * MIB      # numpy, numba, pandas, pyarrow, mesa and hydra loaded: 276-285 MiB measured
SETUP_BYTES = 20            # per starting worker while the population joins the table: ~17 measured
BLOCK_BYTES = 150           # per worker of a block of the population being drawn: ~140 measured
AGENT_BYTES = 1000          # per worker with engine=reference (a mesa.Agent): ~770 measured
EMPLOYER_BYTES = 2000       # per employer (its agent, its rows of the state arrays): ~1,400 measured
RECORDED_STOCKS = 12        # weekly stock arrays of sim.recorder (float64 per sector and role)
TABLE_HEADROOM = 1.25       # the worker table starts with room for a quarter more workers
TABLE_GROWTH = 1.5          # and grows by half when full
# Worker-weeks a second of the kernels, and of the Mesa reference, on one core of a 2-core
# machine (measured, README Benchmark), and the fixed cost of a week's employer phases.
KERNEL_RATE, REFERENCE_RATE, WEEK_SECONDS = 9e6, 7e4, 1e-3


class LimitError(ConfigError):
    """The run needs more memory than the machine has available."""


@dataclass(frozen=True)
class Estimate:
    workers_start: int
    workers_peak: int
    employers: int
    bytes: int
    seconds: float

    def describe(self) -> str:
        grow = (f", up to ~{count(self.workers_peak)} as funded posts fill"
                if self.workers_peak > self.workers_start else "")
        return (f"{count(self.workers_start)} workers at the start{grow}, {self.employers:,} employers; "
                f"about {duration(self.seconds)}")


def count(n: float) -> str:
    return f"{n:,.0f}" if n < 1e12 else f"{n:.2g}"


def gib(n: float) -> str:
    if n >= 2**40 * 1000:
        return f"{n / 2**30:.2g} GiB"
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / MIB:.0f} MiB"


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:,.1f} h" if seconds < 3.6e9 else f"{seconds / 3600:.2g} h"


def table_bytes_per_worker() -> int:
    """Bytes of one row of the worker table: every field, the in-use flag and the leaving flag
    (sim.engine keeps one a row)."""
    return sum(np.dtype(dt).itemsize for dt in FIELDS.values()) + 2


def estimate(cfg: RunConfig) -> Estimate:
    scale, years = cfg.scale, cfg.years
    weeks = years * WEEKS_PER_YEAR
    start = peak = 0.0
    employers = 0
    roles: set[str] = set()
    for spec in cfg.system.sectors.values():
        employers += max(1, round(spec.employers * scale))
        # establishment is largest at the end of a growing run or the start of a shrinking one,
        # in the depth of winter
        growth = max(1.0, (1.0 + spec.establishment_growth) ** years) * (1.0 + spec.winter_surge)
        for name, role in spec.roles.items():
            roles.add(name)
            n = round(role.headcount * scale)
            start += n
            peak += n / (1.0 - role.vacancy) * growth
    peak = max(peak, start)
    row = table_bytes_per_worker()
    fits = peak <= TABLE_HEADROOM * start
    table = row * (TABLE_HEADROOM * start if fits else (1 + TABLE_GROWTH) * peak)
    setup = SETUP_BYTES * start + BLOCK_BYTES * min(start, BUILD_BLOCK)
    routes = N_ROUTES + 1 + 4 * len(cfg.intervention)
    records = 8 * weeks * (RECORDED_STOCKS * N_SECTORS * len(roles) + len(NODES) ** 2
                           + routes * (1 + 3 * N_DESTINATIONS))
    agents = AGENT_BYTES * peak if cfg.engine == "reference" else 0.0
    total = BASE_BYTES + max(setup + table, table) + agents + EMPLOYER_BYTES * employers + records
    rate = REFERENCE_RATE if cfg.engine == "reference" else KERNEL_RATE
    seconds = weeks * (WEEK_SECONDS + employers * len(roles) * 1e-7) + weeks * (start + peak) / 2 / rate
    return Estimate(int(start), int(peak), employers, int(total), seconds)


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().split()[0]
    except (OSError, IndexError):
        return None
    return int(text) if text.isdigit() else None


def available_memory() -> int | None:
    """Bytes this process can still use: what the machine has available, within any memory
    limit of its control group or address-space limit. None if it cannot be told."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                          "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        cap, used = _read_int(limit), _read_int(usage)
        if cap is not None and used is not None and cap < 2**60:
            found.append(max(cap - used, 0))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        vm = _read_int("/proc/self/statm")
        found.append(max(soft - (vm or 0) * os.sysconf("SC_PAGE_SIZE"), 0))
    return min(found) if found else None


def peak_memory() -> int:
    """Bytes this program has held at most (VmHWM: since it started; `ru_maxrss` would also keep
    the peak of the process it was forked from)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def resident_memory() -> int:
    """Bytes this process holds now (its resident set)."""
    pages = Path("/proc/self/statm").read_text().split() if Path("/proc/self/statm").exists() else []
    if len(pages) > 1:
        return int(pages[1]) * os.sysconf("SC_PAGE_SIZE")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def check(cfg: RunConfig, available: int | None = None) -> Estimate:
    """The run's estimate; raises `LimitError` with the figures if it cannot fit in memory."""
    est = estimate(cfg)
    available = available_memory() if available is None else available
    needed = est.bytes - min(resident_memory(), BASE_BYTES)   # the libraries are already loaded
    if available is not None and needed > available:
        raise LimitError(
            f"this run needs ~{gib(est.bytes)} of memory and this machine has {gib(available)} "
            f"available ({est.describe()}): lower `scale` (now {cfg.scale:g}) or `years` (now "
            f"{cfg.years}), or run it on a machine with more memory")
    return est
