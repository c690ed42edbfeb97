"""Stage 4: each numba twin in sim.compression equals its reference to 1e-9 on random valid inputs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import configurations, packed_rows, section
from test_geometry import face_args, twin_faces

from sim import compression as cmp
from sim import geometry as geo

RTOL = 1e-9
ATOL = 1e-10


@given(configurations(n=4), st.floats(-10.0, 10.0), st.floats(0.0, 3.0), st.floats(0.0, 4.0), st.floats(0.0, 4.0))
def test_least_squeezed_circle_twin(batch, angle, bulge, hern, slip):
    _, rows = packed_rows(batch)
    work_rows, rhs = np.empty((cmp.N_PART_FACES + 1, 3)), np.empty(cmp.N_PART_FACES + 1)
    for v in rows:
        n, c = twin_faces(face_args(v, section(v, "tissue"), angle, bulge, hern, 0.5, slip, -1.0, slip))
        mobility = v["anatomy.root_bed_mobility_mm"]
        want = cmp.least_squeezed_circle(n, c, geo.CHAMBER, geo.ROOF, geo.L4_WALL, mobility)
        got = cmp._least_squeezed_circle(n, c, geo.CHAMBER, mobility, work_rows, rhs)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


@given(configurations(n=6), st.floats(-12.0, 4.0), st.floats(0.0, 8.0))
def test_strain_deformation_pressure_grade_space_exit_twins(batch, clearance, extra):
    _, rows = packed_rows(batch)
    for v in rows:
        t, grading = section(v, "tissue"), section(v, "grading")
        g = np.array(list(grading.values()))
        d = v["anatomy.l4_root_diameter_mm"]
        e = float(cmp.root_deformation(d, d + clearance))
        assert cmp._root_deformation(d, d + clearance) == pytest.approx(e, rel=RTOL, abs=ATOL)
        eps = cmp.interference_strain(d, d + clearance, t["root_bed_thickness_mm"])
        assert cmp._interference_strain(d, d + clearance, t["root_bed_thickness_mm"]) == pytest.approx(eps, rel=RTOL)
        p = float(cmp.root_pressure_kpa(eps, t["root_transverse_modulus_kpa"], t["root_stiffening"]))
        assert cmp._root_pressure_kpa(eps, t["root_transverse_modulus_kpa"], t["root_stiffening"]) == pytest.approx(
            p, rel=RTOL, abs=ATOL)
        assert cmp._compression_grade(clearance, e, p, g) == cmp.compression_grade(clearance, e, p, grading)
        space = (v["anatomy.lateral_recess_depth_mm"], v["anatomy.root_bed_mobility_mm"],
                 v["anatomy.lateral_recess_angle_deg"])
        assert cmp._recess_free_space_mm(*space) == pytest.approx(cmp.recess_free_space_mm(*space), rel=RTOL)
        exit_args = (clearance, t["extraforaminal_clearance_mm"], extra, v["pathology.disc_bulge_mm"])
        assert cmp._l4_exit_clearance_mm(*exit_args) == pytest.approx(cmp.l4_exit_clearance_mm(*exit_args),
                                                                      rel=RTOL, abs=ATOL)


def test_grading_columns_in_twin_order():
    """The twin reads grading by position: the packed order must be the reference's keys in order."""
    from sim.layout import PARAM_COLUMNS

    keys = [k for k in PARAM_COLUMNS if k.startswith("grading.")]
    assert keys[0] == "grading.contact_clearance_mm" and keys[1:4] == [
        f"grading.{x}_pressure_mmhg" for x in ("mild", "moderate", "severe")]
