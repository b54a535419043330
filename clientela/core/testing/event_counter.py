"""A subscriber module for the killed-worker test (``CLIENTELA_EVENT_SUBSCRIBERS``):
two subscribers that each write one row per event they get, into a table of their
own (made on first use, no unique constraint: a second delivery would show as a
second row), slowly enough that a test can kill the worker in the middle."""

from __future__ import annotations

import time

from django.db import connection

from clientela.core.events import Event, Subscriber, register_subscriber

TABLE = "test_event_received"


def _record(subscriber: str) -> Subscriber:
    def handle(event: Event) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (event_id varchar(40), subscriber varchar(40))"
            )
            cursor.execute(
                f"INSERT INTO {TABLE} (event_id, subscriber) VALUES (%s, %s)",  # noqa: S608
                [event.id, subscriber],
            )
        time.sleep(0.02)

    return Subscriber(f"test.counter.{subscriber}", handle)


register_subscriber(_record("a"))
register_subscriber(_record("b"))
