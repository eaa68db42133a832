"""The test settings with the bare insert endpoint beside the product's URLs (benchmarks only)."""

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks._bare"
