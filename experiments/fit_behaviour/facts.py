"""The public facts the behavioural coefficients are fitted to, and the coefficients that can
be fitted to them.

Every fact is a share of NHS trust staff giving an answer in the NHS Staff Survey; the model's
answer is a state of its workers (`sim.intentions`: the definitions and their assumptions).
The actual leaver rates enter through the base rates: every trial refits them so that each
(sector, role) still has its observed turnover, vacancy and sickness, so a coefficient is judged
on how it spreads the wish to leave among staff at the observed rate of leaving, not on the
rate itself (which the base rates would otherwise absorb).

Only starting-state facts: nothing from the hindcast's later years (2023/24 on) is a target.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SurveyFact:
    answer: str          # a key of sim.intentions.survey
    observed: float      # share of respondents
    tolerance: float     # share: a miss of this size costs 1 in the loss (assumption, see TOLERANCE)
    source: str


# A model share within 2 points of the survey's counts as a match: the survey's own sampling
# error is far smaller, but the model's answers are definitions (sim.intentions) and its shares
# at the fit's scale move by about half a point from seed to seed (assumption).
TOLERANCE = 0.02

FACTS = (
    SurveyFact("burnt_out", 0.30, TOLERANCE,
               "public_figures staff_survey_burnt_out_share: NHS Staff Survey 2024"),
    SurveyFact("thinking_of_leaving", 0.29, TOLERANCE,
               "public_figures staff_survey_often_think_of_leaving: NHS Staff Survey 2023"),
    SurveyFact("looking_for_job", 0.21, TOLERANCE,
               "public_figures staff_survey_often_think_of_leaving, note: 21% will look for a new "
               "job within 12 months (NHS Staff Survey 2023)"),
)

# The coefficients fitted by default and the ranges searched. Why these three: the facts are
# shares of staff at one moment, so they can inform how burnout is spread among staff and how
# unevenly the wish to leave is spread, not how fast anything changes.
# - leaving.burnout_weight: how much more the burnt out leave (the sensitivity analysis finds it
#   the coefficient that matters most); it widens the spread of leave hazards, by as much as
#   burnout itself is spread;
# - leaving.unmet_flex_multiplier: the other spread of leave hazards in NHS staff (the 15% whose
#   flexible-working wish is unmet);
# - burnout.noise: how far burnout is spread between people in the same job (its stationary s.d.
#   is about 0.66 x noise), which sets the burnt-out share. Measured at the defaults: with noise
#   0.1 burnout hardly varies between colleagues, 15% are burnt out, and the burnout weight
#   barely moves the answers; with 0.4, 35% are, and it does.
# Not fitted by default: burnout.rise (the level of burnout: the burnt-out share informs it too,
# but not apart from noise; it can be added with --fit), burnout.recovery and pressure_weight (how
# fast burnout follows pressure: a snapshot cannot see it), first_year_multiplier and
# pay_sensitivity (no fact here separates them from the others).
COEFFICIENTS: dict[str, tuple[float, float]] = {
    "behaviour.leaving.burnout_weight": (0.0, 15.0),         # default 2.0 (assumption)
    "behaviour.leaving.unmet_flex_multiplier": (1.0, 3.0),   # default 1.6 (assumption)
    "behaviour.burnout.noise": (0.05, 0.5),                  # default 0.1 (assumption)
}
