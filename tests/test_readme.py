"""The README's ready-scenario table is the one the model produces today."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("make_scenario_table", ROOT / "docs" / "make_scenario_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scenario_table_is_current():
    script = _script()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.updated_readme(text, script.table_markdown()) == text, \
        "README scenario table is stale: run python docs/make_scenario_table.py"


def test_table_has_one_row_per_ready_scenario():
    script = _script()
    rows = [line for line in script.table_markdown().splitlines() if line.startswith("| `")]
    ready = sorted(p.stem for p in (ROOT / "configs" / "scenarios").glob("*.toml"))
    assert sorted(r.split("`")[1] for r in rows) == ready
