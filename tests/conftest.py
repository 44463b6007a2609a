"""Hypothesis profiles: ``dev`` locally, ``ci`` (more examples, derandomized) under CI."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Keep the token cache of the test run out of the user's ~/.cache.
if "MAILCONF_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["MAILCONF_CACHE_DIR"] = tempfile.mkdtemp(prefix="mailconf-test-cache-")
