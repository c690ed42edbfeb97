"""Stage 3, geometry: the central canal (dural sac's room) at the L4-L5 disc, one per configuration.

The axial section of the canal at the disc is an ellipse whose axes are the
neutral, unloaded room of the dural sac (``canal.ap_diameter_mm``,
``canal.width_mm``), shortened by what fills it in the posture:

==========================  ===========================================  ============================
 boundary                    what narrows it                              axis
==========================  ===========================================  ============================
 front: disc margin          bulge at the midline (height loss, closure,  antero-posterior
                             pressure, pseudo-bulge of a slip); a central
                             herniation, or the share of a paracentral
                             (subarticular) one that reaches the midline
 back: flavum, L4 arch       each flavum leaf's thickening beyond its     antero-posterior (mean of
                             neutral thickness (hypertrophy, buckling     the two leaves)
                             in extension and height loss); the L4 arch
                             carried forward by anterior translation
 sides: facets (SAP)         facet overgrowth, both sides                 transverse
==========================  ===========================================  ============================

Every term is one the foramen and the lateral recess already use (the same
bulge law, flavum thickness, herniation routing, slip ratio and facet
overgrowth, :mod:`sim.geometry`), so the canal moves with posture and disease
exactly as they do.  Direct decompression enlarges it: a laminotomy or
flavectomy removes the share of each leaf it takes (its thickness then falls
below the neutral one, so the room grows by what the leaf occupied), a medial
facetectomy widens it by the recess gain of each side
(:func:`sim.interventions.side_decompression`).

    A = pi / 4 * max(D - b - h - (dt_l + dt_r) / 2 - r u, 0) * max(W - 2 f + g_l + g_r, 0)

The result ``canal_area_mm2`` is the area of this free lumen, the room the
dural sac may fill; in a stenotic canal the sac fills it, which is what the
dural-sac area of MRI measures.

Main simplifications: an ellipse, no trefoil shape; the flavum narrows the
canal front to back only; the bony walls do not change with posture.

References
----------
Schmid MR et al. (1999) AJR Am J Roentgenol 172(4):1095-1102 (canal area at L4-L5 268 mm2 flexed, 224 mm2 extended).
Chung SS et al. (2000) Skeletal Radiol 29:217-223 (canal and dural sac smaller, flavum thicker in extension).
Hamanishi C et al. (1994) J Spinal Disord 7(5):388-393 (dural tube < 100 mm2 goes with claudication).
Schonstrom N, Hansson T (1988) Spine 13(4):385-388 (cauda equina pressure rises below about 75 mm2).
Kalichman L et al. (2009) Spine J 9(7):545-550 (canal AP diameter: < 12 mm relative, < 10 mm absolute stenosis).
"""

from __future__ import annotations

import math

from .jit import njit
from .layout import ZONE_CENTRAL, ZONE_SUBARTICULAR


def canal_herniation_mm(zone, contained_mm, central_reach):
    """Depth a contained herniation reaches into the canal's midline, by zone code [mm].

    A central herniation reaches it whole; a paracentral (subarticular) one
    by the share ``central_reach`` (the share by which a central herniation
    reaches the recess 8-10 mm off the midline, :func:`sim.geometry.herniation_routing_mm`);
    foraminal and extraforaminal ones lie outside the canal.

    References
    ----------
    Fardon DF et al. (2014) Spine 39(24):E1448-E1465 (zones of the nomenclature).
    """
    if zone == ZONE_CENTRAL:
        return contained_mm
    if zone == ZONE_SUBARTICULAR:
        return central_reach * contained_mm
    return 0.0


def canal_area_mm2(ap_diameter_mm, width_mm, bulge_mm, herniation_mm, flavum_increase_left_mm,
                   flavum_increase_right_mm, facet_hypertrophy_mm, recess_gain_left_mm, recess_gain_right_mm,
                   translation_mm, slip_recess_ratio):
    """Cross-sectional area of the central canal's free lumen at the L4-L5 disc [mm^2].

    Parameters
    ----------
    ap_diameter_mm, width_mm : float
        Neutral room of the dural sac, front to back and side to side [mm].
    bulge_mm : float
        Disc bulge at the midline in the posture (:func:`sim.geometry.disc_bulge_mm`) [mm].
    herniation_mm : float
        Herniation in the midline (:func:`canal_herniation_mm`) [mm].
    flavum_increase_left_mm, flavum_increase_right_mm : float
        Each flavum leaf's thickness beyond its neutral one (negative once resected) [mm].
    facet_hypertrophy_mm : float
        Overgrowth of each superior articular process [mm].
    recess_gain_left_mm, recess_gain_right_mm : float
        Depth a medial facetectomy freed on each side [mm].
    translation_mm : float
        Anterior translation of L4 (only forward translation narrows) [mm].
    slip_recess_ratio : float
        Share of the translation by which the L4 inferior articular processes and arch narrow the room.

    Returns
    -------
    float
        ``pi/4 * AP * W`` of the narrowed axes, each at least 0 [mm^2].

    References
    ----------
    Schmid 1999; Chung 2000; Hamanishi 1994 (see the module).

    Examples
    --------
    >>> round(canal_area_mm2(13.0, 16.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25), 1)
    163.4
    """
    ap = (ap_diameter_mm - bulge_mm - herniation_mm - 0.5 * (flavum_increase_left_mm + flavum_increase_right_mm)
          - slip_recess_ratio * max(translation_mm, 0.0))
    width = width_mm - 2.0 * facet_hypertrophy_mm + recess_gain_left_mm + recess_gain_right_mm
    return 0.25 * math.pi * max(ap, 0.0) * max(width, 0.0)


# ---------------------------------------------------------------- numba twins
#: Twins of the functions above: scalar arithmetic only, so the same code compiled.
_canal_herniation_mm = njit(cache=True)(canal_herniation_mm)
_canal_area_mm2 = njit(cache=True)(canal_area_mm2)
