"""Who "we" are on what Clientela sends out (greetings, quotes): the company name."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings


def company_name() -> str:
    """``CLIENTELA_COMPANY_NAME``, else the display name of ``DEFAULT_FROM_EMAIL``
    ("Tienda Ana <shop@example.com>"), else "Clientela"."""
    name = (
        getattr(settings, "CLIENTELA_COMPANY_NAME", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    )
    return name or "Clientela"
