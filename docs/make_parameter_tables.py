"""Regenerate the parameter tables of docs/scenario-format.md from sim/data/parameters.toml.

    python docs/make_parameter_tables.py          # rewrite the tables between the markers
    python docs/make_parameter_tables.py --check  # exit 1 if docs/scenario-format.md is out of date

One table per scenario section (``sim.params.SECTIONS``): key, unit, default, allowed range
or choices, source keys (``sim/data/sources.toml``) and the parameter's note.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))
from generated_part import replace_between, write_or_check  # noqa: E402

DOC = ROOT / "docs" / "scenario-format.md"
START = "<!-- parameter-tables:start (python docs/make_parameter_tables.py) -->"
END = "<!-- parameter-tables:end -->"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def tables_markdown() -> str:
    """One markdown table per section of the parameter table."""
    sys.path.insert(0, str(ROOT))
    from sim.params import SECTIONS, all_specs

    parts = []
    for section in SECTIONS:
        specs = [s for s in all_specs() if s.section == section]
        lines = [f"#### [{section}]", "", "| key | unit | default | allowed | source | meaning |",
                 "|---|---|---|---|---|---|"]
        for s in specs:
            if s.categorical:
                default, allowed = f'`"{s.default}"`', ", ".join(f'`"{c}"`' for c in s.choices)
            else:
                default, allowed = f"{s.default:g}", f"{s.min:g} – {s.max:g}"
            lines.append(f"| `{s.name}` | {_cell(s.unit) or '–'} | {default} | {allowed} | {_cell(s.source) or '–'} | "
                         f"{_cell(s.note)} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def updated_doc(text: str, body: str) -> str:
    """``text`` with the part between the markers replaced by ``body``."""
    return replace_between(text, START, END, body)


def main(argv: list[str]) -> int:
    return write_or_check(DOC, START, END, tables_markdown(), argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
