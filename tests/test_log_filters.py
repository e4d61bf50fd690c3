"""No secret of a link reaches a log: ours (every line, masked) and the proxy's (docs/DEPLOYMENT.md)."""

import logging
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from maillage.log_filters import SECRET_PATH, MaskSecretPaths, masked

ROOT = Path(__file__).resolve().parent.parent
SECRET = "eyJ4Ijo1fQ:1vXyZ:Sg-kXq_b5"  # what a signed token looks like
SECRET_PARAMETER = "token"  # a password reset's uidb64 is the account's id, not a secret


def _named_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def urls_with_a_secret():
    for name, pattern in _named_patterns(get_resolver().url_patterns):
        parameters = set(pattern.pattern.converters) | set(re.findall(r"<(\w+)>", str(pattern.pattern)))
        if SECRET_PARAMETER in parameters:
            yield reverse(
                name, kwargs={parameter: SECRET if parameter == SECRET_PARAMETER else "MQ" for parameter in parameters}
            )


def test_every_url_with_a_secret_is_masked():
    urls = list(urls_with_a_secret())
    assert len(urls) >= 6  # follow, withdraw, confirmation, place link, workshop link, invitation, reset
    for url in urls:
        assert SECRET not in masked(f'"GET {url}?x=1 HTTP/1.1" 200'), url


def test_our_log_lines_mask_the_secret():
    url = reverse("helprequests:follow", kwargs={"token": SECRET})
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Too Many Requests: %s", (url,), None)
    assert MaskSecretPaths().filter(record)
    assert record.getMessage() == "Too Many Requests: /besoin-d-aide/suivi/…/"


def test_the_deployment_guide_gives_the_same_pattern_to_nginx_and_caddy():
    guide = (ROOT / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    nginx, caddy = guide.split("```nginx")[2].split("```")[0], guide.split("```caddyfile")[2].split("```")[0]
    for config in (nginx, caddy):
        assert SECRET_PATH.pattern in config
    # The nginx map, as nginx reads it (PCRE, same as Python's re for this pattern), masks the secret.
    expression = re.search(r'"~\^(.*)\(\?<rest>\.\*\)\$"', nginx).group(1)
    url = reverse("helprequests:withdraw", kwargs={"token": SECRET})
    assert SECRET not in re.sub(expression.replace(r"\"", '"'), r"\1...", url)
