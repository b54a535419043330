"""``POST /inbound-email`` (scope ``mail:inbound``): a mail server that pipes mail
(Postfix's ``pipe``, a ``.forward``, an MTA hook) hands over one raw RFC 5322 message,
which takes the same path as a polled one (``inbound_receive``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from clientela.core.api.auth import require_scope
from clientela.core.api.errors import error_response, json_response
from clientela.core.api.schemas import error_responses
from clientela.core.choices import InboundSource
from clientela.core.inbound.services import inbound_receive

SCOPE = "mail:inbound"
CONTENT_TYPE = "message/rfc822"


class InboundEmailOut(Schema):
    id: int
    status: str
    flagged: bool
    message_id: str
    #: "message", or "bounce" / "complaint" for a delivery report (``core.inbound.bounces``).
    kind: str


router = Router(tags=["inbound e-mail"])

REQUEST_BODY = {
    "requestBody": {
        "required": True,
        # Anything but blank: a message the parser cannot read is still taken (kept
        # flagged for an admin); only an empty body is refused.
        "content": {CONTENT_TYPE: {"schema": {"type": "string", "minLength": 1, "pattern": r"\S"}}},
    }
}


def _refusal(status: int, message: str) -> HttpResponse:
    return error_response(status, message, [{"field": "body", "message": message}])


def _read_body(request: HttpRequest) -> bytes | HttpResponse:
    """The raw message, read no further than the size limit (not ``request.body``,
    which Django caps far lower), or the answer that refuses it."""
    limit = settings.CLIENTELA_INBOUND_MAX_BYTES
    too_large = _("The message is larger than %(limit)d bytes.") % {"limit": limit}
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _refusal(413, too_large)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return _refusal(413, too_large)
    if not raw.strip():
        return _refusal(400, _("The body is empty: send one raw e-mail message."))
    return raw


@router.post(
    "/inbound-email",
    response={202: InboundEmailOut, **error_responses(400, 401, 403, 413, 415)},
    openapi_extra=REQUEST_BODY,
)
@require_scope(SCOPE)
def inbound_email(request: HttpRequest) -> Any:
    """Take in one e-mail message: the body is the raw message as received
    (``Content-Type: message/rfc822``), at most ``CLIENTELA_INBOUND_MAX_BYTES``.
    Answers 202 with the stored message's id and status (``taken``, ``unhandled``,
    ``ignored`` or ``failed``, then ``flagged`` for an admin) and its kind (``message``,
    or ``bounce`` / ``complaint`` for a delivery report, which never becomes a ticket).
    The same message
    (same ``Message-ID``) sent again is not taken twice: its first answer comes back."""
    if request.content_type != CONTENT_TYPE:
        return _refusal(
            415,
            _("Send the message with Content-Type: %(type)s.") % {"type": CONTENT_TYPE},
        )
    raw = _read_body(request)
    if isinstance(raw, HttpResponse):
        return raw
    message = inbound_receive(raw=raw, source=InboundSource.API)
    body = InboundEmailOut(
        id=message.pk,
        status=message.status,
        flagged=message.flagged,
        message_id=message.message_id,
        kind=message.kind,
    )
    return json_response(202, body.dict())
