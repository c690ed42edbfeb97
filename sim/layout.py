"""Column layout shared by the reference and the numba engine.

Inputs are packed as one float64 matrix, one row per configuration, with the
numeric parameters in ``PARAM_COLUMNS`` order followed by the codes of the
categorical ones; outputs are a float64 array ``(n, 2 sides, len(OUTPUTS))``.
Kept as literals, read by the kernels as frozen module constants; the numba
cache directory is keyed on this file and on ``sim/data/outputs.toml`` (``sim.jit``),
so a change recompiles.
"""

import tomllib
from importlib import resources

PARAM_COLUMNS = (
    "anatomy.disc_height_anterior_mm",
    "anatomy.disc_height_posterior_mm",
    "anatomy.disc_depth_mm",
    "anatomy.disc_area_mm2",
    "anatomy.foraminal_height_mm",
    "anatomy.foraminal_width_mm",
    "anatomy.foraminal_upper_width_ratio",
    "anatomy.lateral_recess_depth_mm",
    "anatomy.lateral_recess_angle_deg",
    "anatomy.ligamentum_flavum_thickness_mm",
    "anatomy.ligamentum_flavum_length_mm",
    "anatomy.l4_root_diameter_mm",
    "anatomy.l4_drg_diameter_mm",
    "anatomy.l5_root_diameter_mm",
    "anatomy.root_bed_mobility_mm",
    "anatomy.foramen_lateral_offset_mm",
    "anatomy.body_mass_kg",
    "pathology.disc_height_loss_mm",
    "pathology.disc_bulge_mm",
    "pathology.herniation_size_mm",
    "pathology.slip_mm",
    "pathology.slip_instability_mm",
    "pathology.facet_hypertrophy_mm",
    "pathology.ligamentum_flavum_hypertrophy_mm",
    "tissue.flexion_toe_stiffness_nm_per_deg",
    "tissue.flexion_stiffening_per_deg",
    "tissue.extension_toe_stiffness_nm_per_deg",
    "tissue.extension_stiffening_per_deg",
    "tissue.lateral_toe_stiffness_nm_per_deg",
    "tissue.lateral_stiffening_per_deg",
    "tissue.axial_toe_stiffness_nm_per_deg",
    "tissue.axial_stiffening_per_deg",
    "tissue.disc_axial_toe_stiffness_n_per_mm",
    "tissue.disc_axial_stiffening_per_mm",
    "tissue.facet_stiffness_n_per_mm",
    "tissue.facet_gap_mm",
    "tissue.facet_lever_arm_mm",
    "tissue.facet_contact_smoothing_mm",
    "tissue.cor_anterior_offset_mm",
    "tissue.idp_correction_factor",
    "tissue.bulge_per_height_loss",
    "tissue.bulge_per_idp_mm_per_mpa",
    "tissue.slip_pseudo_bulge_ratio",
    "tissue.slip_recess_ratio",
    "tissue.foraminal_flavum_fraction",
    "tissue.central_herniation_reach",
    "tissue.extraforaminal_clearance_mm",
    "tissue.l5_pedicle_offset_mm",
    "tissue.sap_tip_height_mm",
    "tissue.root_transverse_modulus_kpa",
    "tissue.root_stiffening",
    "tissue.disc_bottoming_force_n",
    "tissue.disc_shear_stiffness_n_per_mm",
    "tissue.shear_preload_n",
    "tissue.shear_degeneration",
    "tissue.facet_shear_stiffness_n_per_mm",
    "tissue.facet_shear_gap_mm",
    "tissue.facet_contact_height_mm",
    "tissue.swelling_pressure_mpa",
    "tissue.root_bed_thickness_mm",
    "tissue.nucleus_depth_fraction",
    "tissue.herniation_migration_gain_per_mm",
    "tissue.herniation_pressure_gain_per_mpa",
    "tissue.iap_recess_overlap_mm",  # the L4 IAP over the L5 recess (sim.geometry.iap_recess_fraction)
    "lifting.trunk_flexion_deg",
    "lifting.hand_load_kg",
    "lifting.upper_body_mass_fraction",
    "lifting.upper_body_com_lever_mm",
    "lifting.trunk_length_mm",
    "lifting.hand_forward_reach_mm",
    "lifting.extensor_moment_arm_mm",
    "lifting.upright_com_offset_mm",
    "lifting.flexor_moment_arm_mm",
    "lifting.lateral_moment_arm_mm",
    "lifting.axial_moment_arm_mm",
    "lifting.cocontraction_force_n",
    "lifting.extensor_line_obliquity_deg",
    "lifting.disc_inclination_deg",
    "lifting.pelvic_share",
    "lifting.segment_per_trunk",
    "lifting.segment_flexion_limit_deg",
    "lifting.segment_extension_limit_deg",
    "grading.contact_clearance_mm",
    "grading.mild_pressure_mmhg",
    "grading.moderate_pressure_mmhg",
    "grading.severe_pressure_mmhg",
    "grading.mild_deformation_pct",
    "grading.moderate_deformation_pct",
    "grading.severe_deformation_pct",
    # stage 5, referral (sim.referral.PARAM_KEYS): dose-response, then region shares per root
    "referral.half_pain_pressure_mmhg",
    "referral.half_pain_deformation_pct",
    "referral.hill_exponent",
    "referral.smooth_max_order",
    "referral.drg_sensitivity_gain",
    "referral.threshold_pain",
    "referral.l4_share_buttock",
    "referral.l4_share_lateral_hip",
    "referral.l4_share_groin",
    "referral.l4_share_anterior_thigh",
    "referral.l4_share_posterior_thigh",
    "referral.l4_share_lateral_thigh",
    "referral.l4_share_medial_knee_leg",
    "referral.l4_share_lateral_leg",
    "referral.l4_share_dorsum_foot",
    "referral.l5_share_buttock",
    "referral.l5_share_lateral_hip",
    "referral.l5_share_groin",
    "referral.l5_share_anterior_thigh",
    "referral.l5_share_posterior_thigh",
    "referral.l5_share_lateral_thigh",
    "referral.l5_share_medial_knee_leg",
    "referral.l5_share_lateral_leg",
    "referral.l5_share_dorsum_foot",
    # the hip-joint pain source (sim.hip); not read by the kernels: the records stay root-only
    "hip.severity",
    "hip.max_pain",
    "hip.rest_fraction",
    # stage 0, interventions (sim/interventions.py; defaults: no intervention)
    "intervention.flavectomy_left_fraction",
    "intervention.flavectomy_right_fraction",
    "intervention.facetectomy_left_fraction",
    "intervention.facetectomy_right_fraction",
    "intervention.foraminotomy_left_mm",
    "intervention.foraminotomy_right_mm",
    "intervention.herniation_removed_fraction",
    "intervention.postop_height_loss_mm",
    "intervention.cage_height_mm",
    "intervention.cage_lordosis_deg",
    "intervention.cage_position",
    "intervention.cage_subsidence_mm",
    "intervention.slip_reduction_fraction",
    "intervention.rod_load_share",
    "intervention.spacer_height_mm",
    "intervention.interspinous_distance_mm",
    "intervention.spacer_lever_arm_mm",
    "intervention.flexion_bias_deg",
    # claudication (sim.claudication): time course of symptoms, contiguous in this order
    "claudication.venular_stasis_mmhg",
    "claudication.reference_pressure_mmhg",
    "claudication.onset_time_constant_min",
    "claudication.recovery_time_constant_min",
    "claudication.onset_pain",
    "claudication.stop_pain",
    # central canal at the L4-L5 disc (sim.canal): neutral size of the dural sac's room
    "canal.ap_diameter_mm",
    "canal.width_mm",
)
CODE_COLUMNS = ("pathology.herniation_zone", "pathology.herniation_side", "posture")
COLUMNS = PARAM_COLUMNS + CODE_COLUMNS
COL = {name: i for i, name in enumerate(COLUMNS)}

HERNIATION_ZONES = ("none", "central", "subarticular", "foraminal", "extraforaminal")
HERNIATION_SIDES = ("left", "right", "both")
SIDES = ("left", "right")  # output side index 0, 1; sign -1, +1

def _output_names() -> tuple[str, ...]:
    """The kernel's output row, in order: the ``[outputs.*]`` tables of ``sim/data/outputs.toml``."""
    text = resources.files("sim.data").joinpath("outputs.toml").read_text(encoding="utf-8")
    return tuple(tomllib.loads(text)["outputs"])


#: Names of the output row (declared once, with unit and meaning, in sim/data/outputs.toml).
OUTPUTS = _output_names()
OUT = {name: i for i, name in enumerate(OUTPUTS)}
PAIN_START = OUT["pain_buttock"]
GRADES = ("none", "contact", "mild", "moderate", "severe")
DISTRIBUTIONS = ("none", "sciatic", "femoral", "sciatic+femoral")
#: Outputs that are codes, turned into labels in records.
GRADE_OUTPUTS = ("l4_grade", "l5_grade")
CATEGORICAL_OUTPUTS = {"l4_grade": GRADES, "l5_grade": GRADES, "distribution": DISTRIBUTIONS}

# Named positions for the kernels (module constants are frozen into compiled code).
ZONE_NONE, ZONE_CENTRAL, ZONE_SUBARTICULAR, ZONE_FORAMINAL, ZONE_EXTRAFORAMINAL = range(len(HERNIATION_ZONES))
SIDE_LEFT, SIDE_RIGHT, SIDE_BOTH = range(len(HERNIATION_SIDES))  # herniation side codes
OUT_SEGMENT_ANGLE_DEG = 0
OUT_LATERAL_ANGLE_DEG = 1
OUT_AXIAL_ANGLE_DEG = 2
OUT_COMPRESSIVE_FORCE_N = 3
OUT_FLEXION_MOMENT_NM = 4
OUT_LATERAL_MOMENT_NM = 5
OUT_AXIAL_MOMENT_NM = 6
OUT_DISC_FORCE_N = 7
OUT_FACET_FORCE_N = 8
OUT_IDP_MPA = 9
OUT_DISC_HEIGHT_POSTERIOR_MM = 10
OUT_DISC_BULGE_MM = 11
OUT_SLIP_MM = 12
OUT_FORAMINAL_HEIGHT_MM = 13
OUT_FORAMINAL_WIDTH_MM = 14
OUT_FORAMINAL_AREA_MM2 = 15
OUT_LATERAL_RECESS_DEPTH_MM = 16
OUT_L4_CLEARANCE_MM = 17
OUT_L4_DEFORMATION_PCT = 18
OUT_L4_PRESSURE_KPA = 19
OUT_L4_DRG_CLEARANCE_MM = 20
OUT_L4_DRG_DEFORMATION_PCT = 21
OUT_L4_DRG_PRESSURE_KPA = 22
OUT_L4_ROOT_X_MM = 23
OUT_L4_ROOT_Y_MM = 24
OUT_L4_GRADE = 25
OUT_L5_CLEARANCE_MM = 26
OUT_L5_DEFORMATION_PCT = 27
OUT_L5_PRESSURE_KPA = 28
OUT_L5_GRADE = 29
OUT_SOLVER_ITERATIONS = 30
OUT_SOLVER_AT_BOUND = 31
OUT_SHEAR_FORCE_N = 32
OUT_SIDE_FACET_FORCE_N = 33
OUT_TRANSLATION_MM = 34
OUT_AXIAL_COMPRESSION_MM = 35
OUT_PAIN_BUTTOCK = 36
OUT_PAIN_LATERAL_HIP = 37
OUT_PAIN_GROIN = 38
OUT_PAIN_ANTERIOR_THIGH = 39
OUT_PAIN_POSTERIOR_THIGH = 40
OUT_PAIN_LATERAL_THIGH = 41
OUT_PAIN_MEDIAL_KNEE_LEG = 42
OUT_PAIN_LATERAL_LEG = 43
OUT_PAIN_DORSUM_FOOT = 44
OUT_DISTRIBUTION = 45
OUT_HERNIATION_EFFECTIVE_MM = 46
OUT_NUCLEAR_SHIFT_MM = 47
OUT_PRESSURE_LIMIT_REACHED = 48
OUT_TIME_TO_SYMPTOMS_MIN = 49
OUT_TIME_TO_STOP_MIN = 50
OUT_TIME_TO_RECOVER_MIN = 51
OUT_CANAL_AREA_MM2 = 52

def _check():
    """The named positions above must match the tuples they name."""
    assert HERNIATION_ZONES == ("none", "central", "subarticular", "foraminal", "extraforaminal")
    assert HERNIATION_SIDES == ("left", "right", "both")
    for name, index in OUT.items():
        assert globals()[f"OUT_{name.upper()}"] == index, name


_check()
