"""Shared fixtures and markers.  Randomness is seeded; hypothesis profiles keep CI bounded."""

import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# The README's test command must give the same verdict on every run, so both default profiles are
# derandomized (examples seeded from the test); SIM_HYPOTHESIS=explore draws fresh random examples
# (for developers hunting counterexamples; a failure there is a finding, not a flaky CI).
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("SIM_HYPOTHESIS") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_collection_modifyitems(config, items):
    """Long checks (``@pytest.mark.slow``) first: pytest-xdist hands out tests in collection order, so a long
    test collected last would run alone on one core at the end while the other core idles."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: file order otherwise
