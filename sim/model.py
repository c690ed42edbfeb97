"""Former name of ``sim.engine``; kept so old imports work for one release."""

from .engine import *  # noqa: F401,F403
from .engine import DEFAULT_CHUNK, _codes  # noqa: F401
