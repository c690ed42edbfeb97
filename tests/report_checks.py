"""Checks of a written report (figures, HTML, PDF), shared by the report tests and the end-to-end
tests of every shipped scenario and sweep."""

import base64
import re
import struct
from pathlib import Path

import pytest

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCENARIO_FIGURES = ("compression", "foramen", "mechanics", "referred_pain", "body_chart_postures", "differential",
                    "timeline")
A4_PT = (595.44, 841.68)
LETTER_PT = (612.0, 792.0)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    """Width and height [pt] of every page of a PDF (from each page's MediaBox)."""
    pdf = path.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    assert len(boxes) == len(re.findall(rb"/Type\s*/Page\b", pdf)), "one MediaBox per page"
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def section_headings(page: str) -> list[str]:
    """Text of the report's sections (h2) in order."""
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)]


def check_report(outdir: Path, names, max_kb: int = 800, paper=A4_PT):
    """PNG files valid and > 600 px each way, HTML self-contained with every PNG embedded, the findings
    first and the appendix last, and a PDF whose every page has the same paper size."""
    for name in names:
        w, h = png_size(outdir / f"{name}.png")
        assert w > 600 and h > 600, (name, w, h)
        assert (outdir / f"{name}.png").stat().st_size < max_kb * 1024, name
    page = (outdir / "report.html").read_text(encoding="utf-8")
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == len(names)
    assert all(base64.b64decode(e)[:8] == PNG_MAGIC for e in embedded)
    assert not re.search(r'src="(?!data:)', page), "HTML must not link external files"
    assert "not a diagnostic device" in page
    assert "<pre>" not in page  # the summary is shown once, as text and tables
    heads = section_headings(page)
    assert heads[0] == "Findings" and heads[-1].startswith("Appendix"), heads
    pdf = (outdir / "report.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    sizes = pdf_page_sizes(outdir / "report.pdf")
    assert len(sizes) >= 1
    assert all(s == pytest.approx(paper, abs=0.5) for s in sizes), sizes
