"""The portal's settings with the benchmark's URLconf: `make bench` serves with these, so the
floor view below exists only while the benchmark runs, never in the product."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
