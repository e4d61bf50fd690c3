"""Production settings with the rate limits lifted, for the redemption benchmark's servers only.

Production refuses a per-process cache (every worker would count its own tries). The benchmark
wants no limit at all: it loads the production settings with a shared cache, then swaps in the
dummy cache, which stores nothing (see bench_passes_redeem's docstring).
"""

import os

os.environ["CACHE_URL"] = "dbcache://maillage_cache"

from maillage.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
