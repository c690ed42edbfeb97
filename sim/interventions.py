"""Stage 0, interventions: the parameter row -> the post-operative segment the other stages see.

Every intervention is a block of numeric parameters (``intervention.*``, the
end of ``PARAM_COLUMNS``); their defaults mean "no intervention" and leave
every record bit-identical.  The stage runs first and in a fixed surgical
order, whatever order the user lists them in:

1. **posture advice**: ``flexion_bias_deg`` is added to the L4-L5 flexion of
   every trunk posture (lumbar support, forward-leaning walking);
2. **direct decompression**, per side: laminotomy / flavectomy (a fraction of
   the ligamentum flavum removed: the recess and the foramen gain what it
   occupied), medial facetectomy (a fraction of the SAP's medial part removed:
   the recess deepens), foraminotomy (the SAP face of the foramen set back by a
   width); both bony resections cost facet stiffness;
3. **discectomy**: a fraction of the herniation removed, and the disc's
   post-operative height loss (short or long term) added to its degenerative loss;
4. **interbody fusion with a cage** (``cage_height_mm > 0``): the cage's
   height, lordosis, position and subsidence fix the disc heights and the
   segment angle; the slip is reduced; the segment no longer moves, the
   compression goes through the cage (and a share through the rods), the
   facets carry nothing and the nucleus is gone (no intradiscal pressure);
5. **interspinous spacer** (``spacer_height_mm > 0``): the spinous processes
   cannot come closer than the spacer, so L4 cannot extend beyond the angle
   where the interspinous distance equals the spacer height: large effect in
   extension, none in flexion.  Where it stops the segment it carries the
   compression the facets carried at the posture's free angle.  Ignored in a
   fused segment.

References
----------
Zeng ZL et al. (2017) J Healthc Eng 7981513 (facetectomy: extension range +11.7 % unilateral,
+40.7 % bilateral).  Abumi K et al. (1990) Spine 15(11):1142-1147 (graded facetectomies).
Panjabi MM et al. (1993) Spine 18(10):1298-1310 (facet dimensions).
Brinckmann P, Grootenboer H (1991) Spine 16(6):641-646 (height -0.8 mm per g of nucleus removed).
Kim DJ (1997) Ewha Med J 20(3):173 (posterior disc height -2.5 mm >= 2 years after discectomy).
Oliveira L et al. (2010) Spine 35(26S):S331-S337 (XLIF indirect decompression).
Wan Z et al. (2012) Eur Spine J 21(3):400-410 (X-Stop: foramen by posture, in vivo).
"""

from __future__ import annotations

import math

import numpy as np

from . import loads as ld
from .jit import njit
from .layout import PARAM_COLUMNS
from .postures import LIFTING, LOAD_CASE, ROW

#: The intervention parameters, in packed-row order (their contiguous block of ``sim.layout.PARAM_COLUMNS``,
#: which is where the order is declared; each has unit, range and source in parameters.toml).
INTERVENTION_KEYS = tuple(k for k in PARAM_COLUMNS if k.startswith("intervention."))
_AT = {k.split(".", 1)[1]: n for n, k in enumerate(INTERVENTION_KEYS)}
FLAV_L, FLAV_R = _AT["flavectomy_left_fraction"], _AT["flavectomy_right_fraction"]
FACET_L, FACET_R = _AT["facetectomy_left_fraction"], _AT["facetectomy_right_fraction"]
FORAM_L, FORAM_R = _AT["foraminotomy_left_mm"], _AT["foraminotomy_right_mm"]
HERN_REMOVED, POSTOP_LOSS = _AT["herniation_removed_fraction"], _AT["postop_height_loss_mm"]
CAGE_H, CAGE_LORD, CAGE_POS = _AT["cage_height_mm"], _AT["cage_lordosis_deg"], _AT["cage_position"]
CAGE_SUBS, SLIP_RED, ROD_SHARE = _AT["cage_subsidence_mm"], _AT["slip_reduction_fraction"], _AT["rod_load_share"]
SPACER_H, IS_DIST, SPACER_LEVER = _AT["spacer_height_mm"], _AT["interspinous_distance_mm"], _AT["spacer_lever_arm_mm"]
FLEX_BIAS = _AT["flexion_bias_deg"]
N_INTERVENTION = len(INTERVENTION_KEYS)

#: Medio-lateral width of the L4-L5 facet [mm] (Panjabi 1993: about 15 mm): a foraminotomy of
#: width ``w`` removes the share ``w / FACET_WIDTH_MM`` of its facet.
FACET_WIDTH_MM = 15.0
#: Depth the SAP's medial part overhangs the lateral recess [mm] (assumption: the normal recess
#: is about 5 mm deep, < 3 mm is stenotic (Steurer 2011), and undercutting the SAP to the medial
#: pedicle wall frees about 3 mm more).  A medial facetectomy of fraction ``f`` deepens the
#: recess by ``f (facet hypertrophy + SAP_OVERHANG_MM)``.
SAP_OVERHANG_MM = 3.0
#: Smallest posterior height a cage leaves [mm]: a cage too lordotic for its height at its
#: position rests on its posterior edge.
MIN_CAGE_POSTERIOR_MM = 1.0
#: "No stop": the angle returned when no spacer is in place [deg].
NO_STOP_DEG = -90.0
_SEG_FLEX = ROW["segment_flexion_deg"]


def advised_segment_flexion_deg(kind, segment_flexion_deg, flexion_bias_deg):
    """L4-L5 flexion a posture imposes with posture advice [deg].

    Trunk and lifting postures add ``flexion_bias_deg`` to their own segment
    flexion; load cases (explicit moments) are left as they are.

    References
    ----------
    Fritz JM, Erhard RE, Vignovic M (1997) Phys Ther 77(9):962-973 (flexion-biased treatment of stenosis).
    """
    return segment_flexion_deg if kind == LOAD_CASE else segment_flexion_deg + flexion_bias_deg


def advised_posture_loads(posture_row, body_mass_kg, lifting_params, law_params, flexion_bias_deg):
    """:func:`sim.loads.posture_loads` of a posture-table row with posture advice applied.

    Returns the same tuple; the posture's own segment flexion is shifted by
    :func:`advised_segment_flexion_deg`.
    """
    row = np.array(posture_row, dtype=float)
    row[_SEG_FLEX] = advised_segment_flexion_deg(row[ROW["kind"]], row[_SEG_FLEX], flexion_bias_deg)
    return ld.posture_loads(row, body_mass_kg, lifting_params, law_params)


def facet_stiffness_kept(iv):
    """Share of the facet stiffness left after resection (both facets, mean of the two sides).

    A medial facetectomy removes the fraction given, a foraminotomy of width
    ``w`` the share ``w / FACET_WIDTH_MM``; the stiffness falls in proportion
    to the facet removed (the segment solver has one facet stiffness for both
    sides, so the two sides' losses are averaged).

    References
    ----------
    Zeng 2017 (facetectomy raises the extension range by 11.7 % one side, 40.7 % both);
    Abumi 1990.
    """
    left = min(iv[FACET_L] + iv[FORAM_L] / FACET_WIDTH_MM, 1.0)
    right = min(iv[FACET_R] + iv[FORAM_R] / FACET_WIDTH_MM, 1.0)
    return 1.0 - 0.5 * (left + right)


def side_decompression(side_sign, iv, facet_hypertrophy_mm):
    """Direct decompression of one side: (flavum share kept, recess gain [mm], foraminal gain [mm]).

    The flavum's thickness is multiplied by the share kept (laminotomy /
    flavectomy); a medial facetectomy of fraction ``f`` deepens the recess by
    ``f (hypertrophy + SAP_OVERHANG_MM)``; a foraminotomy sets the SAP face of
    the foramen back by its width.

    References
    ----------
    Panjabi 1993 (facet size); Steurer J et al. (2011) BMC Musculoskelet Disord 12:175 (recess depth).
    """
    if side_sign < 0.0:
        return 1.0 - iv[FLAV_L], iv[FACET_L] * (facet_hypertrophy_mm + SAP_OVERHANG_MM), iv[FORAM_L]
    return 1.0 - iv[FLAV_R], iv[FACET_R] * (facet_hypertrophy_mm + SAP_OVERHANG_MM), iv[FORAM_R]


def symmetric_decompression(iv):
    """True when both sides are decompressed alike (the kernel may then mirror one side)."""
    return iv[FLAV_L] == iv[FLAV_R] and iv[FACET_L] == iv[FACET_R] and iv[FORAM_L] == iv[FORAM_R]


def cage_posterior_height_mm(iv, disc_depth_mm):
    """Posterior disc height a cage sets [mm].

    The cage's height ``H`` is at its centre, ``p d`` in front of the posterior
    margin (``p`` = ``cage_position``, ``d`` the disc depth), its endplates
    open by the lordosis ``L`` and the endplates sink by the subsidence ``s``:
    ``hp' = H - s - p d tan(L)``, at least :data:`MIN_CAGE_POSTERIOR_MM`.
    """
    h = iv[CAGE_H] - iv[CAGE_SUBS] - iv[CAGE_POS] * disc_depth_mm * math.tan(math.radians(iv[CAGE_LORD]))
    return max(h, MIN_CAGE_POSTERIOR_MM)


def fused_angle_deg(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm):
    """Segment angle of the fused segment [deg, + flexion]: the native wedge less the cage's lordosis.

    Zero is the native unloaded disc (wedge ``atan((ha - hp) / d)``); a cage more
    lordotic than it holds L4 in extension.

    References
    ----------
    Mahatthanatrakul A et al. (2022) J Korean Neurosurg Soc 65(1):74-83 (OLIF: segmental lordosis +3.0 deg).
    """
    wedge = math.degrees(math.atan((disc_height_anterior_mm - disc_height_posterior_mm) / disc_depth_mm))
    return wedge - iv[CAGE_LORD]


def fused_height_loss_mm(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm, cor_offset_mm):
    """The settling of L4 (``height loss``; negative: distraction) that puts it on the cage [mm].

    Chosen so that the loaded posterior height of the later stages,
    ``hp - hl - cor sin(-a)`` (no compression, no lateral bend), equals the
    cage's :func:`cage_posterior_height_mm` at the fused angle ``a``.
    """
    a = fused_angle_deg(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm)
    return (disc_height_posterior_mm - cage_posterior_height_mm(iv, disc_depth_mm)
            - cor_offset_mm * math.sin(math.radians(-a)))


def spacer_stop_deg(iv, cor_offset_mm):
    """Smallest segment angle an interspinous spacer allows [deg, + flexion].

    The spinous processes sit ``spacer_lever_arm_mm`` behind the posterior disc
    margin, so ``lever + cor`` behind the centre of rotation; their distance is
    ``d0 + (lever + cor) sin(a)``.  A spacer of height ``h`` stops extension at
    ``sin(a) = (h - d0) / (lever + cor)``: a spacer taller than ``d0`` distracts
    the segment into flexion even standing.  :data:`NO_STOP_DEG` without a spacer.

    References
    ----------
    Wan Z et al. (2012) Eur Spine J 21(3):400-410 (X-Stop: foraminal area +32.9 % in extension,
    height +1.2 mm standing, +1.8 mm extension, no change in flexion).
    Xia Q et al. (2009) Eur Spine J 18(9):1355-1362 (interspinous distances in vivo).
    """
    if iv[SPACER_H] <= 0.0:
        return NO_STOP_DEG
    s = (iv[SPACER_H] - iv[IS_DIST]) / (iv[SPACER_LEVER] + cor_offset_mm)
    return math.degrees(math.asin(min(max(s, -1.0), 1.0)))


def spacer_force_n(free_facet_force_n, compressive_force_n):
    """Compression the spacer carries when it holds the segment short of the posture's angle [N].

    The posterior column keeps its share of the compression: what the facets
    carried at the free (pre-operative) angle of the posture now goes through
    the spacer and the spinous processes, in parallel with the disc and what the
    facets still carry at the stop.  At most the whole compression.

    References
    ----------
    Swanson KE et al. (2003) Spine 28(1):26-32 (the implant lowers disc pressure in extension);
    Wiseman CM et al. (2005) Spine 30(8):903-907 (it unloads the facets in extension).
    """
    return min(free_facet_force_n, max(compressive_force_n, 0.0))


def surgical_state(height_loss_mm, slip_mm, herniation_mm, facet_stiffness, facet_shear_stiffness,
                   disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm, cor_offset_mm, iv):
    """The segment after surgery, as the loads and mechanics stages see it.

    Parameters
    ----------
    height_loss_mm, slip_mm, herniation_mm : float [mm]
        Pre-operative degenerative height loss, slip and herniation size.
    facet_stiffness, facet_shear_stiffness : float [N/mm]
    disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm, cor_offset_mm : float [mm]
    iv : sequence
        The intervention values in :data:`INTERVENTION_KEYS` order.

    Returns
    -------
    (height_loss_mm, slip_mm, herniation_mm, facet_stiffness, facet_shear_stiffness, fused, fused_angle_deg,
     stop_angle_deg)
        ``fused`` 1.0 with a cage (then ``slip_mm`` is the reduced slip and the segment sits at
        ``fused_angle_deg``), ``stop_angle_deg`` the spacer's (:func:`spacer_stop_deg`).
    """
    herniation = herniation_mm * (1.0 - iv[HERN_REMOVED])
    kept = facet_stiffness_kept(iv)
    if iv[CAGE_H] > 0.0:
        a = fused_angle_deg(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm)
        hl = fused_height_loss_mm(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm,
                                  cor_offset_mm)
        return (hl, slip_mm * (1.0 - iv[SLIP_RED]), herniation, facet_stiffness * kept,
                facet_shear_stiffness * kept, 1.0, a, NO_STOP_DEG)
    return (height_loss_mm + iv[POSTOP_LOSS], slip_mm, herniation, facet_stiffness * kept,
            facet_shear_stiffness * kept, 0.0, 0.0, spacer_stop_deg(iv, cor_offset_mm))


def fused_loads(force_n, iv):
    """Where a fused segment's compression goes: (cage force [N], facet force [N], IDP [MPa]).

    The rods carry ``rod_load_share`` of it, the cage the rest; the facets are
    bypassed and the nucleus is removed, so there is no intradiscal pressure.

    References
    ----------
    Rohlmann A, Burra NK, Zander T, Bergmann G (2007) Eur Spine J 16(8):1223-1231 (finite elements: a
    posterior fixator carries part of the load and lowers the disc's pressure at its level).
    """
    return force_n * (1.0 - iv[ROD_SHARE]), 0.0, 0.0


# ---------------------------------------------------------------- numba twins
@njit(cache=True)
def _advised_segment_flexion_deg(kind, segment_flexion_deg, flexion_bias_deg):
    """Twin of :func:`advised_segment_flexion_deg` [deg]."""
    return segment_flexion_deg if kind == LOAD_CASE else segment_flexion_deg + flexion_bias_deg


@njit(cache=True)
def _advised_posture_loads(r, body_mass_kg, q, law, flexion_bias_deg):
    """Twin of :func:`advised_posture_loads` (no copy of the row: the shifted flexion is passed on)."""
    if r[0] == LOAD_CASE:
        return ld._posture_loads(r, body_mass_kg, q, law)
    trunk, hand = r[6], r[12]
    if r[0] == LIFTING:
        trunk, hand = q[0], q[1]
    flex = _advised_segment_flexion_deg(r[0], r[_SEG_FLEX], flexion_bias_deg)
    n = r[ld.GAIT]  # gait's vertical load factor, as in sim.loads.posture_loads
    f = ld._trunk_loads(n * body_mass_kg, trunk, r[7], flex, r[9], r[10], r[11], n * hand, r[13], q[2], q[3], q[4],
                        q[5], q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13], q[14], q[15], q[16], q[17],
                        law[0], law[1], law[2], law[3], law[4], law[5], law[6], law[7])
    return f[0], f[1], f[2], f[3], f[4], 1.0, f[5], f[6], f[7], f[8]


@njit(cache=True)
def _facet_stiffness_kept(iv):
    """Twin of :func:`facet_stiffness_kept`."""
    left = min(iv[FACET_L] + iv[FORAM_L] / FACET_WIDTH_MM, 1.0)
    right = min(iv[FACET_R] + iv[FORAM_R] / FACET_WIDTH_MM, 1.0)
    return 1.0 - 0.5 * (left + right)


@njit(cache=True)
def _side_decompression(side_sign, iv, facet_hypertrophy_mm):
    """Twin of :func:`side_decompression`."""
    if side_sign < 0.0:
        return 1.0 - iv[FLAV_L], iv[FACET_L] * (facet_hypertrophy_mm + SAP_OVERHANG_MM), iv[FORAM_L]
    return 1.0 - iv[FLAV_R], iv[FACET_R] * (facet_hypertrophy_mm + SAP_OVERHANG_MM), iv[FORAM_R]


@njit(cache=True)
def _symmetric_decompression(iv):
    """Twin of :func:`symmetric_decompression`."""
    return iv[FLAV_L] == iv[FLAV_R] and iv[FACET_L] == iv[FACET_R] and iv[FORAM_L] == iv[FORAM_R]


@njit(cache=True)
def _cage_posterior_height_mm(iv, disc_depth_mm):
    """Twin of :func:`cage_posterior_height_mm` [mm]."""
    h = iv[CAGE_H] - iv[CAGE_SUBS] - iv[CAGE_POS] * disc_depth_mm * math.tan(math.radians(iv[CAGE_LORD]))
    return max(h, MIN_CAGE_POSTERIOR_MM)


@njit(cache=True)
def _fused_angle_deg(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm):
    """Twin of :func:`fused_angle_deg` [deg]."""
    wedge = math.degrees(math.atan((disc_height_anterior_mm - disc_height_posterior_mm) / disc_depth_mm))
    return wedge - iv[CAGE_LORD]


@njit(cache=True)
def _fused_height_loss_mm(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm, cor_offset_mm):
    """Twin of :func:`fused_height_loss_mm` [mm]."""
    a = _fused_angle_deg(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm)
    return (disc_height_posterior_mm - _cage_posterior_height_mm(iv, disc_depth_mm)
            - cor_offset_mm * math.sin(math.radians(-a)))


@njit(cache=True)
def _spacer_stop_deg(iv, cor_offset_mm):
    """Twin of :func:`spacer_stop_deg` [deg]."""
    if iv[SPACER_H] <= 0.0:
        return NO_STOP_DEG
    s = (iv[SPACER_H] - iv[IS_DIST]) / (iv[SPACER_LEVER] + cor_offset_mm)
    return math.degrees(math.asin(min(max(s, -1.0), 1.0)))


@njit(cache=True)
def _spacer_force_n(free_facet_force_n, compressive_force_n):
    """Twin of :func:`spacer_force_n` [N]."""
    return min(free_facet_force_n, max(compressive_force_n, 0.0))


@njit(cache=True)
def _surgical_state(height_loss_mm, slip_mm, herniation_mm, facet_stiffness, facet_shear_stiffness,
                    disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm, cor_offset_mm, iv):
    """Twin of :func:`surgical_state`."""
    herniation = herniation_mm * (1.0 - iv[HERN_REMOVED])
    kept = _facet_stiffness_kept(iv)
    if iv[CAGE_H] > 0.0:
        a = _fused_angle_deg(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm)
        hl = _fused_height_loss_mm(iv, disc_height_anterior_mm, disc_height_posterior_mm, disc_depth_mm,
                                   cor_offset_mm)
        return (hl, slip_mm * (1.0 - iv[SLIP_RED]), herniation, facet_stiffness * kept,
                facet_shear_stiffness * kept, 1.0, a, NO_STOP_DEG)
    return (height_loss_mm + iv[POSTOP_LOSS], slip_mm, herniation, facet_stiffness * kept,
            facet_shear_stiffness * kept, 0.0, 0.0, _spacer_stop_deg(iv, cor_offset_mm))


@njit(cache=True)
def _fused_loads(force_n, iv):
    """Twin of :func:`fused_loads`."""
    return force_n * (1.0 - iv[ROD_SHARE]), 0.0, 0.0
