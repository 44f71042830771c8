"""The system presets compose (inheriting the embedded default), carry what the seed papers and
public figures say about each system, have a calibration file for every (sector, role), and run."""
from __future__ import annotations

import numpy as np
import pytest
import yaml

from sim import WorkforceModel
from sim.metrics import first_year
from sim.system import load_config
from tests.helpers import FIRST_YEAR_SETTLING, ROOT

PRESETS = ["default", "england", "bsol", "ssot", "blmk", "somerset"]
SCALE = {"england": 0.002}           # ~6,600 workers; the others at 0.05 (1,700-3,800 workers)
CALIBRATION = ROOT / "configs" / "system" / "calibration"


def workers(cfg) -> int:
    return sum(r.headcount for s in cfg.system.sectors.values() for r in s.roles.values())


@pytest.mark.parametrize("name", PRESETS)
def test_preset_composes_and_runs(name):
    cfg = load_config([f"system={name}", "years=1"])
    assert cfg.system.name == name
    m = WorkforceModel(cfg, scale=SCALE.get(name, 0.05))
    start = len(m.engine)
    assert start > 1000
    for _ in range(4):
        m.step()
    ts = m.timeseries()
    assert ts["week"].nunique() == 4 and set(ts["sector"]) == set(cfg.system.sectors)
    assert abs(len(m.engine) - start) < 0.05 * start


@pytest.mark.parametrize("name", PRESETS)
def test_registered_staff_are_no_younger_than_graduates(name):
    """A registered role (one with a training route) starts with nobody younger than its
    graduates' youngest age, and its local recruits are fitted at those ages or older (qualified
    people not working in the system); entry-level roles may start at 16."""
    from sim.codes import EDUCATION

    m = WorkforceModel(load_config([f"system={name}", "years=1"]), scale=SCALE.get(name, 0.05))
    p, snap = m.params, m.snapshot()
    youngest = int(p.age_lo[EDUCATION])
    registered = np.flatnonzero(p.training_intake >= 0)
    assert len(registered) and (p.training_intake < 0).any()
    employs = p.employs[:, registered]
    assert (p.local_age_lo[:, registered][employs] >= youngest).all()
    in_role = np.isin(snap["role"], registered)
    assert in_role.sum() > 300 and snap["age"][in_role].min() >= youngest


def test_a_role_with_an_employer_share_works_at_that_share_of_the_largest_employers():
    """Social care's nurses work at a quarter of its employers, the largest (care homes with
    nursing); a role with fewer staff than employers and no share, at the largest ones with
    about three each; other roles at every employer. Each employer's funded posts follow."""
    from sim.codes import FTE_UNIT, SECTORS
    from sim.population import MIN_STAFF_PER_EMPLOYER

    cfg = load_config(["years=1", "+system.sectors.primary.roles.ahp.employer_share=0.5"])
    m = WorkforceModel(cfg)
    p, snap = m.params, m.snapshot()
    care, primary = SECTORS.index("social_care"), SECTORS.index("primary")
    for sector, rname, share in ((care, "nurse", 0.25), (care, "ahp", 0.05), (care, "support", None),
                                 (primary, "ahp", 0.5), (primary, "nurse", None)):
        r = p.roles.index(rname)
        lo, hi = int(p.sector_first[sector]), int(p.sector_first[sector + 1])
        n = int(p.headcount[sector, r])
        k = round(share * (hi - lo)) if share else min(hi - lo, max(1, n // MIN_STAFF_PER_EMPLOYER))
        at = snap["employer"][(snap["sector"] == sector) & (snap["role"] == r)]
        assert len(at) == n and set(np.unique(at)) == set(range(lo, lo + k)), (rname, k)
        funded = m.state.establishment[lo:hi, r]
        assert (funded[:k] > 0).all() and (funded[k:] == 0).all()
        assert abs(funded.sum() - m.state.fte_units[lo:hi, r].sum() / FTE_UNIT / (1 - p.vacancy[sector, r])) \
            < 0.1 * funded.sum()
    with pytest.raises(Exception, match="employer_share"):
        load_config(["system.sectors.social_care.roles.nurse.employer_share=0"])


@pytest.mark.parametrize("name", PRESETS)
def test_calibration_file_covers_every_role(name):
    cfg = load_config([f"system={name}"])
    fitted = yaml.safe_load((CALIBRATION / f"{name}.yaml").read_text())
    assert {(s, r) for s, spec in fitted.items() for r in spec["roles"]} == {
        (s, r) for s, spec in cfg.system.sectors.items() for r in spec.roles}
    for s, spec in cfg.system.sectors.items():
        for r, role in spec.roles.items():
            assert role.calibration.model_dump(exclude_none=True) == fitted[s]["roles"][r]["calibration"]


def test_presets_carry_their_sources():
    get = {n: load_config([f"system={n}"]).system for n in PRESETS}
    # sizes: population-scaled from the default (England x 56, BSol 1.3M, SSOT 1.1M, BLMK 1M)
    assert 3.2e6 < workers(load_config(["system=england"])) < 3.4e6
    assert get["blmk"].population == 1_000_000 and get["blmk"].sectors["primary"].employers == 95
    assert get["bsol"].population == 1_300_000 and get["ssot"].population == 1_100_000
    trust = {s: sum(r.headcount for r in get["bsol"].sectors[s].roles.values())
             for s in ("acute", "community")}
    assert abs(trust["acute"] / (trust["acute"] + trust["community"]) - 0.93) < 0.005
    # SSOT: 13% nursing vacancies in its trusts, ~6% sickness in the NHS
    ssot = get["ssot"].sectors
    assert ssot["acute"].roles["nurse"].vacancy == ssot["community"].roles["nurse"].vacancy == 0.13
    assert all(r.sickness == 0.06 for s in ("acute", "community", "primary") for r in ssot[s].roles.values())
    # Somerset: 25% of the combined workforce over 55
    som = get["somerset"].sectors
    hc = np.array([r.headcount for s in som.values() for r in s.roles.values()])
    over = np.array([r.share_over_55 for s in som.values() for r in s.roles.values()])
    assert abs((hc * over).sum() / hc.sum() - 0.25) < 0.002
    # the default is unchanged by the presets that inherit it
    assert get["default"].population == 1_000_000 and workers(load_config([])) == 58_800


def test_ssot_first_year_reproduces_its_local_rates():
    """SSOT's local targets (13% trust nursing vacancies, 6% sickness, its agency spend) at full
    size, on a seed the fit did not use: within 5% for its trust nurses and support staff (vacancy,
    which is fitted held still, within the first year's settling more: FIRST_YEAR_SETTLING), the
    sectors' turnover within the counting noise of a year's leavers, the agency spend within 10%."""
    cfg = load_config(["system=ssot", "years=1"])
    m = WorkforceModel(cfg, seed=21)
    m.run()
    ts = m.timeseries()
    got = first_year(ts, ["sector", "role"]).set_index(["sector", "role"])
    for s, r in (("acute", "nurse"), ("community", "nurse"), ("acute", "support")):
        role = cfg.system.sectors[s].roles[r]
        vacancy = got.loc[(s, r), "vacancy_rate"]
        tol = 0.05 * role.vacancy + FIRST_YEAR_SETTLING["vacancy"]
        assert abs(vacancy - role.vacancy) < tol, (s, r, vacancy)
        assert abs(got.loc[(s, r), "sickness_rate"] / role.sickness - 1) < 0.05, (s, r)
    sectors = first_year(ts, ["sector"]).set_index("sector")
    for s, spec in cfg.system.sectors.items():
        hc = np.array([r.headcount for r in spec.roles.values()])
        target = np.average([r.turnover for r in spec.roles.values()], weights=hc)
        tol = max(0.03, 2.5 / np.sqrt(hc.sum() * target))   # counting noise of a year's leavers
        assert abs(sectors.loc[s, "turnover_rate"] / target - 1) < tol, s
    # agency spend of its trusts: GBP 34M in 2022 x England's fall since (2.07bn / 3.46bn) = 20.3M
    agency = sectors.loc[["acute", "community"], "agency_spend_gbp"].sum()
    assert abs(agency / 20.3e6 - 1) < 0.1, agency
