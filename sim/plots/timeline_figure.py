"""Figure of a symptom timeline (``sim timeline``, claudication model): pain per region against time."""

from __future__ import annotations

import numpy as np

from . import style as st

plt = st.plt
#: Colours of the activity bands (built-in posture colours where they exist).
_WALKING = {"walking": st.OKABE_ITO["vermillion"], "walking_forward_leaning": st.OKABE_ITO["blue"],
            "walking_loaded": st.OKABE_ITO["purple"]}


def _activity_color(name: str) -> str:
    return _WALKING.get(name) or st.posture_color(name)


def _distinct_curves(pains: np.ndarray, floor: float = 0.05, tol: float = 0.01) -> list[list[int]]:
    """Columns of ``pains`` that hurt (peak >= ``floor``), grouped where their curves coincide within ``tol``
    points: regions one root feeds in the same share hurt alike, and one line per group keeps none hidden."""
    groups: list[list[int]] = []
    for j in range(pains.shape[1]):
        if pains[:, j].max() < floor:
            continue
        for g in groups:
            if np.max(np.abs(pains[:, j] - pains[:, g[0]])) <= tol:
                g.append(j)
                break
        else:
            groups.append([j])
    return groups


def timeline_figure(result: dict, side: str | None = None):
    """Pain of every region that hurts against time, activity bands behind, thresholds and the three times.

    ``result`` is :func:`sim.symptom_timeline.timeline` (sampled finely for a smooth curve);
    ``side`` defaults to the side with the earlier onset (left on a tie).
    """
    from ..referral import PAIN_OUTPUTS
    from ..symptom_timeline import records_array

    if side is None:
        on = {s: v["time_to_first_symptoms_min"] for s, v in result["sides"].items()}
        side = min(on, key=lambda s: (np.inf if on[s] is None else on[s], s))
    minutes, pains, activities = records_array(result, side)
    with st.style():
        fig, ax = plt.subplots(figsize=(8.6, 5.0))
        start = 0.0
        for step in result["schedule"]:
            ax.axvspan(start, start + step["minutes"], color=_activity_color(step["activity"]), alpha=0.10, lw=0)
            ax.text(start + 0.5 * step["minutes"], 10.35, step["activity"].replace("_", " "), ha="center",
                    va="bottom", fontsize=8)
            start += step["minutes"]
        shown = _distinct_curves(pains)
        colours = plt.get_cmap("tab10")
        for k, group in enumerate(shown):
            ax.plot(minutes, pains[:, group[0]], lw=1.6, color=colours(k % 10),
                    label=" = ".join(PAIN_OUTPUTS[j][5:].replace("_", " ") for j in group))
        ax.axhline(result["onset_pain"], color="grey", ls="--", lw=0.9)
        ax.axhline(result["stop_pain"], color="black", ls=":", lw=0.9)
        ax.text(minutes[-1], result["onset_pain"] + 0.1, "symptoms", ha="right", va="bottom", fontsize=7, color="grey")
        ax.text(minutes[-1], result["stop_pain"] + 0.1, "stop", ha="right", va="bottom", fontsize=7)
        sides = result["sides"][side]
        # onset label left of its line, stop label right of its own: close times never overprint
        for key, label, align in (("time_to_first_symptoms_min", "onset", "right"),
                                  ("time_to_stop_min", "stop", "left")):
            if sides[key] is not None:
                ax.axvline(sides[key], color="black", lw=0.7, alpha=0.6)
                ax.text(sides[key], -0.9, f" {label} {sides[key]:.1f} ", ha=align, va="top", fontsize=7)
        ax.set_xlim(0.0, minutes[-1])
        ax.set_ylim(0.0, 11.2)
        ax.set_xlabel("time [min]")
        ax.set_ylabel("pain [0-10]")
        if shown:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=min(len(shown), 5), fontsize=7,
                      frameon=False)
        rec = result["recovery_min"]
        rec_text = "no symptoms to recover from" if rec == 0.0 else (
            "no recovery in the last activity" if rec is None else f"recovery {rec:.1f} min into the last activity")
        fig.suptitle(f"{result['scenario']}: symptoms against time ({side} side); {rec_text}", fontsize=10)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.3)
        st.add_footer(fig, y=0.002)
    return fig
