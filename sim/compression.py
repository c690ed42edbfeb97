"""Stage 4, compression: roots in their beds -> deformation, contact pressure, grade.

L4 and its dorsal root ganglion lie in the foramen's chamber under the L4
pedicle, against the L4 body (qian2003, silverstein2015); they may shift by
their bed mobility ``m`` along roof or wall before they are pinched, but they
do not drop into the disc band.  The room they find is the free diameter
``s = 2 r`` of the largest circle in the chamber whose surface stays within
``m`` of that corner, ``(d_roof - r) + (d_wall - r) <= 2 m``: a linear
programme in (x, y, r) whose optimum sits where three constraints meet.  The
tether is on the surface, so the room does not depend on the root's size and
a thicker root is never less compressed.  The traversing L5 root lies in the
lateral recess, a one-dimensional bed whose room grows by a medial shift of
the root up to its bed mobility along the recess's opening angle.

A root of diameter ``D`` with room ``s`` (any sign) overlaps its bed by
``delta = D - s`` and is strained, with no ceiling,

    eps = delta / D                            0 <= delta <= e_c D  (the root flattens)     (1)
    eps = e_c + (delta - e_c D) / l_bed        beyond               (its bed is compressed)

(``e_c`` the largest flattening, ``l_bed`` the soft tissue squeezed with a
flat root), and presses on its boundary with the nonlinear transverse law of
soft nerve tissue

    p = min(E0 / b (exp(b eps) - 1), p_max)      [kPa]                                     (2)

``p_max = ROOT_PRESSURE_LIMIT_KPA`` is the strength of root tissue: a root
pressed harder is failing, the elastic law no longer holds, and the record
says so (``pressure_limit_reached``).  The flattening reported is
``min(eps, e_c)``.

Grades (codes 0-4) follow nerve-root physiology: ``contact`` when the root's
fat rim is gone (clearance below 0.5 mm, lee2010) or it is barely deformed;
``mild`` from 30 mmHg (venular stasis, olmarker1989) or 10 % deformation;
``moderate`` from 50 mmHg (capillary stasis, oedema; pedowitz1992) or 20 %;
``severe`` from 100 mmHg (conduction deficit, pedowitz1992) or 40 %.

References
----------
olmarker1989, pedowitz1992, takahashi1999 (7-256 mmHg on herniated roots),
lee2010, howe1977 (DRG mechanosensitivity), singh2006 (root strength).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .geometry import L4_WALL, ROOF
from .jit import njit
from .layout import GRADES  # noqa: F401  (codes 0-4, re-exported)
from .units import MMHG_PER_KPA

MAX_DEFORMATION = 0.95  # a root cannot flatten beyond this: further overlap compresses its bed
#: Strength of lumbosacral nerve roots, 257.9 +- 111.3 kPa (maximum stress, quasi-static
#: stretch to failure; Singh A, Lu Y, Chen C, Cavanaugh JM 2006, "Mechanical properties of
#: spinal nerve roots subjected to tension at different strain rates").  Contact pressure is
#: bounded by it: beyond it the root is failing, not elastic.
ROOT_PRESSURE_LIMIT_KPA = 258.0
TIE_MM = 1e-9  # radii closer than this are the same circle
LINEAR_STIFFENING = 1e-9  # below this the root law is linear (avoids 0/0)


def least_squeezed_circle(n, c, faces, roof_index, wall_index, mobility_mm):
    """Largest circle in the chamber whose surface stays within ``mobility_mm`` of the roof-wall corner.

    Constraints: ``n_i . p + r <= c_i`` for each face ``i`` in ``faces`` and
    ``(d_roof - r) + (d_wall - r) <= 2 m`` with ``d = c - n . p`` the centre's
    distance from roof and wall.  The optimum of a linear programme in three
    unknowns lies where three constraints are active: every triple is solved
    and the best feasible kept.  Ties within 1e-9 mm go to the position nearest
    the roof, then to the most anterior one.

    Returns
    -------
    x_mm, y_mm, radius_mm : centre and radius (negative when even a point does not fit)
    """
    faces = list(faces)
    rows = np.vstack([np.column_stack([n[faces], np.ones(len(faces))]),
                      [-(n[roof_index, 0] + n[wall_index, 0]), -(n[roof_index, 1] + n[wall_index, 1]), -2.0]])
    rhs = np.append(c[faces], 2.0 * mobility_mm - c[roof_index] - c[wall_index])
    best, best_height = (0.0, 0.0, -np.inf), -np.inf
    for triple in itertools.combinations(range(len(rows)), 3):
        m = rows[list(triple)]
        if abs(np.linalg.det(m)) < 1e-12:
            continue
        x, y, r = np.linalg.solve(m, rhs[list(triple)])
        if not np.all(rows @ np.array([x, y, r]) <= rhs + 1e-9):
            continue
        height = n[roof_index] @ np.array([x, y])
        if r > best[2] + TIE_MM or (r >= best[2] - TIE_MM and (
                height > best_height + TIE_MM or (height >= best_height - TIE_MM and x > best[0]))):
            best, best_height = (x, y, r), height
    return best


def interference_strain(diameter_mm, free_diameter_mm, bed_thickness_mm):
    """Nominal transverse strain of a root and its bed, equation (1) [-], no upper bound.

    Non-decreasing in ``diameter_mm`` and in ``-free_diameter_mm`` (the
    flattening branch applies only while the room exceeds ``(1 - e_c) D > 0``).

    Examples
    --------
    >>> interference_strain(5.0, 4.0, 2.0)
    0.2
    >>> round(interference_strain(5.0, -1.0, 2.0), 3)
    1.575
    """
    delta = max(diameter_mm - free_diameter_mm, 0.0)
    if delta <= MAX_DEFORMATION * diameter_mm:
        return delta / diameter_mm
    return MAX_DEFORMATION + (delta - MAX_DEFORMATION * diameter_mm) / bed_thickness_mm


def root_deformation(diameter_mm, free_diameter_mm):
    """Fractional flattening of a root of ``diameter_mm`` in a bed ``free_diameter_mm`` wide [-]."""
    e = np.maximum(diameter_mm - free_diameter_mm, 0.0) / diameter_mm
    return np.minimum(e, MAX_DEFORMATION)


def root_pressure_kpa(strain, modulus_kpa, stiffening):
    """Contact pressure on a root strained by ``strain`` [kPa], equation (2), at most ``ROOT_PRESSURE_LIMIT_KPA``.

    Examples
    --------
    >>> round(float(root_pressure_kpa(0.2, 20.0, 5.0)), 2)
    6.87
    >>> float(root_pressure_kpa(3.0, 10.0, 3.0)) == ROOT_PRESSURE_LIMIT_KPA
    True
    """
    strain = np.asarray(strain, dtype=float)
    limit = limit_strain(modulus_kpa, stiffening)
    e = np.minimum(strain, limit)
    if stiffening > LINEAR_STIFFENING:
        p = modulus_kpa / stiffening * np.expm1(stiffening * e)
    else:
        p = modulus_kpa * e
    # at or beyond the limit strain the pressure is the limit itself (not a rounding below it, so the flag holds)
    return np.where(strain >= limit, ROOT_PRESSURE_LIMIT_KPA, np.minimum(p, ROOT_PRESSURE_LIMIT_KPA))


def limit_strain(modulus_kpa, stiffening):
    """Strain at which equation (2) reaches ``ROOT_PRESSURE_LIMIT_KPA`` [-] (the law is not evaluated beyond)."""
    if stiffening > LINEAR_STIFFENING:
        return math.log1p(ROOT_PRESSURE_LIMIT_KPA * stiffening / modulus_kpa) / stiffening
    return ROOT_PRESSURE_LIMIT_KPA / modulus_kpa


def compression_grade(clearance_mm, deformation, pressure_kpa, grading):
    """Grade code 0-4 (none, contact, mild, moderate, severe) of one root.

    The worse of the pressure grade and the deformation grade; a root with
    clearance below ``contact_clearance_mm`` but no deformation is ``contact``.
    """
    if deformation <= 0.0:
        return 1 if clearance_mm < grading["contact_clearance_mm"] else 0
    mmhg = pressure_kpa * MMHG_PER_KPA
    pct = 100.0 * deformation
    grade = 1
    for code, level in ((2, "mild"), (3, "moderate"), (4, "severe")):
        if mmhg >= grading[f"{level}_pressure_mmhg"] or pct >= grading[f"{level}_deformation_pct"]:
            grade = code
    return grade


def recess_free_space_mm(depth_mm, mobility_mm, recess_angle_deg):
    """Room the L5 root can find in its recess: depth plus a medial shift along the opening angle [mm].

    References
    ----------
    Splettstosser A et al. (2017) Eur Spine J 26(8):2204-2210 (lateral recess measures).
    """
    return depth_mm + mobility_mm * math.tan(math.radians(recess_angle_deg))


def l4_exit_clearance_mm(clearance_mm, exit_clearance_mm, herniation_mm, bulge_mm):
    """Clearance of the exiting L4 root, counting an extraforaminal herniation beyond the foramen [mm].

    Beyond the foramen the root has ``exit_clearance_mm`` of room, part of
    which the bulge already takes; a herniation there takes the rest and then
    squeezes the root by its excess: ``clearance - max(0, h - max(0, X - bulge))``.

    References
    ----------
    Fardon DF et al. (2014) Spine 39(24):E1448-E1465 (extraforaminal zone).
    """
    return clearance_mm - max(herniation_mm - max(exit_clearance_mm - bulge_mm, 0.0), 0.0)


# ---------------------------------------------------------------- numba twins
N_PART_FACES = 5  # faces of the chamber (sim.geometry.CHAMBER)


@njit(cache=True, forceinline=True)
def _least_squeezed_circle(n, c, part, mobility, rows, rhs):
    """Twin of :func:`least_squeezed_circle` (roof ``ROOF``, wall ``L4_WALL``): (x, y, radius) [mm].

    ``rows`` (N_PART_FACES + 1, 3) and ``rhs`` (N_PART_FACES + 1,) are work arrays.
    """
    k = N_PART_FACES + 1
    j = 0
    for i in part:
        rows[j, 0], rows[j, 1], rows[j, 2] = n[i, 0], n[i, 1], 1.0
        rhs[j] = c[i]
        j += 1
    rows[N_PART_FACES, 0] = -(n[ROOF, 0] + n[L4_WALL, 0])
    rows[N_PART_FACES, 1] = -(n[ROOF, 1] + n[L4_WALL, 1])
    rows[N_PART_FACES, 2] = -2.0
    rhs[N_PART_FACES] = 2.0 * mobility - c[ROOF] - c[L4_WALL]
    bx, by, br, bh = 0.0, 0.0, -np.inf, -np.inf
    for i in range(k):
        for j in range(i + 1, k):
            for l in range(j + 1, k):  # noqa: E741
                a11, a12, a13 = rows[i, 0], rows[i, 1], rows[i, 2]
                a21, a22, a23 = rows[j, 0], rows[j, 1], rows[j, 2]
                a31, a32, a33 = rows[l, 0], rows[l, 1], rows[l, 2]
                det = (a11 * (a22 * a33 - a23 * a32) - a12 * (a21 * a33 - a23 * a31)
                       + a13 * (a21 * a32 - a22 * a31))
                if abs(det) < 1e-12:
                    continue
                b1, b2, b3 = rhs[i], rhs[j], rhs[l]
                r = (a11 * (a22 * b3 - b2 * a32) - a12 * (a21 * b3 - b2 * a31)
                     + b1 * (a21 * a32 - a22 * a31)) / det
                if r < br - TIE_MM:  # cannot beat the best: skip before solving for the centre
                    continue
                x = (b1 * (a22 * a33 - a23 * a32) - a12 * (b2 * a33 - a23 * b3)
                     + a13 * (b2 * a32 - a22 * b3)) / det
                y = (a11 * (b2 * a33 - a23 * b3) - b1 * (a21 * a33 - a23 * a31)
                     + a13 * (a21 * b3 - b2 * a31)) / det
                ok = True
                for m in range(k):
                    if rows[m, 0] * x + rows[m, 1] * y + rows[m, 2] * r > rhs[m] + 1e-9:
                        ok = False
                        break
                if ok:
                    h = n[ROOF, 0] * x + n[ROOF, 1] * y
                    if r > br + TIE_MM or h > bh + TIE_MM or (h >= bh - TIE_MM and x > bx):
                        bx, by, br, bh = x, y, r, h
    return bx, by, br


@njit(cache=True)
def _root_deformation(diameter_mm, free_diameter_mm):
    """Twin of :func:`root_deformation` [-]."""
    e = max(diameter_mm - free_diameter_mm, 0.0) / diameter_mm
    return min(e, MAX_DEFORMATION)


@njit(cache=True)
def _interference_strain(diameter_mm, free_diameter_mm, bed_thickness_mm):
    """Twin of :func:`interference_strain` [-]."""
    delta = max(diameter_mm - free_diameter_mm, 0.0)
    if delta <= MAX_DEFORMATION * diameter_mm:
        return delta / diameter_mm
    return MAX_DEFORMATION + (delta - MAX_DEFORMATION * diameter_mm) / bed_thickness_mm


@njit(cache=True)
def _root_pressure_kpa(strain, modulus_kpa, stiffening):
    """Twin of :func:`root_pressure_kpa` [kPa]."""
    if strain <= 0.0:  # a root not squeezed (most records): the law gives 0 without its log1p and expm1
        return 0.0
    if stiffening > LINEAR_STIFFENING:
        limit = math.log1p(ROOT_PRESSURE_LIMIT_KPA * stiffening / modulus_kpa) / stiffening
        p = modulus_kpa / stiffening * math.expm1(stiffening * min(strain, limit))
    else:
        limit = ROOT_PRESSURE_LIMIT_KPA / modulus_kpa
        p = modulus_kpa * min(strain, limit)
    if strain >= limit:
        return ROOT_PRESSURE_LIMIT_KPA
    return min(p, ROOT_PRESSURE_LIMIT_KPA)


@njit(cache=True)
def _compression_grade(clearance_mm, deformation, pressure_kpa, grading):
    """Twin of :func:`compression_grade` as a float code; ``grading`` the seven ``grading.*`` columns in order."""
    if deformation <= 0.0:
        return 1.0 if clearance_mm < grading[0] else 0.0
    mmhg = pressure_kpa * MMHG_PER_KPA
    pct = 100.0 * deformation
    grade = 1.0
    for code in range(3):
        if mmhg >= grading[1 + code] or pct >= grading[4 + code]:
            grade = 2.0 + code
    return grade


@njit(cache=True)
def _recess_free_space_mm(depth_mm, mobility_mm, recess_angle_deg):
    """Twin of :func:`recess_free_space_mm` [mm]."""
    return depth_mm + mobility_mm * math.tan(math.radians(recess_angle_deg))


@njit(cache=True)
def _l4_exit_clearance_mm(clearance_mm, exit_clearance_mm, herniation_mm, bulge_mm):
    """Twin of :func:`l4_exit_clearance_mm` [mm]."""
    return clearance_mm - max(herniation_mm - max(exit_clearance_mm - bulge_mm, 0.0), 0.0)
