"""Career steps: workers who change role (phase 4).

A career route (`system.careers`) takes workers of one role to another: an apprenticeship trains
them in post (they keep their job and change role when it ends), a degree takes them out to study
(they leave to `education` and come back as newly qualified, in sim.pools). The decisions to
start and the end of in-post training are drawn in phase 3 (sim.kernels.weekly_update); this
module carries them out. Not everyone finishes: at the end, a share `completion` changes role,
the others stay in their old one (in-post) or drop out of the course (degree).
"""
from __future__ import annotations

import numpy as np

from sim.codes import CAREER
from sim.kernels import CAREER_START, TRAINED
from sim.params import Params
from sim.rng import S_CAREER_DONE, uniforms
from sim.workers import Cohort


def finish_training(p: Params, engine, week: int) -> tuple[Cohort, np.ndarray]:
    """Workers whose in-post training ends this week: those who complete change role. Returns
    (the workers as they were, their new role or -1 for those who did not complete)."""
    done = engine.decided(TRAINED)
    if not len(done):
        return done, np.zeros(0, np.int64)
    c = done["career"].astype(np.int64) - 1
    ok = uniforms(p.seed, week, done["id"], S_CAREER_DONE) < p.careers.completion[c]
    new_role = np.where(ok, p.careers.to_role[c], -1)
    changed = done.take(ok)
    engine.update(changed, role=new_role[ok], prev_role=changed["role"], route=np.full(len(changed), CAREER),
                  join_week=np.full(len(changed), week), tenure=np.zeros(len(changed)),
                  career=np.zeros(len(changed)), career_until=np.zeros(len(changed)))
    dropped = done.take(~ok)
    engine.update(dropped, career=np.zeros(len(dropped)), career_until=np.zeros(len(dropped)))
    return done, new_role


def start_careers(p: Params, engine, week: int) -> tuple[Cohort, Cohort]:
    """Workers who start a career route this week: apprentices start training in post; degree
    students leave (removed here). Returns (apprentices, students), as they were."""
    starts = engine.decided(CAREER_START, 255)
    if not len(starts):
        return starts, starts
    c = starts["decision"].astype(np.int64) - CAREER_START
    in_post = p.careers.in_post[c]
    apprentices = starts.take(in_post)
    ca = c[in_post]
    engine.update(apprentices, career=ca + 1, career_until=week + p.careers.weeks[ca])
    students = starts.take(~in_post)
    engine.remove(students)
    return apprentices, students


def students_by_role(p: Params, students: Cohort) -> np.ndarray:
    """[R] expected graduates among this week's degree students, by the role they train for."""
    out = np.zeros(p.n_roles)
    c = students["decision"].astype(np.int64) - CAREER_START
    np.add.at(out, p.careers.to_role[c], p.careers.completion[c])
    return out

