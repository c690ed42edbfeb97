"""Stage 1: the trunk model's numba twins equal their references to 1e-9, and its physics holds."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import configurations, packed_rows

from sim import loads
from sim import params as prm
from sim.units import GRAVITY_M_S2

RTOL = 1e-9
ATOL = 1e-9


def _args(v, keys):
    return [v[k] for k in keys]


@given(configurations(n=6))
def test_posture_loads_twin(batch):
    table, rows = packed_rows(batch)
    for v in rows:
        lift, law = np.array(_args(v, loads.LIFTING_KEYS)), np.array(_args(v, loads.LAW_KEYS))
        row = table[int(v["posture"])]
        want = loads.posture_loads(row, v["anatomy.body_mass_kg"], list(lift), list(law))
        got = loads._posture_loads(row, v["anatomy.body_mass_kg"], lift, law)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


@given(configurations(n=4), st.floats(-40, 110), st.floats(-45, 45), st.floats(-10, 15), st.floats(-10, 10),
       st.floats(-5, 5), st.floats(-30, 30), st.floats(0, 60), st.sampled_from([0.0, 1.0]))
def test_trunk_loads_twin(batch, trunk, lateral, seg, seg_l, seg_a, incl, hand, supported):
    _, rows = packed_rows(batch)
    for v in rows:
        args = (v["anatomy.body_mass_kg"], trunk, lateral, seg, seg_l, seg_a, incl, hand, supported,
                *_args(v, loads.LIFTING_KEYS)[2:], *_args(v, loads.LAW_KEYS))
        np.testing.assert_allclose(loads._trunk_loads(*args), loads.trunk_loads(*args), rtol=RTOL, atol=ATOL)


@given(st.floats(-40.0, 40.0), st.floats(0.05, 5.0), st.one_of(st.just(0.0), st.floats(1e-6, 0.5)))
def test_bending_law_twins(x, k0, b):
    assert loads._bending_moment_nm(x, k0, b)[0] == pytest.approx(float(loads.bending_moment_nm(x, k0, b)),
                                                                  rel=RTOL, abs=ATOL)
    assert loads._bending_angle_deg(x, k0, b) == pytest.approx(float(loads.bending_angle_deg(x, k0, b)),
                                                               rel=RTOL, abs=ATOL)


def _defaults(keys):
    d = prm.defaults()
    return [d[k] for k in keys]


def _loads(name, **lifting):
    lift = dict(zip(loads.LIFTING_KEYS, _defaults(loads.LIFTING_KEYS)))
    lift.update({f"lifting.{k}": x for k, x in lifting.items()})
    return loads.posture_loads(loads.builtin_postures()[name].row(), prm.defaults()["anatomy.body_mass_kg"],
                               [lift[k] for k in loads.LIFTING_KEYS], _defaults(loads.LAW_KEYS))


def test_lifting_at_zero_angle_and_load_is_standing():
    """One set of equations for every posture: lifting with the trunk upright and no load is standing."""
    np.testing.assert_allclose(_loads("lifting", trunk_flexion_deg=0.0, hand_load_kg=0.0), _loads("standing"),
                               rtol=1e-12, atol=1e-12)
    assert _loads("lifting")[0] > _loads("lifting", hand_load_kg=5.0)[0] > _loads("standing")[0]


def test_no_upright_posture_is_loaded_less_than_standing_and_lying_is_unloaded():
    standing = _loads("standing")[0]
    for name in loads.BUILTIN_POSTURES:
        f = _loads(name)
        if name == "supine":
            assert f[:5] == (0.0, 0.0, 0.0, 0.0, 0.0)
        elif name not in ("standing", "sitting"):
            assert f[0] >= standing, name


def test_standing_load_and_shear_by_hand():
    """Upright: W cos(delta) + erector force for the gravity moment and the co-contraction."""
    d = prm.defaults()
    w = GRAVITY_M_S2 * d["lifting.upper_body_mass_fraction"] * d["anatomy.body_mass_kg"]
    cc = d["lifting.cocontraction_force_n"]
    e_es, e_abd = d["lifting.extensor_moment_arm_mm"], d["lifting.flexor_moment_arm_mm"]
    f_es = (w * d["lifting.upright_com_offset_mm"] + cc * e_abd) / e_es
    delta = np.radians(d["lifting.disc_inclination_deg"])
    g = np.radians(d["lifting.extensor_line_obliquity_deg"] - d["lifting.disc_inclination_deg"])  # to the disc normal
    force, shear, *_ = _loads("standing")
    assert force == pytest.approx(w * np.cos(delta) + f_es * np.cos(g) + cc)
    assert shear == pytest.approx(w * np.sin(delta) - f_es * np.sin(g))


@given(st.floats(10.0, 35.0), st.floats(-10.0, 40.0), st.floats(-10.0, 20.0), st.floats(2.0, 15.0))
def test_erector_obliquity_lost_with_flexion(phi, delta0, a, limit):
    """Upright the erector meets the disc normal at phi - delta0; flexion only shrinks that angle (to none at the
    end of range), extension keeps it; the numba twin agrees."""
    g = loads.erector_obliquity_deg(phi, delta0, a, limit)
    upright = phi - delta0
    if a <= 0.0:
        assert g == upright
    else:
        assert abs(g) <= abs(upright) and g * upright >= 0.0
        assert abs(loads.erector_obliquity_deg(phi, delta0, a + 1.0, limit)) <= abs(g)
        if a >= limit:
            assert g == 0.0
    assert loads._erector_obliquity_deg(phi, delta0, a, limit) == pytest.approx(g, rel=RTOL, abs=ATOL)


def test_default_shear_is_anterior_when_loaded_upright_or_flexed():
    """Issue 10: anterior shear from the load and the disc inclination standing, sitting, flexed and lifting
    (musculoskeletal-model L4-L5 reactions, Front Bioeng Biotechnol 2021;9:661837); none lying."""
    for name in ("standing", "sitting", "flexion", "lifting"):
        assert _loads(name)[1] > 0.0, name
    assert _loads("flexion")[1] > _loads("standing")[1]
    assert _loads("supine")[1] == 0.0


def test_custom_posture_kinds():
    case = loads.custom_posture("p", {"follower_load_n": 500.0, "shear_force_n": 50.0})
    assert case.kind == "load_case" and case.row()[2] == 50.0
    kemp = loads.custom_posture("kemp", {"trunk_flexion_deg": -20.0, "trunk_lateral_deg": -20.0,
                                         "segment_lateral_deg": -5.0})
    assert kemp.kind == "trunk"
    with pytest.raises(loads.SimInputError, match="mixes"):
        loads.custom_posture("bad", {"follower_load_n": 500.0, "trunk_flexion_deg": 10.0})
    with pytest.raises(loads.SimInputError, match="segment_axial_deg"):
        loads.custom_posture("bad", {"segment_axial_deg": 9.0})


# ------------------------------------------------------------------ gait (vertical load factor of walking)
@given(st.floats(1.0, 3.0), st.floats(40.0, 125.0), st.floats(0.0, 30.0), st.floats(-20.0, 40.0))
def test_vertical_load_factor_scales_the_weights_the_trunk_carries(n, mass, hand, trunk):
    """A gait posture with factor n is the static posture with n times body mass and hand load (both engines)."""
    lift, law = _defaults(loads.LIFTING_KEYS), _defaults(loads.LAW_KEYS)
    gait = loads.custom_posture("g", {"trunk_flexion_deg": trunk, "hand_load_kg": hand,
                                      "vertical_load_factor": n}).row()
    still = loads.Posture("s", kind="trunk", trunk_flexion_deg=trunk, hand_load_kg=hand * n).row()
    want = loads.posture_loads(still, mass * n, lift, law)
    np.testing.assert_allclose(loads.posture_loads(gait, mass, lift, law), want, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(loads._posture_loads(gait, mass, np.array(lift), np.array(law)), want,
                               rtol=RTOL, atol=ATOL)


def test_walking_carries_more_than_its_static_posture():
    """Double support: the walking posture compresses L4-L5 more than the same angles held still."""
    walking = loads.builtin_postures()["walking"]
    assert walking.vertical_load_factor > 1.0
    still = loads.custom_posture("still", {"segment_flexion_deg": walking.segment_flexion_deg}).row()
    lift, law = _defaults(loads.LIFTING_KEYS), _defaults(loads.LAW_KEYS)
    mass = prm.defaults()["anatomy.body_mass_kg"]
    assert loads.posture_loads(walking.row(), mass, lift, law)[0] > loads.posture_loads(still, mass, lift, law)[0]
    assert all(loads.builtin_postures()[p].vertical_load_factor == 1.0 for p in loads.BUILTIN_POSTURES
               if not p.startswith("walking"))


@pytest.mark.parametrize("bad", [0.5, 3.5, True])
def test_vertical_load_factor_out_of_range_is_refused(bad):
    with pytest.raises(loads.SimInputError, match="vertical_load_factor"):
        loads.custom_posture("g", {"vertical_load_factor": bad})
