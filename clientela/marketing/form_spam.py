"""Spam protection of the public web forms, without third parties: a honeypot input
people never see (bots fill it), and a signed timestamp put in the form when it is
shown, so a post that comes back sooner than a person can type (``MIN_FILL_SECONDS``),
or much later (``MAX_AGE_SECONDS``: a token copied once and replayed by a script), or
without a valid signature, is refused. The per-address rate limit is the views' (it
needs the request). A self-hosted proof-of-work is left for later."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from django.core import signing
from django.utils.translation import gettext_lazy as _

SALT = "clientela.marketing.form-shown"
#: The posted names of the honeypot and of the timestamp (a field key cannot start
#: with "_": ``services.lead_forms``).
HONEYPOT, TIMESTAMP = "_hp", "_ts"
MIN_FILL_SECONDS = 3
MAX_AGE_SECONDS = 24 * 3600

HONEYPOT_FILLED = _("This submission looks automated (a hidden field was filled in).")
TOO_FAST = _("The form was sent too fast after it was shown. Wait a few seconds and send it again.")
NO_TOKEN = _(
    "The form's security token is missing or not valid. Reload the page and send it again."
)
EXPIRED = _("The form was shown too long ago. Reload the page and send it again.")


class SpamRefused(Exception):
    """A submission the spam checks refuse, with the message for the visitor."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def form_token(form_id: int, now: float | None = None) -> str:
    """The signed moment ``form_id`` was shown (for the hidden ``_ts`` input)."""
    shown = int(time.time() if now is None else now)
    return signing.dumps({"f": form_id, "t": shown}, salt=SALT, compress=True)


def _shown_at(form_id: int, token: Any) -> int | None:
    """When ``token`` says ``form_id`` was shown, if it is signed and is that form's."""
    try:
        shown = signing.loads(token, salt=SALT) if isinstance(token, str) else None
    except signing.BadSignature:
        return None
    if not isinstance(shown, dict) or shown.get("f") != form_id:
        return None
    moment = shown.get("t")
    return moment if isinstance(moment, int) else None


def token_again(form_id: int, token: Any, now: float | None = None) -> str:
    """The token for a form shown again with its errors: the posted one while it is
    valid (the visitor's time on the form goes on counting), else a new one."""
    moment = _shown_at(form_id, token)
    current = time.time() if now is None else now
    if moment is None or current - moment > MAX_AGE_SECONDS:
        return form_token(form_id, now)
    return str(token)


def check_spam(form_id: int, data: Mapping[str, Any], now: float | None = None) -> None:
    """Raise ``SpamRefused`` unless the honeypot is empty and the timestamp is this
    form's, signed, at least ``MIN_FILL_SECONDS`` and at most ``MAX_AGE_SECONDS`` old."""
    if data.get(HONEYPOT):
        raise SpamRefused(HONEYPOT_FILLED)
    moment = _shown_at(form_id, data.get(TIMESTAMP))
    if moment is None:
        raise SpamRefused(NO_TOKEN)
    elapsed = (time.time() if now is None else now) - moment
    if elapsed < MIN_FILL_SECONDS:
        raise SpamRefused(TOO_FAST)
    if elapsed > MAX_AGE_SECONDS:
        raise SpamRefused(EXPIRED)
