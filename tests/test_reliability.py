"""Nothing silently wrong: partial stores read as missing, resumes only of the very same sweep,
reports that refuse or label incomplete stores and appear whole or not at all."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.errors import SimInputError
from sim.sweep import compute_chunk, make_plan, run_sweep, spec_from_dict
from sim.sweep import store as st

ROOT = Path(__file__).resolve().parents[1]
HEALTHY = str(ROOT / "configs" / "scenarios" / "healthy.toml")


def _data(postures=("standing", "flexion"), grid=None, population=None, chunk=64, **head):
    data = {"sweep": {"scenario": HEALTHY, "postures": list(postures), "chunk_configs": chunk, **head}}
    if grid is not None:
        data["grid"] = grid
    if population is not None:
        data["population"] = population
    return data


POP = {"size": 200, "seed": 3,
       "anatomy.foraminal_height_mm": {"dist": "normal", "mean": 20.0, "sd": 2.0},
       "pathology.herniation_zone": {"dist": "choice", "values": ["none", "foraminal"]}}


def _partial_store(path, data, chunks=(0,)):
    """A store with only ``chunks`` written, as a killed sweep leaves it."""
    spec = spec_from_dict(data)
    plan = make_plan(spec)
    st.create_store(path, plan, {st.HASH_ATTR: spec.spec_hash(), "sweep_complete": 0})
    writer = st.ChunkWriter(str(path), plan)
    for k in chunks:
        writer.write(*compute_chunk(plan, k))
    writer.finish()
    return plan


# ------------------------------------------------------------- missing is missing --
def test_unwritten_entries_read_as_missing_with_plain_xarray(tmp_path):
    path = tmp_path / "part.zarr"
    plan = _partial_store(path, _data(population=POP))
    assert plan.n_chunks > 2
    ds = xr.open_zarr(path)
    written = plan.region(0)[0]  # the sample range of chunk 0
    for name in list(plan.outputs) + list(plan.sampled):
        values = np.asarray(ds[name].values, float)
        unwritten = np.delete(values, np.arange(written.start, written.stop), axis=0)
        assert np.isnan(unwritten).all(), f"{name}: an unwritten entry reads as a value"
        assert not np.isnan(values[written]).any(), name  # written: a value (times may be inf: never)


def test_code_arrays_fill_value_matches_fillvalue_attribute(tmp_path):
    path = tmp_path / "part.zarr"
    plan = _partial_store(path, _data(population=POP))
    categorical = [n for n in plan.outputs if n in ("l4_grade", "l5_grade", "distribution")]
    for name in categorical + ["pathology.herniation_zone"]:
        meta = json.loads((path / name / "zarr.json").read_text())
        assert meta["fill_value"] == meta["attributes"]["_FillValue"] == st.CODE_FILL, name


# ------------------------------------------------------ resume the very same sweep --
def _begun(tmp_path, data):
    out = tmp_path / "s.zarr"
    run_sweep(spec_from_dict(data), out=out)
    return out


@pytest.mark.parametrize("change, words", [
    (lambda d: d["sweep"].update(postures=["flexion", "standing"]), "postures"),
    (lambda d: d.update(grid=dict(reversed(list(d["grid"].items())))), "grid axes"),
    (lambda d: d["grid"].update({"pathology.slip_mm": [0.0, 3.0]}), "grid axes"),
    (lambda d: d["sweep"].update(outputs=["l4_pressure_kpa", "l5_pressure_kpa"]), "output selection"),
    (lambda d: d.update(fixed={"pathology.disc_bulge_mm": 1.0}), "pathology.disc_bulge_mm"),
])
def test_resume_refuses_any_change_and_names_it(tmp_path, change, words):
    data = _data(grid={"pathology.slip_mm": [0.0, 2.0], "pathology.disc_height_loss_mm": [0.0, 1.0, 2.0]})
    out = _begun(tmp_path, data)
    changed = json.loads(json.dumps(data))
    change(changed)
    with pytest.raises(SimInputError, match=words):
        run_sweep(spec_from_dict(changed), out=out, resume=True)


def test_resume_refuses_reordered_population(tmp_path):
    data = _data(population=POP)
    out = _begun(tmp_path, data)
    pop = {"size": 200, "seed": 3, **dict(reversed([(k, v) for k, v in POP.items() if "." in k]))}
    with pytest.raises(SimInputError, match="population"):
        run_sweep(spec_from_dict(_data(population=pop)), out=out, resume=True)


def test_resume_refuses_changed_model(tmp_path, monkeypatch):
    from sim.sweep import spec as spec_module

    out = _begun(tmp_path, _data(grid={"pathology.slip_mm": [0.0, 2.0]}))
    monkeypatch.setattr(spec_module, "model_sha256", lambda: "0" * 64)
    with pytest.raises(SimInputError, match="model"):
        run_sweep(spec_from_dict(_data(grid={"pathology.slip_mm": [0.0, 2.0]})), out=out, resume=True)


def test_model_hash_sees_a_changed_constant(tmp_path):
    import shutil

    from sim.sweep.spec import model_sha256

    copy = tmp_path / "sim"
    shutil.copytree(ROOT / "sim", copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = model_sha256(copy)
    assert before == model_sha256(ROOT / "sim")
    source = copy / "params.py"  # a constant changed between kill and resume
    source.write_text(source.read_text() + "\n_CHANGED = 1.0\n")
    changed = model_sha256(copy)
    assert changed != before
    (copy / "report.py").write_text("# the report does not change the numbers\n")
    assert model_sha256(copy) == changed
    data = sorted(copy.glob("data/*.toml"))[0]
    data.write_text(data.read_text() + "\n")
    assert model_sha256(copy) != changed


# ------------------------------------------------------------------------ reports --
def _cli(*argv):
    from sim.cli import main

    return main([str(a) for a in argv])


def test_report_refuses_an_incomplete_store(tmp_path, capsys):
    path = tmp_path / "part.zarr"
    plan = _partial_store(path, _data(population=POP))
    assert _cli("report", path, "--out", tmp_path / "rep") == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert f"is incomplete: 1 of {plan.n_chunks} chunks written" in err and "--resume" in err
    assert not (tmp_path / "rep").exists()


def test_partial_report_is_labelled_and_counts_what_was_computed(tmp_path, capsys):
    path = tmp_path / "part.zarr"
    plan = _partial_store(path, _data(population=POP), chunks=(0, 1))
    computed = sum(plan.region(k)[0].stop - plan.region(k)[0].start for k in (0, 1))
    assert _cli("report", path, "--out", tmp_path / "rep", "--allow-partial") == 0
    page = (tmp_path / "rep" / "report.html").read_text()
    assert f"2 of {plan.n_chunks} chunks" in page
    assert f"n = {computed}<" in page
    figures = list((tmp_path / "rep").glob("*.png"))
    assert len(figures) == 3  # caption and alt text of every figure say so
    assert page.count(f"[partial store: 2 of {plan.n_chunks} chunks written]") == 2 * len(figures)
    assert f"n = {POP['size']}" not in page


def test_report_appears_whole_or_not_at_all(tmp_path, monkeypatch):
    from sim.plots import sweep_figures as wf

    store = tmp_path / "s.zarr"
    run_sweep(spec_from_dict(_data(population=POP)), out=store)
    rep = tmp_path / "rep"
    assert _cli("report", store, "--out", rep) == 0
    before = {p.name: p.read_bytes() for p in rep.iterdir()}

    def broken(ds):
        raise RuntimeError("injected failure in the middle of a report")

    monkeypatch.setattr(wf, "shares_figure", broken)
    assert _cli("report", store, "--out", rep) == 1  # an internal error (here: injected)
    assert {p.name: p.read_bytes() for p in rep.iterdir()} == before
    assert _cli("report", store, "--out", tmp_path / "new") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep", "s.zarr"]  # no half report, no staging left


def test_report_of_a_grid_over_a_categorical_parameter(tmp_path):
    store = tmp_path / "c.zarr"
    data = _data(grid={"pathology.herniation_zone": ["none", "central", "foraminal"],
                       "pathology.slip_mm": [0.0, 2.0]})
    data["fixed"] = {"pathology.herniation_size_mm": 2.0}
    run_sweep(spec_from_dict(data), out=store)
    assert _cli("report", store, "--out", tmp_path / "rep") == 0
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "none, central, foraminal" in page


def _shrunk(data: dict) -> dict:
    """A shipped sweep at test size: two values per grid axis, 96 individuals, small chunks."""
    data = json.loads(json.dumps(data))
    data["sweep"]["chunk_configs"] = 64
    for key, axis in data.get("grid", {}).items():
        data["grid"][key] = {**axis, "num": 2} if isinstance(axis, dict) and "num" in axis else axis[:2]
    if "population" in data:
        data["population"]["size"] = 96
    return data


@pytest.mark.slow
@pytest.mark.parametrize("sweep_file", sorted((ROOT / "configs" / "sweeps").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_sweep_runs_and_reports(sweep_file, tmp_path, capsys):
    import tomllib

    data = _shrunk(tomllib.loads(sweep_file.read_text()))
    store = tmp_path / "s.zarr"
    run_sweep(spec_from_dict(data, sweep_file.parent, str(sweep_file)), out=store)
    assert _cli("report", store, "--out", tmp_path / "rep") == 0, capsys.readouterr().err
    assert (tmp_path / "rep" / "report.html").stat().st_size > 0
    assert (tmp_path / "rep" / "report.pdf").read_bytes().rstrip().endswith(b"%%EOF")


#: Words a shipped scenario's report must show beyond the common checks: an input it changes and its posture signature
REPORT_WORDS = {"central_stenosis": ("pathology.ligamentum_flavum_hypertrophy_mm", "neurogenic-claudication")}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", sorted((ROOT / "configs" / "scenarios").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_and_reports(scenario, tmp_path, capsys):
    """``sim run`` and ``sim report`` of each shipped scenario; the report is built once and checked whole
    (figures, HTML, PDF, the spine-versus-hip finding and the page numbers in the PDF text)."""
    import shutil
    import subprocess

    from report_checks import SCENARIO_FIGURES, check_report, png_size

    import sim

    assert _cli("run", scenario, "--format", "json") == 0
    records = json.loads(capsys.readouterr().out)
    assert records and all(r["l4_grade"] in ("none", "contact", "mild", "moderate", "severe") for r in records)
    out = tmp_path / "rep"
    assert _cli("report", scenario, "--out", out) == 0, capsys.readouterr().err
    assert (out / "report.pdf").read_bytes().rstrip().endswith(b"%%EOF")
    postures = sim.load_scenario(scenario).postures
    charts = {f"body_chart_{p}" for p in postures}  # beside the page, not in it
    embedded = sorted(p.stem for p in out.glob("*.png") if p.stem not in charts)
    assert set(SCENARIO_FIGURES) <= set(embedded)
    check_report(out, embedded)
    for chart in charts:  # one body chart per posture, at print resolution
        w, h = png_size(out / f"{chart}.png")
        assert w > 1200 and h > 1200, (chart, w, h)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert all(word in page for word in REPORT_WORDS.get(scenario.stem, ())), scenario.stem
    if shutil.which("pdftotext"):  # poppler's: the PDF carries the text of the page
        text = subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Spine versus hip" in text and text.index("Findings") < text.index("Appendix")
        assert re.search(r"page 1 of \d+", text)


# ------------------------------------------------------ one line for every user failure --
HUGE = "9" * 400


def _one_line_exit_2(capsys, *argv):
    code = _cli(*argv)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("text, words", [
    (f"[anatomy]\nbody_mass_kg = {HUGE}\n", "too large"),                       # OverflowError before
    ("a = " + "[" * 3000 + "]" * 3000 + "\n", "nests"),                          # RecursionError before
    ("[anatomy]\nforaminal_height_mm = 8.0\ndisc_height_posterior_mm = 16.0\n", "foraminal_height_mm"),
    ("x = \"" + "a" * (1 << 20) + "\"\n", "limited to 1048576 bytes"),           # unbounded read before
])
def test_bad_scenario_files_are_one_line(tmp_path, capsys, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert words in _one_line_exit_2(capsys, "run", path)


def test_fifo_and_devices_are_refused_without_reading(tmp_path, capsys):
    import os

    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    assert "not a regular file" in _one_line_exit_2(capsys, "run", fifo)
    assert "not a regular file" in _one_line_exit_2(capsys, "run", "/dev/zero")


def test_repeated_postures_are_refused(tmp_path, capsys):
    assert "given twice" in _one_line_exit_2(capsys, "run", HEALTHY, "--posture", "standing", "--posture", "standing")
    path = tmp_path / "twice.toml"
    path.write_text('[postures]\nrun = ["standing", "sitting", "standing"]\n')
    assert "repeats posture 'standing'" in _one_line_exit_2(capsys, "run", path)


@pytest.mark.parametrize("override, words", [
    ("scenario.author=me", "scenario.author"),
    ("anatomy.body_mass_kg=70\nx = 1", "line break"),
])
def test_bad_set_values_are_one_line(capsys, override, words):
    assert words in _one_line_exit_2(capsys, "run", HEALTHY, "--set", override)


def _sweep_file(tmp_path, body: str, head: str = "") -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(f'[sweep]\nscenario = "{HEALTHY}"\npostures = ["standing"]\n{head}' + body)
    return path


@pytest.mark.parametrize("body, words", [
    ('[grid]\n"pathology.slip_mm" = { start = 0.0, stop = 1.0, num = 100000000000 }\n', "values on one axis"),
    ('[grid]\n"pathology.slip_mm" = { start = 0.0, stop = 1.0, num = 100000 }\n'
     '"pathology.disc_bulge_mm" = { start = 0.0, stop = 1.0, num = 100000 }\n', "add --yes"),
    ("[population]\nsize = 100\nseed = 1\n", "no distributions"),
    ('[population]\nsize = 100\n"anatomy.foraminal_height_mm" = { dist = "truncnormal", mean = 10.0, sd = 0.01, '
     "min = 29.0, max = 30.0 }\n", "same value"),
    (f'[grid]\n"pathology.slip_mm" = [0.0, {HUGE}]\n', "too large"),
])
def test_bad_sweeps_are_one_line_and_write_nothing(tmp_path, capsys, body, words):
    path = _sweep_file(tmp_path, body)
    assert words in _one_line_exit_2(capsys, "sweep", path, "--out", tmp_path / "s.zarr", "--quiet")
    assert not (tmp_path / "s.zarr").exists()


def test_store_that_does_not_fit_on_the_disk_is_refused(tmp_path, capsys):
    body = ('[grid]\n"pathology.slip_mm" = { start = 0.0, stop = 1.0, num = 100000 }\n'
            '"pathology.disc_bulge_mm" = { start = 0.0, stop = 1.0, num = 100000 }\n')
    err = _one_line_exit_2(capsys, "sweep", _sweep_file(tmp_path, body), "--out", tmp_path / "s.zarr", "--yes")
    assert "GB free" in err and not (tmp_path / "s.zarr").exists()


def test_out_below_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    path = _sweep_file(tmp_path, '[grid]\n"pathology.slip_mm" = [0.0, 1.0]\n')
    assert "cannot be written" in _one_line_exit_2(capsys, "sweep", path, "--out", tmp_path / "afile" / "s.zarr",
                                                   "--quiet")
    assert "is a file" in _one_line_exit_2(capsys, "report", HEALTHY, "--out", tmp_path / "afile")


def test_unreachable_scheduler_is_one_line_and_leaves_no_store(tmp_path, capsys, monkeypatch):
    pytest.importorskip("dask.distributed")
    from sim.sweep import run as run_module

    monkeypatch.setattr(run_module, "SCHEDULER_TIMEOUT_S", 2.0)
    path = _sweep_file(tmp_path, '[grid]\n"pathology.slip_mm" = [0.0, 1.0]\n')
    err = _one_line_exit_2(capsys, "sweep", path, "--out", tmp_path / "s.zarr", "--scheduler", "tcp://127.0.0.1:9",
                           "--quiet")
    assert "--scheduler" in err and not (tmp_path / "s.zarr").exists()


def test_ctrl_c_ends_a_sweep_with_one_line_and_exit_130(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    path = _sweep_file(tmp_path, '[population]\nsize = 400000\nseed = 1\n'
                       '"anatomy.foraminal_height_mm" = { dist = "uniform", min = 15.0, max = 25.0 }\n',
                       head="chunk_configs = 512\n")
    store = tmp_path / "s.zarr"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(store), "--quiet"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    markers = store / "chunk_done" / "c"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if markers.is_dir() and len(os.listdir(markers)) >= 3:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the sweep ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "--resume" in lines[0], err
    assert out == b""


# ---------------------------------------------------------------------- the lock --
def test_second_writer_is_refused_and_stale_lock_taken_over(tmp_path):
    import os
    import socket
    import subprocess
    import sys

    from sim.sweep.run import LOCK_NAME

    data = _data(grid={"pathology.slip_mm": [0.0, 2.0]})
    store = tmp_path / "s.zarr"
    plan = _partial_store(store, data, chunks=())
    assert plan.n_chunks >= 1
    spec = spec_from_dict(data)
    # _partial_store wrote a bare store; give it the real spec attrs so --resume accepts it
    group = st.open_group(str(store))
    group.attrs.update({st.HASH_ATTR: spec.spec_hash(), st.SPEC_ATTR: json.dumps(spec.resolved())})
    lock = store / LOCK_NAME
    lock.write_text(f"{os.getpid()} {socket.gethostname()}")  # a live writer
    with pytest.raises(SimInputError, match="being written by another sim sweep"):
        run_sweep(spec, out=store, resume=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(f"{dead.stdout.strip()} {socket.gethostname()}")  # a killed writer
    run = run_sweep(spec, out=store, resume=True)
    assert run.computed_chunks == run.chunks and not lock.exists()


def test_silent_non_dask_listener_is_one_line_within_the_deadline(tmp_path, capsys, monkeypatch):
    pytest.importorskip("dask.distributed")
    import socket
    import time

    from sim.sweep import run as run_module

    monkeypatch.setattr(run_module, "SCHEDULER_TIMEOUT_S", 2.0)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)  # accepts the connection, never answers (before: the sweep hung)
    try:
        path = _sweep_file(tmp_path, '[grid]\n"pathology.slip_mm" = [0.0, 1.0]\n')
        t0 = time.monotonic()
        err = _one_line_exit_2(capsys, "sweep", path, "--out", tmp_path / "s.zarr", "--quiet", "--scheduler",
                               f"tcp://127.0.0.1:{server.getsockname()[1]}")
        assert time.monotonic() - t0 < 30 and "within 2 s" in err
        assert not (tmp_path / "s.zarr").exists()
    finally:
        server.close()


def test_local_cluster_and_dashboard_listen_on_loopback(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    from sim.sweep import run as run_module

    seen = {}

    def fake_cluster(**kwargs):
        seen.update(kwargs)
        raise OSError("not started in this test")

    monkeypatch.setattr(distributed, "LocalCluster", fake_cluster)
    with pytest.raises(SimInputError, match="--workers 2"):
        run_module._connect(workers=2)
    assert seen["host"] == "127.0.0.1" and seen["dashboard_address"].startswith("127.0.0.1:")
