"""Result records: the public column order and their text forms (table, JSON, CSV)."""

from __future__ import annotations

import io
import json
import math

#: The contract columns of docs/results.md, in order; the other results follow.
RECORD_COLUMNS = (
    "posture", "side", "segment_angle_deg", "compressive_force_n", "idp_mpa",
    "disc_height_posterior_mm", "disc_bulge_mm", "slip_mm", "foraminal_height_mm",
    "foraminal_width_mm", "foraminal_area_mm2", "lateral_recess_depth_mm",
    "l4_deformation_pct", "l4_pressure_kpa", "l4_grade", "l5_deformation_pct",
    "l5_pressure_kpa", "l5_grade", "pain_buttock", "pain_lateral_hip", "pain_groin",
    "pain_anterior_thigh", "pain_posterior_thigh", "pain_lateral_thigh", "pain_medial_knee_leg",
    "pain_lateral_leg", "pain_dorsum_foot", "distribution",
)

TABLE_COLUMNS = (
    ("posture", "posture", "s"), ("side", "side", "s"), ("segment_angle_deg", "angle°", ".1f"),
    ("compressive_force_n", "F N", ".0f"), ("idp_mpa", "IDP MPa", ".2f"),
    ("disc_height_posterior_mm", "hPost", ".1f"), ("disc_bulge_mm", "bulge", ".1f"),
    ("slip_mm", "slip", ".1f"), ("foraminal_height_mm", "FH mm", ".1f"),
    ("foraminal_width_mm", "FW mm", ".1f"), ("foraminal_area_mm2", "FA mm²", ".0f"),
    ("lateral_recess_depth_mm", "LR mm", ".1f"), ("l4_deformation_pct", "L4 def%", ".0f"),
    ("l4_pressure_kpa", "L4 kPa", ".1f"), ("l4_grade", "L4", "s"),
    ("l5_deformation_pct", "L5 def%", ".0f"), ("l5_pressure_kpa", "L5 kPa", ".1f"),
    ("l5_grade", "L5", "s"), ("distribution", "pain", "s"),
)


#: The L4 ganglion's numbers, shown beside the root's when the ganglion sets the L4 grade somewhere.
DRG_TABLE_COLUMNS = (("l4_drg_deformation_pct", "DRG def%", ".0f"), ("l4_drg_pressure_kpa", "DRG kPa", ".1f"))


def ganglion_sets_grade(frame) -> bool:
    """True when, in some record, the L4 ganglion is squeezed harder than the L4 root (so the L4 grade and the
    L4 share of the pain come from the ganglion)."""
    needed = ("l4_pressure_kpa", "l4_deformation_pct", "l4_drg_pressure_kpa", "l4_drg_deformation_pct")
    if not all(c in frame.columns for c in needed):
        return False
    return bool(((frame["l4_drg_pressure_kpa"] > frame["l4_pressure_kpa"])
                 | (frame["l4_drg_deformation_pct"] > frame["l4_deformation_pct"])).any())


def table_columns(frame) -> list[tuple[str, str, str]]:
    """(column, header, format) of the terminal table; the ganglion's columns follow the L4 root's when
    the ganglion sets the L4 grade (a row would otherwise read 'L4 0 %, 0.0 kPa, contact')."""
    cols = [c for c in TABLE_COLUMNS if c[0] in frame.columns]
    if ganglion_sets_grade(frame):
        at = [c[0] for c in cols].index("l4_pressure_kpa") + 1
        cols[at:at] = list(DRG_TABLE_COLUMNS)
    return cols


def ordered_columns(frame) -> list[str]:
    """Columns of ``frame`` in the public order: record columns first, then the rest as they are."""
    first = [c for c in RECORD_COLUMNS if c in frame.columns]
    return first + [c for c in frame.columns if c not in first]


def to_records(frame) -> list[dict]:
    """Plain-Python records (floats, ints, strings) in the public column order."""
    out = []
    columns = ordered_columns(frame)
    for row in frame[columns].itertuples(index=False):
        rec = {}
        for key, value in zip(columns, row):
            if hasattr(value, "item"):
                value = value.item()
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            rec[key] = value
        out.append(rec)
    return out


def to_json(frame) -> str:
    """Records of ``frame`` as a JSON list of objects."""
    return json.dumps(to_records(frame), indent=1, allow_nan=False)


def to_csv(frame) -> str:
    """Records of ``frame`` as CSV in the public column order (10 significant digits)."""
    buf = io.StringIO()
    frame[ordered_columns(frame)].to_csv(buf, index=False, float_format="%.10g")
    return buf.getvalue()


def to_table(frame) -> str:
    """A fixed-width table of the key columns for a terminal."""
    cols = table_columns(frame)
    cells = [[c[1] for c in cols]]
    for _, row in frame.iterrows():
        cells.append([format(row[key], fmt) if fmt != "s" else str(row[key]) for key, _, fmt in cols])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cols))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(v.rjust(w) if k and i > 1 else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
