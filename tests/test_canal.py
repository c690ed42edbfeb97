"""The central canal (sim/canal.py): twin, hand calculation and physical properties in the whole model."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import configurations

import sim
from sim import canal as cnl
from sim.layout import ZONE_CENTRAL, ZONE_EXTRAFORAMINAL, ZONE_FORAMINAL, ZONE_NONE, ZONE_SUBARTICULAR

TOL = 1e-9


def _random_arguments(rng):
    return (rng.uniform(6, 22), rng.uniform(8, 28), rng.uniform(0, 8), rng.uniform(0, 8), rng.uniform(-4, 8),
            rng.uniform(-4, 8), rng.uniform(0, 5), rng.uniform(0, 8), rng.uniform(0, 8), rng.uniform(-3, 20),
            rng.uniform(0, 1))


def test_twin_matches_reference_on_random_inputs():
    rng = np.random.default_rng(14)
    for _ in range(500):
        args = _random_arguments(rng)
        ref, twin = cnl.canal_area_mm2(*args), cnl._canal_area_mm2(*args)
        assert twin == pytest.approx(ref, rel=1e-9, abs=1e-12)
        zone = int(rng.integers(0, 5))
        h, reach = rng.uniform(0, 10), rng.uniform(0, 1)
        assert cnl._canal_herniation_mm(zone, h, reach) == pytest.approx(cnl.canal_herniation_mm(zone, h, reach),
                                                                           rel=1e-9, abs=1e-12)


def test_hand_calculation():
    # 13 x 16 mm room, 1 mm bulge, flavum 2 mm thicker on each side, 1 mm SAP overgrowth, 4 mm slip at 0.25:
    # AP 13 - 1 - 2 - 1 = 9 mm, width 16 - 2 = 14 mm
    area = cnl.canal_area_mm2(13.0, 16.0, 1.0, 0.0, 2.0, 2.0, 1.0, 0.0, 0.0, 4.0, 0.25)
    assert area == pytest.approx(math.pi / 4.0 * 9.0 * 14.0)
    # a posterior translation (retrolisthesis) does not widen it; a closed canal has no area
    assert cnl.canal_area_mm2(13.0, 16.0, 0, 0, 0, 0, 0, 0, 0, -3.0, 0.25) == cnl.canal_area_mm2(
        13.0, 16.0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.25)
    assert cnl.canal_area_mm2(8.0, 16.0, 5.0, 5.0, 0, 0, 0, 0, 0, 0, 0.25) == 0.0


def test_herniation_routing_by_zone():
    assert cnl.canal_herniation_mm(ZONE_CENTRAL, 4.0, 0.5) == 4.0
    assert cnl.canal_herniation_mm(ZONE_SUBARTICULAR, 4.0, 0.5) == 2.0
    for zone in (ZONE_NONE, ZONE_FORAMINAL, ZONE_EXTRAFORAMINAL):
        assert cnl.canal_herniation_mm(zone, 4.0, 0.5) == 0.0


@pytest.mark.parametrize("index, sign", [(2, -1), (3, -1), (4, -1), (5, -1), (6, -1), (9, -1), (7, 1), (8, 1)])
def test_each_term_narrows_or_widens_monotonically(index, sign):
    """Bulge, herniation, flavum, facet overgrowth and slip never enlarge the room; facetectomy never shrinks it."""
    rng = np.random.default_rng(index)
    for _ in range(200):
        args = list(_random_arguments(rng))
        more = list(args)
        more[index] += rng.uniform(0.0, 3.0)
        change = cnl.canal_area_mm2(*more) - cnl.canal_area_mm2(*args)
        assert sign * change >= -TOL


def _pair(batch, changes):
    return sim.evaluate(batch), sim.evaluate({**batch, **changes})


@settings(max_examples=10)
@given(configurations(n=4), st.sampled_from(["pathology.disc_bulge_mm", "pathology.herniation_size_mm",
                                            "pathology.ligamentum_flavum_hypertrophy_mm", "pathology.slip_mm"]),
       st.floats(0.1, 3.0))
def test_more_disease_never_enlarges_the_canal(batch, key, extra):
    from sim import params as prm

    more = np.minimum(batch[key] + extra, prm.get_spec(key).max)
    if key == "pathology.herniation_size_mm":  # a larger herniation, kept inside its zone's limit
        for i in range(len(more)):
            one = {k: (v[i] if np.ndim(v) else v) for k, v in batch.items()}
            more[i] = min(more[i], float(prm.herniation_limit_mm({**prm.defaults(), **one})))
    if key == "pathology.slip_mm":  # a slip the endplate still holds
        more = np.minimum(more, batch["anatomy.disc_depth_mm"] - batch["pathology.slip_instability_mm"] - 1e-9)
    before, after = _pair(batch, {key: more})
    assert np.all(after["canal_area_mm2"] <= before["canal_area_mm2"] + TOL)


@settings(max_examples=10)
@given(configurations(n=4), st.floats(0.05, 1.0), st.sampled_from(["left", "right", "both"]))
def test_laminotomy_never_shrinks_the_canal(batch, fraction, side):
    sides = ("left", "right") if side == "both" else (side,)
    before, after = _pair(batch, {f"intervention.flavectomy_{s}_fraction": fraction for s in sides})
    assert np.all(after["canal_area_mm2"] >= before["canal_area_mm2"] - TOL)


def test_canal_is_one_value_per_configuration():
    r = sim.evaluate({"posture": ["standing", "lateral_bend_left", "axial_rotation_right"],
                      "pathology.herniation_zone": "subarticular", "pathology.herniation_side": "right",
                      "pathology.herniation_size_mm": 3.0, "intervention.flavectomy_left_fraction": 1.0})
    np.testing.assert_array_equal(r["canal_area_mm2"][r["side"] == "left"], r["canal_area_mm2"][r["side"] == "right"])


def test_healthy_canal_smaller_in_extension_than_in_flexion():
    r = sim.evaluate({"posture": ["flexion", "standing", "extension"], "side": "left"})
    flexion, standing, extension = r["canal_area_mm2"]
    assert extension < standing < flexion


def test_slip_narrows_the_canal():
    r = sim.evaluate({"posture": ["supine", "supine"], "pathology.slip_mm": [0.0, 6.0], "side": "left"})
    assert r["canal_area_mm2"][1] < r["canal_area_mm2"][0]
