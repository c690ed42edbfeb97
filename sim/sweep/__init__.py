"""Sweeps: grids and Monte Carlo populations, chunked, streamed to zarr, resumable.

A sweep evaluates one base scenario over a cartesian grid of parameter values,
a Monte Carlo population of sampled parameters, or both (the population is
then repeated at every grid point: common random numbers), in a list of
postures.  A *configuration* is one parameter set in one posture (both sides).

The configurations form an array with axes ``(*grid parameters, [sample],
posture)``; it is cut into rectangular blocks of about ``chunk_configs``
configurations (whole posture axis, then as many trailing axes as fit).  Each
block is one call of the fused numba kernel (:func:`sim.model.run_engine`) and
exactly one zarr chunk of every output, written by region into a store that
was created up front with fill values (:mod:`sim.sweep.store`); a per-chunk
done marker is written after the chunk's data, so a killed sweep resumes
where it stopped and recomputes only chunks without a marker.  Chunks run on
the local cores (the kernel's ``prange``) or on a dask.distributed cluster,
with identical numbers: every configuration is computed by the same kernel
from the same packed row, whatever the chunking or the machine.

Sweep file (TOML)::

    [sweep]
    scenario = "../scenarios/healthy.toml"     # relative to this file
    postures = ["standing", "sitting", "flexion", "extension"]
    name = "slip_x_height_loss"                # optional; also description, chunk_configs
    outputs = ["l4_pressure_kpa", "l5_pressure_kpa", "l4_grade", "l5_grade"]  # optional; default all
    [fixed]                                    # optional overrides of the base scenario
    "pathology.herniation_zone" = "foraminal"
    [grid]                                     # cartesian product, one dimension each
    "pathology.slip_mm" = { start = 0.0, stop = 12.0, num = 25 }
    "pathology.disc_height_loss_mm" = [0.0, 1.0, 2.0, 3.0]
    [population]                               # optional Monte Carlo, dimension "sample"
    file = "../populations/anatomical_variability.toml"   # optional base population
    size = 1_000_000
    seed = 42
    "anatomy.foraminal_height_mm" = { dist = "normal", mean = 20.0, sd = 2.0 }

Distributions (``dist``): ``normal`` (mean, sd), ``lognormal`` (mean, sd of
the variable itself, in its unit), ``truncnormal`` (mean, sd, min, max),
``uniform`` (min, max), ``choice`` (values, optional p).  Bounds must lie in
the parameter's allowed range.  ``normal`` and ``lognormal`` may carry
min/max too; without them they are truncated at the parameter's allowed
range, which is accepted only if that cuts off less than 0.1 % of the mass
(otherwise use ``truncnormal``).  Truncated draws use the inverse CDF, so the
numbers depend only on the seed and the sample index (the population is drawn
in blocks of :data:`SAMPLE_BLOCK` samples, each from its own seeded stream),
not on the chunking or the engine.

References
----------
xyzpy ``combo_runner_to_ds`` (one dimension per varied parameter, constants as
attributes); stumpy ``stumped`` (the very same kernel on every Dask worker);
Robert CP, Casella G (2004). Monte Carlo Statistical Methods, 2nd ed., Springer,
section 2.1 (inverse-transform sampling of truncated distributions).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SimInputError
from ..scenario import read_toml
from .plan import (
    Plan,
    build_matrix,
    check_plan,
    chunk_block,
    chunk_parameters,
    compute_chunk,
    corners_pass,
    kernel_labels,
    make_plan,
)
from .population import (
    DISTRIBUTIONS,
    MAX_TRUNCATED_MASS,
    SAMPLE_BLOCK,
    Distribution,
    Population,
    draw,
    parse_distribution,
    population_samples,
    truncated_standard_normal,
)
from .run import SweepRun, open_sweep, run_sweep
from .spec import (
    DEFAULT_CHUNK_CONFIGS,
    MAX_DEFAULT_CHUNK_CONFIGS,
    SweepSpec,
    default_chunk_configs,
    grid_axis,
    load_sweep,
    parse_outputs,
    spec_from_dict,
)
from .store import SAMPLE_DIM


def sweep(spec=None, *, scenario=None, postures=None, grid=None, population=None, fixed=None,
          out=None, resume: bool = False, workers: int | None = None, scheduler: str | None = None,
          progress: bool = False, chunk_configs: int | None = None, name: str | None = None,
          outputs=None, confirm: bool = False):
    """Run a grid and/or Monte Carlo sweep and return it as an :class:`xarray.Dataset`.

    Parameters
    ----------
    spec : str, Path, dict or SweepSpec, optional
        A sweep file, a mapping of the file's shape (``{"sweep": ..., "grid": ...}``)
        or a resolved spec.  Keyword arguments below override its sections.
    scenario : str, Path or sim.scenario.Scenario, optional
        Base scenario (file or object).
    postures : list of str, optional
        Postures to run (default: the scenario's).
    grid : dict, optional
        Parameter key -> list of values or ``{"start", "stop", "num"}``.
    population : dict, optional
        ``{"size": n, "seed": s, key: {"dist": ..., ...}}``, optionally ``"file"``.
    fixed : dict, optional
        Overrides of the base scenario (``{"pathology.herniation_zone": "foraminal"}``).
    out : str or Path, optional
        Zarr directory to write (default: an in-memory store).
    resume : bool
        Continue an existing store written by the same spec.
    workers, scheduler
        Run on a new local Dask cluster of ``workers`` processes, or on the
        cluster at ``scheduler``; default: the local cores.
    progress : bool
        Show a progress bar on stderr.
    chunk_configs : int, optional
        Configurations per chunk (default 2**17 with every result stored, more
        with fewer: :func:`default_chunk_configs`).
    outputs : list of str, optional
        Result names to store (default: all).  The store's write bandwidth,
        not the kernel, bounds large sweeps of every result.
    confirm : bool
        Needed for sweeps of more than :data:`sim.sweep.run.CONFIRM_CONFIGS`
        configurations (the command line's ``--yes``).

    Returns
    -------
    xarray.Dataset
        One variable per stored result (:data:`sim.layout.OUTPUTS`), dims ``(*grid keys,
        [sample], posture, side)``; units, descriptions and category labels in
        attrs; grades and distribution as int8 codes (-1/NaN where unwritten).

    Examples
    --------
    >>> ds = sweep(scenario="configs/scenarios/healthy.toml", postures=["standing"],
    ...            grid={"pathology.slip_mm": [0.0, 4.0]})  # doctest: +SKIP
    >>> ds["foraminal_height_mm"].sel(side="left").values.shape  # doctest: +SKIP
    (2, 1)
    """
    if isinstance(spec, SweepSpec):
        resolved = spec
        if any(v is not None for v in (scenario, postures, grid, population, fixed, chunk_configs, name, outputs)):
            raise SimInputError("give either a resolved SweepSpec or keyword sections, not both")
    else:
        base_dir, source, data = Path("."), None, {}
        if isinstance(spec, (str, Path)):
            source = str(spec)
            base_dir = Path(spec).parent
            data = read_toml(Path(spec), "sweep file")
        elif isinstance(spec, dict):
            data = {k: dict(v) for k, v in spec.items()}
        elif spec is not None:
            raise SimInputError(f"spec = {type(spec).__name__} must be a sweep file path, a dict or a SweepSpec")
        data = {k: dict(v) for k, v in data.items()}
        head = data.setdefault("sweep", {})
        scen_obj = None
        if scenario is not None:
            if isinstance(scenario, (str, Path)):
                head["scenario"] = str(Path(scenario).resolve())
            else:
                scen_obj = scenario
        for key, value in (("postures", postures), ("chunk_configs", chunk_configs), ("name", name),
                           ("outputs", outputs)):
            if value is not None:
                head[key] = list(value) if key in ("postures", "outputs") and not isinstance(value, str) else value
        for section, value in (("grid", grid), ("population", population), ("fixed", fixed)):
            if value is not None:
                data[section] = dict(value)
        if not data.get("grid") and not data.get("population"):
            data.setdefault("grid", {})
        resolved = spec_from_dict(data, base_dir, source, scenario=scen_obj)
    run = run_sweep(resolved, out=out, resume=resume, workers=workers, scheduler=scheduler, progress=progress,
                    confirm=confirm)
    ds = open_sweep(run.store)
    return ds.load() if out is None else ds



__all__ = ["sweep", "load_sweep", "run_sweep", "open_sweep", "SweepSpec", "SweepRun", "Plan", "Population",
           "Distribution", "parse_distribution", "draw", "population_samples", "make_plan", "compute_chunk",
           "chunk_block", "chunk_parameters", "build_matrix", "check_plan", "corners_pass", "kernel_labels",
           "grid_axis", "parse_outputs", "spec_from_dict", "default_chunk_configs", "truncated_standard_normal",
           "DISTRIBUTIONS", "DEFAULT_CHUNK_CONFIGS", "MAX_DEFAULT_CHUNK_CONFIGS", "MAX_TRUNCATED_MASS",
           "SAMPLE_BLOCK", "SAMPLE_DIM"]
