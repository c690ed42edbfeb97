"""Nothing silently wrong: partial stores read as missing, resumes only of the very same sweep,
reports that refuse or label incomplete stores and appear whole or not at all."""

import json
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
        assert np.isfinite(values[written]).all(), name


def test_code_arrays_fill_value_matches_fillvalue_attribute(tmp_path):
    path = tmp_path / "part.zarr"
    plan = _partial_store(path, _data(population=POP))
    for name in [n for n in plan.outputs if n in ("l4_grade", "l5_grade", "distribution")] + ["pathology.herniation_zone"]:
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
