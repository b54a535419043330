"""The deal pages through the real URL conf: the board (columns, totals, filters), the
move endpoint in its three forms, the list, a deal's page (stage history, history),
create/edit with bad input, delete with undo, the panel on contact pages, and North
vs South (404 everywhere)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clientela.activities.services import task_create
from clientela.core.models import AuditEntry
from clientela.sales.models import Deal, DealStageChange, ExchangeRate
from clientela.sales.services import deals as services
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db

BOARD = "/deals/board/"


@pytest.fixture
def pipe(db: Any) -> Any:
    return make_pipeline()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def north(rep_north: Any) -> Client:
    return client_for(rep_north)


@pytest.fixture
def south(rep_south: Any) -> Client:
    return client_for(rep_south)


def html(response: Any) -> str:
    return str(response.content.decode())


# --- the board ------------------------------------------------------------------------


def test_the_board_shows_visible_deals_with_column_totals(
    north: Client, rep_north: Any, rep_south: Any, pipe: Any
) -> None:
    ExchangeRate.objects.create(
        currency="EUR", rate=Decimal("2"), valid_from=datetime.date(2000, 1, 1)
    )
    make_deal(rep_north, pipe, title="Ovens", amount="100.00", next_step="Call Ana")
    make_deal(rep_north, pipe, title="Fridges", amount="50.00", currency="EUR")
    make_deal(rep_south, pipe, title="South secret")
    response = north.get(BOARD, {"pipeline": pipe.pk})
    assert response.status_code == 200
    page = html(response)
    assert "Ovens" in page
    assert "Fridges" in page
    assert "Call Ana" in page
    assert "South secret" not in page
    lead_in = stage(pipe, "Lead in")
    head = page.split(f'id="column-head-{lead_in.pk}"')[1].split("</header>")[0]
    assert ">2<" in head  # two deals
    assert "$200.00" in head  # 100 USD + 50 EUR × 2
    assert "Sortable.min.js" in page
    assert "sales/board.js" in page
    assert "Move to…" in page  # the keyboard/phone alternative


def test_the_board_defaults_to_the_first_active_pipeline(north: Client) -> None:
    response = north.get(BOARD)
    assert response.status_code == 200
    assert "Negotiation" in html(response)  # the "Sales" pipeline of migration 0002


def test_board_of_an_unknown_pipeline_is_404(north: Client) -> None:
    assert north.get(BOARD, {"pipeline": 999999}).status_code == 404
    assert north.get(BOARD, {"pipeline": "abc"}).status_code == 200  # a bad filter is ignored


def test_board_filters_and_the_htmx_fragment(
    north: Client, rep_north: Any, rep_north2: Any, pipe: Any
) -> None:
    make_deal(rep_north, pipe, title="Mine", close_date="2031-05-03")
    make_deal(rep_north, pipe, title="Ned's", owner_id=rep_north2.pk)
    page = html(north.get(BOARD, {"pipeline": pipe.pk, "owner": rep_north2.pk}))
    assert "Ned&#x27;s" in page
    assert "Mine" not in page
    page = html(north.get(BOARD, {"pipeline": pipe.pk, "close_month": "2031-05"}))
    assert "Mine" in page
    assert "Ned&#x27;s" not in page
    fragment = north.get(BOARD, {"pipeline": pipe.pk, "close_month": "bad"}, HTTP_HX_REQUEST="true")
    body = html(fragment)
    assert body.startswith('<div id="board"')
    assert "Give the month as YYYY-MM." in body


def test_the_board_report_section(north: Client, rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    services.deal_move(actor=rep_north, deal=deal, stage_id=stage(pipe, "Demo").pk)
    response = north.get("/deals/report/", {"pipeline": pipe.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Average days in stage" in html(response)
    assert "100.0 %" in html(response)
    assert north.get("/deals/report/", {"pipeline": pipe.pk}).status_code == 200


def test_a_thin_or_empty_report_says_why(north: Client, rep_north: Any, pipe: Any) -> None:
    empty = html(north.get("/deals/report/", {"pipeline": pipe.pk}, HTTP_HX_REQUEST="true"))
    assert "No stage history yet." in empty
    assert "0.0 %" not in empty
    deal = make_deal(rep_north, pipe)
    services.deal_move(actor=rep_north, deal=deal, stage_id=stage(pipe, "Demo").pk)
    page = html(north.get("/deals/report/", {"pipeline": pipe.pk}, HTTP_HX_REQUEST="true"))
    assert "too thin to judge by yet" in page  # one deal is not a trend
    assert "few deals" in page
    assert "100.0 % <span" in page
    assert "(1 of 1)" in page
    assert "none has left it yet" in page  # Demo: the deal is still there
    assert "no deals yet" in page  # the stages no deal reached
    assert "—</td>" not in page.replace("</span></td>", "")


# --- moving ---------------------------------------------------------------------------


def test_drag_and_drop_answers_the_headers_and_the_card(
    north: Client, rep_north: Any, pipe: Any
) -> None:
    deal = make_deal(rep_north, pipe, amount="300.00")
    demo = stage(pipe, "Demo")
    response = north.post(
        f"/deals/{deal.pk}/move/",
        {
            "stage_id": demo.pk,
            "version": 1,
            "fragment": "headers",
            "board_query": f"pipeline={pipe.pk}",
        },
    )
    assert response.status_code == 200
    body = html(response)
    head = body.split(f'id="column-head-{demo.pk}"')[1].split("</header>")[0]
    assert ">1<" in head
    assert "$300.00" in head
    assert f'id="deal-card-{deal.pk}"' in body
    assert 'data-version="2"' in body
    deal.refresh_from_db()
    assert deal.stage == demo
    assert deal.version == 2
    assert DealStageChange.objects.filter(deal=deal).count() == 2


def test_a_refused_drag_answers_the_reason(north: Client, rep_north: Any, pipe: Any) -> None:
    other = make_pipeline("Other", position=4)
    deal = make_deal(rep_north, pipe)
    response = north.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": stage(other, "Demo").pk, "version": 1, "fragment": "headers"},
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/plain")
    assert "another pipeline" in html(response)
    stale = north.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": stage(pipe, "Demo").pk, "version": 7, "fragment": "headers"},
    )
    assert stale.status_code == 409
    deal.refresh_from_db()
    assert deal.stage.name == "Lead in"


def test_the_move_select_answers_the_whole_board(north: Client, rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    won = stage(pipe, "Closed won")
    response = north.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": won.pk, "version": 1, "board_query": f"pipeline={pipe.pk}"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = html(response)
    assert body.startswith('<div id="board"')
    assert "moved to Closed won" in body
    deal.refresh_from_db()
    assert (deal.status, deal.probability) == ("won", 100)
    bad = north.post(
        f"/deals/{deal.pk}/move/", {"stage_id": "nope", "version": 2}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 200
    assert "alert-danger" in html(bad)


def test_the_plain_move_form_redirects_with_a_message(
    north: Client, rep_north: Any, pipe: Any
) -> None:
    deal = make_deal(rep_north, pipe)
    response = north.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": stage(pipe, "Closed lost").pk, "lost_reason": "Too expensive"},
        follow=True,
    )
    assert "moved to Closed lost" in html(response)
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == ("lost", "Too expensive")


# --- North vs South -------------------------------------------------------------------


def test_another_team_gets_404_everywhere(
    south: Client, rep_north: Any, rep_south: Any, pipe: Any
) -> None:
    deal = make_deal(rep_north, pipe, title="North only")
    assert "North only" not in html(south.get(BOARD, {"pipeline": pipe.pk}))
    assert "North only" not in html(south.get("/deals/"))
    assert south.get(f"/deals/{deal.pk}/").status_code == 404
    assert south.get(f"/deals/{deal.pk}/edit/").status_code == 404
    assert south.post(f"/deals/{deal.pk}/edit/", {"title": "Taken"}).status_code == 404
    assert (
        south.post(f"/deals/{deal.pk}/move/", {"stage_id": stage(pipe, "Demo").pk}).status_code
        == 404
    )
    assert south.get(f"/deals/{deal.pk}/delete/").status_code == 404
    assert south.post(f"/deals/{deal.pk}/delete/").status_code == 404
    deal.refresh_from_db()
    assert (deal.title, deal.stage.name, deal.deleted_at) == ("North only", "Lead in", None)


def test_read_only_users_see_but_do_not_move(reader: Any, admin: Any, pipe: Any) -> None:
    deal = make_deal(admin, pipe, title="Visible to all")
    client = client_for(reader)
    page = html(client.get(BOARD, {"pipeline": pipe.pk}))
    assert "Visible to all" in page
    assert "Move to…" not in page
    assert "data-can-move" not in page
    response = client.post(
        f"/deals/{deal.pk}/move/", {"stage_id": stage(pipe, "Demo").pk, "fragment": "headers"}
    )
    assert response.status_code == 403
    assert client.get("/deals/new/").status_code == 403


# --- list and detail ------------------------------------------------------------------


def test_the_list_filters_sorts_and_pages(north: Client, rep_north: Any, pipe: Any) -> None:
    make_deal(rep_north, pipe, title="Zeta", amount="5.00")
    make_deal(rep_north, pipe, title="Alpha", amount="9.00", stage_id=stage(pipe, "Demo").pk)
    page = html(north.get("/deals/", {"sort": "title"}))
    assert page.index("Alpha") < page.index("Zeta")
    page = html(north.get("/deals/", {"stage": stage(pipe, "Demo").pk}))
    assert "Alpha" in page
    assert "Zeta" not in page
    fragment = html(
        north.get("/deals/", {"sort": "-amount", "status": "bogus"}, HTTP_HX_REQUEST="true")
    )
    assert "Some filters were ignored" in fragment
    assert fragment.index("Alpha") < fragment.index("Zeta")
    empty = html(north.get("/deals/", {"q": "nothing-like-this"}))
    assert "No deal matches these filters." in empty


def test_the_deal_page_shows_stage_and_audit_history(
    north: Client, rep_north: Any, pipe: Any, organization_factory: Any
) -> None:
    org = organization_factory(rep_north, name="Bakery Ltd")
    deal = make_deal(rep_north, pipe, title="Ovens", organization_id=org.pk)
    services.deal_move(actor=rep_north, deal=deal, stage_id=stage(pipe, "Offer").pk)
    response = north.get(f"/deals/{deal.pk}/")
    assert response.status_code == 200
    page = html(response)
    history = page.split('id="stage-history"')[1].split("</table>")[0]
    assert history.index("Lead in") < history.index("Offer")
    assert "current" in history
    assert "Bakery Ltd" in page
    assert "History" in page
    assert "Moved" not in page
    assert "No quotes yet." in page


def test_the_deal_page_lists_linked_tasks(north: Client, rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    task_create(
        actor=rep_north,
        data={"title": "Send the offer", "related_type": "sales.deal", "related_id": deal.pk},
    )
    assert "Send the offer" in html(north.get(f"/deals/{deal.pk}/"))


# --- create, edit, delete -------------------------------------------------------------


def form_data(pipe: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "title": "New ovens",
        "pipeline": pipe.pk,
        "stage": "",
        "amount": "1200.00",
        "currency": "EUR",
        "probability": "",
        "close_date": "2031-01-31",
        "owner": "",
        "next_step": "",
        "notes": "",
    }
    data.update(extra)
    return data


def test_create_a_deal_from_an_organization_page(
    north: Client, rep_north: Any, pipe: Any, organization_factory: Any
) -> None:
    org = organization_factory(rep_north, name="Bakery Ltd")
    form = north.get("/deals/new/", {"organization": org.pk, "pipeline": pipe.pk})
    assert form.status_code == 200
    assert 'value="Bakery Ltd"' in html(form)  # the title is pre-filled
    response = north.post("/deals/new/", form_data(pipe, owner=rep_north.pk, organization=org.pk))
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.title, deal.amount, deal.currency, deal.organization) == (
        "New ovens",
        Decimal("1200.00"),
        "EUR",
        org,
    )
    assert deal.stage.name == "Lead in"
    assert deal.probability == 10
    assert response["Location"] == f"/deals/{deal.pk}/"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"amount": "-3"}, "amount", "cannot be negative"),
        ({"amount": "1.234"}, "amount", "at most 2 decimals"),
        ({"currency": "XYZ"}, "currency", "Select a valid choice"),
        ({"close_date": "tomorrow"}, "close_date", "Enter a valid date"),
        ({"probability": "200"}, "probability", "less than or equal to 100"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_bad_input_is_shown_on_the_form(
    north: Client, rep_north: Any, pipe: Any, extra: dict[str, Any], field: str, message: str
) -> None:
    response = north.post("/deals/new/", form_data(pipe, owner=rep_north.pk, **extra))
    assert response.status_code == 200
    assert message in html(response)
    assert response.context["form"].errors.get(field)
    assert not Deal.objects.exists()


def test_a_stage_of_another_pipeline_is_shown_on_the_stage_field(
    north: Client, rep_north: Any, pipe: Any
) -> None:
    other = make_pipeline("Other", position=3)
    response = north.post(
        "/deals/new/", form_data(pipe, owner=rep_north.pk, stage=stage(other, "Demo").pk)
    )
    assert "another pipeline" in response.context["form"].errors["stage"][0]


def test_edit_keeps_the_stage_probability_rule_and_detects_conflicts(
    north: Client, rep_north: Any, pipe: Any
) -> None:
    deal = make_deal(rep_north, pipe, title="Ovens")
    page = north.get(f"/deals/{deal.pk}/edit/")
    data = dict(page.context["form"].initial)
    data.update(
        {
            "stage": stage(pipe, "Offer").pk,
            "close_date": "",
            "organization": "",
            "people": [],
            "owner": rep_north.pk,
        }
    )
    data = {k: v for k, v in data.items() if v is not None}
    response = north.post(f"/deals/{deal.pk}/edit/", data)
    assert response.status_code == 302
    deal.refresh_from_db()
    # The probability field still held 10 (unchanged), so the new stage's 70 applies.
    assert (deal.stage.name, deal.probability, deal.version) == ("Offer", 70, 2)
    stale = north.post(f"/deals/{deal.pk}/edit/", {**data, "title": "Late edit", "version": 1})
    assert 'id="version-conflict"' in html(stale)
    deal.refresh_from_db()
    assert deal.title == "Ovens"


def test_delete_goes_to_the_trash_with_undo_for_admins(
    admin: Any, rep_north: Any, pipe: Any
) -> None:
    deal = make_deal(rep_north, pipe, title="Doomed")
    client = client_for(admin)
    assert "Delete “Doomed”?" in html(client.get(f"/deals/{deal.pk}/delete/"))
    response = client.post(f"/deals/{deal.pk}/delete/", {"version": 1}, follow=True)
    page = html(response)
    assert "moved to the trash" in page
    assert f"/trash/sales.deal/{deal.pk}/restore/" in page
    deal.refresh_from_db()
    assert deal.deleted_at is not None
    client.post(f"/deals/{deal.pk}/restore/")
    deal.refresh_from_db()
    assert deal.deleted_at is None
    assert AuditEntry.objects.filter(object_id=deal.pk, action="restore").exists()
    assert client_for(rep_north).post(f"/deals/{deal.pk}/restore/").status_code == 404


def test_reps_delete_with_undo(north: Client, rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe, title="Mine to drop")
    page = html(north.post(f"/deals/{deal.pk}/delete/", {"version": 1}, follow=True))
    assert "moved to the trash" in page
    assert f"/trash/sales.deal/{deal.pk}/restore/" in page


# --- the panel on person and organization pages and the top bar -----------------------


def test_the_deals_panel_on_contact_pages(
    north: Client,
    rep_north: Any,
    rep_south: Any,
    pipe: Any,
    person_factory: Any,
    organization_factory: Any,
) -> None:
    org = organization_factory(rep_north, name="Bakery Ltd")
    ana = person_factory(rep_north, first_name="Ana")
    make_deal(rep_north, pipe, title="Org deal", organization_id=org.pk)
    make_deal(rep_north, pipe, title="Ana's deal", person_ids=[ana.pk])
    org_page = html(north.get(f"/organizations/{org.pk}/"))
    assert 'id="panel-deals"' in org_page
    assert "Org deal" in org_page
    assert f"/deals/new/?organization={org.pk}" in org_page
    person_page = html(north.get(f"/people/{ana.pk}/"))
    assert "Ana&#x27;s deal" in person_page
    assert f"/deals/new/?person={ana.pk}" in person_page
    assert 'href="/deals/board/"' in person_page  # the top-bar link


def test_deals_are_found_by_the_header_search(
    north: Client, south: Client, rep_north: Any, pipe: Any
) -> None:
    deal = make_deal(rep_north, pipe, title="Industrial ovens")
    assert f"/deals/{deal.pk}/" in html(north.get("/search/", {"q": "industrial"}))
    assert f"/deals/{deal.pk}/" not in html(south.get("/search/", {"q": "industrial"}))
