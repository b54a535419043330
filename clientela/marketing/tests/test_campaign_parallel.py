"""Sending over several SMTP connections at once, with PIPELINING (RFC 2920): each
recipient still gets one message, a refusal fails only its own message, a server
without PIPELINING gets one connection, and a connection that breaks mid-round leaves
each of its round's messages either taken as sent (it may have left) or for the next
run (it surely did not), never both; a worker whose lease ran out stops."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from clientela.marketing.choices import DeliveryStatus
from clientela.marketing.models import Campaign, Delivery
from clientela.marketing.sending import channels, engine, planning
from clientela.marketing.sending.transport import Outcome, Transport, TransportDown
from clientela.marketing.tests import campaign_setup as setup
from conftest import SmtpServer, running_smtp_server

pytestmark = pytest.mark.django_db


class PipeliningServer(SmtpServer):
    """The tests' SMTP server, offering PIPELINING (aiosmtpd reads pipelined commands
    one after another; it just does not say so by itself)."""

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


@pytest.fixture
def pipelining(settings: Any) -> Iterator[SmtpServer]:
    with running_smtp_server(PipeliningServer) as server:
        server.use(settings)
        settings.CLIENTELA_PUBLIC_URL = "https://crm.example"
        settings.CLIENTELA_CAMPAIGN_CONNECTIONS = 3
        yield server


def _nothing() -> None:
    pass


def test_each_recipient_gets_one_message_over_three_connections(
    pipelining: SmtpServer, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=7)
    result = engine.campaign_run(setup.scheduled(marketer, group).pk)
    assert (result.sent, result.failed) == (7, 0)
    got = sorted(to for _sender, tos in pipelining.envelopes for to in tos)
    assert got == [f"ana{i}@example.com" for i in range(7)]
    assert len(set(pipelining.peers)) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()
    # Each message is whole and personal (the content follows the pipelined envelope).
    subjects = sorted(str(m["Subject"]) for m in pipelining.messages)
    assert subjects == [f"Hola Ana{i}: winter sale" for i in range(7)]


def test_a_refused_recipient_fails_alone_when_pipelined(
    pipelining: SmtpServer, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=4)
    refused = group.consenting[1]
    refused.email = "refused@example.com"
    refused.save(update_fields=["email"])
    result = engine.campaign_run(setup.scheduled(marketer, group).pk)
    assert (result.sent, result.failed) == (3, 1)
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.address == "refused@example.com"
    assert failed.error.startswith("550")
    got = sorted(to for _sender, tos in pipelining.envelopes for to in tos)
    assert got == ["ana0@example.com", "ana2@example.com", "ana3@example.com"]


def test_the_transport_pipelines_only_when_the_server_offers_it(
    pipelining: SmtpServer, smtp_server: Any, settings: Any
) -> None:
    with Transport() as transport:
        assert transport.pipelining
    smtp_server.use(settings)
    with Transport() as transport:
        assert not transport.pipelining


def test_without_pipelining_one_connection_is_used(
    smtp_server: Any, settings: Any, marketer: Any, person_factory: Any
) -> None:
    smtp_server.use(settings)
    settings.CLIENTELA_CAMPAIGN_CONNECTIONS = 3
    group = setup.audience(marketer, person_factory, n=4)
    assert engine.campaign_run(setup.scheduled(marketer, group).pk).sent == 4
    assert len(set(smtp_server.peers)) == 1
    assert len(smtp_server.messages) == 4


class _BreakingChannel:
    """Three connections; the second breaks when its message is let go."""

    width = 3

    def __init__(self, left: bool) -> None:
        self.left = left
        self.handed_over: list[int] = []

    def fields_of(self, rows: Any) -> dict[int, dict[str, str]]:
        return {}

    def __enter__(self) -> _BreakingChannel:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def start(self, slot: int, row: Delivery, fields: Any) -> Outcome | None:
        return None

    def prepare(self, slot: int) -> Outcome | None:
        # Recorded as handed over only after every message of the round is prepared.
        assert not Delivery.objects.filter(status=DeliveryStatus.HANDED).exists()
        return None

    def hand_over(self, slot: int) -> None:
        statuses = set(Delivery.objects.values_list("status", flat=True))
        assert statuses == {DeliveryStatus.HANDED}  # committed before anything leaves
        if slot == 1:
            raise TransportDown("connection reset", left=self.left)
        self.handed_over.append(slot)

    def outcome(self, slot: int) -> Outcome:
        return Outcome(True)


@pytest.mark.parametrize("left", [True, False])
def test_a_connection_that_breaks_mid_round(
    settings: Any, marketer: Any, person_factory: Any, monkeypatch: Any, left: bool
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    campaign = setup.scheduled(marketer, setup.audience(marketer, person_factory, n=3))
    planning.plan(Campaign.objects.get(pk=campaign.pk))
    channel = _BreakingChannel(left)
    monkeypatch.setattr(channels, "channel_for", lambda _campaign: channel)
    result = engine.campaign_run(campaign.pk)
    assert result.sent == 1
    assert result.next_run is not None  # the server is down: try again later
    assert channel.handed_over == [0]
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    statuses = dict(Delivery.objects.values_list("id", "status"))
    # The first left and was answered; the second may have left (then it is taken as
    # sent, never sent again) or surely did not; the third never left.
    assert statuses[ids[0]] == DeliveryStatus.SENT
    second = DeliveryStatus.SENT if left else DeliveryStatus.PENDING
    assert statuses[ids[1]] == second
    assert statuses[ids[2]] == DeliveryStatus.PENDING


def test_a_worker_that_lost_its_lease_mid_batch_stops_sending(
    smtp_server: Any, settings: Any, marketer: Any, person_factory: Any, monkeypatch: Any
) -> None:
    smtp_server.use(settings)
    settings.CLIENTELA_CAMPAIGN_LEASE_SECONDS = 0  # renewed before every message
    campaign = setup.scheduled(marketer, setup.audience(marketer, person_factory, n=4))
    holds: list[bool] = []
    real_hold = engine._Lease.hold

    def hold(lease: Any) -> bool:
        if len(holds) == 2:  # another worker took the campaign over (this one stalled)
            later = timezone.now() + datetime.timedelta(minutes=5)
            Campaign.objects.filter(pk=campaign.pk).update(lease_token="other", lease_until=later)
        holds.append(real_hold(lease))
        return holds[-1]

    monkeypatch.setattr(engine._Lease, "hold", hold)
    assert engine.campaign_run(campaign.pk).sent == 2
    assert holds == [True, True, False]
    assert len(smtp_server.messages) == 2
    # The rest is the other worker's to put back and send (``recover``), not this one's.
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.SENDING] * 2 + [DeliveryStatus.SENT] * 2


class _TakenOverChannel(_BreakingChannel):
    """While the round is prepared, another worker (this one's lease ran out) puts the
    claimed rows back, as its ``recover`` does, and holds the campaign."""

    def prepare(self, slot: int) -> Outcome | None:
        if slot == 0:
            Delivery.objects.update(status=DeliveryStatus.PENDING)
            later = timezone.now() + datetime.timedelta(minutes=5)
            Campaign.objects.update(lease_token="other", lease_until=later)
        return None


def test_rows_another_worker_took_back_are_not_let_go(
    settings: Any, marketer: Any, person_factory: Any, monkeypatch: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    campaign = setup.scheduled(marketer, setup.audience(marketer, person_factory, n=3))
    planning.plan(Campaign.objects.get(pk=campaign.pk))
    channel = _TakenOverChannel(left=True)
    monkeypatch.setattr(channels, "channel_for", lambda _campaign: channel)
    assert engine.campaign_run(campaign.pk).sent == 0
    assert channel.handed_over == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
