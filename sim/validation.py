"""Literature validation: each target compares a model output with a published value and spread.

``sim validate`` prints the table; ``tests/validation`` runs the same targets
as tests.  ``kind`` says whether the target was used to set a parameter
("calibration": it checks the implementation reproduces it) or not
("independent": a genuine test of the model).  Every target can fail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from . import params as prm
from .engine import evaluate, simulate
from .geometry import l4_transform
from .layout import DISTRIBUTIONS
from .postures import Posture
from .mechanics import bending_angle_deg, sagittal_equilibrium
from .referral import (N_REGIONS, PAIN_OUTPUTS, REGIONS, add_pain_columns, has_pain_columns, pain_reference,
                       referral_data, root_pain_intensity)
from .scenario import load_scenario
from .signature import neurogenic_claudication
from .units import KPA_PER_MMHG


@dataclass(frozen=True)
class Target:
    id: str
    quantity: str
    unit: str
    expected: str
    low: float
    high: float
    source: str
    kind: str  # "calibration" or "independent"
    compute: Callable[[], float]


@dataclass(frozen=True)
class Result:
    target: Target
    value: float

    @property
    def passed(self) -> bool:
        return bool(np.isfinite(self.value) and self.target.low <= self.value <= self.target.high)


def _tissue() -> dict:
    return {k.split(".", 1)[1]: v for k, v in prm.defaults().items() if k.startswith("tissue.")}


@lru_cache(maxsize=None)
def _posture_records(postures: tuple[str, ...], overrides: tuple = ()) -> dict:
    batch = {"posture": np.array(postures), "side": "left"}
    for key, value in overrides:
        batch[key] = value
    return evaluate(batch)


def _value(posture: str, name: str, overrides: tuple = ()) -> float:
    r = _posture_records((posture,), overrides)
    return float(r[name][0])


def _pure_moment_rom(direction: str, moment_nm: float) -> float:
    t = _tissue()
    if direction == "flexion":
        return sagittal_equilibrium(0.0, moment_nm, 0.0, t)[0]
    if direction == "extension":
        return -sagittal_equilibrium(0.0, -moment_nm, 0.0, t)[0]
    k0, b = t[f"{direction}_toe_stiffness_nm_per_deg"], t[f"{direction}_stiffening_per_deg"]
    return float(bending_angle_deg(moment_nm, k0, b))


def _neutral_zone_fe() -> float:
    return _pure_moment_rom("flexion", 0.5) + _pure_moment_rom("extension", 0.5)


def _l4_corner_x(posture: str) -> float:
    """AP position of the L4 posterior-inferior corner relative to L5 in a posture [mm]."""
    angle = _value(posture, "segment_angle_deg")
    slip = _value(posture, "slip_mm")
    hp = prm.defaults()["anatomy.disc_height_posterior_mm"]
    q, t = l4_transform(angle, prm.defaults()["tissue.cor_anterior_offset_mm"], slip, 0.0)
    return float((q @ np.array([0.0, hp]) + t)[0])


def _reuber_max_bulge() -> float:
    cases = {f"reuber_{i}": Posture(f"reuber_{i}", 800.0, *m) for i, m in enumerate(
        [(12.0, 0.0, 0.0), (-12.0, 0.0, 0.0), (0.0, 12.0, 0.0), (0.0, 0.0, 12.0)])}
    r = evaluate({"posture": np.array(list(cases))}, custom_postures=cases)
    return float(np.max(r["disc_bulge_mm"]))


def _scenario_frame(name: str):
    return simulate(load_scenario(scenario_path(name)))


def scenario_path(name: str) -> Path:
    """Path of a ready scenario, from a checkout or beside the installed package."""
    for base in (Path(__file__).resolve().parents[1] / "configs" / "scenarios", Path.cwd() / "configs" / "scenarios"):
        path = base / f"{name}.toml"
        if path.exists():
            return path
    raise FileNotFoundError(f"ready scenario {name!r} not found")


def _max_pressure_mmhg(name: str, posture: str, root: str) -> float:
    f = _scenario_frame(name)
    f = f[f.posture == posture]
    col = "l4_drg_pressure_kpa" if root == "l4" else "l5_pressure_kpa"
    return float(f[col].max() / KPA_PER_MMHG)


def _claudication_margin() -> float:
    """Positive when L5 compression in central stenosis is worse standing and in extension
    than in sitting and flexion: min(standing, extension) - max(sitting, flexion) [kPa]."""
    f = _scenario_frame("central_stenosis")
    p = f[f.side == "left"].set_index("posture")["l5_pressure_kpa"]
    return float(min(p["standing"], p["extension"]) - max(p["sitting"], p["flexion"]))


def _hasegawa_compressed(posterior_height_target_mm: float) -> float:
    """L4 DRG deformation [%] supine when disc height loss brings the posterior disc height to the target."""
    d = prm.defaults()
    hl = d["anatomy.disc_height_posterior_mm"] - posterior_height_target_mm
    grid = np.linspace(max(hl - 2.0, 0.0), min(hl + 2.0, d["anatomy.disc_height_posterior_mm"] - 1.0), 81)
    r = evaluate({"posture": "supine", "side": "left", "pathology.disc_height_loss_mm": grid})
    i = int(np.argmin(np.abs(r["disc_height_posterior_mm"] - posterior_height_target_mm)))
    return float(r["l4_drg_deformation_pct"][i])


def _area_change_pct(posture: str) -> float:
    return 100.0 * (_value(posture, "foraminal_area_mm2") / _value("supine", "foraminal_area_mm2") - 1.0)


def targets() -> list[Target]:
    """Every validation target with its source."""
    t: list[Target] = []
    yam = "Yamamoto 1989, Spine 14:1256 (10 cadaveric L1-S, pure moments)"
    for direction, rom in (("flexion", 8.9), ("extension", 5.8), ("lateral", 5.7), ("axial", 2.2)):
        t.append(Target(f"rom_{direction}_10nm", f"L4-L5 {direction} ROM at 10 N m", "deg", f"{rom}",
                        0.6 * rom, 1.4 * rom, yam + "; +/-40 % (Dreischarf 2014 model spread)", "calibration",
                        lambda d=direction: _pure_moment_rom(d, 10.0)))
    t.append(Target("nz_flexion_extension", "Neutral zone flexion-extension (rotation over +/-0.5 N m)", "deg",
                    "1.8", 0.9, 3.0, yam, "calibration", _neutral_zone_fe))
    wilke = "Wilke 1999, Spine 24:755 (in vivo telemetry L4-L5, 70 kg)"
    t.append(Target("idp_standing", "IDP relaxed standing", "MPa", "0.50", 0.40, 0.65, wilke + "; walking 0.53-0.65",
                    "independent", lambda: _value("standing", "idp_mpa")))
    for posture, value, label in (("supine", 0.10, "lying"), ("sitting", 0.46, "sitting unsupported"),
                                  ("flexion", 1.1, "standing flexed forward"),
                                  ("lifting", 2.3, "lifting 20 kg, round flexed back")):
        t.append(Target(f"idp_{posture}", f"IDP {label}", "MPa", f"{value}", 0.75 * value, 1.25 * value,
                        wilke + "; +/-25 %", "independent", lambda p=posture: _value(p, "idp_mpa")))
    t.append(Target("idp_ratio_flexion_standing", "IDP standing flexed / standing", "-", "2.2 (Nachemson > 2)",
                    1.6, 2.8, wilke + "; Nachemson", "independent",
                    lambda: _value("flexion", "idp_mpa") / _value("standing", "idp_mpa")))
    t.append(Target("idp_ordering", "IDP order supine < sitting, standing < flexed < lifting (1 = holds)", "-",
                    "1", 0.5, 1.5, wilke + "; Li 2022 (sitting vs standing either way)", "independent",
                    lambda: float(_value("supine", "idp_mpa") < min(_value("sitting", "idp_mpa"), _value("standing", "idp_mpa"))
                                  and max(_value("sitting", "idp_mpa"), _value("standing", "idp_mpa")) < _value("flexion", "idp_mpa")
                                  < _value("lifting", "idp_mpa"))))
    t.append(Target("lifting_compression", "L4-L5 compression, 20 kg round-back lift", "N", "2500-4000",
                    2500.0, 4000.0, "Afshari 2017 (3DSSPP 1.4-4.0 kN); La Torre 2017 stoop 3.6 kN; NIOSH 3.4 kN",
                    "independent", lambda: _value("lifting", "compressive_force_n")))
    t.append(Target("sitting_segment_flexion", "L4-L5 lordosis lost from standing to sitting", "deg",
                    "2.2 (DS) to 9 (healthy)", 1.0, 9.0, "Issa 2023; Bae 2012; Endo 2012; Cho 2015", "calibration",
                    lambda: _value("sitting", "segment_angle_deg") - _value("standing", "segment_angle_deg")))
    t.append(Target("lifting_translation", "L4-L5 AP translation, lifting posture to extension", "mm",
                    "2.9 +/- 1.5", 1.4, 4.4, "Li-lab dual fluoroscopy (10 subjects, 40-60 y)", "independent",
                    lambda: _l4_corner_x("lifting") - _l4_corner_x("extension")))
    t.append(Target("bulge_reuber", "Largest disc bulge, 800 N with 12 N m in any direction", "mm",
                    "<= 2.7", 0.0, 2.7, "Reuber 1982, J Biomech Eng 104:187 (14 segments)", "independent",
                    _reuber_max_bulge))
    ank = "Ankara 2012, Clin Anat 25:218 (14 cadavers); Gkasdaris 2018 (CT, 73 adults)"
    t.append(Target("foraminal_height_unloaded", "Foraminal height, supine", "mm", "19.3-21.5", 17.0, 23.0,
                    ank + "; band widened by the level spread", "independent", lambda: _value("supine", "foraminal_height_mm")))
    t.append(Target("foraminal_width_unloaded", "Foraminal width at disc level, supine", "mm", "6.0-8.1", 5.0, 9.0,
                    ank, "independent", lambda: _value("supine", "foraminal_width_mm")))
    upright = "Upright MRI L5-S1, 15 subjects: area -10 % upright, -14 to -21 % upright hyperlordotic"
    t.append(Target("area_standing_vs_supine", "Foraminal area change supine -> standing", "%", "-10 (-11 to -10)",
                    -16.0, -4.0, upright, "independent", lambda: _area_change_pct("standing")))
    t.append(Target("area_extension_vs_supine", "Foraminal area change supine -> extension", "%", "-14 to -21",
                    -25.0, -10.0, upright, "independent", lambda: _area_change_pct("extension")))
    t.append(Target("area_flexion_gt_extension", "Foraminal area flexion minus extension", "mm2", "> 0",
                    0.0, math.inf, "Revel 1988; Eur Spine J 2017 positional MRI (250 foramina)", "independent",
                    lambda: _value("flexion", "foraminal_area_mm2") - _value("extension", "foraminal_area_mm2")))
    t.append(Target("healthy_roots_free", "Healthy L4 DRG clearance, standing", "mm", "> 0 (root 5-6x smaller than foramen)",
                    0.0, math.inf, "Hasegawa 1995 (79 of 90 non-critical foramina free); classic anatomy",
                    "independent", lambda: _value("standing", "l4_drg_clearance_mm")))
    t.append(Target("hasegawa_critical_height", "L4 DRG deformation at posterior disc height 4 mm, unloaded", "%",
                    "> 0 (8 of 10 foramina compressed)", 1e-6, math.inf,
                    "Hasegawa 1995, JBJS Am 77:32 (100 cadaver foramina)", "independent",
                    lambda: _hasegawa_compressed(4.0)))
    tak = "Takahashi 1999, Spine (intra-operative, 34 patients): mean 53, range 7-256 mmHg"
    t.append(Target("herniation_pressure_subarticular", "L5 contact pressure, 4 mm subarticular herniation, standing",
                    "mmHg", "7-256", 7.0, 256.0, tak, "calibration",
                    lambda: _max_pressure_mmhg("subarticular_herniation_right", "standing", "l5")))
    t.append(Target("herniation_pressure_foraminal",
                    "L4 DRG contact pressure, 5 mm foraminal herniation, bending towards it (provoking posture)",
                    "mmHg", "7-256", 7.0, 256.0, tak, "calibration",
                    lambda: _max_pressure_mmhg("foraminal_herniation_left", "lateral_bend_left", "l4")))
    t.append(Target("claudication_signature", "Central stenosis: L5 pressure standing/extension minus sitting/flexion",
                    "kPa", "> 0", 1e-9, math.inf, "Suri 2010 JAMA (LR 7.4 no pain seated, 6.4 relief bending forward)",
                    "independent", _claudication_margin))
    t.extend(Target(**d) for d in referral_validation_targets())
    return t


def run_validation() -> list[Result]:
    _posture_records.cache_clear()
    return [Result(t, float(t.compute())) for t in targets()]


def format_table(results: list[Result]) -> str:
    rows = [("id", "quantity", "model", "published", "accepted", "unit", "kind", "result", "source")]
    for r in results:
        t = r.target
        hi = "inf" if math.isinf(t.high) else f"{t.high:g}"
        rows.append((t.id, t.quantity, f"{r.value:.4g}", t.expected, f"{t.low:g} to {hi}", t.unit, t.kind,
                     "pass" if r.passed else "FAIL", t.source))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:-1], widths)) + "  " + row[-1])
        if k == 0:
            lines.append("-" * (sum(widths) + 2 * len(widths) + 6))
    n_pass = sum(r.passed for r in results)
    lines.append(f"\n{n_pass} passed, {len(results) - n_pass} failed")
    return "\n".join(lines)


# ---------------------------------------------------------- referral targets --
def _single_root_row(root: str, pressure_mmhg: float) -> np.ndarray:
    kpa = pressure_mmhg / float(referral_data()["intensity"]["mmhg_per_kpa"]["value"])
    args = [0.0] * 6
    args[{"l4": 0, "drg": 2, "l5": 4}[root]] = kpa
    return pain_reference(*args)[0]


def _involvement_share(root: str, region: str, pressure_mmhg: float = 53.0) -> float:
    """Region pain / root pain for an isolated root compression: the modelled share of involvement."""
    row = _single_root_row(root, pressure_mmhg)
    kpa = pressure_mmhg / float(referral_data()["intensity"]["mmhg_per_kpa"]["value"])
    return float(row[REGIONS.index(region)] / root_pain_intensity(kpa))


def _label_is(root: str, label: str, pressure_mmhg: float = 53.0) -> float:
    return float(DISTRIBUTIONS[int(_single_root_row(root, pressure_mmhg)[N_REGIONS])] == label)


def _drg_root_ratio(pressure_mmhg: float = 5.0) -> float:
    kpa = pressure_mmhg / float(referral_data()["intensity"]["mmhg_per_kpa"]["value"])
    return float(root_pain_intensity(kpa, ganglion=True) / root_pain_intensity(kpa))


def _scenario_with_pain(name: str):
    for base in (Path(__file__).resolve().parents[1] / "configs" / "scenarios", Path.cwd() / "configs" / "scenarios"):
        if (base / f"{name}.toml").exists():
            frame = simulate(load_scenario(base / f"{name}.toml"))
            return frame if has_pain_columns(frame) and "distribution" in frame.columns else add_pain_columns(frame)
    raise FileNotFoundError(f"ready scenario {name!r} not found")


def _max_pain(frame, side=None) -> float:
    sub = frame if side is None else frame[frame["side"] == side]
    return float(sub[list(PAIN_OUTPUTS)].to_numpy().max()) if len(sub) else 0.0


def referral_validation_targets() -> list[dict]:
    """Pain-pattern validation targets for ``sim validate``.

    Each dict has ``id, quantity, unit, expected (text), low, high, source, kind
    ('independent' or 'calibration'), compute`` (no-argument callable returning the
    model value); the target passes when ``low <= compute() <= high``. The first
    seven run synthetic compressions through the referral mapping; the last
    three run ready scenarios end to end (qualitative).
    """
    mmhg = "Takahashi 1999 mean herniation contact pressure 53 mmHg"
    return [
        dict(id="referral_groin_share_l4", quantity="Groin involvement with isolated L4 root compression "
             "(groin pain / root pain at 53 mmHg)", unit="1", expected="0.25 (5/20)", low=0.09, high=0.49,
             source="Sasaki 2014, J Spine 3:3 (210 single-level radiculopathies); 95 % CI", kind="calibration",
             compute=lambda: _involvement_share("l4", "groin")),
        dict(id="referral_groin_share_l5", quantity="Groin involvement with isolated L5 root compression",
             unit="1", expected="0 (0/127)", low=0.0, high=0.024,
             source="Sasaki 2014; upper bound by the rule of three", kind="calibration",
             compute=lambda: _involvement_share("l5", "groin")),
        dict(id="referral_l4_label_femoral", quantity=f"Distribution of isolated L4 root compression ({mmhg})",
             unit="1 = femoral", expected="femoral", low=1.0, high=1.0,
             source="Harrison table 48-1 (L4: anterolateral thigh, knee, medial calf); Sasaki 2014; "
                    "Bone & Joint 2010 (L4 pain anterior)", kind="independent",
             compute=lambda: _label_is("l4", "femoral")),
        dict(id="referral_l5_label_sciatic", quantity=f"Distribution of isolated L5 root compression ({mmhg})",
             unit="1 = sciatic", expected="sciatic", low=1.0, high=1.0,
             source="Harrison table 48-1 (L5: buttock, posterolateral thigh, lateral calf, dorsal foot); "
                    "Taylor 2013", kind="independent", compute=lambda: _label_is("l5", "sciatic")),
        dict(id="referral_drg_root_ratio", quantity="Pain of the L4 DRG / pain of the L4 root at minimal "
             "(5 mmHg) compression", unit="1", expected=">= 10 (5-25 min vs several s of firing)",
             low=10.0, high=150.0, source="Howe 1977, Pain 3:25 (cat dorsal roots, DRG)", kind="calibration",
             compute=_drg_root_ratio),
        dict(id="referral_root_pain_herniation", quantity=f"Root pain 0-10 at {mmhg}", unit="pain 0-10",
             expected="7.5 (4.5 +/- 1.5 of 6)", low=5.0, high=10.0,
             source="Takahashi 1999 (pressure); Grovle 2010 Eur Spine J 19:263 (leg-pain bothersomeness "
                    "4.5 +/- 1.5 of 6 in 411 sciatica patients, rescaled to 10)", kind="calibration",
             compute=lambda: float(root_pain_intensity(53.0 / 7.500637))),
        dict(id="referral_l5_below_knee_vs_hip", quantity="Below-knee involvement with isolated L5 compression "
             "(lateral leg pain / root pain); must exceed hip-joint referral below the knee (22 %)", unit="1",
             expected="0.61 (L5 root); hip joint 0.22", low=0.22, high=1.0,
             source="Taylor 2013 (61.2 %) vs Lesher 2008, Pain Med 9:22 (below knee 22 %, n = 51)",
             kind="independent", compute=lambda: _involvement_share("l5", "lateral_leg")),
        dict(id="referral_claudication_central_stenosis", quantity="Neurogenic-claudication posture pattern "
             "flagged for the central_stenosis scenario", unit="1 = flagged", expected="flagged", low=1.0,
             high=1.0, source="Suri 2010 JAMA 304:2628 (no pain seated LR 7.4; relief bending forward LR 6.4)",
             kind="independent",
             compute=lambda: float(neurogenic_claudication(_scenario_with_pain("central_stenosis")))),
        dict(id="referral_healthy_no_pain", quantity="Peak region pain in the healthy scenario, all postures",
             unit="pain 0-10", expected="0 (no radicular pain)", low=0.0, high=2.0,
             source="DESIGN.md section 1; distribution threshold 2 points (Farrar 2001)", kind="independent",
             compute=lambda: _max_pain(_scenario_with_pain("healthy"))),
        dict(id="referral_foraminal_left_one_sided", quantity="Peak pain on the right side in "
             "foraminal_herniation_left (one-sided disease, one-sided pain)", unit="pain 0-10",
             expected="0", low=0.0, high=2.0, source="DESIGN.md section 5 (per-side referral)",
             kind="independent",
             compute=lambda: _max_pain(_scenario_with_pain("foraminal_herniation_left"), "right")),
    ]
