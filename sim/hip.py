"""The hip joint as a pain source beside the L4 and L5 roots.

Intra-articular hip pain (osteoarthritis, labral disease) refers to the
buttock, the groin and the thigh, sometimes below the knee, and it is provoked
by weight bearing and hip rotation, not by the posture of the lumbar spine.
This module gives that source the same shape as the roots' referral stage
(:mod:`sim.referral`): a drive 0-1 and a map of region weights, so the
differential (:mod:`sim.diagnosis`) can put the three sources side by side.

1. drive: ``f_hip = severity * max_pain / 10 * (rest + (1 - rest) * provocation)``;
   ``severity`` (``hip.severity``, 0-1) scales it linearly, ``provocation`` (0-1)
   is the manoeuvre's load on the joint (``sim/data/hip.toml``; weight-bearing
   end-range internal rotation is 1), ``rest`` (``hip.rest_fraction``) the share
   felt lying still;
2. region pain: ``pain_r = 10 v_r f_hip`` with ``v = w / max(w)``, ``w_r`` the share
   of patients with injection-confirmed hip pain who feel pain in region ``r``
   (Lesher 2008), so the buttock carries the full intensity.

The records of ``sim run`` stay the roots' pain: the hip has no mechanics in
the kernels, and a scenario without a symptomatic hip gives the same records
as before (the hip parameters are read here only).

References
----------
lesher2008 (referral map), pateder2007 (pain of concomitant hip and spine OA),
cibulka2004, brown2004 (weight bearing and internal rotation provoke the hip),
bergmann2001 (hip contact force of activities).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

import numpy as np

from .referral import PAIN_MAX, REGIONS, referral_data

#: Values of ``hip.side`` and the body sides each one affects.
HIP_SIDES = {"left": ("left",), "right": ("right",), "both": ("left", "right")}


@lru_cache(maxsize=None)
def hip_data() -> dict:
    """The cited hip data of ``sim/data/hip.toml`` (parsed once)."""
    data = tomllib.loads(resources.files("sim.data").joinpath("hip.toml").read_text(encoding="utf-8"))
    if tuple(k for k in data["regions"] if k != "note") != REGIONS:
        raise ValueError(f"hip.toml regions differ from sim.referral.REGIONS {REGIONS}")
    return data


def lesher_areas() -> dict[str, float]:
    """Share of patients with pain in each area of Lesher's chart (fraction, 0-1).

    Examples
    --------
    >>> lesher_areas()["buttock"], lesher_areas()["knee"]
    (0.71, 0.02)
    """
    table = referral_data()["hip_joint_referral"]
    areas = {k: float(v) for k, v in table.items() if isinstance(v, (int, float))}
    extra = hip_data()["lesher_areas"]
    areas.update({k: float(v) for k, v in extra.items() if isinstance(v, (int, float))})
    return areas


def region_shares() -> np.ndarray:
    """Share ``w_r`` of hip-pain patients with pain in each region, REGIONS order (fraction, 0-1).

    Examples
    --------
    >>> round(float(region_shares()[REGIONS.index("groin")]), 2)  # Lesher 2008: 55 %
    0.55
    """
    areas = lesher_areas()
    table = hip_data()["regions"]
    return np.array([sum(areas[a] * float(part) for a, part in table[r]) for r in REGIONS])


def region_weights() -> np.ndarray:
    """Relative weights ``v_r = w_r / max w`` of the hip's regions (buttock = 1), REGIONS order."""
    w = region_shares()
    return w / w.max()


def provocation(manoeuvre: str) -> float:
    """Hip provocation 0-1 of a manoeuvre (``sim/data/hip.toml`` [provocation]).

    Raises
    ------
    KeyError
        For a manoeuvre without a hip provocation (the caller names the allowed ones).
    """
    return float(hip_data()["provocation"][manoeuvre]["value"])


def hip_drive(severity, provocation_level, max_pain=7.2, rest_fraction=0.2):
    """Drive 0-1 of the hip source (equation 1).

    Parameters
    ----------
    severity : float or array_like
        ``hip.severity``, 0 (no symptomatic hip) to 1.
    provocation_level : float or array_like
        Load of the manoeuvre on the joint, 0 (lying) to 1 (weight-bearing end-range
        internal rotation).
    max_pain : float
        ``hip.max_pain``, pain 0-10 of a severity-1 hip at full provocation.
    rest_fraction : float
        ``hip.rest_fraction``, share of that pain felt at provocation 0.

    Returns
    -------
    float or numpy.ndarray in [0, 1]; exactly 0 when ``severity`` is 0.

    Examples
    --------
    >>> hip_drive(0.0, 1.0)
    0.0
    >>> round(hip_drive(1.0, 1.0), 2)
    0.72
    """
    level = rest_fraction + (1.0 - rest_fraction) * np.asarray(provocation_level, dtype=np.float64)
    out = np.asarray(severity, dtype=np.float64) * (max_pain / PAIN_MAX) * level
    return float(out) if out.ndim == 0 else out


def hip_region_pain(drive) -> np.ndarray:
    """Pain 0-10 per region of the hip source (equation 2), shape ``(..., 9)`` in REGIONS order."""
    return PAIN_MAX * np.asarray(drive, dtype=np.float64)[..., None] * region_weights()


def side_severity(values: dict, side: str) -> float:
    """Severity of the hip on body ``side`` ("left"/"right") from a scenario's flat values."""
    return float(values["hip.severity"]) if side in HIP_SIDES[values["hip.side"]] else 0.0


def hip_pain(values: dict, side: str, manoeuvre: str) -> np.ndarray:
    """Pain 0-10 per region of the hip on ``side`` during ``manoeuvre`` (REGIONS order).

    Examples
    --------
    >>> from sim import params
    >>> float(hip_pain(params.defaults(), "right", "standing").max())  # default: no symptomatic hip
    0.0
    """
    drive = hip_drive(side_severity(values, side), provocation(manoeuvre), float(values["hip.max_pain"]),
                      float(values["hip.rest_fraction"]))
    return hip_region_pain(drive)
