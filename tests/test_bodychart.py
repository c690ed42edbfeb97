"""Body chart: packaged outline/region data and rendered PNGs (Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from sim import referral as R  # noqa: E402
from sim.bodychart import body_chart_data, draw_body_chart, write_body_charts  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_regions_inside_outline_and_on_their_side():
    data = body_chart_data()
    for name, view in data["views"].items():
        outline = MplPath(np.asarray(view["outline"]))
        left_sign = 1.0 if view["positive_x_side"] == "left" else -1.0
        for region, sides in view["regions"].items():
            assert region in R.REGIONS
            for side, poly in sides.items():
                xy = np.asarray(poly)
                inside = outline.contains_points(xy, radius=-1.0) | outline.contains_points(xy, radius=1.0)
                assert inside.mean() > 0.97, (name, region, side)
                sign = left_sign if side == "left" else -left_sign
                assert np.all(sign * xy[:, 0] >= -1e-9), (name, region, side)


def test_regions_on_the_expected_views():
    views = body_chart_data()["views"]
    assert "buttock" in views["back"]["regions"] and "buttock" not in views["front"]["regions"]
    for region in ("groin", "anterior_thigh", "dorsum_foot"):
        assert region in views["front"]["regions"] and region not in views["back"]["regions"]
    assert "posterior_thigh" in views["back"]["regions"]
    for region in ("lateral_hip", "lateral_thigh", "medial_knee_leg", "lateral_leg"):
        assert region in views["front"]["regions"] and region in views["back"]["regions"]
    covered = set(views["front"]["regions"]) | set(views["back"]["regions"])
    assert covered == set(R.REGIONS)


def test_draw_body_chart_fills_by_pain():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    draw_body_chart({"groin": 8.0}, {"pain_lateral_leg": 3.0}, ax=ax)
    values = np.concatenate([np.asarray(c.get_array()) for c in ax.collections if c.get_array() is not None])
    assert values.max() == 8.0 and 3.0 in values
    plt.close(fig)


def test_write_body_charts_png(tmp_path):
    rows = []
    for posture, mmhg in (("standing", 70.0), ("sitting", 5.0)):
        for side in ("left", "right"):
            rows.append(dict(posture=posture, side=side, l4_pressure_kpa=0.0, l4_deformation_pct=0.0,
                             l4_drg_pressure_kpa=0.0, l4_drg_deformation_pct=0.0,
                             l5_pressure_kpa=mmhg / 7.5 if side == "left" else 0.0, l5_deformation_pct=0.0))
    paths = write_body_charts(pd.DataFrame(rows), tmp_path)
    assert [p.name for p in paths] == ["body_chart_standing.png", "body_chart_sitting.png", "body_chart_postures.png"]
    for p in paths:
        raw = p.read_bytes()
        assert raw[:8] == PNG_MAGIC and len(raw) > 20_000
        width = int.from_bytes(raw[16:20], "big")
        height = int.from_bytes(raw[20:24], "big")
        assert 1000 <= width <= 8000 and 800 <= height <= 8000  # 300 dpi, print size
