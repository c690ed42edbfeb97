"""Write tests/data/golden.json: pinned outputs of every ready scenario in every posture.

The golden numbers guard refactors: moving code must not move a number.
Regenerate ONLY when the physics changes on purpose, and say so in the commit
message (``python tests/make_golden.py``); a refactor that needs a new golden
file has changed the physics.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden.json"
SCENARIOS = sorted((ROOT / "configs" / "scenarios").glob("*.toml"))

#: One or more outputs of each stage: loads, mechanics, geometry, compression, referral.
PINNED = (
    "compressive_force_n", "flexion_moment_nm", "segment_angle_deg", "lateral_angle_deg", "axial_angle_deg",
    "facet_force_n", "idp_mpa", "slip_mm", "disc_bulge_mm", "disc_height_posterior_mm",
    "foraminal_height_mm", "foraminal_width_mm", "foraminal_area_mm2", "lateral_recess_depth_mm", "canal_area_mm2",
    "l4_clearance_mm", "l4_pressure_kpa", "l4_drg_pressure_kpa", "l4_root_x_mm", "l4_root_y_mm",
    "l5_clearance_mm", "l5_pressure_kpa", "l4_grade", "l5_grade",
    "pain_buttock", "pain_anterior_thigh", "pain_lateral_leg", "pain_dorsum_foot", "distribution",
)


def golden_records(path: Path, engine: str = "numba") -> list[dict]:
    """Pinned outputs of one scenario file, one dict per (posture, side) record."""
    import sim

    frame = sim.simulate(sim.load_scenario(path), engine=engine)
    keep = ["posture", "side", *PINNED]
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in frame[keep].to_dict(orient="records")]


def main() -> None:
    data = {path.stem: golden_records(path) for path in SCENARIOS}
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {GOLDEN.relative_to(ROOT)}: {sum(map(len, data.values()))} records")


if __name__ == "__main__":
    main()
