"""Stage 2: each numba twin in sim.mechanics equals its reference to 1e-9, and the limits of issue 10 hold.

Limits: with no load every internal force vanishes (remodelled, force-free rest
state); under pure compression 0 <= facet force <= applied and the disc stays in
compression; the rest slip is the supine translation and load adds to it; an
equilibrium beyond a physiological angle is held on the limit and flagged; no disc
margin goes below zero height.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import configurations, packed_rows

from sim import loads
from sim import mechanics as mech
from sim import params as prm

RTOL = 1e-9
ATOL = 1e-9


def _solve_args(v):
    return [v[k] for k in loads.LAW_KEYS] + [v[k] for k in mech.SOLVE_KEYS]


@given(st.floats(-3.0, 3.0), st.floats(50.0, 3000.0), st.floats(0.1, 10.0), st.floats(5.0, 500.0),
       st.floats(0.001, 1.0), st.floats(0.5, 10.0))
def test_tissue_law_twins(x, k, b, kt, eps, h):
    np.testing.assert_allclose(mech._disc_axial_force_n(x, k, b, kt), mech.disc_axial_force_n(x, k, b, kt),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(mech._contact_force_n(x, k, eps), mech.contact_force_n(x, k, eps), rtol=RTOL, atol=ATOL)
    if x < h:
        np.testing.assert_allclose(mech._bottoming_force_n(x, h, k), mech.bottoming_force_n(x, h, k),
                                   rtol=RTOL, atol=ATOL)


@given(configurations(n=4), st.floats(-1000.0, 1000.0), st.floats(-12.0, 12.0), st.floats(-6.0, 6.0),
       st.floats(-3.0, 3.0))
def test_residual_twins(batch, u, a, lat, axial):
    """The twins take the angles' sines and cosine precomputed; same values as the references."""
    _, rows = packed_rows(batch)
    for v in rows:
        s = dict(zip(mech.SOLVE_KEYS, [v[k] for k in mech.SOLVE_KEYS]))
        (hl, u_rest, inst, hp, ha, depth, r_lat, kd0, bd, kb, kfac, gap, lever, eps, kap, gap_ap, hf, ks0, fs, ds,
         cor) = s.values()
        kt = mech.DISC_TENSILE_STIFFNESS_N_PER_MM
        lo, hi = mech.axial_bracket(a, lat, hl, hp, ha, depth, r_lat, lever, cor)
        w = lo + (hi - lo) * 0.97 if hi > 0 else 0.5 * (lo + hi)
        sa, ca = math.sin(math.radians(a)), math.cos(math.radians(a))
        want = mech.axial_residual(w, 700.0, a, lat, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps,
                                   cor)
        got = mech._axial_residual(w, 700.0, sa, ca, math.sin(math.radians(lat)), hl, hp, ha, depth, r_lat, kd0, bd,
                                   kt, kb, kfac, gap, lever, eps, cor)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
        ks = mech.shear_stiffness_n_per_mm(700.0, ks0, fs, ds, hl, hp, inst)
        uu = u_rest + u / 500.0
        want = mech.shear_residual(uu, 80.0, a, axial, u_rest, ks, kap, gap_ap, hf, r_lat, eps)
        got = mech._shear_residual(uu, 80.0, sa, ca, math.sin(math.radians(axial)), u_rest, ks, kap, gap_ap, hf, r_lat,
                                   eps)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


@given(configurations(n=4))
def test_segment_equilibrium_twin_in_the_postures(batch):
    table, rows = packed_rows(batch)
    for v in rows:
        load = loads.posture_loads(table[int(v["posture"])], v["anatomy.body_mass_kg"],
                                   [v[k] for k in loads.LIFTING_KEYS], [v[k] for k in loads.LAW_KEYS])[:9]
        want = mech.segment_equilibrium(*load, *_solve_args(v))
        got = mech._segment_equilibrium(*load, *_solve_args(v))
        np.testing.assert_allclose([got[i] for i in range(11) if i != 9], [want[i] for i in range(11) if i != 9],
                                   rtol=RTOL, atol=ATOL)


@given(configurations(n=3), st.floats(0.0, 6000.0), st.floats(-1000.0, 1000.0), st.floats(-40.0, 40.0),
       st.floats(-40.0, 40.0), st.floats(-40.0, 40.0))
def test_segment_equilibrium_twin_in_load_cases(batch, force, shear, moment, lat_moment, ax_moment):
    """Load cases across and beyond the physiological range (the limits and their flag included)."""
    _, rows = packed_rows(batch)
    for v in rows:
        load = (force, shear, moment, lat_moment, ax_moment, 0.0, 0.0, 0.0, 0.0)
        want = mech.segment_equilibrium(*load, *_solve_args(v))
        got = mech._segment_equilibrium(*load, *_solve_args(v))
        np.testing.assert_allclose([got[i] for i in range(11) if i != 9], [want[i] for i in range(11) if i != 9],
                                   rtol=RTOL, atol=ATOL)


@given(configurations(n=4))
def test_glue_twins(batch):
    _, rows = packed_rows(batch)
    for v in rows:
        hl, cor = v["pathology.disc_height_loss_mm"], v["tissue.cor_anterior_offset_mm"]
        hp = v["anatomy.disc_height_posterior_mm"]
        for sign in (-1.0, 1.0):
            args = (1.2, -3.0 * sign, 3.0 * sign, sign, cor, v["anatomy.foramen_lateral_offset_mm"])
            closure = float(mech.local_disc_closure_mm(*args))
            assert mech._local_disc_closure_mm(*args) == pytest.approx(closure, rel=RTOL, abs=ATOL)
        slip = (v["pathology.slip_mm"] + 0.3, 7.0 * sign, hp, hl, cor)
        assert mech._radiographic_slip_mm(*slip) == pytest.approx(mech.radiographic_slip_mm(*slip), rel=RTOL, abs=ATOL)
        idp = (300.0 * sign, v["anatomy.disc_area_mm2"], v["tissue.idp_correction_factor"],
               v["tissue.swelling_pressure_mpa"])
        assert mech._intradiscal_pressure_mpa(*idp) == pytest.approx(mech.intradiscal_pressure_mpa(*idp), rel=RTOL)


# ------------------------------------------------------------------ limits (issue 10, observations 1, 3, 11)
def _args(**over):
    d = {**prm.defaults(), **over}
    return [d[k] for k in loads.LAW_KEYS] + [d[k] for k in mech.SOLVE_KEYS]


@given(configurations(n=4))
def test_no_load_no_internal_force(batch):
    """Remodelled rest state: with no load every internal force vanishes and L4 stays at rest."""
    _, rows = packed_rows(batch)
    for v in rows:
        for imposed in (0.0, 1.0):
            a, lat, ax, w, u, tl, tr, sl, sr, _, flag = mech._segment_equilibrium(
                0.0, 0.0, 0.0, 0.0, 0.0, imposed, 0.0, 0.0, 0.0, *_solve_args(v))
            assert max(abs(a), abs(w), abs(u - v["pathology.slip_mm"])) < 1e-9
            assert tl == tr == sl == sr == 0.0 and flag == 0.0


@given(configurations(n=4), st.floats(1.0, 6000.0))
def test_pure_compression_shares(batch, force):
    """0 <= facet force <= applied force, disc force >= 0, no rotation, IDP above the swelling pressure."""
    _, rows = packed_rows(batch)
    for v in rows:
        a, _, _, w, _, tl, tr, sl, sr, _, flag = mech._segment_equilibrium(
            force, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, *_solve_args(v))
        assert abs(a) < 1e-9 and flag == 0.0
        assert 0.0 <= tl + tr <= force * (1.0 + 1e-12)
        assert sl + sr <= 1e-9
        idp = mech.intradiscal_pressure_mpa(force - tl - tr, v["anatomy.disc_area_mm2"],
                                            v["tissue.idp_correction_factor"], v["tissue.swelling_pressure_mpa"])
        assert idp > v["tissue.swelling_pressure_mpa"]


def test_facet_shares_of_the_calibration_and_of_sitting():
    """Adams & Hutton 1980: 16 % erect and 70 % with a 3 mm narrowed disc (the calibration); none when
    sitting (independent)."""
    def share(hl, angle, force=700.0):
        r = mech._segment_equilibrium(force, 0.0, 0.0, 0.0, 0.0, 1.0, angle, 0.0, 0.0,
                                      *_args(**{"pathology.disc_height_loss_mm": hl}))
        return (r[5] + r[6]) / force
    assert share(0.0, -2.0) == pytest.approx(0.16, abs=2e-4)
    assert share(3.0, -2.0) == pytest.approx(0.70, abs=2e-4)
    assert share(0.0, 4.5) == 0.0


def test_translation_grows_with_load_and_instability():
    """Observation 3: the slip depends on the load; an unstable segment translates more."""
    def u(force, shear, inst):
        return mech._segment_equilibrium(force, shear, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, *_args(
            **{"pathology.slip_mm": 4.0, "pathology.slip_instability_mm": inst}))[4]
    assert u(0.0, 0.0, 2.0) == pytest.approx(4.0)
    assert u(580.0, 40.0, 0.0) > 4.0
    assert u(580.0, 40.0, 2.0) > u(580.0, 40.0, 0.0) + 0.1


@pytest.mark.parametrize("moment", [100.0, -100.0])
def test_equilibrium_beyond_the_range_is_held_on_the_limit_and_flagged(moment):
    soft = {k: prm.get_spec(k).min for k in loads.LAW_KEYS}
    for engine in (mech.segment_equilibrium, mech._segment_equilibrium):
        r = engine(500.0, 0.0, moment, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, *_args(**soft))
        assert r[0] == (mech.ANGLE_LIMITS_DEG["flexion"] if moment > 0 else -mech.ANGLE_LIMITS_DEG["extension"])
        assert r[10] == 1.0
    assert mech._segment_equilibrium(500.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, *_args())[10] == 0.0


@given(configurations(n=4), st.floats(0.0, 6000.0), st.floats(-40.0, 40.0))
def test_disc_margins_never_reach_zero_height(batch, force, moment):
    """Bottoming: the anterior margin and the posterior margin at each foramen keep a positive height,
    soft tissue and strong lateral bending included."""
    _, rows = packed_rows(batch)
    for v in rows:
        v = {**v, "tissue.disc_axial_toe_stiffness_n_per_mm": 50.0, "tissue.disc_axial_stiffening_per_mm": 0.1}
        for imposed, lat_moment in ((0.0, moment), (1.0, 0.0)):  # load case; imposed lateral bend of 10 deg
            a, lat, _, w, *_ = mech._segment_equilibrium(force, 0.0, moment, lat_moment, 0.0, imposed, 5.0, 10.0, 0.0,
                                                         *_solve_args(v))
            s = math.sin(math.radians(a))
            hl, cor = v["pathology.disc_height_loss_mm"], v["tissue.cor_anterior_offset_mm"]
            for sign in (-1.0, 1.0):
                closure = mech.local_disc_closure_mm(w, a, lat, sign, cor, v["anatomy.foramen_lateral_offset_mm"])
                assert v["anatomy.disc_height_posterior_mm"] - hl - closure > 0.0
            assert v["anatomy.disc_height_anterior_mm"] - hl - (w + (v["anatomy.disc_depth_mm"] - cor) * s) > 0.0


def test_pure_moment_ranges_are_the_calibration():
    t = {k.split(".", 1)[1]: x for k, x in prm.defaults().items() if k.startswith("tissue.")}
    flex, ext = mech.range_of_motion_deg(t)
    assert flex == pytest.approx(8.9, abs=1e-4) and ext == pytest.approx(-5.8, abs=1e-4)
