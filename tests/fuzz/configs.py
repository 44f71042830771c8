"""Configs to fuzz: a preset, a tiny or odd scale, a mix of programmes and a handful of values
drawn from the ranges the schema itself gives (`tests.fuzz.schema`), boundaries most often.

`draw_config(draw)` takes Hypothesis's `data.draw` and returns the raw config (a plain dict, as
Hydra composes it) and a one-line description of what was changed, for the failure message.
"""
from __future__ import annotations

import copy
import datetime as dt
import math
from functools import cache
from typing import Any

from hypothesis import strategies as st
from omegaconf import OmegaConf

from sim.codes import SECTORS
from sim.config import RunConfig
from sim.configuration import compose_config
from sim.programmes import available, programme_class
from tests.fuzz import schema as sc

PRESETS = ("default", "bsol", "ssot", "blmk", "somerset", "england")
# Set by the harness, not drawn from the schema's range: a run's length and size decide how
# long the suite takes (years up to 100 and scale up to 1000 are checked by the limits tests).
HARNESS_KEYS = {("years",), ("scale",), ("engine",), ("intervention",)}
MAX_WORKERS = 3000       # the largest fuzzed system (a few hundred workers most of the time)
MUTATIONS = 8            # values changed in one config, at most
REFERENCE_MAX = 300      # the one-agent-per-worker reference engine only on the smallest


@cache
def preset(name: str) -> dict:
    raw = OmegaConf.to_container(compose_config([f"system={name}"]), resolve=True)
    raw.pop("hydra", None)
    return raw


def workers(raw: dict) -> int:
    return sum(r.get("headcount", 0) for s in raw["system"]["sectors"].values()
               for r in s.get("roles", {}).values())


def _float_between(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def number(leaf: sc.Number, current: Any) -> st.SearchStrategy:
    """A value in the field's range: a bound, just inside one, anywhere between, or the current
    value scaled; sometimes just outside (which the schema must refuse)."""
    is_int = leaf.kind is int
    step = 1 if is_int else 1e-9
    lo = None if leaf.lo is None else leaf.lo + (step if leaf.lo_open else 0)
    hi = None if leaf.hi is None else leaf.hi - (step if leaf.hi_open else 0)
    inside: list[float] = [v for v in (lo, hi) if v is not None]
    cur = current if isinstance(current, int | float) and not isinstance(current, bool) else None
    if cur is not None:
        inside += [cur * f for f in (0.0, 0.1, 0.5, 2.0, 10.0)]
    if hi is None:
        inside += [10.0, 1e3, 1e6]
    if lo is None:
        inside += [-1.0, -1e3]
    inside = [v for v in inside if (lo is None or v >= lo) and (hi is None or v <= hi)]
    outside = [v for v in ((leaf.lo - 1 if leaf.lo is not None else None),
                           (leaf.hi + 1 if leaf.hi is not None else None)) if v is not None]
    if not is_int:
        outside += [math.nan, math.inf]
    options = [st.sampled_from(inside)] if inside else []
    between = st.integers if is_int else _float_between
    if lo is not None and hi is not None:
        options.append(between(lo, hi))
    elif lo is not None:
        options.append(between(lo, max(lo, 1) * 100))
    strategy = st.one_of(options) if options else st.just(0.0)
    if outside:  # one draw in eight
        strategy = st.integers(0, 7).flatmap(
            lambda k, inside=strategy: st.sampled_from(outside) if k == 3 else inside)
    if is_int:
        return strategy.map(lambda v: v if isinstance(v, float) and not math.isfinite(v) else int(round(v)))
    return strategy


def value(leaf: Any, current: Any, roles: list[str]) -> st.SearchStrategy:
    if isinstance(leaf, sc.Number):
        return number(leaf, current)
    if isinstance(leaf, sc.Flag):
        return st.booleans()
    if isinstance(leaf, sc.Pair):
        return st.integers(0, 100).flatmap(lambda a: st.tuples(st.just(a), st.integers(a - 5, a + 60)))
    if isinstance(leaf, sc.Date):
        return st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))
    if isinstance(leaf, sc.Optional):
        return st.one_of(st.none(), value(leaf.inner, current, roles))
    return st.nothing()


def named(path: tuple, roles: list[str], n_employers: int) -> st.SearchStrategy | None:
    """Programme targeting, by name: sectors, roles and employers of the system (some unknown)."""
    if path[-1] == "sectors" and len(path) == 3:
        return st.lists(st.sampled_from(SECTORS), unique=True)
    if path[-1] == "roles" and len(path) == 3:
        return st.lists(st.sampled_from([*roles, "porter"]), unique=True, max_size=3)
    if path[-1] == "employers" and len(path) == 3:
        return st.one_of(st.none(), st.lists(st.integers(0, n_employers + 1), max_size=4))
    return None


def _drop(draw, raw: dict) -> str:
    """Remove a sector or one role of a sector: systems without some parts."""
    sectors = raw["system"]["sectors"]
    s = draw(st.sampled_from(sorted(sectors)))
    if len(sectors) > 1 and draw(st.booleans()):
        del sectors[s]
        return f"no {s}"
    roles = sectors[s]["roles"]
    if len(roles) > 1:
        r = draw(st.sampled_from(sorted(roles)))
        del roles[r]
        return f"no {s}.{r}"
    return ""


def draw_config(draw) -> tuple[dict, str]:
    name = draw(st.sampled_from(PRESETS))
    raw = copy.deepcopy(preset(name))
    notes = [f"system={name}"]
    if draw(st.integers(0, 9)) == 0:
        notes.append(_drop(draw, raw))
    target = draw(st.one_of(st.integers(1, 40), st.integers(40, 600), st.integers(600, MAX_WORKERS)))
    scale = target / max(workers(raw), 1)
    raw["scale"] = scale
    raw["years"] = draw(st.sampled_from([1, 1, 1, 2]))
    raw["threads"] = 1
    raw["progress"] = False
    programmes = draw(st.one_of(st.just([]), st.lists(st.sampled_from(available()), unique=True,
                                                      max_size=3),
                                st.just(available())))
    raw["intervention"] = {p: {} for p in programmes}
    if target <= REFERENCE_MAX and draw(st.integers(0, 9)) == 0:
        raw["engine"] = "reference"
    notes += [f"scale={scale:.3g} (~{target} workers)", f"years={raw['years']}",
              f"intervention=[{','.join(programmes)}]", f"engine={raw['engine']}"]
    roles = sorted({r for s in raw["system"]["sectors"].values() for r in s["roles"]})
    n_employers = sum(max(1, round(s["employers"] * scale)) for s in raw["system"]["sectors"].values())
    found = [leaf for leaf in sc.leaves(raw, sc.Model(RunConfig)) if leaf[0] not in HARNESS_KEYS]
    for prog in programmes:
        params = sc.Model(programme_class(prog).Params)
        found += [((("intervention", prog, *path)), leaf) for path, leaf in sc.leaves({}, params)]
    for _ in range(draw(st.integers(0, MUTATIONS))):
        path, leaf = draw(st.sampled_from(found))
        strategy = named(path, roles, n_employers) if path[0] == "intervention" else None
        if strategy is None:
            strategy = value(leaf, _current(raw, path), roles)
        if strategy.is_empty:
            continue
        new = draw(strategy)
        sc.put(raw, path, list(new) if isinstance(new, tuple) else new)
        notes.append(f"{'.'.join(map(str, path))}={new!r}")
    size = _size(raw)
    if size > MAX_WORKERS:   # a headcount drawn large: scale the system back down to the target
        raw["scale"] = raw["scale"] * target / size
        notes.append(f"then scale={raw['scale']:.3g}")
    return raw, " ".join(n for n in notes if n)


def _size(raw: dict) -> float:
    try:
        return sum(h * raw["scale"] for s in raw["system"]["sectors"].values()
                   for r in s["roles"].values() if isinstance(h := r.get("headcount"), int | float)
                   and math.isfinite(h))
    except (TypeError, AttributeError):
        return 0.0


def _current(raw: dict, path: tuple) -> Any:
    try:
        return sc.get(raw, path)
    except (KeyError, TypeError):
        return None
