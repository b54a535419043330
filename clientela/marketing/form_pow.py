"""The optional proof of work of a public web form, self-hosted (no third party): a
form with ``LeadForm.proof_of_work`` is accepted only with a solved puzzle, so a script
that posts thousands of submissions pays a CPU's work for each one, while a person's
browser solves it in about half a second.

The puzzle is hashcash's: ``GET /forms/<slug>/challenge`` gives a challenge, a string
signed by this server (the form, a random id, the difficulty, the moment: nothing is
stored), valid ``MAX_AGE_SECONDS``; the browser looks for a ``nonce`` (decimal digits)
such that ``SHA-256("<challenge>:<nonce>")`` starts with ``bits`` zero bits
(``CLIENTELA_FORM_POW_BITS``, checked in the browser with ``crypto.subtle``; the
scripts are ``static/marketing/form-pow.js``), and posts both as ``_pow`` and
``_pow_nonce``. The check costs one hash. A challenge serves one submission: its id is
kept on the submission it let in (``FormSubmission.proof``, unique), so a replay is
refused, even by two web processes at once."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from clientela.marketing.form_spam import SpamRefused

SALT = "clientela.marketing.form-pow"
#: The posted names of the challenge and of its solution.
CHALLENGE, NONCE = "_pow", "_pow_nonce"
#: How long a challenge may be solved and used (the script asks for one on sending).
MAX_AGE_SECONDS = 15 * 60
MAX_NONCE = 20

MISSING = _(
    "This form needs a proof of work from your browser. Turn JavaScript on, reload the "
    "page and send the form again."
)
INVALID = _("The proof of work is not valid. Reload the page and send the form again.")
EXPIRED = _("The proof of work has expired. Send the form again.")
USED = _("This proof of work was used already. Send the form again.")


@dataclass(frozen=True)
class Challenge:
    """A puzzle for one submission of one form."""

    token: str
    bits: int


def challenge_for(form_id: int) -> Challenge:
    """A fresh signed challenge for ``form_id`` at the configured difficulty."""
    bits = settings.CLIENTELA_FORM_POW_BITS
    token = signing.dumps({"f": form_id, "r": secrets.token_hex(12), "b": bits}, salt=SALT)
    return Challenge(token=token, bits=bits)


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits ``digest`` starts with."""
    count = 0
    for byte in digest:
        if byte:
            return count + 8 - byte.bit_length()
        count += 8
    return count


def solve(token: str, bits: int) -> str:
    """The first nonce that solves ``token`` (what the browser does; for headless
    clients in Python and the tests)."""
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{token}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def check_proof(form_id: int, data: Mapping[str, Any]) -> str:
    """The id of the challenge ``data`` solves for ``form_id``; ``SpamRefused`` when the
    proof is missing, not this form's, expired or wrong. Whether it was used already
    is the submission's unique ``proof`` (``form_submit``)."""
    token, nonce = data.get(CHALLENGE), data.get(NONCE)
    if not token and not nonce:
        raise SpamRefused(MISSING)
    if not isinstance(token, str) or not isinstance(nonce, str):
        raise SpamRefused(INVALID)
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise SpamRefused(EXPIRED) from None
    except signing.BadSignature:
        raise SpamRefused(INVALID) from None
    if not isinstance(payload, dict) or payload.get("f") != form_id:
        raise SpamRefused(INVALID)
    bits, key = payload.get("b"), payload.get("r")
    if type(bits) is not int or not isinstance(key, str):
        raise SpamRefused(INVALID)
    if not (0 < len(nonce) <= MAX_NONCE and nonce.isascii() and nonce.isdigit()):
        raise SpamRefused(INVALID)
    digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
    if leading_zero_bits(digest) < bits:
        raise SpamRefused(INVALID)
    return key
