"""The physics goes the way the literature says, in cases nobody tuned it to.

Invariants on every output (areas and heights positive, grades never falling
as compression rises) and directions: more pathology never less compression,
extension never opens the foramen beyond flexion, bending narrows one side.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import configurations

import sim
from sim.engine import GRADES

GRADE_RANK = {g: i for i, g in enumerate(GRADES)}


def _eval(**batch):
    batch.setdefault("side", "left")
    return sim.evaluate(batch)


def _monotone_non_decreasing(values, tol=1e-9):
    return np.all(np.diff(values) >= -tol)


@given(configurations(n=8))
def test_invariants_on_random_configurations(batch):
    r = sim.evaluate(batch)
    assert np.all(r["foraminal_area_mm2"] >= 0)
    assert np.all(r["foraminal_height_mm"] >= 0)
    assert np.all(r["lateral_recess_depth_mm"] >= 0)
    assert np.all(r["idp_mpa"] >= 0)
    for root in ("l4", "l5"):
        d = r[f"{root}_deformation_pct"]
        assert np.all((d >= 0) & (d <= 95.0 + 1e-9))
        assert np.all(r[f"{root}_pressure_kpa"] >= 0)
        # a deformed root always has a grade of at least "contact"
        ranks = np.array([GRADE_RANK[g] for g in r[f"{root}_grade"]])
        assert np.all(ranks[d > 0] >= 1)
    for name in ("segment_angle_deg", "compressive_force_n", "foraminal_width_mm", "l4_pressure_kpa"):
        assert np.all(np.isfinite(r[name])), name


@pytest.mark.parametrize("key,values,root", [
    ("pathology.disc_height_loss_mm", np.linspace(0, 7, 29), "l4_drg"),
    ("pathology.disc_bulge_mm", np.linspace(0, 4, 17), "l4_drg"),
    ("pathology.facet_hypertrophy_mm", np.linspace(0, 4, 17), "l5"),
    ("pathology.ligamentum_flavum_hypertrophy_mm", np.linspace(0, 4, 17), "l5"),
    ("pathology.slip_mm", np.linspace(0, 10, 21), "l5"),
])
@pytest.mark.parametrize("posture", ["standing", "extension", "sitting"])
def test_more_pathology_never_less_compression(key, values, root, posture):
    r = _eval(**{key: values, "posture": posture})
    assert _monotone_non_decreasing(-r[f"{root}_clearance_mm"]), key
    assert _monotone_non_decreasing(r[f"{root}_pressure_kpa"]), key


@pytest.mark.parametrize("zone,root,side_hit,side_free", [
    ("subarticular", "l5", "right", "left"),
    ("foraminal", "l4_drg", "left", "right"),
])
def test_herniation_grows_compression_on_its_side_only(zone, root, side_hit, side_free):
    sizes = np.linspace(0, 5, 21)
    hit = _eval(**{"pathology.herniation_zone": zone, "pathology.herniation_side": side_hit,
                   "pathology.herniation_size_mm": sizes, "side": side_hit})
    free = _eval(**{"pathology.herniation_zone": zone, "pathology.herniation_side": side_hit,
                    "pathology.herniation_size_mm": sizes, "side": side_free})
    assert _monotone_non_decreasing(-hit[f"{root}_clearance_mm"])
    assert hit[f"{root}_clearance_mm"][-1] < hit[f"{root}_clearance_mm"][0] - 1.0
    np.testing.assert_allclose(free[f"{root}_clearance_mm"], free[f"{root}_clearance_mm"][0])


def test_zone_hits_the_right_root():
    """Subarticular herniations hit the traversing L5, foraminal ones the exiting L4."""
    sub = _eval(**{"pathology.herniation_zone": "subarticular", "pathology.herniation_size_mm": 4.0})
    fora = _eval(**{"pathology.herniation_zone": "foraminal", "pathology.herniation_size_mm": 4.0})
    base = _eval()
    assert sub["l5_clearance_mm"][0] < base["l5_clearance_mm"][0] - 3.0
    assert abs(sub["l4_drg_clearance_mm"][0] - base["l4_drg_clearance_mm"][0]) < 1e-9
    # the ganglion lies above the disc: a 4 mm foraminal herniation, rising from the band, takes over 1 mm of its room
    assert fora["l4_drg_clearance_mm"][0] < base["l4_drg_clearance_mm"][0] - 1.0
    assert abs(fora["l5_clearance_mm"][0] - base["l5_clearance_mm"][0]) < 1e-9


@given(st.floats(0.0, 5.0), st.floats(0.0, 2.0), st.floats(0.0, 2.0))
def test_extension_never_opens_the_foramen_beyond_flexion(height_loss, bulge, hypertrophy):
    r = _eval(**{"posture": ["flexion", "extension"], "pathology.disc_height_loss_mm": height_loss,
                 "pathology.disc_bulge_mm": bulge, "pathology.ligamentum_flavum_hypertrophy_mm": hypertrophy})
    assert r["foraminal_area_mm2"][1] <= r["foraminal_area_mm2"][0]
    assert r["foraminal_height_mm"][1] <= r["foraminal_height_mm"][0]
    assert r["lateral_recess_depth_mm"][1] <= r["lateral_recess_depth_mm"][0]


@pytest.mark.parametrize("motion", ["lateral_bend", "axial_rotation"])
def test_bending_and_rotation_narrow_one_side_and_open_the_other(motion):
    r = sim.evaluate({"posture": [f"{motion}_right"] * 2, "side": ["left", "right"]})
    # the same compression and shear without the bend or twist (a load case)
    same_load = sim.loads.Posture("same_load", follower_load_n=float(r["compressive_force_n"][0]),
                                  shear_force_n=float(r["shear_force_n"][0]))
    neutral = sim.evaluate({"posture": "same_load", "side": "left"},
                           custom_postures={"same_load": same_load})["foraminal_area_mm2"][0]
    lo, hi = sorted(r["foraminal_area_mm2"])
    assert lo < neutral < hi
    if motion == "lateral_bend":  # Kemp's sign: bending towards a side closes that foramen
        assert r["foraminal_area_mm2"][1] < r["foraminal_area_mm2"][0]
    mirror = sim.evaluate({"posture": [f"{motion}_left"] * 2, "side": ["right", "left"]})
    np.testing.assert_allclose(mirror["foraminal_area_mm2"], r["foraminal_area_mm2"], rtol=1e-12)


def test_left_right_symmetry_without_one_sided_disease():
    r = sim.evaluate({"posture": sim.engine.BUILTIN_POSTURES[:5], "pathology.disc_height_loss_mm": 3.0})
    left = {k: v[0::2] for k, v in r.items()}
    right = {k: v[1::2] for k, v in r.items()}
    for name in ("foraminal_area_mm2", "l4_drg_pressure_kpa", "l5_pressure_kpa"):
        np.testing.assert_allclose(left[name], right[name], rtol=1e-12)


def test_heavier_person_loads_the_disc_more():
    r = _eval(**{"anatomy.body_mass_kg": [50.0, 70.0, 100.0], "posture": "standing"})
    assert np.all(np.diff(r["idp_mpa"]) > 0)


def test_heavier_lift_compresses_more():
    r = _eval(**{"lifting.hand_load_kg": [0.0, 10.0, 20.0, 30.0], "posture": "lifting"})
    assert np.all(np.diff(r["compressive_force_n"]) > 0)


def test_unstable_slip_grows_with_load_and_in_flexion():
    """slip_mm is the total translation: the rest slip lying, more standing, flexion > extension, and
    an unstable segment translates more between extension and flexion than a stable one."""
    postures = ["supine", "extension", "standing", "flexion"]
    r = _eval(**{"pathology.slip_mm": 4.0, "pathology.slip_instability_mm": 3.0, "posture": postures})
    assert r["slip_mm"][0] == pytest.approx(4.0)
    assert r["slip_mm"][1] < r["slip_mm"][2] < r["slip_mm"][3]
    assert r["slip_mm"][2] > r["slip_mm"][0]
    stable = _eval(**{"pathology.slip_mm": 4.0, "posture": postures})
    assert r["slip_mm"][3] - r["slip_mm"][1] > stable["slip_mm"][3] - stable["slip_mm"][1]


def test_stenosis_is_relieved_by_flexion_and_sitting():
    """Neurogenic claudication: recess and foramen roomier sitting/flexed than standing/extended."""
    r = _eval(**{"pathology.ligamentum_flavum_hypertrophy_mm": 1.5, "pathology.facet_hypertrophy_mm": 1.0,
                 "pathology.disc_bulge_mm": 1.0, "posture": ["standing", "extension", "sitting", "flexion"]})
    worse = np.minimum(r["l5_clearance_mm"][0], r["l5_clearance_mm"][1])
    better = np.maximum(r["l5_clearance_mm"][2], r["l5_clearance_mm"][3])
    assert better > worse
