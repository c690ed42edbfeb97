"""Body pain chart: front and back views with the nine referral regions filled by pain 0-10.

The outline and region polygons are packaged data (``sim/data/body_chart.json``,
schematic, drawn for sim). Colours: ColorBrewer 'YlOrRd' (sequential,
colour-blind safe), 0-10 with a colour bar. Side convention, as on clinical
pain drawings: in the front view the patient's left is on the viewer's right;
in the back view the patient's left is on the viewer's left; every leg is
labelled L or R.

matplotlib runs on the Agg backend (no display needed); figures are written
at 300 dpi.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .referral import PAIN_OUTPUTS, REGIONS, add_pain_columns, has_pain_columns

CMAP = "YlOrRd"
PAIN_RANGE = (0.0, 10.0)
#: Pain below this (0-10) is drawn as no pain (white): it rounds to 0.0 in every table.
NO_PAIN = 0.05
DPI = 300
BACK_OFFSET = 95.0  # x offset of the back view from the front view (chart units)
_DISCLAIMER = "Research and teaching model; not a diagnostic device."


@lru_cache(maxsize=None)
def body_chart_data() -> dict:
    """Outlines and region polygons of ``sim/data/body_chart.json``."""
    text = resources.files("sim.data").joinpath("body_chart.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if tuple(data["regions"]) != REGIONS:
        raise ValueError("body_chart.json regions differ from sim.referral.REGIONS")
    return data


def _matplotlib():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return matplotlib, plt


def _pain_value(pain: dict, region: str) -> float:
    v = pain.get(region, pain.get("pain_" + region, 0.0))
    v = float(v) if v is not None else 0.0
    return v if np.isfinite(v) else 0.0


#: How to read a chart: sides, and why the torso and arms are grey.
ORIENTATION_NOTE = ("front: patient's left on viewer's right; back: patient's left on viewer's left")
TERRITORY_NOTE = ("coloured: the nine L4/L5 referral regions (buttock, hip, groin, thigh, knee and leg, foot); "
                  "white: no predicted pain; grey torso and arms: outside the L4/L5 territory, not modelled")


def draw_body_chart(pain_left: dict, pain_right: dict, ax=None, title: str | None = "Predicted referred pain",
                    colorbar: bool = True, annotate: bool = True, fontsize: float = 8.0, notes: bool = True):
    """Draw front and back views with regions filled by pain intensity.

    Parameters
    ----------
    pain_left, pain_right : dict
        Pain 0-10 per region for the patient's left and right side; keys are
        region names (``"groin"``) or result columns (``"pain_groin"``); missing
        regions count as 0.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure (6 x 5.2 in) is made when omitted.
    title : str or None
    colorbar : bool
        Add a 0-10 colour bar.
    annotate : bool
        Print the value in regions with pain >= 1.
    notes : bool
        Print under the chart how to read it (sides; grey torso and arms are not modelled).
        Figures of several charts print it once instead.

    Returns
    -------
    matplotlib.axes.Axes
    """
    matplotlib, plt = _matplotlib()
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Polygon

    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 5.2))
    data = body_chart_data()
    # regions without predicted pain are white, so that the palest colour still means some pain
    cmap = matplotlib.colormaps[CMAP].with_extremes(bad="#ffffff")
    norm = matplotlib.colors.Normalize(*PAIN_RANGE)
    pains = {"left": pain_left or {}, "right": pain_right or {}}
    for k, (name, view) in enumerate(data["views"].items()):
        dx = k * BACK_OFFSET
        outline = np.asarray(view["outline"], dtype=float) + [dx, 0.0]
        ax.add_patch(Polygon(outline, closed=True, facecolor="#f2f2f2", edgecolor="#404040", lw=0.9, zorder=1))
        polys, values = [], []
        for region, sides in view["regions"].items():
            for side, poly in sides.items():
                polys.append(np.asarray(poly, dtype=float) + [dx, 0.0])
                values.append(_pain_value(pains[side], region))
        coll = PolyCollection(polys, array=np.ma.masked_less(values, NO_PAIN), cmap=cmap, norm=norm,
                              edgecolors="#606060", linewidths=0.45, zorder=2)
        ax.add_collection(coll)
        if annotate:
            for poly, v in zip(polys, values):
                if v >= 1.0:
                    cx, cy = poly.mean(axis=0)
                    ax.text(cx, cy, f"{v:.0f}", ha="center", va="center", fontsize=fontsize * 0.75, zorder=4,
                            color="white" if v >= 6.5 else "black")
        for line in view.get("details", []):
            xy = np.asarray(line, dtype=float) + [dx, 0.0]
            ax.plot(xy[:, 0], xy[:, 1], color="#606060", lw=0.6, zorder=3)
        ax.text(dx, 206, name.capitalize(), ha="center", va="bottom", fontsize=fontsize + 1, weight="bold")
        pos_side = view["positive_x_side"]
        labels = {1: "L" if pos_side == "left" else "R", -1: "R" if pos_side == "left" else "L"}
        for sign, lab in labels.items():
            ax.text(dx + sign * 12.0, -9.0, lab, ha="center", va="top", fontsize=fontsize + 1, weight="bold")
    if notes:
        import textwrap

        ax.text(BACK_OFFSET / 2.0, -20.0, ORIENTATION_NOTE + "\n" + textwrap.fill(TERRITORY_NOTE, 70), ha="center",
                va="top", fontsize=fontsize * 0.7, color="#404040", linespacing=1.3)
    ax.set_xlim(-42, BACK_OFFSET + 42)
    ax.set_ylim(-44 if notes else -16, 216)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 2)
    if colorbar:
        sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
        cb = ax.figure.colorbar(sm, ax=ax, fraction=0.035, pad=0.02)
        cb.set_label("pain intensity (0-10)", fontsize=fontsize)
        cb.ax.tick_params(labelsize=fontsize * 0.85)
    return ax


def _pain_by_side(frame, posture) -> tuple[dict, dict]:
    sub = frame[frame["posture"] == posture]
    out = []
    for side in ("left", "right"):
        rows = sub[sub["side"] == side]
        out.append({r: float(rows["pain_" + r].max()) if len(rows) else 0.0 for r in REGIONS})
    return out[0], out[1]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(text))


def postures_figure(frame, scenario_name: str | None = None):
    """One figure of every posture's body chart side by side, one colour scale (a matplotlib Figure)."""
    _, plt = _matplotlib()
    if not has_pain_columns(frame):
        frame = add_pain_columns(frame)
    postures = list(dict.fromkeys(frame["posture"]))
    prefix = f"{scenario_name}: " if scenario_name else ""
    ncol = min(5, max(1, len(postures)))
    nrow = int(np.ceil(len(postures) / ncol))
    # 2.5 in per chart: at 96 px/in in the HTML page, region numbers print at about 7 pt
    fig = plt.figure(figsize=(2.5 * ncol + 0.9, 3.25 * nrow + 1.05))
    grid = fig.add_gridspec(nrow, ncol, left=0.005, right=1 - 0.85 / (2.5 * ncol + 0.9),
                            top=1 - 0.6 / (3.25 * nrow + 1.05), bottom=0.5 / (3.25 * nrow + 1.05),
                            wspace=0.0, hspace=0.12)
    axes = np.array([[fig.add_subplot(grid[r, k]) for k in range(ncol)] for r in range(nrow)])
    for ax, posture in zip(axes.flat, postures):
        left, right = _pain_by_side(frame, posture)
        draw_body_chart(left, right, ax=ax, title=posture.replace("_", " "), colorbar=False, annotate=True,
                        fontsize=9, notes=False)
    for ax in list(axes.flat)[len(postures):]:
        ax.axis("off")
    import textwrap

    import matplotlib

    sm = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(*PAIN_RANGE), cmap=CMAP)
    width = 2.5 * ncol + 0.9
    cax = fig.add_axes((1 - 0.7 / width, 0.2, 0.12 / width, 0.6))
    cb = fig.colorbar(sm, cax=cax)
    cb.set_label("pain intensity (0-10)")
    fig.suptitle(f"{prefix}predicted referred pain by posture", fontsize=11, x=0.01, ha="left", y=0.995)
    note = f"{ORIENTATION_NOTE[:1].upper()}{ORIENTATION_NOTE[1:]}; {TERRITORY_NOTE}. {_DISCLAIMER}"
    fig.text(0.01, 0.01, textwrap.fill(note, int(width * 72 / (0.55 * 7.5) * 0.95)), fontsize=7.5, color="#404040",
             va="bottom")
    return fig


def write_body_charts(frame, outdir, scenario_name: str | None = None, comparison: bool = True) -> list[Path]:
    """Write one body chart per posture and one figure comparing the postures (PNG, 300 dpi).

    Parameters
    ----------
    frame : pandas.DataFrame
        Records (posture, side, ...) with pain columns; computed from the
        compression columns with :func:`sim.referral.add_pain_columns` if absent.
    outdir : str or Path
        Created if needed.
    scenario_name : str, optional
        Put in the titles.

    Returns
    -------
    list of Path: ``body_chart_<posture>.png`` for each posture, then
    ``body_chart_postures.png`` (:func:`postures_figure`) unless ``comparison`` is False.
    """
    _, plt = _matplotlib()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if not has_pain_columns(frame):
        frame = add_pain_columns(frame)
    postures = list(dict.fromkeys(frame["posture"]))
    prefix = f"{scenario_name}: " if scenario_name else ""
    paths = []
    for posture in postures:
        left, right = _pain_by_side(frame, posture)
        fig, ax = plt.subplots(figsize=(6.0, 5.4))
        draw_body_chart(left, right, ax=ax, title=f"{prefix}predicted referred pain, {posture.replace('_', ' ')}")
        fig.text(0.5, 0.01, _DISCLAIMER, ha="center", fontsize=6, color="#606060")
        path = outdir / f"body_chart_{_slug(posture)}.png"
        fig.savefig(path, dpi=DPI, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    if comparison:
        fig = postures_figure(frame, scenario_name)
        path = outdir / "body_chart_postures.png"
        fig.savefig(path, dpi=DPI, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


__all__ = ["draw_body_chart", "write_body_charts", "postures_figure", "body_chart_data", "CMAP", "PAIN_OUTPUTS"]
