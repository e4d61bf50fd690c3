from unittest import mock

import pytest
from django.core.cache import cache

from maillage.ratelimit import Lockout


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_code_lockout_lasts_a_fixed_time_from_the_failure_that_locked():
    lockout = Lockout("test_codes", limit=3, period_seconds=600)
    start = 1_800_000_000.0  # the start of a 600-second window
    with mock.patch("time.time", return_value=start):
        for _failure in range(3):
            lockout.record_failure("203.0.113.9")
    assert lockout.is_locked("203.0.113.9")

    with mock.patch("time.time", return_value=start + 590):
        lockout.record_failure("203.0.113.9")  # more failures while locked
        lockout.record_failure("203.0.113.9")
        assert lockout.is_locked("203.0.113.9")
    with mock.patch("time.time", return_value=start + 601):
        assert not lockout.is_locked("203.0.113.9")
        assert not lockout.is_locked("198.51.100.4")
