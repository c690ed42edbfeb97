"""Population distributions and their seeded, chunk-independent draws."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import SimInputError

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


def _number(key: str, name: str, value, section: str = "population") -> float:
    try:
        ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(float(value))
    except OverflowError:
        ok = False
    if not ok:
        raise SimInputError(f"{section}.{key}: {name} = {value!r} must be a finite number")
    return float(value)


def _check_spread(key: str, kind: str, mu: float, sigma: float, lo: float, hi: float, a: float, b: float) -> None:
    """Refuse bounds so far out in a tail that every draw would be the same number."""
    z = truncated_standard_normal(a, b, np.array([1e-3, 1.0 - 1e-3]))
    x = np.exp(mu + sigma * z) if kind == "lognormal" else mu + sigma * z
    x = np.clip(x, lo, hi)
    if not np.all(np.isfinite(x)) or x[1] - x[0] <= 1e-9 * max(1.0, abs(x[0])):
        raise SimInputError(
            f"population.{key}: bounds {lo:g} to {hi:g} lie so far from the mean (at {a:.3g} to {b:.3g} sd) "
            "that every draw is the same value; move the bounds or the mean")


def parse_distribution(key: str, table) -> Distribution:
    """Check one ``[population]`` entry and resolve it to a :class:`Distribution`.

    Raises
    ------
    SimInputError
        One line naming the key, the value and the allowed range or choices.
    """
    from ..params import get_spec

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
    _check_spread(key, kind, mu, sigma, lo, hi, a, b)
    return Distribution(key, kind, lo=lo, hi=hi, mu=mu, sigma=sigma, given=record, partner=partner, rho=rho)


def truncated_standard_normal(a: float, b: float, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of the standard normal truncated to ``[a, b]`` at uniforms ``u``.

    Draws in the upper tail are mirrored into the lower one, where ``ndtr``
    keeps its relative precision.

    >>> z = truncated_standard_normal(0.0, np.inf, np.array([0.0, 0.5]))
    >>> [round(float(v), 4) + 0.0 for v in z]  # + 0.0: no negative zero
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
        """Plain-data form of the population (as stored in the sweep specification)."""
        return {"size": self.size, "seed": self.seed, "sample_block": self.sample_block,
                "parameters": [[d.key, d.as_dict()] for d in self.dists]}


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
                u = rng.random(hi - lo)  # the same stream as an uncorrelated draw
                if d.partner:  # Gaussian copula: normal scores correlated at rho with the partner's
                    from scipy.special import ndtr, ndtri

                    u = ndtr(d.rho * ndtri(uniforms[d.partner]) + math.sqrt(1.0 - d.rho ** 2) * ndtri(u))
                uniforms[d.key] = u
                values = draw(d, hi - lo, rng, u)
            out[d.key][s - start:e - start] = values[s - lo:e - lo]
    return out

