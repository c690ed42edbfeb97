"""The readable reference engine: the whole pipeline for one configuration, stage by stage.

It calls the public stage functions (`sim.loads`, `sim.mechanics`,
`sim.geometry`, `sim.compression`) on scalars and is the oracle the numba
engine (`sim.kernels`) is held to at 1e-9 relative.
"""

from __future__ import annotations

import math

import numpy as np

from . import compression as cmp
from . import geometry as geo
from . import loads as ld
from . import mechanics as mech
from . import referral as ref
from .layout import COL, COLUMNS, HERNIATION_SIDES, HERNIATION_ZONES, OUT, OUTPUTS, PAIN_START, PARAM_COLUMNS

#: Inputs of the static trunk model, in the order of ``sim.loads.posture_loads``.
LIFTING_KEYS = tuple(k for k in PARAM_COLUMNS if k.startswith("lifting."))


def _section(v: dict, section: str) -> dict:
    prefix = section + "."
    return {k[len(prefix):]: x for k, x in v.items() if k.startswith(prefix)}


def evaluate_row(row: np.ndarray, posture_table: np.ndarray, coef: np.ndarray, capture: dict | None = None) -> np.ndarray:
    """All outputs of one packed configuration for both sides, shape ``(2, len(OUTPUTS))``.

    ``capture``, if given, receives each side's foramen faces ``(n, c)`` under its side name.
    """
    v = {name: float(row[i]) for i, name in enumerate(COLUMNS)}
    tissue, grading = _section(v, "tissue"), _section(v, "grading")
    zone = HERNIATION_ZONES[int(v["pathology.herniation_zone"])]
    hside = HERNIATION_SIDES[int(v["pathology.herniation_side"])]
    hl = v["pathology.disc_height_loss_mm"]

    # stage 1: loads
    force, m_sag, m_lat, m_ax = ld.posture_loads(
        posture_table[int(v["posture"])], v["anatomy.body_mass_kg"], [v[k] for k in LIFTING_KEYS])

    # stage 2: mechanics
    angle, w, f_facet = mech.sagittal_equilibrium(force, m_sag, hl, tissue)
    lat = float(mech.bending_angle_deg(m_lat, tissue["lateral_toe_stiffness_nm_per_deg"],
                                       tissue["lateral_stiffening_per_deg"]))
    axial = float(mech.bending_angle_deg(m_ax, tissue["axial_toe_stiffness_nm_per_deg"],
                                         tissue["axial_stiffening_per_deg"]))
    f_disc = force - f_facet
    idp = float(mech.intradiscal_pressure_mpa(f_disc, v["anatomy.disc_area_mm2"],
                                              tissue["idp_correction_factor"]))
    flex_end = float(mech.bending_angle_deg(10.0, tissue["flexion_toe_stiffness_nm_per_deg"],
                                            tissue["flexion_stiffening_per_deg"]))
    ext_end = -float(mech.bending_angle_deg(10.0, tissue["extension_toe_stiffness_nm_per_deg"],
                                            tissue["extension_stiffening_per_deg"]))
    slip = float(mech.slip_total_mm(v["pathology.slip_mm"], v["pathology.slip_instability_mm"],
                                    angle, flex_end, ext_end))

    out = np.zeros((2, len(OUTPUTS)))
    for s, sign in enumerate((-1.0, 1.0)):
        affected = hside == "both" or (hside == "right") == (sign > 0)
        o = out[s]
        o[OUT["segment_angle_deg"]] = angle
        o[OUT["lateral_angle_deg"]] = lat
        o[OUT["axial_angle_deg"]] = axial
        o[OUT["compressive_force_n"]] = force
        o[OUT["flexion_moment_nm"]] = m_sag
        o[OUT["lateral_moment_nm"]] = m_lat
        o[OUT["axial_moment_nm"]] = m_ax
        o[OUT["disc_force_n"]] = f_disc
        o[OUT["facet_force_n"]] = f_facet
        o[OUT["idp_mpa"]] = idp
        o[OUT["slip_mm"]] = slip
        o[OUT["solver_iterations"]] = 0.0

        closure = float(mech.local_disc_closure_mm(
            w, angle, lat, sign, tissue["cor_anterior_offset_mm"], v["anatomy.foramen_lateral_offset_mm"]))
        bulge = float(mech.disc_bulge_mm(
            v["pathology.disc_bulge_mm"], hl, closure, idp, slip, tissue["bulge_per_height_loss"],
            tissue["bulge_per_idp_mm_per_mpa"], tissue["slip_pseudo_bulge_ratio"]))
        o[OUT["disc_bulge_mm"]] = bulge
        o[OUT["disc_height_posterior_mm"]] = v["anatomy.disc_height_posterior_mm"] - hl - closure

        # stage 3: geometry.  The flavum spans the facets, so it shortens with their closure.
        flavum_closure = hl + closure + (tissue["facet_lever_arm_mm"] - tissue["cor_anterior_offset_mm"]) \
            * math.sin(math.radians(-angle))
        t0 = v["anatomy.ligamentum_flavum_thickness_mm"]
        thick = float(geo.flavum_thickness_mm(t0, v["pathology.ligamentum_flavum_hypertrophy_mm"],
                                              flavum_closure, v["anatomy.ligamentum_flavum_length_mm"]))
        narrowing = v["pathology.facet_hypertrophy_mm"] + tissue["foraminal_flavum_fraction"] * (thick - t0)
        foraminal_hern = v["pathology.herniation_size_mm"] if (zone == "foraminal" and affected) else 0.0
        n, c = geo.neutral_faces(v["anatomy.foraminal_height_mm"], v["anatomy.foraminal_width_mm"],
                                 v["anatomy.foraminal_upper_width_ratio"], v["anatomy.disc_height_posterior_mm"],
                                 tissue["l5_pedicle_offset_mm"], tissue["sap_tip_height_mm"], bulge,
                                 foraminal_hern, narrowing)
        r_lat = v["anatomy.foramen_lateral_offset_mm"]
        dx = slip - sign * r_lat * math.sin(math.radians(axial))
        dy = -(w + hl) - sign * r_lat * math.sin(math.radians(lat))
        q, t = geo.l4_transform(angle, tissue["cor_anterior_offset_mm"], dx, dy)
        n, c = geo.moved_faces(n, c, q, t, slip)
        if capture is not None:
            capture["left" if sign < 0 else "right"] = (n, c)
        o[OUT["foraminal_height_mm"]] = geo.foraminal_height_mm(n, c, -0.5 * v["anatomy.foraminal_width_mm"])
        o[OUT["foraminal_width_mm"]] = geo.foraminal_width_mm(n, c, 0.5 * o[OUT["disc_height_posterior_mm"]])
        o[OUT["foraminal_area_mm2"]] = geo.foraminal_area_mm2(n, c)

        recess_hern = 0.0
        if zone == "subarticular" and affected:
            recess_hern = v["pathology.herniation_size_mm"]
        elif zone == "central":
            recess_hern = tissue["central_herniation_reach"] * v["pathology.herniation_size_mm"]
        depth = float(geo.lateral_recess_depth_mm(
            v["anatomy.lateral_recess_depth_mm"], bulge, v["pathology.facet_hypertrophy_mm"], thick - t0,
            slip, tissue["slip_recess_ratio"], recess_hern))
        o[OUT["lateral_recess_depth_mm"]] = depth

        # stage 4: compression
        mobility = v["anatomy.root_bed_mobility_mm"]
        results = []
        for key, diameter in (("l4", v["anatomy.l4_root_diameter_mm"]), ("l4_drg", v["anatomy.l4_drg_diameter_mm"])):
            x, y, r = cmp.least_squeezed_circle(n, c, geo.UPPER_CHAMBER, geo.ROOF, 0.5 * diameter + mobility)
            clearance = 2.0 * r - diameter
            if key == "l4":
                o[OUT["l4_root_x_mm"]], o[OUT["l4_root_y_mm"]] = x, y
                if zone == "extraforaminal" and affected:
                    exit_room = tissue["extraforaminal_clearance_mm"] - v["pathology.herniation_size_mm"] - bulge
                    clearance = min(clearance, exit_room)
            e = float(cmp.root_deformation(diameter, diameter + clearance))
            p = float(cmp.root_pressure_kpa(e, tissue["root_transverse_modulus_kpa"], tissue["root_stiffening"]))
            o[OUT[f"{key}_clearance_mm"]] = clearance
            o[OUT[f"{key}_deformation_pct"]] = 100.0 * e
            o[OUT[f"{key}_pressure_kpa"]] = p
            results.append(cmp.compression_grade(clearance, e, p, grading))
        o[OUT["l4_grade"]] = max(results)

        d5 = v["anatomy.l5_root_diameter_mm"]
        space = cmp.recess_free_space_mm(depth, mobility, v["anatomy.lateral_recess_angle_deg"])
        clearance = space - d5
        e = float(cmp.root_deformation(d5, space))
        p = float(cmp.root_pressure_kpa(e, tissue["root_transverse_modulus_kpa"], tissue["root_stiffening"]))
        o[OUT["l5_clearance_mm"]] = clearance
        o[OUT["l5_deformation_pct"]] = 100.0 * e
        o[OUT["l5_pressure_kpa"]] = p
        o[OUT["l5_grade"]] = cmp.compression_grade(clearance, e, p, grading)

        # stage 5: referred pain
        o[PAIN_START:PAIN_START + 10] = ref.pain_reference(
            o[OUT["l4_pressure_kpa"]], o[OUT["l4_deformation_pct"]], o[OUT["l4_drg_pressure_kpa"]],
            o[OUT["l4_drg_deformation_pct"]], o[OUT["l5_pressure_kpa"]], o[OUT["l5_deformation_pct"]], coef)[0]
    return out


def evaluate(matrix: np.ndarray, posture_table: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Reference engine over a packed batch: ``(n, 2, len(OUTPUTS))``."""
    out = np.empty((matrix.shape[0], 2, len(OUTPUTS)))
    for i in range(matrix.shape[0]):
        out[i] = evaluate_row(matrix[i], posture_table, coef)
    return out


assert COL["posture"] == len(COLUMNS) - 1
