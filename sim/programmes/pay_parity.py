"""Pay parity for social care (Care Provider Alliance / NHSE learning summit).

Mechanism: social care support roles are paid on NHS terms ("new-to-care reservists ... appointed
on NHS terms and conditions", seed cpa_nhse_learning_summit_2023; movement is "mostly social
care -> NHS because of terms and conditions"). The targeted pay scales are raised to close a
share of the gap to the reference sector's scale for the role, and follow that scale's pay
awards while the programme runs (when it ends, the scale keeps its level and its own awards).
Better pay lowers leaving, draws fewer care workers to the NHS and helps recruitment.

Cost: the extra pay bill, FTE in post times the uplift over the scale without parity.
"""
from __future__ import annotations

import numpy as np

from sim.codes import FTE_UNIT, SECTORS, WEEKS_PER_YEAR
from sim.programmes.base import Programme, ProgrammeParams, Rate


class PayParityParams(ProgrammeParams):
    sectors: list[str] = ["social_care"]
    roles: list[str] = ["support"]
    reference_sector: str = "acute"          # NHS Agenda for Change (Band 3 for support)
    share_of_gap_closed: Rate = 1.0


class PayParity(Programme):
    Params = PayParityParams

    def __init__(self, name, params, model):
        super().__init__(name, params, model)
        if params.reference_sector not in SECTORS:
            raise ValueError(f"reference_sector {params.reference_sector!r} is not a sector")
        self.ref = SECTORS.index(params.reference_sector)
        self._uplift = np.zeros_like(model.params.pay_scale)

    def _scale_without_parity(self, week: int) -> np.ndarray:
        p = self.model.params
        awards = week // WEEKS_PER_YEAR  # awarded at the end of each 52-week year
        return p.pay_scale * ((1.0 + p.pay_award) ** awards)[:, None]

    def adjust(self, levers, week):
        """Each week, set the targeted scales to their own scale plus the closed share of the gap
        to the reference scale: the scale tracks the reference's pay awards from then on ("paid
        on NHS terms"), never falling below what it would have been without parity. Pay scales
        persist, so when the programme ends the scale keeps its level and its own awards."""
        pay = levers.pay_scale
        base = self._scale_without_parity(week)
        for s in self.sector_idx:
            for r in self.role_idx:
                gap = max(pay[self.ref, r] - base[s, r], 0.0)
                pay[s, r] = base[s, r] + self.params.share_of_gap_closed * gap
        self._uplift = np.maximum(pay - base, 0.0)

    def weekly_cost(self, week):
        p, st = self.model.params, self.model.state
        fte = np.zeros_like(st.pay_scale)
        np.add.at(fte, p.employer_sector, st.fte_units / FTE_UNIT)
        mask = np.zeros_like(fte, bool)
        mask[np.ix_(self.sector_idx, self.role_idx)] = True
        return float((fte * self._uplift)[mask].sum() / WEEKS_PER_YEAR)


PROGRAMME = PayParity
