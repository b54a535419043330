"""Sending a campaign through a real SMTP server on loopback: who gets it (only people
who consented and are not suppressed), what they get (merge fields, tracked links,
the unsubscribe headers, a VERP return path), at most once per person even after a
worker dies mid-batch, A/B tests, pauses, cancellation, a mail server that is down."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from clientela.marketing import tracking
from clientela.marketing.choices import CampaignStatus, DeliveryStatus
from clientela.marketing.models import Campaign, Delivery
from clientela.marketing.sending import engine, planning
from clientela.marketing.services import campaigns as services
from clientela.marketing.services.suppression import suppression_add_erased
from clientela.marketing.tests import campaign_setup as setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(smtp_server: Any, settings: Any) -> Any:
    smtp_server.use(settings)
    settings.CLIENTELA_PUBLIC_URL = "https://crm.example"
    return smtp_server


def _send(actor: Any, campaign: Campaign) -> engine.RunResult:
    services.campaign_send(actor=actor, campaign=campaign)
    return engine.campaign_run(campaign.pk)


def test_only_people_who_consented_get_it_each_once(
    smtp: Any, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory)
    campaign = setup.campaign(marketer, group)
    result = _send(marketer, campaign)
    assert result.sent == 4
    assert result.next_run is None
    got = sorted(to for _sender, tos in smtp.envelopes for to in tos)
    assert got == [f"ana{i}@example.com" for i in range(4)]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert campaign.recipients == 4
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # A second run sends nothing again.
    assert engine.campaign_run(campaign.pk).sent == 0
    assert len(smtp.messages) == 4


def test_each_message_is_personal_tracked_and_unsubscribable(
    smtp: Any, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=1)
    campaign = setup.campaign(marketer, group)
    _send(marketer, campaign)
    delivery = Delivery.objects.get()
    message = smtp.messages[0]
    assert message["Subject"] == "Hola Ana0: winter sale"
    assert smtp.envelopes[0][0].startswith("bounces+")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert tracking.unsubscribe_url(delivery.pk) in message["List-Unsubscribe"]
    html = message.get_body(("html",)).get_content()
    assert tracking.click_url(delivery.pk, 0) in html
    assert tracking.click_url(delivery.pk, 1) in html
    assert "https://shop.example/winter" not in html  # only through the redirect
    assert tracking.open_url(delivery.pk) in html
    assert 'style="color: #333' in html or "color:#333" in html.replace(" ", "")
    text = message.get_body(("plain",)).get_content()
    assert "Hola Ana0" in text
    assert tracking.unsubscribe_url(delivery.pk) in text


def test_a_withdrawal_after_planning_skips_the_person(
    smtp: Any, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=2)
    campaign = setup.campaign(marketer, group)
    services.campaign_send(actor=marketer, campaign=campaign)
    planning.plan(Campaign.objects.get(pk=campaign.pk))
    setup.consent(marketer, group.consenting[0], granted=False)
    result = engine.campaign_run(campaign.pk)
    assert (result.sent, result.skipped) == (1, 1)
    assert [tos for _sender, tos in smtp.envelopes] == [["ana1@example.com"]]


def test_a_dead_workers_batch_is_not_sent_twice(
    smtp: Any, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=5)
    campaign = setup.campaign(marketer, group)
    services.campaign_send(actor=marketer, campaign=campaign)
    planning.plan(Campaign.objects.get(pk=campaign.pk))
    # A worker claimed three rows, sent the first, handed the second to the mail server
    # (which took it) and died (kill -9) before its answer was recorded; its lease is
    # still on the campaign for a while.
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    Delivery.objects.filter(pk=ids[0]).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    Delivery.objects.filter(pk=ids[1]).update(status=DeliveryStatus.HANDED)
    Delivery.objects.filter(pk=ids[2]).update(status=DeliveryStatus.SENDING)
    Campaign.objects.filter(pk=campaign.pk).update(
        lease_token="dead", lease_until=timezone.now() + datetime.timedelta(seconds=30)
    )
    assert engine.campaign_run(campaign.pk).sent == 0  # the lease is still held
    Campaign.objects.filter(pk=campaign.pk).update(lease_until=timezone.now())
    result = engine.campaign_run(campaign.pk)
    assert result.sent == 3
    statuses = dict(Delivery.objects.values_list("id", "status"))
    assert statuses[ids[1]] == DeliveryStatus.SENT  # the server had it: not again
    assert [statuses[i] for i in ids[2:]] == [DeliveryStatus.SENT] * 3
    assert sorted(to for _s, tos in smtp.envelopes for to in tos) == [
        "ana2@example.com",
        "ana3@example.com",
        "ana4@example.com",
    ]


def test_a_paused_campaign_waits_and_a_cancelled_one_stops(
    smtp: Any, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=2)
    campaign = setup.campaign(marketer, group)
    services.campaign_send(actor=marketer, campaign=campaign)
    services.campaign_pause(actor=marketer, campaign=campaign)
    assert engine.campaign_run(campaign.pk).sent == 0
    services.campaign_resume(actor=marketer, campaign=campaign)
    planning.plan(Campaign.objects.get(pk=campaign.pk))
    services.campaign_cancel(actor=marketer, campaign=Campaign.objects.get(pk=campaign.pk))
    assert engine.campaign_run(campaign.pk).sent == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}
    assert smtp.messages == []


def test_a_mail_server_that_is_down_leaves_everything_to_the_next_run(
    settings: Any, marketer: Any, person_factory: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    group = setup.audience(marketer, person_factory, n=2)
    campaign = setup.campaign(marketer, group)
    result = _send(marketer, campaign)
    assert result.sent == 0
    assert result.next_run is not None
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}


def test_an_ab_test_sends_the_winner_to_the_rest(
    smtp: Any, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=8)
    campaign = setup.campaign(
        marketer,
        group,
        variants=[{"subject": "B: {{ first_name }}, 20 % off", "html": setup.HTML}],
        ab_share=25,
        ab_wait_minutes=60,
    )
    first = _send(marketer, campaign)
    assert first.sent == 4  # two per variant
    assert first.next_run is not None
    assert first.next_run > timezone.now()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.TESTING
    assert Delivery.objects.filter(status=DeliveryStatus.HELD).count() == 4
    # The hour passes; B's two were opened, A's not: too few to be sure, so A goes.
    an_hour_ago = timezone.now() - datetime.timedelta(minutes=61)
    Delivery.objects.filter(status=DeliveryStatus.SENT).update(sent_at=an_hour_ago)
    Delivery.objects.filter(variant="B").update(opened_at=an_hour_ago, opens=1)
    second = engine.campaign_run(campaign.pk)
    assert second.sent == 4
    assert second.next_run is None
    campaign.refresh_from_db()
    assert campaign.ab_winner == "A"
    assert campaign.ab_p_value is not None  # 0.046: low, but two recipients prove nothing
    assert Delivery.objects.filter(variant="A").count() == 6


def test_local_time_follows_each_country() -> None:
    madrid = planning.zone_of("ES", datetime.UTC)
    new_york = planning.zone_of("US", datetime.UTC)
    assert str(madrid) == "Europe/Madrid"
    assert str(new_york) == "America/New_York"
    assert planning.zone_of("", madrid) is madrid
    nine_in_madrid = datetime.datetime(2026, 1, 15, 8, 0, tzinfo=datetime.UTC)
    due = planning.local_send_time(nine_in_madrid, madrid, new_york)
    assert due == datetime.datetime(2026, 1, 15, 14, 0, tzinfo=datetime.UTC)


def test_the_throttle_spreads_messages() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = engine._Throttle(120, sleep, lambda: now[0])
    for _ in range(3):
        throttle.wait()
        now[0] += 0.1  # sending takes a tenth of a second
    assert slept == pytest.approx([0.4, 0.4])
    assert engine._Throttle(None, sleep).gap == 0


def test_an_erased_address_is_never_sent_to_again(
    smtp: Any, marketer: Any, admin: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=2)
    campaign = setup.campaign(marketer, group)
    services.campaign_send(actor=marketer, campaign=campaign)
    planning.plan(Campaign.objects.get(pk=campaign.pk))
    # Erasure keeps only a hash of the address (issue 17): no stored address matches it.
    suppression_add_erased(actor=admin, channel="email", address="ana0@example.com")
    result = engine.campaign_run(campaign.pk)
    assert (result.sent, result.skipped) == (1, 1)
    assert [tos for _sender, tos in smtp.envelopes] == [["ana1@example.com"]]
