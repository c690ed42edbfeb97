"""The command line: output formats and one-line errors with exit code 2 and nothing on stdout."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.records import RECORD_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "configs" / "scenarios" / "foraminal_herniation_left.toml"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_every_record_column_for_all_postures_and_sides(capsys):
    code, out, err = run(capsys, "run", SCENARIO, "--format", "json")
    assert code == 0 and err == ""
    records = json.loads(out)
    assert len(records) == 22  # ten built-in postures and the scenario's own Kemp posture, both sides
    assert {(r["posture"], r["side"]) for r in records} >= {("standing", "left"), ("lifting", "right"),
                                                             ("extension_bend_left", "left")}
    for r in records:
        assert set(RECORD_COLUMNS) <= set(r)


def test_posture_and_set_repeatable(capsys):
    code, out, _ = run(capsys, "run", SCENARIO, "--format", "json", "--posture", "standing", "--posture", "flexion",
                       "--set", "pathology.herniation_size_mm=2.0", "--set", "anatomy.body_mass_kg=80")
    records = json.loads(out)
    assert code == 0 and [r["posture"] for r in records] == ["standing", "standing", "flexion", "flexion"]


def test_csv_and_table(capsys):
    code, out, _ = run(capsys, "run", SCENARIO, "--format", "csv", "--posture", "standing")
    assert code == 0 and out.splitlines()[0].startswith("posture,side,segment_angle_deg")
    code, out, _ = run(capsys, "run", SCENARIO, "--posture", "standing")
    assert code == 0 and "not a diagnostic device" in out


BAD = [
    (["--set", "pathology.slp_mm=3"], "pathology.slp_mm"),
    (["--set", "pathology.slip_mm=abc"], "pathology.slip_mm"),
    (["--set", "anatomy.foraminal_height_mm=-5"], "anatomy.foraminal_height_mm = -5"),
    (["--set", "pathology.slip_mm=40"], "endplate"),
    (["--set", "pathology.herniation_zone=lateral"], "pathology.herniation_zone"),
    (["--set", "pathology.herniation_size_mm=12"], "herniation_size_mm = 12"),
    (["--set", "pathology.disc_height_loss_mm=8.5"], "pathology.disc_height_loss_mm"),
    (["--posture", "sittin"], "sittin"),
    (["--set", "nonsense"], "section.key=value"),
    (["--format", "xml"], "xml"),
]


@pytest.mark.parametrize("extra,needle", BAD)
def test_bad_input_one_line_exit_2_nothing_on_stdout(capsys, extra, needle):
    code, out, err = run(capsys, "run", SCENARIO, *extra)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err
    assert "Traceback" not in err


def test_bad_files(capsys, tmp_path):
    missing = tmp_path / "nope.toml"
    code, out, err = run(capsys, "run", missing)
    assert code == 2 and out == "" and "does not exist" in err
    broken = tmp_path / "broken.toml"
    broken.write_text("[anatomy\nfoo = ")
    code, out, err = run(capsys, "run", broken)
    assert code == 2 and out == "" and "not valid TOML" in err and len(err.splitlines()) == 1
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[anatomy]\nforaminal_hieght_mm = 18\n")
    code, out, err = run(capsys, "run", wrong)
    assert code == 2 and "did you mean anatomy.foraminal_height_mm" in err
    typed = tmp_path / "typed.toml"
    typed.write_text("[anatomy]\nforaminal_height_mm = \"tall\"\n")
    code, out, err = run(capsys, "run", typed)
    assert code == 2 and "must be a number" in err and "8 to 30 mm" in err
    section = tmp_path / "section.toml"
    section.write_text("[anatomyy]\nx = 1\n")
    code, out, err = run(capsys, "run", section)
    assert code == 2 and "unknown section [anatomyy]" in err


def test_custom_posture_in_scenario(capsys, tmp_path):
    f = tmp_path / "custom.toml"
    f.write_text('[scenario]\nname = "c"\n[postures]\nrun = ["standing", "lean"]\n'
                 '[postures.lean]\nfollower_load_n = 900\nflexion_moment_nm = 4.0\n')
    code, out, _ = run(capsys, "run", f, "--format", "json")
    records = json.loads(out)
    assert code == 0 and [r["posture"] for r in records] == ["standing", "standing", "lean", "lean"]
    assert records[2]["compressive_force_n"] == pytest.approx(900.0)


def test_console_script_runs_as_a_process():
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(SCENARIO), "--format", "json",
                           "--posture", "standing"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
    assert len(json.loads(proc.stdout)) == 2
    bad = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(SCENARIO), "--posture", "x"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.splitlines()) == 1


def test_table_shows_the_ganglion_beside_the_root():
    """Issue 13 item 7: when the ganglion sets the L4 grade, its numbers stand beside the root's."""
    import pandas as pd

    from sim import records

    base = {"posture": "standing", "side": "left", "l4_deformation_pct": 0.0, "l4_pressure_kpa": 0.0,
            "l4_grade": "contact", "l4_drg_deformation_pct": 0.0, "l4_drg_pressure_kpa": 0.0}
    quiet = pd.DataFrame([base])
    assert "DRG kPa" not in records.to_table(quiet)
    squeezed = pd.DataFrame([{**base, "l4_drg_deformation_pct": 21.0, "l4_drg_pressure_kpa": 3.4, "l4_grade": "mild"}])
    text = records.to_table(squeezed)
    header = text.splitlines()[0]
    assert header.index("L4 kPa") < header.index("DRG def%") < header.index("DRG kPa")
    assert "3.4" in text.splitlines()[2]


def _strict_json(text):
    """Parse as strict JSON: NaN and Infinity are not JSON, and a reader in another language rejects them."""
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("argv", [
    ("run", SCENARIO, "--format", "json", "--posture", "extension"),
    ("validate", "--format", "json", "--kind", "calibration"),
    ("differential", ROOT / "configs" / "scenarios" / "stenosis_plus_hip.toml", "--format", "json"),
    ("timeline", ROOT / "configs" / "scenarios" / "central_stenosis.toml", "--activity", "walking", "--minutes", "30",
     "--then", "sitting", "--minutes", "10", "--format", "json"),
], ids=["run", "validate", "differential", "timeline"])
def test_json_output_is_strict_json(argv, capsys):
    """Times never reached and undefined values come out as null, never as NaN or Infinity."""
    code, out, err = run(capsys, *argv)
    assert code == 0 and err == ""
    assert _strict_json(out)
