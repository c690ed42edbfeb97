"""Stage 4, compression: roots in their beds -> deformation, contact pressure, grade.

L4 (and its dorsal root ganglion) lies in the upper chamber of the foramen,
hanging below the L4 pedicle (qian2003); it may shift in its fat bed by
``root_bed_mobility_mm`` before it is pinched, but it does not drop into the
stem below the SAP tip.  Its least-squeezed position is the centre of the largest circle that
fits the foramen with the centre no deeper below the roof than ``D/2 + m``: a
linear programme in (x, y, r) whose optimum sits where three constraints meet.
A root of diameter ``D`` in a bed of free diameter ``2 r`` deforms by

    e = max(0, D - 2 r) / D                                        (1)

and presses on its boundary with the nonlinear transverse law of soft nerve
tissue

    p = E0 / b (exp(b e) - 1)      [kPa]                            (2)

The traversing L5 root lies in the lateral recess, a one-dimensional bed
whose depth is opened by a medial shift of the root up to the bed mobility
along the recess's opening angle.

Grades (codes 0-4) follow nerve-root physiology: ``contact`` when the root's
fat rim is gone (clearance below 0.5 mm, lee2010) or it is barely deformed;
``mild`` from 30 mmHg (venular stasis, olmarker1989) or 10 % deformation;
``moderate`` from 50 mmHg (capillary stasis, oedema; pedowitz1992) or 20 %;
``severe`` from 100 mmHg (conduction deficit, pedowitz1992) or 40 %.

References
----------
olmarker1989, pedowitz1992, takahashi1999 (7-256 mmHg on herniated roots),
lee2010, howe1977 (DRG mechanosensitivity).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .layout import GRADES  # noqa: F401  (codes 0-4, re-exported)
from .units import MMHG_PER_KPA

MAX_DEFORMATION = 0.95  # a root cannot flatten beyond this; keeps pressure finite
TIE_MM = 1e-9  # radii closer than this are the same circle
LINEAR_STIFFENING = 1e-9  # below this the root law is linear (avoids 0/0)


def least_squeezed_circle(n, c, faces, roof_index, tether_mm):
    """Largest circle in one convex part whose centre is within ``tether_mm`` of the roof.

    Constraints: ``n_i . p + r <= c_i`` for each face ``i`` in ``faces`` and
    ``-n_roof . p <= tether - c_roof``.  The optimum of a linear programme in
    three unknowns lies where three constraints are active: every triple is
    solved and the best feasible kept.  When the circle could slide (two
    parallel faces bind it), the root stays as close to its pedicle as it can:
    ties within 1e-9 mm go to the position nearest the roof, then to the most
    anterior one, where the root crosses the disc.

    Returns
    -------
    x_mm, y_mm, radius_mm : centre and radius (negative when even a point does not fit)
    """
    faces = list(faces)
    rows = np.vstack([np.column_stack([n[faces], np.ones(len(faces))]),
                      [-n[roof_index, 0], -n[roof_index, 1], 0.0]])
    rhs = np.append(c[faces], tether_mm - c[roof_index])
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


def root_deformation(diameter_mm, free_diameter_mm):
    """Fractional flattening of a root of ``diameter_mm`` in a bed ``free_diameter_mm`` wide [-]."""
    e = np.maximum(diameter_mm - free_diameter_mm, 0.0) / diameter_mm
    return np.minimum(e, MAX_DEFORMATION)


def root_pressure_kpa(deformation, modulus_kpa, stiffening):
    """Contact pressure on a root flattened by ``deformation`` [kPa], equation (2).

    Examples
    --------
    >>> round(float(root_pressure_kpa(0.2, 20.0, 5.0)), 2)
    6.87
    """
    e = np.asarray(deformation, dtype=float)
    if stiffening > LINEAR_STIFFENING:
        return modulus_kpa / stiffening * np.expm1(stiffening * e)
    return modulus_kpa * e


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
    """Room the L5 root can find in its recess: depth plus a medial shift along the opening angle [mm]."""
    return depth_mm + mobility_mm * math.tan(math.radians(recess_angle_deg))
