"""What a staff survey would hear from the model's workers: who is burnt out, who often thinks
of leaving and who will look for a new job, measured from the worker table.

The NHS Staff Survey asks staff of NHS trusts (fieldwork September to November) whether they
often or always feel burnt out because of their work (30%, 2024), whether they often think about
leaving their organisation (29%, 2023) and whether they will probably look for a job at a new
organisation within 12 months (21%): public_figures staff_survey_burnt_out_share and
staff_survey_often_think_of_leaving. The model has no words, only states, so each answer is a
state, read at the survey's week from every worker in post in an NHS trust (`SURVEYED`):

- **burnt out**: burnout at least `BURNT_OUT` (assumption: "often or always" is at least half
  way up the model's 0-1 scale, one of the thresholds the timeseries reports);
- **often thinks of leaving**: the worker's weekly hazard of leaving their employer (every
  reason but retirement: `sim.kernels.leave_hazard`, from their burnout, unmet flexible-working
  wish, pay, tenure, age and route in) is at least `THINKING` times the mean hazard of their
  (sector, role). A ratio to the colleagues' mean, not a level: the level is the base rate, which
  calibration fits to the observed turnover, so the shares measure how unevenly the wish to leave
  is spread, which is what the behavioural coefficients set;
- **will look for a new job within 12 months**: the same ratio at least `LOOKING`.

`THINKING` = 1.25 and `LOOKING` = 1.5 are assumptions, chosen before any fit: a worker a quarter
more likely than the average colleague to leave this year "often thinks" of it, one half more
likely is ready to act on it. They order the two answers as the survey does (everyone who will
look also often thinks of leaving), and both sit above the mean, as they must: 29% and 21% say
so where about 11% a year leave their trust.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from sim.codes import FLEX_UNMET, SECTORS, WEEKS_PER_YEAR
from sim.kernels import leave_hazard
from sim.workers import BURNOUT_UNIT

SURVEYED = ("acute", "community")   # the NHS Staff Survey covers NHS trusts
BURNT_OUT = 0.5        # assumption, see above
THINKING = 1.25        # assumption, see above
LOOKING = 1.5          # assumption, see above
# The survey's fieldwork runs from September to November: week 30 of a year that starts in
# April is late October.
SURVEY_WEEK = 30
ANSWERS = ("burnt_out", "thinking_of_leaving", "looking_for_job")


@nb.njit(cache=True)
def leave_hazards(rules, x, n_roles, w):
    """Each worker's weekly leave hazard (every reason but retirement) in this week's inputs."""
    n = w.id.shape[0]
    out = np.empty(n)
    for i in range(n):
        r = w.role[i]
        out[i] = leave_hazard(rules, x, w.sector[i], r, w.employer[i] * n_roles + r,
                              w.burnout[i] / BURNOUT_UNIT, w.flex[i] == FLEX_UNMET, w.tenure[i],
                              w.route[i], w.age[i], w.entry_route[i])
    return out


def survey(model, sectors=SURVEYED) -> dict[str, float]:
    """The shares of workers in post in `sectors` giving each answer (`ANSWERS`) now: call it
    after a step, when the worker table and `model.inputs` are the same week's."""
    staff = model.engine.snapshot()
    codes = [SECTORS.index(s) for s in sectors]
    keep = np.isin(staff["sector"], codes)
    h = leave_hazards(model.engine.rules, model.inputs, model.params.n_roles, staff.columns())[keep]
    cell = (staff["sector"][keep].astype(np.int64) * model.params.n_roles + staff["role"][keep])
    n = max(int(keep.sum()), 1)
    _, where, count = np.unique(cell, return_inverse=True, return_counts=True)
    mean = np.bincount(where, weights=h) / count
    ratio = h / np.maximum(mean[where], 1e-300)
    burnout = staff["burnout"][keep] / BURNOUT_UNIT
    return {"burnt_out": float((burnout >= BURNT_OUT).sum() / n),
            "thinking_of_leaving": float((ratio >= THINKING).sum() / n),
            "looking_for_job": float((ratio >= LOOKING).sum() / n)}


def survey_weeks(years) -> list[int]:
    """The weeks (from 0) at which each of these simulated years (1 = the first) is surveyed."""
    return [(y - 1) * WEEKS_PER_YEAR + SURVEY_WEEK for y in years]
