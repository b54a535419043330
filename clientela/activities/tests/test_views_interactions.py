"""Editing the contact history on the timeline (``activities/views/interactions.py``):
an entry swaps to its form and back, is deleted with an Undo and restored from the
trash, by its author and admins only; bad input and stale versions change nothing."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import Interaction
from clientela.core.models import AuditEntry
from clientela.core.testing.history import history_changes

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def log(actor: Any, person: Any, **data: Any) -> Interaction:
    data.setdefault("channel", "call")
    data.setdefault("subject", "Called about the renewal")
    return services.interaction_create(
        actor=actor, data=cast(Any, {"person_ids": [person.pk], **data})
    )


def url(action: str, interaction: Interaction) -> str:
    return reverse(f"activities:interaction-{action}", kwargs={"pk": interaction.pk})


def browser(user: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client


def edit_form(interaction: Interaction, **overrides: Any) -> dict[str, Any]:
    data = {
        "channel": "email",
        "direction": "in",
        "occurred_at": timezone.localtime(interaction.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "",
        "subject": "Wrote about the renewal",
        "body": "She wants a quote by Friday.",
        "outcome": "Quote to send",
        "version": str(interaction.version),
    }
    data.update(overrides)
    return data


@pytest.fixture
def person(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Bea")


@pytest.fixture
def call(rep_north: Any, person: Any) -> Interaction:
    return log(rep_north, person)


def unchanged(interaction: Interaction) -> None:
    fresh = Interaction.objects.get(pk=interaction.pk)
    assert (fresh.subject, fresh.channel, fresh.version, fresh.deleted_at) == (
        "Called about the renewal",
        "call",
        1,
        None,
    )


# --- who gets the buttons and the forms -------------------------------------------------


def test_the_author_gets_edit_and_delete_on_the_timeline(
    rep_north: Any, person: Any, call: Interaction
) -> None:
    page = browser(rep_north).get(f"/people/{person.pk}/").content.decode()
    assert f'hx-get="{url("edit", call)}"' in page
    assert f'hx-post="{url("delete", call)}"' in page


def test_an_admin_may_change_anyones_entry(
    admin: Any, rep_north: Any, person: Any, call: Interaction
) -> None:
    client = browser(admin)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert f'hx-get="{url("edit", call)}"' in page
    response = client.post(url("edit", call), edit_form(call), **HTMX)
    assert response.status_code == 200, response.content
    call.refresh_from_db()
    assert (call.subject, call.owner, call.version) == ("Wrote about the renewal", rep_north, 2)
    assert client.post(url("delete", call), **HTMX).status_code == 200
    call.refresh_from_db()
    assert call.deleted_by == admin


@pytest.mark.parametrize("who", ["rep_north2", "manager_north", "reader"])
def test_others_get_no_buttons_and_404_on_every_url(
    request: pytest.FixtureRequest, who: str, person: Any, call: Interaction
) -> None:
    """A teammate, the team's manager and a read-only user all see the entry, but what
    someone logged is not theirs to rewrite."""
    client = browser(request.getfixturevalue(who))
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Called about the renewal" in page
    assert url("edit", call) not in page
    assert url("delete", call) not in page
    assert client.get(url("edit", call), **HTMX).status_code == 404
    assert client.post(url("edit", call), edit_form(call), **HTMX).status_code == 404
    assert client.post(url("delete", call), **HTMX).status_code == 404
    assert client.post(url("delete", call)).status_code == 404
    unchanged(call)


def test_a_read_only_author_gets_no_buttons_and_403(
    reader: Any, person_factory: Any, admin: Any
) -> None:
    """Someone whose role was made read-only after logging keeps reading the entry but
    their role no longer lets them change it."""
    someone = person_factory(admin)
    reader.is_superuser = True  # logged while their role still allowed it
    call = log(reader, someone)
    reader.is_superuser = False
    reader.save()
    client = browser(reader)
    page = client.get(f"/people/{someone.pk}/").content.decode()
    assert "Called about the renewal" in page
    assert url("edit", call) not in page
    assert client.get(url("edit", call), **HTMX).status_code == 403
    assert client.post(url("delete", call), **HTMX).status_code == 403
    unchanged(call)


# --- edit -------------------------------------------------------------------------------


def test_edit_swaps_the_entry_for_its_form_and_back(
    rep_north: Any, person: Any, call: Interaction
) -> None:
    client = browser(rep_north)
    form = client.get(url("edit", call), **HTMX)
    assert form.status_code == 200
    html = form.content.decode()
    assert f'id="entry-interaction-{call.pk}"' in html
    assert 'value="Called about the renewal"' in html
    assert f'hx-get="{url("entry", call)}"' in html  # Cancel
    assert 'name="version" value="1"' in html
    saved = client.post(url("edit", call), edit_form(call), **HTMX)
    assert saved.status_code == 200
    html = saved.content.decode()
    assert f'id="entry-interaction-{call.pk}"' in html
    assert "Wrote about the renewal" in html
    assert "<form" in html  # its Delete
    assert 'name="subject"' not in html  # the entry, not the form
    call.refresh_from_db()
    assert (call.channel, call.direction, call.body, call.version) == (
        "email",
        "in",
        "She wants a quote by Friday.",
        2,
    )
    assert list(call.people.all()) == [person]
    cancel = client.get(url("entry", call), **HTMX)
    assert "Wrote about the renewal" in cancel.content.decode()


def test_an_edit_is_audited_and_its_changes_read_in_peoples_words(
    rep_north: Any, call: Interaction
) -> None:
    client = browser(rep_north)
    client.post(url("edit", call), edit_form(call), **HTMX)
    entry = AuditEntry.objects.filter(object_id=call.pk, action="update").get()
    assert entry.actor == rep_north
    assert entry.changes["subject"] == ["Called about the renewal", "Wrote about the renewal"]
    history = client.get(url("history", call), **HTMX).content.decode()
    changes = dict((label, (old, new)) for label, old, new in history_changes(history)[0])
    assert changes["Channel"] == ("Call", "E-mail")
    assert changes["Subject"] == ("Called about the renewal", "Wrote about the renewal")
    assert "call" not in [old for old, _new in changes.values()]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"channel": ""}, "This field is required."),
        ({"occurred_at": ""}, "This field is required."),
        ({"subject": "x" * 201}, "at most 200 characters"),
        ({"body": "b" * 20001}, "at most 20000 characters"),
        ({"channel": "pigeon"}, "Select a valid choice"),
        ({"duration_minutes": "long"}, "Enter a whole number."),
        ({"occurred_at": "yesterday-ish"}, "Enter a valid date/time"),
        ({"version": "x"}, "This form is out of date"),
    ],
)
def test_bad_input_is_422_with_the_form_and_saves_nothing(
    rep_north: Any, call: Interaction, overrides: dict[str, str], message: str
) -> None:
    response = browser(rep_north).post(url("edit", call), edit_form(call, **overrides), **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    unchanged(call)


def test_an_empty_post_is_422_and_saves_nothing(rep_north: Any, call: Interaction) -> None:
    response = browser(rep_north).post(url("edit", call), {}, **HTMX)
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    unchanged(call)


def test_a_stale_edit_is_409_and_overwrites_nothing(
    rep_north: Any, admin: Any, call: Interaction
) -> None:
    client = browser(rep_north)
    form = edit_form(call)  # opened at version 1
    services.interaction_update(actor=admin, interaction=call, data={"outcome": "Admin's"})
    response = client.post(url("edit", call), form, **HTMX)
    assert response.status_code == 409
    assert "Someone changed this entry after you opened it" in response.content.decode()
    call.refresh_from_db()
    assert (call.subject, call.outcome, call.version) == ("Called about the renewal", "Admin's", 2)


# --- delete, Undo, trash ----------------------------------------------------------------


def test_delete_leaves_an_undo_that_puts_the_entry_back(
    rep_north: Any, person: Any, call: Interaction
) -> None:
    client = browser(rep_north)
    deleted = client.post(url("delete", call), **HTMX)
    assert deleted.status_code == 200
    html = deleted.content.decode()
    assert "was moved to the trash" in html
    assert f'hx-post="{url("restore", call)}"' in html
    call.refresh_from_db()
    assert (call.deleted_at is not None, call.deleted_by) == (True, rep_north)
    assert "Called about the renewal" not in client.get(f"/people/{person.pk}/").content.decode()
    restored = client.post(url("restore", call), **HTMX)
    assert restored.status_code == 200
    assert f'id="entry-interaction-{call.pk}"' in restored.content.decode()
    call.refresh_from_db()
    assert call.deleted_at is None
    assert "Called about the renewal" in client.get(f"/people/{person.pk}/").content.decode()
    actions = AuditEntry.objects.filter(
        object_id=call.pk, content_type__model="interaction"
    ).values_list("action", flat=True)
    assert sorted(actions) == ["create", "delete", "restore"]


def test_without_htmx_delete_says_so_with_an_undo_and_goes_back_to_the_person(
    rep_north: Any, person: Any, call: Interaction
) -> None:
    client = browser(rep_north)
    response = client.post(url("delete", call), follow=True)
    assert response.redirect_chain[-1][0] == f"/people/{person.pk}/"
    page = response.content.decode()
    assert "was moved to the trash" in page
    undo = reverse("core:trash-restore-one", args=["activities.interaction", call.pk])
    assert f'action="{undo}"' in page
    back = client.post(undo, follow=True)
    assert back.redirect_chain[-1][0] == f"/people/{person.pk}/"
    assert "Called about the renewal" in back.content.decode()


def test_restored_from_the_trash_page_by_the_deleter_not_by_a_teammate(
    rep_north: Any, rep_north2: Any, admin: Any, person: Any, call: Interaction
) -> None:
    browser(rep_north).post(url("delete", call), **HTMX)
    teammate = browser(rep_north2)
    assert "Called about the renewal" not in teammate.get("/trash/").content.decode()
    assert teammate.post(url("restore", call), **HTMX).status_code == 404
    items = {"items": [f"activities.interaction:{call.pk}"]}
    teammate.post(reverse("core:trash-restore"), items)
    call.refresh_from_db()
    assert call.deleted_at is not None
    assert "Called about the renewal" in browser(admin).get("/trash/").content.decode()
    mine = browser(rep_north)
    assert "Called about the renewal" in mine.get("/trash/").content.decode()
    assert mine.post(reverse("core:trash-restore"), items).status_code == 302
    call.refresh_from_db()
    assert call.deleted_at is None


def test_a_deleted_entry_cannot_be_edited_or_deleted_again(
    rep_north: Any, call: Interaction
) -> None:
    client = browser(rep_north)
    client.post(url("delete", call), **HTMX)
    assert client.get(url("edit", call), **HTMX).status_code == 404
    assert client.post(url("edit", call), edit_form(call), **HTMX).status_code == 404
    assert client.post(url("delete", call), **HTMX).status_code == 404
    assert client.get(url("entry", call), **HTMX).status_code == 404


def test_logging_on_a_timeline_with_entries_sends_no_swap_for_a_missing_element(
    rep_north: Any, person: Any, call: Interaction
) -> None:
    """The out-of-band swap of the new entry is the only one: "Nothing on the timeline
    yet" is no longer deleted out of band (htmx:oobErrorNoTarget when it was not there)."""
    response = browser(rep_north).post(
        f"/timeline/person/{person.pk}/log/",
        {"channel": "note", "direction": "out", "occurred_at": "2025-03-01T10:00"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.count("hx-swap-oob") == 1
    assert 'hx-swap-oob="afterbegin:#timeline-entries-person"' in html
    assert "timeline-empty" not in html
