"""The header search sorts at most ``SORT_WINDOW`` visible matches by title, so a
common word costs the same as a rare one; what the user may not see never takes the
place of what they may."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.models import Person
from clientela.core import search
from clientela.core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(admin: User, rep_north: User, rep_south: User, person_factory: Any) -> None:
    for i in range(12):
        person_factory(admin, owner=rep_south, first_name="Aaron", last_name=f"South{i:02}")
    for i in reversed(range(8)):
        person_factory(admin, owner=rep_north, first_name="Aaron", last_name=f"North{i:02}")


def titles(user: User, limit: int) -> list[str]:
    return [
        e.title
        for e in search.search(user=user, query="aaron", resources=[Person.RESOURCE], limit=limit)
    ]


def test_more_matches_than_the_window_still_give_sorted_visible_hits(
    many: None, rep_north: User, monkeypatch: Any
) -> None:
    monkeypatch.setattr(search, "SORT_WINDOW", 5)
    hits = titles(rep_north, 3)
    assert len(hits) == 3
    assert hits == sorted(hits)
    assert all("North" in t for t in hits)


def test_a_limit_above_the_window_widens_it(many: None, admin: User, monkeypatch: Any) -> None:
    monkeypatch.setattr(search, "SORT_WINDOW", 5)
    hits = titles(admin, 50)
    assert len(hits) == 20
    assert hits == sorted(hits)


def test_within_the_window_the_order_is_by_title(many: None, rep_north: User) -> None:
    assert titles(rep_north, 8) == [f"Aaron North{i:02}" for i in range(8)]
