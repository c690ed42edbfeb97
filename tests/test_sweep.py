"""Sweeps: labelled datasets whose every point is the scenario run of the same configuration.

A sweep point is computed by the same fused kernel from the same packed row
as ``sim run``, so the numbers must agree exactly (not to a tolerance);
populations must not depend on how the sweep is chunked; bad input gives one
line naming key, value and allowed range.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim import layout
from sim.engine import pack
from sim.errors import SimInputError
from sim.sweep import (
    Population,
    build_matrix,
    chunk_parameters,
    draw,
    load_sweep,
    make_plan,
    parse_distribution,
    population_samples,
    spec_from_dict,
    sweep,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "configs" / "scenarios"
SWEEPS = ROOT / "configs" / "sweeps"
POSTURES = ["standing", "flexion", "extension"]
NUMERIC = [o for o in layout.OUTPUTS if o not in layout.CATEGORICAL_OUTPUTS]


@pytest.fixture(scope="module")
def grid_ds():
    return sweep(scenario=SCENARIOS / "healthy.toml", postures=POSTURES,
                 grid={"pathology.slip_mm": {"start": 0.0, "stop": 8.0, "num": 5},
                       "pathology.disc_height_loss_mm": [0.0, 2.5]}, chunk_configs=6)


@pytest.fixture(scope="module")
def pop_ds():
    return sweep(scenario=SCENARIOS / "degenerated_disc.toml", postures=POSTURES,
                 population={"size": 300, "seed": 3,
                             "anatomy.foraminal_height_mm": {"dist": "normal", "mean": 20.0, "sd": 2.0},
                             "anatomy.l4_root_diameter_mm": {"dist": "lognormal", "mean": 5.0, "sd": 0.6},
                             "anatomy.foraminal_width_mm": {"dist": "truncnormal", "mean": 7.0, "sd": 1.0,
                                                            "min": 5.0, "max": 9.0},
                             "anatomy.body_mass_kg": {"dist": "uniform", "min": 50.0, "max": 100.0},
                             "pathology.herniation_side": {"dist": "choice", "values": ["left", "right"]}},
                 chunk_configs=256)


def _records(scenario, overrides, postures):
    return sim.simulate(sim.load_scenario(scenario, overrides), postures)


def test_grid_dataset_layout(grid_ds):
    assert dict(grid_ds.sizes) == {"pathology.slip_mm": 5, "pathology.disc_height_loss_mm": 2,
                                   "posture": 3, "side": 2, "chunk": grid_ds.sizes["chunk"]}
    for name in layout.OUTPUTS:  # every result of the layout, derived at run time
        assert grid_ds[name].dims == ("pathology.slip_mm", "pathology.disc_height_loss_mm", "posture", "side")
    assert grid_ds["foraminal_area_mm2"].attrs["units"] == "mm2"
    assert grid_ds["idp_mpa"].attrs["units"] == "MPa"
    assert grid_ds["pathology.slip_mm"].attrs["units"] == "mm"
    assert grid_ds["l4_grade"].attrs["labels"] == list(layout.GRADES)
    assert grid_ds.attrs["grading.mild_pressure_mmhg"] == sim.params.defaults()["grading.mild_pressure_mmhg"]
    assert "pathology.slip_mm" not in grid_ds.attrs  # swept parameters are dimensions, not constants
    assert int(grid_ds["chunk_done"].sum()) == grid_ds.sizes["chunk"] > 1
    assert not np.isnan(grid_ds["foraminal_height_mm"].values).any()


@pytest.mark.parametrize("slip, loss", [(0.0, 0.0), (6.0, 2.5), (8.0, 0.0)])
def test_grid_point_equals_sim_run(grid_ds, slip, loss):
    frame = _records(SCENARIOS / "healthy.toml", {"pathology.slip_mm": slip, "pathology.disc_height_loss_mm": loss},
                     POSTURES)
    point = grid_ds.sel({"pathology.slip_mm": slip, "pathology.disc_height_loss_mm": loss})
    for posture in POSTURES:
        for side in ("left", "right"):
            rec = frame[(frame.posture == posture) & (frame.side == side)].iloc[0]
            here = point.sel(posture=posture, side=side)
            for name in NUMERIC:
                assert float(here[name]) == float(rec[name]), name
            for name, labels in layout.CATEGORICAL_OUTPUTS.items():
                assert labels[int(here[name])] == rec[name], name


def test_population_point_equals_sim_run(pop_ds):
    for i in (0, 137, 299):
        pt = pop_ds.isel(sample=i)
        overrides = {k: float(pt[k]) for k in ("anatomy.foraminal_height_mm", "anatomy.l4_root_diameter_mm",
                                               "anatomy.foraminal_width_mm", "anatomy.body_mass_kg")}
        overrides["pathology.herniation_side"] = pt["pathology.herniation_side"].attrs["labels"][
            int(pt["pathology.herniation_side"])]
        frame = _records(SCENARIOS / "degenerated_disc.toml", overrides, POSTURES)
        for posture in POSTURES:
            rec = frame[(frame.posture == posture) & (frame.side == "left")].iloc[0]
            here = pt.sel(posture=posture, side="left")
            for name in NUMERIC:
                assert float(here[name]) == float(rec[name]), name


def test_population_distributions(pop_ds):
    width = pop_ds["anatomy.foraminal_width_mm"].values
    assert width.min() >= 5.0 and width.max() <= 9.0
    mass = pop_ds["anatomy.body_mass_kg"].values
    assert 50.0 <= mass.min() and mass.max() <= 100.0
    side = pop_ds["pathology.herniation_side"].values
    assert set(np.unique(side)) == {0, 1}
    # 300 samples: mean within 4 standard errors of the target
    height = pop_ds["anatomy.foraminal_height_mm"].values
    assert abs(height.mean() - 20.0) < 4 * 2.0 / np.sqrt(300)
    root = pop_ds["anatomy.l4_root_diameter_mm"].values
    assert abs(root.mean() - 5.0) < 4 * 0.6 / np.sqrt(300) and root.min() > 0


def test_large_sample_moments():
    """Inverse-CDF draws reproduce the requested moments (1e5 draws, 5 standard errors)."""
    rng = np.random.default_rng(0)
    n = 100_000
    d = parse_distribution("anatomy.body_mass_kg", {"dist": "lognormal", "mean": 70.0, "sd": 12.0})
    x = draw(d, n, rng)
    assert abs(x.mean() - 70.0) < 5 * 12.0 / np.sqrt(n) and abs(x.std() - 12.0) < 0.2
    d = parse_distribution("anatomy.foraminal_height_mm", {"dist": "truncnormal", "mean": 20.0, "sd": 2.0,
                                                            "min": 20.0, "max": 30.0})
    x = draw(d, n, rng)  # half-normal: mean = mu + sd * sqrt(2/pi)
    assert x.min() >= 20.0 and abs(x.mean() - (20 + 2 * np.sqrt(2 / np.pi))) < 5 * 2 * 0.6 / np.sqrt(n)


def test_population_independent_of_chunking():
    pop = {"size": 100, "seed": 11, "anatomy.foraminal_height_mm": {"dist": "normal", "mean": 20.0, "sd": 2.0}}
    a = sweep(scenario=SCENARIOS / "healthy.toml", postures=["standing"], population=pop, chunk_configs=7)
    b = sweep(scenario=SCENARIOS / "healthy.toml", postures=["standing"], population=pop, chunk_configs=1000)
    for name in ["anatomy.foraminal_height_mm"] + list(layout.OUTPUTS):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    spec = Population(100, 11, (parse_distribution("anatomy.foraminal_height_mm",
                                                   {"dist": "normal", "mean": 20.0, "sd": 2.0}),), sample_block=16)
    whole = population_samples(spec, 0, 100)["anatomy.foraminal_height_mm"]
    parts = np.concatenate([population_samples(spec, s, min(s + 13, 100))["anatomy.foraminal_height_mm"]
                            for s in range(0, 100, 13)])
    np.testing.assert_array_equal(whole, parts)


def test_chunk_matrix_equals_pack():
    """The fast chunk packing gives exactly the matrix of the public, validating pack()."""
    spec = spec_from_dict({"sweep": {"scenario": str(SCENARIOS / "subarticular_herniation_right.toml"),
                                     "postures": ["sitting", "lifting"], "chunk_configs": 1000},
                           "grid": {"pathology.herniation_zone": ["none", "subarticular"],
                                    "anatomy.lateral_recess_depth_mm": [5.0, 6.0]},
                           "population": {"size": 5, "seed": 1,
                                          "anatomy.l5_root_diameter_mm": {"dist": "uniform", "min": 4.0, "max": 5.0}}})
    plan = make_plan(spec)
    params, samples = chunk_parameters(plan, 0)
    matrix = build_matrix(plan, params)
    zones = np.repeat(np.repeat(["none", "subarticular"], 2 * 5), 2)
    depth = np.tile(np.repeat([5.0, 6.0], 5 * 2), 2)
    root = np.tile(np.repeat(samples["anatomy.l5_root_diameter_mm"], 2), 4)
    batch = {k: np.full(40, v, dtype=object) if isinstance(v, str) else np.full(40, v)
             for k, v in spec.scenario.values.items()}
    batch.update({"pathology.herniation_zone": zones, "anatomy.lateral_recess_depth_mm": depth,
                  "anatomy.l5_root_diameter_mm": root, "posture": np.tile(["sitting", "lifting"], 20)})
    expected = pack(batch)[0]
    np.testing.assert_array_equal(matrix, expected)


def test_sweep_kernel_equals_batch_kernel():
    """The sweep kernel (rows built in the kernel, result-major) gives the batch kernel's numbers bit for bit."""
    from sim.engine import run_engine
    from sim.sweep import compute_chunk

    spec = spec_from_dict({"sweep": {"scenario": str(SCENARIOS / "combined_degenerative.toml"),
                                     "postures": ["standing", "sitting", "lateral_bend_left", "lifting"],
                                     "chunk_configs": 60},
                           "grid": {"pathology.herniation_side": ["left", "right"]},
                           "population": {"size": 40, "seed": 3,
                                          "anatomy.foraminal_height_mm": {"dist": "normal", "mean": 19.0, "sd": 2.0},
                                          "pathology.slip_mm": {"dist": "uniform", "min": 0.0, "max": 4.0}}})
    plan = make_plan(spec)
    assert plan.n_chunks > 1
    for k in range(plan.n_chunks):
        _, out, _ = compute_chunk(plan, k)
        params, _ = chunk_parameters(plan, k)
        expected = run_engine(build_matrix(plan, params), plan.table, coef=plan.coef)
        got = out.reshape(len(layout.OUTPUTS), -1, 2).transpose(1, 2, 0)
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("data, words", [
    ({"grid": {"anatomy.foraminal_hieght_mm": [1.0]}}, ["anatomy.foraminal_hieght_mm", "foraminal_height_mm"]),
    ({"grid": {"pathology.slip_mm": [0.0, 60.0]}}, ["pathology.slip_mm", "60", "0 to 50 mm"]),
    ({"grid": {"pathology.herniation_zone": ["none", "lateral"]}}, ["herniation_zone", "lateral", "foraminal"]),
    ({"population": {"size": 10, "anatomy.foraminal_height_mm": {"dist": "gamma", "mean": 20.0}}},
     ["anatomy.foraminal_height_mm", "gamma", "truncnormal"]),
    ({"population": {"size": 10, "anatomy.foraminal_height_mm": {"dist": "uniform", "min": 5.0, "max": 25.0}}},
     ["anatomy.foraminal_height_mm", "min = 5", "8 to 30 mm"]),
    ({"population": {"size": 10, "pathology.slip_mm": {"dist": "normal", "mean": 1.0, "sd": 2.0}}},
     ["pathology.slip_mm", "outside the allowed range 0 to 50 mm", "truncnormal"]),
    ({"population": {"size": 10, "anatomy.foraminal_height_mm": {"dist": "truncnormal", "mean": 20.0, "sd": 2.0,
                                                                 "min": 10.0, "max": 31.0}}},
     ["anatomy.foraminal_height_mm", "max = 31", "8 to 30 mm"]),
    ({"population": {"size": 10, "anatomy.unknown_mm": {"dist": "normal", "mean": 1.0, "sd": 1.0}}},
     ["anatomy.unknown_mm"]),
    ({"population": {"size": 0, "anatomy.foraminal_height_mm": {"dist": "normal", "mean": 20.0, "sd": 1.0}}},
     ["population.size", "0"]),
    ({"grid": {"pathology.disc_height_loss_mm": [0.0, 8.5]}}, ["disc_height_loss_mm", "8.5", "0 to 8 mm"]),
    ({"fixed": {"anatomy.disc_height_posterior_mm": 6.0}, "grid": {"pathology.disc_height_loss_mm": [0.0, 5.5]}},
     ["disc_height_loss_mm", "5.5", "allowed range 0 to 5 mm"]),
    ({"sweep": {"postures": ["standing", "handstand"]}}, ["handstand", "standing"]),
    ({"sweep": {"outputs": ["l4_pressure_kpa", "l4_presure_kpa"]}, "grid": {"pathology.slip_mm": [0.0]}},
     ["sweep.outputs", "l4_presure_kpa", "l4_pressure_kpa"]),
    ({"sweep": {"outputs": []}, "grid": {"pathology.slip_mm": [0.0]}}, ["sweep.outputs", "[]"]),
])
def test_bad_input_one_line(data, words):
    data = {k: dict(v) for k, v in data.items()}
    data.setdefault("sweep", {})["scenario"] = str(SCENARIOS / "healthy.toml")
    with pytest.raises(SimInputError) as err:
        spec = spec_from_dict(data)
        sweep(spec)
    msg = str(err.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)


def test_selected_outputs_equal_full_store(grid_ds, tmp_path):
    """``outputs`` stores a subset with exactly the numbers of the full store; the report names what is missing."""
    names = ["l5_grade", "l4_pressure_kpa", "idp_mpa"]
    part = sweep(scenario=SCENARIOS / "healthy.toml", postures=POSTURES, outputs=names,
                 grid={"pathology.slip_mm": {"start": 0.0, "stop": 8.0, "num": 5},
                       "pathology.disc_height_loss_mm": [0.0, 2.5]}, chunk_configs=6)
    stored = [n for n in part.data_vars if n != "chunk_done"]
    assert stored == ["idp_mpa", "l4_pressure_kpa", "l5_grade"]  # in layout order
    for name in stored:
        np.testing.assert_array_equal(part[name].values, grid_ds[name].values)
    from sim.report import sweep_report

    with pytest.raises(SimInputError, match="lacks results every report draws: l5_pressure_kpa.*sweep.outputs"):
        sweep_report(part, tmp_path / "rep")


def test_default_chunk_keeps_result_bytes_per_chunk():
    from sim.sweep import DEFAULT_CHUNK_CONFIGS, default_chunk_configs

    assert default_chunk_configs(layout.OUTPUTS) == DEFAULT_CHUNK_CONFIGS
    # a sixth of the results: the largest power of two not above len(OUTPUTS) / 6 more configurations per chunk
    factor = 2 ** int(np.floor(np.log2(len(layout.OUTPUTS) / 6)))
    assert default_chunk_configs(layout.OUTPUTS[:6]) == factor * DEFAULT_CHUNK_CONFIGS
    spec = spec_from_dict({"sweep": {"scenario": str(SCENARIOS / "healthy.toml"), "outputs": ["idp_mpa"]},
                           "grid": {"pathology.slip_mm": [0.0, 1.0]}})
    assert spec.chunk_configs == default_chunk_configs(["idp_mpa"]) <= 2**20


def test_corner_check_is_sound_and_exact_check_decides():
    """Corners passing means every configuration passes; a failing corner that no sample reaches still runs."""
    from sim.params import check_consistency
    from sim.sweep import corners_pass

    def population(hl_max, hp_min):
        return spec_from_dict({"sweep": {"scenario": str(SCENARIOS / "healthy.toml"), "postures": ["standing"]},
                               "population": {"size": 2000, "seed": 4,
                                              "pathology.disc_height_loss_mm": {"dist": "uniform", "min": 0.0,
                                                                                "max": hl_max},
                                              "anatomy.disc_height_posterior_mm": {
                                                  "dist": "truncnormal", "mean": 11.0, "sd": 0.5,
                                                  "min": hp_min, "max": 14.0}}})

    safe, risky = population(4.0, 5.5), population(4.0, 4.5)
    assert corners_pass(make_plan(safe), safe)
    drawn = population_samples(safe.population, 0, 2000)
    check_consistency({**safe.scenario.values, **drawn})  # what the corners promised
    assert not corners_pass(make_plan(risky), risky)  # corner (4.0, 4.5) leaves 0.5 mm ...
    ds = sweep(risky)  # ... but no sample comes near it (13 sd), so the exact check lets it run
    assert not np.isnan(ds["l4_pressure_kpa"].values).any()


def test_ready_sweep_files_parse():
    for path in sorted(SWEEPS.glob("*.toml")):
        spec = load_sweep(path)
        assert spec.n_configs > 0
        make_plan(spec)


def test_cli_sweep_and_refusals(tmp_path, capsys):
    from sim.cli import main

    sweep_file = tmp_path / "small.toml"
    sweep_file.write_text(f'[sweep]\nscenario = "{SCENARIOS / "healthy.toml"}"\npostures = ["standing"]\n'
                          '[grid]\n"pathology.slip_mm" = [0.0, 3.0, 6.0]\n')
    out = tmp_path / "small.zarr"
    assert main(["sweep", str(sweep_file), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "config/s" in err  # the progress bar is on stderr
    assert main(["sweep", str(sweep_file), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--resume" in err and err.count("\n") == 1
    assert main(["sweep", str(sweep_file), "--out", str(out), "--resume", "--quiet"]) == 0  # complete: nothing to do
    assert "0 of 1 chunks" in capsys.readouterr().out
    sweep_file.write_text(sweep_file.read_text().replace("6.0]", "7.0]"))
    assert main(["sweep", str(sweep_file), "--out", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "different sweep spec" in err and err.count("\n") == 1


def test_cli_default_out_in_cwd(tmp_path, monkeypatch, capsys):
    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    sweep_file = tmp_path / "sub" / "tiny.toml"
    sweep_file.parent.mkdir()
    sweep_file.write_text('[sweep]\nscenario = "../scen.toml"\npostures = ["sitting"]\n'
                          '[grid]\n"pathology.disc_bulge_mm" = [0.0, 1.0]\n')
    (tmp_path / "scen.toml").write_text((SCENARIOS / "healthy.toml").read_text())
    assert main(["sweep", str(sweep_file), "--quiet"]) == 0
    assert (tmp_path / "tiny.zarr").is_dir()


def test_import_without_dask():
    code = ("import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
            "import sim; from sim.sweep import sweep\n"
            f"ds = sweep(scenario={str(SCENARIOS / 'healthy.toml')!r}, postures=['standing'],"
            " grid={'pathology.slip_mm': [0.0, 1.0]})\n"
            "assert ds['idp_mpa'].shape == (2, 1, 2)\n"
            "assert 'dask' not in [m.split('.')[0] for m in sys.modules if sys.modules[m] is not None]\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_population_correlation_keeps_marginals_and_correlates():
    """A correlate_with/rho entry correlates the normal scores, leaves its own marginal and the other
    parameters' draws unchanged, and refuses a partner that is not sampled above it."""
    from scipy.stats import spearmanr

    from sim.sweep import population_samples
    from sim.sweep.spec import _population_from

    hp = {"dist": "truncnormal", "mean": 9.0, "sd": 1.0, "min": 6.0, "max": 12.0}
    fh = {"dist": "truncnormal", "mean": 20.0, "sd": 2.0, "min": 14.0, "max": 26.0}
    base = {"size": 20_000, "seed": 3, "anatomy": {"disc_height_posterior_mm": hp, "foraminal_height_mm": fh}}
    corr = {"size": 20_000, "seed": 3, "anatomy": {"disc_height_posterior_mm": hp, "foraminal_height_mm": {
        **fh, "correlate_with": "anatomy.disc_height_posterior_mm", "rho": 0.5}}}
    a = population_samples(_population_from(base, Path(".")), 0, 20_000)
    b = population_samples(_population_from(corr, Path(".")), 0, 20_000)
    np.testing.assert_array_equal(a["anatomy.disc_height_posterior_mm"], b["anatomy.disc_height_posterior_mm"])
    assert abs(spearmanr(a["anatomy.foraminal_height_mm"], a["anatomy.disc_height_posterior_mm"])[0]) < 0.03
    assert 0.44 < spearmanr(b["anatomy.foraminal_height_mm"], b["anatomy.disc_height_posterior_mm"])[0] < 0.52
    assert abs(b["anatomy.foraminal_height_mm"].mean() - a["anatomy.foraminal_height_mm"].mean()) < 0.05
    bad = {"size": 10, "seed": 3, "anatomy": {"foraminal_height_mm": {
        **fh, "correlate_with": "anatomy.disc_height_posterior_mm", "rho": 0.5}, "disc_height_posterior_mm": hp}}
    with pytest.raises(SimInputError, match="sampled above it"):
        _population_from(bad, Path("."))
