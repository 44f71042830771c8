"""Fitting the behavioural coefficients to what staff say (`wfsim-fit-behaviour`): the facts and
the coefficients (`facts`), one trial with its base rates refitted (`trial`), and the search with
its diagnostic of how well each coefficient is pinned down (`search`)."""
from __future__ import annotations

from experiments.fit_behaviour.facts import COEFFICIENTS, FACTS
from experiments.fit_behaviour.search import FitResult, fit
from experiments.fit_behaviour.trial import check_coefficients

__all__ = ["COEFFICIENTS", "FACTS", "FitResult", "check_coefficients", "fit"]
