"""A process's copy of a small table (``core.stamped.TableCopy``): kept while the table
is unchanged, read again when another process changed it (the stamp) or this one saved
a row (the signal)."""

from __future__ import annotations

import datetime

import pytest

from clientela.core.models import Team
from clientela.core.stamped import TableCopy

pytestmark = pytest.mark.django_db

LATER = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def test_the_copy_is_kept_until_the_table_changes() -> None:
    loads: list[int] = []

    def load() -> list[str]:
        loads.append(1)
        return sorted(Team.objects.values_list("name", flat=True))

    copy = TableCopy(Team, load)
    Team.objects.create(name="North")
    assert copy.get() == ["North"]
    assert copy.get() == ["North"]
    assert len(loads) == 1
    # Changed as another process would (no signal here): the stamp tells.
    Team.objects.filter(name="North").update(name="East", updated_at=LATER)
    assert copy.get() == ["East"]
    assert len(loads) == 2
    # Deleted: dropped (the signal; the count would tell another process).
    Team.objects.filter(name="East").delete()
    assert copy.get() == []
    # Saved in this process: dropped at once.
    Team.objects.create(name="South")
    assert copy.get() == ["South"]
    assert len(loads) == 4
