"""Nothing the schema accepts may crash: 300 configs drawn from the schema's own ranges (presets,
tiny and odd scales, programme mixes, behaviour at its extremes; `tests.fuzz.configs`), each
either refused by the schema with a `ConfigError` or run through `wfsim`'s own `simulate` to a
run folder in which every invariant holds (`tests.fuzz.invariants`).

The draws are fixed (`@seed`, no example database), so every run of the suite checks the same
configs: 40 in the quick part, 260 more marked slow.
"""
from __future__ import annotations

import collections
import contextlib
import io
import tempfile
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st

from sim.commands.wfsim import simulate
from sim.config import ConfigError
from sim.configuration import validate_config
from tests.fuzz.configs import PRESETS, draw_config
from tests.fuzz.invariants import violations

QUICK, MORE = 40, 260
FIXED = dict(deadline=None, database=None, derandomize=False, print_blob=True,
             suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])


def check(data, stats: collections.Counter) -> None:
    raw, described = draw_config(data.draw)
    note(described)
    stats[f"system={raw['system']['name']}"] += 1
    try:
        cfg = validate_config(raw)
    except ConfigError:
        stats["refused"] += 1
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "run"
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                simulate(cfg, folder, [], threads=1)
        except ConfigError:   # e.g. a programme targeting a role the system does not have
            stats["refused"] += 1
            return
        except Exception:
            note(traceback.format_exc())
            raise
        broken = violations(folder)
        assert not broken, "\n".join(broken)
    stats["ran"] += 1
    stats["with programmes"] += bool(cfg.intervention)


def fuzz(examples: int, draws: int) -> collections.Counter:
    stats: collections.Counter = collections.Counter()

    @seed(draws)
    @settings(max_examples=examples, **FIXED)
    @given(st.data())
    def one_config(data):
        check(data, stats)

    one_config()
    print(f"fuzz: {examples} configs: {dict(stats)}")
    return stats


def test_fuzzed_configs_run_soundly_or_are_refused():
    stats = fuzz(QUICK, 1)
    assert stats["ran"] >= QUICK // 2 and stats["with programmes"] > 0


@pytest.mark.slow
def test_more_fuzzed_configs_run_soundly_or_are_refused():
    stats = fuzz(MORE, 2)
    assert stats["ran"] >= MORE // 2 and stats["with programmes"] > MORE // 10
    assert all(stats[f"system={p}"] for p in PRESETS)
