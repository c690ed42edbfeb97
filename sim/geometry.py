"""Stage 3, geometry: L4 placed on L5 -> foramen outline and lateral recess, per side.

Coordinates are those of the parasagittal plane through one foramen, in mm:
``x`` anterior, ``y`` cranial, origin at the posterior-superior corner of L5.
L5 is fixed; L4 moves rigidly: rotation ``a`` (+ flexion) about the centre of
rotation ``(x_c, 0)``, then anterior slip, axial settling (disc compression plus
height loss) and the side's share of lateral bending (vertical) and axial
rotation (antero-posterior).

The foramen is an inverted teardrop: a wide upper chamber under the L4
pedicle, where the root and its ganglion lie, above a narrow stem at disc
level between the disc and the superior articular process (SAP) of L5.  Each
part is the intersection of half-planes ("faces", each the surface of one
bounding structure), so each is convex and both engines build them alike:

====  ===========================  =====  ===================================  =====
 #    structure                    frame  face                                 part
====  ===========================  =====  ===================================  =====
 0    L4 pedicle, inferior cortex  L4     roof ``y <= H - b``                  both
 1    L4 posterior body wall       L4     ``x <= 0``                           upper
 2    disc margin (+ bulge)        L5     ``x <= -bulge``                      both
 3    foraminal herniation         L5     ``x <= -(bulge + size)``             both
 4    SAP + flavum, anterior face  L5     ``x >= -(W - narrowing)``            stem
 5    SAP tip, 45 deg face         L5     ``x + y >= x_t + y_t``               upper
 6    L4 pars interarticularis     L4*    ``x >= -W_up``                       upper
 7    L5 pedicle, superior cortex  L5     floor ``y >= -b``                    stem
 8    SAP tip level                L5     ``y >= y_t``                         outline
 9    SAP tip level                L5     ``y <= y_t``                         stem
====  ===========================  =====  ===================================  =====

``W`` is the soft-tissue width at disc level, where radiologists measure it
(lee2010); ``y_t = h_p + sap_tip_height``.  *The pars follows L4's rotation
and settling but not its anterior slip: the near-sagittal facet joint lets
the inferior facet slide medially past the foramen instead.  As L4 settles,
the roof and the root that hangs below it descend towards the SAP tip:
vertical (up-down) stenosis; bulge, herniation, SAP overgrowth and flavum
narrow the stem and the chamber front to back (transverse stenosis).

Main simplifications: straight faces (a bulge narrows the whole stem), and a
circle is fitted in one part at a time, not across their junction.

References
----------
ankara2012, gkasdaris2018 (dimensions), lee2010 (height and width definitions),
revel1988, inufusa1996 (posture change), chung2000 (flavum thickening).
"""

from __future__ import annotations

import math

import numpy as np

N_FACES = 10
ROOF, L4_WALL, DISC, HERNIATION, SAP, SAP_TIP, PARS, FLOOR, ABOVE_TIP, BELOW_TIP = range(N_FACES)
FACE_NAMES = ("L4 pedicle", "L4 body", "disc", "herniation", "SAP + flavum", "SAP tip", "L4 pars",
              "L5 pedicle", "tip level", "tip level")
#: Faces bounding a root in each part.  The upper chamber is a funnel: below
#: the tip level its SAP-tip face closes it onto the disc, so a root pushed
#: down by the pedicle is squeezed continuously; the stem is a separate slot.
UPPER_CHAMBER = (ROOF, L4_WALL, DISC, HERNIATION, SAP_TIP, PARS)
STEM = (ROOF, DISC, HERNIATION, SAP, FLOOR, BELOW_TIP)
#: Faces of the outline: the upper chamber is drawn above the tip level only.
UPPER_OUTLINE = UPPER_CHAMBER + (ABOVE_TIP,)
INACTIVE_MM = 1.0e3  # offset of a face that is not there (no foraminal herniation)
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
                  pedicle_offset_mm, sap_tip_height_mm, bulge_mm, herniation_mm, posterior_narrowing_mm):
    """The ten faces before L4 moves: unit outward normals ``n`` (10, 2) and offsets ``c`` (10,).

    A point ``p`` is inside a part when ``n[i] @ p <= c[i]`` for each of its faces.
    ``herniation_mm`` <= 0 means no foraminal herniation on this side.
    """
    h, b = foraminal_height_mm, pedicle_offset_mm
    w_low = foraminal_width_mm - posterior_narrowing_mm
    w_up = upper_width_ratio * foraminal_width_mm
    x_t, y_t = -w_low, disc_height_posterior_mm + sap_tip_height_mm
    s = 1.0 / math.sqrt(2.0)
    hern = bulge_mm + herniation_mm if herniation_mm > 0.0 else -INACTIVE_MM
    n = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [-s, -s], [-1.0, 0.0],
                  [0.0, -1.0], [0.0, -1.0], [0.0, 1.0]])
    c = np.array([h - b, 0.0, -bulge_mm, -hern, w_low, -s * (x_t + y_t), w_up, b, -y_t, y_t])
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


def moved_faces(n, c, q, t, slip_mm):
    """Faces after L4 moved by ``(q, t)``: ``n' = Q n``, ``c' = c + n'.t``; the pars without the slip."""
    n2, c2 = n.copy(), c.copy()
    for i in (ROOF, L4_WALL, PARS):
        n2[i] = q @ n[i]
        shift = t if i != PARS else t - np.array([slip_mm, 0.0])
        c2[i] = c[i] + n2[i] @ shift
    return n2, c2


def foramen_polygon(n, c, faces=None):
    """Vertices (k, 2) of one convex part: a large box clipped by its faces (Sutherland-Hodgman)."""
    poly = [np.array(v, dtype=float) for v in
            ((-_BOX_MM, -_BOX_MM), (_BOX_MM, -_BOX_MM), (_BOX_MM, _BOX_MM), (-_BOX_MM, _BOX_MM))]
    for i in (range(len(c)) if faces is None else faces):
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


def foramen_outline(n, c):
    """The two parts of the foramen, (upper chamber, stem), as vertex arrays for plotting."""
    return foramen_polygon(n, c, UPPER_OUTLINE), foramen_polygon(n, c, STEM)


def polygon_area_mm2(vertices):
    """Shoelace area of a polygon [mm^2]; zero for fewer than three vertices."""
    if len(vertices) < 3:
        return 0.0
    x, y = vertices[:, 0], vertices[:, 1]
    return 0.5 * abs(float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))


def foraminal_height_mm(n, c, x_mm):
    """Vertical distance from the L5 pedicle (floor) to the L4 pedicle (roof) at ``x_mm`` [mm].

    Zero once the pedicles meet (the model has no bony contact, so extreme
    inputs could otherwise give a negative height).
    """
    y_roof = (c[ROOF] - n[ROOF, 0] * x_mm) / n[ROOF, 1]
    y_floor = (c[FLOOR] - n[FLOOR, 0] * x_mm) / n[FLOOR, 1]
    return max(y_roof - y_floor, 0.0)


def foraminal_width_mm(n, c, y_mm):
    """Antero-posterior width of the stem at height ``y_mm`` (disc level) [mm]."""
    front = min((c[i] - n[i, 1] * y_mm) / n[i, 0] for i in (DISC, HERNIATION))
    back = (c[SAP] - n[SAP, 1] * y_mm) / n[SAP, 0]
    return max(front - back, 0.0)


def foraminal_area_mm2(n, c):
    """Area of the foramen: upper chamber plus stem [mm^2]."""
    upper, stem = foramen_outline(n, c)
    return polygon_area_mm2(upper) + polygon_area_mm2(stem)


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
