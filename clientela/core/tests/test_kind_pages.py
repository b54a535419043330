"""Every registered kind with list pages renders its list through the generic view
(``core.views.kinds.RecordListView``): the empty state, then one row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse

from clientela.automation.services.rules import rule_create
from clientela.contacts.services import organization_create, person_create
from clientela.core.kinds import RecordKind, record_kinds
from clientela.core.testing.kinds import kind_factories
from clientela.core.views.kinds import RecordListView
from clientela.sales.services.leads import lead_create
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline
from clientela.sales.tests.quote_helpers import make_product, make_quote
from clientela.sales.tests.test_orders_services import make_order

TAGGED = [{"type": "add_tag", "tag": "Kind"}]


def _person(admin: Any) -> Any:
    return person_create(actor=admin, data={"first_name": "Ana", "last_name": "Kind"})


#: One record of each kind, made by its services; a kind not named here is made by its
#: factory for the generic tests (``core.testing.kinds``).
MAKERS: dict[str, Callable[[Any], Any]] = {
    "contacts.person": _person,
    "contacts.organization": lambda admin: organization_create(
        actor=admin, data={"name": "Kind Org"}
    ),
    "sales.lead": lambda admin: lead_create(actor=admin, data={"first_name": "Lea"}),
    "sales.deal": lambda admin: make_deal(admin, make_pipeline()),
    "sales.product": lambda admin: make_product(admin),
    "sales.quote": lambda admin: make_quote(admin, _person(admin)),
    "sales.order": lambda admin: make_order(admin, person_id=_person(admin).pk),
    "automation.rule": lambda admin: rule_create(
        actor=admin,
        data={"name": "Kind rule", "trigger": {"event": "person.created"}, "actions": TAGGED},
    ),
}


def kinds_with_list_pages() -> list[RecordKind]:
    return [kind for kind in record_kinds() if kind.row_template]


def _maker(resource: str) -> Callable[[Any], Any]:
    return MAKERS.get(resource) or kind_factories()[resource].make_owned


def test_every_kind_with_a_list_page_has_a_maker_here() -> None:
    assert {k.resource for k in kinds_with_list_pages()} <= set(MAKERS) | set(kind_factories())


@pytest.mark.parametrize("kind", kinds_with_list_pages(), ids=lambda k: k.resource)
def test_the_list_renders_empty_then_with_one_row(
    client: Client, admin: Any, kind: RecordKind
) -> None:
    client.force_login(admin)
    url = reverse(kind.url("list"))
    assert issubclass(resolve(url).func.view_class, RecordListView)  # type: ignore[attr-defined]
    empty = client.get(url)
    assert empty.status_code == 200
    html = empty.content.decode()
    assert f'id="{kind.results_id}"' in html
    assert "<table" not in html
    assert str(empty.context["empty_message"]) in html

    record = _maker(kind.resource)(admin)
    full = client.get(url)
    assert [r.pk for r in full.context["records"]] == [record.pk]
    html = full.content.decode()
    assert "<table" in html
    assert str(empty.context["empty_message"]) not in html

    # The htmx request of a filter, sort or page change gets the results alone.
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<table" in partial
    assert f'id="{kind.results_id}"' not in partial
