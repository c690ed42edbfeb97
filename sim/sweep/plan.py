"""The plan of a sweep: configuration axes, chunks, the work of one chunk, the corner check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SimInputError
from .population import Population, population_samples
from .spec import SweepSpec
from .store import SAMPLE_DIM

# ------------------------------------------------------------------- plan --
_KERNEL_LABELS = None


def kernel_labels() -> dict[str, tuple[str, ...]]:
    """Categorical parameter -> labels in the code order of the packed matrix (``sim.layout``)."""
    from ..layout import CODE_COLUMNS, HERNIATION_SIDES, HERNIATION_ZONES

    labels = {"pathology.herniation_zone": HERNIATION_ZONES, "pathology.herniation_side": HERNIATION_SIDES}
    missing = [c for c in CODE_COLUMNS if c != "posture" and c not in labels]
    if missing:  # pragma: no cover - guards a layout change
        raise RuntimeError(f"sim.sweep does not know the codes of {missing}")
    return labels


@dataclass(frozen=True)
class Plan:
    """What a worker needs to compute any chunk: packed base rows, axes, blocks.

    Picklable and small (no per-configuration data); shipped once to each Dask worker.
    """

    postures: tuple[str, ...]
    base_rows: np.ndarray  # (n_postures, n_columns) packed rows of the base scenario
    table: np.ndarray  # posture load table
    coef: np.ndarray  # referral coefficients
    grid_keys: tuple[str, ...]
    coords: dict  # grid key -> coordinate values (float or str)
    grid_codes: dict  # grid key -> values as packed in the matrix (float)
    population: Population | None
    sampled: dict  # sampled key -> labels (spec order) for categorical, else None
    sample_codes: dict  # sampled categorical key -> (coordinate codes, kernel codes) per choice index
    shape: tuple[int, ...]  # configuration axes (*grid, [sample], posture)
    block: tuple[int, ...]
    dims: tuple[str, ...]  # configuration axes then "side"
    outputs: tuple[str, ...]  # stored results, in sim.layout.OUTPUTS order

    @property
    def n_configs(self) -> int:
        """Number of configurations (product of the configuration axes)."""
        return int(np.prod(self.shape))

    @property
    def chunk_grid(self) -> tuple[int, ...]:
        """Number of chunks along each configuration axis."""
        return tuple(-(-n // b) for n, b in zip(self.shape, self.block))

    @property
    def n_chunks(self) -> int:
        """Total number of chunks."""
        return int(np.prod(self.chunk_grid))

    def region(self, k: int) -> tuple[slice, ...]:
        """Slices of chunk ``k`` over the configuration axes."""
        index = np.unravel_index(k, self.chunk_grid)
        return tuple(slice(int(i) * b, min((int(i) + 1) * b, n)) for i, b, n in zip(index, self.block, self.shape))

    def chunk_size(self, k: int) -> int:
        """Number of configurations in chunk ``k``."""
        return int(np.prod([s.stop - s.start for s in self.region(k)]))


def chunk_block(shape: tuple[int, ...], target: int) -> tuple[int, ...]:
    """Block shape of about ``target`` configurations: trailing axes whole, one axis cut.

    >>> chunk_block((25, 4, 4), 64)
    (4, 4, 4)
    >>> chunk_block((10, 1000, 4), 1000)
    (1, 250, 4)
    """
    block = [1] * len(shape)
    inner = 1
    for i in range(len(shape) - 1, -1, -1):
        if inner * shape[i] <= target or i == len(shape) - 1:
            block[i] = shape[i]
            inner *= shape[i]
        else:
            block[i] = max(1, target // inner)
            break
    return tuple(block)


def make_plan(spec: SweepSpec) -> Plan:
    """Pack the base scenario once per posture and lay out the configuration axes."""
    from ..engine import pack

    scenario = spec.scenario
    n_post = len(spec.postures)
    batch = {k: (np.full(n_post, v, dtype=object) if isinstance(v, str) else np.full(n_post, float(v)))
             for k, v in scenario.values.items()}
    batch["posture"] = np.array(spec.postures)
    matrix, table, *_ = pack(batch, scenario.custom_postures)
    from ..params import get_spec

    klabels = kernel_labels()
    grid_codes = {}
    for key, values in spec.grid.items():
        if get_spec(key).categorical:
            grid_codes[key] = np.array([float(klabels[key].index(v)) for v in values])
        else:
            grid_codes[key] = np.asarray(values, dtype=float)
    sampled, sample_codes = {}, {}
    if spec.population:
        for d in spec.population.dists:
            pspec = get_spec(d.key)
            if pspec.categorical:
                sampled[d.key] = pspec.choices
                sample_codes[d.key] = (np.array([pspec.choices.index(v) for v in d.values], dtype=np.int8),
                                       np.array([float(klabels[d.key].index(v)) for v in d.values]))
            else:
                sampled[d.key] = None
                if d.kind == "choice":
                    sample_codes[d.key] = (None, np.array(d.values, dtype=float))
    shape = tuple(len(v) for v in spec.grid.values())
    dims = tuple(spec.grid)
    if spec.population:
        shape += (spec.population.size,)
        dims += (SAMPLE_DIM,)
    shape += (n_post,)
    dims += ("posture", "side")
    from ..referral import pack_coefficients

    return Plan(postures=spec.postures, base_rows=np.ascontiguousarray(matrix), table=np.ascontiguousarray(table),
                coef=np.ascontiguousarray(pack_coefficients(), dtype=np.float64), grid_keys=tuple(spec.grid),
                coords={k: np.asarray(v) for k, v in spec.grid.items()}, grid_codes=grid_codes,
                population=spec.population, sampled=sampled, sample_codes=sample_codes, shape=shape,
                block=chunk_block(shape, max(int(spec.chunk_configs), n_post)), dims=dims,
                outputs=tuple(spec.outputs))


def chunk_parameters(plan: Plan, k: int):
    """Varying parameters of chunk ``k``, one entry per parameter set (postures excluded).

    Returns
    -------
    params : dict
        key -> float64 values as packed in the matrix (codes for categorical).
    samples : dict or None
        Sampled coordinate values of the chunk's sample range, if this chunk
        writes them (the chunk at the first grid point), else None.
    """
    region = plan.region(k)[:-1]
    pshape = tuple(s.stop - s.start for s in region)
    ndim = len(pshape)
    params = {}
    for i, key in enumerate(plan.grid_keys):
        shape = [1] * ndim
        shape[i] = -1
        params[key] = np.broadcast_to(plan.grid_codes[key][region[i]].reshape(shape), pshape).ravel()
    samples = None
    if plan.population is not None:
        s = region[-1]
        draws = population_samples(plan.population, s.start, s.stop)
        first = all(r.start == 0 for r in region[:-1])
        samples = {} if first else None
        for key, values in draws.items():
            codes = plan.sample_codes.get(key)
            kernel = codes[1][values] if codes else values
            if samples is not None:
                samples[key] = codes[0][values] if codes and codes[0] is not None else (
                    kernel if codes else values)
            params[key] = np.broadcast_to(kernel.reshape([1] * (ndim - 1) + [-1]), pshape).ravel()
    return params, samples


def build_matrix(plan: Plan, params: dict) -> np.ndarray:
    """Packed input matrix of a chunk: base rows per posture with the varying columns set."""
    from ..layout import COL

    n_post = len(plan.postures)
    m = next(iter(params.values())).shape[0] if params else 1
    matrix = np.empty((m, n_post, plan.base_rows.shape[1]))
    matrix[:] = plan.base_rows
    for key, values in params.items():
        matrix[:, :, COL[key]] = values[:, None]
    return matrix.reshape(m * n_post, -1)


def compute_chunk(plan: Plan, k: int, n_threads: int | None = None):
    """Compute chunk ``k``: ``(k, outputs (len(plan.outputs), *block, 2), samples or None)``.

    The unit of work on every backend (local loop or Dask task).  The kernel
    builds each row from the base rows and the chunk's varying columns, and
    returns the results result-major, so the store writes them without a copy.
    """
    from ..engine import DEFAULT_CHUNK
    from ..layout import COL, OUT
    from ..pipeline import dynamic_tasks, evaluate_sets

    if n_threads:
        import numba

        numba.set_num_threads(min(int(n_threads), numba.config.NUMBA_NUM_THREADS))
    params, samples = chunk_parameters(plan, k)
    block = tuple(s.stop - s.start for s in plan.region(k))
    n_sets = int(np.prod(block[:-1]))
    cols = np.array([COL[key] for key in params], dtype=np.int64)
    values = np.empty((n_sets, len(params)))
    for j, v in enumerate(params.values()):
        values[:, j] = v
    keep = np.array([OUT[name] for name in plan.outputs], dtype=np.int64)
    out = np.empty((len(keep), n_sets * plan.base_rows.shape[0], 2))  # NumPy's allocation: see evaluate_sets
    with dynamic_tasks():
        evaluate_sets(plan.base_rows, cols, values, plan.table, plan.coef, DEFAULT_CHUNK, keep, out)
    return k, out.reshape((len(plan.outputs),) + block + (2,)), samples


def _varying_ranges(plan: Plan, spec: SweepSpec) -> dict:
    """Checked key -> the values a corner check must try: the ends of a numeric range, every label."""
    from ..params import get_spec

    ranges = {}
    for key in plan.grid_keys:
        values = spec.grid[key]
        ranges[key] = list(dict.fromkeys(values)) if get_spec(key).categorical else [min(values), max(values)]
    for d in plan.population.dists if plan.population else ():
        if d.kind == "choice":
            ranges[d.key] = list(d.values) if get_spec(d.key).categorical else [min(d.values), max(d.values)]
        else:
            ranges[d.key] = [d.lo, d.hi]
    from ..params import CONSISTENCY_KEYS

    return {k: v for k, v in ranges.items() if k in CONSISTENCY_KEYS}


def corners_pass(plan: Plan, spec: SweepSpec) -> bool:
    """True if the cross-parameter checks pass at every corner of the varying parameters' box.

    Every check compares sums, quotients and maxima that are monotone in each
    numeric parameter (``slip + instability <= depth``, ``size <= depth /
    reach``, ...), so its worst case over a box lies at a corner: passing at
    all corners (every label of a categorical parameter) proves it passes for
    every configuration, without drawing the population.  False means only
    that some corner fails; the exact check then decides.
    """
    from itertools import product

    from ..params import check_consistency

    ranges = _varying_ranges(plan, spec)
    if not ranges:
        return True
    keys = list(ranges)
    rows = list(product(*(ranges[k] for k in keys)))
    values = dict(spec.scenario.values)
    for i, key in enumerate(keys):
        column = [r[i] for r in rows]
        values[key] = np.array(column, dtype=object if isinstance(column[0], str) else float)
    try:
        check_consistency(values)
    except SimInputError:
        return False
    return True


def check_plan(plan: Plan, spec: SweepSpec) -> None:
    """Cross-parameter checks on every parameter set before anything is written.

    First on the corners of the varying parameters' box (:func:`corners_pass`,
    enough when it passes); otherwise chunk by chunk on the actual parameter
    sets (bounded memory), so the error names the key, the value, the allowed
    range and the grid point or sample that fails.

    Raises
    ------
    SimInputError
    """
    from ..params import check_consistency, get_spec

    if not plan.grid_keys and plan.population is None:
        return
    if corners_pass(plan, spec):
        return
    klabels = kernel_labels()
    seen_param_chunks = set()
    for k in range(plan.n_chunks):
        region = plan.region(k)[:-1]
        key_ = tuple((s.start, s.stop) for s in region)
        if key_ in seen_param_chunks:
            continue
        seen_param_chunks.add(key_)
        params, _ = chunk_parameters(plan, k)
        values = dict(spec.scenario.values)
        for key, v in params.items():
            values[key] = np.array(klabels[key])[v.astype(int)] if get_spec(key).categorical else v
        try:
            check_consistency(values)
        except SimInputError as exc:
            where = "; ".join(f"{d} {s.start}..{s.stop - 1}" for d, s in zip(plan.dims, region))
            raise SimInputError(f"{exc} (in the sweep's {where})") from None

