"""The queue views read open tickets in deadline order from a partial index
(``ticket_queue_due_idx``, ``ticket_assignee_due_idx``), and their filter must let the
database use it: on SQLite a bound ``status IN (?, ?, …)`` does not prove a row is in
an index whose condition names the statuses, so the queue was read whole and sorted
(100 ms at 200,000 tickets; ``bench/service.py``). ``in_constants`` writes them into
the statement."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from clientela.core.db import InConstants
from clientela.service.filters import TicketFilters
from clientela.service.models import Ticket
from clientela.service.selectors.tickets import ticket_list

pytestmark = pytest.mark.django_db


def _plan(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: the plan it would use
        cursor.execute(f"EXPLAIN {sql}", params)
        return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (TicketFilters(status="active", queue_id=1), "ticket_queue_due_idx"),
        (TicketFilters(status="active", assignee_mode="me"), "ticket_assignee_due_idx"),
    ],
)
def test_the_queue_views_read_their_partial_index(admin: Any, filters: Any, index: str) -> None:
    qs = ticket_list(user=admin, filters=filters).values_list("pk", flat=True)[:50]
    sql, params = qs.query.sql_with_params()
    assert "IN ('new', 'open', 'pending', 'on_hold')" in sql
    assert index in _plan(sql, params)


def test_in_constants_takes_choice_names_only() -> None:
    with pytest.raises(ValueError, match="choice names only"):
        str(Ticket.objects.filter(status__in_constants=["open', 'x"]).query)
    assert InConstants.lookup_name == "in_constants"
