"""Stage 2: each numba twin in sim.mechanics equals its reference to 1e-9 on random valid inputs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import loads, mechanics as mech
from strategies import configurations, packed_rows, section

RTOL = 1e-9
ATOL = 1e-10
finite = st.floats(-40.0, 40.0)
positive = st.floats(0.05, 5.0)
stiffening = st.just(0.0) | st.floats(1e-3, 0.5)  # linear law, or a physical stiffening


@given(finite, positive, stiffening)
def test_bending_law_twins(x, k0, b):
    assert mech._bending_moment_nm(x, k0, b)[0] == pytest.approx(float(mech.bending_moment_nm(x, k0, b)), rel=RTOL, abs=ATOL)
    assert mech._bending_angle_deg(x, k0, b) == pytest.approx(float(mech.bending_angle_deg(x, k0, b)), rel=RTOL, abs=ATOL)


@given(st.floats(-3.0, 3.0), st.floats(100.0, 3000.0), st.floats(0.1, 3.0), st.floats(0.01, 1.0))
def test_disc_and_facet_force_twins(w, k, b, s):
    assert mech._disc_axial_force_n(w, k, b)[0] == pytest.approx(float(mech.disc_axial_force_n(w, k, b)), rel=RTOL, abs=ATOL)
    assert mech._facet_force_n(w, k, s)[0] == pytest.approx(float(mech.facet_force_n(w, k, s)), rel=RTOL, abs=ATOL)


def _tissue_args(t):
    return (t["flexion_toe_stiffness_nm_per_deg"], t["flexion_stiffening_per_deg"],
            t["extension_toe_stiffness_nm_per_deg"], t["extension_stiffening_per_deg"],
            t["disc_axial_toe_stiffness_n_per_mm"], t["disc_axial_stiffening_per_mm"], t["facet_stiffness_n_per_mm"],
            t["facet_gap_mm"], t["facet_lever_arm_mm"], t["facet_contact_smoothing_mm"])


@given(configurations(n=4))
def test_sagittal_equilibrium_and_glue_twins(batch):
    table, rows = packed_rows(batch)
    for v in rows:
        t = section(v, "tissue")
        hl = v["pathology.disc_height_loss_mm"]
        force, moment, _, _ = loads.posture_loads(table[int(v["posture"])], v["anatomy.body_mass_kg"],
                                                  [v[k] for k in loads.LIFTING_KEYS])
        want = mech.sagittal_equilibrium(force, moment, hl, t)
        got = mech._sagittal_equilibrium(force, moment, hl, *_tissue_args(t))
        np.testing.assert_allclose(got[:3], want, rtol=RTOL, atol=ATOL)
        angle, w, f_facet = want
        w_axial = mech._axial_compression_mm(force, angle, hl, t["disc_axial_toe_stiffness_n_per_mm"],
                                             t["disc_axial_stiffening_per_mm"], t["facet_stiffness_n_per_mm"],
                                             t["facet_gap_mm"], t["facet_lever_arm_mm"],
                                             t["facet_contact_smoothing_mm"], np.nan)[0]
        assert w_axial == pytest.approx(mech.axial_compression_mm(force, angle, hl, t), rel=RTOL, abs=ATOL)

        idp = float(mech.intradiscal_pressure_mpa(force - f_facet, v["anatomy.disc_area_mm2"], t["idp_correction_factor"]))
        assert mech._intradiscal_pressure_mpa(force - f_facet, v["anatomy.disc_area_mm2"],
                                              t["idp_correction_factor"]) == pytest.approx(idp, rel=RTOL, abs=ATOL)
        ends = _tissue_args(t)[:4]
        flex_end, ext_end = mech.pure_moment_range_deg(*ends)
        np.testing.assert_allclose(mech._pure_moment_range_deg(*ends), (flex_end, ext_end), rtol=RTOL)
        slip_args = (v["pathology.slip_mm"], v["pathology.slip_instability_mm"], angle, flex_end, ext_end)
        slip = float(mech.slip_total_mm(*slip_args))
        assert mech._slip_total_mm(*slip_args) == pytest.approx(slip, rel=RTOL, abs=ATOL)
        for sign in (-1.0, 1.0):
            closure_args = (w, angle, 3.0 * sign, sign, t["cor_anterior_offset_mm"], v["anatomy.foramen_lateral_offset_mm"])
            closure = float(mech.local_disc_closure_mm(*closure_args))
            assert mech._local_disc_closure_mm(*closure_args) == pytest.approx(closure, rel=RTOL, abs=ATOL)
            bulge_args = (v["pathology.disc_bulge_mm"], hl, closure, idp, slip, t["bulge_per_height_loss"],
                          t["bulge_per_idp_mm_per_mpa"], t["slip_pseudo_bulge_ratio"])
            assert mech._disc_bulge_mm(*bulge_args) == pytest.approx(float(mech.disc_bulge_mm(*bulge_args)),
                                                                     rel=RTOL, abs=ATOL)
