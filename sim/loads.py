"""Stage 1, loads: posture -> compressive follower force and moments at L4-L5.

Static postures come from published load cases (a follower load along the
spinal curve plus pure moments, as in the multi-model lumbar FE comparisons);
lifting comes from a two-dimensional static trunk model.  All loads scale with
body mass relative to the 70 kg subject of the in vivo pressure data.

References
----------
wilke1999, rohlmann2009, dreischarf2014, waters1993, mcgill_norman1986,
dempster1955 (keys of ``sim/data/sources.toml``).
"""

from __future__ import annotations

import math

import numpy as np

from .jit import njit
from .postures import (BUILTIN_POSTURES, LIFTING_FLAG, LIFTING_KEYS, LOAD_KEYS, Posture,  # noqa: F401
                       builtin_postures, custom_posture)
from .units import GRAVITY_M_S2, REFERENCE_BODY_MASS_KG


def lifting_loads(body_mass_kg, trunk_flexion_deg, hand_load_kg, upper_body_mass_fraction,
                  upper_body_com_lever_mm, trunk_length_mm, hand_forward_reach_mm,
                  extensor_moment_arm_mm, passive_moment_fraction):
    """Compressive force and passive flexion moment at L4-L5 while lifting.

    Static sagittal trunk model: the upper body (mass fraction ``f`` of body
    mass, centre of mass at ``d_ub`` along the trunk) and the hand load (at the
    shoulders, ``L`` along the trunk, plus a forward reach ``r``) create the
    external flexion moment

        M = g [f m d_ub sin(a) + m_h (L sin(a) + r)]            (1)

    balanced by the erector spinae at lever ``e`` (force M/e) and a passive
    share ``p`` carried by disc and ligaments.  The compressive force is the
    muscle force plus the axial component of the weights:

        F = (1 - p) M / e + g (f m + m_h) cos(a)                 (2)

    Parameters
    ----------
    body_mass_kg : array_like [kg]
    trunk_flexion_deg : array_like [deg] trunk inclination from vertical
    hand_load_kg : array_like [kg]
    upper_body_mass_fraction : array_like [-]
    upper_body_com_lever_mm, trunk_length_mm, hand_forward_reach_mm,
    extensor_moment_arm_mm : array_like [mm]
    passive_moment_fraction : array_like [-]

    Returns
    -------
    force_n : compressive force [N]
    passive_moment_nm : flexion moment on the passive segment [N m]

    References
    ----------
    waters1993 (NIOSH 3.4 kN criterion), mcgill_norman1986 (extensor lever),
    dempster1955 (segment masses); validated against wilke1999 (2.3 MPa
    round-back 20 kg lift) and afshari2017 (1.4-4.0 kN).

    Examples
    --------
    >>> f, m = lifting_loads(70, 60, 20, 0.55, 200, 450, 100, 55, 0.05)
    >>> round(float(f))
    3172
    """
    a = np.radians(trunk_flexion_deg)
    m_ub = upper_body_mass_fraction * np.asarray(body_mass_kg, dtype=float)
    moment_nm = GRAVITY_M_S2 * (
        m_ub * upper_body_com_lever_mm * np.sin(a)
        + hand_load_kg * (trunk_length_mm * np.sin(a) + hand_forward_reach_mm)
    ) / 1000.0
    active = (1.0 - passive_moment_fraction) * moment_nm
    force = active / (extensor_moment_arm_mm / 1000.0) + GRAVITY_M_S2 * (m_ub + hand_load_kg) * np.cos(a)
    return force, passive_moment_fraction * moment_nm


def posture_loads(posture_row, body_mass_kg, lifting_params):
    """Loads of one posture row for one person.

    Parameters
    ----------
    posture_row : sequence of 5 floats, see :meth:`Posture.row`
    body_mass_kg : float [kg]
    lifting_params : sequence of 8 floats in the order of :data:`LIFTING_KEYS`

    Returns
    -------
    (follower_load_n, flexion_moment_nm, lateral_moment_nm, axial_moment_nm)
    """
    if posture_row[LIFTING_FLAG] > 0.5:
        trunk, hand, f_ub, d_ub, length, reach, lever, passive = lifting_params
        force, moment = lifting_loads(body_mass_kg, trunk, hand, f_ub, d_ub, length, reach,
                                      lever, passive)
        return float(force), float(moment), 0.0, 0.0
    scale = body_mass_kg / REFERENCE_BODY_MASS_KG
    return (posture_row[0] * scale, posture_row[1] * scale, posture_row[2] * scale,
            posture_row[3] * scale)


# ---------------------------------------------------------------- numba twins
@njit(cache=True)
def _lifting_loads(mass, trunk_deg, hand, f_ub, d_ub, length, reach, lever, passive):
    """Twin of :func:`lifting_loads` on scalars: (force [N], passive moment [N m])."""
    a = math.radians(trunk_deg)
    m_ub = f_ub * mass
    moment = GRAVITY_M_S2 * (m_ub * d_ub * math.sin(a) + hand * (length * math.sin(a) + reach)) / 1000.0
    force = (1.0 - passive) * moment / (lever / 1000.0) + GRAVITY_M_S2 * (m_ub + hand) * math.cos(a)
    return force, passive * moment


@njit(cache=True)
def _posture_loads(posture_row, body_mass_kg, lifting_params):
    """Twin of :func:`posture_loads`; ``lifting_params`` a float array in :data:`LIFTING_KEYS` order."""
    if posture_row[LIFTING_FLAG] > 0.5:
        q = lifting_params
        force, moment = _lifting_loads(body_mass_kg, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7])
        return force, moment, 0.0, 0.0
    scale = body_mass_kg / REFERENCE_BODY_MASS_KG
    return posture_row[0] * scale, posture_row[1] * scale, posture_row[2] * scale, posture_row[3] * scale


def _check():  # pragma: no cover - import-time sanity of the packaged table
    assert set(builtin_postures()) == set(BUILTIN_POSTURES)
    assert math.isfinite(sum(p.follower_load_n for p in builtin_postures().values()))
