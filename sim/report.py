"""Plotted reports: one scenario (posture versus compression) or one sweep store (maps,
distributions, sensitivities), each as PNG figures, a self-contained ``report.html``
(images embedded as base64, opens offline) and a print-ready ``report.pdf`` (A4 or US
Letter on every page, page numbers) with the same text and figures. Every report opens with
its findings in sentences with numbers (:mod:`sim.findings`) and ends with an appendix of
its inputs; :mod:`sim.plots.document` lays the same blocks out as HTML and as PDF pages.

``sim report SCENARIO.toml --out DIR`` and ``sim run SCENARIO.toml --report DIR``
call :func:`scenario_report`; ``sim report STORE.zarr --out DIR`` calls
:func:`sweep_report`.  Every report states that this is a research and teaching
model, not a diagnostic device.
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path

from .errors import SimInputError

log = logging.getLogger(__name__)

# ------------------------------------------------------------ documents --
class _Report:
    """Collects report blocks and figures, then writes report.html and report.pdf from the same blocks.

    Figures are saved as PNG beside the report when added; the HTML page (figures embedded)
    and the paginated PDF (:mod:`sim.plots.document`) are written by :meth:`close`.
    """

    def __init__(self, outdir, title: str, subtitle: str = "", paper: str = "a4", label: str = ""):
        from .plots.document import Document, check_paper

        self.paper = check_paper(paper)
        self.final = Path(outdir)
        self.outdir = _staging_dir(self.final)  # written here, moved into ``final`` only when complete
        self.title = title
        self.label = label  # stamped on every figure and caption (a partial store)
        self.doc = Document(title=title, subtitle=subtitle)
        self.pngs: list[Path] = []
        _OPEN_REPORTS.append(self)

    def abort(self) -> None:
        """Remove the half-built report; the previous output (or nothing) stays."""
        import shutil

        shutil.rmtree(self.outdir, ignore_errors=True)

    def html(self, text: str):
        """Raw HTML (shown in the page only; prefer the typed blocks, which also print)."""
        self.doc.blocks.append(text)

    def heading(self, text: str, level: int = 2, anchor: str | None = None):
        from .plots.document import Heading

        self.doc.blocks.append(Heading(text, level, anchor))

    def paragraph(self, text: str, style: str = "body"):
        from .plots.document import Paragraph

        if text:
            self.doc.blocks.append(Paragraph(text, style))

    def bullets(self, items):
        from .plots.document import Bullets

        items = [i for i in items if i]
        if items:
            self.doc.blocks.append(Bullets(list(items)))

    def table(self, header, rows, numeric=()):
        from .plots.document import Table

        self.doc.blocks.append(Table(list(header), [list(r) for r in rows], tuple(numeric)))

    def figure(self, fig, name: str, caption: str, pdf_first: bool = False):
        from .plots import style as st
        from .plots.document import Figure

        path = self.outdir / f"{name}.png"
        if self.label:
            fig.text(0.995, 0.995, self.label.upper(), ha="right", va="top", fontsize=9, color="#B00000",
                     fontweight="bold")
            caption = f"[{self.label}] {caption}"
        size = tuple(float(v) for v in fig.get_size_inches())
        fig.savefig(path, dpi=st.DPI)
        st.plt.close(fig)
        self.pngs.append(path)
        self.doc.blocks.append(Figure(path, caption, name, size))
        return path

    def close(self) -> dict:
        from .about import DISCLAIMER, __version__
        from .plots.document import to_html, write_pdf

        stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        self.doc.meta = [f"sim {__version__}, generated {stamp}. The same content is in report.pdf "
                         f"({self.paper.upper() if self.paper == 'a4' else 'US Letter'}) and the figures are PNG "
                         "files beside this page."]
        self.doc.blocks.insert(0, _disclaimer_block(DISCLAIMER))
        self.doc.blocks.append(_disclaimer_block(DISCLAIMER))
        write_pdf(self.doc, self.outdir / "report.pdf", self.paper, footer=DISCLAIMER)
        (self.outdir / "report.html").write_text(to_html(self.doc), encoding="utf-8")
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


def _disclaimer_block(text: str):
    from .plots.document import Paragraph

    return Paragraph(text, "alert")


# ------------------------------------------------------------- scenario --
FINDINGS = "Findings"
APPENDIX = "Appendix: inputs"


def _key_output_rows(frame):
    """Header and rows of the key-outputs table (one row per posture; L4 root and ganglion side by side)."""
    from .plots import scenario_figures as sf
    from .plots import style as st

    table = sf.key_outputs(frame)
    header = ["posture", "L4 grade L/R", "L4 root max [kPa]", "L4 ganglion max [kPa]", "L5 grade L/R",
              "L5 max [kPa]", "foraminal area L/R [mm²]", "IDP [MPa]", "peak pain [0-10]", "distribution L/R"]
    rows = [[st.posture_label(r["posture"]), r["L4 grade L/R"], f"{r['L4 root kPa']:.2f}", f"{r['L4 DRG kPa']:.2f}",
             r["L5 grade L/R"], f"{r['L5 max kPa']:.2f}", r["foramen area mm² L/R"], f"{r['IDP MPa']:.2f}",
             f"{r['peak pain']:.1f}", r["distribution L/R"]] for _, r in table.iterrows()]
    return header, rows, (2, 3, 5, 7, 8)


def _all_input_rows(scenario):
    """(parameter, value, unit, default, source) of every input of the scenario."""
    from .params import defaults, spec_map

    base, specs = defaults(), spec_map()
    rows = []
    for key in sorted(scenario.values):
        v = scenario.values[key]
        spec = specs.get(key)
        fmt = (lambda x: f"{x:g}" if isinstance(x, float) else str(x))  # noqa: E731
        rows.append([key, fmt(v), getattr(spec, "unit", "") or "", fmt(base[key]) if key in base else "",
                     str(getattr(spec, "source", "") or "")])
    return rows


def _scenario_findings_blocks(rep: _Report, scenario, frame) -> None:
    """The findings section: what was simulated, what is compressed, posture pattern, pain, spine vs hip."""
    from .plots.findings import scenario_findings

    f = scenario_findings(scenario, frame)
    rep.heading(FINDINGS, anchor="findings")
    rep.paragraph(" ".join(f["what"]))
    rep.heading("Compression", 3)
    rep.bullets(f["compression"])
    rep.heading("Posture signature", 3)
    rep.bullets(f["posture"])
    rep.heading("Referred pain", 3)
    rep.bullets(f["pain"])
    rep.paragraph(f["spine_vs_hip"])


def _scenario_appendix_blocks(rep: _Report, scenario) -> None:
    from .plots import scenario_figures as sf
    from .plots import style as st

    rep.heading(APPENDIX, anchor="appendix")
    rows = sf.changed_inputs(scenario)
    rep.heading("Inputs that differ from the default parameter set", 3)
    if rows:
        rep.table(["parameter", "value", "unit", "default"], rows, numeric=(1, 3))
    else:
        rep.paragraph("None: default anatomy, no pathology.")
    rep.heading("Grades", 3)
    th = st.grade_thresholds(scenario.values)
    rep.paragraph("A root's grade is the worse of its pressure grade and its flattening grade: mild from "
                  + ", moderate from ".join(f"{th['pressure_mmhg'][g]:g} mmHg ({th['pressure_kpa'][g]:.1f} kPa) or "
                                            f"{th['deformation_pct'][g]:g} %" for g in ("mild", "moderate"))
                  + f", severe from {th['pressure_mmhg']['severe']:g} mmHg ({th['pressure_kpa']['severe']:.1f} kPa) "
                  f"or {th['deformation_pct']['severe']:g} % (Olmarker 1989, Pedowitz 1992, Lee 2010); contact when "
                  "the perineural fat rim is gone. The L4 grade is the worse of the root and its ganglion.")
    rep.heading("Every input of this scenario", 3)
    rep.table(["parameter", "value", "unit", "default", "source"], _all_input_rows(scenario), numeric=(1, 3))


@_whole_or_nothing
def scenario_report(scenario, frame=None, outdir="report", paper: str = "a4") -> dict:
    """Write the report of one scenario into ``outdir``.

    The report opens with its findings (what was simulated; which root is squeezed most,
    where and how hard; which postures provoke and relieve; where the pain goes; spine
    versus hip), then the key outputs by posture, the figures, and an appendix with the
    inputs. HTML and PDF carry the same text.

    Parameters
    ----------
    scenario : sim.scenario.Scenario
    frame : pandas.DataFrame, optional
        Its results (:func:`sim.simulate`); simulated in every scenario posture if omitted.
        Postures missing from it (a run limited by ``--posture``) are simulated for the
        report, so that every figure shows every posture of the scenario.
    outdir : str or Path
    paper : {'a4', 'letter'}
        Page size of ``report.pdf`` (every page the same).

    Returns
    -------
    dict with ``html``, ``pdf`` (paths) and ``png`` (list of paths, one per figure):
    ``compression``, ``foramen``, ``mechanics``, ``referred_pain``,
    ``body_chart_postures``, ``differential``, ``timeline``; beside them ``body_chart_<posture>.png`` for each posture.
    """
    from .bodychart import postures_figure, write_body_charts
    from .engine import simulate
    from .plots import scenario_figures as sf
    from .referral import add_pain_columns, has_pain_columns

    if frame is None or not set(scenario.postures) <= set(frame["posture"]):
        frame = simulate(scenario)
    if not has_pain_columns(frame):
        frame = add_pain_columns(frame)
    rep = _Report(outdir, f"Scenario report: {scenario.name}", scenario.description or "", paper=paper)
    _scenario_findings_blocks(rep, scenario, frame)
    rep.heading("Key outputs by posture")
    header, rows, numeric = _key_output_rows(frame)
    rep.table(header, rows, numeric)
    rep.paragraph("L/R: left/right side. L4 root and ganglion maxima over both sides; the L4 grade is the worse "
                  "of the two. 1 kPa = 7.5 mmHg.", "note")
    rep.heading("Posture versus compression")
    rep.figure(sf.compression_figure(scenario, frame), "compression",
               "Contact pressure and deformation of the L4 root, the L4 dorsal root ganglion and the L5 root, "
               "by posture; left side solid, right side hatched; grade thresholds as horizontal lines.")
    rep.heading("Foramen by posture")
    rep.figure(sf.foramen_figure(scenario, frame=frame), "foramen",
               "Foramen of each side in standing, sitting, flexion and extension: the bounding structures, "
               "the disc bulge and any herniation, and the L4 ganglion and root at the least-squeezed place the "
               "model finds for them.")
    rep.heading("Segment and foramen")
    rep.figure(sf.mechanics_figure(scenario, frame), "mechanics",
               "Sagittal segment angle, intradiscal pressure (with the in vivo values of Wilke 1999), foraminal "
               "height and area by posture.")
    rep.heading("Referred pain")
    rep.figure(sf.pain_figure(scenario, frame), "referred_pain",
               "Predicted referred pain (body chart, front and back) in the provoking and relieving postures.")
    charts = write_body_charts(frame, rep.outdir, scenario.name, comparison=False)
    rep.figure(postures_figure(frame, scenario.name), "body_chart_postures",
               "Predicted referred pain in every posture, one colour scale; one chart per posture at print "
               f"resolution beside this page ({charts[0].name} ... {charts[-1].name}).")
    from .plots.differential_figures import add_differential_section

    add_differential_section(rep, scenario)  # issue 15: spine or hip
    if scenario.interventions or any(k.startswith("intervention.") for k in scenario.changed()):
        _intervention_blocks(rep, scenario)
    _timeline_block(rep, scenario)
    _scenario_appendix_blocks(rep, scenario)
    return rep.close()


def _intervention_blocks(rep: _Report, scenario) -> None:
    """Before and after the scenario's interventions: a table and one figure per posture."""
    from .compare import compare
    from .plots.intervention_figures import before_after_figure

    frame = compare(scenario)
    names = ", ".join(n for n, _ in scenario.interventions) or "intervention.* values"
    rep.heading("Before and after surgery")
    rep.paragraph(f"The same scenario before and after {names} (applied in the fixed surgical order of "
                  "docs/interventions.md); every other input unchanged.")
    idx = frame.set_index(["stage", "posture", "side"])
    rows = []
    for posture in scenario.postures:
        for side in ("left", "right"):
            b, a = idx.loc[("before", posture, side)], idx.loc[("after", posture, side)]
            # "before→after" as one word: a narrow column then never splits a pair over lines
            rows.append([posture, side] + [f"{b[q]:.1f}\u2192{a[q]:.1f}" for q in (
                "foraminal_height_mm", "foraminal_area_mm2", "lateral_recess_depth_mm", "canal_area_mm2",
                "l4_drg_pressure_kpa", "l5_pressure_kpa")] + [f"{b['l5_grade']}\u2192{a['l5_grade']}"])
    rep.table(["posture", "side", "foramen height mm", "foramen area mm²", "recess mm", "canal area mm²", "L4 DRG kPa",
               "L5 kPa", "L5 grade"], rows, numeric=(2, 3, 4, 5, 6, 7))
    for posture in scenario.postures:
        rep.figure(before_after_figure(scenario, frame, posture), f"before_after_{posture}",
                   f"{posture}: foramen outline and L4 ganglion before (grey, dashed) and after (blue) on each side, "
                   "and the contact pressures of the L4 root, L4 ganglion and L5 root before and after.")


def _timeline_block(rep, scenario) -> None:
    """Symptoms against time: a level walk, then rest seated (sim.symptom_timeline.REPORT_SCHEDULE)."""
    from .plots.timeline_figure import timeline_figure
    from .symptom_timeline import REPORT_SCHEDULE, timeline

    result = timeline(scenario, REPORT_SCHEDULE, step_min=0.1)
    rep.heading("Symptoms against time")
    plan = ", then ".join(f"{a.replace('_', ' ')} {m:g} min" for a, m in REPORT_SCHEDULE)
    rep.figure(timeline_figure(result), "timeline",
               f"Pain per region while {plan} (claudication model, docs/timeline.md): first symptoms when a root's "
               f"pain reaches {result['onset_pain']:g}/10, stop at {result['stop_pain']:g}/10. "
               f"Same with 'sim timeline {Path(scenario.path).name if scenario.path else 'SCENARIO'} "
               "--activity walking --minutes 20 --then sitting --minutes 5'.")


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


def sweep_title(ds, store=None) -> tuple[str, str]:
    """(title, subtitle) of a sweep report: the sweep's name and description, else the store's file name."""
    name = ds.attrs.get("title") or ds.attrs.get("name")
    if not name:
        name = Path(store).name if isinstance(store, (str, Path)) else "sweep"
    return f"Sweep report: {name}", str(ds.attrs.get("description", ""))


def _store_appendix_blocks(rep: _Report, ds, done: int, total: int) -> None:
    """Appendix: the store's shape, swept and sampled parameters, and every attribute (the inputs)."""
    from .plots import sweep_figures as wf

    rep.heading("Appendix: store and inputs", anchor="appendix")
    rows = [list(r) for r in wf.store_summary(ds)]
    if done < total:
        rows.insert(0, ["chunks written", f"{done} of {total} (partial)"])
    rep.table(["item", "value"], rows)


def _sweep_findings_blocks(rep: _Report, findings: dict) -> None:
    rep.heading(FINDINGS, anchor="findings")
    rep.paragraph(" ".join(findings["what"]))
    if findings.get("worst"):
        rep.heading("Which posture is worst", 3)
        rep.bullets(findings["worst"] + findings.get("shares", []))
    for lead, sentences in findings.get("onsets", {}).values():
        rep.heading(f"Where each grade begins: {lead.split(',')[0]}", 3)
        rep.paragraph(lead)
        rep.bullets(sentences)
    if findings.get("grades"):
        rep.heading("Grades in the population", 3)
        rep.bullets(findings["grades"])
    if findings.get("distribution"):
        rep.heading("Pain distribution", 3)
        rep.bullets(findings["distribution"])
    if findings.get("drivers"):
        rep.heading("Parameters that matter most", 3)
        rep.bullets(findings["drivers"])


def store_progress(ds) -> tuple[int, int]:
    """(chunks written, chunks in all) of a sweep store; a Dataset without done markers counts as complete."""
    import numpy as np

    if "chunk_done" not in ds:
        return 1, 1
    done = np.asarray(ds["chunk_done"].values) == 1
    return int(done.sum()), int(done.size)


def written_part(ds):
    """Only the computed part of a partial store (pooled over any grid, :func:`pool_grid`): for a population
    the samples written (so ``n`` is the number computed); a grid keeps its shape, unwritten points read as
    missing (NaN)."""
    import numpy as np

    from .plots import sweep_figures as wf

    if wf.store_kind(ds) != "population":
        return ds
    probe = ds["l4_pressure_kpa"]
    written = np.isfinite(np.asarray(probe.transpose(wf.SAMPLE_DIM, ...).values)).reshape(ds.sizes[wf.SAMPLE_DIM], -1)
    return ds.isel({wf.SAMPLE_DIM: np.flatnonzero(written.any(axis=1))})


@_whole_or_nothing
def sweep_report(store, outdir="report", title: str | None = None, paper: str = "a4",
                 progress: bool | None = None, allow_partial: bool = False) -> dict:
    """Write the report of a sweep store (path or xarray Dataset) into ``outdir``.

    It opens with the findings in sentences (what was swept over which postures; for a grid,
    which posture is worst and where each grade begins on the map; for a population, the
    share of people in each grade and pain distribution and the parameters that matter
    most), then the figures, and ends with an appendix of the store's attributes (every
    input). A grid sweep gets heat maps of L4 and L5 pressure and grade over two swept
    parameters for each posture; a population (``sample`` dimension) gets the distribution
    of each output by posture, the shares by grade and distribution, and the sensitivity
    ranking (standardised rank regression coefficients). A population store is read in
    chunks (memory stays flat), with a progress bar on stderr. A population repeated over
    a grid is reported pooled over the grid points.

    An incomplete store (a killed sweep) is refused unless ``allow_partial``; then every
    figure and caption says how many chunks it covers, and the population counts only the
    individuals computed.

    Parameters
    ----------
    store : str, Path or xarray.Dataset
    outdir : str or Path
    title : str, optional
        Overrides the title taken from the sweep's name.
    paper : {'a4', 'letter'}
        Page size of ``report.pdf``.
    progress : bool or None
        Progress bar on stderr while a population store is read; None: only on a terminal.

    allow_partial : bool
        Report an incomplete store (labelled as such) instead of refusing it.

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
    done, total = store_progress(ds)
    label = ""
    if done < total:
        where = str(store) if isinstance(store, (str, Path)) else "the sweep store"
        if not allow_partial:
            sweep_file = ds.attrs.get("sweep_file") or "SWEEP.toml"
            raise SimInputError(f"{where} is incomplete: {done} of {total} chunks written; run sim sweep "
                                f"{sweep_file} --out {where} --resume (or report it with --allow-partial)")
        label = f"partial store: {done} of {total} chunks written"
    ds = wf.pool_grid(ds)  # after reading the done markers, which pooling drops
    if label:
        ds = written_part(ds)
    heading, subtitle = sweep_title(ds, store)
    kind = wf.store_kind(ds)
    rep = _Report(outdir, (title or heading) + (f" ({label})" if label else ""), subtitle, paper=paper, label=label)
    if label:
        rep.paragraph(f"This report covers {done} of {total} chunks of the sweep: the store is incomplete (a sweep "
                      "that was stopped); every number below counts only what was computed.", "alert")
    figures, findings = wf.sweep_figures_and_findings(ds, progress=progress)
    _sweep_findings_blocks(rep, findings)
    for fig_name, caption, fig, section, table in figures:
        if section:
            rep.heading(section)
        if table:
            rep.paragraph("Parameters ranked by mean |SRRC| over postures (L4 and L5 contact pressure, worse side).")
            rep.table(*table, numeric=(0, 2, 3))
        rep.figure(fig, fig_name, caption)
    _store_appendix_blocks(rep, ds, done, total)
    log.info("sweep report (%s) written to %s", kind, outdir)
    return rep.close()


# ---------------------------------------------------------------- entry --
def write_report(source, out, overrides=None, allow_partial: bool = False, paper: str = "a4") -> dict:
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
    paper : {'a4', 'letter'}
        Page size of ``report.pdf``.

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
        from .engine import simulate
        from .scenario import load_scenario

        scenario = load_scenario(source_path, overrides)
        return scenario_report(scenario, simulate(scenario), out, paper=paper)
    if text.endswith(".zarr") or source_path.is_dir():
        if overrides:
            raise SimInputError("--set applies to a scenario (.toml), not to a sweep store; drop it")
        return sweep_report(source_path, out, paper=paper, allow_partial=allow_partial)
    raise SimInputError(f"report source {str(source)!r} is neither a scenario (.toml) "
                        "nor a sweep store (directory or .zarr)")


__all__ = ["scenario_report", "sweep_report", "write_report", "open_store", "store_progress"]
