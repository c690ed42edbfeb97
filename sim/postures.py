"""Posture load cases: the built-in table (``sim/data/postures.toml``) and postures defined in scenario files.

Plain data, without numba, so that reading a scenario does not load the
kernels; the loads themselves are computed in ``sim.loads``.

References
----------
Wilke H-J et al. (1999) Spine 24(8):755-762; Rohlmann A et al. (2009) J Biomech
42(16):2735-2741; Dreischarf M et al. (2014) J Biomech 47(8):1757-1766.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
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
)

#: Inputs of the static trunk model, in the order of :func:`lifting_loads` after body mass.
LIFTING_KEYS = ("lifting.trunk_flexion_deg", "lifting.hand_load_kg", "lifting.upper_body_mass_fraction",
                "lifting.upper_body_com_lever_mm", "lifting.trunk_length_mm", "lifting.hand_forward_reach_mm",
                "lifting.extensor_moment_arm_mm", "lifting.passive_moment_fraction")
#: Column of the posture table flagging the trunk model (see :meth:`Posture.row`).
LIFTING_FLAG = 4

LOAD_KEYS = ("follower_load_n", "flexion_moment_nm", "lateral_moment_nm", "axial_moment_nm")


@dataclass(frozen=True)
class Posture:
    """A posture load case for a 70 kg person; ``lifting`` uses the trunk model."""

    name: str
    follower_load_n: float
    flexion_moment_nm: float
    lateral_moment_nm: float
    axial_moment_nm: float
    lifting: bool = False
    source: str = ""
    note: str = ""

    def row(self) -> np.ndarray:
        """Packed row of the posture table used by both engines."""
        return np.array(
            [
                self.follower_load_n,
                self.flexion_moment_nm,
                self.lateral_moment_nm,
                self.axial_moment_nm,
                1.0 if self.lifting else 0.0,
            ]
        )


@lru_cache(maxsize=None)
def builtin_postures() -> dict[str, Posture]:
    data = tomllib.loads(resources.files("sim.data").joinpath("postures.toml").read_text())
    out = {}
    for name in BUILTIN_POSTURES:
        entry = data[name]
        out[name] = Posture(name=name, **{k: entry[k] for k in LOAD_KEYS},
                            lifting=bool(entry.get("lifting", False)),
                            source=entry.get("source", ""), note=entry.get("note", ""))
    return out


_LOAD_RANGES = {
    "follower_load_n": (0.0, 6000.0, "N"),
    "flexion_moment_nm": (-30.0, 30.0, "N m"),
    "lateral_moment_nm": (-30.0, 30.0, "N m"),
    "axial_moment_nm": (-30.0, 30.0, "N m"),
}


def custom_posture(name: str, table: dict) -> Posture:
    """A posture defined in a scenario file, checked key by key."""
    values = {}
    for key, value in table.items():
        if key in ("source", "note"):
            continue
        if key not in _LOAD_RANGES:
            raise SimInputError(
                f"unknown key 'postures.{name}.{key}'; allowed: {', '.join(_LOAD_RANGES)}"
            )
        lo, hi, unit = _LOAD_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise SimInputError(
                f"postures.{name}.{key} = {value!r} is out of range; allowed range {lo:g} to {hi:g} {unit}"
            )
        values[key] = float(value)
    for key in LOAD_KEYS:
        values.setdefault(key, 0.0)
    return Posture(name=name, **values, source="scenario file")
