"""Nothing lost: a sweep killed at any moment and resumed gives exactly the uninterrupted numbers.

The kill is real (a ``sim sweep`` subprocess, SIGKILL once a few chunks are
marked done); the resumed run must compute only the chunks without a done
marker, and the store must then equal an uninterrupted run bit for bit.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

from sim import layout
from sim.sweep import load_sweep, run_sweep
from sim.sweep_store import DONE_VAR, open_group

ROOT = Path(__file__).resolve().parents[1]
HEALTHY = ROOT / "configs" / "scenarios" / "healthy.toml"


def _sweep_file(tmp_path, size=6_000, chunk=1024):
    path = tmp_path / "kill.toml"
    path.write_text(f"""
[sweep]
scenario = "{HEALTHY}"
postures = ["standing", "sitting", "flexion", "extension"]
chunk_configs = {chunk}
[grid]
"pathology.disc_height_loss_mm" = [0.0, 2.0]
[population]
size = {size}
seed = 5
"anatomy.foraminal_height_mm" = {{ dist = "truncnormal", mean = 20.0, sd = 2.0, min = 14.0, max = 26.0 }}
"anatomy.foraminal_width_mm" = {{ dist = "uniform", min = 5.0, max = 9.0 }}
""")
    return path


def _assert_same(a_path, b_path):
    a, b = xr.open_zarr(a_path), xr.open_zarr(b_path)
    assert a.attrs["sweep_spec_sha256"] == b.attrs["sweep_spec_sha256"]
    for name in list(layout.OUTPUTS) + ["anatomy.foraminal_height_mm", "anatomy.foraminal_width_mm", DONE_VAR]:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    assert not np.isnan(a["l4_pressure_kpa"].values).any()


def _done(store):
    return np.asarray(open_group(store, "r")[DONE_VAR][:]) == 1


def test_kill_and_resume_equals_uninterrupted(tmp_path):
    sweep_file = _sweep_file(tmp_path)
    killed = tmp_path / "killed.zarr"
    cmd = [sys.executable, "-m", "sim.cli", "sweep", str(sweep_file), "--out", str(killed), "--quiet"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    marker_dir = killed / DONE_VAR / "c"
    # the context closes the pipes (no ResourceWarning) and waits for the killed process
    with subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if marker_dir.is_dir() and len(os.listdir(marker_dir)) >= 3:
                break
            time.sleep(0.005)
        assert proc.poll() is None, f"the sweep ended before it could be killed: {proc.stderr.read().decode()}"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done_before = _done(killed)
    assert 0 < done_before.sum() < done_before.size

    result = subprocess.run(cmd + ["--resume"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    todo = int(done_before.size - done_before.sum())
    assert f"resumed: {todo} of {done_before.size} chunks computed" in result.stdout  # none twice
    assert _done(killed).all()

    reference = tmp_path / "reference.zarr"
    run_sweep(load_sweep(sweep_file), out=reference)
    _assert_same(killed, reference)


def test_chunk_without_marker_is_recomputed(tmp_path):
    """Data written but marker missing (killed between the two): resume overwrites that chunk."""
    sweep_file = _sweep_file(tmp_path, size=500, chunk=512)
    spec = load_sweep(sweep_file)
    a, b = tmp_path / "a.zarr", tmp_path / "b.zarr"
    run_sweep(spec, out=a)
    run_sweep(spec, out=b)
    group = open_group(str(b))
    group["l4_pressure_kpa"][0, 0:128] = 123.0  # a torn chunk ...
    group["l4_grade"][0, 0:128] = 4
    group[DONE_VAR][0] = 0  # ... without its marker
    group[DONE_VAR][3] = 0  # and one never written at all
    group["idp_mpa"][0, 384:500] = np.nan
    run = run_sweep(spec, out=b, resume=True)
    assert run.computed_chunks == 2
    _assert_same(a, b)


def test_resume_of_missing_store_starts_fresh(tmp_path):
    spec = load_sweep(_sweep_file(tmp_path, size=100, chunk=4096))
    run = run_sweep(spec, out=tmp_path / "new.zarr", resume=True)
    assert run.computed_chunks == run.chunks == 1
