"""Who "we" are on what Clientela sends out, and the defaults of new users and records:
the company profile an admin keeps on the settings pages (``CompanyProfile``), with the
server's settings as the fallback of every value left blank.

Quote PDFs, quote e-mails, birthday greetings and the invitation e-mail read it here, as
will the campaign and ticket e-mails of later modules (``email_footer``); phone numbers
typed without a country code are read in ``default_country()``.

The profile is read often (every phone number normalized without a country asks for
the default region, thousands per import), so each process keeps it for
``CACHE_SECONDS``: a change made in this process is seen at once (the service and a
signal forget it), other processes see it within that time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from clientela.core.choices import Language, values_of
from clientela.core.models import CompanyProfile
from clientela.core.normalize import format_phone

CACHE_SECONDS = 60.0
#: What the profile's fields hold when no profile was saved yet.
_FIELDS = (
    "name",
    "legal_name",
    "address",
    "tax_id",
    "email",
    "phone",
    "website",
    "logo",
    "country",
    "language",
    "time_zone",
)


@dataclass(frozen=True)
class Profile:
    """The stored values of the profile ("" where blank), as read from the database."""

    name: str = ""
    legal_name: str = ""
    address: str = ""
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    logo: str = ""
    country: str = ""
    language: str = ""
    time_zone: str = ""

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


EMPTY = Profile()
_lock = threading.Lock()
_cached: tuple[float, Profile] | None = None


def _load() -> Profile:
    row = CompanyProfile.objects.filter(pk=1).values(*_FIELDS).first()
    if row is None:
        return EMPTY
    return Profile(**{key: str(row[key] or "") for key in _FIELDS})


def profile() -> Profile:
    """The stored profile (see the module's note on caching)."""
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached is not None and cached[0] > now:
        return cached[1]
    loaded = _load()
    with _lock:
        _cached = (now + CACHE_SECONDS, loaded)
    return loaded


def forget_profile(*args: Any, **kwargs: Any) -> None:
    """Read the profile again at its next use (connected to the model's signals, so the
    Django admin site's edits count too)."""
    global _cached
    with _lock:
        _cached = None


def remember_profile(value: Profile, seconds: float = CACHE_SECONDS) -> None:
    """Keep ``value`` as the profile (the tests start each test with ``EMPTY``, which
    needs no database)."""
    global _cached
    with _lock:
        _cached = (time.monotonic() + seconds, value)


for _signal in (post_save, post_delete):
    _signal.connect(
        forget_profile,
        sender="core.CompanyProfile",
        dispatch_uid=f"clientela_company_profile_{_signal is post_save}",
    )


# --- the values others use ------------------------------------------------------------


def company_name() -> str:
    """The profile's name (else its legal name), else ``CLIENTELA_COMPANY_NAME``, else
    the display name of ``DEFAULT_FROM_EMAIL`` ("Tienda Ana <shop@example.com>"), else
    "Clientela"."""
    current = profile()
    name = (
        current.name
        or current.legal_name
        or getattr(settings, "CLIENTELA_COMPANY_NAME", "")
        or parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    )
    return name or "Clientela"


#: The country a language's installation is assumed to be in when neither the company
#: profile nor ``CLIENTELA_DEFAULT_PHONE_REGION`` names one: Spanish → Spain; English →
#: the United States (the English of Clientela's pages, dates and month-first imports).
LANGUAGE_COUNTRIES: dict[str, str] = {Language.ES: "ES", Language.EN: "US"}


def default_country() -> str:
    """Where phone numbers written without a country code are read, and the country of
    the rows of an import that name none: the profile's country, else
    ``CLIENTELA_DEFAULT_PHONE_REGION``, else the country of the company's language
    (``default_language``: the profile's, else ``CLIENTELA_LANGUAGE``)."""
    return (profile().country or fallback_country()).upper()


def fallback_country() -> str:
    """The default country while the profile names none (what Settings → Company
    shows as "not set")."""
    country = settings.CLIENTELA_DEFAULT_PHONE_REGION
    return (country or LANGUAGE_COUNTRIES.get(default_language(), "")).upper()


def default_language() -> str:
    """The language new users and new people start with."""
    language = profile().language or settings.LANGUAGE_CODE
    return language if language in values_of(Language) else Language.EN


def default_time_zone() -> str:
    """The time zone new users start with."""
    return profile().time_zone or settings.TIME_ZONE


def sender_lines() -> list[str]:
    """The company as a letterhead prints it under its name: legal name (when it is not
    the name already shown), address lines, tax id, then the ways to reach it."""
    current = profile()
    lines: list[str] = []
    if current.legal_name and current.legal_name != company_name():
        lines.append(current.legal_name)
    lines.extend(current.address_lines)
    if current.tax_id:
        lines.append(_("Tax id: %(tax_id)s") % {"tax_id": current.tax_id})
    contact = [format_phone(current.phone) if current.phone else "", current.email]
    lines.extend(part for part in [*contact, current.website] if part)
    return lines


def email_footer() -> str:
    """The footer of every e-mail sent to customers, in the active language: the
    company's name (legal name if set), address on one line and tax id. Empty until a
    profile says more than the name, so that e-mails do not repeat their signature."""
    current = profile()
    parts = [current.legal_name or company_name(), ", ".join(current.address_lines)]
    if current.tax_id:
        parts.append(_("Tax id: %(tax_id)s") % {"tax_id": current.tax_id})
    parts.append(current.website)
    if not (current.legal_name or current.address_lines or current.tax_id or current.website):
        return ""
    return " · ".join(part for part in parts if part)


def logo_bytes() -> bytes | None:
    """The logo's file content, or None when there is none (or its file is gone)."""
    name = profile().logo
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data: bytes = handle.read()
    except OSError:
        return None
    return data
