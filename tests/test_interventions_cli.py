"""Named interventions: scenario table, --intervention, sim compare, sim.compare, bad input."""

import json
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli import main

SCENARIO = "configs/scenarios/central_stenosis.toml"
HERNIATION = "configs/scenarios/foraminal_herniation_left.toml"


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, needle", [
    (["--intervention", "bogus"], "bogus"),
    (["--intervention", "interbody_fusion:cage_height_mm=30"], "allowed range 6 to 18 mm"),
    (["--intervention", "laminotomy:side=up"], "left, right, both"),
    (["--intervention", "laminotomy:depth=3"], "unknown key 'depth'"),
    (["--intervention", "discectomy"], "no herniation"),
    (["--intervention", "interbody_fusion", "--intervention", "interbody_fusion:cage_height_mm=12"], "twice"),
    (["--intervention", "interbody_fusion", "--intervention", "interspinous_spacer"], "fused segment"),
    (["--intervention", "interbody_fusion:cage_height_mm=6,lordosis_deg=20,position=0.9"], "posterior disc height"),
])
@pytest.mark.parametrize("command", ["run", "compare"])
def test_bad_intervention_is_one_line_exit_2(capsys, command, argv, needle):
    code, out, err = _run(capsys, command, SCENARIO, *argv)
    assert code == 2
    assert out == ""
    assert needle in err and err.count("\n") == 1


def test_compare_json_has_both_stages_and_after_equals_run(capsys):
    argv = ["--intervention", "laminotomy", "--intervention", "interspinous_spacer:height_mm=10",
            "--posture", "standing", "--posture", "extension", "--format", "json"]
    code, out, _ = _run(capsys, "compare", SCENARIO, *argv)
    assert code == 0
    rows = json.loads(out)
    assert [r["stage"] for r in rows] == ["before"] * 4 + ["after"] * 4
    code, run_out, _ = _run(capsys, "run", SCENARIO, *argv)
    after = [{k: v for k, v in r.items() if k != "stage"} for r in rows[4:]]
    assert after == json.loads(run_out)
    code, plain_out, _ = _run(capsys, "run", SCENARIO, "--posture", "standing", "--posture", "extension",
                              "--format", "json")
    before = [{k: v for k, v in r.items() if k != "stage"} for r in rows[:4]]
    assert before == json.loads(plain_out)


def test_compare_table_names_every_quantity(capsys):
    code, out, _ = _run(capsys, "compare", SCENARIO, "--intervention", "laminotomy:side=left", "--posture",
                        "extension")
    assert code == 0
    for q in ("foraminal_area_mm2", "lateral_recess_depth_mm", "l5_grade", "pain_lateral_leg"):
        assert q in out
    assert "->" in out


def test_compare_without_intervention_is_refused(capsys):
    code, out, err = _run(capsys, "compare", SCENARIO)
    assert code == 2 and out == "" and "no intervention" in err


def test_scenario_table_equals_command_line(tmp_path):
    text = Path(SCENARIO).read_text() + '\n[interventions]\nlaminotomy = { side = "right" }\nposture_advice = {}\n'
    path = tmp_path / "s.toml"
    path.write_text(text)
    from_file = sim.load_scenario(path)
    from_cli = sim.load_scenario(SCENARIO, interventions=["posture_advice", "laminotomy:side=right"])
    assert from_file.values == from_cli.values
    assert from_file.values["intervention.flavectomy_right_fraction"] == 1.0
    assert from_file.values["intervention.flavectomy_left_fraction"] == 0.0
    assert from_file.values["intervention.flexion_bias_deg"] == 4.0


def test_set_wins_over_named_defaults():
    s = sim.load_scenario(SCENARIO, ["intervention.cage_subsidence_mm=2"], ["interbody_fusion"])
    assert s.values["intervention.cage_subsidence_mm"] == 2.0
    assert s.values["intervention.cage_height_mm"] == 11.0


def test_order_given_does_not_matter():
    a = sim.load_scenario(HERNIATION, interventions=["discectomy:term=long", "foraminotomy:side=left"])
    b = sim.load_scenario(HERNIATION, interventions=["foraminotomy:side=left", "discectomy:term=long"])
    assert a.values == b.values


def test_api_compare_table():
    s = sim.load_scenario(HERNIATION, interventions=["discectomy"])
    frame = sim.compare(s, postures=["standing"])
    assert list(frame["stage"]) == ["before", "before", "after", "after"]
    left = frame[frame.side == "left"].set_index("stage")
    assert left.loc["after", "foraminal_area_mm2"] > left.loc["before", "foraminal_area_mm2"]
    assert np.isfinite(frame["l4_pressure_kpa"]).all()


def test_before_after_figure_overlays_both_stages():
    from sim.plots.intervention_figures import before_after_figure

    s = sim.load_scenario("configs/scenarios/central_stenosis_laminotomy.toml")
    frame = sim.compare(s, postures=["extension"])
    fig = before_after_figure(s, frame, "extension")
    outline_axes = fig.axes[:2]
    assert all(len(ax.collections) == 2 for ax in outline_axes)  # before and after outlines
    bars = fig.axes[2].patches
    assert len(bars) == 12  # three roots x two sides x two stages
    heights = [b.get_height() for b in bars]
    assert max(heights[:6]) > 0.0 and max(heights[6:]) == 0.0  # L5 squeezed before, free after
