"""Which scenario a run simulated, from its folder: its programmes (config.json) and the
command-line overrides that set it apart from the other runs of a sweep (job.json or
overrides.yaml). The comparison (experiments.compare) and the report (analysis.report) pair and
show runs by these names, so two parameter sets are never pooled."""
from __future__ import annotations

import json
from pathlib import Path

SUMMARY = "summary.json"


def scenario(run_path: Path) -> tuple[str, ...]:
    """The programmes a run switched on (empty for the baseline), from its ``config.json``
    ("intervention") or else its ``summary.json`` ("programmes"); empty if neither says."""
    for file, key in ((run_path / "config.json", "intervention"), (run_path / SUMMARY, "programmes")):
        try:
            value = json.loads(file.read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, dict | list):
            return tuple(sorted(value))
    return ()


def read_overrides(run_path: Path) -> list[str]:
    """The command-line overrides of a run (its ``job.json`` in a sweep, else ``overrides.yaml``
    in the run folder or Hydra's ``.hydra/overrides.yaml``), if recorded."""
    try:
        job = json.loads((run_path / "job.json").read_text(encoding="utf-8"))
        if isinstance(job, dict) and isinstance(job.get("overrides"), list):
            return [str(o) for o in job["overrides"]]
    except (OSError, ValueError):
        pass
    for file in (run_path / "overrides.yaml", run_path / ".hydra" / "overrides.yaml"):
        if file.exists():
            lines = file.read_text(encoding="utf-8").splitlines()
            return [ln.strip()[2:].strip() for ln in lines if ln.strip().startswith("- ")]
    return []


# Overrides that do not change what is simulated (the random seed; the thread count, progress bar
# and checkpoints, which leave the results bit for bit the same; what the spread over seeds covers,
# which draws each seed's coefficients instead) or that the programmes already name: runs that
# differ only in these are the same scenario.
NOT_SCENARIO_KEYS = ("seed", "threads", "progress", "checkpoint_every", "intervention", "experiment",
                     "uncertainty")


def scenario_changes(run_path: Path) -> tuple[str, ...]:
    """The overrides of a run that set what is simulated (``system.sectors.acute.pay_award=0.05``,
    ``years=10``; a scenario file by its name): every override but those of NOT_SCENARIO_KEYS and
    Hydra's own."""
    out = []
    for item in read_overrides(run_path):
        key = item.split("=", 1)[0].lstrip("+~")
        if key.split(".")[0] in NOT_SCENARIO_KEYS or key.startswith("hydra"):
            continue
        # a scenario file (configs/scenario/<name>.yaml) is named by its name
        out.append(item.split("=", 1)[1] if key == "scenario" and "=" in item else item.lstrip("+"))
    return tuple(out)


def programmes_name(programmes: tuple[str, ...] | list[str], every: list[str]) -> str:
    """"baseline" (no programme), "all" (every programme of the experiment), or the programmes
    joined by "+"."""
    if not programmes:
        return "baseline"
    if len(programmes) > 1 and sorted(programmes) == sorted(every):
        return "all"
    return "+".join(sorted(programmes))


def scenario_names(paths: list[Path]) -> dict[Path, str]:
    """Each run's scenario, by name: its programmes (programmes_name) and the overrides that set
    it apart from the other runs (a sweep's values; overrides every run shares name none), e.g.
    "baseline", "i_can", "system.sectors.social_care.pay_award=0.05" or
    "i_can, system.sectors.social_care.pay_award=0.05". Runs of one scenario differ only in their
    seed."""
    progs = {p: scenario(p) for p in paths}
    every = sorted({name for names in progs.values() for name in names})
    changes = {p: scenario_changes(p) for p in paths}
    common = set.intersection(*(set(c) for c in changes.values())) if changes else set()
    out = {}
    for p in paths:
        own = [c for c in changes[p] if c not in common]
        label = programmes_name(progs[p], every)
        out[p] = ", ".join(own if own and label == "baseline" else [label, *own])
    return out


def baseline_scenario(names: dict[Path, str], chosen: str | None = None,
                      error: type[Exception] = ValueError) -> str:
    """The scenario the others are compared with: `chosen` if given (an error naming the
    scenarios there are if none has that name), else "baseline" (no programme and no override of
    its own), else the first run's (a sweep's first values)."""
    there = sorted(set(names.values()))
    if chosen is not None:
        if chosen not in there:
            raise error(f"no scenario named {chosen!r}; the runs' scenarios are: {', '.join(there)}")
        return chosen
    if "baseline" in there:
        return "baseline"
    first = min(names, key=lambda p: (int(p.name) if p.name.isdigit() else float("inf"), p.name))
    return names[first]
