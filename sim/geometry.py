"""Stage 3, geometry: L4 placed on L5 -> foramen outline and lateral recess, per side.

Coordinates are those of the parasagittal plane through one foramen, in mm:
``x`` anterior, ``y`` cranial, origin at the posterior-superior corner of L5.
L5 is fixed; L4 moves rigidly: rotation ``a`` (+ flexion) about the centre of
rotation ``(x_c, 0)``, then its translation (anterior slip and the shear
translation of the posture), axial settling (disc compression plus height
loss) and the side's share of lateral bending (vertical) and axial rotation
(antero-posterior).

The foramen has two parts, each the intersection of half-planes ("faces",
each the surface of one bounding structure), so each is convex and both
engines build them alike.  The **chamber**, where the exiting root and its
ganglion lie, is bounded by L4 (pedicle above, body wall in front, pars
behind) and, below, by the V between the L4 rim of the disc (front) and the
tip of the L5 superior articular process (SAP, behind).  The **band** is the
disc level between the two rims: disc margin (+ bulge, + herniation) in front,
SAP and flavum behind, L5 pedicle below.

=====  ===========================  ===============  =======================================  =========
 #     structure                    moves with       face                                     part
=====  ===========================  ===============  =======================================  =========
 0     L4 pedicle, inferior cortex  L4               roof ``y <= H - b``                      chamber
 1     L4 posterior body wall       L4               ``x <= 0``                               chamber
 2     L4 pars                      L4               ``x >= -W_up``                           chamber
 3     disc band below the L4 rim   L4 rim corner    45 deg, set back by bulge, in by ``h``   chamber
 4     SAP tip (capsule, flavum)    L5 (+ transl.)   45 deg through ``(-W_low + u, y_t)``     chamber
 5, 6  L4 rim (endplate line)       L4               ``y >= rim`` / ``y <= rim``              outline
 7     disc margin + bulge          mid-band         ``x <= x_mid - bulge``                   band
 8     herniation                   mid-band         ``x <= x_mid - bulge - h``               band
 9     SAP + flavum, anterior face  L5               ``x >= -W_low``                          band
 10    L5 pedicle, superior cortex  L5               floor ``y >= -b``                        band
=====  ===========================  ===============  =======================================  =========

The bulge is a lens between the endplates, zero at the rims (the annulus is
attached to the ring apophyses), so it never reaches a root that hangs above
the disc.  Seen from the chamber, the disc band below the L4 rim is a 45 deg
face through the rim corner (the root does not drop into the band), set back
by the part of the lens the 45 deg line does not cover,
``max(0, 4 bulge - hp')^2 / (16 bulge)`` (``hp'`` the loaded posterior disc
height), and pushed in, normal to it, by a foraminal herniation: they act
when height loss brings the root down into the V between the rim and the SAP
tip (hasegawa1995: posterior disc height <= 4 mm).  The
SAP tip is L5 bone at ``y_t = hp + sap_tip_height``; the L4 rim and pedicle
descend onto it as the loaded disc loses height: vertical (up-down)
stenosis.  Bulge, herniation, SAP overgrowth and flavum narrow the band and
the V front to back (transverse stenosis).  Every L4 face moves with L4's
whole motion, its translation included, and so does the capsule and flavum
over the SAP tip, which hang from the L4 inferior articular process: a
translation neither widens nor narrows the root's chamber; it narrows the L5
lateral recess (:func:`lateral_recess_room_mm`).

Main simplifications: straight faces, and a circle is fitted in the chamber
only (the root does not drop into the band).

References
----------
ankara2012, gkasdaris2018 (dimensions), lee2010 (height and width definitions),
hasegawa1995 (critical heights), revel1988, inufusa1996, schmid1999 (posture
change), chung2000 (flavum thickening), fennell1996, alexander2007 (nuclear
migration).
"""

from __future__ import annotations

import math

import numpy as np

from .jit import njit
from .layout import SIDE_BOTH, SIDE_RIGHT, ZONE_CENTRAL, ZONE_EXTRAFORAMINAL, ZONE_FORAMINAL, ZONE_SUBARTICULAR

N_FACES = 11
ROOF, L4_WALL, PARS, RIM_FRONT, SAP_TIP, ABOVE_RIM, BELOW_RIM, DISC, HERNIATION, SAP, FLOOR = range(N_FACES)
FACE_NAMES = ("L4 pedicle", "L4 body", "L4 pars", "disc rim", "SAP tip", "L4 rim", "L4 rim", "disc", "herniation",
              "SAP + flavum", "L5 pedicle")
#: The root's chamber (five faces, the compression LP's size).
CHAMBER = (ROOF, L4_WALL, PARS, RIM_FRONT, SAP_TIP)
#: Outline of the chamber (drawn above the L4 rim) and of the disc band.
CHAMBER_OUTLINE = CHAMBER + (ABOVE_RIM,)
BAND = (BELOW_RIM, DISC, HERNIATION, SAP, FLOOR)
UPPER_CHAMBER, UPPER_OUTLINE, STEM = CHAMBER, CHAMBER_OUTLINE, BAND  # the earlier names of the parts
_BOX_MM = 80.0
#: Flavum shortening is capped at this share of its length (volume conservation diverges at 1).
MAX_FLAVUM_SHORTENING = 0.8
#: The loaded posterior disc height in ratios never falls below this [mm].
MIN_BAND_MM = 0.5
#: IDP of lying (wilke1999): the posture of the clinical MRI that sizes a herniation [MPa].
IDP_REFERENCE_MPA = 0.10


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


def nuclear_shift_mm(angle_deg, disc_height_anterior_mm, disc_height_posterior_mm, height_loss_mm, compression_mm,
                     disc_depth_mm, nucleus_depth_fraction):
    """Posterior shift of the nucleus pulposus in a posture [mm] (+ posterior, in flexion).

    Centroid of an incompressible nucleus of antero-posterior length
    ``L = f d`` in the wedge that a rotation ``a`` opens:

        u_n = L^2 / (12 h) a                  (a in rad)

    with ``h`` the mean loaded disc height, so a thinner disc moves its nucleus
    further per degree.  About 0.03 mm/deg for the default disc.

    References
    ----------
    Fennell AJ, Jones AP, Hukins DW (1996) Spine 21(23):2753-2757 (posterior in flexion, linear in the angle).
    Alexander LA et al. (2007) Spine 32(14):1508-1512 (L4-L5: sitting > standing, lying least).

    Examples
    --------
    >>> round(nuclear_shift_mm(10.0, 12.0, 9.0, 0.0, 0.0, 33.0, 0.45), 3)
    0.305
    """
    length = nucleus_depth_fraction * disc_depth_mm
    h = max(0.5 * (disc_height_anterior_mm + disc_height_posterior_mm) - height_loss_mm - compression_mm, MIN_BAND_MM)
    return length * length / (12.0 * h) * math.radians(angle_deg)


def disc_bulge_mm(static_bulge_mm, height_loss_mm, local_closure_mm, idp_mpa, translation_mm,
                  bulge_per_height_loss, bulge_per_idp_mm_per_mpa, slip_pseudo_bulge_ratio):
    """Posterior radial bulge of the annulus at one foramen [mm].

    Static bulge plus three physical parts: height loss (degenerative and
    postural) at 0.25 mm per mm, pressure on the annulus, and the uncovered
    L5 disc margin of an anteriorly translated L4 (pseudo-disc).  Never negative.

    ``idp_mpa`` is the pressure of a nucleus carrying the segment's whole
    compression (the chains pass the IDP of the compressive force, not of the
    disc's share): the bulge follows the disc's height, not its pressure.  At
    the same load a disc that loses height bulges more although its pressure
    falls, and one whose pressure rises bulges less (brinckmann_horst1985:
    fracture and discectomy versus intradiscal injection; brinckmann1991).  So
    the load the facets take over when narrowing brings them into contact
    (adams_hutton1980) does not shrink the bulge: with the disc's own share a
    0.3 mm height loss at the facet gap took 1 mm off the bulge and freed a
    compressed L4 ganglion.

    ``translation_mm`` is the uncovered L5 margin: the larger of L4's
    translation in the posture and its neutral slip.  The pseudo-disc over the
    margin the neutral slip uncovers is standing tissue (the model's
    assumption, as ``slip_pseudo_bulge_ratio``); a load that draws L4 back does
    not take it away, a load that carries L4 further forward uncovers more.
    Otherwise a disc softened in shear by height loss would slide back under a
    posterior shear and free the L4 ganglion.

    References
    ----------
    Brinckmann P, Grootenboer H (1991) Spine 16(6):641-646 (bulge per height loss).
    Brinckmann P, Horst M (1985) Spine 10:138-145 (bulge follows height, not pressure).
    Reuber M et al. (1982) J Biomech Eng 104(3):187-192 (bulge under load, <= 2.7 mm).
    """
    b = (static_bulge_mm + bulge_per_height_loss * (height_loss_mm + local_closure_mm)
         + bulge_per_idp_mm_per_mpa * idp_mpa + slip_pseudo_bulge_ratio * max(translation_mm, 0.0))
    return max(b, 0.0)


def contained_herniation_mm(size_mm, nuclear_shift, idp_mpa, migration_gain_per_mm, pressure_gain_per_mpa):
    """Protrusion of a contained canal (central or subarticular) herniation in a posture [mm].

        h = h0 max(0, 1 + G_m u_n + G_p (IDP - p_ref))

    ``h0`` is measured lying (``p_ref = IDP_REFERENCE_MPA``); the nucleus moving
    towards it (flexion, sitting) and the pressure feed it, extension drains it:
    the flexion- and sitting-sensitive lesion.  ``idp_mpa`` is, as for
    :func:`disc_bulge_mm`, the pressure of a nucleus carrying the segment's
    whole compression: a contained herniation is a focal bulge of an intact
    annulus, and the load the facets take over as the disc narrows does not
    draw it back (with the disc's own share, height loss in extension
    shrank a subarticular herniation and freed the L5 root).

    References
    ----------
    Fennell 1996; Alexander 2007 (nuclear migration); Tarantino U et al. (2013)
    J Orthop Traumatol 14(1):15-22 (protrusions larger upright in 70 % of patients).
    """
    g = 1.0 + migration_gain_per_mm * nuclear_shift + pressure_gain_per_mpa * (idp_mpa - IDP_REFERENCE_MPA)
    return size_mm * max(g, 0.0)


def foraminal_herniation_mm(size_mm, disc_height_posterior_mm, loaded_posterior_height_mm):
    """Protrusion of a foraminal or extraforaminal herniation in a posture [mm].

    A mass of fixed section ``h0 hp`` (``h0`` its protrusion from the band
    at the anatomical posterior height ``hp``) in the band's loaded height
    ``hp'``: ``h = h0 hp / hp'``.  Extension and bending towards it squeeze it
    out, flexion lets it back (the Kemp pattern of foraminal lesions), and
    degenerative narrowing squeezes it like load does.  The section is not
    scaled by the degenerated rest height: then a thinner disc held a smaller
    mass, and on the convex side of a held lateral bend (the concave margin
    bottoms, the band opens beyond rest, more as the disc is thinner) more
    height loss retracted the herniation off the L4 root.

    References
    ----------
    Orita S et al. (2016) Eur J Orthop Surg Traumatol 26(7):685-693 (extension provokes foraminal stenosis).
    """
    return size_mm * max(disc_height_posterior_mm, MIN_BAND_MM) / max(loaded_posterior_height_mm, MIN_BAND_MM)


def herniation_routing_mm(zone, affected, contained_mm, foraminal_mm, central_reach):
    """Where a herniation acts on one side, by zone code (``ZONE_*`` of ``sim.layout``) [mm].

    ``contained_mm`` (:func:`contained_herniation_mm`) goes to the lateral
    recess of its side (subarticular) or, a share ``central_reach``, to both
    (central); ``foraminal_mm`` (:func:`foraminal_herniation_mm`) into the
    foramen of its side (foraminal) or beyond it, on the exiting L4 root
    (extraforaminal, :func:`sim.compression.l4_exit_clearance_mm`).

    Returns
    -------
    foraminal_mm, recess_mm, extraforaminal_mm : float [mm]

    References
    ----------
    Fardon DF et al. (2014) Spine 39(24):E1448-E1465 (zones of the nomenclature).
    """
    foraminal = foraminal_mm if (zone == ZONE_FORAMINAL and affected) else 0.0
    extra = foraminal_mm if (zone == ZONE_EXTRAFORAMINAL and affected) else 0.0
    recess = 0.0
    if zone == ZONE_SUBARTICULAR and affected:
        recess = contained_mm
    elif zone == ZONE_CENTRAL:
        recess = central_reach * contained_mm
    return foraminal, recess, extra


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


def rim_front_setback_mm(bulge_mm, loaded_posterior_height_mm):
    """How far a lens bulge stands behind the chamber's 45 deg rim face [mm].

    The lens ``x(k) = -b (1 - (1 - 2k/hp')^2)`` at depth ``k`` below the rim
    recedes faster than the 45 deg face near the rim when ``4 b > hp'``; the
    face set back by the largest excess, ``(4 b - hp')^2 / (16 b)``, covers it.
    Zero for ``4 b <= hp'``; grows with the bulge and as the disc closes, and
    only translates the face, so the chamber only shrinks.

    Examples
    --------
    >>> rim_front_setback_mm(1.0, 8.0), round(rim_front_setback_mm(3.0, 5.0), 3)
    (0.0, 1.021)
    """
    excess = 4.0 * bulge_mm - max(loaded_posterior_height_mm, MIN_BAND_MM)
    return excess * excess / (16.0 * bulge_mm) if excess > 0.0 else 0.0


def foramen_faces(foraminal_height_mm, foraminal_width_mm, upper_width_ratio, disc_height_posterior_mm,
                  pedicle_offset_mm, sap_tip_height_mm, bulge_mm, loaded_posterior_height_mm, herniation_mm,
                  posterior_narrowing_mm, angle_deg, cor_x_mm, dx_mm, dy_mm, translation_mm):
    """The eleven faces after L4 moved: unit outward normals ``n`` (11, 2) and offsets ``c`` (11,).

    A point ``p`` is inside a part when ``n[i] @ p <= c[i]`` for each of its
    faces.  L4's faces are its neutral ones moved by :func:`l4_transform`
    (``n' = Q n``, ``c' = c + n'.t``); the disc faces hang from the moved rim
    corner (chamber: set back by :func:`rim_front_setback_mm`, pushed in by
    ``herniation_mm`` normal to it) and the margin's midpoint (band); the SAP
    tip moves with the translation ``translation_mm`` only (its capsule hangs
    from L4).
    """
    h, b, hp = foraminal_height_mm, pedicle_offset_mm, disc_height_posterior_mm
    w_low = foraminal_width_mm - posterior_narrowing_mm
    q, t = l4_transform(angle_deg, cor_x_mm, dx_mm, dy_mm)
    n, c = np.zeros((N_FACES, 2)), np.zeros(N_FACES)
    for i, (nx, ny, off) in ((ROOF, (0.0, 1.0, h - b)), (L4_WALL, (1.0, 0.0, 0.0)),
                             (PARS, (-1.0, 0.0, upper_width_ratio * foraminal_width_mm)),
                             (ABOVE_RIM, (0.0, -1.0, -hp)), (BELOW_RIM, (0.0, 1.0, hp))):
        n[i] = q @ np.array([nx, ny])
        c[i] = off + n[i] @ t
    rim = q @ np.array([0.0, hp]) + t
    s = 1.0 / math.sqrt(2.0)
    n[RIM_FRONT] = (s, -s)
    c[RIM_FRONT] = n[RIM_FRONT] @ rim - s * rim_front_setback_mm(bulge_mm, loaded_posterior_height_mm) - herniation_mm
    n[SAP_TIP] = (-s, -s)
    c[SAP_TIP] = -s * (-w_low + translation_mm + hp + sap_tip_height_mm)
    x_mid = 0.5 * rim[0]
    n[DISC], c[DISC] = (1.0, 0.0), x_mid - bulge_mm
    n[HERNIATION], c[HERNIATION] = (1.0, 0.0), x_mid - bulge_mm - herniation_mm
    n[SAP], c[SAP] = (-1.0, 0.0), w_low
    n[FLOOR], c[FLOOR] = (0.0, -1.0), b
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
    """The two parts of the foramen, (chamber above the L4 rim, disc band), as vertex arrays for plotting."""
    return foramen_polygon(n, c, CHAMBER_OUTLINE), foramen_polygon(n, c, BAND)


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
    """Antero-posterior width of the band at height ``y_mm`` (disc level) [mm]."""
    front = min((c[i] - n[i, 1] * y_mm) / n[i, 0] for i in (DISC, HERNIATION))
    back = (c[SAP] - n[SAP, 1] * y_mm) / n[SAP, 0]
    return max(front - back, 0.0)


def foraminal_area_mm2(n, c):
    """Area of the foramen: chamber above the L4 rim plus disc band [mm^2]."""
    upper, stem = foramen_outline(n, c)
    return polygon_area_mm2(upper) + polygon_area_mm2(stem)


def iap_recess_fraction(facet_opening_mm, overlap_mm):
    """Share of the L4 inferior articular process (IAP) still over the L5 recess entrance [-].

    The slipped L4 narrows the L5 lateral recess from behind with the tip of
    its IAP, which it carries forward with the vertebra.  The IAP overlaps the
    recess entrance over ``overlap_mm`` in the rest posture.  Flexion opens the
    facet: the IAP glides cranially on the L5 superior articular process (the
    facets' motion is mostly this cranio-caudal glide, byrne2018) and lifts
    its tip out of the recess, so only the share ``1 - opening / overlap`` of
    the tip still narrows it.  Closing the facet (extension, compression)
    seats the tip deeper but cannot put more of it in front of the root than
    at rest: the share stays at most 1.

    Parameters
    ----------
    facet_opening_mm : float
        Cranial glide of the L4 IAP on the L5 SAP relative to the rest
        posture [mm]; the negative of the flavum's closure beyond the rest
        height loss (:func:`flavum_closure_mm`), positive in flexion.
    overlap_mm : float
        ``tissue.iap_recess_overlap_mm`` [mm], > 0.

    Returns
    -------
    float
        Share in [0, 1].

    References
    ----------
    Byrne RM et al. (2018) J Biomech (facet translations in vivo: cranio-caudal glide,
    6.6 mm at L4-L5 from trunk flexion to upright).
    Panjabi MM et al. (1993) Spine 18(10):1298-1310 (facet dimensions).
    """
    return min(max(1.0 - facet_opening_mm / overlap_mm, 0.0), 1.0)


def lateral_recess_room_mm(depth_mm, bulge_mm, facet_hypertrophy_mm, flavum_increase_mm,
                           translation_mm, slip_recess_ratio, herniation_mm):
    """Room left in the L5 lateral recess at the L4-L5 disc in a posture [mm].

    Neutral depth minus everything that fills the recess from the front (bulge,
    subarticular or central herniation) and from behind (SAP overgrowth, flavum
    thickening, the L4 inferior facet carried forward by anterior translation:
    ``translation_mm`` is that translation times the share of the facet's tip
    still over the recess, :func:`iap_recess_fraction`).
    Negative once its walls would overlap: the root is then squeezed against
    the soft tissue of the closed recess, so compression keeps growing.  The
    result ``lateral_recess_depth_mm`` is ``max(room, 0)``.

    References
    ----------
    Steurer J et al. (2011) BMC Musculoskelet Disord 12:175 (< 3 mm stenotic);
    Splettstosser A et al. (2017) Eur Spine J 26(8):2204-2210; chung2000.
    """
    return (depth_mm - bulge_mm - facet_hypertrophy_mm - flavum_increase_mm
            - slip_recess_ratio * max(translation_mm, 0.0) - herniation_mm)


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
def _nuclear_shift_mm(angle_deg, disc_height_anterior_mm, disc_height_posterior_mm, height_loss_mm, compression_mm,
                      disc_depth_mm, nucleus_depth_fraction):
    """Twin of :func:`nuclear_shift_mm` [mm]."""
    length = nucleus_depth_fraction * disc_depth_mm
    h = max(0.5 * (disc_height_anterior_mm + disc_height_posterior_mm) - height_loss_mm - compression_mm, MIN_BAND_MM)
    return length * length / (12.0 * h) * math.radians(angle_deg)


@njit(cache=True)
def _disc_bulge_mm(static_bulge_mm, height_loss_mm, local_closure_mm, idp_mpa, translation_mm,
                   bulge_per_height_loss, bulge_per_idp_mm_per_mpa, slip_pseudo_bulge_ratio):
    """Twin of :func:`disc_bulge_mm` [mm]."""
    b = (static_bulge_mm + bulge_per_height_loss * (height_loss_mm + local_closure_mm)
         + bulge_per_idp_mm_per_mpa * idp_mpa + slip_pseudo_bulge_ratio * max(translation_mm, 0.0))
    return max(b, 0.0)


@njit(cache=True)
def _contained_herniation_mm(size_mm, nuclear_shift, idp_mpa, migration_gain_per_mm, pressure_gain_per_mpa):
    """Twin of :func:`contained_herniation_mm` [mm]."""
    g = 1.0 + migration_gain_per_mm * nuclear_shift + pressure_gain_per_mpa * (idp_mpa - IDP_REFERENCE_MPA)
    return size_mm * max(g, 0.0)


@njit(cache=True)
def _foraminal_herniation_mm(size_mm, disc_height_posterior_mm, loaded_posterior_height_mm):
    """Twin of :func:`foraminal_herniation_mm` [mm]."""
    return size_mm * max(disc_height_posterior_mm, MIN_BAND_MM) / max(loaded_posterior_height_mm, MIN_BAND_MM)


@njit(cache=True)
def _herniation_routing_mm(zone, affected, contained_mm, foraminal_mm, central_reach):
    """Twin of :func:`herniation_routing_mm`: (foraminal_mm, recess_mm, extraforaminal_mm)."""
    foraminal = foraminal_mm if (zone == ZONE_FORAMINAL and affected) else 0.0
    extra = foraminal_mm if (zone == ZONE_EXTRAFORAMINAL and affected) else 0.0
    recess = 0.0
    if zone == ZONE_SUBARTICULAR and affected:
        recess = contained_mm
    elif zone == ZONE_CENTRAL:
        recess = central_reach * contained_mm
    return foraminal, recess, extra


@njit(cache=True)
def _l4_offsets_mm(slip_mm, compression_mm, height_loss_mm, lateral_angle_deg, axial_angle_deg, side_sign,
                   lateral_offset_mm):
    """Twin of :func:`l4_offsets_mm`: (dx, dy) [mm]."""
    dx = slip_mm - side_sign * lateral_offset_mm * math.sin(math.radians(axial_angle_deg))
    dy = -(compression_mm + height_loss_mm) - side_sign * lateral_offset_mm * math.sin(math.radians(lateral_angle_deg))
    return dx, dy


@njit(cache=True)
def _foramen_faces(n, c, foraminal_height_mm, foraminal_width_mm, upper_width_ratio, disc_height_posterior_mm,
                   pedicle_offset_mm, sap_tip_height_mm, bulge, hp_loaded, hern, narrowing, angle, cor_x_mm, dx, dy,
                   translation):
    """Twin of :func:`foramen_faces`, written into ``n`` (11, 2) and ``c`` (11,)."""
    h, hp, b = foraminal_height_mm, disc_height_posterior_mm, pedicle_offset_mm
    w_low = foraminal_width_mm - narrowing
    a = math.radians(-angle)
    ca, sa = math.cos(a), math.sin(a)
    tx = cor_x_mm - ca * cor_x_mm + dx
    ty = -sa * cor_x_mm + dy
    # L4 faces: n = Q n0, c = c0 + n.t
    n[ROOF, 0], n[ROOF, 1], c[ROOF] = -sa, ca, h - b + (-sa * tx + ca * ty)
    n[L4_WALL, 0], n[L4_WALL, 1], c[L4_WALL] = ca, sa, ca * tx + sa * ty
    n[PARS, 0], n[PARS, 1], c[PARS] = -ca, -sa, upper_width_ratio * foraminal_width_mm - (ca * tx + sa * ty)
    n[ABOVE_RIM, 0], n[ABOVE_RIM, 1], c[ABOVE_RIM] = sa, -ca, -hp - (-sa * tx + ca * ty)
    n[BELOW_RIM, 0], n[BELOW_RIM, 1], c[BELOW_RIM] = -sa, ca, hp + (-sa * tx + ca * ty)
    rx, ry = -sa * hp + tx, ca * hp + ty  # the moved rim corner
    s = 1.0 / math.sqrt(2.0)
    excess = 4.0 * bulge - max(hp_loaded, MIN_BAND_MM)
    setback = excess * excess / (16.0 * bulge) if excess > 0.0 else 0.0
    n[RIM_FRONT, 0], n[RIM_FRONT, 1], c[RIM_FRONT] = s, -s, s * (rx - ry) - s * setback - hern
    n[SAP_TIP, 0], n[SAP_TIP, 1], c[SAP_TIP] = -s, -s, -s * (-w_low + translation + hp + sap_tip_height_mm)
    n[DISC, 0], n[DISC, 1], c[DISC] = 1.0, 0.0, 0.5 * rx - bulge
    n[HERNIATION, 0], n[HERNIATION, 1], c[HERNIATION] = 1.0, 0.0, 0.5 * rx - bulge - hern
    n[SAP, 0], n[SAP, 1], c[SAP] = -1.0, 0.0, w_low
    n[FLOOR, 0], n[FLOOR, 1], c[FLOOR] = 0.0, -1.0, b


@njit(cache=True, forceinline=True)
def _clipped_area_mm2(n, c, part, buf_a, buf_b):
    """Area of one convex part [mm^2]: :func:`foramen_polygon` then :func:`polygon_area_mm2`, in place."""
    m = 4
    buf_a[0, 0], buf_a[0, 1] = -_BOX_MM, -_BOX_MM
    buf_a[1, 0], buf_a[1, 1] = _BOX_MM, -_BOX_MM
    buf_a[2, 0], buf_a[2, 1] = _BOX_MM, _BOX_MM
    buf_a[3, 0], buf_a[3, 1] = -_BOX_MM, _BOX_MM
    src, dst = buf_a, buf_b
    for i in part:
        # each vertex's signed distance is computed once and carried to the next edge (no modulo)
        nx, ny, ci = n[i, 0], n[i, 1], c[i]
        px, py = src[0, 0], src[0, 1]
        dp = nx * px + ny * py - ci
        d_first = dp
        k = 0
        for j in range(m):
            if j + 1 < m:
                qx, qy = src[j + 1, 0], src[j + 1, 1]
                dq = nx * qx + ny * qy - ci
            else:
                qx, qy = src[0, 0], src[0, 1]
                dq = d_first
            if dp <= 0.0:
                dst[k, 0], dst[k, 1] = px, py
                k += 1
            if (dp <= 0.0) != (dq <= 0.0):
                t = dp / (dp - dq)
                dst[k, 0], dst[k, 1] = px + t * (qx - px), py + t * (qy - py)
                k += 1
            px, py, dp = qx, qy, dq
        m = k
        src, dst = dst, src
        if m == 0:
            return 0.0
    if m < 3:
        return 0.0
    acc = 0.0
    for j in range(m - 1):
        acc += src[j, 0] * src[j + 1, 1] - src[j + 1, 0] * src[j, 1]
    acc += src[m - 1, 0] * src[0, 1] - src[0, 0] * src[m - 1, 1]
    return 0.5 * abs(acc)


@njit(cache=True, forceinline=True)
def _foraminal_area_mm2(n, c, buf_a, buf_b):
    """Twin of :func:`foraminal_area_mm2` [mm^2]; ``buf_a``, ``buf_b`` (N_FACES + 4, 2) clipping buffers."""
    return _clipped_area_mm2(n, c, CHAMBER_OUTLINE, buf_a, buf_b) + _clipped_area_mm2(n, c, BAND, buf_a, buf_b)


@njit(cache=True)
def _line_x(n, c, i, y):
    """Abscissa x of face ``i`` at height ``y`` [mm]."""
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


#: Twin of :func:`iap_recess_fraction` (scalar arithmetic only, the same code compiled).
_iap_recess_fraction = njit(cache=True)(iap_recess_fraction)


@njit(cache=True)
def _lateral_recess_room_mm(depth_mm, bulge_mm, facet_hypertrophy_mm, flavum_increase_mm, translation_mm,
                            slip_recess_ratio, herniation_mm):
    """Twin of :func:`lateral_recess_room_mm` [mm]."""
    return (depth_mm - bulge_mm - facet_hypertrophy_mm - flavum_increase_mm
            - slip_recess_ratio * max(translation_mm, 0.0) - herniation_mm)
