"""Segments pick people: the fields other kinds of record register for automation's
rules (deals, leads, orders, tickets, tasks) are not offered in the segment editor."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.models import Person
from clientela.core.conditions import condition_fields, condition_resources
from clientela.core.conditions.editor import builder_fields

pytestmark = pytest.mark.django_db


def test_the_segment_editor_offers_the_fields_of_people_only(admin: Any) -> None:
    assert {
        "sales.deal",
        "sales.lead",
        "sales.order",
        "service.ticket",
        "activities.task",
    } <= set(condition_resources())
    offered = {f["key"] for f in builder_fields(Person.RESOURCE)}
    assert offered == {f.key for f in condition_fields("contacts.person")}
    assert {"city", "organization.name", "purchases.spent", "consent"} <= offered
    for key in ("amount", "stage", "close_date", "next_due_at", "due_at", "assignee", "score"):
        assert key not in offered
