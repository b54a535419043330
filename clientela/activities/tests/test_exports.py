"""The exports of interactions and appointments (``activities.exports``): CSV, XLSX and
JSON through ``/export/<kind>.<fmt>`` and ``clientela export``, their columns and
plain JSON bodies, their filters, and only what the user may see (a private note stays
with its author and the admins). Tasks are exported with the sales kinds
(``integrations/tests/test_export_kinds.py``)."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from clientela.activities import services
from clientela.activities.models import Appointment, Interaction
from clientela.integrations.exports import KINDS, formats_for

pytestmark = pytest.mark.django_db

START = datetime.datetime(2031, 5, 6, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def export(client: Any, kind: str, fmt: str, query: str = "") -> Any:
    url = reverse("integrations:export", kwargs={"kind": kind, "fmt": fmt})
    response = client.get(f"{url}?{query}" if query else url)
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content)
    if fmt == "json":
        return json.loads(data)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def call(rep: Any, ana: Any, acme: Any, **data: Any) -> Interaction:
    upload = SimpleUploadedFile("offer.pdf", b"%PDF-1.7 hello", content_type="application/pdf")
    data = {
        "channel": "call",
        "subject": "Asked for a quote",
        "occurred_at": START,
        "person_ids": [ana.pk],
        "organization_id": acme.pk,
        "attachments": [upload],
        **data,
    }
    return services.interaction_create(actor=rep, data=data)  # type: ignore[arg-type]


def visit(rep: Any, start: datetime.datetime = START, **data: Any) -> Appointment:
    data = {"title": "Visit", "start_at": start, "end_at": start + HOUR, **data}
    return services.appointment_create(actor=rep, data=data)  # type: ignore[arg-type]


@pytest.fixture
def linked(rep_north: Any, person_factory: Any, organization_factory: Any) -> tuple[Any, Any]:
    ana = person_factory(rep_north, first_name="Ana", last_name="Ruiz")
    return ana, organization_factory(rep_north, name="Acme Ovens")


def test_both_kinds_export_in_the_tabular_formats() -> None:
    for kind in ("interactions", "appointments"):
        assert [f.key for f in formats_for(KINDS[kind])] == ["csv", "xlsx", "json"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_interaction_columns(client: Any, rep_north: Any, linked: Any, fmt: str) -> None:
    interaction = call(rep_north, *linked)
    client.force_login(rep_north)
    (row,) = export(client, "interactions", fmt)
    assert row["id"] == str(interaction.pk)
    assert (row["channel"], row["direction"], row["subject"]) == (
        "call",
        "out",
        "Asked for a quote",
    )
    assert row["when"] == "2031-05-06T09:00:00Z"
    assert (row["private"], row["attachments"]) == ("no", "offer.pdf")
    assert (row["organization"], row["people"], row["owner"]) == (
        "Acme Ovens",
        "Ana Ruiz",
        "nora_north",
    )


def test_interaction_json_is_its_plain_values(client: Any, rep_north: Any, linked: Any) -> None:
    ana, acme = linked
    interaction = call(rep_north, ana, acme)
    client.force_login(rep_north)
    (body,) = export(client, "interactions", "json")
    assert body["id"] == interaction.pk
    assert (body["person_ids"], body["organization_id"]) == ([ana.pk], acme.pk)
    assert (body["owner_id"], body["attachments"]) == (rep_north.pk, ["offer.pdf"])
    assert (body["occurred_at"], body["is_private"]) == ("2031-05-06T09:00:00Z", False)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_appointment_columns_and_body(
    client: Any, rep_north: Any, rep_north2: Any, linked: Any, fmt: str
) -> None:
    ana, acme = linked
    appointment = visit(
        rep_north,
        attendee_ids=[rep_north2.pk, rep_north.pk],
        person_ids=[ana.pk],
        organization_id=acme.pk,
        location="Their office",
    )
    client.force_login(rep_north)
    (row,) = export(client, "appointments", fmt)
    if fmt == "json":
        assert row["id"] == appointment.pk
        assert row["attendee_ids"] == sorted([rep_north.pk, rep_north2.pk])
        assert (row["start_at"], row["owner_id"]) == ("2031-05-06T09:00:00Z", rep_north.pk)
        assert "conflicts" not in row
        return
    assert (row["title"], row["location"]) == ("Visit", "Their office")
    assert (row["start"], row["end"]) == ("2031-05-06T09:00:00Z", "2031-05-06T10:00:00Z")
    assert sorted(row["attending users"].splitlines()) == ["ned_north", "nora_north"]
    assert (row["organization"], row["people"], row["owner"]) == (
        "Acme Ovens",
        "Ana Ruiz",
        "nora_north",
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_only_what_the_user_may_see(
    client: Any,
    rep_north: Any,
    rep_north2: Any,
    rep_south: Any,
    admin: Any,
    linked: Any,
    fmt: str,
) -> None:
    shared = call(rep_north, *linked)
    private = call(rep_north, *linked, channel="note", is_private=True, subject="Secret")
    south = services.interaction_create(actor=rep_south, data={"channel": "sms"})
    visits = {user.pk: visit(user).pk for user in (rep_north, rep_south)}

    def ids(user: Any, kind: str) -> set[int]:
        client.force_login(user)
        return {int(r["id"]) for r in export(client, kind, fmt)}

    assert ids(rep_north, "interactions") == {shared.pk, private.pk}
    assert ids(rep_north2, "interactions") == {shared.pk}  # a teammate's private note
    assert ids(rep_south, "interactions") == {south.pk}
    assert ids(admin, "interactions") == {shared.pk, private.pk, south.pk}
    assert ids(rep_north2, "appointments") == {visits[rep_north.pk]}
    assert ids(rep_south, "appointments") == {visits[rep_south.pk]}


def test_filters_and_order(
    client: Any, rep_north: Any, linked: Any, organization_factory: Any
) -> None:
    ana, acme = linked
    first = call(rep_north, ana, acme)
    later = call(rep_north, ana, organization_factory(rep_north), occurred_at=START + HOUR)
    mail = call(rep_north, ana, acme, channel="email", occurred_at=START - HOUR, person_ids=[])
    may, june = visit(rep_north), visit(rep_north, START + datetime.timedelta(days=30))
    client.force_login(rep_north)

    def ids(kind: str, query: str = "") -> list[int]:
        return [r["id"] for r in export(client, kind, "json", query)]

    assert ids("interactions") == [later.pk, first.pk, mail.pk]  # newest first
    assert ids("interactions", "sort=occurred") == [mail.pk, first.pk, later.pk]
    assert ids("interactions", "channel=email") == [mail.pk]
    assert ids("interactions", f"person={ana.pk}") == [later.pk, first.pk]
    assert ids("interactions", f"organization={acme.pk}") == [first.pk, mail.pk]
    assert ids("appointments") == [may.pk, june.pk]
    assert ids("appointments", "date_from=2031-05-07") == [june.pk]
    assert ids("appointments", "date_to=2031-05-06") == [may.pk]
    assert ids("appointments", "sort=-start") == [june.pk, may.pk]
    # Bad values are left out on the web, as a list page does…
    assert ids("interactions", "channel=pigeon&person=x") == ids("interactions")
    assert ids("appointments", "date_from=soon") == ids("appointments")
    assert ids("appointments", "date_from=0001-01-01&date_to=9999-12-31") == ids("appointments")


@pytest.mark.parametrize(
    ("kind", "query", "name"),
    [
        ("interactions", "channel=pigeon", "channel"),
        ("interactions", "person=x", "person"),
        ("appointments", "date_from=soon", "date_from"),
        ("appointments", "date_to=9999-12-31", "date_to"),
        ("appointments", "date_from=0001-01-01", "date_from"),
        ("appointments", "sort=title", "sort"),
    ],
)
def test_bad_filters_are_a_clear_error_on_the_command_line(
    rep_north: Any, kind: str, query: str, name: str
) -> None:
    with pytest.raises(CommandError, match=f"--filters: {name}: "):
        call_command("export", kind, "--user", "nora_north", "--filters", query)


def test_command_exports_appointments(rep_north: Any) -> None:
    visit(rep_north, title="Bakery visit")
    out = io.StringIO()
    call_command("export", "appointments", "--user", "nora_north", "--format", "json", stdout=out)
    assert [a["title"] for a in json.loads(out.getvalue())] == ["Bakery visit"]


def test_queries_do_not_grow_with_the_records(
    client: Any, admin: Any, rep_north: Any, linked: Any
) -> None:
    client.force_login(admin)

    def count(kind: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            export(client, kind, "csv")
        return len(queries)

    call(rep_north, *linked)
    visit(rep_north, attendee_ids=[admin.pk])
    count("interactions")  # the session and the role's rights, read once
    before = {kind: count(kind) for kind in ("interactions", "appointments")}
    for hours in range(3):
        call(rep_north, *linked, occurred_at=START + hours * HOUR)
        visit(rep_north, START + hours * HOUR, attendee_ids=[admin.pk])
    assert {kind: count(kind) for kind in before} == before
