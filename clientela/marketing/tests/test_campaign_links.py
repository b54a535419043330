"""The recipient's links, over HTTP without a login: the open pixel, the click redirect
(only to a URL the message held; a tampered link is a 404), the one-click unsubscribe
(RFC 8058: a POST, no page, no session) and the preferences page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.marketing import tracking
from clientela.marketing.models import Click, ConsentState, Delivery, Suppression
from clientela.marketing.selectors.campaigns import campaign_stats
from clientela.marketing.sending import engine
from clientela.marketing.services import campaigns as services
from clientela.marketing.tests import campaign_setup as setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(smtp_server: Any, settings: Any, marketer: Any, person_factory: Any) -> Delivery:
    smtp_server.use(settings)
    group = setup.audience(marketer, person_factory, n=1)
    campaign = setup.campaign(marketer, group)
    services.campaign_send(actor=marketer, campaign=campaign)
    engine.campaign_run(campaign.pk)
    return Delivery.objects.select_related("campaign").get()


def _path(url: str) -> str:
    """The path of one of our absolute URLs (``CLIENTELA_PUBLIC_URL`` + path)."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_pixel_counts_opens(sent: Delivery) -> None:
    client = Client()
    url = _path(tracking.open_url(sent.pk))
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
    sent.refresh_from_db()
    assert sent.opens == 2
    assert sent.opened_at is not None
    assert client.get(url.replace(".gif", "0.gif")).status_code == 404


def test_a_click_goes_to_the_messages_link_and_counts(sent: Delivery, marketer: Any) -> None:
    client = Client()
    for _ in range(2):
        response = client.get(_path(tracking.click_url(sent.pk, 1)))
        assert response.status_code == 302
        assert response["Location"] == "https://shop.example/new"
    assert list(Click.objects.values_list("delivery_id", "number")) == [(sent.pk, 1)] * 2
    # Read back from the click rows: one person clicked twice, which counts as an open
    # though the pixel never loaded.
    results = campaign_stats(user=marketer, campaign=sent.campaign)
    total = results.total
    assert (total.clicked, total.clicks, total.opened, total.opens) == (1, 2, 1, 0)
    assert results.variants["A"].clicks == 2
    assert results.links == [(1, "https://shop.example/new", 2, 1)]


def test_a_click_on_a_deleted_campaigns_link_is_not_found(sent: Delivery) -> None:
    url = _path(tracking.click_url(sent.pk, 1))
    sent.campaign.delete()
    assert Client().get(url).status_code == 404
    assert not Click.objects.exists()


@pytest.mark.parametrize("link", [2, 99])
def test_a_link_the_message_did_not_hold_is_not_found(sent: Delivery, link: int) -> None:
    assert Client().get(_path(tracking.click_url(sent.pk, link))).status_code == 404


def test_a_tampered_click_link_is_not_found(sent: Delivery) -> None:
    ident, number, signature = tracking.click_token(sent.pk, 0).split("-")
    for token in (f"{ident}-1-{signature}", f"{ident}-{number}-{'0' * 12}", "x", "1-0-abc"):
        assert Client().get(f"/m/c/{token}/").status_code == 404


def test_one_click_unsubscribe_is_a_post_without_a_session(sent: Delivery) -> None:
    client = Client(enforce_csrf_checks=True)
    url = _path(tracking.unsubscribe_url(sent.pk))
    page = client.get(url)
    assert page.status_code == 200
    assert b"unsubscribe-button" in page.content
    assert ConsentState.objects.get(person=sent.person, purpose__key="newsletter").granted
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    state = ConsentState.objects.get(person=sent.person, purpose__key="newsletter")
    assert not state.granted
    assert Suppression.objects.filter(address=sent.address, purpose__key="newsletter").exists()
    sent.refresh_from_db()
    assert sent.unsubscribed_at is not None
    assert client.post(url).status_code == 200  # a second click changes nothing


def test_the_preferences_page_changes_each_purpose(sent: Delivery) -> None:
    client = Client()
    url = _path(tracking.preferences_url(sent.pk))
    page = client.get(url)
    assert page.status_code == 200
    assert b'value="offers"' in page.content
    client.post(url, {"purpose": ["newsletter", "offers", "nonsense"]})
    granted = set(
        ConsentState.objects.filter(person=sent.person, granted=True).values_list(
            "purpose__key", flat=True
        )
    )
    assert granted == {"newsletter", "offers"}
    client.post(url, {"leave": "all"})
    assert not ConsentState.objects.filter(person=sent.person, granted=True).exists()


def test_a_broken_link_gets_a_page_that_says_so(sent: Delivery) -> None:
    for path in ("/m/u/zz-000000000000/", "/m/p/1-abc/"):
        response = Client().get(path)
        assert response.status_code == 404
        assert b"public-problem-title" in response.content


def test_the_email_is_on_the_persons_timeline(
    sent: Delivery, client: Client, marketer: Any
) -> None:
    Client().get(_path(tracking.click_url(sent.pk, 0)))
    client.force_login(marketer)
    page = client.get(f"/people/{sent.person_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Winter newsletter" in html
    assert "clicked" in html
