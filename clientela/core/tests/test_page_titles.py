"""No page without a title: an admin walks the app over the demo data, from every page
that needs no argument and then along every link the pages show (one page per URL
name, the first link found), and each HTML page has a ``<title>`` of its own, not the
bare "· Clientela" of a template that filled no title block.

A walk rather than a list: a page another module adds is covered as soon as a page
links to it, with no list here to keep up."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from clientela.core.models import User

pytestmark = pytest.mark.django_db

#: Not pages of the app: Django's own admin, the API and its docs, the language switch.
SKIPPED_PREFIXES = ("/admin/", "/api/", "/i18n/", "/static/", "/media/")
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
HREF = re.compile(r"<a\b([^>]*)>", re.S)
SUFFIX = "· Clientela"


def _parameterless_paths(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _parameterless_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "(" not in route:
            yield "/" + route.lstrip("^").rstrip("$")


def _links(html: str, base: str) -> Iterator[str]:
    for attributes in HREF.findall(html):
        if re.search(r"\sdownload\b", attributes):
            continue  # a file, not a page
        found = re.search(r'href="([^"#]*)', attributes)
        if not found or not found.group(1):
            continue
        url = urljoin(base, found.group(1).replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc in ("", "testserver") and not parts.path.startswith(SKIPPED_PREFIXES):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def _page_key(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def _title_problem(path: str, html: str) -> str | None:
    titles = TITLE.findall(html)
    if len(titles) != 1:
        return f"{path}: {len(titles)} <title> elements"
    title = " ".join(titles[0].split())
    own = title.removesuffix(SUFFIX).strip()
    if not own or own == "Clientela":
        return f"{path}: the title {title!r} names no page"
    return None


def _walk(client: Client, seeds: list[str]) -> tuple[dict[str, str], list[str]]:
    """Every page reachable from ``seeds``, one per URL name: {URL name: title}, and
    the problems found."""
    queue: deque[str] = deque(seeds)
    seen_paths: set[str] = set()
    titles: dict[str, str] = {}
    problems: list[str] = []
    while queue:
        path = queue.popleft()
        key = _page_key(path)
        if key is None or key in titles or path in seen_paths:
            continue
        seen_paths.add(path)
        response = client.get(path)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code != 200:
            continue  # a POST-only URL, or one that needs a query
        html = response.content.decode() if "text/html" in response["Content-Type"] else ""
        if "<html" not in html:
            continue  # a file, or an htmx fragment on its own URL
        problem = _title_problem(path, html)
        if problem:
            problems.append(problem)
            titles[key] = ""
        else:
            titles[key] = " ".join(TITLE.findall(html)[0].split())
        queue.extend(_links(html, path))
    return titles, problems


@pytest.fixture
def demo_admin(db: Any) -> User:
    call_command("demo", seed=5, people=30, organizations=6, verbosity=0)
    return User.objects.get(username="demo-admin")


def test_every_page_an_admin_reaches_has_a_title_of_its_own(
    client: Client, demo_admin: User
) -> None:
    client.force_login(demo_admin)
    seeds = sorted(
        path
        for path in _parameterless_paths(get_resolver().url_patterns)
        if not path.startswith(SKIPPED_PREFIXES) and "/logout/" not in path
    )
    titles, problems = _walk(client, seeds)
    assert not problems, "\n".join(problems)
    # The walk got past the lists to records and their forms.
    for reached in ("contacts:person-detail", "contacts:person-edit", "sales:deal-detail"):
        assert reached in titles, sorted(titles)
    assert len(titles) >= 40
    assert titles["contacts:person-list"].startswith("People ")
    assert titles["core:settings"].startswith("Settings ")


def test_the_login_and_password_pages_have_titles(client: Client) -> None:
    for path in ("/account/login/", "/account/password-reset/", "/account/password-reset/done/"):
        html = client.get(path).content.decode()
        assert _title_problem(path, html) is None, path


def test_every_page_links_the_favicon(client: Client) -> None:
    html = client.get("/account/login/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon, "no favicon link"
    assert finders.find(icon.group(1).removeprefix(settings.STATIC_URL).lstrip("/"))
