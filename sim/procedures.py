"""Named interventions (``--intervention NAME:key=value,...`` and a scenario's ``[interventions]``).

Plain data, without numba: each name is a small set of keys with ranges that
set the ``intervention.*`` parameters of the model (:mod:`sim.interventions`).
The model applies them in a fixed surgical order (:data:`ORDER`), whatever the
order given; each name may be given once, and combinations that make no sense
are refused with one line (a spacer in a fused segment; a discectomy without a
herniation).  See docs/interventions.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SimInputError

#: Surgical order in which the model applies them (the stage order of sim.interventions).
ORDER = ("posture_advice", "laminotomy", "medial_facetectomy", "foraminotomy", "discectomy", "interbody_fusion",
         "interspinous_spacer")
SIDES = ("left", "right", "both")
TERMS = ("none", "short", "long")
APPROACHES = ("posterior", "transforaminal", "lateral", "oblique", "anterior")
#: Post-operative disc height loss by term [mm]: short = 0.8 mm per g of nucleus removed, 1 g
#: (Brinckmann & Grootenboer 1991, in vitro); long = posterior height -2.5 mm at >= 2 years (Kim 1997).
POSTOP_HEIGHT_LOSS_MM = {"none": 0.0, "short": 0.8, "long": 2.5}
#: Cage centre by approach, as a share of the disc depth from its posterior margin: PLIF and TLIF
#: cages sit in the posterior half, lateral and oblique ones mid-disc, ALIF ones anteriorly
#: (Mahatthanatrakul 2022: a posterior cage opens the foramen more).
APPROACH_POSITION = {"posterior": 0.3, "transforaminal": 0.4, "lateral": 0.5, "oblique": 0.5, "anterior": 0.6}


@dataclass(frozen=True)
class Key:
    """One key of a named intervention: numeric range (``lo``, ``hi``, unit) or choices, and its default."""

    default: object
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    choices: tuple[str, ...] | None = None
    help: str = ""

    def allowed(self) -> str:
        """Allowed values as text."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return f"{self.lo:g} to {self.hi:g} {self.unit}".rstrip()


CATALOGUE: dict[str, dict[str, Key]] = {
    "posture_advice": {
        "flexion_bias_deg": Key(4.0, 0.0, 8.0, "deg", help="L4-L5 flexion added to every trunk posture"),
    },
    "laminotomy": {
        "side": Key("both", choices=SIDES),
        "fraction": Key(1.0, 0.0, 1.0, "", help="share of the ligamentum flavum removed"),
    },
    "medial_facetectomy": {
        "side": Key("both", choices=SIDES),
        "fraction": Key(0.5, 0.0, 1.0, "", help="share of the SAP's medial part removed"),
    },
    "foraminotomy": {
        "side": Key("both", choices=SIDES),
        "width_mm": Key(2.0, 0.0, 6.0, "mm", help="width the SAP face of the foramen is set back"),
    },
    "discectomy": {
        "fraction": Key(1.0, 0.0, 1.0, "", help="share of the herniation removed"),
        "term": Key("short", choices=TERMS,
                    help="post-operative disc height loss: none, short (0.8 mm), long (2.5 mm)"),
        "height_loss_mm": Key(None, 0.0, 5.0, "mm", help="post-operative disc height loss (instead of term)"),
    },
    "interbody_fusion": {
        "cage_height_mm": Key(11.0, 6.0, 18.0, "mm", help="cage height at its centre"),
        "lordosis_deg": Key(8.0, 0.0, 20.0, "deg", help="lordosis of the cage"),
        "approach": Key("lateral", choices=APPROACHES, help="sets the cage position unless position is given"),
        "position": Key(None, 0.1, 0.9, "", help="cage centre as a share of the disc depth from the back"),
        "subsidence_mm": Key(0.0, 0.0, 5.0, "mm"),
        "slip_reduction": Key(0.5, 0.0, 1.0, "", help="share of the slip reduced"),
        "rod_share": Key(0.0, 0.0, 0.8, "", help="share of the compression carried by rods (0: stand-alone)"),
    },
    "interspinous_spacer": {
        "height_mm": Key(10.0, 6.0, 16.0, "mm", help="spacer height"),
    },
}
assert tuple(CATALOGUE) == tuple(sorted(CATALOGUE, key=ORDER.index))


def _value(name: str, key: str, raw):
    spec = CATALOGUE[name][key]
    label = f"{name}:{key}"
    if spec.choices:
        if not isinstance(raw, str) or raw not in spec.choices:
            raise SimInputError(f"{label} = {raw!r} is not allowed; allowed: {spec.allowed()}")
        return raw
    if isinstance(raw, str):
        try:
            raw = float(raw)
        except ValueError:
            raise SimInputError(f"{label} = {raw!r} must be a number; allowed range {spec.allowed()}") from None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not spec.lo <= raw <= spec.hi:
        raise SimInputError(f"{label} = {raw!r} is out of range; allowed range {spec.allowed()}")
    return float(raw)


def parse_intervention(text: str) -> tuple[str, dict]:
    """``"NAME[:key=value,...]"`` -> (name, {key: value}), checked key by key."""
    name, _, rest = text.partition(":")
    name = name.strip()
    pairs = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        if "=" not in part:
            raise SimInputError(f"--intervention {text!r}: {part!r} must look like key=value")
        key, value = (x.strip() for x in part.split("=", 1))
        pairs[key] = value
    return check(name, pairs)


def check(name: str, table) -> tuple[str, dict]:
    """A named intervention with its keys checked and defaults filled in: (name, {key: value})."""
    if name not in CATALOGUE:
        raise SimInputError(f"intervention {name!r} is unknown; allowed: {', '.join(ORDER)}")
    if table is True:
        table = {}
    if not isinstance(table, dict):
        raise SimInputError(f"interventions.{name} must be a table of key = value (or {{}} for the defaults)")
    keys = CATALOGUE[name]
    out = {k: spec.default for k, spec in keys.items()}
    for key, raw in table.items():
        if key not in keys:
            raise SimInputError(f"unknown key {key!r} of intervention {name!r}; allowed: {', '.join(keys)}")
        out[key] = _value(name, key, raw)
    return name, out


def _sides(side: str) -> tuple[str, ...]:
    return ("left", "right") if side == "both" else (side,)


def parameters(interventions, values: dict) -> dict:
    """The ``intervention.*`` parameter values of a list of checked (name, keys) pairs.

    ``values`` are the scenario's other values (a discectomy needs a herniation).
    Refuses a name given twice and a spacer in a fused segment.
    """
    names = [n for n, _ in interventions]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice:
        raise SimInputError(f"intervention {twice!r} is given twice; give each once "
                            "(one side=both covers both sides; one fusion per segment)")
    if "interbody_fusion" in names and "interspinous_spacer" in names:
        raise SimInputError("interspinous_spacer with interbody_fusion: a fused segment cannot extend, the spacer "
                            "does nothing; give one of them")
    out: dict = {}
    for name, k in sorted(interventions, key=lambda item: ORDER.index(item[0])):
        if name == "posture_advice":
            out["intervention.flexion_bias_deg"] = k["flexion_bias_deg"]
        elif name in ("laminotomy", "medial_facetectomy", "foraminotomy"):
            stem, amount = {"laminotomy": ("flavectomy_{}_fraction", "fraction"),
                            "medial_facetectomy": ("facetectomy_{}_fraction", "fraction"),
                            "foraminotomy": ("foraminotomy_{}_mm", "width_mm")}[name]
            for side in _sides(k["side"]):
                out["intervention." + stem.format(side)] = k[amount]
        elif name == "discectomy":
            if values.get("pathology.herniation_zone") == "none" or values.get("pathology.herniation_size_mm") == 0:
                raise SimInputError(f"discectomy with no herniation: pathology.herniation_zone = "
                                    f"{values.get('pathology.herniation_zone')!r}, herniation_size_mm = "
                                    f"{values.get('pathology.herniation_size_mm')!r}; allowed with a herniation "
                                    "(zone other than 'none', size above 0 mm)")
            out["intervention.herniation_removed_fraction"] = k["fraction"]
            loss = k["height_loss_mm"] if k["height_loss_mm"] is not None else POSTOP_HEIGHT_LOSS_MM[k["term"]]
            out["intervention.postop_height_loss_mm"] = loss
        elif name == "interbody_fusion":
            out["intervention.cage_height_mm"] = k["cage_height_mm"]
            out["intervention.cage_lordosis_deg"] = k["lordosis_deg"]
            out["intervention.cage_position"] = (k["position"] if k["position"] is not None
                                                 else APPROACH_POSITION[k["approach"]])
            out["intervention.cage_subsidence_mm"] = k["subsidence_mm"]
            out["intervention.slip_reduction_fraction"] = k["slip_reduction"]
            out["intervention.rod_load_share"] = k["rod_share"]
            _check_cage(out, values)
        elif name == "interspinous_spacer":
            out["intervention.spacer_height_mm"] = k["height_mm"]
    return out


def _check_cage(out: dict, values: dict) -> None:
    """A cage must leave at least 1 mm of posterior disc height: ``H - s - p d tan(L) >= 1``."""
    import math

    depth = values.get("anatomy.disc_depth_mm", 33.0)
    h = out["intervention.cage_height_mm"]
    lever = out["intervention.cage_position"] * depth * math.tan(math.radians(out["intervention.cage_lordosis_deg"]))
    posterior = h - out["intervention.cage_subsidence_mm"] - lever
    if posterior < 1.0:
        raise SimInputError(
            f"interbody_fusion:cage_height_mm = {h:g} leaves {posterior:.1f} mm of posterior disc height with its "
            f"lordosis, position and subsidence; allowed range {lever + out['intervention.cage_subsidence_mm'] + 1:.1f}"
            " to 18 mm")


def help_text() -> str:
    """One paragraph per intervention with its keys, defaults and ranges (for ``--help`` and docs)."""
    lines = []
    for name in ORDER:
        keys = ", ".join(f"{k}={spec.default if spec.default is not None else '-'} ({spec.allowed()})"
                         for k, spec in CATALOGUE[name].items())
        lines.append(f"{name}: {keys}")
    return "\n".join(lines)
