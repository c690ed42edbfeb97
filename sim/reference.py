"""Former home of the reference engine; kept so old imports work.  It lives in ``sim.pipeline``."""

from .loads import LIFTING_KEYS  # noqa: F401
from .pipeline import evaluate, evaluate_row  # noqa: F401
