"""Consent columns of a people import: a column mapped to "Consent: <purpose>
(<channel>)" grants (yes, true, 1, x, sí…) or withdraws (no, false, 0…) that consent for
the row's person; an empty cell leaves it as it is. What the file does not say is
declared once for the whole import (``ImportJob.consent_terms``): the legal basis and
the wording the people agreed to; the source is always "import", and each event keeps
the job and the file name as its reference. The consent is recorded through
marketing's ``consent_record`` as the importing user, once the row's person is written,
so the proof, the state, the suppression list and the audit are what the person page
would write.

``integrations`` sits above ``marketing`` in the layering, so it calls marketing's
service directly, as the order import calls ``sales``. Mapping a consent column takes
the right to run campaigns (``CONSENT_RESOURCE``): consent recorded in bulk is a
marketing decision, and a sales rep's contact list is not proof of anyone's consent.
A cell that is neither yes nor no is reported and left out; the row is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.contacts.models import Person
from clientela.core.errors import NotFound
from clientela.core.permissions import can
from clientela.marketing.choices import ConsentChannel, ConsentSource, LegalBasis
from clientela.marketing.models import ConsentPurpose
from clientela.marketing.services.consent import MAX_WORDING, consent_record

PREFIX = "consent:"
#: Who may map consent columns: those who may create campaigns (the marketing role,
#: managers and admins).
CONSENT_RESOURCE = "marketing.campaign"
YES = frozenset({"yes", "y", "true", "1", "x", "sí", "si", "s", "on", "granted", "opt-in"})
NO = frozenset({"no", "n", "false", "0", "off", "withdrawn", "opt-out"})
NOT_YES_OR_NO = gettext_lazy("“%(value)s” is not yes or no: no consent is recorded from it.")


@dataclass(frozen=True)
class ConsentTerms:
    """What the whole import declares about the consent it records."""

    legal_basis: str
    wording: str

    @classmethod
    def of(cls, raw: dict[str, Any]) -> ConsentTerms:
        return cls(raw.get("legal_basis") or LegalBasis.CONSENT, raw.get("wording") or "")


def consent_columns() -> list[tuple[str, str]]:
    """(target key, label) of each active purpose on each channel."""
    channels = ConsentChannel.choices
    return [
        (
            f"{PREFIX}{purpose.key}:{channel}",
            _("Consent: %(purpose)s (%(channel)s)") % {"purpose": purpose.name, "channel": label},
        )
        for purpose in ConsentPurpose.objects.filter(active=True)
        for channel, label in channels
    ]


def is_consent(key: str) -> bool:
    return key.startswith(PREFIX)


def may_import_consent(user: Any) -> bool:
    return can(user, "create", CONSENT_RESOURCE)


def read_cell(text: str) -> bool | None:
    """True for a grant, False for a withdrawal, None for an empty cell; ``ValueError``
    for anything else."""
    value = text.strip().casefold()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(value)


def clean_terms(mapping: Iterable[str], raw: dict[str, Any], user: Any) -> dict[str, str]:
    """The import's consent terms as stored ({} when no column is about consent);
    ``ValidationError`` naming ``consent_basis`` / ``consent_wording`` / ``mapping``."""
    if not any(is_consent(key) for key in mapping):
        return {}
    errors: dict[str, list[str]] = {}
    if not may_import_consent(user):
        errors["mapping"] = [_("Only users who run campaigns may import consent.")]
    basis = str(raw.get("legal_basis") or "")
    if basis not in LegalBasis.values:
        errors["consent_basis"] = [_("Choose the legal basis of the consent in this file.")]
    wording = str(raw.get("wording") or "").strip()
    if basis == LegalBasis.CONSENT and not wording:
        errors["consent_wording"] = [
            _("Give the exact words these people agreed to: they are the proof of consent.")
        ]
    elif len(wording) > MAX_WORDING:
        errors["consent_wording"] = [
            _("The wording is too long (at most %(n)s characters).") % {"n": MAX_WORDING}
        ]
    if errors:
        raise ValidationError(errors)
    return {"legal_basis": basis, "wording": wording}


def split_key(key: str) -> tuple[str, str]:
    """ "consent:newsletter:email" -> ("newsletter", "email")."""
    purpose, _sep, channel = key[len(PREFIX) :].rpartition(":")
    return purpose, channel


def tally(rows: Iterable[dict[str, bool]]) -> tuple[int, int]:
    """(grants, withdrawals) the rows' consent cells ask for."""
    granted = withdrawn = 0
    for consents in rows:
        for value in consents.values():
            granted += value
            withdrawn += not value
    return granted, withdrawn


def record(
    *, actor: Any, person: Person, consents: dict[str, bool], terms: ConsentTerms, reference: str
) -> list[str]:
    """Record the row's consents for ``person``; the messages of those refused (the
    row itself stays imported)."""
    problems = []
    for key, granted in consents.items():
        purpose, channel = split_key(key)
        try:
            consent_record(
                actor=actor,
                person=person,
                purpose=purpose,
                channel=channel,
                granted=granted,
                source=ConsentSource.IMPORT,
                legal_basis=terms.legal_basis,
                wording_text=terms.wording,
                reference=reference,
            )
        except (ValidationError, PermissionDenied, NotFound) as exc:
            why = " ".join(getattr(exc, "messages", [])) or str(exc) or _("not allowed")
            problems.append(
                _("Consent %(purpose)s (%(channel)s) not recorded: %(why)s")
                % {"purpose": purpose, "channel": channel, "why": why}
            )
    return problems
