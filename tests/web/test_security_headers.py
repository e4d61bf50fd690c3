"""Content Security Policy with nonces, and templates that never need 'unsafe-inline'."""

import re
from pathlib import Path

import pytest

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent.parent / "maillage"
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)


def templates():
    return sorted(TEMPLATE_ROOT.rglob("templates/**/*.html"))


@pytest.mark.parametrize("path", templates(), ids=lambda path: str(path.relative_to(TEMPLATE_ROOT)))
def test_templates_have_no_inline_style_or_script(path):
    text = path.read_text()
    assert not INLINE_STYLE.search(text), "style attributes need 'unsafe-inline': use a CSS class"
    assert not INLINE_HANDLER.search(text), "event handler attributes are inline scripts: use static/js"
    assert not STYLE_TAG.search(text), "<style> blocks need 'unsafe-inline': use the stylesheet"
    for tag in SCRIPT_TAG.findall(text):
        assert "src=" in tag and "nonce=" in tag, f"scripts are files loaded with the request's nonce: {tag}"


def test_every_page_sends_a_strict_content_security_policy(client, communes):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_rendered_qr_code_has_no_inline_style(client, demo):
    from tests.conftest import verified_session

    verified_session(client, demo.user("observateur"))
    html = client.get("/compte/securite/application/").content.decode()
    assert "<svg" in html
    assert not INLINE_STYLE.search(html)
