"""Plotted reports (issue 5): every figure renders from small inputs on the Agg backend, the files
are valid images of sensible size, the HTML embeds them and the commands behave."""

import json
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from report_checks import A4_PT, LETTER_PT, SCENARIO_FIGURES, check_report, pdf_page_sizes, png_size  # noqa: E402

import sim  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.plots import scenario_figures as sf  # noqa: E402
from sim.plots import style as st  # noqa: E402
from sim.plots import sweep_figures as wf  # noqa: E402
from sim.units import KPA_PER_MMHG  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "configs" / "scenarios"
POSTURES = ("standing", "sitting", "flexion", "extension")


# ------------------------------------------------------------- scenario --
def test_run_with_report_keeps_json_clean(tmp_path, capsys):
    out = tmp_path / "rep"
    code = main(["run", str(SCENARIOS / "foraminal_herniation_left.toml"), "--posture", "standing",
                 "--set", "pathology.herniation_size_mm=3", "--format", "json", "--report", str(out)])
    assert code == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["posture"] for r in records} == {"standing"}
    check_report(out, SCENARIO_FIGURES)  # the report still covers every posture of the scenario
    for posture in sim.postures.STATIC_POSTURES:  # and one body chart per posture, at print resolution
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
    assert th["pressure_kpa"]["mild"] == pytest.approx(30 * KPA_PER_MMHG)


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
    """``sim report STORE --paper letter``: the maps, every page on US Letter, the findings first and in words."""
    out = tmp_path / "rep"
    assert main(["report", str(grid_store), "--out", str(out), "--paper", "letter"]) == 0
    check_report(out, ("map_l4_pressure", "map_l4_grade", "map_l5_pressure", "map_l5_grade"), paper=LETTER_PT)
    page = (out / "report.html").read_text(encoding="utf-8")
    first = page.index("<h2")
    findings = page[first:page.index("<h2", first + 1)]
    assert "pathology.disc_height_loss_mm" not in findings  # sentences, not attribute dumps
    assert re.search(r"\d", findings) and "disc height loss" in findings and "standing" in findings


def test_population_store_report(population_store, tmp_path, capsys):
    """A population store's report (A4), with the progress shown on request."""
    from sim.report import sweep_report

    out = tmp_path / "rep"
    sweep_report(population_store, out, progress=True)
    assert "reading store" in capsys.readouterr().err
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
    assert any("held at pathology.facet_hypertrophy_mm = 1" in " ".join(t.get_text().split()) for t in fig.texts)
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


# ------------------------------------------------------- issue 13: layout --
def test_pdf_paper_sizes_and_page_numbers(tmp_path):
    """Every page has the requested paper size; long tables split with their header; page k of N in the footer."""
    from sim.plots import document as doc

    png = tmp_path / "fig.png"
    fig, ax = st.plt.subplots(figsize=(10, 6))
    ax.plot([0, 1], [0, 1])
    fig.savefig(png, dpi=50)
    st.plt.close(fig)
    rows = [[f"parameter_{i}", f"{i * 0.5:g}", "mm", "a long source note " * (i % 3)] for i in range(120)]
    d = doc.Document("A title", "a subtitle", ["meta"], [doc.Heading("Findings"), doc.Paragraph("word " * 400),
                                                          doc.Table(["name", "value", "unit", "source"], rows, (1,)),
                                                          doc.Figure(png, "caption", "fig", (10.0, 6.0)),
                                                          doc.Figure(png, "caption", "fig", (10.0, 6.0))])
    for paper, size in (("a4", A4_PT), ("letter", LETTER_PT)):
        path = tmp_path / f"{paper}.pdf"
        n = doc.write_pdf(d, path, paper)
        sizes = pdf_page_sizes(path)
        assert len(sizes) == n >= 3
        assert all(s == pytest.approx(size, abs=0.5) for s in sizes)
    layout = doc._Layout("a4")
    pages = layout.place(d)
    texts = [[op[3] for op in page if op[0] == "text"] for page in pages]
    assert sum(t.count("name") for t in texts) >= 2  # the table's header repeats on the next page
    for page in pages:  # nothing is placed beyond the text area
        for op in page:
            if op[0] in ("text", "image"):
                assert op[2] <= layout.bottom + 1e-6
            if op[0] == "image":
                assert op[1] >= doc.MARGIN_IN["left"] - 1e-6
                assert op[1] + op[3] <= layout.page_w - doc.MARGIN_IN["right"] + 1e-6


def test_wrapped_text_fits_the_text_width():
    from sim.plots import document as doc

    m = doc._Measure()
    lines = m.wrap("Spine versus hip: " + "matches spinal referral rather than hip-joint pain " * 12, 6.0, 9.5)
    assert len(lines) > 3 and all(m.width_in(line, 9.5) <= 6.0 for line in lines)


def test_unknown_paper_is_one_line_error(tmp_path):
    from sim.errors import SimInputError
    from sim.plots.document import check_paper

    with pytest.raises(SimInputError, match="allowed: a4, letter"):
        check_paper("a5")


def test_sweep_title_from_sweep_name(tmp_path):
    import xarray as xr

    from sim.report import sweep_title

    ds = xr.Dataset(attrs={"title": "slip_x_height_loss", "description": "slip against height loss"})
    assert sweep_title(ds, tmp_path / "whatever.zarr") == ("Sweep report: slip_x_height_loss",
                                                           "slip against height loss")
    assert sweep_title(xr.Dataset(), tmp_path / "store.zarr")[0] == "Sweep report: store.zarr"


def test_scenario_findings_have_numbers_and_spine_vs_hip():
    from sim.plots.findings import scenario_findings

    scenario = sim.load_scenario(SCENARIOS / "central_stenosis.toml")
    f = scenario_findings(scenario, sim.simulate(scenario))
    assert all(re.search(r"kPa \(\d+ mmHg\)", line) for line in f["compression"] if "squeezed most" in line)
    assert f["spine_vs_hip"].startswith("Spine versus hip")
    assert f["posture"] and f["pain"]


# ------------------------------------------------------ issue 13: figures --
def test_map_colour_scale_follows_the_data_and_axes_stay_in_range(grid_store):
    import xarray as xr

    ds = xr.open_zarr(grid_store)
    for root in ("l4", "l5"):
        fig = wf.pressure_map_figure(ds, root)
        da = wf.l4_pressure(ds) if root == "l4" else ds["l5_pressure_kpa"]
        top = float(da.max())
        mesh = fig.axes[0].collections[0]
        assert mesh.get_clim()[1] == pytest.approx(top if top > 0 else st.grade_thresholds()["pressure_kpa"]["mild"])
        x = ds["pathology.disc_height_loss_mm"].values
        y = ds["pathology.slip_mm"].values
        assert fig.axes[0].get_xlim() == pytest.approx((x.min(), x.max()))
        assert fig.axes[0].get_ylim() == pytest.approx((y.min(), y.max()))
        st.plt.close(fig)


def test_notes_fit_inside_the_figure(grid_store):
    import xarray as xr

    fig = wf.pressure_map_figure(xr.open_zarr(grid_store), "l5")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    for text in fig.texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= -1 and box.x1 <= width + 1, text.get_text()[:40]
    st.plt.close(fig)


def test_root_and_ganglion_are_drawn_inside_the_foramen():
    from sim.engine import foramen_shapes
    from sim.geometry import UPPER_CHAMBER

    scenario = sim.load_scenario(SCENARIOS / "foraminal_herniation_left.toml")
    mobility = scenario.values["anatomy.root_bed_mobility_mm"]
    for posture in ("standing", "extension"):
        shape = foramen_shapes(scenario, posture)["left"]
        n, c = shape["faces"]
        for d in (shape["root_diameter_mm"], shape["drg_diameter_mm"]):
            x, y, r = sf.root_circle(n, c, d, mobility)
            assert 0 < r <= 0.5 * d
            assert np.all(n[list(UPPER_CHAMBER)] @ np.array([x, y]) + r <= c[list(UPPER_CHAMBER)] + 1e-6)


def test_mechanics_figure_carries_in_vivo_idp():
    scenario = sim.load_scenario(SCENARIOS / "healthy.toml")
    fig = sf.mechanics_figure(scenario, sim.simulate(scenario, postures=["supine", "standing", "flexion"]))
    idp_ax = [ax for ax in fig.axes if ax.get_title().startswith("Intradiscal")][0]
    assert any("Wilke 1999" in t.get_text() for t in idp_ax.get_legend().get_texts())
    st.plt.close(fig)


def test_zero_inflated_outputs_show_share_above_zero(population_store):
    import xarray as xr

    from sim.plots import population as pop

    ds = xr.open_zarr(population_store)
    fig = wf.distributions_figure(ds)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels()]
    assert any("% > 0" in lbl for lbl in labels)
    st.plt.close(fig)
    s = pop.summarise(ds, ["l5_pressure_kpa"], progress=False)
    out = s.outputs["l5_pressure_kpa"]
    values = ds["l5_pressure_kpa"].max("side")
    for p in s.postures:
        v = values.sel(posture=p).values
        assert out.share_positive_pct(p) == pytest.approx(100 * np.mean(v > 0))
        if np.any(v > 0):  # the box is the non-zero part
            assert out.quantiles[p][2] == pytest.approx(np.median(v[v > 0]), rel=1e-5)


def test_chunked_summary_equals_one_pass(population_store):
    import xarray as xr

    from sim.plots import population as pop

    ds = xr.open_zarr(population_store)
    names = ["l4_max_pressure_kpa", "idp_mpa"]
    a = pop.summarise(ds, names, chunk=7, progress=False)
    b = pop.summarise(ds, names, chunk=10_000, progress=False)
    for name in ("l4_grade", "l5_grade", "distribution"):
        assert all(np.array_equal(a.counts[name][p], b.counts[name][p]) for p in a.postures)
        assert sum(a.counts[name][a.postures[0]]) == ds.sizes["sample"]
    for name in names:
        for p in a.postures:
            assert np.allclose(a.outputs[name].quantiles[p], b.outputs[name].quantiles[p], equal_nan=True)
    _, labels, share = wf.shares(ds, "l5_grade")
    assert a.shares_pct("l5_grade") == pytest.approx(share)


# --------------------------------------------------- issue 13: README figures --
def test_every_readme_figure_comes_from_a_shipped_command():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "scripts" / "make_figures.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"docs/figures/([\w.-]+\.png)", readme))
    assert shown and shown <= set(mk.FIGURES)
    outputs = {part.split("/", 1)[1] for cmd in mk.COMMANDS for part in cmd if part.startswith("{work}/")}
    assert {p.split("/")[0] for p in mk.FIGURES.values()} <= outputs
    for cmd in mk.COMMANDS:  # inputs ship with the project
        for part in cmd:
            if part.startswith("configs/"):
                assert (ROOT / part).is_file(), part
    for line in mk.command_lines():
        assert line.split(" DIR")[0].replace("sim ", "", 1).split()[0] in ("run", "report", "sweep")
