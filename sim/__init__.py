"""wfsim: an agent-based simulator of the health and social care workforce of an Integrated
Care System, with workers moving between acute, community, primary care, adult social care
and exit."""
import os

# Idle OpenMP threads sleep instead of spinning (unless the user chose otherwise). Read once, when
# Numba's OpenMP layer loads. With another process busy on one of 2 cores, spinning made a
# two-thread run slower than one thread (default ICS, 5 years: 2.14 s against 1.13 s; passive
# 1.18 s); on a quiet machine it costs small runs ~0.2 s (0.92 -> 1.12 s) and large ones nothing.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from sim.model import PHASES, WorkforceModel  # noqa: E402

__all__ = ["PHASES", "WorkforceModel"]
