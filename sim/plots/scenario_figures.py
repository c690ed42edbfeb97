"""Figures of one scenario: posture versus compression, foramen outlines, segment mechanics,
referred pain in the provoking and relieving postures.

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
    structures = (("l4", "L4 root (foramen)"), ("l4_drg", "L4 dorsal root ganglion"),
                  ("l5", "L5 root (lateral recess)"))
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
                    ax.set_ylabel("contact pressure [kPa]\n(1 kPa = 7.5 mmHg)" if quantity == "pressure_kpa"
                                  else "deformation (flattening) [%]")
        fig.suptitle(f"{scenario.name}: root compression by posture", x=0.01, ha="left")
        _side_legend(fig)
        st.add_note(fig, "Grade thresholds: pressure " + ", ".join(
            f"{th['pressure_mmhg'][g]:g} mmHg ({th['pressure_kpa'][g]:.1f} kPa)"
            for g in ("mild", "moderate", "severe"))
            + " (venular stasis, capillary stasis, conduction block; Olmarker 1989, Pedowitz 1992), flattening "
            + "/".join(f"{v:g}" for v in th["deformation_pct"].values())
            + " % (Lee 2010); a root's grade is the worse of the two.", y=0.025)
        st.add_footer(fig, y=0.005)
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


#: Colours of the structures that bound the foramen (bone, disc, herniation, soft tissue).
STRUCTURE_COLORS = {"bone": "#B9A27A", "disc": "#4C8EC9", "herniation": "#7B3294", "soft": "#8C9A3C"}
_FACE_GROUP = {"L4 pedicle": "bone", "L4 body": "bone", "L5 pedicle": "bone", "L4 pars": "bone", "SAP tip": "bone",
               "disc": "disc", "disc rim": "disc", "herniation": "herniation", "SAP + flavum": "soft"}
#: Faces that only separate the chamber from the disc band in the outline (not structures).
_OUTLINE_ONLY = ("L4 rim", "tip level")


def face_segments(poly, n, c, tol=1e-6) -> list[tuple[int, np.ndarray]]:
    """(face index, segment (2, 2)) of each edge of a foramen part that lies on one of the faces."""
    poly = np.asarray(poly, float)
    out = []
    for i in range(len(poly)):
        a, b = poly[i], poly[(i + 1) % len(poly)]
        if np.hypot(*(b - a)) < 1e-6:
            continue
        on = [k for k in range(len(c)) if abs(n[k] @ a - c[k]) < tol and abs(n[k] @ b - c[k]) < tol]
        if on:
            out.append((on[0], np.array([a, b])))
    return out


def root_circle(n, c, diameter_mm: float, mobility_mm: float) -> tuple[float, float, float]:
    """Centre and drawn radius [mm] of a root or ganglion: the model's least-squeezed circle of the
    chamber (:func:`sim.compression.least_squeezed_circle`), no larger than the root itself, so the
    drawing stays inside the walls; a squeezed root is drawn as the free space it is squeezed into."""
    from ..compression import least_squeezed_circle
    from ..geometry import CHAMBER, L4_WALL, ROOF

    x, y, r = least_squeezed_circle(n, c, CHAMBER, ROOF, L4_WALL, mobility_mm)
    return float(x), float(y), float(max(min(0.5 * diameter_mm, r), 0.05))


def _draw_structures(ax, shape, record, labels: bool = True):
    """Bulge and herniation as filled bands, each bounding face as a coloured edge with its name."""
    from matplotlib.patches import Rectangle

    from ..geometry import DISC, FACE_NAMES, FLOOR, HERNIATION

    n, c = shape["faces"]
    floor_y = float(c[FLOOR] / n[FLOOR, 1])
    top_y = float(record.get("disc_height_posterior_mm", 8.0))
    disc_x = float(c[DISC] / n[DISC, 0])  # the disc's posterior face at mid-band, bulge included
    bulge = max(float(record.get("disc_bulge_mm", 0.0)), 0.0)
    if bulge > 0.05:
        ax.add_patch(Rectangle((disc_x, floor_y), bulge, top_y - floor_y, facecolor=STRUCTURE_COLORS["disc"],
                               alpha=0.25, edgecolor="none", zorder=1))
        ax.plot([disc_x + bulge] * 2, [floor_y, top_y], color=STRUCTURE_COLORS["disc"], lw=0.8, ls=":", zorder=1)
        if labels:
            ax.text(disc_x / 2 + 0.35, floor_y + 0.25 * (top_y - floor_y), f"bulge {bulge:.1f} mm", ha="left",
                    va="center", fontsize=6.5, color="#1F4E79", zorder=5, rotation=90)
    hx = float(c[HERNIATION] / n[HERNIATION, 0])
    if hx < disc_x - 0.05:
        ax.add_patch(Rectangle((hx, floor_y), disc_x - hx, top_y - floor_y, facecolor=STRUCTURE_COLORS["herniation"],
                               alpha=0.3, hatch="///", edgecolor=STRUCTURE_COLORS["herniation"], lw=0, zorder=1))
        if labels:
            ax.text((hx + disc_x) / 2, (floor_y + top_y) / 2, f"herniation\n{disc_x - hx:.1f} mm", ha="center",
                    va="center", fontsize=6.5, color="white", weight="bold", zorder=5, rotation=90)
    best: dict[int, np.ndarray] = {}
    for part in ("upper", "stem"):
        for face, seg in face_segments(shape[part], n, c):
            name = FACE_NAMES[face]
            if name in _OUTLINE_ONLY:
                continue
            colour = STRUCTURE_COLORS[_FACE_GROUP[name]]
            ax.plot(seg[:, 0], seg[:, 1], color=colour, lw=5, alpha=0.75, solid_capstyle="butt", zorder=2)
            if face not in best or np.hypot(*np.ptp(seg, axis=0)) > np.hypot(*np.ptp(best[face], axis=0)):
                best[face] = seg
    if labels:
        for face, seg in best.items():
            name = FACE_NAMES[face]
            if face == HERNIATION:  # its band carries the name
                continue
            mid = seg.mean(axis=0) + 0.9 * n[face]
            vertical = abs(n[face, 0]) > 0.9
            ax.text(*mid, name, fontsize=6.5, ha="center", va="center", rotation=90 if vertical else 0,
                    color="#333333", zorder=5, bbox=dict(facecolor="white", edgecolor="none", alpha=0.7, pad=0.4))


def _draw_roots(ax, shape, scenario, colour):
    """Ganglion (solid) and root (dashed) at their least-squeezed place; a squeezed one is outlined in red."""
    from matplotlib.patches import Circle

    n, c = shape["faces"]
    mobility = float(scenario.values["anatomy.root_bed_mobility_mm"])
    squeezed = []
    for key, diameter, ls, alpha in (("drg", shape["drg_diameter_mm"], "-", 0.35), ("root", shape["root_diameter_mm"],
                                                                                   "--", 0.0)):
        x, y, r = root_circle(n, c, diameter, mobility)
        tight = r < 0.5 * diameter - 1e-6
        ax.add_patch(Circle((x, y), r, facecolor=colour if alpha else "none", alpha=alpha if alpha else 1.0,
                            edgecolor="none", zorder=3))
        ax.add_patch(Circle((x, y), r, facecolor="none", edgecolor="#D62728" if tight else colour, lw=1.6 if tight
                            else 1.2, ls=ls, zorder=4))
        if tight:
            squeezed.append(f"{'ganglion' if key == 'drg' else 'root'} {diameter:g} -> {2 * r:.1f} mm")
    return squeezed


def worse_side(frame) -> str:
    """The side whose L4 root or ganglion is squeezed harder (left on a tie)."""
    peak = {s: float(frame.loc[frame["side"] == s, ["l4_pressure_kpa", "l4_drg_pressure_kpa",
                                                     "l4_deformation_pct", "l4_drg_deformation_pct"]].to_numpy().sum())
            for s in ("left", "right")}
    return "right" if peak["right"] > peak["left"] else "left"


def foramen_figure(scenario, postures=FORAMEN_POSTURES, frame=None):
    """The foramen of the more compressed side in standing, sitting, flexion and extension, one panel each:
    the bounding structures (pedicles, L4 body and pars, disc with its bulge, herniation, SAP and flavum),
    and the L4 ganglion (filled) and root (dashed) at the least-squeezed place the model finds for them,
    drawn no larger than the room they have; the other side's outline in grey."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from ..engine import foramen_shapes

    shapes = {p: foramen_shapes(scenario, p) for p in postures}
    records = {p: {s: shapes[p][s]["record"] for s in ("left", "right")} for p in postures}
    if frame is None:
        import pandas as pd

        frame = pd.DataFrame([records[p][s] for p in postures for s in ("left", "right")])
    side = worse_side(frame[frame["posture"].isin(postures)])
    other = "right" if side == "left" else "left"
    allp = np.vstack([np.vstack([shapes[p][s]["upper"], shapes[p][s]["stem"]]) for p in postures
                      for s in ("left", "right")])
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    with st.style():
        ncol = 2 if len(postures) > 1 else 1
        nrow = int(np.ceil(len(postures) / ncol))
        fig, axes = plt.subplots(nrow, ncol, figsize=(8.6, 4.6 * nrow + 1.0), sharex=True, sharey=True, squeeze=False)
        for ax in axes.flat[len(postures):]:
            ax.set_visible(False)
        for ax, p in zip(axes.flat, postures):
            shape, rec = shapes[p][side], records[p][side]
            _draw_structures(ax, shape, rec)
            o = shapes[p][other]
            ax.add_collection(LineCollection(union_outline(o["upper"], o["stem"]), colors="#AAAAAA", linewidths=0.9,
                                             linestyles="--", zorder=2))
            ax.add_collection(LineCollection(union_outline(shape["upper"], shape["stem"]), colors="#222222",
                                             linewidths=1.0, zorder=3))
            squeezed = _draw_roots(ax, shape, scenario, st.posture_color(p))
            l4 = max(rec["l4_pressure_kpa"], rec["l4_drg_pressure_kpa"])
            ax.set_title(f"{st.posture_label(p)}: area {rec['foraminal_area_mm2']:.0f} mm², L4 {st.kpa_mmhg(l4)}",
                         fontsize=9.5, color=st.posture_color(p) if p != "standing" else "black")
            if squeezed:
                ax.text(0.02, 0.02, "squeezed: " + "; ".join(squeezed), transform=ax.transAxes, fontsize=7,
                        color="#D62728", va="bottom")
            ax.set_aspect("equal")
            ax.grid(False)
        pad = 2.5
        axes[0, 0].set_xlim(lo[0] - pad, hi[0] + pad)
        axes[0, 0].set_ylim(lo[1] - pad, hi[1] + pad)
        for ax in axes[-1]:
            ax.set_xlabel("x [mm] (anterior +)")
        for ax in axes[:, 0]:
            ax.set_ylabel("y [mm] (cranial +)")
        handles = [Patch(facecolor=STRUCTURE_COLORS["bone"], label="bone (pedicles, L4 body, pars, SAP tip)"),
                   Patch(facecolor=STRUCTURE_COLORS["disc"], alpha=0.5, label="disc and its bulge"),
                   Patch(facecolor=STRUCTURE_COLORS["herniation"], alpha=0.5, hatch="///", label="herniation"),
                   Patch(facecolor=STRUCTURE_COLORS["soft"], label="SAP + ligamentum flavum"),
                   Line2D([], [], color="#555555", lw=0, marker="o", ms=9, mfc="#BBBBBB", label="L4 ganglion"),
                   Line2D([], [], color="#555555", lw=1.0, ls="--", label="L4 root"),
                   Line2D([], [], color="#AAAAAA", lw=0.9, ls="--", label=f"{other} foramen (outline)")]
        fig.legend(handles=handles, loc="lower center", ncol=3, bbox_to_anchor=(0.5, 0.035), fontsize=7.5)
        fig.suptitle(f"{scenario.name}: {side} L4-L5 foramen by posture (the more compressed side)", x=0.01,
                     ha="left", fontsize=11)
        st.add_note(fig, "Parasagittal section through the foramen, anterior to the right, cranial up; origin at the "
                    "posterior-superior corner of L5. Roots are drawn where the model places them (largest circle "
                    "within their bed mobility) and no larger than the room they have: red = squeezed.", y=0.005,
                    fontsize=7)
        fig.subplots_adjust(left=0.09, right=0.98, top=0.92, bottom=0.15, wspace=0.06, hspace=0.18)
    return fig


# -------------------------------------------------------------- mechanics --
#: In vivo L4-L5 intradiscal pressure [MPa] by posture (Wilke HJ, Neef P, Caimi M, Hoogland T, Claes LE 1999,
#: Spine 24(8):755-762, one 70 kg subject): lying 0.10, relaxed standing 0.50, sitting unsupported 0.46,
#: standing flexed forward 1.10, lifting 20 kg with a round flexed back 2.30.
WILKE_1999_IDP_MPA = {"supine": 0.10, "standing": 0.50, "sitting": 0.46, "flexion": 1.10, "lifting": 2.30}
#: Band drawn around each in vivo value: +/-25 %, the tolerance of the validation targets (one subject).
WILKE_BAND = 0.25


def _idp_reference(ax, postures, width=0.7):
    """Wilke 1999 in vivo IDP as a grey band (+/-25 %) with a black tick at the measured value."""
    x = np.arange(len(postures))
    drawn = False
    for i, p in enumerate(postures):
        if p not in WILKE_1999_IDP_MPA:
            continue
        v = WILKE_1999_IDP_MPA[p]
        ax.fill_between([x[i] - width / 2, x[i] + width / 2], v * (1 - WILKE_BAND), v * (1 + WILKE_BAND),
                        color="#888888", alpha=0.3, lw=0, zorder=3, label="in vivo, Wilke 1999 (±25 %)" if not drawn
                        else None)
        ax.plot([x[i] - width / 2, x[i] + width / 2], [v, v], color="black", lw=1.6, zorder=4)
        drawn = True
    if drawn:
        ax.legend(loc="upper left", fontsize=7.5)


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
            if col == "idp_mpa":
                _idp_reference(ax, postures)
            if col in ("foraminal_height_mm", "foraminal_area_mm2"):
                vals = frame[col].to_numpy(float)
                span = max(vals.max() - vals.min(), 0.05 * vals.max())
                ax.set_ylim(max(0.0, vals.min() - 0.6 * span), vals.max() + 0.35 * span)
        for ax in axes[1]:
            ax.tick_params(axis="x", labelbottom=True)
        _side_legend(fig)
        fig.suptitle(f"{scenario.name}: segment and foramen by posture", x=0.01, ha="left")
        st.add_note(fig, "Foraminal bars start above zero to show the posture effect; read the axis. Grey bands: "
                    "in vivo L4-L5 intradiscal pressure of Wilke 1999 (lying, standing, sitting unsupported, standing "
                    "flexed, lifting 20 kg round-backed), ±25 %.", y=0.02)
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
                draw_body_chart(pains[0], pains[1], ax=ax, title=None, colorbar=False, fontsize=9, notes=False)
                ax.set_title(f"{caption}\npeak pain {peak:.1f}/10", fontsize=10,
                             color=st.posture_color(posture) if posture != "standing" else "black")
        sm = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(*PAIN_RANGE), cmap=CMAP)
        cax = fig.add_axes([0.9, 0.2, 0.015, 0.6])
        cb = fig.colorbar(sm, cax=cax)
        cb.set_label("predicted pain intensity [0-10]")
        fig.subplots_adjust(left=0.01, right=0.88, top=0.9, bottom=0.08, wspace=0.02, hspace=0.22)
        fig.suptitle(f"{scenario.name}: referred pain (L4 + L5) in provoking and relieving postures",
                     x=0.01, ha="left")
        from ..bodychart import ORIENTATION_NOTE, TERRITORY_NOTE

        st.add_note(fig, f"{ORIENTATION_NOTE[:1].upper()}{ORIENTATION_NOTE[1:]}; {TERRITORY_NOTE}.", y=0.02)
        st.add_footer(fig, y=0.002)
    return fig


# --------------------------------------------------------------- summary --
def worst_grade(series) -> str:
    """Worst compression grade in ``series``, or ``"none"`` if it holds no grade."""
    codes = [GRADES.index(g) for g in series if g in GRADES]
    return GRADES[max(codes)] if codes else "none"


def key_outputs(frame):
    """One row per posture: grades (left/right), worst pressures, foraminal area, peak pain, distribution."""
    import pandas as pd

    from ..referral import PAIN_OUTPUTS

    rows = []
    for p in _postures(frame):
        sub = frame[frame["posture"] == p].set_index("side")
        g = lambda col, sub=sub: "/".join(str(sub.loc[s, col]) for s in ("left", "right") if s in sub.index)  # noqa: E731
        rows.append({
            "posture": p,
            "L4 grade L/R": g("l4_grade"),
            "L5 grade L/R": g("l5_grade"),
            "L4 max kPa": float(sub[["l4_pressure_kpa", "l4_drg_pressure_kpa"]].to_numpy().max()),
            "L4 root kPa": float(sub["l4_pressure_kpa"].max()),
            "L4 DRG kPa": float(sub["l4_drg_pressure_kpa"].max()),
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
    """One line per side: the postures that provoke and relieve pain, and any neurogenic-claudication pattern."""
    from ..signature import posture_signature

    sig = posture_signature(frame)
    lines = []
    for side in [s for s in sig if s != "claudication_sides"]:
        s = sig[side]
        fmt = lambda ps: ", ".join(st.posture_label(p) for p in ps) or "no posture"  # noqa: E731
        claudication = ("; neurogenic-claudication pattern (worse standing than sitting and in extension than "
                        "in flexion)" if s["claudication"] else "")
        lines.append(f"{side}: provoked by {fmt(s['provoking'])}; relieved by {fmt(s['relieving'])} (a change of "
                     f"at least {s['margin']:.1f} points from the typical posture's {s['reference_pain']:.1f}/10)"
                     + claudication)
    return lines

