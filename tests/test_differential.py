"""The spine-versus-hip differential: the hip source, the manoeuvres, the blocks, the command."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import diagnosis as dx
from sim import hip
from sim import params as prm
from sim.cli import main
from sim.referral import PAIN_OUTPUTS, REGIONS, referral_params

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "configs" / "scenarios").glob("*.toml"))
SCN = ROOT / "configs" / "scenarios"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------- hip source --
def test_hip_map_reproduces_the_injection_confirmed_shares():
    """Each region's share is its Lesher 2008 area (buttock 71 %, groin 55 %, ...); the buttock leads."""
    shares = dict(zip(REGIONS, hip.region_shares()))
    assert shares["buttock"] == pytest.approx(0.71) and shares["groin"] == pytest.approx(0.55)
    assert shares["anterior_thigh"] == pytest.approx(0.27) and shares["posterior_thigh"] == pytest.approx(0.24)
    assert max(shares, key=shares.get) == "buttock"
    below_knee = shares["medial_knee_leg"] + shares["lateral_leg"] + shares["dorsum_foot"]
    assert below_knee == pytest.approx(0.22 + 0.02)  # leg 16 + foot 6 + knee 2


def test_hip_pain_follows_weight_bearing_and_rotation_not_spinal_posture():
    v = {**prm.defaults(), "hip.severity": 0.8, "hip.side": "right"}
    peak = {m: float(hip.hip_pain(v, "right", m).max()) for m in ("supine", "sitting", "standing",
                                                                   "hip_external_rotation_loaded",
                                                                   "hip_internal_rotation_loaded")}
    assert list(peak.values()) == sorted(peak.values())
    assert peak["hip_internal_rotation_loaded"] == pytest.approx(10 * 0.8 * v["hip.max_pain"] / 10)
    assert float(hip.hip_pain(v, "left", "hip_internal_rotation_loaded").max()) == 0.0  # the other hip


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(hip.hip_data()["provocation"])), st.sampled_from(("left", "right", "both")),
       st.floats(0.0, 10.0), st.floats(0.0, 1.0), st.sampled_from(("left", "right")))
def test_hip_severity_zero_gives_no_hip_pain(manoeuvre, hip_side, max_pain, rest, side):
    v = {**prm.defaults(), "hip.severity": 0.0, "hip.side": hip_side, "hip.max_pain": max_pain,
         "hip.rest_fraction": rest}
    assert not hip.hip_pain(v, side, manoeuvre).any()


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_hip_drive_is_monotone_in_severity_and_provocation(a, b, p):
    lo, hi = sorted((a, b))
    assert hip.hip_drive(lo, p) <= hip.hip_drive(hi, p)
    assert hip.hip_drive(hi, lo) <= hip.hip_drive(hi, max(lo, b))


@pytest.mark.parametrize("key", [k for k in prm.numeric_keys() if k.startswith("hip.")] + ["hip.side"])
def test_every_hip_parameter_changes_the_hip_pain(key):
    """The hip parameters are not read by the kernels; each must change the differential's hip pain."""
    base = {**prm.defaults(), "hip.severity": 0.5, "hip.side": "right"}
    spec = prm.get_spec(key)
    other = [c for c in spec.choices if c != base[key]][0] if spec.categorical else \
        (spec.max if base[key] != spec.max else spec.min)
    for m in ("supine", "hip_internal_rotation_loaded"):
        changed = {**base, key: other}
        if any(not np.array_equal(hip.hip_pain(base, s, m), hip.hip_pain(changed, s, m)) for s in ("left", "right")):
            return
    pytest.fail(f"{key} changes no hip pain")


# ---------------------------------------------------------- root tension --
def test_tension_provokes_a_compressed_root_and_spares_a_free_one():
    coef = referral_params()
    free = dict(l4_pressure_kpa=0.0, l4_deformation_pct=0.0, l4_drg_pressure_kpa=0.0, l4_drg_deformation_pct=0.0,
                l5_pressure_kpa=0.0, l5_deformation_pct=0.0)
    assert dx.root_drives(free, coef, 5.0, 5.0) == (0.0, 0.0)
    pressed = {**free, "l5_pressure_kpa": 4.0, "l5_deformation_pct": 10.0}
    drives = [dx.root_drives(pressed, coef, 0.0, g)[1] for g in (0.0, 0.5, 1.0)]
    assert drives[0] > 0 and drives == sorted(drives) and drives[2] > drives[0]


def test_root_pains_combine_to_the_records_pain_columns():
    """The per-root split of the differential adds up (as independent causes) to the records' pain_*."""
    scenario = sim.load_scenario(SCN / "combined_degenerative.toml")
    frame = sim.simulate(scenario, postures=["standing", "extension"])
    coef = referral_params()
    for rec in frame.to_dict("records"):
        pains = dx.source_pains(rec, scenario.values, rec["side"], "standing", coef)
        roots = dx.combine([pains["l4_root"], pains["l5_root"]])
        np.testing.assert_allclose(roots, [rec[c] for c in PAIN_OUTPUTS], rtol=1e-9, atol=1e-12)


def test_hip_section_leaves_the_records_bit_identical():
    with_hip = sim.simulate(sim.load_scenario(SCN / "stenosis_plus_hip.toml"), postures=["standing", "sitting"])
    without = sim.simulate(sim.load_scenario(SCN / "central_stenosis.toml"), postures=["standing", "sitting"])
    assert with_hip.equals(without)


# ---------------------------------------------------------------- blocks --
pain9 = st.lists(st.floats(0.0, 10.0), min_size=9, max_size=9).map(np.array)
zero9 = st.just(np.zeros(9))


def _profile(draw_l4, draw_l5, draw_hip):
    return st.lists(st.fixed_dictionaries({"l4_root": draw_l4, "l5_root": draw_l5, "hip_joint": draw_hip}),
                    min_size=1, max_size=5).map(lambda ps: {f"m{i}": p for i, p in enumerate(ps)})


@settings(max_examples=40, deadline=None)
@given(_profile(pain9, pain9, zero9), st.floats(0.0, 1.0))
def test_a_hip_block_never_relieves_pain_that_comes_only_from_a_root(profile, efficacy):
    assert dx.block_relief(profile, "hip_joint", efficacy)["relief_pct"] == 0.0


@settings(max_examples=40, deadline=None)
@given(_profile(zero9, zero9, pain9), st.floats(0.0, 1.0), st.sampled_from(("l4_root", "l5_root")))
def test_a_root_block_never_relieves_pain_that_comes_only_from_the_hip(profile, efficacy, block):
    assert dx.block_relief(profile, block, efficacy)["relief_pct"] == 0.0


@settings(max_examples=40, deadline=None)
@given(_profile(pain9, pain9, pain9), st.floats(0.0, 1.0), st.sampled_from(dx.BLOCKS))
def test_block_relief_is_between_zero_and_the_efficacy(profile, efficacy, block):
    relief = dx.block_relief(profile, block, efficacy)["relief_pct"]
    assert -1e-9 <= relief <= 100.0 * efficacy + 1e-9


@settings(max_examples=6, deadline=None)
@given(st.floats(0.0, 1.0), st.sampled_from(("subarticular", "foraminal")), st.floats(0.0, 3.0))
def test_blocks_on_the_model_keep_to_their_source(severity, zone, size):
    """Whole chain: a spine-only scenario's hip block and a hip-only scenario's root blocks relieve nothing."""
    spine = sim.load_scenario(SCN / "healthy.toml", {"pathology.herniation_zone": zone,
                                                     "pathology.herniation_size_mm": size})
    blocks = sim.differential(spine, tests=["standing", "extension_bend"])["blocks"]
    relief = {b["block"]: b["relief_pct"] for b in blocks}
    assert relief["hip_joint"] == 0.0
    hip_only = sim.load_scenario(SCN / "healthy.toml", {"hip.severity": severity})
    relief = {b["block"]: b["relief_pct"] for b in sim.differential(hip_only, tests=["standing"])["blocks"]}
    assert relief["l4_root"] == 0.0 and relief["l5_root"] == 0.0


# ------------------------------------------------------- likely source --
@pytest.mark.parametrize("name, verdict", [("hip_osteoarthritis_right", "hip_joint"), ("healthy", "none"),
                                           ("foraminal_herniation_left", "l4_root"),
                                           ("subarticular_herniation_right", "l5_root")])
def test_likely_source_of_single_source_scenarios(name, verdict):
    assert sim.differential(SCN / f"{name}.toml")["likely_source"] == verdict


def test_two_sources_are_both_named():
    d = sim.differential(SCN / "stenosis_plus_hip.toml")
    assert d["side"] == "right"
    assert {"hip_joint", "l5_root"} <= set(d["contributing_sources"])
    assert any("hip joint" in r for r in d["reasons"])


def test_hip_rotation_provokes_the_hip_not_the_roots():
    d = sim.differential(SCN / "stenosis_plus_hip.toml", tests=["hip_internal_rotation_loaded"])
    assert d["tests"][0]["provokes"] == ["hip_joint"]


# ------------------------------------------------------------- command --
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_differential_runs_on_every_shipped_scenario(capsys, path):
    code, out, err = run(capsys, "differential", path, "--format", "json")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert [b["block"] for b in d["blocks"]] == list(dx.BLOCKS)
    for b in d["blocks"]:
        assert 0.0 <= b["relief_pct"] <= 100.0 and b["positive"] == (b["relief_pct"] >= 50.0)
    assert d["likely_source"] in dx.VERDICTS
    assert [t["test"] for t in d["tests"]] == list(dx.manoeuvres(sim.load_scenario(path)))


def test_run_table_points_a_hip_scenario_to_the_differential(capsys):
    code, out, _ = run(capsys, "run", SCN / "hip_osteoarthritis_right.toml", "--posture", "standing")
    assert code == 0 and "sim differential" in out
    code, out, _ = run(capsys, "run", SCN / "central_stenosis.toml", "--posture", "standing")
    assert code == 0 and "sim differential" not in out


def test_table_format_states_the_likely_source(capsys):
    code, out, _ = run(capsys, "differential", SCN / "hip_osteoarthritis_right.toml", "--test", "standing",
                       "--test", "hip_internal_rotation_loaded")
    assert code == 0 and "likely source: hip joint" in out and "POSITIVE" in out


@pytest.mark.parametrize("argv, words", [
    (["--test", "cartwheel"], ["cartwheel", "allowed", "straight_leg_raise"]),
    (["--test", "standing", "--test", "standing"], ["standing", "twice"]),
    (["--set", "hip.severity=1.5"], ["hip.severity", "1.5", "0 to 1"]),
    (["--set", "hip.severity=-0.1"], ["hip.severity", "-0.1", "0 to 1"]),
    (["--set", "hip.side=middle"], ["hip.side", "middle", "'left', 'right', 'both'"]),
    (["--set", "hip.sevrity=0.5"], ["hip.sevrity", "0.5", "hip.severity (0 to 1)"]),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, "differential", SCN / "hip_osteoarthritis_right.toml", *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    for w in words:
        assert w in err


def test_unknown_hip_key_in_a_file(capsys, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[hip]\nseverity = 0.5\nrotation = 3\n")
    code, out, err = run(capsys, "differential", path)
    assert code == 2 and out == "" and "hip.rotation" in err and "3" in err and "hip.side" in err
