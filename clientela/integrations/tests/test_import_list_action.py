"""The "Import" button on the people and organization lists shows only to users who
may create that kind of record (the pages behind it refuse the others too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["people", "organizations"])
def test_import_button_only_for_users_who_may_create(
    client: Any, admin: Any, reader: Any, kind: str
) -> None:
    target = reverse("integrations:import-new-kind", kwargs={"kind": kind})
    list_url = reverse(f"contacts:{'person' if kind == 'people' else 'organization'}-list")
    client.force_login(admin)
    assert target in client.get(list_url).content.decode()
    client.force_login(reader)
    page = client.get(list_url)
    assert page.status_code == 200
    assert target not in page.content.decode()
    assert client.get(target).status_code in (403, 404)
