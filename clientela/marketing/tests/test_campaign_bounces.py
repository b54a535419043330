"""Bounces and complaints about campaign e-mails, posted raw by a mail server (``POST
/api/v1/inbound-email``): attributed by the VERP return path, a hard bounce suppressing
the address at once, soft ones at the third in 30 days, a complaint for every purpose;
and a suppressed address is never sent to again."""

from __future__ import annotations

from email.utils import make_msgid
from typing import Any

import pytest
from django.test import Client

from clientela.core.tests.test_inbound_api import post, token
from clientela.marketing.choices import SuppressionReason
from clientela.marketing.models import Delivery, Suppression
from clientela.marketing.sending import engine
from clientela.marketing.services import campaigns as services
from clientela.marketing.tests import campaign_setup as setup

pytestmark = pytest.mark.django_db


def _report(to: str, kind: str, human: str, part_type: str, fields: str) -> bytes:
    """A multipart/report (RFC 6522) sent back to ``to``: a human part, then the
    machine-readable part."""
    return (
        "From: MAILER-DAEMON@mx.example (Mail Delivery System)\r\n"
        f"To: {to}\r\nSubject: Delivery report\r\nMessage-ID: {make_msgid()}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type={kind}; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{human}\r\n"
        f"--b1\r\nContent-Type: {part_type}\r\n\r\n{fields}\r\n--b1--\r\n"
    ).encode()


def _dsn(to: str, recipient: str, status: str, action: str = "failed") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one."""
    fields = (
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\n"
        f"Status: {status}\r\nDiagnostic-Code: smtp; 550 {status} User unknown\r\n"
    )
    human = f"Your message to <{recipient}> could not be delivered."
    return _report(to, "delivery-status", human, "message/delivery-status", fields)


def _arf(to: str, recipient: str) -> bytes:
    """A spam complaint (ARF, RFC 5965) from a mailbox provider's feedback loop."""
    fields = (
        "Feedback-Type: abuse\r\nUser-Agent: Provider-FBL/1.0\r\nVersion: 1\r\n"
        f"Original-Rcpt-To: {recipient}\r\n"
    )
    human = "This is an email abuse report."
    return _report(to, "feedback-report", human, "message/feedback-report", fields)


@pytest.fixture
def sent(smtp_server: Any, settings: Any, marketer: Any, person_factory: Any) -> Any:
    smtp_server.use(settings)
    group = setup.audience(marketer, person_factory, n=3)
    campaign = setup.campaign(marketer, group)
    services.campaign_send(actor=marketer, campaign=campaign)
    engine.campaign_run(campaign.pk)
    return smtp_server


def _return_path(smtp: Any, address: str) -> str:
    return str(next(sender for sender, tos in smtp.envelopes if tos == [address]))


def test_a_hard_bounce_suppresses_the_address(client: Client, admin: Any, sent: Any) -> None:
    to = _return_path(sent, "ana0@example.com")
    response = post(client, token(admin, "mail:inbound"), _dsn(to, "ana0@example.com", "5.1.1"))
    assert response.status_code == 202
    delivery = Delivery.objects.get(address="ana0@example.com")
    assert delivery.bounced_at is not None
    assert delivery.bounce_kind == "hard"
    entry = Suppression.objects.get(address="ana0@example.com")
    assert (entry.reason, entry.purpose) == (SuppressionReason.HARD_BOUNCE, None)


def test_soft_bounces_suppress_at_the_third(client: Client, admin: Any, sent: Any) -> None:
    to = _return_path(sent, "ana1@example.com")
    auth = token(admin, "mail:inbound")
    post(client, auth, _dsn(to, "ana1@example.com", "4.2.2", action="delayed"))
    assert not Suppression.objects.filter(address="ana1@example.com").exists()
    # Two more soft bounces of other messages to the same address, by address alone.
    for _ in range(2):
        post(client, auth, _dsn("postmaster@shop.example", "ana1@example.com", "4.4.1", "delayed"))
    entry = Suppression.objects.get(address="ana1@example.com")
    assert entry.reason == SuppressionReason.SOFT_BOUNCES


def test_a_complaint_suppresses_every_purpose(client: Client, admin: Any, sent: Any) -> None:
    to = _return_path(sent, "ana2@example.com")
    post(client, token(admin, "mail:inbound"), _arf(to, "ana2@example.com"))
    assert Delivery.objects.get(address="ana2@example.com").complained_at is not None
    entry = Suppression.objects.get(address="ana2@example.com")
    assert (entry.reason, entry.purpose) == (SuppressionReason.COMPLAINT, None)


def test_a_suppressed_address_gets_no_later_campaign(
    client: Client, admin: Any, marketer: Any, person_factory: Any, sent: Any
) -> None:
    to = _return_path(sent, "ana0@example.com")
    post(client, token(admin, "mail:inbound"), _dsn(to, "ana0@example.com", "5.1.1"))
    group = setup.audience(marketer, person_factory, n=0)
    again = setup.campaign(marketer, group, name="Second", list_ids=[])
    first_list = Delivery.objects.values_list("campaign__lists", flat=True).first()
    services.campaign_update(actor=marketer, campaign=again, data={"list_ids": [first_list or 0]})
    services.campaign_send(actor=marketer, campaign=again)
    sent.envelopes.clear()
    result = engine.campaign_run(again.pk)
    assert result.sent == 2
    assert sorted(t for _s, tos in sent.envelopes for t in tos) == [
        "ana1@example.com",
        "ana2@example.com",
    ]
