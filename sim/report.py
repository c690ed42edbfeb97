"""Plotted reports: one scenario (posture versus compression) or one sweep store (maps,
distributions, sensitivities), each as PNG figures, a self-contained ``report.html``
(images embedded as base64, opens offline) and ``report.pdf`` with the same figures.

``sim report SCENARIO.toml --out DIR`` and ``sim run SCENARIO.toml --report DIR``
call :func:`scenario_report`; ``sim report STORE.zarr --out DIR`` calls
:func:`sweep_report`.  Every report states that this is a research and teaching
model, not a diagnostic device.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import logging
from pathlib import Path

from .errors import SimInputError

log = logging.getLogger(__name__)

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:1180px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em} h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}
.disclaimer{border:2px solid #8B0000;background:#FFF4F0;color:#8B0000;padding:.6em 1em;font-weight:bold}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em} th,td{border:1px solid #ccc;padding:.25em .6em;
text-align:left} th{background:#f0f0f0} td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444} .meta{color:#666;font-size:.85em} pre{white-space:pre-wrap;font-size:.85em}
"""


# ------------------------------------------------------------ documents --
class _Report:
    """Collects figures (PNG + PDF page) and HTML sections, then writes report.html and report.pdf."""

    def __init__(self, outdir, title: str, label: str = ""):
        from matplotlib.backends.backend_pdf import PdfPages

        self.final = Path(outdir)
        self.outdir = _staging_dir(self.final)  # written here, moved into ``final`` only when complete
        self.title = title
        self.label = label  # stamped on every figure and caption (a partial store)
        self.sections: list[str] = []
        self.pngs: list[Path] = []
        self.pdf = PdfPages(self.outdir / "report.pdf", metadata={"Title": title, "Creator": "sim"})
        _OPEN_REPORTS.append(self)

    def abort(self) -> None:
        """Remove the half-built report; the previous output (or nothing) stays."""
        import shutil

        try:
            self.pdf.close()
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass
        shutil.rmtree(self.outdir, ignore_errors=True)

    def html(self, text: str):
        self.sections.append(text)

    def figure(self, fig, name: str, caption: str, pdf_first: bool = False):
        from .plots import style as st

        path = self.outdir / f"{name}.png"
        if self.label:
            fig.text(0.995, 0.995, self.label.upper(), ha="right", va="top", fontsize=9, color="#B00000",
                     fontweight="bold")
            caption = f"[{self.label}] {caption}"
        fig.savefig(path, dpi=st.DPI)
        self.pdf.savefig(fig)
        st.plt.close(fig)
        self.pngs.append(path)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        self.sections.append(f'<figure id="{html.escape(name)}"><img alt="{html.escape(caption)}" '
                             f'src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)} '
                             f'(<code>{html.escape(path.name)}</code>)</figcaption></figure>')
        return path

    def close(self) -> dict:
        from . import DISCLAIMER, __version__

        info = self.pdf.infodict()
        info["Subject"] = DISCLAIMER
        self.pdf.close()
        stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        page = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>",
                f"<h1>{html.escape(self.title)}</h1>",
                f'<p class="disclaimer">{html.escape(DISCLAIMER)}</p>',
                f'<p class="meta">sim {html.escape(__version__)}, generated {stamp}. '
                "The same figures are in report.pdf and as PNG files beside this page.</p>",
                *self.sections,
                f'<p class="disclaimer">{html.escape(DISCLAIMER)}</p>', "</body></html>"]
        (self.outdir / "report.html").write_text("\n".join(page), encoding="utf-8")
        _publish(self.outdir, self.final)
        _OPEN_REPORTS.remove(self)
        return {"html": self.final / "report.html", "pdf": self.final / "report.pdf",
                "png": [self.final / p.name for p in self.pngs]}


#: Reports being built; a failing report function aborts those it opened (see :func:`_whole_or_nothing`).
_OPEN_REPORTS: list = []


def _whole_or_nothing(func):
    """A report appears whole or not at all: on any failure, reports opened by ``func`` are removed."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        opened = len(_OPEN_REPORTS)
        try:
            return func(*args, **kwargs)
        except BaseException:
            while len(_OPEN_REPORTS) > opened:
                _OPEN_REPORTS.pop().abort()
            raise

    return wrapper


def _staging_dir(final: Path) -> Path:
    """A fresh directory beside ``final`` to build a report in; bad ``--out`` paths are one line."""
    import tempfile

    if final.exists() and not final.is_dir():
        raise SimInputError(f"--out {str(final)!r} is a file; give a directory for the report")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))
    except OSError as exc:
        raise SimInputError(f"--out {str(final)!r} cannot be written: {exc.strerror or exc}") from None


def _publish(staging: Path, final: Path) -> None:
    """Move a complete report into place: a rename of the directory, or file by file over an old report."""
    import os

    try:
        if not final.exists():
            staging.rename(final)
            return
        for path in staging.iterdir():
            os.replace(path, final / path.name)
        staging.rmdir()
    except OSError as exc:
        raise SimInputError(f"--out {str(final)!r} cannot be written: {exc.strerror or exc}") from None


def _table_html(header, rows, numeric=()) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = []
    for r in rows:
        cells = []
        for i, v in enumerate(r):
            cls = ' class="num"' if i in numeric else ""
            cells.append(f"<td{cls}>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# ------------------------------------------------------------- scenario --
@_whole_or_nothing
def scenario_report(scenario, frame=None, outdir="report") -> dict:
    """Write the report of one scenario into ``outdir``.

    Parameters
    ----------
    scenario : sim.scenario.Scenario
    frame : pandas.DataFrame, optional
        Its results (:func:`sim.simulate`); simulated in every scenario posture if omitted.
        Postures missing from it (a run limited by ``--posture``) are simulated for the
        report, so that every figure shows every posture of the scenario.
    outdir : str or Path

    Returns
    -------
    dict with ``html``, ``pdf`` (paths) and ``png`` (list of paths, one per figure):
    ``summary``, ``compression``, ``foramen``, ``mechanics``, ``referred_pain``,
    ``body_chart_postures``; beside them ``body_chart_<posture>.png`` for each posture.
    """
    from .bodychart import postures_figure, write_body_charts
    from .model import simulate
    from .plots import scenario_figures as sf
    from .referral import add_pain_columns, has_pain_columns, presentation_summary

    if frame is None or not set(scenario.postures) <= set(frame["posture"]):
        frame = simulate(scenario)
    if not has_pain_columns(frame):
        frame = add_pain_columns(frame)
    rep = _Report(outdir, f"sim scenario report: {scenario.name}")
    if scenario.description:
        rep.html(f"<p>{html.escape(scenario.description)}</p>")
    rep.html("<h2>Summary</h2>")
    rows = sf.changed_inputs(scenario)
    rep.html("<h3>Inputs that differ from the default parameter set</h3>" + (
        _table_html(["parameter", "value", "unit", "default"], rows, numeric=(1, 3)) if rows
        else "<p>None: default anatomy, no pathology.</p>"))
    table = sf.key_outputs(frame)
    rep.html("<h3>Key outputs by posture</h3>" + _table_html(
        ["posture", "L4 grade L/R", "L5 grade L/R", "L4 max pressure [kPa] (root or DRG)", "L5 max pressure [kPa]",
         "foraminal area [mm²] L/R", "IDP [MPa]", "peak pain [0-10]", "distribution L/R"],
        [[r["posture"], r["L4 grade L/R"], r["L5 grade L/R"], f"{r['L4 max kPa']:.2f}", f"{r['L5 max kPa']:.2f}",
          r["foramen area mm² L/R"], f"{r['IDP MPa']:.2f}", f"{r['peak pain']:.1f}", r["distribution L/R"]]
         for _, r in table.iterrows()], numeric=(3, 4, 6, 7)))
    rep.html("<h3>Posture signature and referred pain</h3><ul>" + "".join(
        f"<li>{html.escape(line)}</li>" for line in sf.signature_lines(frame)) + "</ul>"
        f"<pre>{html.escape(presentation_summary(frame))}</pre>")
    rep.figure(sf.summary_figure(scenario, frame), "summary", "Summary page (as in the PDF).")
    rep.html("<h2>Posture versus compression</h2>")
    rep.figure(sf.compression_figure(scenario, frame), "compression",
               "Contact pressure and deformation of the L4 root, the L4 dorsal root ganglion and the L5 root, "
               "by posture; left side solid, right side hatched; grade thresholds as horizontal lines.")
    rep.html("<h2>Foramen by posture</h2>")
    rep.figure(sf.foramen_figure(scenario), "foramen",
               "Foramen outline (upper chamber and stem) of each side in standing, sitting, flexion and extension, "
               "with the L4 ganglion (solid) and root (dashed) where the model places them.")
    rep.html("<h2>Segment and foramen</h2>")
    rep.figure(sf.mechanics_figure(scenario, frame), "mechanics",
               "Sagittal segment angle, intradiscal pressure, foraminal height and area by posture.")
    rep.html("<h2>Referred pain</h2>")
    rep.figure(sf.pain_figure(scenario, frame), "referred_pain",
               "Predicted referred pain (body chart, front and back) in the provoking and relieving postures.")
    charts = write_body_charts(frame, rep.outdir, scenario.name, comparison=False)
    rep.figure(postures_figure(frame, scenario.name), "body_chart_postures",
               "Predicted referred pain in every posture, one colour scale; one chart per posture at print "
               f"resolution beside this page ({', '.join(p.name for p in charts)}).")
    return rep.close()


# ---------------------------------------------------------------- sweeps --
def open_store(path):
    """Open a sweep store (zarr directory) as an xarray Dataset, or raise SimInputError."""
    import warnings

    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise SimInputError(f"sweep store {str(path)!r} does not exist; give a store written by 'sim sweep'")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return xr.open_zarr(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable store is a user error
        raise SimInputError(f"sweep store {str(path)!r} cannot be read as zarr ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''})") from None


def store_progress(ds) -> tuple[int, int]:
    """(chunks written, chunks in all) of a sweep store; a Dataset without done markers counts as complete."""
    import numpy as np

    if "chunk_done" not in ds:
        return 1, 1
    done = np.asarray(ds["chunk_done"].values) == 1
    return int(done.sum()), int(done.size)


def written_part(ds):
    """Only the computed part of a partial store: for a population the samples written (so ``n`` is the
    number computed); a grid keeps its shape, unwritten points read as missing (NaN)."""
    import numpy as np

    from .plots import sweep_figures as wf

    ds = wf.pool_grid(ds)
    if wf.store_kind(ds) != "population":
        return ds
    probe = ds["l4_pressure_kpa"]
    written = np.isfinite(np.asarray(probe.transpose(wf.SAMPLE_DIM, ...).values)).reshape(ds.sizes[wf.SAMPLE_DIM], -1)
    return ds.isel({wf.SAMPLE_DIM: np.flatnonzero(written.any(axis=1))})


@_whole_or_nothing
def sweep_report(store, outdir="report", title: str | None = None, allow_partial: bool = False) -> dict:
    """Write the report of a sweep store (path or xarray Dataset) into ``outdir``.

    A grid sweep (one dimension per swept parameter) gets heat maps of L4 and L5
    pressure over two swept parameters for each posture, with the grade
    thresholds as contours, and maps of the grade. A population (``sample``
    dimension) gets the distribution of each output by posture, the share of the
    population in each grade and each pain distribution by posture, and the
    sensitivity ranking (standardised rank regression coefficients); a
    population repeated over a grid is reported pooled over the grid points.

    An incomplete store (a killed sweep) is refused unless ``allow_partial``;
    then every figure and caption says how many chunks it covers, and the
    population counts only the individuals computed.

    Returns
    -------
    dict with ``html``, ``pdf`` and ``png`` (list of paths).

    Raises
    ------
    SimInputError
        Unreadable or incomplete store, or an ``outdir`` that cannot be written.
    """
    from .plots import sweep_figures as wf

    ds = open_store(store) if isinstance(store, (str, Path)) else store
    name = title or (Path(store).name if isinstance(store, (str, Path)) else ds.attrs.get("name", "sweep"))
    done, total = store_progress(ds)
    label = ""
    if done < total:
        where = str(store) if isinstance(store, (str, Path)) else "the sweep store"
        if not allow_partial:
            sweep_file = ds.attrs.get("sweep_file") or "SWEEP.toml"
            raise SimInputError(f"{where} is incomplete: {done} of {total} chunks written; run sim sweep "
                                f"{sweep_file} --out {where} --resume (or report it with --allow-partial)")
        label = f"partial store: {done} of {total} chunks written"
        ds = written_part(ds)
    ds = wf.pool_grid(ds)
    kind = wf.store_kind(ds)
    rep = _Report(outdir, f"sim sweep report: {name}" + (f" ({label})" if label else ""), label)
    if label:
        rep.html(f'<p class="disclaimer">This report covers {done} of {total} chunks of the sweep: the store '
                 "is incomplete (a sweep that was stopped); every number below counts only what was computed."
                 "</p>")
    rows = wf.store_summary(ds)
    if label:
        rows.insert(0, ("chunks written", f"{done} of {total} (partial)"))
    rep.html("<h2>Store</h2>" + _table_html(["item", "value"], rows))
    for fig_name, caption, fig, extra in wf.sweep_figures(ds):
        if extra:
            rep.html(extra)
        rep.figure(fig, fig_name, caption)
    log.info("sweep report (%s) written to %s", kind, outdir)
    return rep.close()


# ---------------------------------------------------------------- entry --
def write_report(source, out, overrides=None, allow_partial: bool = False) -> dict:
    """Write the report of a scenario file (``.toml``) or a sweep store into ``out``.

    Parameters
    ----------
    source : str or Path
        A scenario file or a sweep store written by ``sim sweep``.
    out : str or Path
        Output directory.
    overrides : list of "section.key=value", optional
        Scenario overrides (``--set``); not allowed for a sweep store.
    allow_partial : bool
        Report an incomplete sweep store (labelled as such) instead of refusing it.

    Returns
    -------
    dict with ``html``, ``pdf`` and ``png`` (paths).

    Raises
    ------
    SimInputError
        Unknown source kind, overrides given for a store, or bad scenario input.
    """
    source_path = Path(source)
    overrides = list(overrides or [])
    text = str(source).rstrip("/\\")
    if text.endswith(".toml"):
        from .model import simulate
        from .scenario import load_scenario

        scenario = load_scenario(source_path, overrides)
        return scenario_report(scenario, simulate(scenario), out)
    if text.endswith(".zarr") or source_path.is_dir():
        if overrides:
            raise SimInputError("--set applies to a scenario (.toml), not to a sweep store; drop it")
        return sweep_report(source_path, out, allow_partial=allow_partial)
    raise SimInputError(f"report source {str(source)!r} is neither a scenario (.toml) "
                        "nor a sweep store (directory or .zarr)")


__all__ = ["scenario_report", "sweep_report", "write_report", "open_store", "store_progress"]
