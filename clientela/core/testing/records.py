"""What every kind's REST API and pages must do whatever the kind: the CRUD round
trip with versions, bad input answered as 4xx (never a 500), and lists whose query
count does not grow with their rows (no N+1)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core.kinds import MAX_ID, RecordKind
from clientela.core.testing.kinds import KindFactory, kind_factories
from clientela.core.testing.matrix import api_for, api_url, browser, page_url

#: An id no record has; and ids that are none: zero, negative, not a number, past the
#: largest id the database holds.
UNKNOWN_ID = "999999"
MALFORMED_IDS = ("0", "-1", "abc", "1.5", str(MAX_ID), str(10**30))
#: Bodies that are not an object of the kind.
GARBAGE_BODIES = ("{", "[]", '"text"', "null", '{"": ')


def versioned(kind: RecordKind) -> bool:
    """Whether the kind's records carry a version (every ``CRMRecord``; the catalogue
    does not), so its API sends ETags and honours If-Match."""
    return any(f.name == "version" for f in kind.model._meta.get_fields())


def kinds_with(*services: str) -> list[KindFactory]:
    """The factories of the kinds whose declaration has all of ``services``."""
    return [
        f
        for f in kind_factories().values()
        if all(getattr(f.kind, service) is not None for service in services)
    ]


def ids(factories: list[KindFactory]) -> list[str]:
    return [f.resource for f in factories]


def count_queries(fn: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries.captured_queries)


def list_calls(factory: KindFactory, user: Any) -> dict[str, Any]:
    """The list page (where the kind has one) and the API list, as calls that check
    their answer."""
    kind = factory.kind
    api, client = api_for(kind, user), browser(user)

    def api_list() -> None:
        response = api.get(api_url(kind), {"limit": 50, **factory.api_list_params})
        assert response.status_code == 200, response.content

    calls = {"api list": api_list}
    listing = page_url(kind, "list")
    if listing is not None:

        def page() -> None:
            assert client.get(listing).status_code == 200

        calls["list page"] = page
    return calls
