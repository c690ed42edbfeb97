"""Regenerate the ready-scenario table of README.md from the model.

    python docs/make_scenario_table.py          # rewrite the table between the markers
    python docs/make_scenario_table.py --check  # exit 1 if README.md is out of date

Each row runs one scenario of ``configs/scenarios`` in all its postures and reads the
posture signature of the side that hurts most; the last two columns are the clinical
pattern the scenario must show (``sim.validation.SCENARIO_PATTERNS``, with its sources)
and whether the model shows it (its validation targets pass).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- scenario-table:start (python docs/make_scenario_table.py) -->"
END = "<!-- scenario-table:end -->"
ORDER = ("healthy", "degenerated_disc", "central_stenosis", "subarticular_herniation_right",
         "foraminal_herniation_left", "spondylolisthesis_grade1", "combined_degenerative",
         "hip_osteoarthritis_right", "stenosis_plus_hip", "central_stenosis_laminotomy")


def _lesion(scenario) -> str:
    """The scenario's pathology in a few words (inputs that differ from the healthy defaults)."""
    from sim import params as prm

    v, defaults = scenario.values, prm.defaults()
    names = {"disc_height_loss_mm": "height loss", "disc_bulge_mm": "bulge", "slip_mm": "slip",
             "slip_instability_mm": "instability", "facet_hypertrophy_mm": "facet +",
             "ligamentum_flavum_hypertrophy_mm": "flavum +"}
    parts = []
    if v["pathology.herniation_zone"] != "none" and v["pathology.herniation_size_mm"] > 0:
        side = "" if v["pathology.herniation_zone"] == "central" else f" {v['pathology.herniation_side']}"
        parts.append(f"{v['pathology.herniation_zone']}{side} herniation {v['pathology.herniation_size_mm']:g} mm")
    for key, label in names.items():
        value = v[f"pathology.{key}"]
        if value != defaults[f"pathology.{key}"]:
            parts.append(f"{label} {value:g} mm".replace("+ ", "+"))
    done = [name for name, _ in getattr(scenario, "interventions", ())]
    return (", ".join(parts) or "none") + (f"; after {', '.join(done)}" if done else "")


def _row(name: str, patterns: dict, results: dict) -> str:

    import sim
    from sim.referral import PAIN_OUTPUTS
    from sim.signature import posture_signature, side_distribution

    scenario = sim.load_scenario(ROOT / "configs" / "scenarios" / f"{name}.toml")
    frame = sim.simulate(scenario)
    peak = frame[list(PAIN_OUTPUTS)].max(axis=1)
    worst = frame.loc[peak.idxmax()]
    side = str(worst["side"])
    roots = [label for label, col in (("L4 DRG", "l4_drg_pressure_kpa"), ("L4", "l4_pressure_kpa"),
                                      ("L5", "l5_pressure_kpa")) if float(frame[col].max()) > 0.0]
    sig = posture_signature(frame)[side]
    expected, ids = patterns[name]
    shown = "yes" if all(results[i] for i in ids) else "no"
    worst_text = f"{worst['posture']} ({float(peak.max()):.1f}, {side})" if float(peak.max()) > 0.05 else "-"
    return (f"| `{name}` | {_lesion(scenario)} | {', '.join(roots) or '-'} | {worst_text} | "
            f"{', '.join(sig['provoking']) or '-'} | {', '.join(sig['relieving']) or '-'} | "
            f"{side_distribution(frame, side)} | {expected} | {shown} |")


def table_markdown() -> str:
    from sim.validation import SCENARIO_PATTERNS, targets

    wanted = {i for _, ids in SCENARIO_PATTERNS.values() for i in ids}
    results = {}
    for t in targets():
        if t.id in wanted:
            value = float(t.compute())
            results[t.id] = t.low <= value <= t.high
    lines = ["| scenario | lesion | roots compressed | worst posture (peak pain 0-10, side) | provoked by | "
             "relieved by | distribution | expected clinical pattern | shown |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += [_row(name, SCENARIO_PATTERNS, results) for name in ORDER]
    return "\n".join(lines)


def updated_readme(text: str, table: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no scenario-table markers ({START} ... {END})")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def main(argv=None) -> int:
    sys.path.insert(0, str(ROOT))
    argv = sys.argv[1:] if argv is None else argv
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = updated_readme(text, table_markdown())
    if "--check" in argv:
        return 0 if new == text else 1
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
