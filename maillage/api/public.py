"""A NinjaAPI whose every URL is public.

The project runs Django's LoginRequiredMiddleware: a view is private unless marked
``login_not_required``. Ninja builds its Django views itself (one per path, plus the OpenAPI
schema and the API root), so the mark cannot go on our operation functions: it must go on the
callbacks of the URL patterns ninja hands to Django. ``urls`` marks them all, whatever ninja
adds in a later version, and the access matrix (tests/web/test_access_matrix.py) checks the
result against the declared public URL names.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI


def _public(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _public(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
        else:  # pragma: no cover - Django has no other kind of pattern
            raise TypeError(f"Unexpected URL pattern {pattern!r}")
    return patterns


class PublicNinjaAPI(NinjaAPI):
    """No session, no login page: the places are open to anyone, read-only; the help requests'
    operations check a partner's API key themselves (maillage/api/auth.py)."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        return _public(patterns), app_name, namespace
