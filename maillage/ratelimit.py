"""Rate limits for public forms and code entry: a few tries per person, then a polite wait.

Counted per client address (and per account where one is logged in) in fixed windows, in the
cache: set CACHE_URL to a shared cache (database or Redis) when several processes serve the site.
"""

import ipaddress
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

UNKNOWN = "unknown"


def client_address(request):
    """The address of the person making the request, for our limits and django-axes alike.

    Without a proxy, REMOTE_ADDR. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, REMOTE_ADDR is the
    nearest proxy's: the client is the entry of X-Forwarded-For that many places from its end, the
    one the outermost trusted proxy appended. Anyone can send an X-Forwarded-For of their choosing:
    entries further left are theirs, never read. A request that did not come through every proxy
    (too few entries) or whose entry is not an address is counted under REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or UNKNOWN
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def address_for_lockouts(request):
    """``client_address`` for django-axes, which stores it as an IP address: None when not known
    (a login made in code, without a network request)."""
    address = client_address(request)
    return None if address == UNKNOWN else address


def _window_key(prefix, scope, identity, period_seconds):
    return f"{prefix}:{scope}:{identity}:{int(time.time() // period_seconds)}"


def _counted(key, period_seconds):
    """Add one to the window's counter; its new value."""
    cache.add(key, 0, timeout=period_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr: this one starts a new window
        cache.add(key, 1, timeout=period_seconds)
        return 1


def is_over_limit(scope, identity, limit, period_seconds):
    """Count one attempt for ``identity`` in ``scope``; True once more than ``limit`` in the window."""
    return _counted(_window_key("ratelimit", scope, identity, period_seconds), period_seconds) > limit


def rate_limited(scope, limit, period_seconds):
    """At most ``limit`` actions done through a form per address (and account) per window.

    What counts is what the form protects: a POST that did its work, answered by a redirect (a
    form's success, by the post/redirect/get habit). Steps, typing errors and page views count for
    nothing, so that a library's shared computers are not held up by their people's mistakes. Over
    the limit, the 429 page keeps what was typed, ready to send again (passwords excepted).
    """
    quota = Quota(scope, limit, period_seconds)

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            identities = [client_address(request)]
            if request.user.is_authenticated:
                identities.append(f"user-{request.user.pk}")
            if quota.is_exhausted(*identities):
                return too_many_requests(request, quota.wait_minutes)
            response = view(request, *args, **kwargs)
            if 300 <= response.status_code < 400:
                quota.record(*identities)
            return response

        return limited

    return decorator


NEVER_SHOWN_AGAIN = ("csrfmiddlewaretoken", "password")


def too_many_requests(request, wait_minutes):
    """The polite wait, with what the person typed kept in the page, to send again later."""
    kept = [
        (name, value)
        for name, values in request.POST.lists()
        if not any(part in name for part in NEVER_SHOWN_AGAIN)
        for value in values
    ]
    context = {"wait_minutes": wait_minutes, "kept": kept, "action": request.get_full_path()}
    return render(request, "too_many_requests.html", context, status=429)


class Quota:
    """At most ``limit`` of something done (a request sent, not a page seen) per identity per window.

    Asked before (``is_exhausted``), counted only once it is done (``record``): a desk's public
    computers share an address, and their people's steps and typing errors count for nothing.
    """

    def __init__(self, scope, limit, period_seconds):
        self.scope, self.limit, self.period_seconds = scope, limit, period_seconds

    def _key(self, identity):
        return _window_key("quota", self.scope, identity, self.period_seconds)

    def is_exhausted(self, *identities):
        return any((cache.get(self._key(identity)) or 0) >= self.limit for identity in identities)

    def record(self, *identities):
        for identity in identities:
            _counted(self._key(identity), self.period_seconds)

    @property
    def wait_minutes(self):
        return max(1, self.period_seconds // 60)


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
                # add, not set: a fixed wait from the failure that locked, never restarted by later tries.
                cache.add(self._lock_key(identity), True, timeout=self.period_seconds)

    @property
    def wait_minutes(self):
        return max(1, self.period_seconds // 60)
