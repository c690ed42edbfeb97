"""Parameter definitions: name, unit, default, allowed range and literature source.

The data live in ``sim/data/parameters.toml`` (one table per parameter, grouped by
scenario section); this module turns them into :class:`ParamSpec` objects, the
default values, and the checks with their one-line error messages.

References
----------
Sources are keyed into ``sim/data/sources.toml``.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .errors import SimInputError
from .layout import HERNIATION_ZONES

SECTIONS = ("anatomy", "pathology", "tissue", "lifting", "grading", "referral", "hip", "intervention",
            "claudication", "canal")

#: Old name -> new name.  Renamed keys keep working and say so once.
RENAMED_KEYS: dict[str, str] = {}


@dataclass(frozen=True)
class ParamSpec:
    """One model parameter: ``section.name`` with unit, default and range."""

    section: str
    name: str
    default: float | str
    unit: str
    min: float | None
    max: float | None
    choices: tuple[str, ...] | None
    source: str
    note: str

    @property
    def key(self) -> str:
        """Flat key ``section.name`` of the parameter."""
        return f"{self.section}.{self.name}"

    @property
    def categorical(self) -> bool:
        """True if the parameter takes one of a set of named choices."""
        return self.choices is not None

    def allowed(self) -> str:
        """Allowed values as text: the choices, or the range with its unit."""
        if self.categorical:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        unit = "" if self.unit == "1" else self.unit  # a dimensionless fraction needs no unit
        return f"{self.min:g} to {self.max:g} {unit}".rstrip()

    def check(self, value):
        """Return ``value`` converted to the parameter's type, or raise SimInputError."""
        if self.categorical:
            if not isinstance(value, str) or value not in self.choices:
                raise SimInputError(
                    f"{self.key} = {value!r} is not allowed; allowed: {self.allowed()}"
                )
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SimInputError(
                f"{self.key} = {value!r} must be a number; allowed range {self.allowed()}"
            )
        try:
            value = float(value)
        except OverflowError:
            text = str(value)
            raise SimInputError(f"{self.key} = {text[:12]}...({len(text)} digits) is too large; "
                                f"allowed range {self.allowed()}") from None
        if not math.isfinite(value) or value < self.min or value > self.max:
            raise SimInputError(
                f"{self.key} = {value:g} is out of range; allowed range {self.allowed()}"
            )
        return value


    def check_array(self, values) -> np.ndarray:
        """Vectorised :meth:`check`: the first bad element is named in the error."""
        arr = np.asarray(values)
        if self.categorical:
            arr = arr.astype(str)
            bad = ~np.isin(arr, self.choices)
            if bad.any():
                self.check(str(arr.ravel()[np.flatnonzero(bad.ravel())[0]]))
            return arr
        if arr.dtype.kind not in "fiu" or arr.dtype == bool:
            raise SimInputError(f"{self.key} must be numbers; allowed range {self.allowed()}")
        arr = arr.astype(float)
        bad = ~np.isfinite(arr) | (arr < self.min) | (arr > self.max)
        if bad.any():
            self.check(float(arr.ravel()[np.flatnonzero(bad.ravel())[0]]))
        return arr


@lru_cache(maxsize=None)
def _load_specs() -> tuple[ParamSpec, ...]:
    text = resources.files("sim.data").joinpath("parameters.toml").read_text()
    data = tomllib.loads(text)
    specs = []
    for section in SECTIONS:
        for name, entry in data.get(section, {}).items():
            choices = entry.get("choices")
            specs.append(
                ParamSpec(
                    section=section,
                    name=name,
                    default=entry["value"],
                    unit=entry.get("unit", ""),
                    min=entry.get("min"),
                    max=entry.get("max"),
                    choices=tuple(choices) if choices else None,
                    source=entry.get("source", ""),
                    note=entry.get("note", ""),
                )
            )
    return tuple(specs)


def all_specs() -> tuple[ParamSpec, ...]:
    """Every parameter, in file order."""
    return _load_specs()


@lru_cache(maxsize=None)
def spec_map() -> dict[str, ParamSpec]:
    """Spec of every parameter by flat key, in the order of the parameter table."""
    return {s.key: s for s in _load_specs()}


def get_spec(key: str) -> ParamSpec:
    """The spec of ``section.name``; an unknown key names the closest matches."""
    key = RENAMED_KEYS.get(key, key)
    specs = spec_map()
    if key in specs:
        return specs[key]
    close = difflib.get_close_matches(key, specs.keys(), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    section = key.split(".", 1)[0]
    if section not in SECTIONS and section not in ("scenario", "postures"):
        allowed = ", ".join(SECTIONS)
        raise SimInputError(f"unknown key {key!r}: section {section!r} is not one of {allowed}{hint}")
    raise SimInputError(f"unknown key {key!r}{hint}")


def defaults() -> dict[str, float | str]:
    """The default parameter set as a flat ``{"section.name": value}`` mapping."""
    return {s.key: s.default for s in _load_specs()}


def numeric_keys() -> tuple[str, ...]:
    """Flat keys of the numeric (non-categorical) parameters, in the order of the parameter table."""
    return tuple(s.key for s in _load_specs() if not s.categorical)


#: The parameters the cross-parameter checks read, and the only ones they are given.
CONSISTENCY_KEYS = (
    "anatomy.disc_height_posterior_mm", "anatomy.disc_height_anterior_mm", "pathology.disc_height_loss_mm",
    "anatomy.disc_depth_mm", "anatomy.foraminal_height_mm",
    "pathology.slip_mm", "pathology.slip_instability_mm", "pathology.herniation_zone",
    "pathology.herniation_size_mm", "anatomy.lateral_recess_depth_mm", "tissue.central_herniation_reach",
    "anatomy.foraminal_width_mm", "tissue.extraforaminal_clearance_mm", "anatomy.l4_root_diameter_mm",
    "grading.mild_pressure_mmhg", "grading.moderate_pressure_mmhg", "grading.severe_pressure_mmhg",
    "grading.mild_deformation_pct", "grading.moderate_deformation_pct", "grading.severe_deformation_pct",
    "intervention.postop_height_loss_mm",
)


def check_consistency(values: dict, zone_codes=None) -> None:
    """Cross-parameter checks: impossible geometry raises one line naming the key.

    ``values`` is a full flat mapping (defaults merged with overrides) of
    scalars or equal-length arrays; the first offending configuration is named.
    ``zone_codes``, if given, are the herniation zones as indices into ``HERNIATION_ZONES``
    (the caller's checked codes), compared instead of the labels.
    Only :data:`CONSISTENCY_KEYS` are read (a check of any other key fails
    loudly), and every check is monotone in each numeric parameter, which
    ``sim.sweep.corners_pass`` relies on.
    """
    v = {k: (values[k] if isinstance(values[k], str) else np.asarray(values[k])) for k in CONSISTENCY_KEYS}

    def first_bad(mask, *arrays):
        mask = np.broadcast_to(mask, np.broadcast(*arrays, mask).shape)
        if not mask.any():
            return None
        i = np.flatnonzero(mask.ravel())[0]
        return [float(np.broadcast_to(a, mask.shape).ravel()[i]) for a in arrays]

    hp, hl = v["anatomy.disc_height_posterior_mm"], v["pathology.disc_height_loss_mm"]
    bad = first_bad(hl > hp - 1.0, hl, hp)
    if bad:
        raise SimInputError(
            f"pathology.disc_height_loss_mm = {bad[0]:g} leaves less than 1 mm of posterior disc "
            f"height ({bad[1]:g} mm); allowed range 0 to {bad[1] - 1.0:g} mm")
    loss = v["intervention.postop_height_loss_mm"]
    bad = first_bad(hl + loss > np.minimum(hp, v["anatomy.disc_height_anterior_mm"]) - 1.0, loss, hl, hp)
    if bad:
        raise SimInputError(
            f"intervention.postop_height_loss_mm = {bad[0]:g} with pathology.disc_height_loss_mm = {bad[1]:g} "
            f"leaves less than 1 mm of disc height; allowed range 0 to {max(bad[2] - bad[1] - 1.0, 0.0):g} mm")
    # The foramen spans the disc space from pedicle to pedicle (foraminal height: inferior
    # cortex of the upper pedicle to superior cortex of the lower one), so it is taller
    # than the posterior disc it contains.
    fh = v["anatomy.foraminal_height_mm"]
    bad = first_bad(hp >= fh, hp, fh)
    if bad:
        raise SimInputError(
            f"anatomy.disc_height_posterior_mm = {bad[0]:g} is not below anatomy.foraminal_height_mm = {bad[1]:g}: "
            f"the foramen spans the disc space from pedicle to pedicle; allowed range below {bad[1]:g} mm")
    ha = v["anatomy.disc_height_anterior_mm"]
    bad = first_bad(hl > ha - 1.0, hl, ha)
    if bad:
        raise SimInputError(
            f"pathology.disc_height_loss_mm = {bad[0]:g} leaves less than 1 mm of anterior disc "
            f"height ({bad[1]:g} mm); allowed range 0 to {bad[1] - 1.0:g} mm")
    depth, slip, inst = v["anatomy.disc_depth_mm"], v["pathology.slip_mm"], v["pathology.slip_instability_mm"]
    bad = first_bad(slip + inst > depth, slip, inst, depth)
    if bad:
        raise SimInputError(
            f"pathology.slip_mm = {bad[0]:g} (plus slip_instability_mm {bad[1]:g}) slips L4 beyond "
            f"the L5 endplate ({bad[2]:g} mm); allowed range 0 to {bad[2] - bad[1]:g} mm")
    zone = np.asarray(v["pathology.herniation_zone"] if zone_codes is None else zone_codes)
    for code, z in enumerate(HERNIATION_ZONES):  # one comparison per zone (np.unique of 1e5 labels cost more)
        in_zone = zone == (z if zone_codes is None else code)
        if z == "none" or not np.any(in_zone):
            continue
        size = v["pathology.herniation_size_mm"]
        limit = herniation_limit_mm({**v, "pathology.herniation_zone": z})
        bad = first_bad(in_zone & (size > limit), size, limit)
        if bad:
            raise SimInputError(
                f"pathology.herniation_size_mm = {bad[0]:g} is bigger than the {z} zone allows; "
                f"allowed range 0 to {bad[1]:g} mm")
    for lo, hi in (("mild", "moderate"), ("moderate", "severe")):
        for kind, unit in (("pressure_mmhg", "mmHg"), ("deformation_pct", "%")):
            a, b = v[f"grading.{lo}_{kind}"], v[f"grading.{hi}_{kind}"]
            bad = first_bad(a > b, b, a)
            if bad:
                raise SimInputError(
                    f"grading.{hi}_{kind} = {bad[0]:g} is below grading.{lo}_{kind} = {bad[1]:g}; "
                    f"allowed range {bad[1]:g} or more {unit}")


def herniation_limit_mm(values: dict):
    """Largest herniation the zone's space allows [mm].

    A herniation cannot protrude further than the space it enters: the recess
    (scaled by the reach of a midline herniation) for central, the lateral
    recess for subarticular, the foraminal width for foraminal, and the
    extraforaminal room plus the root for extraforaminal herniations.
    """
    zone = values["pathology.herniation_zone"]
    if zone == "central":
        return values["anatomy.lateral_recess_depth_mm"] / np.maximum(values["tissue.central_herniation_reach"], 1e-9)
    if zone == "subarticular":
        return values["anatomy.lateral_recess_depth_mm"]
    if zone == "foraminal":
        return values["anatomy.foraminal_width_mm"]
    if zone == "extraforaminal":
        return values["tissue.extraforaminal_clearance_mm"] + values["anatomy.l4_root_diameter_mm"]
    return math.inf
