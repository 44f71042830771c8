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
    ("yeers=3", 1, ["yeers"]),
    ("engine=fast", 2, ["engine"]),
]


@pytest.mark.slow  # a wfsim subprocess per case
@pytest.mark.parametrize("override,code,words", CASES)
def test_bad_config_is_refused_with_its_key(tmp_path, override, code, words):
    folder = tmp_path / "existing"
    folder.mkdir()
    (folder / "summary.json").write_text("earlier results\n")
    res = run_wfsim(override, f"hydra.run.dir={folder}", cwd=tmp_path)
    assert res.returncode == code
    for w in words:
        assert w in res.stderr
    assert "Traceback" not in res.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["summary.json"]
    assert (folder / "summary.json").read_text() == "earlier results\n"


def test_validation_in_python_raises_config_error():
    with pytest.raises(ConfigError, match=r"system\.sectors\.acute\.roles\.nurse\.sickness = 1\.2"):
        load_config(["system.sectors.acute.roles.nurse.sickness=1.2"])
