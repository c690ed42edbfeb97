"""``sim timeline``: formats, every shipped scenario, and one-line errors (exit 2, nothing on stdout)."""

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.referral import PAIN_OUTPUTS

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "configs" / "scenarios").glob("*.toml"))
STENOSIS = ROOT / "configs" / "scenarios" / "central_stenosis.toml"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_gives_one_json_object(path, capsys):
    code, out, err = run(capsys, "timeline", path, "--activity", "walking", "--minutes", "3", "--then", "sitting",
                         "--minutes", "2", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert isinstance(data, dict)
    assert {"time_to_first_symptoms_min", "time_to_stop_min", "recovery_min", "records"} <= set(data)
    assert [r["minute"] for r in data["records"]] == [float(m) for m in range(6) for _ in ("left", "right")]
    assert [r["activity"] for r in data["records"][::2]] == ["walking"] * 3 + ["sitting"] * 3
    for r in data["records"]:
        assert r["side"] in ("left", "right") and all(0.0 <= r[p] <= 10.0 for p in PAIN_OUTPUTS)


def test_stenosis_walking_then_sitting_builds_then_recovers(capsys):
    code, out, _ = run(capsys, "timeline", STENOSIS, "--activity", "walking", "--minutes", "20", "--then",
                       "sitting", "--minutes", "5", "--format", "json")
    data = json.loads(out)
    assert code == 0
    onset, stop, rec = data["time_to_first_symptoms_min"], data["time_to_stop_min"], data["recovery_min"]
    assert 0.0 < onset < stop < 20.0 and 0.0 < rec
    leg = [r["pain_lateral_leg"] for r in data["records"] if r["side"] == "left"]
    assert leg[0] == 0.0 and max(leg[:21]) == leg[20] and leg[-1] < leg[20]


def test_table_is_the_default(capsys):
    code, out, err = run(capsys, "timeline", STENOSIS, "--activity", "standing", "--minutes", "2")
    assert code == 0 and err == ""
    assert "time to first symptoms" in out and "recovery" in out and "lateral_leg" in out


@pytest.mark.parametrize("argv, words", [
    (["--activity", "jogging", "--minutes", "5"], ["activity", "jogging", "walking"]),
    (["--activity", "walking", "--minutes", "-5"], ["minutes", "-5", "1440"]),
    (["--activity", "walking", "--minutes", "ten"], ["minutes", "ten", "1440"]),
    (["--activity", "walking", "--minutes", "0"], ["minutes", "0", "1440"]),
    (["--minutes", "5"], ["--minutes", "5", "walking"]),
    (["--activity", "walking"], ["--minutes", "walking", "1440"]),
    (["--activity", "walking", "--minutes", "3", "--then", "sitting"], ["--minutes", "sitting", "1440"]),
    (["--then", "sitting", "--minutes", "3"], ["--then", "sitting", "--activity"]),
    ([], ["--activity", "walking"]),
])
def test_bad_input_is_one_line_and_exit_2(argv, words, capsys):
    code, out, err = run(capsys, "timeline", STENOSIS, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and all(w in err for w in words), err


def test_api_rejects_bad_schedules():
    import sim

    for schedule in ([("walking", -1)], [("flying", 2)], [], [("walking", float("inf"))]):
        with pytest.raises(sim.SimInputError):
            sim.timeline(STENOSIS, schedule)


def test_timeline_figure_draws_coinciding_regions_as_one_labelled_line():
    """Regions fed alike by one root have equal curves: one line names them all, so none hides under another."""
    import numpy as np

    from sim.plots.timeline_figure import _distinct_curves

    t = np.linspace(0.0, 1.0, 5)[:, None]
    pains = np.hstack([t * 5, t * 3, t * 5 + 0.005, np.zeros_like(t), t * 3])
    assert _distinct_curves(pains) == [[0, 2], [1, 4]]
