"""Plotted reports (issue 5): every figure renders from small inputs on the Agg backend, the files
are valid images of sensible size, the HTML embeds them and the commands behave."""

import json
import re
import struct
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import sim  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.plots import scenario_figures as sf  # noqa: E402
from sim.plots import style as st  # noqa: E402
from sim.plots import sweep_figures as wf  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "configs" / "scenarios"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCENARIO_FIGURES = ("summary", "compression", "foramen", "mechanics", "referred_pain", "body_chart_postures")
POSTURES = ("standing", "sitting", "flexion", "extension")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def check_report(outdir: Path, names, max_kb: int = 800):
    """PNG files valid and > 600 px each way, HTML self-contained with every PNG embedded, PDF one page each."""
    for name in names:
        w, h = png_size(outdir / f"{name}.png")
        assert w > 600 and h > 600, (name, w, h)
        assert (outdir / f"{name}.png").stat().st_size < max_kb * 1024, name
    page = (outdir / "report.html").read_text(encoding="utf-8")
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == len(names)
    import base64

    assert all(base64.b64decode(e)[:8] == PNG_MAGIC for e in embedded)
    assert not re.search(r'src="(?!data:)', page), "HTML must not link external files"
    assert "not a diagnostic device" in page
    pdf = (outdir / "report.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(names)


# ------------------------------------------------------------- scenario --
def test_scenario_report_command(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", str(SCENARIOS / "central_stenosis.toml"), "--out", str(out)]) == 0
    check_report(out, SCENARIO_FIGURES)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "pathology.ligamentum_flavum_hypertrophy_mm" in page  # changed inputs
    assert "neurogenic-claudication" in page  # posture signature


def test_run_with_report_keeps_json_clean(tmp_path, capsys):
    out = tmp_path / "rep"
    code = main(["run", str(SCENARIOS / "foraminal_herniation_left.toml"), "--posture", "standing",
                 "--set", "pathology.herniation_size_mm=3", "--format", "json", "--report", str(out)])
    assert code == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["posture"] for r in records} == {"standing"}
    check_report(out, SCENARIO_FIGURES)  # the report still covers every posture of the scenario
    for posture in sim.model.BUILTIN_POSTURES:  # and one body chart per posture, at print resolution
        w, h = png_size(out / f"body_chart_{posture}.png")
        assert w > 1200 and h > 1200, (posture, w, h)


def test_healthy_scenario_renders_without_provoking_posture(tmp_path):
    scenario = sim.load_scenario(SCENARIOS / "healthy.toml")
    frame = sim.simulate(scenario)
    prov, rel = sf.pain_postures(frame)
    assert prov and rel
    fig = sf.compression_figure(scenario, frame)  # thresholds drawn even when nothing is compressed
    assert fig.axes[0].get_ylim()[1] > st.grade_thresholds()["pressure_kpa"]["severe"]
    st.plt.close(fig)


def test_union_outline_of_two_squares():
    a = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    b = a + [1, 1]
    segs = sf.union_outline(a, b)
    perimeter = sum(np.hypot(*(s[1] - s[0])) for s in segs)
    assert perimeter == pytest.approx(12.0)
    stacked = sf.union_outline(a, a + [0, 2])  # a shared edge disappears
    assert sum(np.hypot(*(s[1] - s[0])) for s in stacked) == pytest.approx(12.0)


def test_posture_style_is_consistent():
    assert st.posture_order(["lifting", "custom", "standing", "supine"]) == ["supine", "standing", "lifting", "custom"]
    assert st.posture_color("extension") == st.OKABE_ITO["vermillion"]
    assert st.posture_color("custom") == st.posture_color("custom")
    assert st.param_label("pathology.slip_mm") == "slip [mm]"
    th = st.grade_thresholds()
    assert th["pressure_kpa"]["mild"] == pytest.approx(30 * 0.133322)


# ---------------------------------------------------------------- sweeps --
@pytest.fixture(scope="module")
def grid_store(tmp_path_factory):
    ds = wf.evaluate_dataset(grid={"pathology.disc_height_loss_mm": np.linspace(0, 4, 6),
                                   "pathology.slip_mm": np.linspace(0, 6, 5)},
                             postures=POSTURES, base={"pathology.ligamentum_flavum_hypertrophy_mm": 1.5})
    path = tmp_path_factory.mktemp("store") / "grid.zarr"
    with warnings.catch_warnings():  # zarr v3: fixed-length strings "have no specification" yet
        warnings.simplefilter("ignore")
        ds.to_zarr(path, mode="w")
    return path


@pytest.fixture(scope="module")
def population_store(tmp_path_factory):
    rng = np.random.default_rng(5)
    n = 60
    ds = wf.evaluate_dataset(samples={"pathology.disc_height_loss_mm": rng.uniform(0, 3, n),
                                      "pathology.disc_bulge_mm": rng.uniform(0, 2, n),
                                      "pathology.facet_hypertrophy_mm": rng.uniform(0, 1.5, n),
                                      "anatomy.foraminal_height_mm": rng.normal(20, 1.5, n)},
                             postures=POSTURES)
    path = tmp_path_factory.mktemp("store") / "population.zarr"
    with warnings.catch_warnings():  # zarr v3: fixed-length strings "have no specification" yet
        warnings.simplefilter("ignore")
        ds.to_zarr(path, mode="w")
    return path


def test_grid_store_report(grid_store, tmp_path):
    out = tmp_path / "rep"
    assert main(["report", str(grid_store), "--out", str(out)]) == 0
    check_report(out, ("map_l4_pressure", "map_l4_grade", "map_l5_pressure", "map_l5_grade"))


def test_population_store_report(population_store, tmp_path):
    out = tmp_path / "rep"
    assert main(["report", str(population_store), "--out", str(out)]) == 0
    check_report(out, ("distributions", "shares", "sensitivity"))
    assert "mean |SRRC|" in (out / "report.html").read_text(encoding="utf-8")


def test_report_of_a_store_with_selected_results(population_store, tmp_path):
    """A sweep that stored only some results (``sweep.outputs``) gets the figures those results allow."""
    import xarray as xr

    from sim.report import sweep_report

    ds = xr.open_zarr(population_store)[["l4_pressure_kpa", "l5_pressure_kpa", "l5_grade"]]
    out = sweep_report(ds, tmp_path / "rep")
    assert sorted(p.stem for p in out["png"]) == ["distributions", "sensitivity", "shares"]
    check_report(tmp_path / "rep", ("distributions", "shares", "sensitivity"))


def test_one_dimensional_grid_and_extra_dims(tmp_path):
    from sim.report import sweep_report

    ds = wf.evaluate_dataset(grid={"pathology.disc_bulge_mm": np.linspace(0, 3, 4)}, postures=("standing", "flexion"))
    res = sweep_report(ds, tmp_path / "one")
    check_report(tmp_path / "one", ("lines_pressure",))
    assert res["png"][0].name == "lines_pressure.png"
    ds3 = wf.evaluate_dataset(grid={"pathology.disc_bulge_mm": [0.0, 2.0], "pathology.slip_mm": [0.0, 4.0],
                                    "pathology.facet_hypertrophy_mm": [0.0, 1.0, 2.0]}, postures=("standing",))
    fig = wf.pressure_map_figure(ds3, "l5")
    assert any("held at pathology.facet_hypertrophy_mm = 1" in t.get_text() for t in fig.texts)
    st.plt.close(fig)


def test_shares_and_codes_from_labels():
    ds = wf.evaluate_dataset(samples={"pathology.disc_bulge_mm": np.linspace(0, 3, 12)}, postures=("standing",))
    postures, labels, share = wf.shares(ds, "l5_grade")
    assert labels == sim.layout.GRADES and share.sum(axis=1) == pytest.approx([100.0])
    # reversed label order in attrs decodes to the same grades
    rev = ds.copy()
    labels_rev = list(reversed(sim.layout.GRADES))
    rev["l5_grade"] = (ds["l5_grade"].dims, (len(labels_rev) - 1 - ds["l5_grade"].values).astype(np.int8),
                       {"flag_meanings": " ".join(labels_rev)})
    assert np.array_equal(wf.codes(rev, "l5_grade", sim.layout.GRADES), wf.codes(ds, "l5_grade", sim.layout.GRADES))


def test_srrc_ranks_the_driving_parameter_first():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(300, 3))
    coef, r2 = wf.srrc(x, np.exp(4 * x[:, 1]) - x[:, 2])
    assert np.argmax(np.abs(coef)) == 1 and coef[2] < 0 and r2 > 0.9
    assert np.isnan(wf.srrc(x, np.zeros(300))[1])


def test_report_of_a_real_sweep_store(tmp_path):
    """``sim sweep`` then ``sim report`` on the store it wrote (grid of the ready slip sweep, smaller)."""
    scenario = Path(__file__).resolve().parents[1] / "configs" / "scenarios" / "healthy.toml"
    spec = tmp_path / "tiny.toml"
    spec.write_text(f'[sweep]\nname = "tiny"\nscenario = "{scenario.as_posix()}"\n'
                    'postures = ["standing", "extension"]\n\n[grid]\n'
                    '"pathology.disc_height_loss_mm" = [0.0, 1.0, 2.0]\n"pathology.slip_mm" = [0.0, 3.0]\n',
                    encoding="utf-8")
    store = tmp_path / "tiny.zarr"
    assert main(["sweep", str(spec), "--out", str(store), "--quiet"]) == 0
    assert main(["report", str(store), "--out", str(tmp_path / "rep")]) == 0
    html = (tmp_path / "rep" / "report.html").read_text()
    assert "data:image/png;base64" in html


# ---------------------------------------------------------------- errors --
def test_bad_sources_give_one_line(tmp_path, capsys):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n")
    assert main(["report", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "neither a scenario" in err
    assert main(["report", str(tmp_path / "missing.zarr"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    empty = tmp_path / "empty.zarr"
    empty.mkdir()
    assert main(["report", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "cannot be read" in capsys.readouterr().err
