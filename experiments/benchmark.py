"""`make bench`: speed and memory of the kernels against the plain Mesa reference.

1. The kernels (with the default threads, and with one) and the one-agent-per-worker Mesa
   reference step the same scenario (the default ICS, 52 weeks, seed 0) in this process; the
   ratio of their agent-steps per second is the speed-up. Compilation is excluded (a tiny
   warm-up run compiles the kernels first).
2. An England-sized population (the default scaled to ~3.5M workers) runs 520 weeks in a fresh
   process, so that its peak memory is its own: with the default threads, then with one.
3. The programme comparison (`wfsim -m experiment=compare_programmes`, 20 seeds: 280 runs of 5
   years in jobs of 5 seeds) as a user runs it: the whole command, start-up and the comparison
   table included, in a temporary sweep folder.
4. `wfsim-calibrate` on the example system file (the default's sizes as an own CSV), the whole
   command, writing into a temporary folder.

Writes bench.json (path set by --out). Timings vary with the machine's load: compare ratios
measured in one run, not absolute numbers across runs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ENGLAND_WORKERS = 3_500_000


def _step_rate(engine: str, years: int, scale: float, threads: int = 0) -> dict:
    from sim import WorkforceModel

    m = WorkforceModel(years=years, seed=0, scale=scale, engine=engine, threads=threads)
    workers = len(m.engine)
    agent_steps = 0
    t0 = time.perf_counter()
    while m.running:
        agent_steps += len(m.engine)
        m.step()
    wall = time.perf_counter() - t0
    return {"workers": workers, "weeks": m.week, "wall_s": wall, "agent_steps_per_s": agent_steps / wall}


def england(weeks_years: int, threads: int = 0) -> dict:
    """Run England in this process and report time, memory and the table's bytes per worker."""
    from sim import WorkforceModel
    from sim.limits import peak_memory, resident_memory

    WorkforceModel(years=1, scale=0.01, threads=threads).run()  # compile outside the timing
    before = resident_memory()        # the interpreter, the libraries and the compiled kernels
    t0 = time.perf_counter()
    m = WorkforceModel(years=weeks_years, seed=0, scale=ENGLAND_WORKERS / 58_800, threads=threads)
    build_s = time.perf_counter() - t0
    workers = len(m.engine)
    m.run()
    wall = time.perf_counter() - t0
    t = m.engine.table
    state_bytes = sum(a.nbytes for a in t.cols.values()) + t.active.nbytes + m.engine._decision.nbytes
    return {
        "england_workers_start": workers, "england_workers_end": len(m.engine),
        "england_weeks": m.week, "england_wall_s": round(wall, 2), "england_build_s": round(build_s, 2),
        "england_peak_rss_mb": round(peak_memory() / 2**20, 1),
        "england_rss_before_build_mb": round(before / 2**20, 1),
        # the run's own peak (above what the process held before it) over the workers at the end
        "peak_bytes_per_worker": round((peak_memory() - before) / len(m.engine), 1),
        "bytes_per_worker": round(state_bytes / len(m.engine), 1),
        "england_phase_seconds": {k: round(v, 2) for k, v in m.phase_seconds.items()},
    }


def comparison(seeds: int, per_job: int = 5) -> dict:
    """Wall time of the whole comparison command over seeds 0 .. seeds-1."""
    import tempfile

    from sim.configuration import seed_batches

    with tempfile.TemporaryDirectory() as tmp:
        sweep = Path(tmp) / "sweep"
        cmd = [sys.executable, "-m", "sim.commands.wfsim", "-m", "experiment=compare_programmes",
               f"seed={seed_batches(seeds, per_job)}", f"hydra.sweep.dir={sweep}"]
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tmp)
        wall = time.perf_counter() - t0
        jobs = json.loads((sweep / "sweep_manifest.json").read_text())["jobs"]
    return {"comparison_seeds": seeds, "comparison_jobs": len(jobs),
            "comparison_runs": sum(len(j.get("runs", [j])) for j in jobs),
            "comparison_wall_s": round(wall, 1)}


def own_system_calibration() -> dict:
    """Wall time of `wfsim-calibrate` on the example system file (the default ICS's 58,800 workers
    as an ICS's own CSV, configs/system/examples), the whole command as a user runs it, writing
    its calibrated system into a temporary folder."""
    import tempfile

    example = Path(__file__).resolve().parent.parent / "configs" / "system" / "examples" / "example_ics.csv"
    with tempfile.TemporaryDirectory() as tmp:
        command = "import sys; from sim.commands.calibrate import calibrate_main; sys.exit(calibrate_main())"
        out = Path(tmp) / "example.calibrated.yaml"
        cmd = [sys.executable, "-c", command, str(example), "--out", str(out)]
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tmp)
        wall = time.perf_counter() - t0
    return {"own_system_calibration_wall_s": round(wall, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="bench.json")
    ap.add_argument("--scale", type=float, default=1.0, help="population of the comparison scenario")
    ap.add_argument("--years", type=int, default=1, help="years of the comparison scenario")
    ap.add_argument("--england-years", type=int, default=10)
    ap.add_argument("--comparison-seeds", type=int, default=20, help="seeds of the comparison (0: skip it)")
    ap.add_argument("--england-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.england_only:
        print(json.dumps(england(args.england_years, args.threads)))
        return 0

    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)
    from sim import WorkforceModel

    WorkforceModel(years=1, scale=0.01).run()  # compile the kernels outside the timing
    kernel = _step_rate("kernels", args.years, args.scale)
    print(f"kernels:   {kernel['agent_steps_per_s']:,.0f} agent-steps/s", flush=True)
    kernel_1 = _step_rate("kernels", args.years, args.scale, threads=1)
    print(f"kernels, 1 thread: {kernel_1['agent_steps_per_s']:,.0f} agent-steps/s", flush=True)
    reference = _step_rate("reference", args.years, args.scale)
    print(f"reference: {reference['agent_steps_per_s']:,.0f} agent-steps/s", flush=True)

    def england_run(threads: int) -> dict:      # a fresh process: its peak memory is its own
        res = subprocess.run([sys.executable, "-m", "experiments.benchmark", "--england-only",
                              "--england-years", str(args.england_years), "--threads", str(threads)],
                             capture_output=True, text=True, check=True)
        return json.loads(res.stdout.strip().splitlines()[-1])

    eng = england_run(0)
    print(f"England, default threads: {eng['england_wall_s']} s", flush=True)
    eng_1 = england_run(1)
    print(f"England, 1 thread: {eng_1['england_wall_s']} s", flush=True)
    cmp = comparison(args.comparison_seeds) if args.comparison_seeds else {}
    if cmp:
        print(f"the comparison, {cmp['comparison_runs']} runs: {cmp['comparison_wall_s']} s", flush=True)
    own = own_system_calibration()
    print(f"calibrating the example system file: {own['own_system_calibration_wall_s']} s", flush=True)
    out = {
        "scenario": {"system": "default", "scale": args.scale, "workers": kernel["workers"],
                     "weeks": kernel["weeks"], "seed": 0},
        "kernel_agent_steps_per_s": round(kernel["agent_steps_per_s"]),
        "kernel_agent_steps_per_s_1_thread": round(kernel_1["agent_steps_per_s"]),
        "reference_agent_steps_per_s": round(reference["agent_steps_per_s"]),
        "ratio": round(kernel["agent_steps_per_s"] / reference["agent_steps_per_s"], 1),
        "ratio_1_thread": round(kernel_1["agent_steps_per_s"] / reference["agent_steps_per_s"], 1),
        **eng,
        "england_wall_s_1_thread": eng_1["england_wall_s"],
        "england_phase_seconds_1_thread": eng_1["england_phase_seconds"],
        **cmp,
        **own,
    }
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
