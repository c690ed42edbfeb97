"""Re-export shim: the sweep store now lives in :mod:`sim.sweep.store` (kept for one release)."""

from .sweep.store import *  # noqa: F401,F403
from .sweep.store import (  # noqa: F401
    CHUNK_DIM,
    CODE_FILL,
    DESCRIPTIONS,
    FORMAT_VERSION,
    RECORD_DIMS,
    SPEC_ATTR,
    ChunkWriter,
    is_store,
    open_group,
    output_description,
)
