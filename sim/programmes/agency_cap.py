"""Agency cap (Birmingham and Solihull; Staffordshire and Stoke-on-Trent).

Mechanism: employers use less agency cover (seed ssot_workforce_update_2022, 2.1.10: "target to
reduce from GBP 34m to GBP 25m", a 26% cut; bsol_workforce_framework: "roadmap towards removal
of agency and premium rate bank posts"). Agency fills a smaller share of the gap, optionally
under a hard cap as a share of establishment; what it no longer fills is felt as pressure
unless bank or a system hub fills it. No direct cost: the saving shows as agency spend.
"""
from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.programmes.base import Programme, ProgrammeParams, Rate


class AgencyCapParams(ProgrammeParams):
    sectors: list[str] = ["acute", "community", "primary"]
    roles: list[str] = ["nurse", "ahp", "doctor", "support"]
    reduction: Rate = 1 - 25 / 34                         # GBP 34m -> 25m
    max_share_of_establishment: Rate | None = Field(default=None)


class AgencyCap(Programme):
    Params = AgencyCapParams

    def adjust(self, levers, week):
        idx = self.sector_idx
        levers.agency_share[idx] *= 1.0 - self.params.reduction
        if self.params.max_share_of_establishment is not None:
            levers.agency_cap[idx] = np.minimum(levers.agency_cap[idx],
                                                self.params.max_share_of_establishment)


PROGRAMME = AgencyCap
