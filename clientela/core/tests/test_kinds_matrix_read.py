"""Who sees what, for every registered kind: each role × a record of its own, of a
teammate and of the other team, through the selector, the pages, the REST API, the
header search and the exports (``core.testing.matrix``)."""

from __future__ import annotations

import pytest

from clientela.core.testing.kinds import kind_factories, unique_label
from clientela.core.testing.matrix import Case, cases, owner_for, read_outcomes, role_user

pytestmark = pytest.mark.django_db

CASES = cases(("read",))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_read(request: pytest.FixtureRequest, case: Case) -> None:
    factory = kind_factories()[case.resource]
    user = role_user(request, case.role, case.resource)
    label = unique_label()
    record = factory.make_owned(owner_for(request, user, case.side), label)
    found = read_outcomes(factory, user, record, label)
    assert found == dict.fromkeys(found, case.expected)
