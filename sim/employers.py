"""Employers (trusts, practices, care providers) as Mesa agents.

There are few of them (hundreds for an ICS, ~25k for England), so they are ordinary Mesa
agents. Their numbers live in the model's per-(employer, role) arrays, which the phases
update for all employers at once; an agent's attributes are views of its row.
"""
from __future__ import annotations

import mesa
import numpy as np

from sim.agents import Agent
from sim.codes import FTE_UNIT, SECTORS
from sim.employer_phases import vacancy_fte


class Employer(Agent):
    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index
        self.sector = SECTORS[int(model.params.employer_sector[index])]

    def _row(self, name: str) -> np.ndarray:
        return getattr(self.model.state, name)[self.index]

    @property
    def establishment_fte(self) -> np.ndarray:
        """Funded FTE per role this week."""
        return self._row("establishment")

    @property
    def staff_in_post(self) -> np.ndarray:
        return self._row("headcount")

    @property
    def fte_in_post(self) -> np.ndarray:
        return self._row("fte_units") / FTE_UNIT

    @property
    def vacancy_fte(self) -> np.ndarray:
        """Funded FTE per role not filled by staff in post."""
        return vacancy_fte(self.model.state)[self.index]

    @property
    def pressure(self) -> np.ndarray:
        """Work needed over effective capacity, per role (1 = exactly covered)."""
        return self._row("pressure")

    def __repr__(self) -> str:
        return f"Employer({self.index}, {self.sector}, staff={int(self.staff_in_post.sum())})"
