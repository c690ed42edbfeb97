"""Every result is declared once (sim/data/outputs.toml) and every reader takes it from there."""

import importlib.util
from pathlib import Path

import pytest

from sim import layout
from sim.outputs import output_description, output_label, output_specs, output_unit
from sim.plots import style
from sim.sweep.store import output_attrs

ROOT = Path(__file__).resolve().parents[1]
#: The unit a name's suffix promises (docs/conventions.md: units ride in names).
SUFFIX_UNITS = (("_mm2", "mm2"), ("_mm", "mm"), ("_deg", "deg"), ("_nm", "N m"), ("_n", "N"),
                ("_mpa", "MPa"), ("_kpa", "kPa"), ("_pct", "%"), ("_min", "min"))


def test_the_kernel_row_is_the_declared_outputs():
    specs = output_specs()
    assert layout.OUTPUTS == tuple(n for n, s in specs.items() if s.group == "outputs")
    assert {n for n, s in specs.items() if s.group == "record"} == {"posture", "side"}


@pytest.mark.parametrize("name", list(output_specs()))
def test_each_result_has_words_and_the_unit_its_name_promises(name):
    spec = output_specs()[name]
    assert spec.description and spec.label and spec.meaning
    promised = next((unit for suffix, unit in SUFFIX_UNITS if name.endswith(suffix)), None)
    if promised is not None:
        assert spec.unit == promised, (name, spec.unit)
    if name.startswith("pain_"):
        assert spec.unit == "0-10"
    if name in layout.CATEGORICAL_OUTPUTS:
        assert spec.unit == "label"


def test_readers_take_the_declared_words():
    for name, spec in output_specs().items():
        assert output_unit(name) == spec.unit
        assert output_description(name) == spec.description
        assert style.output_label(name) == output_label(name) == spec.label
    attrs = output_attrs("foraminal_area_mm2")
    assert attrs["units"] == "mm2" and attrs["long_name"] == output_specs()["foraminal_area_mm2"].description
    assert output_attrs("l5_grade")["labels"] == list(layout.GRADES)


def test_results_doc_table_is_current():
    spec = importlib.util.spec_from_file_location("make_results_table", ROOT / "docs" / "make_results_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.DOC.read_text(encoding="utf-8")
    assert module.updated_doc(text, module.table_markdown()) == text, \
        "docs/results.md is stale: run python docs/make_results_table.py"
