"""The quote pages: list with status tabs, the form with its lines (bad input shown on
the line), detail with totals, actions and history, PDF download, send, accept,
reject, revise, delete; team North cannot reach South's quotes (404)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from clientela.sales.models import Order, Quote
from clientela.sales.tests.quote_helpers import make_product, make_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz", email="ana@example.com")


def form_data(person: Any, lines: list[dict[str, str]], **extra: str) -> dict[str, str]:
    data = {
        "person": str(person.pk),
        "organization": "",
        "deal": "",
        "currency": "EUR",
        "language": "en",
        "issue_date": "2025-03-01",
        "valid_until": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        **extra,
    }
    for n, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{n}-{key}"] = value
    return data


def test_list_has_tabs_and_an_empty_state(client: Any, rep_north: Any, ana: Any) -> None:
    client.force_login(rep_north)
    empty = client.get(reverse("sales:quote-list")).content.decode()
    assert "No quotes yet." in empty
    quote = make_quote(rep_north, ana)
    html = client.get(reverse("sales:quote-list")).content.decode()
    assert quote.number in html
    assert "€129.90" in html
    sent_tab = client.get(reverse("sales:quote-list"), {"status": "sent"}).content.decode()
    assert quote.number not in sent_tab
    assert "No quotes with this status." in sent_tab
    by_total = client.get(reverse("sales:quote-list"), {"sort": "-total"}, HTTP_HX_REQUEST="true")
    assert by_total.status_code == 200
    assert quote.number in by_total.content.decode()


def test_create_with_lines_and_catalogue_price(
    client: Any, admin: Any, rep_north: Any, ana: Any
) -> None:
    chair = make_product(admin, name="Chair", unit_price="100.00", tax_rate="21")
    client.force_login(rep_north)
    page = client.get(reverse("sales:quote-create"), {"person": ana.pk})
    html = page.content.decode()
    assert "Add line" in html
    assert f'value="{ana.pk}" selected' in html
    response = client.post(
        reverse("sales:quote-create"),
        form_data(
            ana,
            [
                {"product": str(chair.pk), "quantity": "2"},
                {
                    "description": "Installation",
                    "quantity": "1",
                    "unit_price": "50",
                    "tax_rate": "21",
                },
                {},  # a blank row is ignored
            ],
        ),
    )
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:quote-detail", args=[quote.pk])
    assert quote.total == Decimal("302.50")  # 200 × 1.21 + 50 × 1.21
    detail = client.get(response["Location"]).content.decode()
    assert "€302.50" in detail
    assert "Chair" in detail
    assert "Installation" in detail
    assert "History" in detail
    assert reverse("sales:quote-pdf", args=[quote.pk]) in detail


def test_bad_lines_are_shown_on_the_line_and_nothing_saved(
    client: Any, rep_north: Any, ana: Any
) -> None:
    client.force_login(rep_north)
    response = client.post(
        reverse("sales:quote-create"),
        form_data(
            ana,
            [
                {"description": "Desk", "quantity": "-1", "unit_price": "10"},
                {
                    "description": "Lamp",
                    "quantity": "1",
                    "unit_price": "10",
                    "discount_percent": "150",
                },
            ],
            currency="EUR",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The quantity must be a positive number" in html
    assert "Give a percentage from 0 to 100." in html
    assert 'name="lines-0-quantity"' in html
    assert "is-invalid" in html
    assert not Quote.objects.exists()
    empty = client.post(reverse("sales:quote-create"), form_data(ana, [{}]))
    assert "Give at least one line." in empty.content.decode()
    assert not Quote.objects.exists()


def test_edit_a_draft(client: Any, rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    client.force_login(rep_north)
    page = client.get(reverse("sales:quote-edit", args=[quote.pk])).content.decode()
    assert 'value="Desk"' in page
    response = client.post(
        reverse("sales:quote-edit", args=[quote.pk]),
        form_data(
            ana, [{"description": "Sofa", "quantity": "1", "unit_price": "300"}], version="1"
        ),
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.total == 300
    assert quote.version == 2
    stale = client.post(
        reverse("sales:quote-edit", args=[quote.pk]),
        form_data(
            ana, [{"description": "Sofa", "quantity": "2", "unit_price": "300"}], version="1"
        ),
    )
    assert 'id="version-conflict"' in stale.content.decode()


def test_send_accept_and_revise_from_the_detail_page(
    client: Any, rep_north: Any, ana: Any, smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    quote = make_quote(rep_north, ana)
    client.force_login(rep_north)
    detail = client.get(reverse("sales:quote-detail", args=[quote.pk])).content.decode()
    assert 'value="ana@example.com"' in detail  # the send form is filled in
    bad = client.post(reverse("sales:quote-send", args=[quote.pk]), {"to": "nope", "version": "1"})
    assert bad.status_code == 200
    assert "valid email address" in bad.content.decode()
    sent = client.post(
        reverse("sales:quote-send", args=[quote.pk]), {"to": "boss@example.com", "version": "1"}
    )
    assert sent.status_code == 302
    assert len(smtp_server.messages) == 1
    quote.refresh_from_db()
    assert quote.status == "sent"
    revise = client.post(reverse("sales:quote-revise", args=[quote.pk]))
    revision = Quote.objects.get(revision=2)
    assert revise["Location"] == reverse("sales:quote-edit", args=[revision.pk])
    old = client.get(reverse("sales:quote-detail", args=[quote.pk])).content.decode()
    assert "A newer revision of this quote exists." in old
    refused = client.post(
        reverse("sales:quote-accept", args=[quote.pk]), {"version": str(quote.version)}
    )
    assert "newer revision" in refused.content.decode()
    assert not Order.objects.exists()


def test_accept_and_reject(client: Any, rep_north: Any, ana: Any) -> None:
    client.force_login(rep_north)
    draft = make_quote(rep_north, ana)
    refused = client.post(reverse("sales:quote-accept", args=[draft.pk]))
    assert "Send the quote before it can be accepted." in refused.content.decode()
    Quote.objects.filter(pk=draft.pk).update(status="sent")
    client.post(reverse("sales:quote-accept", args=[draft.pk]))
    assert Order.objects.get().quote_id == draft.pk
    again = client.post(reverse("sales:quote-accept", args=[draft.pk]))
    assert "already accepted" in again.content.decode()
    assert Order.objects.count() == 1
    other = make_quote(rep_north, ana)
    Quote.objects.filter(pk=other.pk).update(status="sent")
    client.post(reverse("sales:quote-reject", args=[other.pk]))
    other.refresh_from_db()
    assert other.status == "rejected"


def test_pdf_download(client: Any, rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    client.force_login(rep_north)
    response = client.get(reverse("sales:quote-pdf", args=[quote.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{quote.number}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_delete(client: Any, rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    client.force_login(rep_north)
    assert client.get(reverse("sales:quote-delete", args=[quote.pk])).status_code == 200
    client.post(reverse("sales:quote-delete", args=[quote.pk]), {"version": "1"})
    quote.refresh_from_db()
    assert quote.deleted_at is not None


def test_north_cannot_reach_souths_quotes(
    client: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    quote = make_quote(rep_south, person_factory(rep_south))
    client.force_login(rep_north)
    assert quote.number not in client.get(reverse("sales:quote-list")).content.decode()
    for name in ("quote-detail", "quote-edit", "quote-pdf", "quote-delete"):
        assert client.get(reverse(f"sales:{name}", args=[quote.pk])).status_code == 404, name
    for name in (
        "quote-send",
        "quote-accept",
        "quote-reject",
        "quote-revise",
        "quote-delete",
        "quote-edit",
    ):
        assert client.post(reverse(f"sales:{name}", args=[quote.pk]), {}).status_code == 404, name
    quote.refresh_from_db()
    assert quote.status == "draft"
    assert quote.deleted_at is None
    assert quote.version == 1


def test_person_picker_options(
    client: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    person_factory(rep_north, first_name="Zoe", last_name="North")
    person_factory(rep_south, first_name="Zoe", last_name="South")
    client.force_login(rep_north)
    html = client.get(reverse("sales:quote-person-options"), {"person_q": "zoe"}).content.decode()
    assert "Zoe North" in html
    assert "Zoe South" not in html
