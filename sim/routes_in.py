"""How the workforce came into the system, in a steady state: each (sector, role)'s mix of
routes in (its hires from outside and the movers from the other sectors, who keep theirs) and
the retirees who came back, by age. The starting workforce is drawn with these
(sim.population); `p` is a run's Params (sim.params) with its age structure fitted."""
from __future__ import annotations

import numpy as np

from sim.ages import cross_sector_moves, external_hires_per_year, leaving_rates, yearly_retirement
from sim.codes import ROUTES


def stock_route_mix(p, retirees: np.ndarray, inflow: np.ndarray) -> np.ndarray:
    """[S, R, N_ROUTES] how the workforce came into the system, in a steady state. Retirees who
    came back: as many as come back a year (the steady state's hires from outside the system
    that are retirees) times how long they stay (`retirees`: retirees_in_post), as a share of the
    staff. The other routes share the rest in proportion to the people arriving by each route
    times how long they stay (overseas recruits leave less). A (sector, role) gains people by a
    route from its own hires from outside and from the workers who move in from the other
    sectors, who keep their route in (care workers who came from abroad, into NHS support), so
    the mixes of the sectors are solved together (`inflow`: stock_inflow_mix)."""
    rr = ROUTES.index("retire_return")
    back = external_hires_per_year(p, p.age_pmf) * p.retire_return_share       # [S, R] a year
    in_post = back * retirees.sum(axis=2)
    rr_share = np.clip(in_post / np.maximum(p.headcount, 1e-9), 0.0, 0.5)
    others = inflow / np.maximum(p.turnover[:, :, None] * p.route_mult[None, None, :], 1e-3)
    others[:, :, rr] = 0.0
    mix = others / np.maximum(others.sum(axis=2, keepdims=True), 1e-300) * (1.0 - rr_share)[:, :, None]
    mix[:, :, rr] = rr_share
    return mix


def stock_inflow_mix(p, pmf: np.ndarray | None = None,
                     rounds: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The routes in of the people joining each (sector, role) from outside it in a steady state
    (retirees who came back aside), [S, R, N_ROUTES]: its hires from outside the system in the
    observed route shares, and the movers from the other sectors in the mix of those sectors'
    leavers. A route's share of a cell's leavers is its share of the cell's joiners (its people
    stay longer in proportion as they leave less), so the mixes are the fixed point of
    joiners' mix = hires' mix and movers' mix, weighted by their numbers. Also [S, R]: the share
    of each cell's joiners from abroad who were hired from abroad into it (not moved in), and
    [S, S', R] the movers a year from sector s to s' who came into the system from abroad. `pmf`:
    the workforces' ages (by default the run's, p.age_pmf)."""
    pmf = p.age_pmf if pmf is None else pmf
    rr = ROUTES.index("retire_return")
    shares = p.route_share.copy()
    shares[:, :, rr] = 0.0
    shares /= np.maximum(shares.sum(axis=2, keepdims=True), 1e-300)
    hires = external_hires_per_year(p, pmf)[:, :, None] * shares                   # [S, R, K] a year
    moves = cross_sector_moves(p, leaving_rates(p, pmf)[0])                        # [S, S', R]
    mix = shares
    for _ in range(rounds):
        joining = hires + np.einsum("tsr,trk->srk", moves, mix)
        new = joining / np.maximum(joining.sum(axis=2, keepdims=True), 1e-300)
        done = np.abs(new - mix).max() < 1e-12
        mix = new
        if done:
            break
    k = ROUTES.index("international")
    moved = moves * mix[:, None, :, k]                                             # [S, S', R]
    direct = np.where(joining[:, :, k] > 0, hires[:, :, k] / np.maximum(joining[:, :, k], 1e-300), 1.0)
    return mix, direct, moved


def retirees_in_post(p) -> np.ndarray:
    """[S, R, A] retirees back in post, by age, in a steady state where one comes back a year:
    they come back a year after retiring, at the ages people retire at (sim.ages), and leave at
    the role's other leaving rate for their age (higher in their first year with the employer,
    as every new starter's) or by retiring again. Summed over ages: how many years one stays."""
    retire = yearly_retirement(p)                                       # [A]
    leaving, rel = leaving_rates(p, p.age_pmf)                          # [S, R], [S, R, A]
    joining = p.age_pmf * retire                                        # [S, R, A] retiring by age
    joining = np.concatenate([np.zeros_like(joining[..., :1]), joining[..., :-1]], axis=-1)  # a year on
    joining = joining / np.maximum(joining.sum(axis=-1, keepdims=True), 1e-300)
    leave = np.minimum(leaving[..., None] * rel, 0.95)
    later = 1.0 - (1.0 - leave) * (1.0 - retire)
    first = 1.0 - (1.0 - np.minimum(leave * p.first_year_multiplier, 0.95)) * (1.0 - retire)
    A = retire.shape[0]
    out = np.zeros_like(joining)
    for a0 in range(A):
        n = joining[..., a0]
        for a in range(a0, A):
            nxt = n * (1.0 - (first if a == a0 else later)[..., a])
            out[..., a] += 0.5 * (n + nxt)        # in post through the year: half who leave in it
            n = nxt
    return out
