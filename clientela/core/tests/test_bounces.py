"""Reading bounces and complaints (``core.inbound.bounces``) from the samples in
``fixtures/bounces/``, each written in the shape its server sends: the failed
recipient, the status, hard or soft, the bounced message and the VERP delivery id.
An out-of-office is no bounce; random bytes raise nothing but ``UnparseableMessage``."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.core.choices import BounceKind, InboundKind
from clientela.core.inbound.bounces import classify, read_report, status_of
from clientela.core.inbound.parsing import UnparseableMessage, parse_message

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bounces"
#: The key the samples' VERP tokens were signed with.
FIXTURE_KEY = "clientela-bounce-fixtures"
HARD, SOFT = BounceKind.HARD, BounceKind.SOFT


@pytest.fixture(autouse=True)
def signing_key(settings: Any) -> None:
    settings.SECRET_KEY = FIXTURE_KEY
    settings.CLIENTELA_BOUNCE_LOCAL = "bounces"
    settings.CLIENTELA_BOUNCE_DOMAIN = "news.clientela.example"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


#: file: (format, recipient, status, kind, action, delivery id)
BOUNCES = {
    "postfix-dsn-user-unknown.eml": (
        "rfc3464",
        "jorge.mendez@correo.example",
        "5.1.1",
        HARD,
        "failed",
        "1001",
    ),
    "postfix-dsn-mailbox-full.eml": (
        "rfc3464",
        "ana.soler@buzon.example",
        "5.2.2",
        SOFT,
        "failed",
        "1002",
    ),
    "postfix-dsn-delayed.eml": ("rfc3464", "marta@lento.example", "4.4.1", SOFT, "delayed", "1012"),
    "exim-failed.eml": (
        "exim",
        "pablo.garcia@dominio-viejo.example",
        "5.1.1",
        HARD,
        "failed",
        "1003",
    ),
    "qmail-no-mailbox.eml": (
        "qmail",
        "rosa.vidal@antiguo.example",
        "5.1.1",
        HARD,
        "failed",
        "1004",
    ),
    "sendmail-user-unknown.eml": (
        "sendmail",
        "luis.navarro@clasico.example",
        "5.1.1",
        HARD,
        "failed",
        "1005",
    ),
    "exchange-online-ndr.eml": (
        "rfc3464",
        "elena.rojas@empresa.example",
        "5.1.10",
        HARD,
        "failed",
        "1006",
    ),
    "exchange-legacy-ndr.eml": (
        "exchange",
        "carlos.ruiz@despacho.example",
        "5.1.1",
        HARD,
        "failed",
        "1007",
    ),
    "gmail-dsn-failure.eml": (
        "rfc3464",
        "sofia.marin@gmail.example",
        "5.1.1",
        HARD,
        "failed",
        "1008",
    ),
    "gmail-legacy-text.eml": (
        "gmail",
        "diego.ortiz@empresa-cerrada.example",
        "5.1.1",
        HARD,
        "failed",
        "1009",
    ),
    "yahoo-failure-notice.eml": (
        "yahoo",
        "pedro.lopez@yahoo.example",
        "5.1.1",
        HARD,
        "failed",
        "1010",
    ),
}


def test_every_sample_is_covered() -> None:
    names = {p.name for p in FIXTURES.glob("*.eml")}
    assert names == {*BOUNCES, "arf-complaint.eml", "out-of-office.eml"}


@pytest.mark.parametrize("name", sorted(BOUNCES))
def test_each_bounce_names_its_recipient_status_and_delivery(name: str) -> None:
    shape, recipient, status, kind, action, delivery = BOUNCES[name]
    report = read_report(raw(name))
    assert report is not None
    assert (report.format, report.kind, report.complaint) == (shape, InboundKind.BOUNCE, None)
    [bounce] = report.bounces
    assert (bounce.recipient, bounce.status, bounce.kind, bounce.action) == (
        recipient,
        status,
        kind,
        action,
    )
    assert bounce.verp_token == report.verp_token == delivery
    assert bounce.original_message_id == f"<campaign-7.delivery-{delivery}@clientela.example>"
    assert bounce.diagnostic


def test_the_server_words_are_kept_unfolded() -> None:
    report = read_report(raw("postfix-dsn-user-unknown.eml"))
    assert report is not None
    assert report.bounces[0].diagnostic == (
        "smtp; 550 5.1.1 <jorge.mendez@correo.example>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )


def test_an_arf_complaint_names_the_recipient_and_delivery() -> None:
    report = read_report(raw("arf-complaint.eml"))
    assert report is not None
    assert (report.format, report.kind, report.bounces) == ("arf", InboundKind.COMPLAINT, ())
    complaint = report.complaint
    assert complaint is not None
    assert (complaint.recipient, complaint.feedback_type, complaint.verp_token) == (
        "irene.castro@yahoo.example",
        "abuse",
        "1011",
    )
    assert complaint.original_message_id == "<campaign-7.delivery-1011@clientela.example>"
    assert complaint.user_agent == "Yahoo!-Mail-Feedback/2.0"


def test_an_out_of_office_reply_is_no_bounce() -> None:
    # Sent to the VERP address, automatic, and it says "mailbox is full": still a person's.
    assert read_report(raw("out-of-office.eml")) is None


READ_RECEIPT = (
    b"From: Ana <ana@example.com>\r\nTo: ofertas@clientela.example\r\n"
    b"Subject: Read: Ofertas\r\nMessage-ID: <r1@example.com>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\r\n'
    b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
    b"--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
    b"Final-Recipient: rfc822; ana@example.com\r\n"
    b"Disposition: manual-action/MDN-sent-manually; displayed\r\n--b--\r\n"
)


def test_a_read_receipt_is_no_bounce() -> None:
    assert read_report(READ_RECEIPT) is None


def test_the_delivery_is_found_in_the_returned_copy_when_the_envelope_lost_it() -> None:
    # A forwarding mailbox delivered the bounce to the plain address: the copy of the
    # message still carries its Return-Path.
    plain = b"bounces@news.clientela.example"
    sample = raw("exim-failed.eml")
    head, _sep, body = sample.partition(b"\r\n\r\n")
    for token in (b"bounces+1003.6c4274dfbe3f37a7@news.clientela.example",):
        head = head.replace(token, plain)
    report = read_report(head + b"\r\n\r\n" + body)
    assert report is not None
    assert report.verp_token == "1003"


def test_a_tampered_token_names_no_delivery() -> None:
    forged = raw("qmail-no-mailbox.eml").replace(b"1004.e80efe7eba6585db", b"1005.e80efe7eba6585db")
    report = read_report(forged)
    assert report is not None
    assert report.bounces[0].recipient == "rosa.vidal@antiguo.example"
    assert report.verp_token is None


def test_a_token_signed_with_another_key_names_no_delivery(settings: Any) -> None:
    settings.SECRET_KEY = "another-key"
    report = read_report(raw("gmail-dsn-failure.eml"))
    assert report is not None
    assert report.verp_token is None


@pytest.mark.parametrize(
    ("diagnostic", "delayed", "status"),
    [
        ("smtp; 550 5.1.1 User unknown", False, "5.1.1"),
        ("550-5.1.10 RESOLVER.ADR.RecipientNotFound", False, "5.1.10"),
        ("Sorry, no mailbox here by that name. (#5.1.1)", False, "5.1.1"),
        ("554: delivery error: dd This user doesn't have a yahoo.com account", False, "5.1.1"),
        ("550 Requested action not taken: mailbox unavailable", False, "5.1.1"),
        ("552 Mailbox full", False, "5.2.2"),
        ("452 Too many connections, try again later", False, "4.0.0"),
        ("Host or domain name not found. Name service error", False, "5.1.2"),
        ("mailbox over quota", True, "4.2.2"),
        ("", True, "4.0.0"),
        ("", False, "5.0.0"),
        ("host 192.0.2.1 said: 554 rejected", False, "5.0.0"),
    ],
)
def test_status_comes_from_the_code_else_the_words(
    diagnostic: str, delayed: bool, status: str
) -> None:
    assert status_of(diagnostic, delayed=delayed) == status


@pytest.mark.parametrize(
    ("status", "diagnostic", "action", "kind"),
    [
        ("5.1.1", "User unknown", "failed", HARD),
        ("5.7.1", "Message rejected as spam", "failed", HARD),
        ("5.2.2", "Mailbox full", "failed", SOFT),
        ("5.5.0", "552 5.5.0 quota exceeded for this recipient", "failed", SOFT),
        ("4.2.2", "over quota", "failed", SOFT),
        ("4.4.1", "Connection timed out", "failed", SOFT),
        ("5.1.1", "", "delayed", SOFT),
    ],
)
def test_hard_or_soft(status: str, diagnostic: str, action: str, kind: str) -> None:
    assert classify(status, diagnostic, action) == kind


def test_a_text_bounce_without_a_code_is_judged_by_its_words() -> None:
    message = (
        b"From: MAILER-DAEMON@mail.example.org\r\nTo: ofertas@clientela.example\r\n"
        b"Subject: failure notice\r\nMessage-ID: <f1@mail.example.org>\r\n\r\n"
        b"Hi. This is the qmail-send program at mail.example.org.\r\n\r\n"
        b"<full@example.org>:\r\nThe user's mailbox is full.\r\n\r\n"
        b"<gone@example.org>:\r\nUser unknown.\r\n"
    )
    report = read_report(message)
    assert report is not None
    assert [(b.recipient, b.status, b.kind) for b in report.bounces] == [
        ("full@example.org", "5.2.2", SOFT),
        ("gone@example.org", "5.1.1", HARD),
    ]


def test_a_person_writing_about_delivery_is_no_bounce() -> None:
    message = (
        b"From: Ana <ana@example.com>\r\nTo: ventas@clientela.example\r\n"
        b"Subject: Delivery failure of my order\r\nMessage-ID: <p1@example.com>\r\n\r\n"
        b"My parcel never arrived. Can you check?\r\n"
    )
    assert read_report(message) is None


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\x00\x01binary", b"just words"])
def test_no_message_raises_the_parsers_error(data: bytes) -> None:
    with pytest.raises(UnparseableMessage):
        read_report(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_random_bytes_raise_nothing_but_the_parsers_error(data: bytes) -> None:
    with contextlib.suppress(UnparseableMessage):
        read_report(data)


def _mutated_samples() -> Any:
    names = sorted(p.name for p in FIXTURES.glob("*.eml"))
    return st.tuples(st.sampled_from(names), st.integers(0, 4000), st.binary(max_size=40))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_mutated_samples())
def test_damaged_samples_raise_nothing_but_the_parsers_error(case: tuple[str, int, bytes]) -> None:
    name, at, noise = case
    sample = raw(name)
    at = at % (len(sample) + 1)
    with contextlib.suppress(UnparseableMessage):
        read_report(sample[:at] + noise + sample[at + len(noise) :])


def test_the_parsers_flags_agree() -> None:
    # ``ParsedMessage.bounce`` (the cheap flag every handler sees) is no bounce for an
    # auto-reply with an empty return path, nor for a read receipt; both stay automatic.
    reply = parse_message(raw("out-of-office.eml"))
    assert (reply.bounce, reply.automatic) == (False, True)
    receipt = parse_message(READ_RECEIPT)
    assert (receipt.bounce, receipt.auto_submitted) == (False, True)
    for name in BOUNCES:
        assert parse_message(raw(name)).automatic, name


def test_only_failed_and_delayed_recipients_of_a_report_bounce() -> None:
    report_text = (
        b"From: MAILER-DAEMON@mx.example.net\r\nTo: ofertas@clientela.example\r\n"
        b"Subject: Delivery report\r\nMessage-ID: <d2@mx.example.net>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\n"
        b"<ok@example.net>: delivery via mx.example.net: 250 2.0.0 Ok\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.net\r\n\r\n"
        b"Final-Recipient: rfc822; ok@example.net\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n"
        b"Final-Recipient: RFC822; <Gone@Example.net>\r\nAction: failed\r\n"
        b"Diagnostic-Code: smtp; 550 no such user here\r\n\r\n"
        b"Final-Recipient: rfc822; full@example.net\r\nAction: failed\r\nStatus: 5.0.0\r\n"
        b"Diagnostic-Code: smtp; 552 Requested mail action aborted: exceeded storage quota\r\n"
        b"\r\n--b--\r\n"
    )
    report = read_report(report_text)
    assert report is not None
    assert [(b.recipient, b.status, b.kind) for b in report.bounces] == [
        ("gone@example.net", "5.1.1", HARD),
        ("full@example.net", "5.0.0", SOFT),
    ]
    assert report.verp_token is None
    delivered_only = report_text.replace(b"Action: failed", b"Action: relayed")
    assert read_report(delivered_only) is None
