"""The embedded default reproduces its calibration targets (`sim.system.calibrate`): as it runs,
turnover and sickness over its first years (`START_YEARS`) and its first year within the
settling the README states; held still (no funded growth), vacancy over its first years and
over its settled years (`FIT_YEARS`), so that it starts and stays at its targets.

Seeds 20-29 are not those the calibration was fitted on (0-2, `FIT_SEEDS`). Tolerance per sector
and rate: 3 standard errors of the difference between the mean over these seeds and the mean
the fit was made on (the fit's own seed noise counts), with a floor of 3% of the target for
rates whose seed-to-seed spread is tiny. Ten seeds, not five: the spread is estimated from
them, and five can understate it (primary care's settled vacancy held still: sd 0.20 points
over seeds 20-24, 0.38 over seeds 0-34).
"""
import numpy as np
import pandas as pd
import pytest

from sim import WorkforceModel
from sim.metrics import yearly_rates
from sim.system import load_config
from sim.system.calibrate import FIT_YEARS, START_YEARS, held_still
from tests.helpers import FIRST_YEAR_SETTLING

pytestmark = pytest.mark.slow  # full-size runs of the default over ten seeds

SEEDS = range(20, 30)
FIT_SEEDS = 3
RATES = {"turnover": "turnover_rate", "vacancy": "vacancy_rate", "sickness": "sickness_rate"}
# Plausible ranges for an ICS's rates.
RANGES = {
    "acute": {"turnover": (0.10, 0.12), "vacancy": (0.08, 0.10), "sickness": (0.05, 0.06)},
    "community": {"turnover": (0.10, 0.12), "vacancy": (0.08, 0.10), "sickness": (0.05, 0.06)},
    "primary": {"turnover": (0.10, 0.12), "vacancy": (0.08, 0.10), "sickness": (0.05, 0.06)},
    "social_care": {"turnover": (0.22, 0.26), "vacancy": (0.07, 0.10), "sickness": (0.05, 0.06)},
}


@pytest.fixture(scope="module")
def fitted_years():
    """(config, rates per seed, sector and year with `run` "as_run" (the default as it runs, its
    first years) or "still" (held still, its first and its settled years); per role, held still
    over the settled years)."""
    cfg = load_config([f"years={max(FIT_YEARS)}"])
    frames, roles = [], []
    for seed in SEEDS:
        m = WorkforceModel(held_still(cfg), seed=seed)
        m.run()
        ts = m.timeseries()
        rates = yearly_rates(ts, ["sector"])
        frames.append(rates[rates["year"].isin({*START_YEARS, *FIT_YEARS})].assign(seed=seed, run="still"))
        by_role = yearly_rates(ts, ["sector", "role"])
        roles.append(by_role[by_role["year"].isin(FIT_YEARS)].assign(seed=seed))
        m = WorkforceModel(cfg.model_copy(update={"years": max(START_YEARS)}), seed=seed)
        m.run()
        ts = m.timeseries()
        rates = yearly_rates(ts, ["sector"])
        first = ts[ts["week"] < 52].groupby("sector", observed=True)["headcount"].sum()
        rates["headcount_share"] = rates["sector"].map(first / first.sum()).astype(float)
        frames.append(rates.assign(seed=seed, run="as_run"))
    return cfg, pd.concat(frames), pd.concat(roles)


def _targets(cfg):
    """Sector targets: role targets weighted as the statistics weight them."""
    out = {}
    total = sum(r.headcount for s in cfg.system.sectors.values() for r in s.roles.values())
    for s, spec in cfg.system.sectors.items():
        roles = spec.roles.values()
        hc = np.array([r.headcount for r in roles], float)
        fte = hc * np.array([r.mean_fte for r in roles])
        est = fte / (1 - np.array([r.vacancy for r in roles]))
        out[s] = {
            "turnover": np.average([r.turnover for r in roles], weights=hc),
            "vacancy": np.average([r.vacancy for r in roles], weights=est),
            "sickness": np.average([r.sickness for r in roles], weights=fte),
            "headcount_share": hc.sum() / total,
        }
    return out


def _tolerance(values, target):
    se = values.std(ddof=1) * np.sqrt(1 / len(values) + 1 / FIT_SEEDS)
    return max(3 * se, 0.03 * target)


def _check(df, targets, rate, settling=0.0):
    assert df["sector"].nunique() == len(targets)
    for sector, g in df.groupby("sector", observed=True):
        values = g.groupby("seed")[RATES[rate]].mean().to_numpy()
        target = targets[sector][rate]
        tol = _tolerance(values, target) + settling
        assert abs(values.mean() - target) <= tol, (sector, rate, values.mean(), target, tol)
        lo, hi = RANGES[sector][rate]  # some targets sit on an edge (social care vacancy 7%)
        assert lo - tol <= values.mean() <= hi + tol, (sector, rate, values.mean())


@pytest.mark.parametrize("rate", ["turnover", "sickness"])
def test_first_years_hit_targets(fitted_years, rate):
    cfg, df, _ = fitted_years
    _check(df[(df["run"] == "as_run") & df["year"].isin(START_YEARS)], _targets(cfg), rate)


@pytest.mark.parametrize("years", [START_YEARS, FIT_YEARS], ids=["first", "settled"])
def test_held_still_vacancy_hits_its_target(fitted_years, years):
    """Held still, vacancy is at the target in the settled years (`calibration.fill`) and near it
    in the first years (`calibration.start_vacancy`): a start and a settled state at about the
    same rate. Where staff turn over fast (social care) the run leaves its start within months,
    so the funded posts at the start move the first years' mean little and the fit leaves it
    within the settling the first year is allowed (FIRST_YEAR_SETTLING)."""
    cfg, df, _ = fitted_years
    settling = FIRST_YEAR_SETTLING["vacancy"] if years == START_YEARS else 0.0
    _check(df[(df["run"] == "still") & df["year"].isin(years)], _targets(cfg), "vacancy", settling)


@pytest.mark.parametrize("rate", list(RATES))
def test_first_year_rates_near_targets(fitted_years, rate):
    """The default as it runs, with its funded growth: its first year on its own."""
    cfg, df, _ = fitted_years
    _check(df[(df["run"] == "as_run") & (df["year"] == 1)], _targets(cfg), rate, FIRST_YEAR_SETTLING[rate])


def test_headcount_split_matches(fitted_years):
    cfg, df, _ = fitted_years
    df = df[(df["run"] == "as_run") & (df["year"] == 1)]
    targets = _targets(cfg)
    assert df["sector"].nunique() == len(targets)
    for sector, g in df.groupby("sector", observed=True):
        assert abs(g["headcount_share"].mean() - targets[sector]["headcount_share"]) < 0.01
    assert 55_000 <= sum(r.headcount for s in cfg.system.sectors.values() for r in s.roles.values()) <= 60_000


def test_a_fresh_refit_does_not_depend_on_the_factors_in_place():
    """`make calibrate` fits from factors of 1 (`fresh`), so a refit gives the same factors
    whatever was fitted before; a warm start (refits inside experiments) starts where it is."""
    from sim.system.calibrate import calibrate

    cfg = load_config([])
    raw = cfg.model_dump(mode="python")
    for spec in raw["system"]["sectors"].values():
        for role in spec["roles"].values():
            role["calibration"].update(leave=2.0, fill=0.5, start_vacancy=0.8)
    other = type(cfg).model_validate(raw)

    def factors(c, fresh):
        fitted, _ = calibrate(c, seeds=(0,), rounds=1, scale=0.05, log=lambda _: None, threads=1,
                              fresh=fresh)
        return [(s, r, role.calibration.leave, role.calibration.fill, role.calibration.start_vacancy)
                for s, spec in fitted.system.sectors.items() for r, role in spec.roles.items()]

    assert factors(cfg, True) == factors(other, True)
    assert factors(cfg, False) != factors(other, False)


def test_every_role_settles_near_its_vacancy_target(fitted_years):
    """Each (sector, role), not only each sector: a role whose few staff were spread over every
    employer (social care's nurses) once sat at 10-12% against 7%, out of the fit's reach."""
    cfg, _, df = fitted_years
    assert df.groupby(["sector", "role"], observed=True).ngroups == sum(
        len(spec.roles) for spec in cfg.system.sectors.values())
    for (sector, role), g in df.groupby(["sector", "role"], observed=True):
        values = g.groupby("seed")["vacancy_rate"].mean().to_numpy()
        target = cfg.system.sectors[sector].roles[role].vacancy
        se = values.std(ddof=1) * np.sqrt(1 / len(values) + 1 / FIT_SEEDS)
        assert abs(values.mean() - target) <= max(3 * se, 0.1 * target), (sector, role, values.mean(), target)
