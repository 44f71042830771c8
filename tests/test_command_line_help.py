"""`wfsim` where Hydra is bare: unknown names list the valid ones, a launcher without its extra
says what to install, and --help starts with a summary of the common commands."""
from __future__ import annotations

import subprocess
import sys

from sim.commands.wfsim import EXTRA_LAUNCHERS, check_names


def test_unknown_programme_and_preset_list_the_valid_ones():
    msg = check_names(["intervention=[i_can,i_cann]"])
    assert "unknown programme 'i_cann'" in msg and "journey_to_work" in msg
    msg = check_names(["-m", "system=bsol,nowhere"])
    assert "unknown preset 'nowhere'" in msg and "ssot" in msg
    assert check_names(["intervention=[],[i_can]", "system=ssot", "years=2"]) is None
    assert check_names(["system=from_file", "system.path=x.csv"]) is None


def test_launcher_without_its_extra_names_the_install():
    import importlib.util

    if importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None:
        assert "pip install -e '.[cluster]'" in check_names(["hydra/launcher=ray_local"])
    assert check_names(["hydra/launcher=joblib"]) is None
    assert set(EXTRA_LAUNCHERS) >= {"ray_local", "slurm"}


def test_help_starts_with_a_summary():
    out = subprocess.run([sys.executable, "-m", "sim.commands.wfsim", "--help"], capture_output=True,
                         text=True, timeout=120).stdout
    assert out.startswith("wfsim: simulate the health and social care workforce")
    assert "wfsim-dashboard" in out and "i_can" in out
    assert "== Config ==" in out or "Powered by Hydra" in out  # Hydra's own text follows
