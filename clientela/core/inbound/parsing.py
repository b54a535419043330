"""Reading one raw RFC 5322 message into a ``ParsedMessage``, with the standard
``email`` package (``policy.default``).

Mail in the wild is often wrong: unknown or mislabelled charsets, raw 8-bit headers,
multiparts without their closing boundary, dates nobody can read. Each value falls back
to something readable instead of failing the whole message; only bytes that are no
message at all raise ``UnparseableMessage``, which the caller keeps raw and flags.
"""

from __future__ import annotations

import datetime
import email
import email.utils
import functools
import html
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message

import nh3
from mailparser_reply import EmailReplyParser


class UnparseableMessage(Exception):
    """The bytes are not an e-mail message the parser can read."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    #: The ``Content-ID`` without its angle brackets ("" when none): an inline image
    #: that the HTML body shows as ``cid:<content_id>``.
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class ParsedMessage:
    from_name: str
    from_address: str
    to: list[tuple[str, str]]
    cc: list[tuple[str, str]]
    subject: str
    date: datetime.datetime | None
    message_id: str
    in_reply_to: str
    references: list[str]
    #: ``Auto-Submitted`` other than "no", ``X-Autoreply``/``X-Autorespond``.
    auto_submitted: bool
    #: ``Precedence: bulk``, ``junk`` or ``list``.
    bulk: bool
    #: A delivery report (``multipart/report``) or a message from a mailer daemon.
    bounce: bool
    text: str
    #: The HTML body sanitized with nh3 ("" when the message has none).
    html: str
    #: The text without the quoted history of earlier messages.
    reply_text: str
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def automatic(self) -> bool:
        """Sent by a machine: no handler should answer it (no mail loops)."""
        return self.auto_submitted or self.bulk or self.bounce


# --- text and headers -----------------------------------------------------------------

#: Tried in order when a part's charset is missing, unknown or wrong: UTF-8 must be
#: exactly right; Windows-1252 reads anything (its few holes replaced).
FALLBACK_CHARSETS = ("utf-8", "windows-1252")


def clean_text(value: str) -> str:
    """A string any database stores: raw 8-bit bytes the parser kept as surrogates
    decoded as UTF-8 or Windows-1252, NUL characters dropped."""
    if _has_surrogates(value):
        data = value.encode("utf-8", "surrogateescape")
        value = _decode(data, None)
    return value.replace("\x00", "")


def _decode(data: bytes, charset: str | None) -> str:
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
        try:
            # A known charset with a few bad bytes: keep it, mark the bad ones.
            text = data.decode(charset, errors="replace")
        except LookupError:
            text = ""
        else:
            if text.count("\ufffd") * 20 < len(text) + 1:
                return text
    try:
        return data.decode(FALLBACK_CHARSETS[0])
    except UnicodeDecodeError:
        return data.decode(FALLBACK_CHARSETS[1], errors="replace")


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _raw_header(msg: Message, name: str) -> str | None:
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def _header(msg: Message, name: str) -> str:
    """A header's value with its encoded words decoded, on one line ("" if absent).
    The policy's own reading is used unless it stumbled: raw 8-bit bytes, an unknown
    charset in an encoded word, or a value it cannot parse at all."""
    raw = _raw_header(msg, name)
    if raw is None:
        return ""
    if raw.isascii() and "=?" not in raw:
        # Nothing to decode (most headers): the policy's parse of it into a structured
        # header, which callers read again as text, would only cost time.
        return " ".join(clean_text(raw).split())
    try:
        text: str | None = str(msg.get(name))
    except Exception:
        text = None
    if text is None or "\ufffd" in text or "=?" in text or _has_surrogates(raw):
        text = _decode_words(clean_text(raw))
    return " ".join(clean_text(text).split())


def _decode_words(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeDecodeError, ValueError, email.errors.HeaderParseError):
        parts = []
        for chunk, charset in _safe_decode_header(value):
            parts.append(_decode(chunk, charset) if isinstance(chunk, bytes) else clean_text(chunk))
        return "".join(parts)


def _safe_decode_header(value: str) -> list[tuple[bytes | str, str | None]]:
    try:
        return list(decode_header(value))
    except Exception:
        return [(value, None)]


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    value = _header(msg, name)
    if not value:
        return []
    found = []
    for display, address in email.utils.getaddresses([value]):
        address = address.strip().lower()
        if address and "@" in address:
            found.append((display.strip(), address))
    return found


MSG_ID = re.compile(r"<[^<>\s]+>")


def _message_ids(value: str) -> list[str]:
    return MSG_ID.findall(value)


def _date(msg: Message) -> datetime.datetime | None:
    value = _header(msg, "Date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


# --- automatic messages -------------------------------------------------------------------

DAEMON_SENDERS = ("mailer-daemon", "postmaster")


def _flags(msg: Message, from_address: str) -> tuple[bool, bool, bool]:
    auto = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    auto_submitted = bool(auto and auto != "no") or any(
        _header(msg, name) for name in ("X-Autoreply", "X-Autorespond")
    )
    precedence = _header(msg, "Precedence").strip().lower()
    bulk = precedence in {"bulk", "junk", "list"}
    if precedence == "auto_reply":
        auto_submitted = True
    local = from_address.partition("@")[0]
    report = msg.get_content_type() == "multipart/report"
    if report and str(msg.get_param("report-type") or "").lower() == "disposition-notification":
        # A read receipt: a machine's message, no bounce.
        report, auto_submitted = False, True
    # An empty return path alone marks an auto-reply as much as a bounce (RFC 3834):
    # with Auto-Submitted it is the reply. ``core.inbound.bounces`` reads the report.
    bounce = (
        report
        or local in DAEMON_SENDERS
        or (_header(msg, "Return-Path").strip() == "<>" and not auto_submitted)
    )
    return auto_submitted, bulk, bounce


# --- bodies and attachments -------------------------------------------------------------


@dataclass
class _Parts:
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _filename(part: Message, index: int, content_type: str) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        name = clean_text(_decode_words(name) if "=?" in name else name)
        name = name.replace("/", "_").replace("\\", "_").strip()
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{index}{extension}"
    return name[:200]


def _content_id(part: Message) -> str:
    return _header(part, "Content-ID").strip().strip("<>")


def _leaf(part: Message, parts: _Parts) -> None:
    content_type = part.get_content_type()
    disposition = part.get_content_disposition()
    has_name = bool(
        part.get_param("name") or part.get_param("filename", header="content-disposition")
    )
    if content_type in ("text/plain", "text/html") and disposition != "attachment" and not has_name:
        text = _decode(_payload(part), part.get_content_charset())
        text = clean_text(text).replace("\r\n", "\n")
        if content_type == "text/plain" and not parts.text:
            parts.text = text
            return
        if content_type == "text/html" and not parts.html:
            parts.html = text
            return
    content_id = _content_id(part)
    parts.attachments.append(
        Attachment(
            filename=_filename(part, len(parts.attachments) + 1, content_type),
            content_type=content_type,
            content=_payload(part),
            content_id=content_id,
            inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
        )
    )


#: Parts nested deeper than this are left out (no mail client nests a tenth as deep).
MAX_DEPTH = 30


def _walk(part: Message, parts: _Parts, depth: int = 0) -> None:
    content_type = part.get_content_type()
    if depth > MAX_DEPTH:
        return
    if content_type == "message/rfc822":
        # A forwarded message stays one attachment (an .eml), not mixed into ours.
        inner = part.get_payload()
        body = b""
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            try:
                body = inner[0].as_bytes(policy=policy.compat32)
            except Exception:  # an inner message too broken to write out again
                body = b""
        parts.attachments.append(
            Attachment(
                filename=_filename(part, len(parts.attachments) + 1, "message/rfc822")
                if part.get_filename()
                else f"forwarded-{len(parts.attachments) + 1}.eml",
                content_type="message/rfc822",
                content=body,
            )
        )
        return
    if content_type.startswith("message/") and part.is_multipart():
        # A delivery or disposition report: its header blocks, as text.
        source = part.as_bytes(policy=policy.compat32)
        body = source.split(b"\n\n", 1)[-1] if b"\n\n" in source else b""
        parts.attachments.append(
            Attachment(
                filename=f"report-{len(parts.attachments) + 1}.txt",
                content_type=content_type,
                content=body.replace(b"\r\n", b"\n"),
            )
        )
        return
    if part.is_multipart():
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                _walk(sub, parts, depth + 1)
        return
    _leaf(part, parts)


# --- HTML ---------------------------------------------------------------------------

#: ``cid:`` so inline images keep pointing at their attachment.
URL_SCHEMES = {*nh3.ALLOWED_URL_SCHEMES, "cid"}
BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6]|blockquote|table)\s*>")


def sanitize_html(value: str) -> str:
    return nh3.clean(value, url_schemes=URL_SCHEMES)


#: A link's opening tag (its attributes) or its end; links do not nest.
LINK_TAG = re.compile(r"(?i)<a\b([^>]*)>|</a\s*>")
HREF = re.compile(r"""(?is)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
TAG = re.compile(r"<[^>]*>")
#: Elements whose content is no text of the message.
NOT_TEXT = {"script", "style", "title"}


def _links_as_text(value: str) -> str:
    """``value`` with each link written as ``_link_as_text`` says, in one pass over the
    link tags (a regular expression from a link's start to its end would go over the
    rest of the message again for every link left open)."""
    parts: list[str] = []
    done, opened = 0, None
    for tag in LINK_TAG.finditer(value):
        if tag.group(0)[1] != "/":
            opened = tag
        elif opened is not None:
            inner = value[opened.end() : tag.start()]
            parts += [value[done : opened.start()], _link_as_text(opened.group(1), inner)]
            done, opened = tag.end(), None
    parts.append(value[done:])
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _link_as_text(attributes: str, inner: str) -> str:
    """A link as "text (address)", so the plain-text part of an e-mail keeps where its
    links go; the text alone when it is the address, or the address is no web or mail
    one (an anchor, a ``cid:``). Kept per link: a campaign's links repeat for every
    recipient."""
    href = HREF.search(attributes)
    if href is None:
        return inner
    url = html.unescape(next(g for g in href.groups() if g is not None)).strip()
    shown = " ".join(html.unescape(TAG.sub("", inner)).split())
    if not url.lower().startswith(("http://", "https://", "mailto:")) or shown in (
        url,
        url.removeprefix("mailto:"),
    ):
        return inner
    return f"{inner} ({html.escape(url, quote=False)})"


def html_to_text(value: str) -> str:
    """The text of an HTML message or part: block ends and ``<br>`` as line breaks,
    links as "text (address)", markup, scripts and styles gone, blank runs shortened."""
    marked = BLOCK_END.sub("\n", _links_as_text(value))
    stripped = nh3.clean(marked, tags=set(), clean_content_tags=NOT_TEXT)
    text = html.unescape(stripped).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- the reply without its history ----------------------------------------------------------

#: Where quoted history starts, for the clients ``mail-parser-reply`` misses (its Spanish
#: "wrote" line wants two spaces before "escribió", Outlook's separators in Spanish).
HISTORY_STARTS = re.compile(
    r"(?im)^(?:"
    r"(?:El|On)\s.{4,200}?\s(?:escribió|wrote)\s?:"
    r"|-{2,}\s*(?:Mensaje original|Original Message)\s*-{2,}"
    r"|_{20,}"
    r"|(?:De|From):\s.+\n(?:Enviado|Fecha|Sent|Date):\s"
    r")"
)
REPLY_PARSER = EmailReplyParser(languages=["en", "es"])


def strip_quoted(text: str) -> str:
    """The new part of a reply: the text before the quoted earlier messages."""
    found = HISTORY_STARTS.search(text)
    if found and text[: found.start()].strip():
        text = text[: found.start()]
    try:
        reply = REPLY_PARSER.parse_reply(text)
    except Exception:
        reply = None
    result = reply if isinstance(reply, str) and reply.strip() else text
    return result.strip()


# --- the message ------------------------------------------------------------------------


def parse_message(raw: bytes) -> ParsedMessage:
    """Read ``raw`` (the message's bytes); ``UnparseableMessage`` when they are no
    e-mail message at all (empty, binary, no header)."""
    if not raw.strip() or b"\x00" in raw[:1024]:
        raise UnparseableMessage("empty or binary data")
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
    except Exception as exc:
        raise UnparseableMessage(f"{type(exc).__name__}") from exc
    if not msg.keys() or not any(
        _raw_header(msg, name) is not None for name in ("From", "Subject", "Message-ID", "Date")
    ):
        raise UnparseableMessage("no message headers")
    try:
        return _build(msg)
    except RecursionError as exc:
        raise UnparseableMessage("nested too deeply") from exc


def _build(msg: Message) -> ParsedMessage:
    senders = _addresses(msg, "From") or _addresses(msg, "Sender")
    from_name, from_address = senders[0] if senders else ("", "")
    parts = _Parts()
    _walk(msg, parts)
    text = parts.text
    clean_html = sanitize_html(parts.html) if parts.html else ""
    if not text.strip() and clean_html:
        text = html_to_text(clean_html)
    auto_submitted, bulk, bounce = _flags(msg, from_address)
    message_ids = _message_ids(_header(msg, "Message-ID"))
    in_reply_to = _message_ids(_header(msg, "In-Reply-To"))
    return ParsedMessage(
        from_name=from_name,
        from_address=from_address,
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        subject=_header(msg, "Subject"),
        date=_date(msg),
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=_message_ids(_header(msg, "References")),
        auto_submitted=auto_submitted,
        bulk=bulk,
        bounce=bounce,
        text=text,
        html=clean_html,
        reply_text=strip_quoted(text),
        attachments=parts.attachments,
    )
