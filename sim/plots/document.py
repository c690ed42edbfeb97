"""A report as a list of blocks (headings, paragraphs, lists, tables, figures), written twice:
as one self-contained HTML page and as a paginated, print-ready PDF.

Both renderings take the same blocks, so the PDF says everything the HTML page says.
The PDF has one paper size on every page (A4 or US Letter), a title block with the
report's subject, the sim version and the date on its first page, page numbers
("page 3 of 9") in the footer, figures scaled to the text width (or shrunk to fit
what is left of a page rather than leaving half a page empty), tables split across
pages with their header repeated, and text wrapped by measured width (not by a guessed
character count), so nothing runs off the edge.

Figures are embedded as the PNG files the report writes beside it (150 dpi at their
drawn size, about 250-300 dpi once scaled to the text width), unresampled.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

#: Paper sizes [in] (width, height), portrait.
PAPER_SIZES_IN = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}
MARGIN_IN = {"left": 0.75, "right": 0.75, "top": 0.7, "bottom": 0.85}
BODY_PT = 9.5
LINE_SPACING = 1.35
HEADING_PT = {1: 17.0, 2: 13.0, 3: 11.0}
TABLE_PT = 8.0
MIN_TABLE_PT = 6.0
CAPTION_PT = 8.0
#: A figure is shrunk to the rest of a page when it keeps at least this share of its height there.
SHRINK_TO_FIT = 0.55


# ----------------------------------------------------------------- blocks --
@dataclass
class Heading:
    """A section heading (``level``: HTML heading level) with an optional link anchor."""

    text: str
    level: int = 2
    anchor: str | None = None


@dataclass
class Paragraph:
    """A paragraph of text in one of the paragraph styles."""

    text: str
    style: str = "body"  # "body", "note" (small, grey) or "alert" (the disclaimer box)


@dataclass
class Bullets:
    """A bulleted list."""

    items: list[str]


@dataclass
class Table:
    """A table: header, rows of text, and the indices of right-aligned numeric columns."""

    header: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()


@dataclass
class Figure:
    """A saved figure (PNG path), its caption, name and drawn size [in]."""

    path: Path
    caption: str
    name: str
    size_in: tuple[float, float] = (10.0, 7.0)  # drawn size; sets the aspect and the HTML width


@dataclass
class Document:
    """A report: its title, a subtitle, meta lines for the title block, and its blocks in order."""

    title: str
    subtitle: str = ""
    meta: list[str] = field(default_factory=list)
    blocks: list = field(default_factory=list)


def check_paper(paper: str) -> str:
    """The paper key ('a4' or 'letter'), or a SimInputError naming the allowed values."""
    from ..errors import SimInputError

    key = str(paper).strip().lower()
    if key not in PAPER_SIZES_IN:
        raise SimInputError(f"paper = {paper!r} is not a known paper size; allowed: {', '.join(PAPER_SIZES_IN)}")
    return key


# ------------------------------------------------------------------- HTML --
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:1240px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45;font-size:16px}
h1{font-size:1.7em;margin-bottom:.1em} h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ddd}
h3{font-size:1.08em;margin-top:1.3em}
.subtitle{font-size:1.1em;color:#333;margin-top:0} .meta{color:#666;font-size:.85em}
.alert{border:2px solid #8B0000;background:#FFF4F0;color:#8B0000;padding:.6em 1em;font-weight:bold}
.note{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em} th,td{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top} th{background:#f0f0f0} td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.2em 0} figure img{max-width:100%;height:auto;border:1px solid #eee;display:block}
figcaption{font-size:.9em;color:#444;max-width:60em} li{margin:.2em 0}
"""


_NUM = ' class="num"'


def _html_table(block: Table) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in block.header)
    body = []
    for row in block.rows:
        cells = "".join(f"<td{_NUM if i in block.numeric else ''}>{html.escape(str(v))}</td>"
                        for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _html_block(block) -> str:
    if isinstance(block, str):  # raw HTML from older callers
        return block
    if isinstance(block, Heading):
        anchor = f' id="{html.escape(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{html.escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        cls = {"body": "", "note": ' class="note"', "alert": ' class="alert"'}[block.style]
        return f"<p{cls}>{html.escape(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in block.items) + "</ul>"
    if isinstance(block, Table):
        return _html_table(block)
    if isinstance(block, Figure):
        data = base64.b64encode(Path(block.path).read_bytes()).decode("ascii")
        # shown at its drawn size (96 px per inch), never wider than the page
        width = int(round(block.size_in[0] * 96))
        return (f'<figure id="{html.escape(block.name)}"><img alt="{html.escape(block.caption)}" '
                f'style="width:{width}px" src="data:image/png;base64,{data}"><figcaption>'
                f'{html.escape(block.caption)} (<code>{html.escape(Path(block.path).name)}</code>)'
                '</figcaption></figure>')
    raise TypeError(f"unknown report block {type(block).__name__}")


def to_html(doc: Document) -> str:
    """The whole report as one HTML page (figures embedded as base64; opens offline)."""
    page = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(doc.title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{html.escape(doc.title)}</h1>"]
    if doc.subtitle:
        page.append(f'<p class="subtitle">{html.escape(doc.subtitle)}</p>')
    page += [f'<p class="meta">{html.escape(line)}</p>' for line in doc.meta]
    page += [_html_block(b) for b in doc.blocks]
    page.append("</body></html>")
    return "\n".join(page)


# -------------------------------------------------------------------- PDF --
class _Measure:
    """Text widths [in] from matplotlib's own font metrics, so wrapping matches what is drawn."""

    def __init__(self):
        from matplotlib.backends.backend_agg import RendererAgg

        self._renderer = RendererAgg(100, 100, 72.0)  # 72 dpi: one pixel is one point
        self._props = {}
        self._widths: dict = {}

    def _prop(self, size: float, bold: bool):
        from matplotlib.font_manager import FontProperties

        key = (size, bold)
        if key not in self._props:
            self._props[key] = FontProperties(size=size, weight="bold" if bold else "normal")
        return self._props[key]

    def width_in(self, text: str, size: float, bold: bool = False) -> float:
        """Width [in] of ``text``: the sum of its words' widths (each measured once) and its spaces,
        plus 2 % for kerning, which the sum leaves out."""
        if not text:
            return 0.0
        words = text.split(" ")
        return 1.02 * (sum(self._word_in(w, size, bold) for w in words)
                       + (len(words) - 1) * self._word_in(" ", size, bold))

    def _word_in(self, word: str, size: float, bold: bool) -> float:
        key = (word, size, bold)
        if key not in self._widths:
            if not word:
                self._widths[key] = 0.0
            else:
                w, _, _ = self._renderer.get_text_width_height_descent(word, self._prop(size, bold), ismath=False)
                self._widths[key] = w / 72.0
        return self._widths[key]

    def wrap(self, text: str, width_in: float, size: float, bold: bool = False) -> list[str]:
        """Greedy word wrap to ``width_in``; explicit newlines are kept; a word longer than a line is cut."""
        lines: list[str] = []
        for para in str(text).split("\n"):
            words = para.split(" ")
            line = ""
            for word in words:
                trial = f"{line} {word}" if line else word
                if self.width_in(trial, size, bold) <= width_in:
                    line = trial
                    continue
                if line:
                    lines.append(line)
                while self.width_in(word, size, bold) > width_in and len(word) > 1:
                    cut = len(word)
                    while cut > 1 and self.width_in(word[:cut], size, bold) > width_in:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines


def _line_in(size: float) -> float:
    return size * LINE_SPACING / 72.0


class _Layout:
    """Places blocks on pages of one size; every op is in inches from the page's top-left corner."""

    def __init__(self, paper: str):
        self.page_w, self.page_h = PAPER_SIZES_IN[paper]
        self.x0 = MARGIN_IN["left"]
        self.width = self.page_w - MARGIN_IN["left"] - MARGIN_IN["right"]
        self.bottom = self.page_h - MARGIN_IN["bottom"]
        self.m = _Measure()
        self.pages: list[list[tuple]] = []
        self.new_page()

    # -- pages --
    def new_page(self):
        self.pages.append([])
        self.y = MARGIN_IN["top"]

    def room(self) -> float:
        return self.bottom - self.y

    def ensure(self, height: float):
        if height > self.room() and self.y > MARGIN_IN["top"] + 1e-9:
            self.new_page()

    def text(self, x, y, s, size, bold=False, color="#222222", ha="left", style="normal"):
        self.pages[-1].append(("text", x, y, s, size, bold, color, ha, style))

    # -- measurement of blocks (for keep-with-next) --
    def height_of(self, block) -> float:
        if isinstance(block, Heading):
            size = HEADING_PT.get(block.level, 11.0)
            return 0.18 + _line_in(size) * len(self.m.wrap(block.text, self.width, size, True)) + 0.06
        if isinstance(block, Paragraph):
            size = BODY_PT if block.style == "body" else CAPTION_PT + 0.5
            return _line_in(size) * len(self.m.wrap(block.text, self.width - 0.2, size)) + 0.12
        if isinstance(block, Bullets):
            return sum(_line_in(BODY_PT) * len(self.m.wrap(t, self.width - 0.25, BODY_PT)) for t in block.items) + 0.12
        if isinstance(block, Table):
            return _line_in(TABLE_PT) * 2 + 0.1  # at least the header and one row
        if isinstance(block, Figure):
            w, h = block.size_in
            return min(self.width * h / w, self.bottom - MARGIN_IN["top"]) * SHRINK_TO_FIT
        return 0.0

    # -- blocks --
    def heading(self, block: Heading, next_height: float):
        size = HEADING_PT.get(block.level, 11.0)
        lines = self.m.wrap(block.text, self.width, size, True)
        need = 0.18 + _line_in(size) * len(lines) + 0.06
        self.ensure(need + next_height)  # a heading never ends a page
        if self.y > MARGIN_IN["top"] + 1e-9:
            self.y += 0.18
        for line in lines:
            self.text(self.x0, self.y, line, size, bold=True, color="#111111")
            self.y += _line_in(size)
        if block.level <= 2:
            self.pages[-1].append(("rule", self.x0, self.y + 0.02, self.width))
        self.y += 0.08

    def paragraph(self, block: Paragraph):
        size = BODY_PT if block.style == "body" else CAPTION_PT + 0.5
        pad = 0.1 if block.style == "alert" else 0.0
        lines = self.m.wrap(block.text, self.width - 2 * pad - (0.2 if pad else 0.0), size, block.style == "alert")
        color = {"body": "#222222", "note": "#555555", "alert": "#8B0000"}[block.style]
        step = _line_in(size)
        if block.style == "alert":
            height = step * len(lines) + 2 * pad
            self.ensure(height + 0.1)
            self.pages[-1].append(("box", self.x0, self.y, self.width, height, "#8B0000", "#FFF4F0"))
            self.y += pad
        for line in lines:
            self.ensure(step)
            self.text(self.x0 + 1.5 * pad, self.y, line, size, bold=block.style == "alert", color=color)
            self.y += step
        self.y += pad + 0.1

    def bullets(self, block: Bullets):
        step = _line_in(BODY_PT)
        for item in block.items:
            lines = self.m.wrap(item, self.width - 0.25, BODY_PT)
            self.ensure(step * min(len(lines), 2))
            self.text(self.x0 + 0.06, self.y, "•", BODY_PT)
            for line in lines:
                self.ensure(step)
                self.text(self.x0 + 0.25, self.y, line, BODY_PT)
                self.y += step
            self.y += 0.03
        self.y += 0.08

    def _table_columns(self, block: Table) -> tuple[float, list[float]]:
        """Font size and column widths [in]: natural widths when they fit; otherwise every column keeps at
        least its longest word and the rest of the width goes to the columns in proportion to what their
        text needs (they wrap); the font shrinks only when even the longest words do not fit."""
        pad, slack = 0.08, 0.02
        cells = [block.header] + [[str(v) for v in r] for r in block.rows]
        ncol = len(block.header)
        size = TABLE_PT
        while True:
            natural = [max(max(self.m.width_in(part, size, r == 0) for part in str(row[i]).split("\n"))
                           for r, row in enumerate(cells)) + 2 * pad + slack for i in range(ncol)]
            if sum(natural) <= self.width:
                return size, natural
            minimum = [max(self.m.width_in(word, size, r == 0) for r, row in enumerate(cells)
                           for word in str(row[i]).replace("\n", " ").split(" ")) + 2 * pad + slack
                       for i in range(ncol)]
            if sum(minimum) <= self.width or size <= MIN_TABLE_PT:
                break
            size = max(MIN_TABLE_PT, size - 0.5)
        spare = max(self.width - sum(minimum), 0.0)
        need = [n - m for n, m in zip(natural, minimum)]
        total = sum(need) or 1.0
        return size, [m + spare * k / total for m, k in zip(minimum, need)]

    def table(self, block: Table):
        size, widths = self._table_columns(block)
        pad = 0.08
        step = _line_in(size)

        def cell_lines(row, bold):
            return [self.m.wrap(str(v), w - 2 * pad, size, bold) for v, w in zip(row, widths)]

        def draw_row(row, bold, shade):
            lines = cell_lines(row, bold)
            h = step * max(len(c) for c in lines) + 0.06
            x = self.x0
            self.pages[-1].append(("box", self.x0, self.y, sum(widths), h, "#CCCCCC", shade))
            for i, (cell, w) in enumerate(zip(lines, widths)):
                for k, line in enumerate(cell):
                    if i in block.numeric and not bold:
                        self.text(x + w - pad, self.y + 0.03 + k * step, line, size, ha="right")
                    else:
                        self.text(x + pad, self.y + 0.03 + k * step, line, size, bold=bold)
                x += w
                if i < len(widths) - 1:
                    self.pages[-1].append(("vline", x, self.y, h))
            self.y += h

        header_h = step * max(len(c) for c in cell_lines(block.header, True)) + 0.06
        first = sum(step * max(len(c) for c in cell_lines(r, False)) + 0.06 for r in block.rows[:3])
        self.ensure(header_h + first)  # never a header with fewer than three rows under it
        draw_row(block.header, True, "#F0F0F0")
        for row in block.rows:
            h = step * max(len(c) for c in cell_lines(row, False)) + 0.06
            if h > self.room():
                self.new_page()
                draw_row(block.header, True, "#F0F0F0")
            draw_row(row, False, "white")
        self.y += 0.15

    def figure(self, block: Figure):
        w_in, h_in = block.size_in
        cap_lines = self.m.wrap(block.caption, self.width, CAPTION_PT)
        cap_h = _line_in(CAPTION_PT) * len(cap_lines) + 0.08
        usable = self.bottom - MARGIN_IN["top"] - cap_h
        width = min(self.width, w_in)
        height = width * h_in / w_in
        if height > usable:  # taller than a page: scale to the page
            width, height = width * usable / height, usable
        avail = self.room() - cap_h - 0.05
        if height > avail:
            if avail >= SHRINK_TO_FIT * height:  # shrink into what is left rather than leave it empty
                width, height = width * avail / height, avail
            else:
                self.new_page()
        x = self.x0 + (self.width - width) / 2.0
        self.pages[-1].append(("image", x, self.y + 0.05, width, height, Path(block.path)))
        self.y += height + 0.1
        for line in cap_lines:
            self.text(self.x0, self.y, line, CAPTION_PT, color="#444444")
            self.y += _line_in(CAPTION_PT)
        self.y += 0.15

    def title_block(self, doc: Document):
        for line in self.m.wrap(doc.title, self.width, HEADING_PT[1], True):
            self.text(self.x0, self.y, line, HEADING_PT[1], bold=True, color="#111111")
            self.y += _line_in(HEADING_PT[1])
        for line in self.m.wrap(doc.subtitle, self.width, 11.0):
            self.text(self.x0, self.y, line, 11.0, color="#333333")
            self.y += _line_in(11.0)
        self.y += 0.05
        for meta in doc.meta:
            for line in self.m.wrap(meta, self.width, 8.5):
                self.text(self.x0, self.y, line, 8.5, color="#666666")
                self.y += _line_in(8.5)
        self.pages[-1].append(("rule", self.x0, self.y + 0.05, self.width))
        self.y += 0.2

    def place(self, doc: Document):
        self.title_block(doc)
        blocks = [b for b in doc.blocks if not isinstance(b, str)]  # raw HTML has no print form
        for i, block in enumerate(blocks):
            if isinstance(block, Heading):
                nxt = blocks[i + 1] if i + 1 < len(blocks) else None
                self.heading(block, self.height_of(nxt) if nxt is not None else 0.0)
            elif isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Bullets):
                self.bullets(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Figure):
                self.figure(block)
        if not self.pages[-1]:
            self.pages.pop()
        return self.pages


def write_pdf(doc: Document, path, paper: str = "a4", footer: str = "") -> int:
    """Write ``doc`` as a PDF of ``paper`` size ('a4' or 'letter') to ``path``; return the page count."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.patches import Rectangle
    from PIL import Image

    paper = check_paper(paper)
    layout = _Layout(paper)
    pages = layout.place(doc)
    pw, ph = layout.page_w, layout.page_h
    with PdfPages(path, metadata={"Title": doc.title, "Creator": "sim", "Subject": footer}) as pdf:
        for number, ops in enumerate(pages, start=1):
            fig = plt.figure(figsize=(pw, ph))
            for op in ops:
                kind = op[0]
                if kind == "text":
                    _, x, y, s, size, bold, color, ha, style = op
                    fig.text(x / pw, 1.0 - y / ph, s, fontsize=size, weight="bold" if bold else "normal",
                             color=color, ha=ha, va="top", style=style)
                elif kind == "rule":
                    _, x, y, w = op
                    fig.add_artist(plt.Line2D([x / pw, (x + w) / pw], [1 - y / ph] * 2, color="#BBBBBB", lw=0.6))
                elif kind == "vline":
                    _, x, y, h = op
                    fig.add_artist(plt.Line2D([x / pw] * 2, [1 - y / ph, 1 - (y + h) / ph], color="#CCCCCC", lw=0.5))
                elif kind == "box":
                    _, x, y, w, h, edge, face = op
                    fig.add_artist(Rectangle((x / pw, 1 - (y + h) / ph), w / pw, h / ph, transform=fig.transFigure,
                                             edgecolor=edge, facecolor=face, lw=0.6, zorder=-1))
                elif kind == "image":
                    _, x, y, w, h, img_path = op
                    with Image.open(img_path) as im:  # 8-bit RGB, read per page: memory stays at one image
                        pixels = np.asarray(im.convert("RGB"))
                    ax = fig.add_axes((x / pw, 1 - (y + h) / ph, w / pw, h / ph))
                    ax.imshow(pixels, interpolation="none", aspect="auto")
                    ax.set_axis_off()
            foot_y = 1.0 - (ph - 0.45) / ph
            fig.text(MARGIN_IN["left"] / pw, foot_y, doc.title, fontsize=7, color="#666666", ha="left", va="bottom")
            if footer:
                fig.text(0.5, foot_y - 0.16 / ph, footer, fontsize=7, color="#8B0000", ha="center", va="bottom")
            fig.text(1 - MARGIN_IN["right"] / pw, foot_y, f"page {number} of {len(pages)}", fontsize=7,
                     color="#666666", ha="right", va="bottom")
            pdf.savefig(fig)
            plt.close(fig)
    return len(pages)


__all__ = ["Document", "Heading", "Paragraph", "Bullets", "Table", "Figure", "to_html", "write_pdf",
           "check_paper", "PAPER_SIZES_IN"]
