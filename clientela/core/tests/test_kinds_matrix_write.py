"""Who may change what, for every registered kind: each role × update, delete and
create × a record of its own, of a teammate and of the other team, through the pages
and the REST API (``core.testing.matrix``)."""

from __future__ import annotations

import pytest

from clientela.core.testing.kinds import kind_factories
from clientela.core.testing.matrix import (
    Case,
    cases,
    create_outcomes,
    delete_outcomes,
    owner_for,
    role_user,
    update_outcomes,
)

pytestmark = pytest.mark.django_db

CASES = cases(("update", "delete", "create"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_write(request: pytest.FixtureRequest, case: Case) -> None:
    factory = kind_factories()[case.resource]
    user = role_user(request, case.role, case.resource)
    owner = owner_for(request, user, case.side)
    if case.action == "create":
        found = create_outcomes(factory, user, owner)
    else:
        record = factory.make_owned(owner)
        check = update_outcomes if case.action == "update" else delete_outcomes
        found = check(factory, user, record)
    assert found == dict.fromkeys(found, case.expected)
