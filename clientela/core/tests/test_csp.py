"""The Content Security Policy (django-csp): its header on every HTML page with a fresh
nonce that the page's scripts carry, the policy itself, the same in every environment,
and no template with the inline code the policy refuses (inline <script> or <style>,
on* attributes, hx-on, javascript: links). The browser side is test_csp_browser.py."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.test import Client

import clientela

PACKAGE = Path(clientela.__file__).resolve().parent
HEADER = "Content-Security-Policy"
EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce'"],
    "style-src": ["'self'", "'nonce'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def _policy(response: Any) -> dict[str, list[str]]:
    """The header as directive -> sources, every nonce written 'nonce'."""
    directives: dict[str, list[str]] = {}
    for part in response[HEADER].split(";"):
        name, *sources = part.split()
        directives[name] = [re.sub(r"^'nonce-.+'$", "'nonce'", s) for s in sources]
    return directives


def _nonce(response: Any) -> str:
    found = re.search(r"script-src [^;]*'nonce-([^']+)'", response[HEADER])
    assert found, response[HEADER]
    return found.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/people/", "/settings/", "/account/tokens/", "/calendar/"])
def test_pages_carry_the_policy_with_a_fresh_nonce_on_their_scripts(
    client: Client, admin: Any, url: str
) -> None:
    client.force_login(admin)
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert _policy(first) == EXPECTED
    nonce = _nonce(first)
    assert nonce != _nonce(second)
    html = first.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    for tag in scripts:
        # Every script is a file of ours (or a JSON data block, which never runs).
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    # FullCalendar takes the nonce for its <style> from the first script that has one.
    assert f'nonce="{nonce}"' in next(tag for tag in scripts if "src=" in tag)


@pytest.mark.django_db
def test_error_and_anonymous_pages_carry_the_policy_too(client: Client, admin: Any) -> None:
    login = client.get("/account/login/")
    assert login.status_code == 200
    assert _policy(login) == EXPECTED
    client.force_login(admin)
    missing = client.get("/people/999999/")
    assert missing.status_code == 404
    assert _policy(missing) == EXPECTED
    # A redirect has no page to protect but gets the header all the same.
    redirect = Client().get("/people/")
    assert redirect.status_code == 302
    assert HEADER in redirect
    # The API docs (Swagger UI, static files of django-ninja) need nothing more.
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert _policy(docs)["script-src"] == ["'self'"]


def test_the_policy_is_enforced_everywhere_never_report_only(monkeypatch: Any) -> None:
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    monkeypatch.setenv("CLIENTELA_PRODUCTION", "true")
    monkeypatch.setenv("SECRET_KEY", "k" + "Zq8-xYw3" * 8)
    monkeypatch.setenv("CLIENTELA_BEHIND_HTTPS_PROXY", "true")
    production = runpy.run_path(str(PACKAGE / "settings.py"))
    assert production["CONTENT_SECURITY_POLICY"] == settings.CONTENT_SECURITY_POLICY
    assert "CONTENT_SECURITY_POLICY_REPORT_ONLY" not in production
    directives = cast(dict[str, list[Any]], settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    assert not [source for source in directives["script-src"] if "unsafe" in str(source)]


#: What the policy refuses in a template, and where to put it instead.
INLINE_CODE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>"),
    "a <style> element (put it in a static .css file)": re.compile(r"<style\b"),
    "an on* attribute (use a data- attribute and clientela.js)": re.compile(
        r"<[^>]*\son[a-z]+\s*=", re.DOTALL
    ),
    "hx-on (htmx runs it with Function())": re.compile(r"\bhx-on"),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


COMMENTS = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)


def test_no_template_holds_code_the_policy_refuses() -> None:
    found = []
    templates = sorted(PACKAGE.glob("**/templates/**/*.html"))
    assert len(templates) > 50
    for path in templates:
        text = COMMENTS.sub("", path.read_text())
        for what, pattern in INLINE_CODE.items():
            if pattern.search(text):
                found.append(f"{path.relative_to(PACKAGE)}: {what}")
    assert found == []
