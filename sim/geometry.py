"""Stage 3, geometry: L4 placed on L5 -> foramen outline and lateral recess, per side.

Coordinates are those of the parasagittal plane through one foramen, in mm:
``x`` anterior, ``y`` cranial, origin at the posterior-superior corner of L5.
L5 is fixed; L4 moves rigidly: rotation ``a`` (+ flexion) about the centre of
rotation ``(x_c, 0)``, then anterior slip, axial settling (disc compression plus
height loss) and the side's share of lateral bending (vertical) and axial
rotation (antero-posterior).

The foramen is the intersection of six half-planes, each the face of one
bounding structure, so it is a convex polygon (an inverted teardrop, wide
under the L4 pedicle and narrowing towards the disc) that both engines build
alike:

====  ===========================  =====  ==========================================
 #    structure                    frame  face
====  ===========================  =====  ==========================================
 0    L4 pedicle, inferior cortex  L4     roof, ``y <= H - b``
 1    L4 posterior body wall       L4     anterior, ``x <= 0``
 2    disc margin (+ bulge)        L5     anterior, ``x <= -bulge``
 3    L5 SAP + flavum              L5     posterior, through ``(-(W - narrowing), h_p/2)``
                                          and the neutral pars corner ``(-W_up, H - b)``
 4    L4 pars / inferior facet     L4     posterior, ``x >= -W_up``
 5    L5 pedicle, superior cortex  L5     floor, ``y >= -b``
====  ===========================  =====  ==========================================

The width ``W`` is thus the soft-tissue width at mid-disc height, where
radiologists measure it (lee2010).  As L4 settles, the roof and the root that
hangs below it descend into the narrower, lower part: vertical stenosis.
Main simplifications: the disc bulge is a straight face, so a bulge narrows
the whole subpedicular part, where the root crosses the disc; and the SAP
tip's corner is smoothed into the straight SAP face.

References
----------
ankara2012, gkasdaris2018 (dimensions), lee2010 (height and width definitions),
revel1988, inufusa1996 (posture change), chung2000 (flavum thickening).
"""

from __future__ import annotations

import math

import numpy as np

N_FACES = 6
ROOF, L4_WALL, DISC, SAP, PARS, FLOOR = range(N_FACES)
FACE_NAMES = ("L4 pedicle", "L4 body", "disc", "SAP + flavum", "L4 pars", "L5 pedicle")
FACE_FRAME_L4 = (True, True, False, False, True, False)
_BOX_MM = 80.0


def flavum_thickness_mm(thickness_mm, hypertrophy_mm, closure_mm, length_mm):
    """Ligamentum flavum thickness when its span shortens by ``closure_mm`` [mm].

    Volume conservation of a ligament of length ``L``: ``t' = t L / (L - d)``;
    extension and height loss thicken it (chung2000), flexion thins it.
    Shortening is capped at 80 % of the length.
    """
    d = np.clip(closure_mm, -0.8 * length_mm, 0.8 * length_mm)
    return (thickness_mm + hypertrophy_mm) * length_mm / (length_mm - d)


def neutral_faces(foraminal_height_mm, foraminal_width_mm, upper_width_ratio, disc_height_posterior_mm,
                  pedicle_offset_mm, bulge_mm, posterior_narrowing_mm):
    """The six faces before L4 moves: unit outward normals ``n`` (6, 2) and offsets ``c`` (6,).

    A point ``p`` is inside the foramen when ``n @ p <= c`` for every face.
    """
    h, b = foraminal_height_mm, pedicle_offset_mm
    w_up = upper_width_ratio * foraminal_width_mm
    # SAP face: from (-(W - narrowing), h_p / 2) up to the neutral pars corner (-W_up, H - b)
    x0, y0 = -(foraminal_width_mm - posterior_narrowing_mm), 0.5 * disc_height_posterior_mm
    dx, dy = -w_up - x0, (h - b) - y0
    norm = math.hypot(dx, dy)
    sap = np.array([-dy / norm, dx / norm])  # outward: pointing posterior
    n = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], sap, [-1.0, 0.0], [0.0, -1.0]])
    c = np.array([h - b, 0.0, -bulge_mm, sap @ np.array([x0, y0]), w_up, b])
    return n, c


def l4_transform(angle_deg, cor_x_mm, dx_mm, dy_mm):
    """Rotation matrix ``Q`` and translation ``t`` taking L4 points to their place: ``Q p + t``.

    Flexion (+) turns L4 clockwise in the (anterior, cranial) plane about
    ``(cor_x_mm, 0)``; ``dx_mm``, ``dy_mm`` then translate it.
    """
    a = math.radians(-angle_deg)
    q = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    cor = np.array([cor_x_mm, 0.0])
    t = cor - q @ cor + np.array([dx_mm, dy_mm])
    return q, t


def moved_faces(n, c, q, t):
    """Faces after the L4 ones are carried by ``(q, t)``: ``n' = Q n``, ``c' = c + n'.t``."""
    n2, c2 = n.copy(), c.copy()
    for i in range(N_FACES):
        if FACE_FRAME_L4[i]:
            n2[i] = q @ n[i]
            c2[i] = c[i] + n2[i] @ t
    return n2, c2


def foramen_polygon(n, c):
    """Vertices (k, 2) of the foramen: a large box clipped by every face (Sutherland-Hodgman)."""
    poly = [np.array(v, dtype=float) for v in
            ((-_BOX_MM, -_BOX_MM), (_BOX_MM, -_BOX_MM), (_BOX_MM, _BOX_MM), (-_BOX_MM, _BOX_MM))]
    for i in range(N_FACES):
        out = []
        for k in range(len(poly)):
            p, q = poly[k], poly[(k + 1) % len(poly)]
            dp, dq = n[i] @ p - c[i], n[i] @ q - c[i]
            if dp <= 0.0:
                out.append(p)
            if (dp <= 0.0) != (dq <= 0.0):
                out.append(p + dp / (dp - dq) * (q - p))
        poly = out
        if not poly:
            return np.zeros((0, 2))
    return np.array(poly)


def polygon_area_mm2(vertices):
    """Shoelace area of a polygon [mm^2]; zero for fewer than three vertices."""
    if len(vertices) < 3:
        return 0.0
    x, y = vertices[:, 0], vertices[:, 1]
    return 0.5 * abs(float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))


def foraminal_height_mm(n, c, x_mm):
    """Vertical distance from the L5 pedicle (floor) to the L4 pedicle (roof) at ``x_mm`` [mm]."""
    y_roof = (c[ROOF] - n[ROOF, 0] * x_mm) / n[ROOF, 1]
    y_floor = (c[FLOOR] - n[FLOOR, 0] * x_mm) / n[FLOOR, 1]
    return y_roof - y_floor


def foraminal_width_mm(n, c, y_mm):
    """Antero-posterior width at height ``y_mm`` (disc level): anterior faces minus posterior [mm]."""
    front = min((c[i] - n[i, 1] * y_mm) / n[i, 0] for i in (L4_WALL, DISC))
    back = max((c[i] - n[i, 1] * y_mm) / n[i, 0] for i in (SAP, PARS))
    return max(front - back, 0.0)


def lateral_recess_depth_mm(depth_mm, bulge_mm, facet_hypertrophy_mm, flavum_increase_mm,
                            slip_total_mm, slip_recess_ratio, herniation_mm):
    """Depth of the L5 lateral recess at the L4-L5 disc in a posture [mm].

    Neutral depth minus everything that fills the recess from the front (bulge,
    subarticular or central herniation) and from behind (SAP overgrowth, flavum
    thickening, the L4 inferior facet carried forward by slip).  Not below zero.

    References
    ----------
    steurer2011 (< 3 mm stenotic), splettstosser2017, chung2000.
    """
    d = (depth_mm - bulge_mm - facet_hypertrophy_mm - flavum_increase_mm
         - slip_recess_ratio * slip_total_mm - herniation_mm)
    return np.maximum(d, 0.0)
