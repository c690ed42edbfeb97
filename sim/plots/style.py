"""One look for every report figure: fonts, units, colour-blind-safe palettes, posture order.

Postures keep one colour in every figure (Okabe & Ito 2008 palette); mirrored
postures (lateral bend and axial rotation, left and right) share their hue and
are told apart by name on the axis, by hatching in bars and by marker. Sides are
told apart by fill: the left side solid, the right side hatched. Maps use
``cividis`` (continuous) and an ordered five-step palette for the grades.

References
----------
Okabe M, Ito K (2008). Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
Nuñez JR, Anderton CR, Renslow RS (2018). Optimizing colormaps with consideration
for color vision deficiency. PLoS ONE 13(7): e0199239 (cividis).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402

from ..layout import DISTRIBUTIONS, GRADES  # noqa: E402
from ..outputs import output_label  # noqa: E402, F401  (figures read st.output_label; one home: sim.outputs)
from ..postures import BUILTIN_POSTURES  # noqa: E402
from ..units import MMHG_PER_KPA  # noqa: E402, F401  (figures read st.MMHG_PER_KPA)

DPI = 150  # PNG resolution of report figures; 10 in wide -> 1500 px
MAP_CMAP = "cividis"
DIVERGING_CMAP = "PuOr_r"  # ColorBrewer, colour-blind safe
DISCLAIMER_SHORT = "Research and teaching model; not a diagnostic device."

OKABE_ITO = {"orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
             "grey": "#999999"}

POSTURE_COLORS = {
    "supine": OKABE_ITO["grey"],
    "standing": OKABE_ITO["black"],
    "sitting": OKABE_ITO["sky_blue"],
    "flexion": OKABE_ITO["blue"],
    "extension": OKABE_ITO["vermillion"],
    "lateral_bend_left": OKABE_ITO["green"],
    "lateral_bend_right": OKABE_ITO["green"],
    "axial_rotation_left": OKABE_ITO["orange"],
    "axial_rotation_right": OKABE_ITO["orange"],
    "lifting": OKABE_ITO["purple"],
}
_CUSTOM_COLORS = (OKABE_ITO["yellow"], "#882255", "#44AA99", "#332288", "#117733", "#AA4499")
POSTURE_MARKERS = {"supine": "o", "standing": "s", "sitting": "D", "flexion": "v", "extension": "^",
                   "lateral_bend_left": "<", "lateral_bend_right": ">", "axial_rotation_left": "P",
                   "axial_rotation_right": "X", "lifting": "*"}

#: Grades none..severe: light to dark, ordered, readable in grey scale (viridis end points).
GRADE_COLORS = dict(zip(GRADES, ("#F2F2F2", "#B8DE29", "#3CBB75", "#2D708E", "#440154")))
DISTRIBUTION_COLORS = dict(zip(DISTRIBUTIONS, ("#DDDDDD", OKABE_ITO["blue"], OKABE_ITO["orange"],
                                               OKABE_ITO["vermillion"])))

RC = {
    "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "xtick.labelsize": 9,
    "ytick.labelsize": 9, "legend.fontsize": 9, "figure.titlesize": 13, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "grid.linewidth": 0.6,
    "savefig.dpi": DPI, "figure.dpi": 100, "pdf.fonttype": 42, "svg.fonttype": "none",
    "axes.axisbelow": True, "legend.frameon": False, "hatch.linewidth": 0.8,
}



def style():
    """Context manager applying the report style (``with style(): ...``)."""
    return plt.rc_context(RC)


def posture_order(names) -> list[str]:
    """Built-in postures in :data:`sim.loads.BUILTIN_POSTURES` order, then custom ones as given."""
    names = list(dict.fromkeys(str(n) for n in names))
    builtin = [p for p in BUILTIN_POSTURES if p in names]
    return builtin + [p for p in names if p not in BUILTIN_POSTURES]


def posture_color(name: str) -> str:
    """Colour of a posture: its own for built-in postures, a fixed one from its name otherwise."""
    if name in POSTURE_COLORS:
        return POSTURE_COLORS[name]
    return _CUSTOM_COLORS[sum(map(ord, name)) % len(_CUSTOM_COLORS)]


def posture_marker(name: str) -> str:
    """Matplotlib marker of a posture (a hexagon for custom postures)."""
    return POSTURE_MARKERS.get(name, "h")


def posture_hatch(name: str) -> str:
    """Mirrored right-hand postures are hatched so they differ from their left twin without colour."""
    return "...." if name.endswith("_right") else ""


def posture_label(name: str) -> str:
    """Short axis label: 'lat. bend L', 'axial rot. R'."""
    text = name.replace("lateral_bend_", "lat. bend ").replace("axial_rotation_", "axial rot. ")
    text = text.replace(" left", " L").replace(" right", " R")
    return text.replace("_", " ")


def param_label(key: str) -> str:
    """'pathology.slip_mm' -> 'slip [mm]' using the parameter's unit."""
    from ..params import spec_map

    spec = spec_map().get(key)
    name = key.split(".", 1)[-1]
    for suffix in ("_mm2", "_mm", "_kg", "_deg", "_n", "_nm", "_mmhg", "_pct", "_kpa", "_mpa"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    name = name.replace("_", " ").replace("l4 ", "L4 ").replace("l5 ", "L5 ").replace("drg", "DRG")
    unit = spec.unit if spec is not None and spec.unit else ""
    unit = {"mm2": "mm²", "": "-"}.get(unit, unit)
    return f"{name} [{unit}]"


def grade_thresholds(values: dict | None = None) -> dict:
    """Pressure thresholds [kPa] and deformation thresholds [%] of the grades mild, moderate, severe."""
    from ..params import defaults

    v = dict(defaults())
    if values:
        v.update({k: val for k, val in values.items() if k.startswith("grading.")})
    levels = ("mild", "moderate", "severe")
    return {"pressure_kpa": {g: float(v[f"grading.{g}_pressure_mmhg"]) / MMHG_PER_KPA for g in levels},
            "pressure_mmhg": {g: float(v[f"grading.{g}_pressure_mmhg"]) for g in levels},
            "deformation_pct": {g: float(v[f"grading.{g}_deformation_pct"]) for g in levels}}


THRESHOLD_STYLE = {"mild": dict(color="#444444", ls=":", lw=1.2),
                   "moderate": dict(color="#444444", ls="--", lw=1.1),
                   "severe": dict(color="#111111", ls="-.", lw=1.1)}


def draw_thresholds(ax, levels: dict, unit: str, fmt: str = "{:g}", label: bool = True, outside: bool = True):
    """Horizontal grade-threshold lines, each labelled at the right edge ('severe 100 mmHg').

    Parameters
    ----------
    levels : dict grade -> (y in data units, value to print)
    unit : str printed after the value
    """
    import matplotlib.transforms as mtransforms

    trans = mtransforms.blended_transform_factory(ax.transAxes, ax.transData)
    for grade, (y, shown) in levels.items():
        ax.axhline(y, zorder=1.5, **THRESHOLD_STYLE[grade])
        if not label or y > ax.get_ylim()[1]:
            continue
        ax.text(1.01 if outside else 0.995, y, f"{grade}\n{fmt.format(shown)} {unit}" if outside else
                f"{grade} {fmt.format(shown)} {unit}", transform=trans, fontsize=7.5,
                va="center" if outside else "bottom", ha="left" if outside else "right", color="#222222",
                zorder=5, clip_on=False, linespacing=0.95,
                bbox=None if outside else dict(facecolor="white", edgecolor="none", alpha=0.75, pad=0.3))


def threshold_ticks(ax, levels: dict, short: bool = True):
    """Grade thresholds as lines plus right-hand tick labels (no text over the data)."""
    names = {"mild": "mild", "moderate": "mod." if short else "moderate", "severe": "severe"}
    top = ax.get_ylim()[1]
    shown = {g: y for g, y in levels.items() if y <= top}
    for grade, y in shown.items():
        ax.axhline(y, zorder=1.5, **THRESHOLD_STYLE[grade])
    sec = ax.secondary_yaxis("right")
    sec.set_yticks(list(shown.values()), [names[g] for g in shown])
    sec.tick_params(labelsize=7.5, length=3, pad=1)
    return sec


def wrap_note(fig, text: str, fontsize: float = 7.5, width_fraction: float = 0.98) -> str:
    """``text`` wrapped to the figure's width (DejaVu Sans: about 0.55 em a character), so no note is cut off."""
    import textwrap

    chars = int(fig.get_size_inches()[0] * width_fraction * 72.0 / (0.55 * fontsize))
    return textwrap.fill(text, max(chars, 20))


def add_note(fig, text: str, y: float = 0.01, fontsize: float = 7.5, x: float = 0.01):
    """A grey note at the bottom left, wrapped to the figure width; returns its number of lines."""
    wrapped = wrap_note(fig, text, fontsize, width_fraction=0.98 - x)
    fig.text(x, y, wrapped, fontsize=fontsize, color="#444444", va="bottom", ha="left")
    return wrapped.count("\n") + 1


def kpa_mmhg(kpa: float, digits: int = 1) -> str:
    """'6.7 kPa (50 mmHg)': pressures in both units, since the compression literature uses mmHg."""
    return f"{kpa:.{digits}f} kPa ({kpa * MMHG_PER_KPA:.0f} mmHg)"


def cell_edges(values):
    """Edges of map cells centred on sorted ``values``, the outer edges clipped to the swept range,
    so that a map's axes never extend beyond what was swept."""
    import numpy as np

    v = np.asarray(values, float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2.0
    return np.concatenate([[v[0]], mid, [v[-1]]])


def add_footer(fig, text: str = DISCLAIMER_SHORT, y: float = 0.005):
    """Write ``text`` (the short disclaimer) in small grey type at the bottom right of ``fig``."""
    fig.text(0.995, y, text, ha="right", va="bottom", fontsize=7, color="#666666")


def save(fig, path, dpi: int = DPI):
    """Save ``fig`` to ``path``, close it, and return ``path``."""
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
