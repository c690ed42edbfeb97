"""Package data: parameter, output, posture, referral and source tables, the body chart, and the
ready scenarios and populations (``configs/scenarios`` and ``configs/populations`` of a checkout
are links to ``scenarios/`` and ``populations/`` here, so an installed package has them too)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: Folders of ready files shipped with the package.
READY_KINDS = ("scenarios", "populations")


def ready_config(kind: str, name: str) -> Path:
    """Path of a ready scenario or population shipped inside the package: ``sim/data/<kind>/<name>.toml``.

    Raises FileNotFoundError naming the file when there is no such ready file.
    """
    if kind not in READY_KINDS:
        raise ValueError(f"kind = {kind!r} is not one of {', '.join(READY_KINDS)}")
    path = Path(str(resources.files(__name__).joinpath(kind, f"{name}.toml")))
    if not path.is_file():
        raise FileNotFoundError(f"ready {kind[:-1]} {name!r} not found ({path})")
    return path
