"""Secrets in links never reach the logs.

A follow link, a workshop registration, an invitation or a password reset carries its secret in the
path: whoever reads an access log could follow the person's request. ``SECRET_PATH`` finds the
secret of every such path; ``MaskSecretPaths`` masks it in our own log lines (Django logs the path
of a 404 or a 429), and docs/DEPLOYMENT.md gives the same pattern to nginx and Caddy for theirs.
tests/test_log_filters.py checks that every URL with a secret in it is covered.
"""

import logging
import re

# The part of the path before the secret, kept (named, as nginx's map needs); the secret (up to
# the next "/", "?", space or quote), masked.
SECRET_PATH = re.compile(
    r"(?P<kept>/(?:besoin-d-aide/(?:envoyee|suivi)|orientation|ateliers/inscription|invitation"
    r"|compte/mot-de-passe/nouveau/[^/]+)/)[^/?#\s\"]+"
)
MASK = "…"


def masked(text):
    return SECRET_PATH.sub(lambda found: found.group("kept") + MASK, text)


class MaskSecretPaths(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if SECRET_PATH.search(message):
            record.msg, record.args = masked(message), ()
        return True
