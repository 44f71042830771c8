"""Global sensitivity analysis with SALib (`wfsim experiment=sensitivity`): the experiment and its
settings (`experiment`), the SALib wiring (`methods`) and the model runs at the sample's points
with their checkpoint (`runs`)."""
from __future__ import annotations

from experiments.sensitivity.experiment import Settings, run_analysis, run_from_hydra

__all__ = ["Settings", "run_analysis", "run_from_hydra"]
