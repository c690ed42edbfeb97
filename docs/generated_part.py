"""The one way a generated part of a document is replaced and checked (used by the docs/make_*.py scripts).

A generated part sits between two marker comments; ``--check`` exits 1 when the document is out of date.
"""

from __future__ import annotations

from pathlib import Path


def replace_between(text: str, start: str, end: str, body: str) -> str:
    """``text`` with the part between the markers ``start`` and ``end`` replaced by ``body``."""
    if start not in text or end not in text:
        raise SystemExit(f"no generated-part markers ({start} ... {end})")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def write_or_check(doc: Path, start: str, end: str, body: str, argv: list[str]) -> int:
    """Rewrite the generated part of ``doc`` (or, with ``--check`` in ``argv``, return 1 if it is stale)."""
    text = doc.read_text(encoding="utf-8")
    new = replace_between(text, start, end, body)
    if "--check" in argv:
        return 0 if new == text else 1
    doc.write_text(new, encoding="utf-8")
    return 0
