"""Which programmes exist, and the random-number channel each one owns.

A programme is a module of this package (other than the infrastructure modules below) with a
`PROGRAMME` class. Its channel keys its recruits' ids and its own draws, so a programme's random
numbers do not depend on which other programmes run with it (common random numbers) and do not
change from one version of the simulator to the next: channels follow `CHANNEL_ORDER`, the order
in which programmes joined the simulator. A new module works without being listed (it takes the
next free channel in alphabetical order among the unlisted); append its name to `CHANNEL_ORDER`
when it lands, so that a later addition cannot move it.
"""
from __future__ import annotations

import pkgutil
from pathlib import Path

CHANNEL_ORDER: tuple[str, ...] = (
    "i_can", "journey_to_work", "retention_coordinators", "flexible_working", "wellbeing_hub",
    "system_bank", "agency_cap", "international_recruitment", "pay_parity",
    "rotational_apprenticeships", "returners", "referral",
)
MAX_CHANNEL = 62          # six bits of a hire's id (sim.population.hire_id); 63: hires agreed before the run
INFRASTRUCTURE = {"base", "registry"}


def available() -> list[str]:
    """Names of all programme modules."""
    here = str(Path(__file__).resolve().parent)
    return sorted(m.name for m in pkgutil.iter_modules([here]) if m.name not in INFRASTRUCTURE)


def channels() -> dict[str, int]:
    """Programme name -> channel (1..MAX_CHANNEL) for every available programme."""
    names = available()
    order = [n for n in CHANNEL_ORDER if n in names] + [n for n in names if n not in CHANNEL_ORDER]
    listed = {n: i + 1 for i, n in enumerate(CHANNEL_ORDER)}
    out, free = {}, len(CHANNEL_ORDER) + 1
    for n in order:
        if n in listed:
            out[n] = listed[n]
        else:
            out[n], free = free, free + 1
    if max(out.values(), default=0) > MAX_CHANNEL:
        raise RuntimeError(f"more than {MAX_CHANNEL} programmes: hire ids have no room for more channels")
    return out


def channel_of(name: str) -> int:
    return channels()[name]
