"""Regenerate the table of every result in docs/results.md from sim/data/outputs.toml.

    python docs/make_results_table.py          # rewrite the table between the markers
    python docs/make_results_table.py --check  # exit 1 if docs/results.md is out of date

Rows: the record columns and the contract results in record order (``sim.records.RECORD_COLUMNS``),
then the other outputs in the order of the kernel's row, then the quantities figures derive.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))
from generated_part import replace_between, write_or_check  # noqa: E402

DOC = ROOT / "docs" / "results.md"
START = "<!-- results-table:start (python docs/make_results_table.py) -->"
END = "<!-- results-table:end -->"


def table_markdown() -> str:
    """The markdown table of every declared result."""
    sys.path.insert(0, str(ROOT))
    from sim.outputs import UNIT_DISPLAY, output_specs
    from sim.records import RECORD_COLUMNS

    specs = output_specs()
    order = list(RECORD_COLUMNS) + [n for n in specs if n not in RECORD_COLUMNS]
    lines = ["| name | unit | meaning |", "|---|---|---|"]
    for name in order:
        spec = specs[name]
        unit = UNIT_DISPLAY.get(spec.unit, spec.unit)
        where = " (derived, figures)" if spec.group == "derived" else ""
        lines.append(f"| `{name}` | {unit} | {spec.meaning}{where} |")
    return "\n".join(lines)


def updated_doc(text: str, body: str) -> str:
    """``text`` with the part between the markers replaced by ``body``."""
    return replace_between(text, START, END, body)


def main(argv: list[str]) -> int:
    return write_or_check(DOC, START, END, table_markdown(), argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
