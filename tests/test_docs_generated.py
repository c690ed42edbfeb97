"""The generated parts of docs/ are what the data files give today (one home per fact)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: script -> the function that renders the generated part
GENERATED = {"make_results_table.py": "table_markdown", "make_parameter_tables.py": "tables_markdown"}


@pytest.mark.parametrize("script", list(GENERATED))
def test_generated_doc_is_current(script):
    spec = importlib.util.spec_from_file_location(script[:-3], ROOT / "docs" / script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.DOC.read_text(encoding="utf-8")
    assert module.updated_doc(text, getattr(module, GENERATED[script])()) == text, \
        f"{module.DOC.name} is stale: run python docs/{script}"
