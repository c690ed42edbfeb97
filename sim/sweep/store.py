"""The zarr store of a sweep: creation, region writes, done markers, resume checks.

A sweep store is a zarr group that ``xarray.open_zarr`` reads as one Dataset:

* one data variable per stored result name (``sweep.outputs``; by default
  every name of :data:`sim.layout.OUTPUTS`), dims
  ``(*grid parameters, [sample], posture, side)``; numeric outputs are
  float64 with fill value NaN, categorical outputs
  (:data:`sim.layout.CATEGORICAL_OUTPUTS`) int8 codes with fill value -1 and
  their labels in attrs ``labels`` / ``flag_values`` / ``flag_meanings``;
* one coordinate per grid parameter (named by its key, ``"pathology.slip_mm"``),
  ``posture``, ``side``, and, for a population, each sampled parameter as a
  coordinate along ``sample`` (written chunk by chunk, NaN until written);
* ``chunk_done`` (dim ``chunk``): 1 once a compute chunk's data are on disk;
* attrs: the resolved sweep spec (JSON) and its SHA-256, the constants of the
  base scenario (one attr per parameter key), units and descriptions.

Every zarr chunk of an output is exactly one compute chunk, so a region write
touches no other chunk and a chunk is either marked done (complete) or is
recomputed on resume.  The store is created by xarray with every swept
dimension of length 1 and then resized (a metadata change), so creating the
store of a 10^7-configuration sweep costs the same as a small one; unwritten
chunks read as the fill value.

References
----------
xarray-simlab ``xsimlab/stores.py`` (one zarr array per output, units as attrs,
fill value for unwritten data); xyzpy ``Crop`` (numbered batches on disk,
resume computes only the missing ones).
"""

from __future__ import annotations

import json
import shutil
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..errors import SimInputError

#: Name of the per-chunk done-marker variable and of its dimension.
DONE_VAR = "chunk_done"
CHUNK_DIM = "chunk"
SAMPLE_DIM = "sample"
RECORD_DIMS = ("posture", "side")
CODE_FILL = -1
HASH_ATTR = "sweep_spec_sha256"
SPEC_ATTR = "sweep_spec"
FORMAT_VERSION = 1

#: Plain-language descriptions of the outputs; names not listed are described from their name.
DESCRIPTIONS = {
    "segment_angle_deg": "L4-L5 sagittal segment angle (flexion positive)",
    "lateral_angle_deg": "L4-L5 lateral bending angle",
    "axial_angle_deg": "L4-L5 axial rotation angle",
    "compressive_force_n": "compressive (follower) force on the segment",
    "flexion_moment_nm": "sagittal (flexion positive) moment on the segment",
    "lateral_moment_nm": "lateral bending moment on the segment",
    "axial_moment_nm": "axial torsion moment on the segment",
    "disc_force_n": "axial force carried by the disc",
    "facet_force_n": "force carried by the facet joints",
    "idp_mpa": "intradiscal pressure",
    "disc_height_posterior_mm": "loaded posterior disc height",
    "disc_bulge_mm": "posterior disc bulge (static plus load-dependent)",
    "slip_mm": "anterior slip of L4 on L5 in this posture",
    "foraminal_height_mm": "foraminal height (pedicle to pedicle)",
    "foraminal_width_mm": "foraminal width at disc level",
    "foraminal_area_mm2": "foraminal cross-sectional area",
    "lateral_recess_depth_mm": "lateral recess depth",
    "l4_clearance_mm": "clearance around the exiting L4 root (negative: overlap)",
    "l4_deformation_pct": "transverse deformation of the L4 root",
    "l4_pressure_kpa": "contact pressure on the L4 root",
    "l4_drg_clearance_mm": "clearance around the L4 dorsal root ganglion",
    "l4_drg_deformation_pct": "transverse deformation of the L4 dorsal root ganglion",
    "l4_drg_pressure_kpa": "contact pressure on the L4 dorsal root ganglion",
    "l4_root_x_mm": "L4 root centre, anterior coordinate in the foramen",
    "l4_root_y_mm": "L4 root centre, cranial coordinate in the foramen",
    "l4_grade": "compression grade of the L4 root (root or ganglion)",
    "l5_clearance_mm": "clearance around the traversing L5 root in the lateral recess",
    "l5_deformation_pct": "transverse deformation of the L5 root",
    "l5_pressure_kpa": "contact pressure on the L5 root",
    "l5_grade": "compression grade of the L5 root",
    "solver_iterations": "Newton iterations of the mechanics solve",
    "distribution": "referred-pain distribution (nerves involved)",
    "time_to_symptoms_min": "minutes of holding the posture, from rest, until symptoms (inf: never)",
    "time_to_stop_min": "minutes of holding the posture, from rest, until pain makes the patient stop (inf: never)",
    "time_to_recover_min": "minutes for symptoms to settle once the compression of the held posture is relieved",
}

_UNIT_SUFFIXES = (("_mm2", "mm2"), ("_mm", "mm"), ("_deg", "deg"), ("_nm", "N m"), ("_n", "N"),
                  ("_mpa", "MPa"), ("_kpa", "kPa"), ("_pct", "%"), ("_mmhg", "mmHg"), ("_kg", "kg"),
                  ("_min", "min"))


def output_unit(name: str) -> str:
    """Unit of an output from its name suffix (units ride in names, docs/conventions.md).

    >>> output_unit("foraminal_area_mm2"), output_unit("idp_mpa"), output_unit("pain_groin")
    ('mm2', 'MPa', '0-10')
    """
    if name.startswith("pain_"):
        return "0-10"
    for suffix, unit in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    return "1"


def output_description(name: str) -> str:
    """A short description of an output (see :data:`DESCRIPTIONS`)."""
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    if name.startswith("pain_"):
        return f"referred pain intensity, {name[5:].replace('_', ' ')} region (0-10)"
    return name.replace("_", " ")


def output_attrs(name: str) -> dict:
    """Attrs of one output variable: units, description and, for codes, the labels."""
    from ..layout import CATEGORICAL_OUTPUTS

    attrs = {"description": output_description(name), "long_name": output_description(name)}
    labels = CATEGORICAL_OUTPUTS.get(name)
    if labels:
        attrs.update(labels=list(labels), flag_values=list(range(len(labels))),
                     flag_meanings=" ".join(labels))
    else:
        attrs["units"] = output_unit(name)
    return attrs


def parameter_attrs(key: str) -> dict:
    """Attrs of a parameter coordinate: unit, description, literature source."""
    from ..params import get_spec

    spec = get_spec(key)
    attrs = {"description": spec.note, "long_name": key, "source": spec.source}
    if spec.categorical:
        attrs.update(labels=list(spec.choices), flag_values=list(range(len(spec.choices))),
                     flag_meanings=" ".join(spec.choices))
    elif spec.unit:
        attrs["units"] = spec.unit
    return attrs


def _compressors():
    """Blosc-LZ4 with byte shuffle: several GB/s, so the store keeps pace with the kernel."""
    from zarr.codecs import BloscCodec

    return [BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")]


def is_store(path) -> bool:
    path = Path(path)
    return path.is_dir() and ((path / "zarr.json").exists() or (path / ".zgroup").exists())


def create_store(target, layout, attrs: dict):
    """Create an empty sweep store (all outputs at their fill value) and return it.

    Parameters
    ----------
    target : str, Path or zarr store
        A directory path (created atomically: built beside it, then renamed) or
        an in-memory zarr store.
    layout : sim.sweep.plan.Plan
        Gives ``dims``, ``shape``, ``block``, ``n_chunks``, ``coords``
        (grid coordinate values), ``sampled`` (sampled parameter keys).
    attrs : dict
        Dataset attrs (the spec, its hash, constants).
    """
    import xarray as xr
    import zarr

    from ..layout import CATEGORICAL_OUTPUTS

    dims = layout.dims  # config axes then "side"
    small = tuple(1 if d not in RECORD_DIMS else n for d, n in zip(dims, layout.shape + (2,)))
    chunks = tuple(layout.block) + (2,)
    data_vars, encoding = {}, {}
    for name in layout.outputs:
        if name in CATEGORICAL_OUTPUTS:
            data = np.full(small, CODE_FILL, dtype=np.int8)
            encoding[name] = {"chunks": chunks, "dtype": "int8", "_FillValue": CODE_FILL,
                              "compressors": _compressors()}
        else:
            data = np.full(small, np.nan)
            encoding[name] = {"chunks": chunks, "_FillValue": np.nan, "compressors": _compressors()}
        data_vars[name] = (dims, data, output_attrs(name))
    data_vars[DONE_VAR] = ((CHUNK_DIM,), np.zeros(1, np.int8),
                           {"description": "1 once the compute chunk's results are written (resume marker)"})
    encoding[DONE_VAR] = {"chunks": (1,), "_FillValue": None, "dtype": "int8"}
    coords = {"posture": ("posture", np.array(layout.postures, dtype=object), {"description": "posture load case"}),
              "side": ("side", np.array(("left", "right"), dtype=object), {"description": "body side"})}
    for key, values in layout.coords.items():
        coords[key] = (key, values[:1] if values.dtype.kind != "U" else values[:1].astype(object),
                       parameter_attrs(key))
    sample_block = layout.block[layout.dims.index(SAMPLE_DIM)] if SAMPLE_DIM in layout.dims else None
    for key, labels in layout.sampled.items():
        if labels:
            coords[key] = (SAMPLE_DIM, np.full(1, CODE_FILL, np.int8), parameter_attrs(key))
            encoding[key] = {"chunks": (sample_block,), "dtype": "int8", "_FillValue": CODE_FILL}
        else:
            coords[key] = (SAMPLE_DIM, np.full(1, np.nan), parameter_attrs(key))
            encoding[key] = {"chunks": (sample_block,), "_FillValue": np.nan}
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)

    final = None
    if isinstance(target, (str, Path)):
        final = Path(target)
        building = final.with_name(final.name + ".creating")
        shutil.rmtree(building, ignore_errors=True)
        store = str(building)
    else:
        store = target
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.to_zarr(store, mode="w", encoding=encoding, consolidated=False)
        group = zarr.open_group(store, mode="r+")
        full = dict(zip(dims, layout.shape + (2,)))
        full[CHUNK_DIM] = layout.n_chunks
        codes = [n for n in layout.outputs if n in CATEGORICAL_OUTPUTS]
        codes += [k for k, labels in layout.sampled.items() if labels]
        for name, var in ds.variables.items():
            shape = tuple(full[d] for d in var.dims)
            if name in codes:
                _recreate_with_fill(group, name, shape, CODE_FILL)
            elif shape != var.shape:
                group[name].resize(shape)
        for key, values in layout.coords.items():
            group[key][:] = values.astype(object) if values.dtype.kind == "U" else values
        zarr.consolidate_metadata(store)
    if final is not None:
        building.rename(final)
        return str(final)
    return store


def _recreate_with_fill(group, name: str, shape: tuple, fill) -> None:
    """Recreate an (unwritten) code array at ``shape`` with zarr's own ``fill_value`` = ``fill``.

    xarray writes ``_FillValue`` of an int8 variable as an attribute only and
    leaves zarr's ``fill_value`` at 0, the code of a valid label ("none"), so
    unwritten chunks would read as that label; here both say ``fill``.
    """
    arr = group[name]
    attrs = dict(arr.attrs)
    attrs["_FillValue"] = int(fill)
    dims = getattr(arr.metadata, "dimension_names", None)
    group.create_array(name=name, shape=shape, chunks=arr.chunks, dtype=arr.dtype, fill_value=fill,
                       compressors=arr.compressors, dimension_names=dims, attributes=attrs, overwrite=True)


def open_group(store, mode="r+"):
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return zarr.open_group(store, mode=mode, use_consolidated=False)


def read_attrs(store) -> dict:
    """Attributes of the store root group, or ``{}`` if it cannot be read."""
    try:
        return dict(open_group(store, mode="r").attrs)
    except Exception:  # noqa: BLE001 - anything unreadable is "not a sweep store"
        return {}


def done_chunks(group) -> np.ndarray:
    """Boolean array: which compute chunks are complete."""
    return np.asarray(group[DONE_VAR][:]) == 1


class ChunkWriter:
    """Writes compute chunks into an open store: all variables of a region, then the marker.

    The variables of one chunk are written concurrently (zarr's codecs and file
    writes release the GIL); the done marker is written only after all of them.
    """

    def __init__(self, store, layout, threads: int = 8):
        from ..layout import CATEGORICAL_OUTPUTS

        self.group = open_group(store)
        self.layout = layout
        self.arrays = {name: self.group[name] for name in layout.outputs}
        self.index = {name: i for i, name in enumerate(layout.outputs)}
        self.codes = set(CATEGORICAL_OUTPUTS)
        self.sampled = {key: self.group[key] for key in layout.sampled}
        self.done = self.group[DONE_VAR]
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def write(self, k: int, out: np.ndarray, samples: dict | None) -> None:
        """Write chunk ``k``: ``out`` is ``(len(layout.outputs), *block, 2)`` result-major kernel outputs."""
        region = self.layout.region(k) + (slice(0, 2),)
        writes = []
        for name, arr in self.arrays.items():
            col = out[self.index[name]]
            writes.append((arr, region, col.astype(np.int8) if name in self.codes else col))
        if samples is not None:
            sample_region = region[self.layout.dims.index(SAMPLE_DIM)]
            for key, values in samples.items():
                writes.append((self.sampled[key], (sample_region,), values))
        _write_all(writes, self.pool)
        self.done[k] = 1

    def finish(self, attrs: dict | None = None) -> None:
        """Add ``attrs`` to the root group, stop the writer threads and consolidate the metadata."""
        if attrs:
            self.group.attrs.update(attrs)
        self.pool.shutdown()
        import zarr

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            zarr.consolidate_metadata(self.group.store)


def _write_all(writes, pool) -> None:
    """Write ``(array, selection, data)`` triples concurrently; return when all are on disk.

    One ``asyncio.gather`` on zarr's event loop (codecs and file writes of all
    variables overlap, one round trip instead of one per variable); falls back
    to a thread pool of synchronous writes if zarr's internals differ.
    """
    try:
        import asyncio

        from zarr.core.sync import sync

        async def _gather():
            await asyncio.gather(*[arr._async_array.setitem(sel, data) for arr, sel, data in writes])

        sync(_gather())
    except (ImportError, AttributeError):  # pragma: no cover - other zarr versions
        for job in [pool.submit(arr.__setitem__, sel, data) for arr, sel, data in writes]:
            job.result()


#: What each part of a resolved spec is, for the one line that refuses a resume.
_SPEC_PARTS = (
    ("format", "the store format"), ("sim_version", "the sim version"),
    ("model_sha256", "the model (sim's sources or parameter data changed since the store was begun)"),
    ("postures", "the postures (names, order or load cases)"),
    ("grid", "the grid axes (keys, order or values)"),
    ("population", "the population (size, seed, or its distributions or their order)"),
    ("scenario", "the base scenario"), ("outputs", "the output selection"),
    ("chunk_configs", "the chunk size"), ("referral_coefficients", "the referral coefficients"),
)


def spec_difference(old: dict, new: dict) -> str:
    """What differs between two resolved specs, in words ("the grid axes (keys, order or values)")."""
    for part, words in _SPEC_PARTS:
        a, b = old.get(part), new.get(part)
        if a == b:
            continue
        if part == "scenario" and isinstance(a, dict) and isinstance(b, dict):
            key = next(k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
            return f"the base scenario value {key} ({a.get(key)!r} -> {b.get(key)!r})"
        return words
    extra = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return f"the sweep spec ({', '.join(extra) or 'its hash'})"


def check_resumable(store, spec_hash: str, where: str, resolved: dict | None = None) -> None:
    """Raise SimInputError unless ``store`` holds a sweep with this spec hash; the line names what changed."""
    attrs = read_attrs(store)
    if HASH_ATTR not in attrs:
        raise SimInputError(f"{where} is not a sim sweep store (no {HASH_ATTR} attribute); "
                            "give a new --out")
    if attrs[HASH_ATTR] != spec_hash:
        try:
            what = spec_difference(json.loads(attrs.get(SPEC_ATTR, "{}")), resolved or {})
        except (ValueError, TypeError, StopIteration):
            what = "the sweep spec"
        raise SimInputError(
            f"cannot resume {where}: it was written by a different sweep spec ({what} changed; "
            f"{HASH_ATTR} {attrs[HASH_ATTR][:12]} != {spec_hash[:12]}); run without --resume into a new --out")


def spec_json(spec: dict) -> str:
    """Canonical JSON of a resolved spec (sorted keys, exact float repr)."""
    return json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)


__all__ = ["create_store", "ChunkWriter", "check_resumable", "done_chunks", "output_attrs", "output_unit",
           "parameter_attrs", "read_attrs", "spec_json", "DONE_VAR", "HASH_ATTR", "SAMPLE_DIM"]
