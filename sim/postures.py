"""Postures: the built-in table (``sim/data/postures.toml``) and postures defined in scenario files.

Plain data, without numba, so that reading a scenario does not load the
kernels; the loads themselves are computed in ``sim.loads``.  A posture is
either trunk angles and loads (the trunk model of ``sim.loads`` turns them
into compression, shear and moments, and the posture imposes the L4-L5
rotations) or a load case (explicit follower load, shear and moments, as in
the in vitro and finite-element literature), packed as one row of the posture
table both engines read.

References
----------
Pearcy M et al. (1984) Spine 9(3):294-297; Levine D et al. (2007) J Athl Train
42(1):29-34 (lumbar sagittal position walking vs standing); Takahashi K et al.
(1995) Spine 20(24):2746-2749 (epidural pressure peaks at double support); Endo K et al. (2012) J Orthop Sci
17(6):682-686; Issa TZ et al. (2023) Asian Spine J 17(4):721; Wilke H-J et al.
(1999) Spine 24(8):755-762 (validation only).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources

import numpy as np

from .errors import SimInputError

#: Built-in posture names in report order.
BUILTIN_POSTURES = (
    "supine",
    "standing",
    "sitting",
    "flexion",
    "extension",
    "lateral_bend_left",
    "lateral_bend_right",
    "axial_rotation_left",
    "axial_rotation_right",
    "lifting",
    # appended after the static postures so that their codes do not change
    "walking",
    "walking_forward_leaning",
    "walking_loaded",
)
#: The static postures a scenario runs when it names none (walking is for ``sim timeline`` and
#: for scenarios and sweeps that name it).
STATIC_POSTURES = BUILTIN_POSTURES[:10]
#: Activities of ``sim timeline`` (built-in postures held for minutes).
ACTIVITIES = ("standing", "walking", "walking_forward_leaning", "walking_loaded", "sitting", "supine")

#: Inputs of the trunk model from the [lifting] section, in the order both engines take them
#: (contiguous in the packed row).  The first two are the lifting posture's own angle and load.
LIFTING_KEYS = (
    "lifting.trunk_flexion_deg", "lifting.hand_load_kg", "lifting.upper_body_mass_fraction",
    "lifting.upper_body_com_lever_mm", "lifting.trunk_length_mm", "lifting.hand_forward_reach_mm",
    "lifting.extensor_moment_arm_mm", "lifting.upright_com_offset_mm", "lifting.flexor_moment_arm_mm",
    "lifting.lateral_moment_arm_mm", "lifting.axial_moment_arm_mm", "lifting.cocontraction_force_n",
    "lifting.extensor_line_obliquity_deg", "lifting.disc_inclination_deg", "lifting.pelvic_share",
    "lifting.segment_per_trunk", "lifting.segment_flexion_limit_deg", "lifting.segment_extension_limit_deg",
)
#: The segment's moment-rotation constants the trunk model needs, in the order both engines take them.
LAW_KEYS = (
    "tissue.flexion_toe_stiffness_nm_per_deg", "tissue.flexion_stiffening_per_deg",
    "tissue.extension_toe_stiffness_nm_per_deg", "tissue.extension_stiffening_per_deg",
    "tissue.lateral_toe_stiffness_nm_per_deg", "tissue.lateral_stiffening_per_deg",
    "tissue.axial_toe_stiffness_nm_per_deg", "tissue.axial_stiffening_per_deg",
)

#: Posture kinds (first column of a posture-table row).
LOAD_CASE, TRUNK, LIFTING = 0.0, 1.0, 2.0
KINDS = {"load_case": LOAD_CASE, "trunk": TRUNK, "lifting": LIFTING}
#: Load-case keys, in the order of :class:`Posture`'s positional fields.
LOAD_KEYS = ("follower_load_n", "flexion_moment_nm", "lateral_moment_nm", "axial_moment_nm", "shear_force_n")
#: Trunk-posture keys.
TRUNK_POSTURE_KEYS = ("trunk_flexion_deg", "trunk_lateral_deg", "segment_flexion_deg", "segment_lateral_deg",
                      "segment_axial_deg", "disc_inclination_deg", "hand_load_kg", "supported",
                      "vertical_load_factor")


@dataclass(frozen=True)
class Posture:
    """A posture: a load case (explicit loads for a 70 kg person) or trunk angles and loads."""

    name: str
    follower_load_n: float = 0.0
    flexion_moment_nm: float = 0.0
    lateral_moment_nm: float = 0.0
    axial_moment_nm: float = 0.0
    shear_force_n: float = 0.0
    kind: str = "load_case"
    trunk_flexion_deg: float = 0.0
    trunk_lateral_deg: float = 0.0
    segment_flexion_deg: float = 0.0
    segment_lateral_deg: float = 0.0
    segment_axial_deg: float = 0.0
    disc_inclination_deg: float = 0.0
    hand_load_kg: float = 0.0
    supported: bool = False
    vertical_load_factor: float = 1.0
    source: str = ""
    note: str = ""

    def row(self) -> np.ndarray:
        """Packed row of the posture table read by both engines (positions: :data:`ROW`)."""
        return np.array([KINDS[self.kind], self.follower_load_n, self.shear_force_n, self.flexion_moment_nm,
                         self.lateral_moment_nm, self.axial_moment_nm, self.trunk_flexion_deg,
                         self.trunk_lateral_deg, self.segment_flexion_deg, self.segment_lateral_deg,
                         self.segment_axial_deg, self.disc_inclination_deg, self.hand_load_kg,
                         1.0 if self.supported else 0.0, self.vertical_load_factor])


#: Positions in :meth:`Posture.row`.
ROW = {name: i for i, name in enumerate(
    ("kind", "follower_load_n", "shear_force_n", "flexion_moment_nm", "lateral_moment_nm", "axial_moment_nm")
    + TRUNK_POSTURE_KEYS)}


@lru_cache(maxsize=None)
def builtin_postures() -> dict[str, Posture]:
    """Built-in postures by name, read from the package data."""
    data = tomllib.loads(resources.files("sim.data").joinpath("postures.toml").read_text())
    names = {f.name for f in fields(Posture)}
    return {name: Posture(name=name, **{k: v for k, v in data[name].items() if k in names})
            for name in BUILTIN_POSTURES}


_RANGES = {
    "follower_load_n": (0.0, 6000.0, "N"),
    "shear_force_n": (-2000.0, 2000.0, "N"),
    "flexion_moment_nm": (-30.0, 30.0, "N m"),
    "lateral_moment_nm": (-30.0, 30.0, "N m"),
    "axial_moment_nm": (-30.0, 30.0, "N m"),
    "trunk_flexion_deg": (-40.0, 110.0, "deg"),
    "trunk_lateral_deg": (-45.0, 45.0, "deg"),
    "segment_flexion_deg": (-10.0, 15.0, "deg"),
    "segment_lateral_deg": (-10.0, 10.0, "deg"),
    "segment_axial_deg": (-5.0, 5.0, "deg"),
    "disc_inclination_deg": (-30.0, 30.0, "deg"),
    "hand_load_kg": (0.0, 60.0, "kg"),
    "vertical_load_factor": (1.0, 3.0, "1"),
}


def custom_posture(name: str, table: dict) -> Posture:
    """A posture defined in a scenario file, checked key by key.

    Load keys (``follower_load_n`` ...) make a load case, trunk keys
    (``trunk_flexion_deg`` ...) a trunk posture; the two do not mix.
    """
    values: dict = {}
    for key, value in table.items():
        if key in ("source", "note"):
            continue
        if key == "supported":
            if not isinstance(value, bool):
                raise SimInputError(f"postures.{name}.supported = {value!r} must be true or false")
            values[key] = value
            continue
        if key not in _RANGES:
            allowed = ", ".join(list(_RANGES) + ["supported"])
            raise SimInputError(f"unknown key 'postures.{name}.{key}'; allowed: {allowed}")
        lo, hi, unit = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise SimInputError(
                f"postures.{name}.{key} = {value!r} is out of range; allowed range {lo:g} to {hi:g} {unit}")
        values[key] = float(value)
    trunk = [k for k in values if k in TRUNK_POSTURE_KEYS]
    load = [k for k in values if k in LOAD_KEYS]
    if trunk and load:
        raise SimInputError(f"postures.{name} mixes loads ({load[0]}) and trunk angles ({trunk[0]}); give one kind")
    return Posture(name=name, kind="trunk" if trunk else "load_case", source="scenario file", **values)
