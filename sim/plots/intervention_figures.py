"""Before and after surgery, one figure per posture: the foramen outline of both stages overlaid and the
root pressures before and after, so a surgeon reads at a glance what the operation does in that posture.
"""

from __future__ import annotations

import numpy as np

from . import style as st
from .scenario_figures import union_outline

plt = st.plt
ROOTS = (("l4_pressure_kpa", "L4 root"), ("l4_drg_pressure_kpa", "L4 ganglion"), ("l5_pressure_kpa", "L5 root"))
STAGE_COLORS = {"before": "#888888", "after": "#1F77B4"}


def _record(frame, stage, posture, side):
    rows = frame[(frame["stage"] == stage) & (frame["posture"] == posture) & (frame["side"] == side)]
    return rows.iloc[0]


def before_after_figure(scenario, frame, posture: str):
    """Foramen outline before (grey, dashed) and after (blue) for each side, and the pressure bars.

    Parameters
    ----------
    scenario : sim.scenario.Scenario
        With its interventions (``Scenario.before()`` gives the other stage).
    frame : pandas.DataFrame
        :func:`sim.compare` records (``stage`` column).
    posture : str
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    from ..engine import foramen_shapes
    from ..units import MMHG_PER_KPA

    shapes = {"before": foramen_shapes(scenario.before(), posture), "after": foramen_shapes(scenario, posture)}
    with st.style():
        fig, axes = plt.subplots(1, 3, figsize=(10.5, 4.2), gridspec_kw={"width_ratios": [1, 1, 1.25]})
        pts = np.vstack([np.vstack([shapes[g][s]["upper"], shapes[g][s]["stem"]]) for g in shapes
                         for s in ("left", "right")])
        lo, hi = pts.min(axis=0) - 2.0, pts.max(axis=0) + 2.0
        for ax, side in zip(axes[:2], ("left", "right")):
            for stage, style in (("before", "--"), ("after", "-")):
                shape = shapes[stage][side]
                ax.add_collection(LineCollection(union_outline(shape["upper"], shape["stem"]),
                                                 colors=STAGE_COLORS[stage], linewidths=1.6, linestyles=style))
                x, y = shape["root_xy"]
                ax.add_patch(plt.Circle((x, y), 0.5 * shape["drg_diameter_mm"], fill=False,
                                        ec=STAGE_COLORS[stage], ls=style, lw=1.0))
            b, a = (_record(frame, g, posture, side) for g in ("before", "after"))
            ax.set_title(f"{side}: area {b['foraminal_area_mm2']:.0f} -> {a['foraminal_area_mm2']:.0f} mm²\n"
                         f"recess {b['lateral_recess_depth_mm']:.1f} -> {a['lateral_recess_depth_mm']:.1f} mm",
                         fontsize=9)
            ax.set_xlim(lo[0], hi[0])
            ax.set_ylim(lo[1], hi[1])
            ax.set_aspect("equal")
            ax.grid(False)
            ax.set_xlabel("x [mm] (anterior +)")
        axes[0].set_ylabel("y [mm] (cranial +)")
        ax = axes[2]
        x = np.arange(2 * len(ROOTS))
        labels = [f"{name} {side[0].upper()}" for side in ("left", "right") for _, name in ROOTS]
        for k, stage in enumerate(("before", "after")):
            values = [_record(frame, stage, posture, side)[col] * MMHG_PER_KPA for side in ("left", "right")
                      for col, _ in ROOTS]
            ax.bar(x + (k - 0.5) * 0.4, values, 0.38, color=STAGE_COLORS[stage], label=stage,
                   hatch="" if stage == "after" else "///", edgecolor="white" if stage == "after" else "#555555")
        ax.set_xticks(x, labels, fontsize=7.5, rotation=40, ha="right", rotation_mode="anchor")
        ax.set_ylabel("contact pressure [mmHg]")
        ax.legend(frameon=False, fontsize=8)
        handles = [Line2D([], [], color=STAGE_COLORS["before"], ls="--", label="before"),
                   Line2D([], [], color=STAGE_COLORS["after"], ls="-", label="after")]
        fig.legend(handles=handles, loc="lower left", ncol=2, frameon=False, fontsize=8)
        names = ", ".join(n for n, _ in scenario.interventions) or "intervention.* values"
        fig.suptitle(f"{scenario.name}, {st.posture_label(posture)}: before and after {names}", x=0.01, ha="left",
                     fontsize=11)
        fig.subplots_adjust(left=0.07, right=0.99, top=0.82, bottom=0.2, wspace=0.3)
    return fig
