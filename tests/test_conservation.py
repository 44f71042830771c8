"""Stocks and flows add up exactly, and every worker is in exactly one place."""
import numpy as np

from sim.codes import EXITS, ROUTES, SECTORS


def test_headcount_changes_by_exactly_inflows_minus_outflows(small_run):
    ts, fl = small_run.timeseries(), small_run.flows()
    hc = ts.groupby(["week", "sector"], observed=True)["headcount"].sum().unstack()
    inflow = fl.groupby(["week", "target"], observed=True)["count"].sum().unstack(fill_value=0)
    outflow = fl.groupby(["week", "source"], observed=True)["count"].sum().unstack(fill_value=0)
    start = small_run.headcount_start
    assert len(hc) == small_run.horizon
    for s in SECTORS:
        inn = inflow.get(s, 0 * hc[s]).reindex(hc.index, fill_value=0)
        out = outflow.get(s, 0 * hc[s]).reindex(hc.index, fill_value=0)
        previous = np.concatenate([[start[s]], hc[s].to_numpy()[:-1]])
        np.testing.assert_array_equal(hc[s].to_numpy(), previous + inn.to_numpy() - out.to_numpy())


def test_flows_use_the_documented_nodes(small_run):
    fl = small_run.flows()
    sources, targets = set(fl["source"].astype(str)), set(fl["target"].astype(str))
    assert set(ROUTES) <= sources and sources <= set(SECTORS) | set(ROUTES)
    # leaving to study (a degree route to another role) flows to the education node
    assert set(EXITS) <= targets and targets <= set(SECTORS) | set(EXITS) | {"education"}
    assert (fl["count"] > 0).all()
    # Moves between employers of one sector are rows with source == target.
    assert (fl["source"].astype(str) == fl["target"].astype(str)).any()


def test_joiners_and_leavers_match_flows(small_run):
    ts, fl = small_run.timeseries(), small_run.flows()
    leavers = ts.groupby("sector", observed=True)["leavers"].sum()
    joiners = ts.groupby("sector", observed=True)["joiners"].sum()
    out = fl.groupby("source", observed=True)["count"].sum()
    inn = fl.groupby("target", observed=True)["count"].sum()
    for s in SECTORS:
        assert leavers[s] == out[s]
        assert joiners[s] == inn[s]


def test_no_worker_in_two_places(small_run):
    snap = small_run.engine.snapshot()
    ids = snap["id"]
    assert len(np.unique(ids)) == len(ids)
    p = small_run.params
    np.testing.assert_array_equal(p.employer_sector[snap["employer"]], snap["sector"])
    last = small_run.timeseries().query("week == week.max()")
    assert last["headcount"].sum() == len(ids)
    by_cell = last.set_index(["sector", "role"])["headcount"]
    for (s, r), n in by_cell.items():
        got = np.sum((snap["sector"] == SECTORS.index(s)) & (snap["role"] == p.roles.index(r)))
        assert got == n


def test_the_table_keeps_its_free_rows_and_its_layout():
    """Joiners take the lowest free rows from a list kept as leavers go: it holds exactly the
    table's unused rows, in order, before and after the yearly re-layout, which moves the
    workers in post to the first rows by (employer, role) and changes nobody."""
    from sim import WorkforceModel

    m = WorkforceModel(years=2, seed=5, scale=0.05, threads=1)
    t = m.engine.table
    for _ in range(50):            # until leavers have left rows free (before the yearly re-layout)
        m.step()
        if m.week >= 30 and len(t.free) > 0:
            break
    assert len(t.free) > 0
    np.testing.assert_array_equal(t.free, np.flatnonzero(t.live == 0))
    before = m.engine.snapshot()
    t.compact()
    cell = t.employer.astype(np.int64) * m.params.n_roles + t.role
    assert t.live.all() and len(t.free) == 0 and (np.diff(cell) >= 0).all()
    after = m.engine.snapshot()
    for k in before.arrays:
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)
    for _ in range(15):
        m.step()
        if len(t.free) > 0:
            break
    assert len(t.free) > 0
    np.testing.assert_array_equal(t.free, np.flatnonzero(t.live == 0))


def test_stocks_are_consistent(small_run):
    ts = small_run.timeseries()
    assert (ts["headcount"] >= 0).all() and (ts["fte"] <= ts["headcount"]).all()
    assert (ts["sick_fte"] <= ts["fte"] + 1e-9).all()
    assert np.allclose(ts["vacancy_fte"] >= 0, True)
    assert ts["mean_burnout"].between(0, 1).all()
    assert (ts["agency_cost_gbp"] >= 0).all() and (ts["bank_fte"] >= 0).all()
