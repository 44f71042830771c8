"""A bad config stops the run before it starts, names the key and the value, exits non-zero,
and leaves an existing run folder untouched."""
import pytest

from sim.config import ConfigError
from sim.system import load_config
from tests.helpers import run_wfsim

CASES = [
    # (override, exit code, words the message must contain)
    ("years=-1", 2, ["years = -1", "greater than or equal to 1"]),
    ("seed=abc", 2, ["seed = 'abc'", "valid integer"]),
    ("system.sectors.acute.roles.nurse.turnover=1.5", 2,
     ["system.sectors.acute.roles.nurse.turnover = 1.5", "less than or equal to 1"]),
    ("system.sectors.social_care.roles.support.vacancy=-0.1", 2,
     ["system.sectors.social_care.roles.support.vacancy = -0.1"]),
    ("behaviour.burnout.rise=2", 2, ["behaviour.burnout.rise = 2"]),
    ("system.sectors.primary.employers=2.5", 2, ["system.sectors.primary.employers = 2.5"]),
    ("+system.sectors.acute.winter_surj=0.1", 2, ["system.sectors.acute.winter_surj", "unknown key"]),
    ("+behaviour.leaving.burnout_wieght=1", 2, ["behaviour.leaving.burnout_wieght", "unknown key"]),
    ("yeers=3", 2, ["yeers", "+yeers=3"]),                       # refused by Hydra itself
    ("intervention=42", 2, ["invalid command line", "Got int"]),
    ("system=nowhere", 2, ["unknown preset 'nowhere'", "somerset"]),
    ("engine=fast", 2, ["engine"]),
    ("behaviour.burnout.recovery=0", 2, ["behaviour.burnout.recovery = 0"]),
    ("system.sectors.acute.roles.nurse.headcount=100000000 scale=5", 2, ["this run needs ~"]),
    ("+system.labour_market.international.caps=[{sectors:[social_kare],roles:[support],per_year:10,"
     "capped_from:2026-04-01}]", 2, ["labour_market.international.caps.0.sectors", "social_kare"]),
]


@pytest.mark.slow  # a wfsim subprocess per case
@pytest.mark.parametrize("override,code,words", CASES)
def test_bad_config_is_refused_with_its_key(tmp_path, override, code, words):
    folder = tmp_path / "existing"
    folder.mkdir()
    (folder / "summary.json").write_text("earlier results\n")
    res = run_wfsim(*override.split(), f"hydra.run.dir={folder}", cwd=tmp_path)
    assert res.returncode == code
    for w in words:
        assert w in res.stderr
    assert "Traceback" not in res.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["summary.json"]
    assert (folder / "summary.json").read_text() == "earlier results\n"


def test_validation_in_python_raises_config_error():
    with pytest.raises(ConfigError, match=r"system\.sectors\.acute\.roles\.nurse\.sickness = 1\.2"):
        load_config(["system.sectors.acute.roles.nurse.sickness=1.2"])


@pytest.mark.slow  # a wfsim subprocess per case
@pytest.mark.parametrize("where,words", [
    ("a_file", ["a_file is a file, not a folder"]),
    ("a_file/run", ["a_file/run is under", "a_file, which is a file"]),
])
def test_an_output_folder_that_cannot_be_made_is_refused(tmp_path, where, words):
    (tmp_path / "a_file").write_text("a user's notes\n")
    res = run_wfsim("years=1", f"hydra.run.dir={tmp_path / where}", cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and all(w in res.stderr for w in words)
    assert (tmp_path / "a_file").read_text() == "a user's notes\n"


@pytest.mark.slow  # a wfsim sweep subprocess
def test_a_sweep_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "sweeps").write_text("a user's notes\n")
    res = run_wfsim("-m", "seed=0,1", "years=1", f"hydra.sweep.dir={tmp_path / 'sweeps'}", cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert "hydra.sweep.dir" in res.stderr and "is a file" in res.stderr
    assert (tmp_path / "sweeps").read_text() == "a user's notes\n"
