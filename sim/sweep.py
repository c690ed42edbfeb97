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
was created up front with fill values (:mod:`sim.sweep_store`); a per-chunk
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

import hashlib
import math
import os
import sys
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

from .errors import SimInputError
from .scenario import read_toml

#: Distributions a population parameter may follow.
DISTRIBUTIONS = ("normal", "lognormal", "truncnormal", "uniform", "choice")
_CORRELATION_KEYS = {"correlate_with", "rho"}
_DIST_KEYS = {
    "normal": ({"mean", "sd"}, {"min", "max"} | _CORRELATION_KEYS),
    "lognormal": ({"mean", "sd"}, {"min", "max"} | _CORRELATION_KEYS),
    "truncnormal": ({"mean", "sd", "min", "max"}, _CORRELATION_KEYS),
    "uniform": ({"min", "max"}, set()),
    "choice": ({"values"}, {"p"}),
}
#: Largest share of a normal/lognormal's mass the parameter's range may cut off.
MAX_TRUNCATED_MASS = 1e-3
#: Samples drawn from one seeded stream; the population is a sequence of such blocks.
SAMPLE_BLOCK = 8192
#: Default configurations per chunk (one kernel call, one zarr chunk per output) when every result is stored.
DEFAULT_CHUNK_CONFIGS = 2**17
#: Largest default chunk, when few results are stored (see :func:`default_chunk_configs`).
MAX_DEFAULT_CHUNK_CONFIGS = 2**20
SAMPLE_DIM = "sample"
_SWEEP_KEYS = ("scenario", "postures", "name", "description", "chunk_configs", "outputs")
_SECTIONS = ("sweep", "fixed", "grid", "population")
_POP_META = ("file", "size", "seed", "name", "description")


# ------------------------------------------------------------ distributions --
@dataclass(frozen=True)
class Distribution:
    """One sampled parameter: its key, distribution kind and (resolved) bounds.

    ``lo``/``hi`` are the effective bounds (given, else the parameter's
    range); ``mu``/``sigma`` the location and scale of the underlying normal
    (of the logarithm for ``lognormal``).  ``values`` are the choices of a
    ``choice`` distribution.
    """

    key: str
    kind: str
    lo: float = -math.inf
    hi: float = math.inf
    mu: float = 0.0
    sigma: float = 1.0
    values: tuple = ()
    p: tuple | None = None
    given: dict = field(default_factory=dict, compare=False)
    partner: str = ""  # an earlier sampled parameter this one is correlated with (Gaussian copula)
    rho: float = 0.0

    def as_dict(self) -> dict:
        """The distribution as given, plus its effective bounds (for the spec hash)."""
        out = dict(self.given)
        if self.kind != "choice":
            out.update(effective_min=self.lo, effective_max=self.hi)
        return out


def _number(key: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SimInputError(f"population.{key}: {name} = {value!r} must be a finite number")
    return float(value)


def parse_distribution(key: str, table) -> Distribution:
    """Check one ``[population]`` entry and resolve it to a :class:`Distribution`.

    Raises
    ------
    SimInputError
        One line naming the key, the value and the allowed range or choices.
    """
    from .params import get_spec

    spec = get_spec(key)
    key = spec.key
    if not isinstance(table, dict) or "dist" not in table:
        raise SimInputError(f"population.{key} = {table!r} must be a table with dist = one of "
                            f"{', '.join(DISTRIBUTIONS)}")
    kind = table["dist"]
    if kind not in DISTRIBUTIONS:
        raise SimInputError(f"population.{key}: dist = {kind!r} is unknown; allowed: {', '.join(DISTRIBUTIONS)}")
    required, optional = _DIST_KEYS[kind]
    given = {k: v for k, v in table.items() if k != "dist"}
    missing = sorted(required - set(given))
    extra = sorted(set(given) - required - optional)
    if missing:
        raise SimInputError(f"population.{key}: dist = {kind!r} needs {', '.join(missing)}")
    if extra:
        raise SimInputError(f"population.{key}: {extra[0]} is not a parameter of dist = {kind!r}; "
                            f"allowed: {', '.join(sorted(required | optional))}")
    record = {"dist": kind, **given}
    if kind == "choice":
        values = given["values"]
        if not isinstance(values, list) or not values:
            raise SimInputError(f"population.{key}: values = {values!r} must be a non-empty list")
        values = tuple(spec.check(v) for v in values)
        if len(set(values)) != len(values):
            raise SimInputError(f"population.{key}: values = {list(values)!r} must be distinct")
        p = given.get("p")
        if p is not None:
            if (not isinstance(p, list) or len(p) != len(values)
                    or any(isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0 for x in p)
                    or not math.isclose(sum(p), 1.0, rel_tol=0, abs_tol=1e-9)):
                raise SimInputError(f"population.{key}: p = {p!r} must be {len(values)} non-negative "
                                    "numbers summing to 1")
            p = tuple(float(x) / sum(p) for x in p)
        return Distribution(key, kind, values=values, p=p, given=record)
    if spec.categorical:
        raise SimInputError(f"population.{key}: dist = {kind!r} needs a numeric parameter; "
                            f"use dist = \"choice\" with values from {spec.allowed()}")
    partner, rho = "", 0.0
    if _CORRELATION_KEYS & set(given):
        if not _CORRELATION_KEYS <= set(given):
            raise SimInputError(f"population.{key}: correlate_with and rho go together")
        partner = get_spec(str(given["correlate_with"])).key
        rho = _number(key, "rho", given["rho"])
        if partner == key or not -1.0 < rho < 1.0:
            raise SimInputError(f"population.{key}: rho = {rho:g} with {partner!r} must lie strictly between "
                                "-1 and 1, with another parameter")
    nums = {k: _number(key, k, v) for k, v in given.items() if k not in _CORRELATION_KEYS}
    for bound in ("min", "max"):
        if bound in nums and not spec.min <= nums[bound] <= spec.max:
            raise SimInputError(f"population.{key}: {bound} = {nums[bound]:g} is outside the allowed range "
                                f"{spec.allowed()}")
    lo, hi = nums.get("min", spec.min), nums.get("max", spec.max)
    if not lo < hi:
        raise SimInputError(f"population.{key}: min = {lo:g} must be below max = {hi:g}")
    if kind == "uniform":
        return Distribution(key, kind, lo=lo, hi=hi, given=record)
    mean, sd = nums["mean"], nums["sd"]
    if not spec.min <= mean <= spec.max:
        raise SimInputError(f"population.{key}: mean = {mean:g} is outside the allowed range {spec.allowed()}")
    if sd <= 0:
        raise SimInputError(f"population.{key}: sd = {sd:g} must be positive")
    if kind == "lognormal":
        if mean <= 0:
            raise SimInputError(f"population.{key}: mean = {mean:g} must be positive for dist = 'lognormal'")
        sigma = math.sqrt(math.log1p((sd / mean) ** 2))
        mu = math.log(mean) - 0.5 * sigma**2
        a = (math.log(lo) - mu) / sigma if lo > 0 else -math.inf
        b = (math.log(hi) - mu) / sigma
    else:
        mu, sigma = mean, sd
        a, b = (lo - mu) / sigma, (hi - mu) / sigma
    if kind in ("normal", "lognormal") and not ({"min", "max"} & set(nums)):
        from scipy.special import ndtr

        cut = float(ndtr(a) + ndtr(-b))
        if cut > MAX_TRUNCATED_MASS:
            raise SimInputError(
                f"population.{key}: dist = {kind!r} (mean {mean:g}, sd {sd:g}) puts {cut:.1%} of samples "
                f"outside the allowed range {spec.allowed()}; use dist = \"truncnormal\" with min and max")
    if not a < b:
        raise SimInputError(f"population.{key}: bounds {lo:g} to {hi:g} leave no mass")
    return Distribution(key, kind, lo=lo, hi=hi, mu=mu, sigma=sigma, given=record, partner=partner, rho=rho)


def truncated_standard_normal(a: float, b: float, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of the standard normal truncated to ``[a, b]`` at uniforms ``u``.

    Draws in the upper tail are mirrored into the lower one, where ``ndtr``
    keeps its relative precision.

    >>> z = truncated_standard_normal(0.0, np.inf, np.array([0.0, 0.5]))
    >>> [round(float(v), 4) for v in z]
    [0.0, 0.6745]
    """
    from scipy.special import ndtr, ndtri

    if a >= 0:
        sa, sb = ndtr(-a), ndtr(-b)
        return -ndtri(sa - u * (sa - sb))
    pa, pb = ndtr(a), ndtr(b)
    return ndtri(pa + u * (pb - pa))


def draw(dist: Distribution, n: int, rng: np.random.Generator, u: np.ndarray | None = None) -> np.ndarray:
    """``n`` draws of one distribution; a ``choice`` gives indices into ``dist.values``.

    ``u``, if given, are the uniforms to transform (a correlated draw, :func:`population_samples`).
    """
    if dist.kind == "choice":
        return rng.choice(len(dist.values), size=n, p=dist.p)
    if u is None:
        u = rng.random(n)
    if dist.kind == "uniform":
        x = dist.lo + (dist.hi - dist.lo) * u
    else:
        if dist.kind == "lognormal":
            a = (math.log(dist.lo) - dist.mu) / dist.sigma if dist.lo > 0 else -math.inf
            b = (math.log(dist.hi) - dist.mu) / dist.sigma
            x = np.exp(dist.mu + dist.sigma * truncated_standard_normal(a, b, u))
        else:
            a, b = (dist.lo - dist.mu) / dist.sigma, (dist.hi - dist.mu) / dist.sigma
            x = dist.mu + dist.sigma * truncated_standard_normal(a, b, u)
    return np.clip(x, dist.lo, dist.hi)


@dataclass(frozen=True)
class Population:
    """A Monte Carlo population: ``size`` samples of ``dists`` from ``seed``."""

    size: int
    seed: int
    dists: tuple[Distribution, ...]
    name: str = ""
    sample_block: int = SAMPLE_BLOCK

    def as_dict(self) -> dict:
        return {"size": self.size, "seed": self.seed, "sample_block": self.sample_block,
                "parameters": {d.key: d.as_dict() for d in self.dists}}


def population_samples(pop: Population, start: int, stop: int) -> dict[str, np.ndarray]:
    """Samples ``start:stop`` of a population: key -> values (indices for ``choice``).

    Block ``b`` (samples ``b*B`` to ``(b+1)*B``) is drawn from
    ``numpy.random.default_rng([seed, b])``, parameters in declared order, so
    any range gives the same numbers as the whole population.

    >>> pop = Population(10, 1, (Distribution("anatomy.body_mass_kg", "uniform", lo=50.0, hi=90.0),), sample_block=4)
    >>> bool(np.array_equal(population_samples(pop, 3, 7)["anatomy.body_mass_kg"],
    ...                     population_samples(pop, 0, 10)["anatomy.body_mass_kg"][3:7]))
    True
    """
    out = {d.key: np.empty(stop - start, dtype=np.int64 if d.kind == "choice" else float) for d in pop.dists}
    if stop <= start:
        return out
    size_b = pop.sample_block
    for b in range(start // size_b, (stop - 1) // size_b + 1):
        lo, hi = b * size_b, min((b + 1) * size_b, pop.size)
        rng = np.random.default_rng([pop.seed, b])
        s, e = max(start, lo), min(stop, hi)
        uniforms = {}
        for d in pop.dists:
            if d.kind == "choice":
                values = draw(d, hi - lo, rng)
            else:
                u = rng.random(hi - lo)
                if d.partner:  # Gaussian copula: normal scores correlated at rho with the partner's
                    from scipy.special import ndtr, ndtri

                    u = ndtr(d.rho * ndtri(uniforms[d.partner]) + math.sqrt(1.0 - d.rho ** 2) * ndtri(u))
                uniforms[d.key] = u
                values = draw(d, hi - lo, rng, u)
            out[d.key][s - start:e - start] = values[s - lo:e - lo]
    return out


# ------------------------------------------------------------------- spec --
@dataclass
class SweepSpec:
    """A resolved sweep: base scenario, postures, grid axes, population, chunking."""

    name: str
    scenario: object  # sim.scenario.Scenario
    postures: tuple[str, ...]
    grid: dict[str, np.ndarray]
    population: Population | None = None
    chunk_configs: int = DEFAULT_CHUNK_CONFIGS
    description: str = ""
    source: str | None = None
    outputs: tuple[str, ...] = ()  # results to store; empty: all of sim.layout.OUTPUTS

    def __post_init__(self):
        from .layout import OUTPUTS

        self.outputs = tuple(self.outputs) or OUTPUTS

    def resolved(self) -> dict:
        """Everything that fixes the numbers, as plain JSON-able data (hashed into the store)."""
        from .about import __version__
        from .engine import posture_table
        from .referral import pack_coefficients

        table, names = posture_table(self.scenario.custom_postures)
        rows = {n: table[names.index(n)].tolist() for n in self.postures}
        return {
            "format": 1,
            "sim_version": __version__,
            "scenario": {k: _plain(v) for k, v in sorted(self.scenario.values.items())},
            "postures": rows,
            "grid": {k: [_plain(x) for x in v] for k, v in self.grid.items()},
            "population": self.population.as_dict() if self.population else None,
            "chunk_configs": int(self.chunk_configs),
            "outputs": list(self.outputs),
            "referral_coefficients": np.asarray(pack_coefficients(), float).tolist(),
        }

    def spec_hash(self) -> str:
        from .sweep_store import spec_json

        return hashlib.sha256(spec_json(self.resolved()).encode()).hexdigest()

    @property
    def n_configs(self) -> int:
        n = len(self.postures) * (self.population.size if self.population else 1)
        for v in self.grid.values():
            n *= len(v)
        return n


def _plain(v):
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    return str(v) if isinstance(v, np.str_) else v


def _flatten(table: dict, where: str) -> dict:
    """``{"pathology": {"slip_mm": x}}`` (dotted TOML keys) -> ``{"pathology.slip_mm": x}``."""
    from .params import SECTIONS

    out = {}
    for key, value in table.items():
        if key in SECTIONS and isinstance(value, dict) and "dist" not in value and not (
                {"start", "stop", "num", "values"} & set(value)):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = v
        else:
            out[key] = value
    return out


def grid_axis(key: str, value) -> np.ndarray:
    """Values of one grid axis: a list, or ``{start, stop, num}`` (inclusive linspace), checked.

    >>> grid_axis("pathology.slip_mm", {"start": 0.0, "stop": 2.0, "num": 3}).tolist()
    [0.0, 1.0, 2.0]
    """
    from .params import get_spec

    spec = get_spec(key)
    if isinstance(value, dict):
        if set(value) == {"values"}:
            value = value["values"]
        elif set(value) == {"start", "stop", "num"}:
            num = value["num"]
            if isinstance(num, bool) or not isinstance(num, int) or num < 1:
                raise SimInputError(f"grid.{spec.key}: num = {num!r} must be a positive integer")
            start = _number(spec.key, "start", value["start"])
            stop = _number(spec.key, "stop", value["stop"])
            value = np.linspace(start, stop, num)
        else:
            raise SimInputError(f"grid.{spec.key} = {value!r} must be a list of values or "
                                "{ start = ..., stop = ..., num = ... }")
    if isinstance(value, (str, int, float)) or value is None:
        raise SimInputError(f"grid.{spec.key} = {value!r} must be a list of values (a single value "
                            "goes in [fixed])")
    values = list(value)
    if not values:
        raise SimInputError(f"grid.{spec.key} = [] needs at least one value; allowed: {spec.allowed()}")
    if spec.categorical:
        arr = np.array([spec.check(v) for v in values])
    else:
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise SimInputError(f"grid.{spec.key} = {v!r} must be a number; allowed range {spec.allowed()}")
        arr = spec.check_array(np.asarray(values, dtype=float))
    if len(np.unique(arr)) != len(arr):
        raise SimInputError(f"grid.{spec.key} = {list(values)!r} repeats a value; give distinct values")
    return arr


def _population_from(table: dict, base_dir: Path) -> Population | None:
    table = dict(table)
    merged: dict = {}
    if "file" in table:
        path = Path(table.pop("file"))
        path = path if path.is_absolute() else base_dir / path
        data = read_toml(path, "population file")
        unknown = set(data) - {"population"}
        if unknown:
            raise SimInputError(f"population file {str(path)!r}: unknown section [{sorted(unknown)[0]}]; "
                                "allowed: population")
        base = data.get("population", {})
        if "file" in base:
            raise SimInputError(f"population file {str(path)!r} cannot itself name a file")
        merged.update(_flatten(base, "population"))
    merged.update(_flatten(table, "population"))
    dists = {k: v for k, v in merged.items() if k not in _POP_META}
    if not dists:
        return None
    size, seed = merged.get("size"), merged.get("seed", 0)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise SimInputError(f"population.size = {size!r} must be a positive integer (number of samples)")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SimInputError(f"population.seed = {seed!r} must be a non-negative integer")
    parsed = tuple(parse_distribution(k, v) for k, v in dists.items())
    keys = [d.key for d in parsed]
    for i, d in enumerate(parsed):
        if d.partner and d.partner not in [q.key for q in parsed[:i] if q.kind != "choice"]:
            raise SimInputError(f"population.{d.key}: correlate_with = {d.partner!r} must be a numeric parameter "
                                "sampled above it in the population")
    if len(set(keys)) != len(keys):
        raise SimInputError(f"population: parameter {keys[0]!r} is given twice")
    return Population(size=size, seed=seed, dists=parsed, name=str(merged.get("name", "")))


def spec_from_dict(data: dict, base_dir=".", source: str | None = None, scenario=None) -> SweepSpec:
    """Resolve a parsed sweep mapping (the TOML's shape) into a :class:`SweepSpec`."""
    from .params import get_spec
    from .scenario import load_scenario

    base_dir = Path(base_dir)
    for section in data:
        if section not in _SECTIONS:
            raise SimInputError(f"unknown section [{section}] in sweep; allowed: {', '.join(_SECTIONS)}")
    head = data.get("sweep", {})
    for key in head:
        if key not in _SWEEP_KEYS:
            raise SimInputError(f"unknown key 'sweep.{key}'; allowed: {', '.join(_SWEEP_KEYS)}")
    fixed = _flatten(data.get("fixed", {}), "fixed")
    for key in fixed:
        get_spec(key)
    if scenario is None:
        if "scenario" not in head:
            raise SimInputError("sweep.scenario is missing: name the base scenario file (relative to the sweep file)")
        path = Path(head["scenario"])
        scenario = load_scenario(path if path.is_absolute() else base_dir / path, fixed or None)
    elif isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario, fixed or None)
    elif fixed:
        from .scenario import scenario_from_dict

        sections: dict = {}
        for k, v in scenario.values.items():
            sec, name = k.split(".", 1)
            sections.setdefault(sec, {})[name] = v
        scenario = scenario_from_dict(sections, fixed, scenario.path)
    postures = head.get("postures", list(scenario.postures))
    if isinstance(postures, str):
        postures = [postures]
    if not isinstance(postures, (list, tuple)) or not postures or not all(isinstance(p, str) for p in postures):
        raise SimInputError(f"sweep.postures = {postures!r} must be a non-empty list of posture names")
    for p in postures:
        scenario.posture(p)  # unknown postures raise
    if len(set(postures)) != len(postures):
        raise SimInputError(f"sweep.postures = {list(postures)!r} repeats a posture")
    grid = {}
    for key, value in _flatten(data.get("grid", {}), "grid").items():
        if key == "posture":
            raise SimInputError("grid.posture: postures are listed in [sweep] postures = [...], not in [grid]")
        spec = get_spec(key)
        grid[spec.key] = grid_axis(spec.key, value)
    population = _population_from(data.get("population", {}), base_dir)
    if population:
        for d in population.dists:
            if d.key in grid:
                raise SimInputError(f"{d.key} is both in [grid] and in [population]; vary it in one of them")
    outputs = parse_outputs(head.get("outputs"))
    chunk = head.get("chunk_configs", default_chunk_configs(outputs))
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise SimInputError(f"sweep.chunk_configs = {chunk!r} must be a positive integer (configurations per chunk)")
    name = str(head.get("name") or (Path(source).stem if source else scenario.name))
    spec = SweepSpec(name=name, scenario=scenario, postures=tuple(postures), grid=grid, population=population,
                     chunk_configs=chunk, description=str(head.get("description", "")), source=source,
                     outputs=outputs)
    return spec


def parse_outputs(value) -> tuple[str, ...]:
    """``sweep.outputs``: the result names to store, in :data:`sim.layout.OUTPUTS` order (None: all).

    Storing fewer results is what makes very large sweeps cheap: the kernel
    computes every result anyway, but the store's bandwidth bounds the sweep
    (see ``benchmarks/README.md``).
    """
    from .layout import OUTPUTS

    if value is None:
        return OUTPUTS
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise SimInputError(f"sweep.outputs = {value!r} must be a non-empty list of result names")
    for name in value:
        if name not in OUTPUTS:
            raise SimInputError(f"sweep.outputs: {name!r} is not a result name; allowed: {', '.join(OUTPUTS)}")
    return tuple(n for n in OUTPUTS if n in set(value))


def default_chunk_configs(outputs) -> int:
    """Configurations per chunk: the same bytes of results per chunk whatever ``outputs`` holds.

    With every result stored a chunk is :data:`DEFAULT_CHUNK_CONFIGS`
    configurations (about 86 MB of results); storing fewer results allows
    proportionally more configurations per chunk (a power of two, at most
    :data:`MAX_DEFAULT_CHUNK_CONFIGS`), so the store's fixed cost per written
    array (about a millisecond) stays small against the kernel time.
    """
    from .layout import OUTPUTS

    ratio = len(OUTPUTS) / max(len(outputs), 1)
    return int(min(DEFAULT_CHUNK_CONFIGS * 2 ** math.floor(math.log2(ratio)), MAX_DEFAULT_CHUNK_CONFIGS))


def load_sweep(path) -> SweepSpec:
    """Read and check a sweep file; paths inside it are relative to the file.

    Raises
    ------
    SimInputError
        One line naming the key, the value and the allowed range.
    """
    path = Path(path)
    return spec_from_dict(read_toml(path, "sweep file"), path.parent, str(path))


# ------------------------------------------------------------------- plan --
_KERNEL_LABELS = None


def kernel_labels() -> dict[str, tuple[str, ...]]:
    """Categorical parameter -> labels in the code order of the packed matrix (``sim.layout``)."""
    from .layout import CODE_COLUMNS, HERNIATION_SIDES, HERNIATION_ZONES

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
        return int(np.prod(self.shape))

    @property
    def chunk_grid(self) -> tuple[int, ...]:
        return tuple(-(-n // b) for n, b in zip(self.shape, self.block))

    @property
    def n_chunks(self) -> int:
        return int(np.prod(self.chunk_grid))

    def region(self, k: int) -> tuple[slice, ...]:
        """Slices of chunk ``k`` over the configuration axes."""
        index = np.unravel_index(k, self.chunk_grid)
        return tuple(slice(int(i) * b, min((int(i) + 1) * b, n)) for i, b, n in zip(index, self.block, self.shape))

    def chunk_size(self, k: int) -> int:
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
    from .engine import pack

    scenario = spec.scenario
    n_post = len(spec.postures)
    batch = {k: (np.full(n_post, v, dtype=object) if isinstance(v, str) else np.full(n_post, float(v)))
             for k, v in scenario.values.items()}
    batch["posture"] = np.array(spec.postures)
    matrix, table, *_ = pack(batch, scenario.custom_postures)
    from .params import get_spec

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
    from .referral import pack_coefficients

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
    from .layout import COL

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
    from .pipeline import evaluate_sets
    from .layout import COL, OUT
    from .engine import DEFAULT_CHUNK

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
    out = evaluate_sets(plan.base_rows, cols, values, plan.table, plan.coef, DEFAULT_CHUNK, keep)
    return k, out.reshape((len(plan.outputs),) + block + (2,)), samples


def _varying_ranges(plan: Plan, spec: SweepSpec) -> dict:
    """Checked key -> the values a corner check must try: the ends of a numeric range, every label."""
    from .params import get_spec

    ranges = {}
    for key in plan.grid_keys:
        values = spec.grid[key]
        ranges[key] = list(dict.fromkeys(values)) if get_spec(key).categorical else [min(values), max(values)]
    for d in plan.population.dists if plan.population else ():
        if d.kind == "choice":
            ranges[d.key] = list(d.values) if get_spec(d.key).categorical else [min(d.values), max(d.values)]
        else:
            ranges[d.key] = [d.lo, d.hi]
    from .params import CONSISTENCY_KEYS

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

    from .params import check_consistency

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
    from .params import check_consistency, get_spec

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


# -------------------------------------------------------------- execution --
def _progress(plan: Plan, done: int, enabled: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=plan.n_configs, initial=done, unit="config", unit_scale=True, desc=desc,
                file=sys.stderr, disable=not enabled, dynamic_ncols=True, smoothing=0.3)


def _run_local(plan: Plan, todo, writer, bar) -> None:
    """Compute chunk k+1 while a writer thread stores chunk k (the kernel releases the GIL).

    The queue holds one finished chunk, so at most three chunks are in memory;
    a chunk's done marker is still written after its data, so a kill loses at
    most the chunks not yet marked, which resume recomputes.
    """
    import queue
    import threading

    jobs: queue.Queue = queue.Queue(maxsize=1)
    failure: list = []

    def drain():
        while True:
            item = jobs.get()
            if item is None:
                return
            if failure:
                continue
            k, out, samples = item
            try:
                writer.write(k, out, samples)
                bar.update(plan.chunk_size(k))
            except BaseException as exc:  # handed to the main thread below
                failure.append(exc)

    thread = threading.Thread(target=drain, name="sim-sweep-writer", daemon=True)
    thread.start()
    try:
        for k in todo:
            if failure:
                break
            jobs.put(compute_chunk(plan, k))
    finally:
        jobs.put(None)
        thread.join()
    if failure:
        raise failure[0]


def _run_dask(plan: Plan, todo, writer, bar, scheduler=None, workers=None) -> None:
    """Chunks as tasks on a dask.distributed cluster; results come back and are written here.

    Writing from the client keeps the store on this machine (workers need no
    shared file system) and the done markers in one process; at most two
    tasks per worker are in flight, so memory stays bounded.
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the environment
        raise SimInputError("--workers/--scheduler need dask.distributed: pip install 'sim[distributed]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SimInputError(f"--scheduler {scheduler!r}: cannot connect ({type(exc).__name__}: {exc})") from None
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        threads = max(1, (os.cpu_count() or 1) // n_workers) if cluster is not None else None
        plan_f = client.scatter(plan, broadcast=True)
        it = iter(todo)
        futures = [client.submit(compute_chunk, plan_f, k, threads, pure=False) for k in islice(it, 2 * n_workers)]
        pending = as_completed(futures)
        for fut in pending:
            k, out, samples = fut.result()
            fut.release()
            writer.write(k, out, samples)
            bar.update(plan.chunk_size(k))
            nxt = next(it, None)
            if nxt is not None:
                pending.add(client.submit(compute_chunk, plan_f, nxt, threads, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass
class SweepRun:
    """What a sweep call did: where, how many configurations, how long."""

    store: object
    n_configs: int
    computed_configs: int
    chunks: int
    computed_chunks: int
    seconds: float
    spec_hash: str


def run_sweep(spec: SweepSpec, out=None, resume: bool = False, workers: int | None = None,
              scheduler: str | None = None, progress: bool = False) -> SweepRun:
    """Run a sweep into a zarr store (a directory path, or memory if ``out`` is None)."""
    from .about import DISCLAIMER
    from . import sweep_store as st

    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise SimInputError(f"--workers {workers!r} must be a positive integer")
    if workers and scheduler:
        raise SimInputError("give either --workers (start a local cluster) or --scheduler (use one), not both")
    t0 = time.perf_counter()
    plan = make_plan(spec)
    spec_hash = spec.spec_hash()
    where = repr(str(out)) if out is not None else "memory store"
    create = True
    if out is not None:
        out = Path(out)
        if out.exists():
            if not resume:
                raise SimInputError(f"store {str(out)!r} already exists; add --resume to continue it "
                                    "or give a new --out")
            st.check_resumable(out, spec_hash, f"store {str(out)!r}")
            create = False
    if create:
        check_plan(plan, spec)
        import json

        attrs = {
            "title": spec.name, "description": spec.description, "scenario": spec.scenario.name,
            "sweep_file": spec.source or "", "disclaimer": DISCLAIMER,
            "kind": "population" if spec.population else "grid",
            "grid_parameters": list(spec.grid), "sampled_parameters": list(plan.sampled),
            "n_configurations": plan.n_configs, "chunk_configs": int(np.prod(plan.block)),
            "population_size": spec.population.size if spec.population else 0,
            "population_seed": spec.population.seed if spec.population else -1,
            st.HASH_ATTR: spec_hash, st.SPEC_ATTR: json.dumps(spec.resolved(), sort_keys=True),
            "sweep_complete": 0,
        }
        varied = set(spec.grid) | set(plan.sampled)
        attrs.update({k: _plain(v) for k, v in spec.scenario.values.items() if k not in varied})
        if out is None:
            import zarr

            store = st.create_store(zarr.storage.MemoryStore(), plan, attrs)
        else:
            store = st.create_store(out, plan, attrs)
    else:
        store = str(out)
    writer = st.ChunkWriter(store, plan)
    done = st.done_chunks(writer.group)
    todo = [k for k in range(plan.n_chunks) if not done[k]]
    done_configs = plan.n_configs - sum(plan.chunk_size(k) for k in todo)
    bar = _progress(plan, done_configs, progress, spec.name)
    try:
        if workers or scheduler:
            _run_dask(plan, todo, writer, bar, scheduler=scheduler, workers=workers)
        else:
            _run_local(plan, todo, writer, bar)
    finally:
        bar.close()
    writer.finish({"sweep_complete": 1})
    return SweepRun(store=store, n_configs=plan.n_configs, computed_configs=plan.n_configs - done_configs,
                    chunks=plan.n_chunks, computed_chunks=len(todo), seconds=time.perf_counter() - t0,
                    spec_hash=spec_hash)


def open_sweep(store):
    """Open a sweep store as an xarray Dataset (lazily)."""
    import warnings

    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return xr.open_zarr(store)


def sweep(spec=None, *, scenario=None, postures=None, grid=None, population=None, fixed=None,
          out=None, resume: bool = False, workers: int | None = None, scheduler: str | None = None,
          progress: bool = False, chunk_configs: int | None = None, name: str | None = None,
          outputs=None):
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
    run = run_sweep(resolved, out=out, resume=resume, workers=workers, scheduler=scheduler, progress=progress)
    ds = open_sweep(run.store)
    return ds.load() if out is None else ds


def sweep_cli(args) -> int:
    """``sim sweep SWEEP.toml [--out STORE] [--resume] [--workers N] [--scheduler ADDRESS] [--quiet]``."""
    path = Path(args.sweep_file)
    out = Path(args.out) if args.out else Path.cwd() / f"{path.stem}.zarr"
    spec = load_sweep(path)
    run = run_sweep(spec, out=out, resume=bool(args.resume), workers=args.workers, scheduler=args.scheduler,
                    progress=not args.quiet)
    rate = run.computed_configs / run.seconds if run.seconds > 0 else float("nan")
    resumed = f", resumed: {run.computed_chunks} of {run.chunks} chunks computed" if args.resume else ""
    sys.stdout.write(f"{out}: {run.n_configs} configurations ({spec.name}) in {run.seconds:.1f} s, "
                     f"{rate:.3g} configurations/s{resumed}\n")
    return 0


__all__ = ["sweep", "sweep_cli", "load_sweep", "run_sweep", "open_sweep", "SweepSpec", "Plan", "Population",
           "Distribution", "parse_distribution", "draw", "population_samples", "make_plan", "compute_chunk",
           "chunk_block", "grid_axis", "DISTRIBUTIONS", "DEFAULT_CHUNK_CONFIGS"]
