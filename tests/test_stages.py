"""Unit checks of single stage functions against hand calculations."""


import numpy as np
import pytest
from naive import brute_force_circle

from sim import compression as cmp
from sim import geometry as geo
from sim import mechanics
from sim.units import KPA_PER_MMHG


def test_bending_law_inverse():
    a = np.linspace(-10, 10, 41)
    m = mechanics.bending_moment_nm(a, 0.5, 0.16)
    np.testing.assert_allclose(mechanics.bending_angle_deg(m, 0.5, 0.16), a, atol=1e-12)


def test_idp_from_force():
    # 600 N on 1800 mm2 with Nachemson's factor 1.5 gives 0.5 MPa above the swelling pressure
    assert mechanics.intradiscal_pressure_mpa(600.0, 1800.0, 1.5, 0.1) == pytest.approx(0.6)
    assert mechanics.intradiscal_pressure_mpa(-50.0, 1800.0, 1.5, 0.1) == pytest.approx(0.1)


def test_flavum_volume_conservation():
    t = geo.flavum_thickness_mm(3.0, 0.0, 3.0, 15.0)
    assert t * (15.0 - 3.0) == pytest.approx(3.0 * 15.0)


def test_least_squeezed_circle_matches_brute_force():
    rng = np.random.default_rng(3)
    for _ in range(20):
        hp = rng.uniform(6, 11)
        n, c = geo.foramen_faces(rng.uniform(15, 24), rng.uniform(4, 10), rng.uniform(1.2, 1.8), hp, 2.0,
                                 rng.uniform(-1, 2), rng.uniform(0, 3), hp - rng.uniform(0, 4),
                                 rng.uniform(0, 3) * rng.integers(0, 2), rng.uniform(0, 2), rng.uniform(-5, 8), 10.0,
                                 rng.uniform(0, 4), -rng.uniform(0, 5), rng.uniform(0, 4))
        mobility = rng.uniform(0.0, 4.0)
        x, y, r = cmp.least_squeezed_circle(n, c, geo.CHAMBER, geo.ROOF, geo.L4_WALL, mobility)
        r_brute = brute_force_circle(n, c, geo.CHAMBER, geo.ROOF, geo.L4_WALL, mobility)
        assert r >= r_brute - 1e-9
        assert r - r_brute < 0.01


def test_polygon_area_of_a_box():
    n = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    c = np.array([2.0, 1.0, 3.0, 0.0])
    assert geo.polygon_area_mm2(geo.foramen_polygon(n, c)) == pytest.approx(9.0)


def test_grades_follow_physiological_thresholds():
    g = {"contact_clearance_mm": 0.5, "mild_pressure_mmhg": 30, "moderate_pressure_mmhg": 50,
         "severe_pressure_mmhg": 100, "mild_deformation_pct": 10, "moderate_deformation_pct": 20,
         "severe_deformation_pct": 40}
    kpa = KPA_PER_MMHG
    assert cmp.compression_grade(1.0, 0.0, 0.0, g) == 0
    assert cmp.compression_grade(0.2, 0.0, 0.0, g) == 1
    assert cmp.compression_grade(-0.1, 0.01, 20 * kpa, g) == 1
    assert cmp.compression_grade(-0.1, 0.01, 35 * kpa, g) == 2
    assert cmp.compression_grade(-0.1, 0.01, 60 * kpa, g) == 3
    assert cmp.compression_grade(-0.1, 0.01, 120 * kpa, g) == 4
    assert cmp.compression_grade(-0.1, 0.45, 1 * kpa, g) == 4
