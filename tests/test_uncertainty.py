"""Uncertainty that says what it covers: by default the spread over seeds is run-to-run randomness
alone; with `uncertainty.covers=seeds_and_behaviour` each seed draws its own behavioural
coefficients within their ranges, the same for a scenario and its baseline, with the base leaving
rates kept at what the calibration fitted; the comparison and the reports say which it is."""
import json

import numpy as np
import pandas as pd
import pytest

import sim.uncertainty as uncertainty
from analysis.experiment import interval_covers
from experiments.compare import compare
from sim import WorkforceModel, start
from sim.config import ConfigError
from sim.configuration import validate_config
from sim.metrics import yearly_rates
from sim.runs.run_folder import write_run
from sim.system import load_config
from tests.helpers import run_wfsim

DRAW = "uncertainty.covers=seeds_and_behaviour"


def test_by_default_nothing_is_drawn_and_the_ranges_change_nothing():
    plain = WorkforceModel(load_config(["years=1"]), seed=3, scale=0.2, threads=1)
    ranged = WorkforceModel(load_config(["years=1", "uncertainty.ranges={leaving.burnout_weight: [5, 6]}"]),
                            seed=3, scale=0.2, threads=1)
    plain.run()
    ranged.run()
    assert plain.drawn == {} and ranged.drawn == {}
    pd.testing.assert_frame_equal(plain.timeseries(), ranged.timeseries())


def test_each_seed_draws_its_own_coefficients_within_their_ranges_the_same_for_any_scenario():
    cfg = load_config(["years=1", DRAW])
    ranges = cfg.uncertainty.ranges
    draws = [uncertainty.drawn_values(cfg.model_copy(update={"seed": s})) for s in range(40)]
    for key, (lo, hi) in ranges.items():
        got = np.array([d[key] for d in draws])
        assert ((lo <= got) & (got <= hi)).all(), key
        assert got.std() > 0.2 * (hi - lo) / np.sqrt(12), key     # spread over the range, not stuck
    # the same seed draws the same, with or without a programme; adding a key moves no other draw
    with_programme = load_config(["years=1", DRAW, "intervention=[i_can]"]).model_copy(update={"seed": 7})
    assert uncertainty.drawn_values(with_programme) == draws[7]
    more = load_config(["years=1", DRAW, "++uncertainty.ranges={mobility.pay_pull: [2, 4]}"])
    extra = uncertainty.drawn_values(more.model_copy(update={"seed": 7}))
    assert {k: v for k, v in extra.items() if k in draws[7]} == draws[7] and "mobility.pay_pull" in extra
    m = WorkforceModel(load_config(["years=1", DRAW]), seed=7, scale=0.1, threads=1)
    assert m.drawn == draws[7]
    assert m.params.leave_burnout_weight == pytest.approx(draws[7]["leaving.burnout_weight"])


@pytest.mark.parametrize("weight", [1.0, 3.0])
def test_a_drawn_burnout_weight_changes_behaviour_not_the_calibrated_turnover(weight, monkeypatch):
    """A burnout weight of 1 or 3 instead of 2 moved year-one turnover to ~9% or ~13% (the README);
    with the base rates rescaled, each NHS sector's year-one turnover stays within 0.4 points of the
    configured coefficients' (same seed), and without the rescaling it would not."""
    def turnover(over):
        m = WorkforceModel(load_config(["years=1", *over]), seed=2, threads=1)
        m.run()
        return yearly_rates(m.timeseries(), ["sector"]).set_index("sector")["turnover_rate"]

    forced = [DRAW, f"uncertainty.ranges={{leaving.burnout_weight: [{weight}, {weight}], "
                    "leaving.unmet_flex_multiplier: [1.6, 1.6], burnout.noise: [0.1, 0.1]}"]
    base, drawn = turnover([]), turnover(forced)
    nhs = ["acute", "community"]
    assert (drawn[nhs] - base[nhs]).abs().max() < 0.004, (drawn, base)
    monkeypatch.setattr(uncertainty, "keep_starting_leaving", lambda leave_base, *a: leave_base)
    start.forget()
    plain = turnover(forced)
    assert (plain[nhs] - base[nhs]).abs().min() > 0.012, (plain, base)
    assert np.sign(plain["acute"] - base["acute"]) == np.sign(weight - 2.0)


@pytest.mark.parametrize("ranges, message", [
    ({"leaving.nope": (1, 2)}, "uncertainty.ranges.leaving.nope: not a behaviour key"),
    ({"leaving.burnout_weight": (3, 1)}, "uncertainty.ranges.leaving.burnout_weight = [3, 1]: reversed"),
    ({"leaving.unmet_flex_multiplier": (0.5, 2)},
     "uncertainty.ranges.leaving.unmet_flex_multiplier: the end 0.5 is not a valid"),
    ({"leaving": (1, 2)}, "uncertainty.ranges.leaving: behaviour.leaving = "),
])
def test_bad_ranges_are_refused_naming_the_key(ranges, message):
    raw = load_config([]).model_dump(mode="python")
    raw["uncertainty"] = {"covers": "seeds_and_behaviour", "ranges": ranges}
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        validate_config(raw)


def test_wfsim_refuses_a_bad_range_before_anything_is_written(tmp_path):
    out = tmp_path / "run"
    res = run_wfsim(f"hydra.run.dir={out}", "uncertainty.ranges={leaving.burnout_weight: [3, 1]}",
                    cwd=tmp_path)
    assert res.returncode == 2 and "uncertainty.ranges.leaving.burnout_weight" in res.stderr
    assert not out.exists() or not any(out.iterdir())     # Hydra may make the folder; nothing in it


def test_the_comparison_and_its_report_say_what_the_intervals_cover(tmp_path):
    for covers, folder in (("seeds", tmp_path / "a"), ("seeds_and_behaviour", tmp_path / "b")):
        job = 0
        for programmes in ("[]", "[i_can]"):
            for seed in (0, 1):
                cfg = load_config(["years=1", f"seed={seed}", f"intervention={programmes}",
                                   f"uncertainty.covers={covers}"])
                m = WorkforceModel(cfg, scale=0.1, threads=1)
                m.run()
                write_run(m, folder / str(job), 1.0)
                job += 1
        manifest = json.loads((folder / "0" / "summary.json").read_text())["manifest"]
        assert manifest["uncertainty"]["covers"] == covers
        assert bool(manifest["uncertainty"]["drawn"]) == (covers != "seeds")
        table = compare(folder)
        assert set(table["interval_covers"]) == {covers} and set(table["programme"]) == {"i_can"}
        said = interval_covers(table)
        assert ("behavioural coefficients" in said) == (covers != "seeds"), said
