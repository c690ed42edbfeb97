"""The whole pipeline for one configuration, twice: the readable reference chain and its numba twin.

:func:`evaluate_row` calls the public stage functions of ``sim.loads``,
``sim.mechanics``, ``sim.geometry``, ``sim.compression`` and ``sim.referral``
on scalars; :func:`_evaluate_row` calls their numba twins (same name, leading
underscore) in the same order, line for line, and is held to the reference at
1e-9 relative (tests/test_engines.py).  The batch kernels
:func:`evaluate_batch` and :func:`evaluate_sets` run :func:`_evaluate_row`
with ``prange`` over tasks of rows, one scratch buffer per task and no
allocation in the row loop; :func:`evaluate_overrides` serves ``sim.evaluate``.
"""

from __future__ import annotations

import numpy as np
from numba import parallel_chunksize

from . import canal as cnl
from . import claudication as clm
from . import compression as cmp
from . import geometry as geo
from . import interventions as ivn
from . import loads as ld
from . import mechanics as mech
from . import referral as rfl
from .jit import njit, prange, prefetch_read, prefetch_write
from .layout import (
    COL,
    COLUMNS,
    OUT_AXIAL_ANGLE_DEG,
    OUT_AXIAL_COMPRESSION_MM,
    OUT_AXIAL_MOMENT_NM,
    OUT_CANAL_AREA_MM2,
    OUT_COMPRESSIVE_FORCE_N,
    OUT_DISC_BULGE_MM,
    OUT_DISC_FORCE_N,
    OUT_DISC_HEIGHT_POSTERIOR_MM,
    OUT_FACET_FORCE_N,
    OUT_FLEXION_MOMENT_NM,
    OUT_FORAMINAL_AREA_MM2,
    OUT_FORAMINAL_HEIGHT_MM,
    OUT_FORAMINAL_WIDTH_MM,
    OUT_HERNIATION_EFFECTIVE_MM,
    OUT_IDP_MPA,
    OUT_L4_CLEARANCE_MM,
    OUT_L4_DEFORMATION_PCT,
    OUT_L4_DRG_CLEARANCE_MM,
    OUT_L4_DRG_DEFORMATION_PCT,
    OUT_L4_DRG_PRESSURE_KPA,
    OUT_L4_GRADE,
    OUT_L4_PRESSURE_KPA,
    OUT_L4_ROOT_X_MM,
    OUT_L4_ROOT_Y_MM,
    OUT_L5_CLEARANCE_MM,
    OUT_L5_DEFORMATION_PCT,
    OUT_L5_GRADE,
    OUT_L5_PRESSURE_KPA,
    OUT_LATERAL_ANGLE_DEG,
    OUT_LATERAL_MOMENT_NM,
    OUT_LATERAL_RECESS_DEPTH_MM,
    OUT_NUCLEAR_SHIFT_MM,
    OUT_PRESSURE_LIMIT_REACHED,
    OUT_SEGMENT_ANGLE_DEG,
    OUT_SHEAR_FORCE_N,
    OUT_SIDE_FACET_FORCE_N,
    OUT_SLIP_MM,
    OUT_SOLVER_AT_BOUND,
    OUT_SOLVER_ITERATIONS,
    OUT_TIME_TO_RECOVER_MIN,
    OUT_TIME_TO_STOP_MIN,
    OUT_TIME_TO_SYMPTOMS_MIN,
    OUT_TRANSLATION_MM,
    OUTPUTS,
    PAIN_START,
    PARAM_COLUMNS,
    ZONE_CENTRAL,
)

NOUT = len(OUTPUTS)
N_PAIN = 10  # nine pain regions, then the distribution code (sim.referral.pain_row)

# column indices (module constants are frozen into the compiled kernel)
_HP = COL["anatomy.disc_height_posterior_mm"]
_AREA = COL["anatomy.disc_area_mm2"]
_FH = COL["anatomy.foraminal_height_mm"]
_FW = COL["anatomy.foraminal_width_mm"]
_FWR = COL["anatomy.foraminal_upper_width_ratio"]
_LRD = COL["anatomy.lateral_recess_depth_mm"]
_LRA = COL["anatomy.lateral_recess_angle_deg"]
_LFT = COL["anatomy.ligamentum_flavum_thickness_mm"]
_LFL = COL["anatomy.ligamentum_flavum_length_mm"]
_D4 = COL["anatomy.l4_root_diameter_mm"]
_DDRG = COL["anatomy.l4_drg_diameter_mm"]
_D5 = COL["anatomy.l5_root_diameter_mm"]
_MOB = COL["anatomy.root_bed_mobility_mm"]
_RLAT = COL["anatomy.foramen_lateral_offset_mm"]
_MASS = COL["anatomy.body_mass_kg"]
_HL = COL["pathology.disc_height_loss_mm"]
_BULGE = COL["pathology.disc_bulge_mm"]
_HSIZE = COL["pathology.herniation_size_mm"]
_SLIP = COL["pathology.slip_mm"]
_SLIPI = COL["pathology.slip_instability_mm"]
_FACETH = COL["pathology.facet_hypertrophy_mm"]
_LFH = COL["pathology.ligamentum_flavum_hypertrophy_mm"]
_KF0 = COL["tissue.flexion_toe_stiffness_nm_per_deg"]
_BF = COL["tissue.flexion_stiffening_per_deg"]
_KE0 = COL["tissue.extension_toe_stiffness_nm_per_deg"]
_BE = COL["tissue.extension_stiffening_per_deg"]
_KL0 = COL["tissue.lateral_toe_stiffness_nm_per_deg"]
_BL = COL["tissue.lateral_stiffening_per_deg"]
_KA0 = COL["tissue.axial_toe_stiffness_nm_per_deg"]
_BA = COL["tissue.axial_stiffening_per_deg"]
_KD0 = COL["tissue.disc_axial_toe_stiffness_n_per_mm"]
_BD = COL["tissue.disc_axial_stiffening_per_mm"]
_KFAC = COL["tissue.facet_stiffness_n_per_mm"]
_GAP = COL["tissue.facet_gap_mm"]
_LEVER = COL["tissue.facet_lever_arm_mm"]
_SMOOTH = COL["tissue.facet_contact_smoothing_mm"]
_COR = COL["tissue.cor_anterior_offset_mm"]
_KIDP = COL["tissue.idp_correction_factor"]
_BPH = COL["tissue.bulge_per_height_loss"]
_BPI = COL["tissue.bulge_per_idp_mm_per_mpa"]
_PSEUDO = COL["tissue.slip_pseudo_bulge_ratio"]
_SLIPREC = COL["tissue.slip_recess_ratio"]
_IAPOV = COL["tissue.iap_recess_overlap_mm"]
_FFRAC = COL["tissue.foraminal_flavum_fraction"]
_CREACH = COL["tissue.central_herniation_reach"]
_XCLEAR = COL["tissue.extraforaminal_clearance_mm"]
_PEDOFF = COL["tissue.l5_pedicle_offset_mm"]
_SAPTIP = COL["tissue.sap_tip_height_mm"]
_E0 = COL["tissue.root_transverse_modulus_kpa"]
_BROOT = COL["tissue.root_stiffening"]
_BED = COL["tissue.root_bed_thickness_mm"]
_NUCF = COL["tissue.nucleus_depth_fraction"]
_GMIG = COL["tissue.herniation_migration_gain_per_mm"]
_GIDP = COL["tissue.herniation_pressure_gain_per_mpa"]
_HA = COL["anatomy.disc_height_anterior_mm"]
_DEPTH = COL["anatomy.disc_depth_mm"]
_LIFT0 = COL[ld.LIFTING_KEYS[0]]
_N_LIFT = len(ld.LIFTING_KEYS)
_N_LAW = len(ld.LAW_KEYS)
_SWELL = COL["tissue.swelling_pressure_mpa"]
_KBOT = COL["tissue.disc_bottoming_force_n"]
_KS0 = COL["tissue.disc_shear_stiffness_n_per_mm"]
_FS = COL["tissue.shear_preload_n"]
_DS = COL["tissue.shear_degeneration"]
_KAP = COL["tissue.facet_shear_stiffness_n_per_mm"]
_GAP_AP = COL["tissue.facet_shear_gap_mm"]
_HF = COL["tissue.facet_contact_height_mm"]
_GRADING0 = COL["grading.contact_clearance_mm"]
_N_GRADING = 7
_REFERRAL0 = COL[rfl.PARAM_KEYS[0]]
_ZONE = COL["pathology.herniation_zone"]
_HSIDE = COL["pathology.herniation_side"]
_POSTURE = COL["posture"]
_IV0 = COL[ivn.INTERVENTION_KEYS[0]]
_N_IV = ivn.N_INTERVENTION
_CLAUD0 = COL[clm.KEYS[0]]
_N_CLAUD = len(clm.KEYS)
_CAP = COL["canal.ap_diameter_mm"]
_CW = COL["canal.width_mm"]


def _section(v: dict, section: str) -> dict:
    prefix = section + "."
    return {k[len(prefix):]: x for k, x in v.items() if k.startswith(prefix)}


# ---------------------------------------------------------------- reference chain
def evaluate_row(row: np.ndarray, posture_table: np.ndarray, coef: np.ndarray,
                 capture: dict | None = None) -> np.ndarray:
    """All outputs of one packed configuration for both sides, shape ``(2, len(OUTPUTS))``.

    ``coef`` is the referral structure vector (:func:`sim.referral.pack_coefficients`); the
    referral numbers are parameters of the row.
    ``capture``, if given, receives each side's foramen faces ``(n, c)`` under its side name.
    """
    v = {name: float(row[i]) for i, name in enumerate(COLUMNS)}
    tissue, grading = _section(v, "tissue"), _section(v, "grading")
    zone = int(v["pathology.herniation_zone"])
    hside = int(v["pathology.herniation_side"])
    facet_hyp = v["pathology.facet_hypertrophy_mm"]

    # stage 0: interventions (sim.interventions): the post-operative segment the other stages see
    iv = [v[k] for k in ivn.INTERVENTION_KEYS]
    rprm = [v[k] for k in rfl.PARAM_KEYS]  # stages 5 and 6 read the same referral parameters
    claud = [v[k] for k in clm.KEYS]
    hl, slip_rest, hsize, kfac, kap, fused, a_fused, a_stop = ivn.surgical_state(
        v["pathology.disc_height_loss_mm"], v["pathology.slip_mm"], v["pathology.herniation_size_mm"],
        tissue["facet_stiffness_n_per_mm"], tissue["facet_shear_stiffness_n_per_mm"],
        v["anatomy.disc_height_anterior_mm"], v["anatomy.disc_height_posterior_mm"], v["anatomy.disc_depth_mm"],
        tissue["cor_anterior_offset_mm"], iv)

    # stage 1: loads (posture advice shifts the posture's own flexion)
    force, shear, m_sag, m_lat, m_ax, imposed, a_imp, lat_imp, ax_imp, held = ivn.advised_posture_loads(
        posture_table[int(v["posture"])], v["anatomy.body_mass_kg"], [v[k] for k in ld.LIFTING_KEYS],
        [v[k] for k in ld.LAW_KEYS], v["intervention.flexion_bias_deg"])

    # stage 2: mechanics (both sides).  A fused segment sits on its cage in every posture; a spacer
    # stops extension at its angle
    solve = [v[k] for k in mech.SOLVE_KEYS]
    solve[0], solve[1], solve[10], solve[14] = hl, slip_rest, kfac, kap
    if fused > 0.5:
        angle, lat, axial, w, u = a_fused, 0.0, 0.0, 0.0, slip_rest
        tip_l = tip_r = surf_l = surf_r = iters = at_bound = 0.0
        f_disc, f_facet, idp = ivn.fused_loads(force, iv)
        idp_load = idp
    else:
        law = [v[k] for k in ld.LAW_KEYS]
        angle, lat, axial, w, u, tip_l, tip_r, surf_l, surf_r, iters, at_bound = mech.segment_equilibrium(
            force, shear, m_sag, m_lat, m_ax, imposed, a_imp, lat_imp, ax_imp, *law, *solve)
        f_spacer = 0.0  # compression through the spacer where it holds the segment short of the posture
        if angle < a_stop:
            f_spacer = ivn.spacer_force_n(tip_l + tip_r, force)
            angle, lat, axial, w, u, tip_l, tip_r, surf_l, surf_r, iters, at_bound = mech.segment_equilibrium(
                force - f_spacer, shear, m_sag, m_lat, m_ax, 1.0, a_stop, lat, axial, *law, *solve)
        f_disc = force - f_spacer - tip_l - tip_r
        f_facet = tip_l + tip_r + surf_l + surf_r
        idp = mech.intradiscal_pressure_mpa(f_disc, v["anatomy.disc_area_mm2"], tissue["idp_correction_factor"],
                                            tissue["swelling_pressure_mpa"])
        # the load part of the bulge follows the compression through the disc space, not the nucleus pressure left
        # once narrowing brings the facets into contact (see sim.geometry.disc_bulge_mm)
        idp_load = mech.intradiscal_pressure_mpa(force - f_spacer, v["anatomy.disc_area_mm2"],
                                                 tissue["idp_correction_factor"], tissue["swelling_pressure_mpa"])
    at_bound = max(at_bound, held)  # a rotation or the compression held at its limit
    slip = mech.radiographic_slip_mm(u, angle, v["anatomy.disc_height_posterior_mm"], hl,
                                     tissue["cor_anterior_offset_mm"])
    ahead = max(u, 0.0)  # anterior translation of L4: recess
    uncovered = max(u, slip_rest, 0.0)  # L5 margin uncovered: the pseudo-disc of the neutral slip stays

    out = np.zeros((2, len(OUTPUTS)))
    flavum_increase, recess_gains = [0.0, 0.0], [0.0, 0.0]  # per side, for the central canal
    for s, sign in enumerate((-1.0, 1.0)):
        affected = geo.side_affected(hside, sign)
        o = out[s]
        o[OUT_SEGMENT_ANGLE_DEG], o[OUT_LATERAL_ANGLE_DEG], o[OUT_AXIAL_ANGLE_DEG] = angle, lat, axial
        o[OUT_COMPRESSIVE_FORCE_N], o[OUT_FLEXION_MOMENT_NM] = force, m_sag
        o[OUT_LATERAL_MOMENT_NM], o[OUT_AXIAL_MOMENT_NM] = m_lat, m_ax
        o[OUT_DISC_FORCE_N], o[OUT_FACET_FORCE_N], o[OUT_IDP_MPA] = f_disc, f_facet, idp
        o[OUT_SLIP_MM] = slip
        o[OUT_SOLVER_ITERATIONS] = 0.0
        o[OUT_SOLVER_AT_BOUND], o[OUT_SHEAR_FORCE_N] = at_bound, shear
        o[OUT_SIDE_FACET_FORCE_N] = tip_l + surf_l if sign < 0 else tip_r + surf_r
        o[OUT_TRANSLATION_MM], o[OUT_AXIAL_COMPRESSION_MM] = u, w

        # stage 2: mechanics at this side's foramen
        closure = float(mech.local_disc_closure_mm(
            w, angle, lat, sign, tissue["cor_anterior_offset_mm"], v["anatomy.foramen_lateral_offset_mm"]))
        hp_loaded = max(v["anatomy.disc_height_posterior_mm"] - hl - closure, 0.0)
        o[OUT_DISC_HEIGHT_POSTERIOR_MM] = hp_loaded

        # stage 3: geometry.  Bulge and herniation in this posture, then the foramen and the recess
        bulge = geo.disc_bulge_mm(v["pathology.disc_bulge_mm"], hl, closure, idp_load, uncovered,
                                  tissue["bulge_per_height_loss"], tissue["bulge_per_idp_mm_per_mpa"],
                                  tissue["slip_pseudo_bulge_ratio"])
        o[OUT_DISC_BULGE_MM] = bulge
        shift = geo.nuclear_shift_mm(angle, v["anatomy.disc_height_anterior_mm"], v["anatomy.disc_height_posterior_mm"],
                                     hl, w, v["anatomy.disc_depth_mm"], tissue["nucleus_depth_fraction"])
        contained = geo.contained_herniation_mm(hsize, shift, idp_load, tissue["herniation_migration_gain_per_mm"],
                                                tissue["herniation_pressure_gain_per_mpa"])
        squeezed = geo.foraminal_herniation_mm(hsize, v["anatomy.disc_height_posterior_mm"], hp_loaded)
        foraminal_hern, recess_hern, extra_hern = geo.herniation_routing_mm(
            zone, affected, contained, squeezed, tissue["central_herniation_reach"])
        o[OUT_NUCLEAR_SHIFT_MM] = shift
        o[OUT_HERNIATION_EFFECTIVE_MM] = max(foraminal_hern, recess_hern, extra_hern)
        t0 = v["anatomy.ligamentum_flavum_thickness_mm"]
        flavum_closure = geo.flavum_closure_mm(hl, closure, angle, tissue["facet_lever_arm_mm"],
                                               tissue["cor_anterior_offset_mm"])
        # direct decompression of this side: flavum removed, SAP undercut, foramen widened
        kept, recess_gain, foramen_gain = ivn.side_decompression(sign, iv, facet_hyp)
        thick = float(geo.flavum_thickness_mm(t0, v["pathology.ligamentum_flavum_hypertrophy_mm"],
                                              flavum_closure, v["anatomy.ligamentum_flavum_length_mm"])) * kept
        narrowing = geo.posterior_narrowing_mm(facet_hyp, tissue["foraminal_flavum_fraction"], thick,
                                               t0) - foramen_gain
        dx, dy = geo.l4_offsets_mm(u, w, hl, lat, axial, sign, v["anatomy.foramen_lateral_offset_mm"])
        n, c = geo.foramen_faces(
            v["anatomy.foraminal_height_mm"], v["anatomy.foraminal_width_mm"], v["anatomy.foraminal_upper_width_ratio"],
            v["anatomy.disc_height_posterior_mm"], tissue["l5_pedicle_offset_mm"], tissue["sap_tip_height_mm"],
            bulge, hp_loaded, foraminal_hern, narrowing, angle, tissue["cor_anterior_offset_mm"], dx, dy, u)
        if capture is not None:
            capture["left" if sign < 0 else "right"] = (n, c)
        o[OUT_FORAMINAL_HEIGHT_MM] = geo.foraminal_height_mm(n, c, -0.5 * v["anatomy.foraminal_width_mm"])
        o[OUT_FORAMINAL_WIDTH_MM] = geo.foraminal_width_mm(n, c, 0.5 * hp_loaded)
        o[OUT_FORAMINAL_AREA_MM2] = geo.foraminal_area_mm2(n, c)
        # the slipped L4's inferior facet narrows the recess only with the part of its tip flexion leaves there
        iap = geo.iap_recess_fraction(hl - flavum_closure, tissue["iap_recess_overlap_mm"])
        room = geo.lateral_recess_room_mm(v["anatomy.lateral_recess_depth_mm"] + recess_gain, bulge, facet_hyp,
                                          thick - t0, ahead * iap, tissue["slip_recess_ratio"], recess_hern)
        flavum_increase[s], recess_gains[s] = thick - t0, recess_gain
        o[OUT_LATERAL_RECESS_DEPTH_MM] = max(room, 0.0)

        # stage 4: compression.  L4 root and ganglion share the chamber's room; the root also meets an
        # extraforaminal herniation beyond the foramen
        mob, bed = v["anatomy.root_bed_mobility_mm"], tissue["root_bed_thickness_mm"]
        e0, b_root = tissue["root_transverse_modulus_kpa"], tissue["root_stiffening"]
        x, y, r = cmp.least_squeezed_circle(n, c, geo.CHAMBER, geo.ROOF, geo.L4_WALL, mob)
        o[OUT_L4_ROOT_X_MM], o[OUT_L4_ROOT_Y_MM] = x, y
        d4 = v["anatomy.l4_root_diameter_mm"]
        clearance = cmp.l4_exit_clearance_mm(2.0 * r - d4, tissue["extraforaminal_clearance_mm"], extra_hern, bulge)
        e = float(cmp.root_deformation(d4, d4 + clearance))
        pr = float(cmp.root_pressure_kpa(cmp.interference_strain(d4, d4 + clearance, bed), e0, b_root))
        o[OUT_L4_CLEARANCE_MM], o[OUT_L4_DEFORMATION_PCT], o[OUT_L4_PRESSURE_KPA] = clearance, 100.0 * e, pr
        grade = cmp.compression_grade(clearance, e, pr, grading)
        # L4 dorsal root ganglion
        dg = v["anatomy.l4_drg_diameter_mm"]
        clearance = 2.0 * r - dg
        e = float(cmp.root_deformation(dg, dg + clearance))
        pr = float(cmp.root_pressure_kpa(cmp.interference_strain(dg, dg + clearance, bed), e0, b_root))
        o[OUT_L4_DRG_CLEARANCE_MM], o[OUT_L4_DRG_DEFORMATION_PCT], o[OUT_L4_DRG_PRESSURE_KPA] = clearance, 100.0 * e, pr
        o[OUT_L4_GRADE] = max(grade, cmp.compression_grade(clearance, e, pr, grading))
        # L5 root in the lateral recess (its room may be negative: the closed recess keeps squeezing)
        d5 = v["anatomy.l5_root_diameter_mm"]
        space = cmp.recess_free_space_mm(room, mob, v["anatomy.lateral_recess_angle_deg"])
        clearance = space - d5
        e = float(cmp.root_deformation(d5, space))
        pr = float(cmp.root_pressure_kpa(cmp.interference_strain(d5, space, bed), e0, b_root))
        o[OUT_L5_CLEARANCE_MM], o[OUT_L5_DEFORMATION_PCT], o[OUT_L5_PRESSURE_KPA] = clearance, 100.0 * e, pr
        o[OUT_L5_GRADE] = cmp.compression_grade(clearance, e, pr, grading)
        at_limit = max(o[OUT_L4_PRESSURE_KPA], o[OUT_L4_DRG_PRESSURE_KPA], o[OUT_L5_PRESSURE_KPA])
        o[OUT_PRESSURE_LIMIT_REACHED] = 1.0 if at_limit >= cmp.ROOT_PRESSURE_LIMIT_KPA else 0.0

        # stage 5: referred pain of this side
        o[PAIN_START:PAIN_START + N_PAIN] = rfl.pain_reference(
            o[OUT_L4_PRESSURE_KPA], o[OUT_L4_DEFORMATION_PCT], o[OUT_L4_DRG_PRESSURE_KPA],
            o[OUT_L4_DRG_DEFORMATION_PCT], o[OUT_L5_PRESSURE_KPA], o[OUT_L5_DEFORMATION_PCT], coef,
            rprm)[0]

        # claudication: minutes of holding this posture until symptoms, and until the patient stops
        compression = (o[OUT_L4_PRESSURE_KPA], o[OUT_L4_DEFORMATION_PCT], o[OUT_L4_DRG_PRESSURE_KPA],
                       o[OUT_L4_DRG_DEFORMATION_PCT], o[OUT_L5_PRESSURE_KPA], o[OUT_L5_DEFORMATION_PCT])
        o[OUT_TIME_TO_SYMPTOMS_MIN] = clm.time_to_pain_min(*compression, rprm, claud, claud[clm.ONSET])
        o[OUT_TIME_TO_STOP_MIN] = clm.time_to_pain_min(*compression, rprm, claud, claud[clm.STOP])
        o[OUT_TIME_TO_RECOVER_MIN] = clm.time_to_recover_min(*compression, rprm, claud)

    # stage 3: the central canal at the disc, one per configuration: bulge at the midline (the same law and load
    # as the sides' bulge), both flavum leaves
    closure_mid = float(mech.local_disc_closure_mm(w, angle, lat, 1.0, tissue["cor_anterior_offset_mm"], 0.0))
    bulge_mid = geo.disc_bulge_mm(v["pathology.disc_bulge_mm"], hl, closure_mid, idp_load, uncovered,
                                  tissue["bulge_per_height_loss"], tissue["bulge_per_idp_mm_per_mpa"],
                                  tissue["slip_pseudo_bulge_ratio"])
    out[:, OUT_CANAL_AREA_MM2] = cnl.canal_area_mm2(
        v["canal.ap_diameter_mm"], v["canal.width_mm"], bulge_mid,
        cnl.canal_herniation_mm(zone, contained, tissue["central_herniation_reach"]), *flavum_increase, facet_hyp,
        *recess_gains, ahead, tissue["slip_recess_ratio"])
    return out


def evaluate(matrix: np.ndarray, posture_table: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Reference engine over a packed batch: ``(n, 2, len(OUTPUTS))``."""
    out = np.empty((matrix.shape[0], 2, len(OUTPUTS)))
    for i in range(matrix.shape[0]):
        out[i] = evaluate_row(matrix[i], posture_table, coef)
    return out


# ---------------------------------------------------------------- numba chain
@njit(cache=True)
def _evaluate_row(p, table, coef, out, n, c, buf_a, buf_b, rows, rhs, memo_in, memo_out):
    """Twin of :func:`evaluate_row` into ``out`` (2, NOUT); the rest are :func:`_scratch` work arrays."""
    zone = int(p[_ZONE])
    hside = int(p[_HSIDE])
    iv = p[_IV0:_IV0 + _N_IV]

    # stage 0: interventions
    hl, slip_rest, hsize, kfac, kap, fused, a_fused, a_stop = ivn._surgical_state(
        p[_HL], p[_SLIP], p[_HSIZE], p[_KFAC], p[_KAP], p[_HA], p[_HP], p[_DEPTH], p[_COR], iv)

    # stage 1: loads
    if iv[ivn.FLEX_BIAS] == 0.0:  # no posture advice: the memoised trunk model (same numbers)
        force, shear, m_sag, m_lat, m_ax, imposed, a_imp, lat_imp, ax_imp, held = ld._posture_loads_memo(
            table[int(p[_POSTURE])], int(p[_POSTURE]), p[_MASS], p[_LIFT0:_LIFT0 + _N_LIFT], p[_KF0:_KF0 + _N_LAW],
            memo_in, memo_out)
    else:
        force, shear, m_sag, m_lat, m_ax, imposed, a_imp, lat_imp, ax_imp, held = ivn._advised_posture_loads(
            table[int(p[_POSTURE])], p[_MASS], p[_LIFT0:_LIFT0 + _N_LIFT], p[_KF0:_KF0 + _N_LAW],
            iv[ivn.FLEX_BIAS])

    # stage 2: mechanics (both sides)
    if fused > 0.5:
        angle, lat, axial, w, u = a_fused, 0.0, 0.0, 0.0, slip_rest
        tip_l, tip_r, surf_l, surf_r, iters, at_bound = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        f_disc, f_facet, idp = ivn._fused_loads(force, iv)
        idp_load = idp
    else:
        angle, lat, axial, w, u, tip_l, tip_r, surf_l, surf_r, iters, at_bound = mech._segment_equilibrium(
            force, shear, m_sag, m_lat, m_ax, imposed, a_imp, lat_imp, ax_imp, p[_KF0], p[_BF], p[_KE0], p[_BE],
            p[_KL0], p[_BL], p[_KA0], p[_BA], hl, slip_rest, p[_SLIPI], p[_HP], p[_HA], p[_DEPTH], p[_RLAT],
            p[_KD0], p[_BD], p[_KBOT], kfac, p[_GAP], p[_LEVER], p[_SMOOTH], kap, p[_GAP_AP], p[_HF], p[_KS0],
            p[_FS], p[_DS], p[_COR])
        f_spacer = 0.0
        if angle < a_stop:
            f_spacer = ivn._spacer_force_n(tip_l + tip_r, force)
            angle, lat, axial, w, u, tip_l, tip_r, surf_l, surf_r, iters, at_bound = mech._segment_equilibrium(
                force - f_spacer, shear, m_sag, m_lat, m_ax, 1.0, a_stop, lat, axial, p[_KF0], p[_BF], p[_KE0],
                p[_BE], p[_KL0], p[_BL], p[_KA0], p[_BA], hl, slip_rest, p[_SLIPI], p[_HP], p[_HA], p[_DEPTH],
                p[_RLAT], p[_KD0], p[_BD], p[_KBOT], kfac, p[_GAP], p[_LEVER], p[_SMOOTH], kap, p[_GAP_AP], p[_HF],
                p[_KS0], p[_FS], p[_DS], p[_COR])
        f_disc = force - f_spacer - tip_l - tip_r
        f_facet = tip_l + tip_r + surf_l + surf_r
        idp = mech._intradiscal_pressure_mpa(f_disc, p[_AREA], p[_KIDP], p[_SWELL])
        idp_load = mech._intradiscal_pressure_mpa(force - f_spacer, p[_AREA], p[_KIDP], p[_SWELL])
    at_bound = max(at_bound, held)
    slip = mech._radiographic_slip_mm(u, angle, p[_HP], hl, p[_COR])
    ahead = max(u, 0.0)
    uncovered = max(u, slip_rest, 0.0)

    # without lateral bending or axial rotation and without one-sided disease both sides are mirror images
    symmetric = (lat == 0.0 and axial == 0.0 and (zone <= ZONE_CENTRAL or hside == geo.SIDE_BOTH)
                 and ivn._symmetric_decompression(iv))
    dt_l, dt_r, g_l, g_r, hern_mid = 0.0, 0.0, 0.0, 0.0, 0.0  # flavum increase, recess gain per side; canal hern.
    for s in range(2):
        if s == 1 and symmetric:
            for j in range(NOUT):
                out[1, j] = out[0, j]
            dt_r, g_r = dt_l, g_l
            break
        sign = -1.0 if s == 0 else 1.0
        affected = geo._side_affected(hside, sign)
        o = out[s]
        o[OUT_SEGMENT_ANGLE_DEG], o[OUT_LATERAL_ANGLE_DEG], o[OUT_AXIAL_ANGLE_DEG] = angle, lat, axial
        o[OUT_COMPRESSIVE_FORCE_N], o[OUT_FLEXION_MOMENT_NM] = force, m_sag
        o[OUT_LATERAL_MOMENT_NM], o[OUT_AXIAL_MOMENT_NM] = m_lat, m_ax
        o[OUT_DISC_FORCE_N], o[OUT_FACET_FORCE_N], o[OUT_IDP_MPA] = f_disc, f_facet, idp
        o[OUT_SLIP_MM] = slip
        o[OUT_SOLVER_ITERATIONS] = iters
        o[OUT_SOLVER_AT_BOUND], o[OUT_SHEAR_FORCE_N] = at_bound, shear
        o[OUT_SIDE_FACET_FORCE_N] = tip_l + surf_l if sign < 0.0 else tip_r + surf_r
        o[OUT_TRANSLATION_MM], o[OUT_AXIAL_COMPRESSION_MM] = u, w

        # stage 2: mechanics at this side's foramen
        closure = mech._local_disc_closure_mm(w, angle, lat, sign, p[_COR], p[_RLAT])
        hp_loaded = max(p[_HP] - hl - closure, 0.0)
        o[OUT_DISC_HEIGHT_POSTERIOR_MM] = hp_loaded

        # stage 3: geometry.  Bulge and herniation in this posture, then the foramen and the recess
        bulge = geo._disc_bulge_mm(p[_BULGE], hl, closure, idp_load, uncovered, p[_BPH], p[_BPI], p[_PSEUDO])
        o[OUT_DISC_BULGE_MM] = bulge
        shift = geo._nuclear_shift_mm(angle, p[_HA], p[_HP], hl, w, p[_DEPTH], p[_NUCF])
        contained = geo._contained_herniation_mm(hsize, shift, idp_load, p[_GMIG], p[_GIDP])
        squeezed = geo._foraminal_herniation_mm(hsize, p[_HP], hp_loaded)
        foraminal_hern, recess_hern, extra_hern = geo._herniation_routing_mm(zone, affected, contained, squeezed,
                                                                             p[_CREACH])
        o[OUT_NUCLEAR_SHIFT_MM] = shift
        o[OUT_HERNIATION_EFFECTIVE_MM] = max(foraminal_hern, recess_hern, extra_hern)
        t0 = p[_LFT]
        flavum_closure = geo._flavum_closure_mm(hl, closure, angle, p[_LEVER], p[_COR])
        kept, recess_gain, foramen_gain = ivn._side_decompression(sign, iv, p[_FACETH])
        thick = geo._flavum_thickness_mm(t0, p[_LFH], flavum_closure, p[_LFL]) * kept
        narrowing = geo._posterior_narrowing_mm(p[_FACETH], p[_FFRAC], thick, t0) - foramen_gain
        dx, dy = geo._l4_offsets_mm(u, w, hl, lat, axial, sign, p[_RLAT])
        geo._foramen_faces(n, c, p[_FH], p[_FW], p[_FWR], p[_HP], p[_PEDOFF], p[_SAPTIP],
                           bulge, hp_loaded, foraminal_hern, narrowing, angle, p[_COR], dx, dy, u)
        o[OUT_FORAMINAL_HEIGHT_MM] = geo._foraminal_height_mm(n, c, -0.5 * p[_FW])
        o[OUT_FORAMINAL_WIDTH_MM] = geo._foraminal_width_mm(n, c, 0.5 * hp_loaded)
        o[OUT_FORAMINAL_AREA_MM2] = geo._foraminal_area_mm2(n, c, buf_a, buf_b)
        iap = geo._iap_recess_fraction(hl - flavum_closure, p[_IAPOV])
        room = geo._lateral_recess_room_mm(p[_LRD] + recess_gain, bulge, p[_FACETH], thick - t0, ahead * iap,
                                           p[_SLIPREC], recess_hern)
        if s == 0:
            dt_l, g_l = thick - t0, recess_gain
            hern_mid = cnl._canal_herniation_mm(zone, contained, p[_CREACH])
        else:
            dt_r, g_r = thick - t0, recess_gain
        o[OUT_LATERAL_RECESS_DEPTH_MM] = max(room, 0.0)

        # stage 4: compression.  L4 root and ganglion share the chamber's room; the root also meets an
        # extraforaminal herniation beyond the foramen
        mob, bed = p[_MOB], p[_BED]
        e0, b_root = p[_E0], p[_BROOT]
        g = p[_GRADING0:_GRADING0 + _N_GRADING]
        x, y, r = cmp._least_squeezed_circle(n, c, geo.CHAMBER, mob, rows, rhs)
        o[OUT_L4_ROOT_X_MM], o[OUT_L4_ROOT_Y_MM] = x, y
        d4 = p[_D4]
        clearance = cmp._l4_exit_clearance_mm(2.0 * r - d4, p[_XCLEAR], extra_hern, bulge)
        e = cmp._root_deformation(d4, d4 + clearance)
        pr = cmp._root_pressure_kpa(cmp._interference_strain(d4, d4 + clearance, bed), e0, b_root)
        o[OUT_L4_CLEARANCE_MM], o[OUT_L4_DEFORMATION_PCT], o[OUT_L4_PRESSURE_KPA] = clearance, 100.0 * e, pr
        grade = cmp._compression_grade(clearance, e, pr, g)
        # L4 dorsal root ganglion
        dg = p[_DDRG]
        clearance = 2.0 * r - dg
        e = cmp._root_deformation(dg, dg + clearance)
        pr = cmp._root_pressure_kpa(cmp._interference_strain(dg, dg + clearance, bed), e0, b_root)
        o[OUT_L4_DRG_CLEARANCE_MM], o[OUT_L4_DRG_DEFORMATION_PCT], o[OUT_L4_DRG_PRESSURE_KPA] = clearance, 100.0 * e, pr
        o[OUT_L4_GRADE] = max(grade, cmp._compression_grade(clearance, e, pr, g))
        # L5 root in the lateral recess (its room may be negative: the closed recess keeps squeezing)
        d5 = p[_D5]
        space = cmp._recess_free_space_mm(room, mob, p[_LRA])
        clearance = space - d5
        e = cmp._root_deformation(d5, space)
        pr = cmp._root_pressure_kpa(cmp._interference_strain(d5, space, bed), e0, b_root)
        o[OUT_L5_CLEARANCE_MM], o[OUT_L5_DEFORMATION_PCT], o[OUT_L5_PRESSURE_KPA] = clearance, 100.0 * e, pr
        o[OUT_L5_GRADE] = cmp._compression_grade(clearance, e, pr, g)
        at_limit = max(o[OUT_L4_PRESSURE_KPA], o[OUT_L4_DRG_PRESSURE_KPA], o[OUT_L5_PRESSURE_KPA])
        o[OUT_PRESSURE_LIMIT_REACHED] = 1.0 if at_limit >= cmp.ROOT_PRESSURE_LIMIT_KPA else 0.0

        # stage 5: referred pain of this side
        rfl.pain_row(o[OUT_L4_PRESSURE_KPA], o[OUT_L4_DEFORMATION_PCT], o[OUT_L4_DRG_PRESSURE_KPA],
                     o[OUT_L4_DRG_DEFORMATION_PCT], o[OUT_L5_PRESSURE_KPA], o[OUT_L5_DEFORMATION_PCT],
                     p[_REFERRAL0:_REFERRAL0 + rfl.N_PARAMS], coef, o[PAIN_START:PAIN_START + N_PAIN])

        # claudication: minutes of holding this posture until symptoms, and until the patient stops
        rp = p[_REFERRAL0:_REFERRAL0 + rfl.N_PARAMS]
        s4, s5, p4, p5 = clm._root_targets(o[OUT_L4_PRESSURE_KPA], o[OUT_L4_DEFORMATION_PCT],
                                           o[OUT_L4_DRG_PRESSURE_KPA], o[OUT_L4_DRG_DEFORMATION_PCT],
                                           o[OUT_L5_PRESSURE_KPA], o[OUT_L5_DEFORMATION_PCT], rp, coef)
        claud = p[_CLAUD0:_CLAUD0 + _N_CLAUD]
        hill = rp[rfl.P_HILL_EXPONENT]
        o[OUT_TIME_TO_SYMPTOMS_MIN] = clm._time_to_pain_min(s4, s5, p4, p5, claud, claud[clm.ONSET], hill)
        o[OUT_TIME_TO_STOP_MIN] = clm._time_to_pain_min(s4, s5, p4, p5, claud, claud[clm.STOP], hill)
        o[OUT_TIME_TO_RECOVER_MIN] = clm._time_to_recover_min(s4, s5, p4, p5, claud, hill)

    # stage 3: the central canal at the disc, one per configuration
    closure_mid = mech._local_disc_closure_mm(w, angle, lat, 1.0, p[_COR], 0.0)
    bulge_mid = geo._disc_bulge_mm(p[_BULGE], hl, closure_mid, idp_load, uncovered, p[_BPH], p[_BPI], p[_PSEUDO])
    area = cnl._canal_area_mm2(p[_CAP], p[_CW], bulge_mid, hern_mid, dt_l, dt_r, p[_FACETH], g_l, g_r, ahead,
                               p[_SLIPREC])
    out[0, OUT_CANAL_AREA_MM2] = area
    out[1, OUT_CANAL_AREA_MM2] = area


@njit(cache=True, _nrt=True)
def _scratch(n_postures):
    """Per-task work arrays of :func:`_evaluate_row`: faces (normals, offsets), clip buffers, circle LP rows,
    loads memo (:func:`sim.loads._posture_loads_memo`) for a posture table of ``n_postures`` rows."""
    return (np.empty((geo.N_FACES, 2)), np.empty(geo.N_FACES), np.empty((cmp.N_PART_FACES + 8, 2)),
            np.empty((cmp.N_PART_FACES + 8, 2)), np.empty((cmp.N_PART_FACES + 1, 3)), np.empty(cmp.N_PART_FACES + 1),
            np.full((n_postures, ld.N_MEMO_KEYS), np.nan), np.empty((n_postures, ld.N_MEMO_VALUES)))


def dynamic_tasks():
    """Context in which the batch kernels hand their tasks out one at a time to whichever thread is free.

    numba's default splits the ``prange`` into one equal block per thread: rows differ in
    cost, and a core that another process shares then holds back the whole batch.  (Set from
    Python: the call inside a kernel would keep numba from caching it.)
    """
    return parallel_chunksize(1)


#: Rows ahead whose input and output the batch loop asks the cache for (:func:`_prefetch_rows`).
_AHEAD = 2


@njit(cache=True)
def _prefetch_rows(matrix, out, i):
    """Ask the cache for row ``i`` of the packed batch and of the output, one request per 64-byte line.

    A row reads about 100 scattered columns of its 1.2 kB and writes 0.8 kB; the hardware prefetcher
    does not follow that pattern, so each new line would otherwise stall the row's arithmetic
    (about 5 % of kernel time on the benchmark population).  A hint: no value depends on it.
    """
    n_col, n_out = matrix.shape[1], out.shape[1] * out.shape[2]
    for j in range(0, n_col, 8):
        prefetch_read(matrix, i * n_col + j)
    for j in range(0, n_out, 8):
        prefetch_write(out, i * n_out + j)


@njit(parallel=True, cache=True, nogil=True, _nrt=True)
def evaluate_batch_into(matrix, table, coef, chunk, out):
    """Fused pipeline over a packed batch into ``out`` ``(n, 2, NOUT)``; ``prange`` over tasks of ``chunk`` rows.

    Call it under :func:`dynamic_tasks`.
    ``sim.engine.run_engine`` allocates ``out`` with NumPy, which asks the kernel for huge pages
    on large arrays: first touching the output page by page costed about as much as the
    geometry stage on the benchmark machine.
    """
    n_rows = matrix.shape[0]
    if out.shape[0] != n_rows or out.shape[1] != 2 or out.shape[2] != NOUT:  # the writes are not bounds-checked
        raise ValueError("evaluate_batch_into: out must have shape (n_rows, 2, NOUT)")
    n_chunks = (n_rows + chunk - 1) // chunk
    for k in prange(n_chunks):
        nrm, cc, buf_a, buf_b, rows, rhs, memo_in, memo_out = _scratch(table.shape[0])
        start = k * chunk
        stop = min(start + chunk, n_rows)
        for i in range(start, stop):
            if i + _AHEAD < n_rows:
                _prefetch_rows(matrix, out, i + _AHEAD)
            _evaluate_row(matrix[i], table, coef, out[i], nrm, cc, buf_a, buf_b, rows, rhs, memo_in, memo_out)


@njit(parallel=True, cache=True, nogil=True, _nrt=True)
def evaluate_overrides(base_row, cols, values, table, coef, chunk, side, out):
    """Fused pipeline over rows given as ``base_row`` with columns ``cols`` set to ``values[i]``.

    Result-major outputs into ``out`` ``(NOUT, m)``: with ``side`` (one 0/1 per row) only that
    side, ``m = n``; with an empty ``side`` both, left then right per row, ``m = 2 n``.  For
    ``sim.evaluate``: no packed matrix is built, and each result is one contiguous array.
    Same row function as :func:`evaluate_batch_into`; call it under :func:`dynamic_tasks`, with
    ``out`` from NumPy (see :func:`evaluate_batch_into`: an array allocated here is first touched
    4 kB page by page, about a tenth of the kernel's time at 1e5 rows).
    """
    n_rows = values.shape[0]
    both = side.shape[0] == 0
    if out.shape[0] != NOUT or out.shape[1] != (2 * n_rows if both else n_rows):
        raise ValueError("evaluate_overrides: out must have shape (NOUT, 2 n) without side, (NOUT, n) with it")
    n_chunks = (n_rows + chunk - 1) // chunk
    for k in prange(n_chunks):
        nrm, cc, buf_a, buf_b, rows, rhs, memo_in, memo_out = _scratch(table.shape[0])
        row = base_row.copy()
        res = np.empty((2, NOUT))
        start = k * chunk
        stop = min(start + chunk, n_rows)
        for i in range(start, stop):
            for j in range(cols.shape[0]):
                row[cols[j]] = values[i, j]
            _evaluate_row(row, table, coef, res, nrm, cc, buf_a, buf_b, rows, rhs, memo_in, memo_out)
            if both:
                for q in range(NOUT):
                    out[q, 2 * i] = res[0, q]
                    out[q, 2 * i + 1] = res[1, q]
            else:
                s = side[i]
                for q in range(NOUT):
                    out[q, i] = res[s, q]


@njit(cache=True, nogil=True, _nrt=True)
def evaluate_batch(matrix, table, coef, chunk):
    """Fused pipeline over a packed batch: ``(n, 2, NOUT)`` outputs (:func:`evaluate_batch_into`)."""
    out = np.empty((matrix.shape[0], 2, NOUT))
    evaluate_batch_into(matrix, table, coef, chunk, out)
    return out


@njit(parallel=True, cache=True, nogil=True, _nrt=True)
def evaluate_sets(base_rows, cols, values, table, coef, chunk, keep, out):
    """Fused pipeline over parameter sets x postures, for sweeps, into ``out`` ``(len(keep), n_sets * n_postures, 2)``.

    Row ``i * n_postures + j`` is ``base_rows[j]`` with columns ``cols`` set to
    ``values[i]``; it is built in a per-thread buffer, so no packed matrix is
    held.  Outputs are result-major, only the results ``keep`` (indices into
    ``OUTPUTS``): each is one contiguous array, as the store keeps it.  Same
    row function as :func:`evaluate_batch`; ``out`` from NumPy (as :func:`evaluate_overrides`).
    """
    n_post, n_col = base_rows.shape
    n_rows = values.shape[0] * n_post
    if out.shape[0] != keep.shape[0] or out.shape[1] != n_rows or out.shape[2] != 2:
        raise ValueError("evaluate_sets: out must have shape (len(keep), n_sets * n_postures, 2)")
    n_chunks = (n_rows + chunk - 1) // chunk
    for k in prange(n_chunks):
        nrm, cc, buf_a, buf_b, rows, rhs, memo_in, memo_out = _scratch(table.shape[0])
        row = np.empty(n_col)
        res = np.empty((2, NOUT))
        start = k * chunk
        stop = min(start + chunk, n_rows)
        for i in range(start, stop):
            pset, post = divmod(i, n_post)
            row[:] = base_rows[post]
            for j in range(cols.shape[0]):
                row[cols[j]] = values[pset, j]
            _evaluate_row(row, table, coef, res, nrm, cc, buf_a, buf_b, rows, rhs, memo_in, memo_out)
            for q in range(keep.shape[0]):
                out[q, i, 0] = res[0, keep[q]]
                out[q, i, 1] = res[1, keep[q]]


def _check_layout():
    """Slices of the packed row read above must be contiguous in ``sim.layout``."""
    assert COL["posture"] == len(COLUMNS) - 1
    assert tuple(PARAM_COLUMNS[_LIFT0:_LIFT0 + _N_LIFT]) == ld.LIFTING_KEYS
    assert tuple(PARAM_COLUMNS[_KF0:_KF0 + _N_LAW]) == ld.LAW_KEYS
    assert PARAM_COLUMNS[_GRADING0:_GRADING0 + _N_GRADING] == (
        "grading.contact_clearance_mm", "grading.mild_pressure_mmhg", "grading.moderate_pressure_mmhg",
        "grading.severe_pressure_mmhg", "grading.mild_deformation_pct", "grading.moderate_deformation_pct",
        "grading.severe_deformation_pct")
    assert OUTPUTS[PAIN_START + N_PAIN - 1] == "distribution"
    assert PARAM_COLUMNS[_REFERRAL0:_REFERRAL0 + rfl.N_PARAMS] == rfl.PARAM_KEYS
    assert tuple(PARAM_COLUMNS[_IV0:_IV0 + _N_IV]) == ivn.INTERVENTION_KEYS
    assert tuple(PARAM_COLUMNS[_CLAUD0:_CLAUD0 + _N_CLAUD]) == clm.KEYS


_check_layout()
