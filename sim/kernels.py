"""Former home of the numba engine; kept so old imports work.  The kernels live in ``sim.pipeline``,
each stage's twins beside its reference functions (``sim.loads`` ... ``sim.compression``)."""

from .pipeline import NOUT, _evaluate_row, _scratch, evaluate_batch, evaluate_sets  # noqa: F401
