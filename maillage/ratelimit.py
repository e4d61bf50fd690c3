"""Rate limits for public forms and code entry: a few tries per person, then a polite wait.

Counted per client address (and per account where one is logged in) in fixed windows, in the
cache: set CACHE_URL to a shared cache (database or Redis) when several processes serve the site.
"""

import time
from functools import wraps

from django.core.cache import cache
from django.shortcuts import render


def client_address(request):
    # Behind a reverse proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn's --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "unknown")


def is_over_limit(scope, identity, limit, period_seconds):
    """Count one attempt for ``identity`` in ``scope``; True once more than ``limit`` in the window."""
    window = int(time.time() // period_seconds)
    key = f"ratelimit:{scope}:{identity}:{window}"
    cache.add(key, 0, timeout=period_seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # the key expired between add and incr: this attempt starts a new window
        cache.add(key, 1, timeout=period_seconds)
        return False


def rate_limited(scope, limit, period_seconds):
    """Limit the POSTs a view accepts from one address (and one account) per time window."""

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST":
                identities = [client_address(request)]
                if request.user.is_authenticated:
                    identities.append(f"user-{request.user.pk}")
                if any(is_over_limit(scope, identity, limit, period_seconds) for identity in identities):
                    return render(
                        request,
                        "too_many_requests.html",
                        {"wait_minutes": max(1, period_seconds // 60)},
                        status=429,
                    )
            return view(request, *args, **kwargs)

        return limited

    return decorator


class Lockout:
    """After ``limit`` failed attempts in ``period_seconds`` (unknown codes, typos), refuse for that long.

    Used where guessing is the threat: someone trying codes gets locked out long before a guess can
    succeed. Identities are strings (an address, an API key, an account).
    """

    def __init__(self, scope, limit, period_seconds):
        self.scope, self.limit, self.period_seconds = scope, limit, period_seconds

    def _lock_key(self, identity):
        return f"lockout:{self.scope}:{identity}"

    def is_locked(self, *identities):
        return any(cache.get(self._lock_key(identity)) for identity in identities)

    def record_failure(self, *identities):
        for identity in identities:
            # The limit-th failure locks: over (limit - 1) failures counted.
            if is_over_limit(f"{self.scope}-failures", identity, self.limit - 1, self.period_seconds):
                cache.set(self._lock_key(identity), True, timeout=self.period_seconds)

    @property
    def wait_minutes(self):
        return max(1, self.period_seconds // 60)
