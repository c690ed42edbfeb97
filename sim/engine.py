"""The public evaluation API: packing a batch, running an engine, labelling results.

``evaluate`` takes a mapping of parameter names to equal-length arrays (the
unnamed ones take the default set), checks it, packs it into the column
layout of ``sim.layout`` and runs either engine.  ``simulate`` does the same
for one scenario across its postures and returns a table of records.
"""

from __future__ import annotations

import numpy as np

from . import params as prm
from .errors import SimInputError
from .layout import (
    CATEGORICAL_OUTPUTS,
    COLUMNS,
    GRADES,
    HERNIATION_SIDES,
    HERNIATION_ZONES,
    OUT,
    OUTPUTS,
    PARAM_COLUMNS,
    SIDES,
)
from .postures import BUILTIN_POSTURES, Posture, builtin_postures

ENGINES = ("numba", "reference")
#: Rows per ``prange`` task of the batch kernels (sim.run_engine and sweeps).
DEFAULT_CHUNK = 256

assert PARAM_COLUMNS == prm.numeric_keys(), "sim/layout.py is out of step with parameters.toml"


def posture_table(custom: dict[str, Posture] | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Rows of posture loads for both engines, built-in postures first."""
    postures = dict(builtin_postures())
    postures.update(custom or {})
    names = tuple(postures)
    return np.array([postures[n].row() for n in names]), names


def pack(batch: dict, custom_postures: dict | None = None):
    """Check a batch and pack it: ``(matrix, table, posture_names, n, side_index or None, postures)``."""
    base_row, cols, values, table, names, n, side_index, posture_arr = pack_overrides(batch, custom_postures)
    matrix = np.empty((n, len(COLUMNS)))
    matrix[:] = base_row
    matrix[:, cols] = values
    return matrix, table, names, n, side_index, posture_arr


def pack_overrides(batch: dict, custom_postures: dict | None = None):
    """Check a batch and pack it as one row plus the columns that vary.

    Returns ``(base_row, cols, values, table, posture_names, n, side_index or None, postures)``:
    configuration ``i`` is ``base_row`` with columns ``cols`` set to ``values[i]`` (the
    parameters given as arrays; scalars and defaults sit in ``base_row``).
    """
    batch = dict(batch)
    side = batch.pop("side", None)
    lengths = {k: np.size(v) for k, v in batch.items() if np.ndim(v) > 0}
    if side is not None and np.ndim(side) > 0:
        lengths["side"] = np.size(side)
    if len(set(lengths.values())) > 1:
        raise SimInputError(f"batch arrays must have equal lengths; got {lengths}")
    n = next(iter(lengths.values())) if lengths else 1
    if n == 0:
        raise SimInputError("batch is empty: give at least one configuration")

    values = {}
    defaults = prm.defaults()
    table, names = posture_table(custom_postures)
    postures = batch.pop("posture", "standing")
    codes = {}
    for key, value in batch.items():
        spec = prm.get_spec(key)
        if spec.key in LABEL_CHOICES and np.ndim(value) > 0:
            # label arrays: the compiled mapping to codes is also the check (no isin, no copy)
            labels = _as_str(value)
            codes[spec.key] = _label_codes_checked(labels, LABEL_CHOICES[spec.key], spec.check)
            values[spec.key] = labels
        else:
            values[spec.key] = spec.check_array(value)  # shape () or (n,): the checks broadcast
    full = {k: values.get(k, defaults[k]) for k in defaults}
    prm.check_consistency(full, codes.get("pathology.herniation_zone"))

    base_row = np.empty(len(COLUMNS))
    varying, columns = [], []
    posture_arr = np.broadcast_to(_as_str(postures), (n,))
    posture_codes = _codes(_as_str(postures), names)
    if np.any(np.asarray(posture_codes) < 0):
        bad = np.unique(posture_arr[np.broadcast_to(posture_codes, (n,)) < 0])
        raise SimInputError(f"posture {bad[0]!r} is unknown; allowed: {', '.join(names)}")
    for key, choices in LABEL_CHOICES.items():
        if key not in codes:
            codes[key] = _codes(full[key], choices)
    codes["posture"] = posture_codes
    for i, key in enumerate(COLUMNS):
        value = codes[key] if key in codes else full[key]
        if np.ndim(value) > 0:
            varying.append(i)
            columns.append(value)
        else:
            base_row[i] = value
    cols = np.array(varying, dtype=np.int64)
    varied = np.empty((n, len(cols)))
    for j, column in enumerate(columns):
        varied[:, j] = column
    side_index = None
    if side is not None:

        def unknown_side(label):
            raise SimInputError(f"side = {label!r} is unknown; allowed: left, right")

        side_codes = _label_codes_checked(_as_str(side), SIDES, unknown_side)
        side_index = np.ascontiguousarray(np.broadcast_to(np.asarray(side_codes, dtype=np.int64), (n,)))
    return base_row, cols, varied, table, names, n, side_index, posture_arr


def _as_str(arr) -> np.ndarray:
    """``arr`` as a NumPy string array, without a copy when it already is one."""
    arr = np.asarray(arr)
    return arr if arr.dtype.kind == "U" else arr.astype(str)


#: Categorical parameters of a packed row and their labels in code order.
LABEL_CHOICES = {"pathology.herniation_zone": HERNIATION_ZONES, "pathology.herniation_side": HERNIATION_SIDES}


def _label_codes_checked(labels: np.ndarray, choices, complain):
    """:func:`_codes` of ``labels``; ``complain(label)`` raises for the first label not in ``choices``."""
    found = _codes(labels, choices)
    missing = np.asarray(found) < 0
    if missing.any():
        complain(str(labels.ravel()[np.flatnonzero(missing.ravel())[0]]))
    return found


def _codes(arr, choices):
    """Index of each label in ``choices`` as floats; -1 for a label that is not a choice.

    The labels' UCS-4 code points are matched against the choices' in one compiled pass
    (:func:`sim.codes.label_codes`): at 1e5 labels, comparing the whole array with every choice,
    or sorting it, cost a tenth of the kernel's time.
    """
    arr = _as_str(arr)
    if arr.ndim == 0:
        return float(choices.index(str(arr))) if str(arr) in choices else -1.0
    from .codes import label_codes  # start-up time: numba loads when a batch first runs

    width = arr.dtype.itemsize // 4
    points, fits = _code_points(choices, width)
    labels = np.ascontiguousarray(arr).reshape(-1).view(np.uint32).reshape(-1, width)
    return label_codes(labels, points, fits).reshape(arr.shape)


def _code_points(choices, width: int):
    """``choices`` as UCS-4 code points, one zero-padded row of ``width`` each, and whether each fits."""
    points = np.zeros((len(choices), width), dtype=np.uint32)
    fits = np.zeros(len(choices), dtype=np.bool_)
    for i, choice in enumerate(choices):
        if len(choice) <= width:
            points[i, :len(choice)] = [ord(ch) for ch in choice]
            fits[i] = True
    return points, fits


def run_engine(matrix: np.ndarray, table: np.ndarray, engine: str = "numba",
               chunk: int = DEFAULT_CHUNK, coef: np.ndarray | None = None) -> np.ndarray:
    """Run a packed batch through one engine: ``(n, 2, len(OUTPUTS))`` float64.

    ``coef`` is the referral structure vector (:func:`sim.referral.pack_coefficients`).
    """
    # start-up time: the engines (numba kernels, scipy) load when a batch first runs, not on `import sim`
    from . import pipeline
    from .referral import pack_coefficients

    if coef is None:
        coef = pack_coefficients()
    if engine == "numba":
        out = np.empty((matrix.shape[0], 2, len(OUTPUTS)))
        with pipeline.dynamic_tasks():
            pipeline.evaluate_batch_into(np.ascontiguousarray(matrix), np.ascontiguousarray(table),
                                         np.ascontiguousarray(coef, dtype=np.float64), int(chunk), out)
        return out
    if engine == "reference":
        return pipeline.evaluate(matrix, table, np.asarray(coef, dtype=np.float64))
    raise SimInputError(f"engine = {engine!r} is unknown; allowed: {', '.join(ENGINES)}")


def evaluate(batch: dict, engine: str = "numba", custom_postures: dict | None = None) -> dict:
    """Evaluate the pipeline on a batch of configurations.

    Parameters
    ----------
    batch : dict
        Parameter names (``"anatomy.foraminal_height_mm"``, ``"pathology.herniation_zone"``,
        ...) mapped to equal-length arrays or scalars; ``"posture"`` (names,
        default ``"standing"``) and ``"side"`` (``"left"``/``"right"``) are
        optional.  Names left out take the default parameter set.
    engine : {"numba", "reference"}
    custom_postures : dict of name -> :class:`sim.loads.Posture`, optional

    Returns
    -------
    dict
        Result names (docs/results.md, sim.layout.OUTPUTS) mapped to arrays.  With ``side``
        given, one entry per configuration; without it, two (left, then right)
        per configuration, in configuration order.  Grades are labels.

    Examples
    --------
    >>> r = evaluate({"pathology.disc_height_loss_mm": [0.0, 3.0], "posture": "standing",
    ...               "side": "left"})
    >>> bool(r["foraminal_height_mm"][1] < r["foraminal_height_mm"][0])
    True
    """
    base_row, cols, values, table, _, n, side_index, posture_arr = pack_overrides(batch, custom_postures)
    if side_index is not None:
        sides = np.array(SIDES)[side_index]
        post = posture_arr
    else:
        sides = np.tile(np.array(SIDES), n)
        post = np.repeat(posture_arr, 2)
    if engine == "numba":
        # rows built in the kernel from the overrides, results written result-major: no packed
        # matrix, no gather of the requested sides
        from . import pipeline
        from .referral import pack_coefficients

        chosen = np.zeros(0, dtype=np.int64) if side_index is None else side_index
        by_result = np.empty((len(OUTPUTS), n if side_index is not None else 2 * n))
        with pipeline.dynamic_tasks():
            pipeline.evaluate_overrides(base_row, cols, values, table, pack_coefficients(), DEFAULT_CHUNK, chosen,
                                        by_result)
        return label(by_result.T, post, sides)
    matrix = np.empty((n, len(COLUMNS)))
    matrix[:] = base_row
    matrix[:, cols] = values
    raw = run_engine(matrix, table, engine)
    flat = raw[np.arange(n), side_index] if side_index is not None else raw.reshape(2 * n, len(OUTPUTS))
    return label(flat, post, sides)


def label(flat: np.ndarray, postures, sides) -> dict:
    """Turn ``(m, len(OUTPUTS))`` raw outputs into the named result mapping."""
    result = {"posture": np.asarray(postures), "side": np.asarray(sides)}
    for name in OUTPUTS:
        col = flat[:, OUT[name]]
        labels = CATEGORICAL_OUTPUTS.get(name)
        result[name] = _labels(col, labels) if labels else col
    return result


def _labels(codes: np.ndarray, choices) -> np.ndarray:
    """Labels of float ``codes`` (indices into ``choices``), as a NumPy string array.

    Written as code points in one compiled parallel pass (:func:`sim.codes.code_labels`) and
    viewed as strings: at 1e5 records, NumPy's gather of strings cost a tenth of the kernel.
    """
    from .codes import code_labels  # start-up time: numba loads when a batch first runs

    width = max(len(c) for c in choices)
    points, _ = _code_points(choices, width)
    codes = np.ascontiguousarray(codes, dtype=np.float64)
    out = np.empty((codes.shape[0], width), dtype=np.uint32)
    n_bad = code_labels(codes, points, out)
    if n_bad:
        raise ValueError(f"{n_bad} codes are not indices of {choices}")  # a kernel bug, never input
    return out.view(f"<U{width}").reshape(codes.shape[0])


def simulate(scenario, postures=None, engine: str = "numba"):
    """All records of a scenario: one per (posture, side), as a pandas DataFrame.

    Parameters
    ----------
    scenario : sim.scenario.Scenario (from :func:`sim.load_scenario`)
    postures : list of str, optional
        Defaults to the scenario's postures (every built-in posture if it names none).
    """
    import pandas as pd  # start-up time: pandas is only needed for records

    names = tuple(postures) if postures else scenario.postures
    for name in names:
        scenario.posture(name)  # unknown names raise
    batch = {k: np.full(len(names), v) if not isinstance(v, str) else np.full(len(names), v, dtype=object)
             for k, v in scenario.values.items()}
    batch["posture"] = np.array(names)
    result = evaluate(batch, engine=engine, custom_postures=scenario.custom_postures)
    frame = pd.DataFrame(result)
    frame["solver_iterations"] = frame["solver_iterations"].astype(int)
    return frame


def foramen_shapes(scenario, posture: str) -> dict:
    """Foramen outline and root positions of both sides in one posture, for drawing.

    Returns
    -------
    dict side -> {"upper": (k, 2) vertices, "stem": (m, 2) vertices [mm, x anterior, y cranial,
    origin at the L5 posterior-superior corner], "root_xy": (x, y), "root_diameter_mm",
    "drg_diameter_mm", "faces": (normals (10, 2), offsets (10,)) of the bounding structures
    (:mod:`sim.geometry` face table; inside is ``n . p <= c``), "record": dict of that side's results}
    """
    # start-up time, as in run_engine
    from . import geometry as geo
    from .pipeline import evaluate_row
    from .referral import pack_coefficients

    batch = {k: np.array([v], dtype=object if isinstance(v, str) else float) for k, v in scenario.values.items()}
    batch["posture"] = np.array([posture])
    matrix, table, *_ = pack(batch, scenario.custom_postures)
    capture: dict = {}
    raw = evaluate_row(matrix[0], table, pack_coefficients(), capture)
    out = {}
    for s, side in enumerate(SIDES):
        n, c = capture[side]
        upper, stem = geo.foramen_outline(n, c)
        rec = label(raw[s:s + 1], [posture], [side])
        out[side] = {"upper": upper, "stem": stem, "faces": (n, c),
                     "root_xy": (float(raw[s, OUT["l4_root_x_mm"]]), float(raw[s, OUT["l4_root_y_mm"]])),
                     "root_diameter_mm": scenario.values["anatomy.l4_root_diameter_mm"],
                     "drg_diameter_mm": scenario.values["anatomy.l4_drg_diameter_mm"],
                     "record": {k: (v[0].item() if hasattr(v[0], "item") else v[0]) for k, v in rec.items()}}
    return out


__all__ = ["foramen_shapes", "evaluate", "simulate", "pack", "pack_overrides", "run_engine", "label", "posture_table",
           "ENGINES", "GRADES", "BUILTIN_POSTURES"]
