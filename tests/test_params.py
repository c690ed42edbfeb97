"""Parameters are cited data: every entry has a unit, a range holding its default, and known sources."""

import re
import tomllib
from importlib import resources

import pytest

from sim import params as prm
from sim.errors import SimInputError


def _sources():
    return tomllib.loads(resources.files("sim.data").joinpath("sources.toml").read_text())


def _keys(text):
    return [k.strip() for k in re.split(r"[;,]", text) if k.strip()]


@pytest.mark.parametrize("spec", prm.all_specs(), ids=lambda s: s.key)
def test_every_parameter_has_unit_range_and_source(spec):
    sources = _sources()
    if spec.categorical:
        assert spec.default in spec.choices
    else:
        assert spec.unit, spec.key
        assert spec.min <= spec.default <= spec.max, spec.key
    assert spec.note, spec.key
    for key in _keys(spec.source):
        assert key in sources, f"{spec.key}: source {key!r} missing from sources.toml"


def test_posture_sources_are_known():
    postures = tomllib.loads(resources.files("sim.data").joinpath("postures.toml").read_text())
    sources = _sources()
    for name, entry in postures.items():
        for key in _keys(entry["source"]):
            assert key in sources, f"posture {name}: source {key!r} missing"


def test_out_of_range_message_names_key_value_and_range():
    with pytest.raises(SimInputError,
                       match=r"anatomy.foraminal_height_mm = 40 is out of range; allowed range 8 to 30 mm"):
        prm.get_spec("anatomy.foraminal_height_mm").check(40)


def test_unknown_key_suggests_the_closest():
    with pytest.raises(SimInputError, match="did you mean pathology.slip_mm"):
        prm.get_spec("pathology.slipmm")


def test_calibrated_constants_are_the_stored_ones():
    """sim/calibrate.py reproduces the tissue constants stored in parameters.toml."""
    from sim.calibrate import calibrate

    stored = prm.defaults()
    for key, value in calibrate().items():
        assert stored[f"tissue.{key}"] == pytest.approx(value, rel=2e-4), key
