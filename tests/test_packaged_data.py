"""Ready scenarios and populations live inside the package; the checkout's configs/ links to them."""

from pathlib import Path

import pytest

from sim.data import ready_config
from sim.validation import scenario_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", ["scenarios", "populations"])
def test_configs_folder_is_the_packaged_one(kind):
    packaged = ready_config(kind, sorted(p.stem for p in (ROOT / "sim" / "data" / kind).glob("*.toml"))[0]).parent
    assert (ROOT / "configs" / kind).resolve() == packaged.resolve()
    assert packaged.resolve().is_relative_to((ROOT / "sim").resolve())


def test_validation_reads_scenarios_from_the_package_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configs/ here
    path = scenario_path("healthy")
    assert path.is_file() and path.resolve().is_relative_to((ROOT / "sim" / "data").resolve())
    with pytest.raises(FileNotFoundError, match="no_such_scenario"):
        ready_config("scenarios", "no_such_scenario")
