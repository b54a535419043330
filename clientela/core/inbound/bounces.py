"""Delivery reports read from a raw message: bounces and complaints.

``read_report(raw)`` recognises an RFC 3464 delivery status notification
(``multipart/report; report-type=delivery-status``: a ``Bounce`` per failed or delayed
recipient from its Final-/Original-Recipient, Action, Status and Diagnostic-Code), an
RFC 5965 complaint (ARF, ``report-type=feedback-report``: a ``Complaint``) and the
text bounces of servers that send no report (``bounce_formats``). Anything else, an
out-of-office reply included, is no report (``None``). Bytes that are no message at
all raise ``UnparseableMessage``, the inbound parser's one error type, and nothing else.

A bounce is ``hard`` (it will fail again) or ``soft`` by its status class: 5.x.x hard
but for a full mailbox (5.2.2, or the words of a quota), 4.x.x and delays soft; a
server that gave no code is judged by known phrases. Each report carries the VERP
delivery id (``core.verp``) found on the bounce's envelope headers or in the copy of
the returned message, so the sender knows which delivery failed.

The core's inbound handler ``handle_report`` (registered first, before e-mail to
ticket) takes every report: the message is stored with ``kind`` bounce or complaint,
handed to each ``register_bounce_handler`` callback, and never becomes a ticket.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import HeaderParser
from typing import Any

from clientela.core.choices import BounceKind, InboundKind
from clientela.core.inbound import bounce_formats as formats
from clientela.core.inbound.parsing import (
    DAEMON_SENDERS,
    MAX_DEPTH,
    UnparseableMessage,
    _decode,
    _header,
    _payload,
    _raw_header,
    clean_text,
    html_to_text,
)
from clientela.core.registry import bounce_handlers_in_order
from clientela.core.verp import verp_addresses_in, verp_token_from


@dataclass(frozen=True)
class Bounce:
    """One recipient a message could not be delivered to."""

    recipient: str
    #: The enhanced status code ("5.1.1"), or one inferred from the server's words.
    status: str
    #: ``BounceKind``: "hard" or "soft".
    kind: str
    #: What the remote server said ("smtp; 550 5.1.1 User unknown"), at most 1000 chars.
    diagnostic: str
    #: The Message-ID of the message that bounced ("" when the bounce left it out).
    original_message_id: str
    #: The delivery id the VERP return path named (``core.verp``), signed by us; None
    #: when the bounce came to no VERP address of ours.
    verp_token: str | None
    #: "failed" or "delayed".
    action: str = "failed"


@dataclass(frozen=True)
class Complaint:
    """A recipient reported a message as spam (or another ARF feedback type)."""

    #: Whom the message was sent to ("" when the provider redacted it).
    recipient: str
    #: "abuse", "fraud", "virus", "not-spam", "other"… (RFC 5965).
    feedback_type: str
    original_message_id: str
    verp_token: str | None
    #: The provider's reporting software ("Yahoo!-Mail-Feedback/2.0").
    user_agent: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    """What a bounce or a complaint says: its ``bounces`` or its ``complaint``.
    ``format`` names the shape it came in: "rfc3464", "arf", or the text bounce's
    server ("qmail", "exim", "sendmail", "postfix", "gmail", "exchange", "yahoo",
    "text")."""

    format: str
    bounces: tuple[Bounce, ...] = ()
    complaint: Complaint | None = None

    @property
    def kind(self) -> str:
        return InboundKind.COMPLAINT if self.complaint is not None else InboundKind.BOUNCE

    @property
    def verp_token(self) -> str | None:
        if self.complaint is not None:
            return self.complaint.verp_token
        return next((b.verp_token for b in self.bounces if b.verp_token), None)


# --- status and hard/soft ------------------------------------------------------------------

STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)")
SMTP_CODE = re.compile(r"(?<![\d.])([45])[0-5]\d(?![\d.]|-\d)")
#: A full mailbox: it may take mail again, so the bounce is soft whatever its class.
QUOTA = re.compile(
    r"(?i)mailbox (?:is )?full|over ?quota|quota (?:exceeded|exceed)|exceed\w* (?:\w+ )?"
    r"(?:storage |mailbox |disk )?quota|insufficient (?:system )?storage|mailbox size limit|"
    r"out of (?:storage|disk space)|not enough (?:storage|space)"
)
#: The server's words when it gave no code, first match wins: (pattern, status).
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (QUOTA, "5.2.2"),
    (
        re.compile(
            r"(?i)(?:domain|host)(?: name)? not found|no such domain|unrouteable domain|"
            r"name or service not known|nxdomain|no mx (?:record|host)|domain (?:name )?"
            r"(?:does not|doesn't) exist"
        ),
        "5.1.2",
    ),
    (
        re.compile(
            r"(?i)user unknown|unknown (?:user|recipient|local part|address)|no such "
            r"(?:user|mailbox|recipient|address|person)|(?:does not|doesn't) (?:exist|have an?"
            r" [\w.-]+ account)|no mailbox here|mailbox (?:unavailable|not found|disabled|"
            r"inactive)|invalid (?:recipient|mailbox|address)|recipient (?:address )?rejected|"
            r"address rejected|account (?:has been |is )?(?:disabled|deactivated|closed|"
            r"suspended)|couldn't be found|not our customer|unrout(?:e)?able address|"
            r"recipnotfound|recipient not found"
        ),
        "5.1.1",
    ),
    (
        re.compile(
            r"(?i)temporar(?:y|ily)|try again later|greylist|deferred|timed? ?out|"
            r"connection refused|too many (?:connections|messages)|rate limit|delayed"
        ),
        "4.0.0",
    ),
)


def status_of(diagnostic: str, *, delayed: bool = False) -> str:
    """The enhanced status code in the server's words, else the one they imply (an
    SMTP reply code gives the class, a known phrase the detail)."""
    found = STATUS.search(diagnostic)
    if found:
        return ".".join(found.groups())
    code = SMTP_CODE.search(diagnostic)
    for pattern, status in PHRASES:
        if pattern.search(diagnostic):
            if code:
                return f"{code.group(1)}{status[1:]}"
            return f"4{status[1:]}" if delayed else status
    if code:
        return f"{code.group(1)}.0.0"
    return "4.0.0" if delayed else "5.0.0"


def classify(status: str, diagnostic: str = "", action: str = "failed") -> str:
    """``BounceKind`` of a bounce: soft for a delay, a 4.x.x status or a full mailbox
    (5.2.2 or a quota in the words), hard for the other 5.x.x."""
    if action == "delayed" or status.startswith("4"):
        return BounceKind.SOFT
    if status == "5.2.2" or QUOTA.search(diagnostic):
        return BounceKind.SOFT
    return BounceKind.HARD


# --- reading the message ------------------------------------------------------------------

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
#: Subjects of bounces from servers that sign as no daemon.
BOUNCE_SUBJECT = re.compile(
    r"(?i)undeliver|returned mail|delivery status notification \((?:failure|delay)\)|"
    r"delivery (?:failure|failed|has failed|problem)|mail delivery failed|failure notice|"
    r"could not be delivered|non[- ]?delivery|returned to sender|mail system error|"
    r"message not delivered|warning: could not send"
)
#: The bounce's own headers that hold the address it came back to.
ENVELOPE_HEADERS = (
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "To",
    "Return-Path",
)


def _message(raw: bytes) -> Message:
    if not raw.strip() or b"\x00" in raw[:1024]:
        raise UnparseableMessage("empty or binary data")
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
    except Exception as exc:
        raise UnparseableMessage(type(exc).__name__) from exc
    if not msg.keys():
        raise UnparseableMessage("no message headers")
    return msg


def _parts(msg: Message, depth: int = 0) -> list[Message]:
    """The message and its parts, depth first, without entering attached messages."""
    found = [msg]
    if depth >= MAX_DEPTH or not msg.is_multipart():
        return found
    if msg.get_content_type() in ("message/rfc822", "message/global"):
        return found
    payload = msg.get_payload()
    for sub in payload if isinstance(payload, list) else []:
        if isinstance(sub, Message):
            found.extend(_parts(sub, depth + 1))
    return found


def _text_of(part: Message) -> str:
    return clean_text(_decode(_payload(part), part.get_content_charset())).replace("\r\n", "\n")


def _field_blocks(part: Message) -> list[Message]:
    """The header blocks of a ``message/delivery-status`` or ``message/feedback-report``
    part: the email package gives them as messages, or as text we read here."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [m for m in payload if isinstance(m, Message)]
        if blocks:
            return blocks
    text = _text_of(part)
    parser = HeaderParser(policy=policy.default)
    chunks = re.split(r"\n[ \t]*\n", text.strip("\n"))
    return [parser.parsestr(chunk.strip("\n") + "\n\n") for chunk in chunks if chunk.strip()]


def _address(value: str) -> str:
    """The address of a DSN field ("rfc822; <a@b.example>" → "a@b.example")."""
    value = value.partition(";")[2] if ";" in value else value
    value = value.strip().strip("<>").strip().lower()
    return value if "@" in value and " " not in value else ""


def _original(msg: Message, copy_text: str) -> Message | None:
    """The headers of the message that bounced: its attached copy, or the text after
    a text bounce's "copy of the message" line."""
    parser = HeaderParser(policy=policy.default)
    for part in _parts(msg):
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0]
        if kind in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
            return parser.parsestr(_text_of(part).lstrip())
    if copy_text.strip():
        head = copy_text.lstrip().split("\n\n", 1)[0]
        return parser.parsestr(head + "\n\n")
    return None


def _message_id(original: Message | None) -> str:
    if original is None:
        return ""
    found = MESSAGE_ID.findall(_header(original, "Message-ID"))
    return found[0][:998] if found else ""


def _header_values(msg: Message, names: tuple[str, ...]) -> list[str]:
    wanted = {name.lower() for name in names}
    return [str(value) for key, value in msg.raw_items() if key.lower() in wanted]


def _verp(msg: Message, original: Message | None, *first: str) -> str | None:
    """The delivery id of a signed VERP address: on the bounce's envelope headers,
    then in the returned message's headers (its Return-Path, Sender, From…)."""
    texts = [*first, *_header_values(msg, ENVELOPE_HEADERS)]
    if original is not None:
        texts.extend(str(value) for _key, value in original.raw_items())
    for text in texts:
        for address in verp_addresses_in(clean_text(text)):
            if (token := verp_token_from(address)) is not None:
                return token
    return None


def _first_part(msg: Message, kinds: tuple[str, ...]) -> Message | None:
    return next((p for p in _parts(msg) if p.get_content_type() in kinds), None)


def _dsn(msg: Message, status_part: Message) -> DeliveryReport | None:
    original = _original(msg, "")
    message_id, token = _message_id(original), _verp(msg, original)
    bounces = []
    for block in _field_blocks(status_part):
        recipient = _address(_header(block, "Original-Recipient")) or _address(
            _header(block, "Final-Recipient")
        )
        action = _header(block, "Action").split(" ")[0].strip().lower()
        if not recipient or action not in ("failed", "delayed"):
            continue
        diagnostic = _header(block, "Diagnostic-Code")[:1000]
        found = STATUS.search(_header(block, "Status"))
        status = ".".join(found.groups()) if found else ""
        if not status or status.startswith("2"):
            status = status_of(diagnostic, delayed=action == "delayed")
        kind = classify(status, diagnostic, action)
        bounces.append(Bounce(recipient, status, kind, diagnostic, message_id, token, action))
    return DeliveryReport("rfc3464", tuple(bounces)) if bounces else None


def _arf(msg: Message, report_part: Message) -> DeliveryReport:
    fields = _field_blocks(report_part)
    block = fields[0] if fields else Message()
    original = _original(msg, "")
    recipient = _address(_header(block, "Original-Rcpt-To"))
    if not recipient and original is not None:
        to = formats.addresses_in(_header(original, "To"))
        recipient = to[0] if len(to) == 1 else ""
    token = _verp(msg, original, _header(block, "Original-Mail-From"))
    complaint = Complaint(
        recipient=recipient,
        feedback_type=(_header(block, "Feedback-Type").split(" ")[0].lower() or "abuse")[:50],
        original_message_id=_message_id(original),
        verp_token=token,
        user_agent=_header(block, "User-Agent")[:200],
    )
    return DeliveryReport("arf", complaint=complaint)


def _sender(msg: Message) -> str:
    found = formats.addresses_in(_header(msg, "From"))
    return found[0] if found else ""


def _looks_like_bounce(msg: Message, sender: str) -> bool:
    local = sender.partition("@")[0]
    return (
        local in DAEMON_SENDERS
        or local in ("mail-daemon", "mailerdaemon")
        or local.startswith("microsoftexchange")
        or _raw_header(msg, "X-Failed-Recipients") is not None
        or BOUNCE_SUBJECT.search(_header(msg, "Subject")) is not None
    )


def _notice_text(msg: Message) -> str:
    """The readable text of a bounce: its first text part (HTML made text when there
    is no plain one)."""
    html = ""
    for part in _parts(msg):
        if part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            return _text_of(part)
        if kind == "text/html" and not html:
            html = _text_of(part)
    return html_to_text(html) if html else ""


def _text_bounce(msg: Message, sender: str) -> DeliveryReport | None:
    text = _notice_text(msg)
    notice, copy = formats.split_original(text)
    delayed = formats.is_delay(notice) or "(delay)" in _header(msg, "Subject").lower()
    ignored = {sender, *formats.addresses_in(_header(msg, "To"))}
    failed = formats.addresses_in(" ".join(_header_values(msg, ("X-Failed-Recipients",))))
    findings = formats.text_findings(notice, ignored=ignored, failed=failed)
    original = _original(msg, copy)
    if not findings and original is not None:
        # The notice names nobody (Exchange's old "'Name' on <date>"): the copy's one
        # recipient it is.
        to = formats.addresses_in(_header(original, "To"))
        if len(to) == 1:
            findings = [formats.Finding(to[0], formats.details(notice))]
    if not findings:
        return None
    message_id, token = _message_id(original), _verp(msg, original)
    action = "delayed" if delayed else "failed"
    bounces = []
    for finding in findings:
        diagnostic = finding.diagnostic
        status = status_of(diagnostic or notice[:4000], delayed=delayed)
        if status.startswith("2"):
            continue  # "250 2.0.0 Ok": delivered after all
        kind = classify(status, diagnostic, action)
        bounces.append(
            Bounce(finding.recipient, status, kind, diagnostic, message_id, token, action)
        )
    if not bounces:
        return None
    return DeliveryReport(formats.format_of(notice, sender), tuple(bounces))


def report_of(msg: Message) -> DeliveryReport | None:
    """The report ``msg`` is, or None (see the module)."""
    feedback = _first_part(msg, ("message/feedback-report",))
    if feedback is not None:
        return _arf(msg, feedback)
    status_part = _first_part(msg, ("message/delivery-status", "message/global-delivery-status"))
    sender = _sender(msg)
    if status_part is not None:
        found = _dsn(msg, status_part)
        named = any(_header(b, "Final-Recipient") for b in _field_blocks(status_part))
        if found is not None or named or not _looks_like_bounce(msg, sender):
            # A report that names its recipients is believed: all delivered, no bounce.
            return found
    elif msg.get_content_type() == "multipart/report":
        return None  # a read receipt (disposition-notification) or another report
    if not _looks_like_bounce(msg, sender):
        return None
    return _text_bounce(msg, sender)


def read_report(raw: bytes) -> DeliveryReport | None:
    """The bounce or complaint ``raw`` is, None when it is none; ``UnparseableMessage``
    for bytes that are no message."""
    msg = _message(raw)
    try:
        return report_of(msg)
    except RecursionError as exc:
        raise UnparseableMessage("nested too deeply") from exc


# --- the inbound handler --------------------------------------------------------------------


def may_be_report(parsed: Any) -> bool:
    """Cheap first look (``ParsedMessage``): only machines send reports."""
    return bool(parsed.automatic or BOUNCE_SUBJECT.search(parsed.subject or ""))


def handle_report(message: Any, parsed: Any) -> bool:
    """The core's inbound handler (before every app's): a bounce or complaint is taken,
    stored with its ``kind``, and given to every registered bounce handler."""
    if not may_be_report(parsed):
        return False
    try:
        report = read_report(bytes(message.raw))
    except UnparseableMessage:
        return False
    if report is None:
        return False
    message.kind = report.kind
    for handler in bounce_handlers_in_order():
        handler.handle(message, report)
    return True
