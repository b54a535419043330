"""The extension points higher apps use to show themselves on lower pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.core.registry import nav_for


def test_top_bar_links_come_from_the_registry(db: Any, rep_north: Any, admin: Any) -> None:
    rep_links = [item.key for item in nav_for(rep_north)]
    assert rep_links.index("people") < rep_links.index("organizations")
    assert "trash" not in rep_links
    assert "trash" in [item.key for item in nav_for(admin)]


@pytest.mark.django_db
def test_pages_render_the_registered_links(client: Any, rep_north: Any, admin: Any) -> None:
    client.force_login(rep_north)
    page = client.get("/people/").content.decode()
    assert 'href="/organizations/"' in page
    assert 'href="/trash/"' not in page
    client.force_login(admin)
    assert 'href="/trash/"' in client.get("/people/").content.decode()


def test_home_is_the_first_registered_page(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    assert client.get("/").url == reverse(nav_for(rep_north)[0].url_name)
