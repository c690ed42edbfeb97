"""Figures of one scenario: posture versus compression, foramen outlines, segment mechanics,
referred pain in the provoking and relieving postures, and the summary table.

Each ``*_figure`` function takes the scenario and its result table
(:func:`sim.simulate`) and returns a matplotlib Figure; :mod:`sim.report`
saves them as PNG and collects them into HTML and PDF.
"""

from __future__ import annotations

import numpy as np

from ..layout import GRADES
from . import style as st

plt = st.plt
FORAMEN_POSTURES = ("standing", "sitting", "flexion", "extension")


def _postures(frame) -> list[str]:
    return st.posture_order(frame["posture"])


def _value(frame, posture, side, column) -> float:
    rows = frame[(frame["posture"] == posture) & (frame["side"] == side)]
    return float(rows[column].iloc[0]) if len(rows) else np.nan


def _side_bars(ax, frame, postures, column, sides=("left", "right"), width=0.38):
    """Bars per posture, coloured by posture; left side solid, right side white with posture-coloured hatch."""
    x = np.arange(len(postures))
    for k, side in enumerate(sides):
        offset = (k - (len(sides) - 1) / 2.0) * width
        for i, p in enumerate(postures):
            v = _value(frame, p, side, column)
            colour = st.posture_color(p)
            if side == "left" or len(sides) == 1:
                ax.bar(x[i] + offset, v, width * 0.95, color=colour, edgecolor=colour, lw=0.8, zorder=2)
            else:
                ax.bar(x[i] + offset, v, width * 0.95, facecolor="white", edgecolor=colour, hatch="////", lw=0.8,
                       zorder=2)
    ax.set_xticks(x, [st.posture_label(p) for p in postures], rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlim(-0.6, len(postures) - 0.4)
    ax.grid(axis="x", visible=False)


def _side_legend(fig, sides=("left", "right"), loc="upper right", bbox=(0.995, 0.985)):
    from matplotlib.patches import Patch

    handles = [Patch(facecolor="#555555", edgecolor="#555555", label="left side"),
               Patch(facecolor="white", edgecolor="#555555", hatch="////", label="right side")]
    fig.legend(handles=handles[: len(sides)], loc=loc, bbox_to_anchor=bbox, ncol=2, frameon=False)


def compression_figure(scenario, frame):
    """Pressure [kPa] and deformation [%] of the L4 root, L4 DRG and L5 root by posture and side,
    with the grade thresholds (Olmarker 1989, Pedowitz 1992, Lee 2010) drawn in."""
    th = st.grade_thresholds(scenario.values)
    postures = _postures(frame)
    structures = (("l4", "L4 root (foramen)"), ("l4_drg", "L4 dorsal root ganglion"), ("l5", "L5 root (lateral recess)"))
    with st.style():
        fig, axes = plt.subplots(2, 3, figsize=(13.0, 7.6), sharey="row", sharex=True)
        pmax = max(float(frame[[f"{s}_pressure_kpa" for s, _ in structures]].to_numpy().max()),
                   th["pressure_kpa"]["severe"]) * 1.12
        dmax = max(float(frame[[f"{s}_deformation_pct" for s, _ in structures]].to_numpy().max()),
                   th["deformation_pct"]["severe"]) * 1.12
        for j, (key, title) in enumerate(structures):
            for i, (quantity, top) in enumerate((("pressure_kpa", pmax), ("deformation_pct", dmax))):
                ax = axes[i, j]
                _side_bars(ax, frame, postures, f"{key}_{quantity}")
                ax.set_ylim(0, top)
                if quantity == "pressure_kpa":
                    levels = {g: (v, th["pressure_mmhg"][g]) for g, v in th["pressure_kpa"].items()}
                    st.draw_thresholds(ax, levels, "mmHg", label=(j == 2))
                    ax.set_title(title)
                else:
                    levels = {g: (v, v) for g, v in th["deformation_pct"].items()}
                    st.draw_thresholds(ax, levels, "%", label=(j == 2))
                if j == 0:
                    ax.set_ylabel("contact pressure [kPa]" if quantity == "pressure_kpa"
                                  else "deformation (flattening) [%]")
        fig.suptitle(f"{scenario.name}: root compression by posture", x=0.01, ha="left")
        _side_legend(fig)
        fig.text(0.01, 0.008, "Grade thresholds: pressure 30/50/100 mmHg (venular stasis, capillary stasis, "
                 "conduction block; Olmarker 1989, Pedowitz 1992), flattening 15/30/50 % (Lee 2010); "
                 "a root's grade is the worse of the two.".replace("30/50/100", "/".join(
                     f"{v:g}" for v in th["pressure_mmhg"].values())).replace("15/30/50", "/".join(
                         f"{v:g}" for v in th["deformation_pct"].values())), fontsize=7.5, color="#444444")
        st.add_footer(fig, y=0.035)
        fig.subplots_adjust(left=0.065, right=0.92, top=0.9, bottom=0.2, wspace=0.08, hspace=0.12)
    return fig


# ---------------------------------------------------------------- foramen --
def _inside(poly, pts, tol=1e-9):
    """Points strictly inside a convex polygon (either orientation)."""
    p = np.asarray(poly, float)
    e = np.roll(p, -1, axis=0) - p
    cross = e[None, :, 0] * (pts[:, None, 1] - p[None, :, 1]) - e[None, :, 1] * (pts[:, None, 0] - p[None, :, 0])
    return np.all(cross > tol, axis=1) | np.all(cross < -tol, axis=1)


def union_outline(a, b) -> list[np.ndarray]:
    """Boundary segments of the union of two convex polygons, as a list of (2, 2) arrays.

    Each edge is cut where it crosses the other polygon; pieces inside the other
    polygon, or on a shared edge with the other polygon beyond it, are dropped.
    """
    polys = [np.asarray(a, float), np.asarray(b, float)]
    polys = [p for p in polys if len(p) >= 3]
    if len(polys) < 2:
        return [np.array([p[i], p[(i + 1) % len(p)]]) for p in polys for i in range(len(p))]
    scale = max(float(np.ptp(np.vstack(polys), axis=0).max()), 1.0)
    eps = 1e-6 * scale
    pieces = []
    for k, p in enumerate(polys):
        other = polys[1 - k]
        centre = p.mean(axis=0)
        for i in range(len(p)):
            s0, s1 = p[i], p[(i + 1) % len(p)]
            d = s1 - s0
            if np.hypot(*d) < eps:
                continue
            ts = [0.0, 1.0]
            for j in range(len(other)):
                q0, q1 = other[j], other[(j + 1) % len(other)]
                f = q1 - q0
                den = d[0] * f[1] - d[1] * f[0]
                if abs(den) < 1e-12:
                    continue
                w = q0 - s0
                t = (w[0] * f[1] - w[1] * f[0]) / den
                u = (w[0] * d[1] - w[1] * d[0]) / den
                if 0.0 < t < 1.0 and -1e-9 <= u <= 1 + 1e-9:
                    ts.append(t)
            ts = sorted(ts)
            normal = np.array([d[1], -d[0]]) / np.hypot(*d)
            if np.dot(normal, (s0 + s1) / 2 - centre) < 0:
                normal = -normal
            for t0, t1 in zip(ts[:-1], ts[1:]):
                if t1 - t0 < 1e-9:
                    continue
                mid = s0 + d * (t0 + t1) / 2
                probe = np.array([mid, mid + 10 * eps * normal])
                ins = _inside(other, probe, tol=eps * 1e-3)
                if not ins.any():
                    pieces.append(np.array([s0 + d * t0, s0 + d * t1]))
    return pieces


def _draw_root(ax, xy, diameter, clearance, colour, lw=1.4, ls="-", fill_alpha=0.06, zorder=3):
    from matplotlib.patches import Ellipse

    free = diameter + 2.0 * min(float(clearance), 0.0) if np.isfinite(clearance) else diameter
    free = max(free, 0.25 * diameter)
    # flattened: the free diameter cranio-caudally, the cross-section's area kept
    width = diameter
    for face, alpha in ((colour, fill_alpha), ("none", 1.0)):
        ax.add_patch(Ellipse(xy, width, free, facecolor=face, edgecolor=colour if face == "none" else "none",
                             lw=lw, ls=ls, alpha=alpha, zorder=zorder))
    return free < diameter


def foramen_figure(scenario, postures=FORAMEN_POSTURES):
    """Left and right foramen outlines in standing, sitting, flexion and extension, overlaid,
    with the L4 DRG (solid) and root (dashed) where the model puts them."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    from ..engine import foramen_shapes

    shapes = {p: foramen_shapes(scenario, p) for p in postures}
    with st.style():
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 7.2), sharex=True, sharey=True)
        pts = []
        flattened = []
        for ax, side in zip(axes, ("left", "right")):
            for p in postures:
                s = shapes[p][side]
                c = st.posture_color(p)
                segs = union_outline(s["upper"], s["stem"])
                ax.add_collection(LineCollection(segs, colors=c, linewidths=2.0, zorder=2, capstyle="round"))
                pts += [s["upper"], s["stem"]]
                rec = s["record"]
                if _draw_root(ax, s["root_xy"], s["drg_diameter_mm"], rec.get("l4_drg_clearance_mm", np.inf), c):
                    flattened.append(f"{st.posture_label(p)} ({side})")
                _draw_root(ax, s["root_xy"], s["root_diameter_mm"], rec.get("l4_clearance_mm", np.inf), c, lw=1.0,
                           ls="--", fill_alpha=0.0)
                ax.plot(*s["root_xy"], marker="+", color=c, ms=7, zorder=4)
            ax.set_title(f"{side} foramen")
            ax.set_aspect("equal")
            ax.set_xlabel("antero-posterior position x [mm] (anterior +)")
        allp = np.vstack(pts)
        lo, hi = allp.min(axis=0), allp.max(axis=0)
        pad = 3.5
        axes[0].set_xlim(lo[0] - pad, hi[0] + pad)
        axes[0].set_ylim(lo[1] - pad, hi[1] + pad)
        axes[0].set_ylabel("cranio-caudal position y [mm] (cranial +)")
        ax = axes[0]
        stem = np.vstack([shapes[p]["left"]["stem"] for p in postures])
        ann = dict(fontsize=8.5, color="#555555", ha="center", style="italic")
        for ax in axes:
            ax.text((lo[0] + hi[0]) / 2, hi[1] + 0.4, "L4 pedicle (roof)", va="bottom", **ann)
            ax.text(stem[:, 0].mean(), lo[1] - 0.4, "L5 pedicle (floor)", va="top", **ann)
            ax.text(hi[0] + 0.5, stem[:, 1].mean(), "disc (anterior)", va="center", rotation=90, **ann)
            ax.text(stem[:, 0].min() - 1.5, stem[:, 1].mean(), "facet (SAP) + flavum\n(posterior)", va="center",
                    rotation=90, **ann)
        handles = [Line2D([], [], color=st.posture_color(p), lw=2.0, label=st.posture_label(p)) for p in postures]
        handles += [Line2D([], [], color="#555555", lw=1.4, marker="o", ms=10, mfc="none", ls="none",
                           label="L4 dorsal root ganglion"),
                    Line2D([], [], color="#555555", lw=1.0, ls="--", label="L4 root (dashed circle)")]
        fig.legend(handles=handles, loc="lower center", ncol=3, bbox_to_anchor=(0.5, 0.035))
        fig.suptitle(f"{scenario.name}: L4-L5 foramen by posture\n(both sides drawn with anterior to the right, "
                     "cranial up; origin at the L5 posterior-superior corner)", x=0.01, ha="left", fontsize=12)
        note = "DRG/root drawn flattened (ellipse, free height) where compressed: " + (
            ", ".join(flattened) if flattened else "none")
        fig.text(0.01, 0.008, note, fontsize=7.5, color="#444444")
        st.add_footer(fig, y=0.008 if len(note) < 110 else 0.03)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.2, wspace=0.08)
    return fig


# -------------------------------------------------------------- mechanics --
def mechanics_figure(scenario, frame):
    """Segment angle [deg], intradiscal pressure [MPa], foraminal height [mm] and area [mm²] by posture."""
    postures = _postures(frame)
    panels = (("segment_angle_deg", ("left",), "segment angle [deg] (flexion +)", "Sagittal segment angle"),
              ("idp_mpa", ("left",), "intradiscal pressure [MPa]", "Intradiscal pressure"),
              ("foraminal_height_mm", ("left", "right"), "foraminal height [mm]", "Foraminal height"),
              ("foraminal_area_mm2", ("left", "right"), "foraminal area [mm²]", "Foraminal area"))
    with st.style():
        fig, axes = plt.subplots(2, 2, figsize=(11.0, 7.8), sharex=True)
        for ax, (col, sides, ylabel, title) in zip(axes.flat, panels):
            _side_bars(ax, frame, postures, col, sides=sides, width=0.7 if len(sides) == 1 else 0.38)
            ax.set_ylabel(ylabel)
            ax.set_title(title + (" (segment, both sides)" if len(sides) == 1 else ""))
            if col == "segment_angle_deg":
                ax.axhline(0, color="#333333", lw=0.8)
            if col in ("foraminal_height_mm", "foraminal_area_mm2"):
                vals = frame[col].to_numpy(float)
                span = max(vals.max() - vals.min(), 0.05 * vals.max())
                ax.set_ylim(max(0.0, vals.min() - 0.6 * span), vals.max() + 0.35 * span)
        for ax in axes[1]:
            ax.tick_params(axis="x", labelbottom=True)
        _side_legend(fig)
        fig.suptitle(f"{scenario.name}: segment and foramen by posture", x=0.01, ha="left")
        fig.text(0.01, 0.008, "Foraminal bars start above zero to show the posture effect; read the axis.",
                 fontsize=7.5, color="#444444")
        st.add_footer(fig)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.16, hspace=0.22, wspace=0.22)
    return fig


# ------------------------------------------------------------------ pain --
def pain_postures(frame, n: int = 3) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(provoking, relieving) postures for the body-chart figure, each as (posture, caption).

    From :func:`sim.referral.posture_signature` (both sides pooled, ranked by peak
    pain); when no posture provokes or relieves importantly, the most and least
    painful posture stand in, captioned so.
    """
    from ..signature import posture_signature

    sig = posture_signature(frame)
    sides = [s for s in sig if s != "claudication_sides"]
    peak = {}
    for s in sides:
        for p, v in sig[s]["peak_by_posture"].items():
            peak[p] = max(peak.get(p, 0.0), v)
    provoking = sorted({p for s in sides for p in sig[s]["provoking"]}, key=lambda p: -peak[p])
    relieving = sorted({p for s in sides for p in sig[s]["relieving"]} - set(provoking), key=lambda p: peak[p])
    prov = [(p, f"provoking: {st.posture_label(p)}") for p in provoking[:n]]
    rel = [(p, f"relieving: {st.posture_label(p)}") for p in relieving[:n]]
    if not prov and peak:
        p = max(peak, key=peak.get)
        prov = [(p, f"most painful: {st.posture_label(p)}\n(no posture provokes importantly)")]
    if not rel and peak:
        p = min(peak, key=peak.get)
        rel = [(p, f"least painful: {st.posture_label(p)}\n(no posture relieves importantly)")]
    return prov, rel


def pain_figure(scenario, frame):
    """Body charts of predicted referred pain in the provoking (top) and relieving (bottom) postures."""
    import matplotlib

    from ..bodychart import CMAP, PAIN_RANGE, draw_body_chart
    from ..referral import PAIN_OUTPUTS, REGIONS

    prov, rel = pain_postures(frame)
    ncol = max(len(prov), len(rel), 1)
    with st.style():
        fig, axes = plt.subplots(2, ncol, figsize=(4.2 * ncol + 1.2, 8.6), squeeze=False)
        for row, chosen in enumerate((prov, rel)):
            for k in range(ncol):
                ax = axes[row, k]
                if k >= len(chosen):
                    ax.axis("off")
                    continue
                posture, caption = chosen[k]
                pains = []
                for side in ("left", "right"):
                    sub = frame[(frame["posture"] == posture) & (frame["side"] == side)]
                    pains.append({r: float(sub[c].max()) if len(sub) else 0.0 for r, c in zip(REGIONS, PAIN_OUTPUTS)})
                peak = max(max(p.values()) for p in pains)
                draw_body_chart(pains[0], pains[1], ax=ax, title=None, colorbar=False, fontsize=8)
                ax.set_title(f"{caption}\npeak pain {peak:.1f}/10", fontsize=10,
                             color=st.posture_color(posture) if posture != "standing" else "black")
        sm = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(*PAIN_RANGE), cmap=CMAP)
        cax = fig.add_axes([0.9, 0.2, 0.015, 0.6])
        cb = fig.colorbar(sm, cax=cax)
        cb.set_label("predicted pain intensity [0-10]")
        fig.subplots_adjust(left=0.01, right=0.88, top=0.88, bottom=0.04, wspace=0.02, hspace=0.22)
        fig.suptitle(f"{scenario.name}: referred pain (L4 + L5) in provoking and relieving postures",
                     x=0.01, ha="left")
        st.add_footer(fig)
    return fig


# --------------------------------------------------------------- summary --
def worst_grade(series) -> str:
    codes = [GRADES.index(g) for g in series if g in GRADES]
    return GRADES[max(codes)] if codes else "none"


def key_outputs(frame):
    """One row per posture: grades (left/right), worst pressures, foraminal area, peak pain, distribution."""
    import pandas as pd

    from ..referral import PAIN_OUTPUTS

    rows = []
    for p in _postures(frame):
        sub = frame[frame["posture"] == p].set_index("side")
        g = lambda col: "/".join(str(sub.loc[s, col]) for s in ("left", "right") if s in sub.index)  # noqa: E731
        rows.append({
            "posture": p,
            "L4 grade L/R": g("l4_grade"),
            "L5 grade L/R": g("l5_grade"),
            "L4 max kPa": float(sub[["l4_pressure_kpa", "l4_drg_pressure_kpa"]].to_numpy().max()),
            "L5 max kPa": float(sub["l5_pressure_kpa"].max()),
            "foramen area mm² L/R": "/".join(f"{sub.loc[s, 'foraminal_area_mm2']:.0f}" for s in ("left", "right")
                                             if s in sub.index),
            "IDP MPa": float(sub["idp_mpa"].iloc[0]),
            "peak pain": float(sub[list(PAIN_OUTPUTS)].to_numpy().max()),
            "distribution L/R": g("distribution"),
        })
    return pd.DataFrame(rows)


def changed_inputs(scenario):
    """Rows (parameter, value, unit, default) of the inputs that differ from the default set."""
    from ..params import defaults, spec_map

    base, specs = defaults(), spec_map()
    rows = []
    for k, v in scenario.changed().items():
        spec = specs.get(k)
        rows.append((k, f"{v:g}" if isinstance(v, float) else str(v), spec.unit if spec else "",
                     f"{base[k]:g}" if isinstance(base[k], float) else str(base[k])))
    return rows


def signature_lines(frame) -> list[str]:
    from ..signature import posture_signature

    sig = posture_signature(frame)
    lines = []
    for side in [s for s in sig if s != "claudication_sides"]:
        s = sig[side]
        fmt = lambda ps: ", ".join(st.posture_label(p) for p in ps) or "none"  # noqa: E731
        lines.append(f"{side}: provoked by {fmt(s['provoking'])}; relieved by {fmt(s['relieving'])}"
                     + ("; neurogenic-claudication pattern" if s["claudication"] else ""))
    return lines


def _style_table(table, fontsize: float, pad: float, header_lines: int = 1) -> None:
    """Summary-page table style: fixed font size, cell padding, bold grey header of ``header_lines`` lines."""
    table.auto_set_font_size(False)
    table.set_fontsize(fontsize)
    for (r, _), cell in table.get_celld().items():
        cell.PAD = pad
        if r == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#EEEEEE")
            cell.set_height(cell.get_height() * header_lines)


def summary_figure(scenario, frame):
    """The summary page: changed inputs, key outputs by posture, posture signature, disclaimer."""
    import textwrap

    from ..about import DISCLAIMER

    changed = changed_inputs(scenario)
    table = key_outputs(frame)
    with st.style():
        fig = plt.figure(figsize=(11.0, 8.5))
        fig.suptitle(f"Scenario summary: {scenario.name}", x=0.03, ha="left", y=0.975)
        y = 0.93
        if scenario.description:
            fig.text(0.03, y, textwrap.fill(scenario.description, 150), fontsize=9.5, va="top")
            y -= 0.045
        fig.text(0.03, y, "Inputs that differ from the default parameter set", weight="bold", va="top")
        y -= 0.03
        n_in = max(len(changed), 1)
        h_in = 0.026 * (n_in + 1)
        ax = fig.add_axes([0.03, y - h_in, 0.94, h_in])
        ax.axis("off")
        cells = [list(r) for r in changed] or [["(none: default anatomy, no pathology)", "", "", ""]]
        t = ax.table(cellText=cells, colLabels=["parameter", "value", "unit", "default"], bbox=[0, 0, 0.75, 1],
                     cellLoc="left", colWidths=[0.45, 0.1, 0.1, 0.1])
        _style_table(t, fontsize=8.5, pad=0.03)
        y -= h_in + 0.04
        fig.text(0.03, y, "Key outputs by posture (L/R = left/right side)", weight="bold", va="top")
        y -= 0.03
        h_out = 0.026 * (len(table) + 2)
        ax = fig.add_axes([0.03, y - h_out, 0.94, h_out])
        ax.axis("off")
        cells = [[st.posture_label(r["posture"]), r["L4 grade L/R"], r["L5 grade L/R"], f"{r['L4 max kPa']:.1f}",
                  f"{r['L5 max kPa']:.1f}", r["foramen area mm² L/R"], f"{r['IDP MPa']:.2f}", f"{r['peak pain']:.1f}",
                  r["distribution L/R"]] for _, r in table.iterrows()]
        cols = ["posture", "L4 grade\nleft/right", "L5 grade\nleft/right", "L4 max\n[kPa]", "L5 max\n[kPa]",
                "foramen [mm²]\nleft/right", "IDP\n[MPa]", "peak pain\n[0-10]", "distribution\nleft/right"]
        t = ax.table(cellText=cells, colLabels=cols, bbox=[0, 0, 1, 1], cellLoc="left",
                     colWidths=[0.1, 0.14, 0.14, 0.07, 0.07, 0.1, 0.06, 0.07, 0.25])
        _style_table(t, fontsize=8, pad=0.04, header_lines=2)
        y -= h_out + 0.04
        fig.text(0.03, y, "Posture signature", weight="bold", va="top")
        y -= 0.03
        for line in signature_lines(frame):
            wrapped = textwrap.fill(line, 160)
            fig.text(0.03, y, wrapped, fontsize=8.5, va="top")
            y -= 0.025 * (wrapped.count("\n") + 1)
        fig.text(0.5, 0.02, DISCLAIMER, ha="center", fontsize=10, weight="bold", color="#8B0000",
                 bbox=dict(facecolor="#FFF4F0", edgecolor="#8B0000", pad=5))
    return fig

