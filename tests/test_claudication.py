"""Claudication model (sim.claudication): twins, closed forms, and the properties of issue 15."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import sim
from sim import claudication as clm
from sim import params as prm
from sim.referral import (
    P_HALF_PRESSURE_MMHG,
    P_HILL_EXPONENT,
    PAIN_MAX,
    pack_coefficients,
    pain_fraction,
    pain_reference,
    referral_params,
)
from sim.units import MMHG_PER_KPA

COEF = referral_params()  # the [referral] parameters the claudication reference reads
STRUCT = pack_coefficients()  # the referral structure vector the twins also read
DEFAULT = [prm.defaults()[k] for k in clm.KEYS]
HILL = float(COEF[P_HILL_EXPONENT])  # the recruitment exponent of the deficit (stage 5's dose-response)

kpa = st.floats(0.0, 300.0, allow_nan=False)
pct = st.floats(0.0, 95.0, allow_nan=False)


@st.composite
def claud_params(draw):
    """The six claudication parameters anywhere in their allowed ranges (onset below stop)."""
    values = [draw(st.floats(prm.get_spec(k).min, prm.get_spec(k).max, allow_nan=False)) for k in clm.KEYS]
    assume(values[clm.ONSET] < values[clm.STOP])
    return values


@given(kpa, pct, kpa, pct, kpa, pct, claud_params(), st.sampled_from(["onset", "stop"]))
def test_time_to_pain_twin_matches_reference(p4, d4, pg, dg, p5, d5, claud, which):
    level = claud[clm.ONSET] if which == "onset" else claud[clm.STOP]
    want = clm.time_to_pain_min(p4, d4, pg, dg, p5, d5, COEF, claud, level)
    s4, s5, q4, q5 = clm._root_targets(p4, d4, pg, dg, p5, d5, COEF, STRUCT)
    got = clm._time_to_pain_min(s4, s5, q4, q5, np.array(claud), level, HILL)
    if math.isinf(want):
        assert math.isinf(got)
    else:
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


@given(kpa, pct, kpa, pct, kpa, pct)
def test_root_targets_twin_matches_reference(p4, d4, pg, dg, p5, d5):
    want = clm.root_targets(p4, d4, pg, dg, p5, d5, COEF)
    got = clm._root_targets(p4, d4, pg, dg, p5, d5, COEF, STRUCT)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_closed_form_onset_matches_equation_2():
    # 80 mmHg on L5 alone: s = 80 / p_half; tau = tau_ref (P_ref - P_v) / (P - P_v);
    # t = tau ln(s / (s - z_L)) with h(z_L) = L / 10
    p_kpa = 80.0 / MMHG_PER_KPA
    s = 80.0 / COEF[P_HALF_PRESSURE_MMHG]
    stasis, ref, tau_ref = DEFAULT[clm.STASIS], DEFAULT[clm.REFERENCE], DEFAULT[clm.TAU_ON]
    tau = tau_ref * (ref - stasis) / (p_kpa * MMHG_PER_KPA - stasis)
    z_l = clm.level_stimulus(DEFAULT[clm.ONSET], HILL)
    assert pain_fraction(z_l, HILL) == pytest.approx(DEFAULT[clm.ONSET] / PAIN_MAX, rel=1e-12)
    want = tau * math.log(s / (s - z_l))
    got = clm.time_to_pain_min(0.0, 0.0, 0.0, 0.0, p_kpa, 0.0, COEF, DEFAULT, DEFAULT[clm.ONSET])
    assert got == pytest.approx(want, rel=1e-6)


def test_held_posture_ends_at_its_static_pain():
    """After a long hold the region pains are exactly stage 5's static pains (equation 4 with F)."""
    comp = (0.0, 0.0, 6.0, 20.0, 12.0, 30.0)
    tgt = clm.root_targets(*comp, COEF)
    run = clm.run_schedule([tgt], [600.0], DEFAULT, HILL, step_min=600.0)
    pains = clm.region_pains(run["deficit"][-1, 0], run["deficit"][-1, 1], COEF)[0]
    assert pains == pytest.approx(pain_reference(*comp, params=COEF)[0, :9], rel=1e-9)


def test_schedule_onset_equals_kernel_output_of_the_posture():
    """One activity from rest: run_schedule and the per-record kernel output give the same onset."""
    scenario = sim.load_scenario("configs/scenarios/central_stenosis.toml")
    rec = sim.simulate(scenario, postures=["walking"]).iloc[0]
    out = sim.timeline(scenario, [("walking", 30)])
    assert out["time_to_first_symptoms_min"] == pytest.approx(rec["time_to_symptoms_min"], rel=1e-9)
    assert out["time_to_stop_min"] == pytest.approx(rec["time_to_stop_min"], rel=1e-9)


# ------------------------------------------------------------------ properties of issue 15
@given(kpa, pct, kpa, pct, kpa, pct, st.floats(0.0, 100.0), st.floats(0.0, 50.0), claud_params())
def test_more_compression_never_gives_later_onset(p4, d4, pg, dg, p5, d5, extra_kpa, extra_pct, claud):
    less = clm.time_to_pain_min(p4, d4, pg, dg, p5, d5, COEF, claud, claud[clm.ONSET])
    more = clm.time_to_pain_min(p4 + extra_kpa, min(d4 + extra_pct, 95.0), pg + extra_kpa, min(dg + extra_pct, 95.0),
                                p5 + extra_kpa, min(d5 + extra_pct, 95.0), COEF, claud, claud[clm.ONSET])
    assert more <= less * (1.0 + 1e-12)


@given(st.floats(0.0, 4.0), st.floats(0.0, 4.0))
def test_more_stenosis_never_gives_later_onset_in_the_pipeline(a_mm, b_mm):
    lo, hi = sorted((a_mm, b_mm))
    base = dict(sim.load_scenario("configs/scenarios/central_stenosis.toml").values)
    r = sim.evaluate({**base, "pathology.ligamentum_flavum_hypertrophy_mm": np.array([lo, hi]),
                      "posture": "walking", "side": "left"})
    assume(r["l5_pressure_kpa"][1] >= r["l5_pressure_kpa"][0] and r["l4_pressure_kpa"][1] >= r["l4_pressure_kpa"][0]
           and r["l4_drg_pressure_kpa"][1] >= r["l4_drg_pressure_kpa"][0])
    assert r["time_to_symptoms_min"][1] <= r["time_to_symptoms_min"][0] * (1.0 + 1e-12)


targets = st.tuples(st.floats(0.0, 5.0), st.floats(0.0, 5.0), st.floats(0.0, 400.0), st.floats(0.0, 400.0))


@given(targets, targets, st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.5, 60.0), claud_params())
def test_sitting_after_walking_never_slows_recovery(walk, stand, share_f, share_p, minutes, claud):
    """Sitting (no more compression than standing, root by root) recovers no later than standing."""
    sit = (stand[0] * share_f, stand[1] * share_f, stand[2] * share_p, stand[3] * share_p)
    after_sit = clm.run_schedule([walk, sit], [minutes, 5.0], claud, HILL)["recovery_min"]
    after_stand = clm.run_schedule([walk, stand], [minutes, 5.0], claud, HILL)["recovery_min"]
    assert after_sit <= after_stand * (1.0 + 1e-12) + 1e-12


@pytest.mark.parametrize("name", ["central_stenosis", "spondylolisthesis_grade1", "degenerated_disc",
                                  "combined_degenerative", "subarticular_herniation_right"])
def test_sitting_recovers_no_later_than_standing_in_stenotic_scenarios(name):
    path = f"configs/scenarios/{name}.toml"
    sit = sim.timeline(path, [("walking", 20), ("sitting", 5)])["recovery_min"]
    stand = sim.timeline(path, [("walking", 20), ("standing", 5)])["recovery_min"]
    assert stand is None or (sit is not None and sit <= stand)


@given(claud_params(), st.floats(0.0, 95.0))
def test_zero_compression_never_gives_symptoms(claud, minutes):
    assert math.isinf(clm.time_to_pain_min(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, COEF, claud, claud[clm.ONSET]))
    run = clm.run_schedule([clm.root_targets(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, COEF)], [minutes + 1.0], claud, HILL)
    assert math.isinf(run["onset_min"]) and run["recovery_min"] == 0.0 and np.all(run["deficit"] == 0.0)


def test_healthy_scenario_has_no_symptoms_in_any_activity():
    for activity in ("standing", "walking", "walking_forward_leaning", "walking_loaded", "sitting", "supine"):
        out = sim.timeline("configs/scenarios/healthy.toml", [(activity, 30)])
        assert out["time_to_first_symptoms_min"] is None and out["time_to_stop_min"] is None
        assert max(max(r[k] for k in r if k.startswith("pain_")) for r in out["records"]) == 0.0


def test_below_venular_stasis_nothing_builds():
    p = 0.9 * DEFAULT[clm.STASIS] / MMHG_PER_KPA  # kPa, just below stasis
    assert math.isinf(clm.time_to_pain_min(p, 0.0, p, 0.0, p, 0.0, COEF, DEFAULT, 0.01))


def test_sweep_outputs_time_to_symptoms_per_configuration():
    from sim.sweep import sweep

    ds = sweep(scenario="configs/scenarios/central_stenosis.toml", postures=["walking", "sitting"],
               grid={"pathology.ligamentum_flavum_hypertrophy_mm": [0.0, 1.5, 3.0]},
               outputs=["time_to_symptoms_min", "l5_pressure_kpa"], chunk_configs=4)
    assert ds["time_to_symptoms_min"].attrs["units"] == "min"
    for h in (0.0, 1.5, 3.0):
        rec = sim.evaluate({**sim.load_scenario("configs/scenarios/central_stenosis.toml").values,
                            "pathology.ligamentum_flavum_hypertrophy_mm": h, "posture": "walking", "side": "left"})
        got = float(ds["time_to_symptoms_min"].sel({"pathology.ligamentum_flavum_hypertrophy_mm": h,
                                                     "posture": "walking", "side": "left"}))
        assert got == float(rec["time_to_symptoms_min"][0])
    walking = ds["time_to_symptoms_min"].sel(posture="walking", side="left").to_numpy()
    assert np.all(np.diff(walking) <= 0.0)  # more stenosis, earlier symptoms


@given(kpa, pct, kpa, pct, kpa, pct, claud_params())
def test_time_to_recover_twin_matches_reference(p4, d4, pg, dg, p5, d5, claud):
    want = clm.time_to_recover_min(p4, d4, pg, dg, p5, d5, COEF, claud)
    got = clm._time_to_recover_min(*clm._root_targets(p4, d4, pg, dg, p5, d5, COEF, STRUCT), np.array(claud), HILL)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_time_to_recover_matches_a_schedule_held_to_steady_state_then_supine_unloaded():
    comp = (0.0, 0.0, 6.0, 20.0, 12.0, 30.0)
    run = clm.run_schedule([clm.root_targets(*comp, COEF), clm.root_targets(0, 0, 0, 0, 0, 0, COEF)],
                           [2000.0, 60.0], DEFAULT, HILL)
    assert clm.time_to_recover_min(*comp, COEF, DEFAULT) == pytest.approx(run["recovery_min"], rel=1e-6)


# ------------------------------------------------------------------ the recruitment (sigmoid) of the deficit
def test_pain_rises_as_a_sigmoid_in_time():
    """Held from rest, a root's pain starts flat (no slope at t = 0), steepens, then saturates at its static
    pain: an inflection, where a pain read linearly from a first-order deficit would be steepest at t = 0."""
    comp = (0.0, 0.0, 0.0, 0.0, 100.0 / MMHG_PER_KPA, 0.0)  # 100 mmHg on L5
    run = clm.run_schedule([clm.root_targets(*comp, COEF)], [60.0], DEFAULT, HILL, step_min=0.05)
    pain = PAIN_MAX * pain_fraction(run["deficit"][:, 1], HILL)
    slope = np.diff(pain)
    assert slope[0] < 0.1 * slope.max()  # flat start
    peak = int(np.argmax(slope))
    assert 0 < peak < len(slope) - 1 and slope[-1] < 0.1 * slope.max()
    target = clm.root_targets(*comp, COEF)[1]
    assert pain[-1] == pytest.approx(PAIN_MAX * pain_fraction(target, HILL), rel=1e-6)  # its static root pain


@given(kpa, pct, kpa, pct, st.floats(0.1, 8.0))
def test_l4_joined_stimulus_is_stage_5_root_drive(p4, d4, pg, dg, hill):
    """h(s_L4) equals stage 5's OR of root and ganglion, for any recruitment exponent."""
    c = COEF.copy()
    c[P_HILL_EXPONENT] = hill
    s4 = clm.root_targets(p4, d4, pg, dg, 0.0, 0.0, c)[0]
    from sim import referral as rfl
    scale = dict(half_pain_pressure_mmhg=c[rfl.P_HALF_PRESSURE_MMHG],
                 half_pain_deformation_pct=c[rfl.P_HALF_DEFORMATION_PCT], smooth_max_order=c[rfl.P_SMOOTH_MAX_ORDER])
    f_root = pain_fraction(rfl.compression_stimulus(p4, d4, **scale), hill)
    f_drg = pain_fraction(c[rfl.P_DRG_GAIN] * rfl.compression_stimulus(pg, dg, **scale), hill)
    assert pain_fraction(s4, hill) == pytest.approx(float(rfl.root_drive(f_root, f_drg)), rel=1e-9, abs=1e-12)


def test_stop_over_onset_ratio_is_that_of_the_recruitment():
    """Closed form: t_stop / t_onset = ln(T / (T - z_7)) / ln(T / (T - z_2)), from rest at one pressure."""
    comp = (0.0, 0.0, 0.0, 0.0, 100.0 / MMHG_PER_KPA, 0.0)
    t = clm.root_targets(*comp, COEF)[1]
    z2, z7 = clm.level_stimulus(DEFAULT[clm.ONSET], HILL), clm.level_stimulus(DEFAULT[clm.STOP], HILL)
    onset = clm.time_to_pain_min(*comp, COEF, DEFAULT, DEFAULT[clm.ONSET])
    stop = clm.time_to_pain_min(*comp, COEF, DEFAULT, DEFAULT[clm.STOP])
    assert stop / onset == pytest.approx(math.log(t / (t - z7)) / math.log(t / (t - z2)), rel=1e-12)
