"""wfsim: an agent-based simulator of the health and social care workforce of an Integrated
Care System, with workers moving between acute, community, primary care, adult social care
and exit."""
from sim.model import PHASES, WorkforceModel

__all__ = ["PHASES", "WorkforceModel"]
