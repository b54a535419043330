"""The trash of every registered kind with a trash and a restore service
(``core.trash``): a delete through the kind's page or the API lands in the deleter's
trash, its Undo and the trash's Restore bring it back; a teammate who did not delete it
neither sees nor restores it (404); an admin sees everyone's, filtered by kind and by
who deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from clientela.core.permissions import can
from clientela.core.testing.kinds import kind_factories
from clientela.core.testing.matrix import ROLE_KEYS, api_for, api_url, browser, page_url
from clientela.core.trash import trash_kinds

pytestmark = pytest.mark.django_db

TRASH_KINDS = [k.resource for k in trash_kinds()]


def test_every_kind_of_record_has_a_trash() -> None:
    expected = {
        "sales.product",
        "contacts.person",
        "contacts.organization",
        "sales.lead",
        "sales.deal",
        "sales.quote",
        "sales.order",
        "activities.interaction",
        "activities.task",
        "activities.appointment",
    }
    assert expected <= set(TRASH_KINDS)


def _deleter(request: pytest.FixtureRequest, resource: str) -> Any:
    """A non-admin who may delete (and so edit) records of the kind: through the role's
    rights, or for a kind without rights (products) a role of the factory's
    ``managers``."""
    managers = kind_factories()[resource].managers
    for name in ("rep_north", "manager_north", "support", "marketer"):
        user = request.getfixturevalue(name)
        if managers:
            if ROLE_KEYS[name] in managers:
                return user
        elif can(user, "delete", resource) and can(user, "update", resource):
            return user
    pytest.skip(f"no role but admin deletes {resource}")


def _delete(user: Any, kind: Any, record: Any) -> str:
    """Delete through the kind's delete page when it has one (returning the Undo URL
    of its message), else through the API."""
    url = page_url(kind, "delete", record.pk)
    if url is None:
        response = api_for(kind, user).delete(api_url(kind, record.pk))
        assert response.status_code == 204, response.content
        return ""
    response = browser(user).post(url)
    assert response.status_code == 302, response.content
    tags = [m.extra_tags for m in get_messages(response.wsgi_request)]
    undo = [t.removeprefix("undo:") for t in tags if t.startswith("undo:")]
    assert len(undo) == 1, tags
    return undo[0]


@pytest.mark.parametrize("resource", TRASH_KINDS)
def test_delete_undo_and_restore_by_the_deleter_only(
    request: pytest.FixtureRequest, resource: str, rep_north2: Any, admin: Any
) -> None:
    factory = kind_factories()[resource]
    kind = factory.kind
    user = _deleter(request, resource)
    record = factory.make_owned(user)
    name = escape(str(record))
    undo = _delete(user, kind, record)
    record.refresh_from_db()
    assert record.deleted_at is not None
    assert record.deleted_by == user
    if undo:
        assert browser(user).post(undo).status_code == 302
        record.refresh_from_db()
        assert record.deleted_at is None
        assert record.deleted_by is None
        _delete(user, kind, record)
    # In the deleter's trash, under its kind; not in a teammate's.
    mine = browser(user).get(reverse("core:trash"), {"kind": resource})
    assert mine.status_code == 200
    assert name in mine.content.decode()
    other = browser(rep_north2)
    if rep_north2 != user:
        assert name not in other.get(reverse("core:trash")).content.decode()
        restore = reverse("core:trash-restore-one", args=[resource, record.pk])
        assert other.post(restore).status_code == 404
        record.refresh_from_db()
        assert record.deleted_at is not None
    # The admin sees everyone's, and by who deleted.
    seen = browser(admin).get(reverse("core:trash"), {"user": user.pk, "kind": resource})
    assert name in seen.content.decode()
    seen = browser(admin).get(reverse("core:trash"), {"user": admin.pk})
    assert name not in seen.content.decode()
    # Restored from the trash page by the deleter.
    response = browser(user).post(
        reverse("core:trash-restore"), {"items": [f"{resource}:{record.pk}"]}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.deleted_at is None
