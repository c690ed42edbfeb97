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

from .jit import njit
from .layout import SIDE_BOTH, SIDE_RIGHT, ZONE_CENTRAL, ZONE_EXTRAFORAMINAL, ZONE_FORAMINAL, ZONE_SUBARTICULAR

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
#: Flavum shortening is capped at this share of its length (volume conservation diverges at 1).
MAX_FLAVUM_SHORTENING = 0.8


def flavum_thickness_mm(thickness_mm, hypertrophy_mm, closure_mm, length_mm):
    """Ligamentum flavum thickness when its span shortens by ``closure_mm`` [mm].

    Volume conservation of a ligament of length ``L``: ``t' = t L / (L - d)``;
    extension and height loss thicken it (chung2000), flexion thins it.
    Shortening is capped at 80 % of the length.
    """
    d = np.clip(closure_mm, -MAX_FLAVUM_SHORTENING * length_mm, MAX_FLAVUM_SHORTENING * length_mm)
    return (thickness_mm + hypertrophy_mm) * length_mm / (length_mm - d)


def flavum_closure_mm(height_loss_mm, local_closure_mm, angle_deg, facet_lever_mm, cor_offset_mm):
    """Shortening of the ligamentum flavum's span in a posture [mm].

    The flavum spans the facets, so it shortens with the disc's local
    closure plus the extra closure of the facet line, which sits
    ``facet_lever_mm - cor_offset_mm`` behind the posterior disc margin:
    extension and height loss shorten it, flexion stretches it.

    References
    ----------
    Chung SS et al. (2000) Spine 25(13):1612-1617 (flavum thickening in extension).
    """
    return height_loss_mm + local_closure_mm + (facet_lever_mm - cor_offset_mm) * math.sin(math.radians(-angle_deg))


def posterior_narrowing_mm(facet_hypertrophy_mm, foraminal_flavum_fraction, flavum_thickness_mm,
                           neutral_flavum_thickness_mm):
    """How far the SAP and flavum narrow the foraminal stem from behind [mm].

    Facet (SAP) overgrowth plus the foraminal share of the flavum's thickening.

    References
    ----------
    Lee S et al. (2010) Radiology 255(2):461-468 (posterior foraminal narrowing).
    """
    return facet_hypertrophy_mm + foraminal_flavum_fraction * (flavum_thickness_mm - neutral_flavum_thickness_mm)


def side_affected(herniation_side, side_sign):
    """Whether one-sided disease of side code ``herniation_side`` reaches the side ``side_sign`` (-1 left, +1 right)."""
    return herniation_side == SIDE_BOTH or (herniation_side == SIDE_RIGHT) == (side_sign > 0.0)


def herniation_routing_mm(zone, affected, size_mm, central_reach):
    """Where a herniation of ``size_mm`` acts on one side, by zone code (``ZONE_*`` of ``sim.layout``).

    Foraminal: a face in the stem (:func:`neutral_faces`).  Subarticular: the
    lateral recess of that side.  Central: both recesses, a share
    ``central_reach`` of its size.  Extraforaminal: outside the foramen, on the
    exiting L4 root (:func:`sim.compression.l4_exit_clearance_mm`).

    Returns
    -------
    foraminal_mm, recess_mm : float [mm]
    extraforaminal : bool

    References
    ----------
    Fardon DF et al. (2014) Spine 39(24):E1448-E1465 (zones of the nomenclature).
    """
    foraminal = size_mm if (zone == ZONE_FORAMINAL and affected) else 0.0
    recess = 0.0
    if zone == ZONE_SUBARTICULAR and affected:
        recess = size_mm
    elif zone == ZONE_CENTRAL:
        recess = central_reach * size_mm
    return foraminal, recess, zone == ZONE_EXTRAFORAMINAL and affected


def l4_offsets_mm(slip_mm, compression_mm, height_loss_mm, lateral_angle_deg, axial_angle_deg, side_sign,
                  lateral_offset_mm):
    """Translation (dx anterior, dy cranial) of L4 at one foramen [mm], for :func:`l4_transform`.

    Anterior slip, less the side's backward swing under axial rotation;
    settling by disc compression and height loss, plus the side's drop under
    lateral bending towards it (the foramen sits ``lateral_offset_mm`` from
    the midline).

    References
    ----------
    Inufusa A et al. (1996) Spine 21(21):2412-2420 (foraminal change with posture).
    """
    dx = slip_mm - side_sign * lateral_offset_mm * math.sin(math.radians(axial_angle_deg))
    dy = -(compression_mm + height_loss_mm) - side_sign * lateral_offset_mm * math.sin(math.radians(lateral_angle_deg))
    return dx, dy


def foramen_faces(foraminal_height_mm, foraminal_width_mm, upper_width_ratio, disc_height_posterior_mm,
                  pedicle_offset_mm, sap_tip_height_mm, bulge_mm, herniation_mm, posterior_narrowing_mm,
                  angle_deg, cor_x_mm, dx_mm, dy_mm, slip_mm):
    """The ten faces after L4 moved: :func:`neutral_faces`, then :func:`l4_transform` and :func:`moved_faces`."""
    n, c = neutral_faces(foraminal_height_mm, foraminal_width_mm, upper_width_ratio, disc_height_posterior_mm,
                         pedicle_offset_mm, sap_tip_height_mm, bulge_mm, herniation_mm, posterior_narrowing_mm)
    q, t = l4_transform(angle_deg, cor_x_mm, dx_mm, dy_mm)
    return moved_faces(n, c, q, t, slip_mm)


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


# ---------------------------------------------------------------- numba twins
@njit(cache=True)
def _flavum_thickness_mm(thickness_mm, hypertrophy_mm, closure_mm, length_mm):
    """Twin of :func:`flavum_thickness_mm` [mm]."""
    d = min(max(closure_mm, -MAX_FLAVUM_SHORTENING * length_mm), MAX_FLAVUM_SHORTENING * length_mm)
    return (thickness_mm + hypertrophy_mm) * length_mm / (length_mm - d)


@njit(cache=True)
def _flavum_closure_mm(height_loss_mm, local_closure_mm, angle_deg, facet_lever_mm, cor_offset_mm):
    """Twin of :func:`flavum_closure_mm` [mm]."""
    return height_loss_mm + local_closure_mm + (facet_lever_mm - cor_offset_mm) * math.sin(math.radians(-angle_deg))


@njit(cache=True)
def _posterior_narrowing_mm(facet_hypertrophy_mm, foraminal_flavum_fraction, flavum_thickness_mm,
                            neutral_flavum_thickness_mm):
    """Twin of :func:`posterior_narrowing_mm` [mm]."""
    return facet_hypertrophy_mm + foraminal_flavum_fraction * (flavum_thickness_mm - neutral_flavum_thickness_mm)


@njit(cache=True)
def _side_affected(herniation_side, side_sign):
    """Twin of :func:`side_affected`."""
    return herniation_side == SIDE_BOTH or (herniation_side == SIDE_RIGHT) == (side_sign > 0.0)


@njit(cache=True)
def _herniation_routing_mm(zone, affected, size_mm, central_reach):
    """Twin of :func:`herniation_routing_mm`: (foraminal_mm, recess_mm, extraforaminal)."""
    foraminal = size_mm if (zone == ZONE_FORAMINAL and affected) else 0.0
    recess = 0.0
    if zone == ZONE_SUBARTICULAR and affected:
        recess = size_mm
    elif zone == ZONE_CENTRAL:
        recess = central_reach * size_mm
    return foraminal, recess, zone == ZONE_EXTRAFORAMINAL and affected


@njit(cache=True)
def _l4_offsets_mm(slip_mm, compression_mm, height_loss_mm, lateral_angle_deg, axial_angle_deg, side_sign,
                   lateral_offset_mm):
    """Twin of :func:`l4_offsets_mm`: (dx, dy) [mm]."""
    dx = slip_mm - side_sign * lateral_offset_mm * math.sin(math.radians(axial_angle_deg))
    dy = -(compression_mm + height_loss_mm) - side_sign * lateral_offset_mm * math.sin(math.radians(lateral_angle_deg))
    return dx, dy


@njit(cache=True)
def _foramen_faces(n, c, foraminal_height_mm, foraminal_width_mm, upper_width_ratio, disc_height_posterior_mm,
                   pedicle_offset_mm, sap_tip_height_mm, bulge, hern, narrowing, angle, cor_x_mm, dx, dy, slip):
    """Twin of :func:`foramen_faces`, written into ``n`` (10, 2) and ``c`` (10,): neutral faces, then L4's moved."""
    h, w, hp = foraminal_height_mm, foraminal_width_mm, disc_height_posterior_mm
    b = pedicle_offset_mm
    w_low = w - narrowing
    w_up = upper_width_ratio * w
    x_t, y_t = -w_low, hp + sap_tip_height_mm
    s = 1.0 / math.sqrt(2.0)
    hern_c = bulge + hern if hern > 0.0 else -INACTIVE_MM
    n[ROOF, 0], n[ROOF, 1], c[ROOF] = 0.0, 1.0, h - b
    n[L4_WALL, 0], n[L4_WALL, 1], c[L4_WALL] = 1.0, 0.0, 0.0
    n[DISC, 0], n[DISC, 1], c[DISC] = 1.0, 0.0, -bulge
    n[HERNIATION, 0], n[HERNIATION, 1], c[HERNIATION] = 1.0, 0.0, -hern_c
    n[SAP, 0], n[SAP, 1], c[SAP] = -1.0, 0.0, w_low
    n[SAP_TIP, 0], n[SAP_TIP, 1], c[SAP_TIP] = -s, -s, -s * (x_t + y_t)
    n[PARS, 0], n[PARS, 1], c[PARS] = -1.0, 0.0, w_up
    n[FLOOR, 0], n[FLOOR, 1], c[FLOOR] = 0.0, -1.0, b
    n[ABOVE_TIP, 0], n[ABOVE_TIP, 1], c[ABOVE_TIP] = 0.0, -1.0, -y_t
    n[BELOW_TIP, 0], n[BELOW_TIP, 1], c[BELOW_TIP] = 0.0, 1.0, y_t
    # L4 faces: n' = Q n, c' = c + n'.t with t = cor - Q cor + (dx, dy); the pars without the slip
    a = math.radians(-angle)
    ca, sa = math.cos(a), math.sin(a)
    cx = cor_x_mm
    tx = cx - ca * cx + dx
    ty = -sa * cx + dy
    for i in (ROOF, L4_WALL, PARS):
        nx = ca * n[i, 0] - sa * n[i, 1]
        ny = sa * n[i, 0] + ca * n[i, 1]
        n[i, 0], n[i, 1] = nx, ny
        if i == PARS:
            c[i] = c[i] + nx * (tx - slip) + ny * ty
        else:
            c[i] = c[i] + nx * tx + ny * ty


@njit(cache=True)
def _clipped_area_mm2(n, c, part, buf_a, buf_b):
    """Area of one convex part [mm^2]: :func:`foramen_polygon` then :func:`polygon_area_mm2`, in place."""
    m = 4
    buf_a[0, 0], buf_a[0, 1] = -_BOX_MM, -_BOX_MM
    buf_a[1, 0], buf_a[1, 1] = _BOX_MM, -_BOX_MM
    buf_a[2, 0], buf_a[2, 1] = _BOX_MM, _BOX_MM
    buf_a[3, 0], buf_a[3, 1] = -_BOX_MM, _BOX_MM
    src, dst = buf_a, buf_b
    for i in part:
        k = 0
        for j in range(m):
            px, py = src[j, 0], src[j, 1]
            qx, qy = src[(j + 1) % m, 0], src[(j + 1) % m, 1]
            dp = n[i, 0] * px + n[i, 1] * py - c[i]
            dq = n[i, 0] * qx + n[i, 1] * qy - c[i]
            if dp <= 0.0:
                dst[k, 0], dst[k, 1] = px, py
                k += 1
            if (dp <= 0.0) != (dq <= 0.0):
                t = dp / (dp - dq)
                dst[k, 0], dst[k, 1] = px + t * (qx - px), py + t * (qy - py)
                k += 1
        m = k
        src, dst = dst, src
        if m == 0:
            return 0.0
    if m < 3:
        return 0.0
    acc = 0.0
    for j in range(m):
        acc += src[j, 0] * src[(j + 1) % m, 1] - src[(j + 1) % m, 0] * src[j, 1]
    return 0.5 * abs(acc)


@njit(cache=True)
def _foraminal_area_mm2(n, c, buf_a, buf_b):
    """Twin of :func:`foraminal_area_mm2` [mm^2]; ``buf_a``, ``buf_b`` (N_FACES + 4, 2) clipping buffers."""
    return _clipped_area_mm2(n, c, UPPER_OUTLINE, buf_a, buf_b) + _clipped_area_mm2(n, c, STEM, buf_a, buf_b)


@njit(cache=True)
def _line_x(n, c, i, y):
    """x of face ``i`` at height ``y`` [mm]."""
    return (c[i] - n[i, 1] * y) / n[i, 0]


@njit(cache=True)
def _foraminal_height_mm(n, c, x_mm):
    """Twin of :func:`foraminal_height_mm` [mm]."""
    h = (c[ROOF] - n[ROOF, 0] * x_mm) / n[ROOF, 1] - (c[FLOOR] - n[FLOOR, 0] * x_mm) / n[FLOOR, 1]
    return max(h, 0.0)


@njit(cache=True)
def _foraminal_width_mm(n, c, y_mm):
    """Twin of :func:`foraminal_width_mm` [mm]."""
    front = min(_line_x(n, c, DISC, y_mm), _line_x(n, c, HERNIATION, y_mm))
    return max(front - _line_x(n, c, SAP, y_mm), 0.0)


@njit(cache=True)
def _lateral_recess_depth_mm(depth_mm, bulge_mm, facet_hypertrophy_mm, flavum_increase_mm, slip_total_mm,
                             slip_recess_ratio, herniation_mm):
    """Twin of :func:`lateral_recess_depth_mm` [mm]."""
    d = (depth_mm - bulge_mm - facet_hypertrophy_mm - flavum_increase_mm
         - slip_recess_ratio * slip_total_mm - herniation_mm)
    return max(d, 0.0)
