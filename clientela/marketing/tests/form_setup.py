"""Shared set-up of the web form tests: a form made through its service, and a body a
visitor's browser would post (the spam token signed ``AGO`` seconds before now, so no
test waits for the minimum fill time)."""

from __future__ import annotations

import time
from typing import Any

from clientela.marketing.form_spam import TIMESTAMP, form_token
from clientela.marketing.models import LeadForm
from clientela.marketing.services.lead_forms import lead_form_create

AGO = 30
SHOP = "https://shop.example.com"
CONSENT_TEXT = "I want the monthly newsletter with offers. I can leave at any time."

FIELDS: list[dict[str, Any]] = [
    {"key": "first", "label": "First name", "type": "text", "required": True,
     "maps_to": "first_name"},
    {"key": "last", "label": "Last name", "type": "text", "maps_to": "last_name"},
    {"key": "email", "label": "E-mail", "type": "email", "required": True, "maps_to": "email"},
    {"key": "company", "label": "Company", "type": "text", "maps_to": "company"},
    {"key": "size", "label": "Team size", "type": "select", "maps_to": "custom.size",
     "choices": ["1-10", "11-50", "51+"]},
    {"key": "message", "label": "Message", "type": "textarea", "maps_to": "notes"},
]  # fmt: skip


def make_form(actor: Any, **extra: Any) -> LeadForm:
    data: dict[str, Any] = {
        "name": "Spring offer",
        "slug": "spring-offer",
        "fields": FIELDS,
        "consents": [{"purpose": "newsletter", "channel": "email", "text": CONSENT_TEXT}],
        "allowed_origins": [SHOP],
        **extra,
    }
    return lead_form_create(actor=actor, data=data)  # type: ignore[arg-type]


def body(form: LeadForm, **values: Any) -> dict[str, Any]:
    """A visitor's post: the token of ``AGO`` seconds ago and ``values``."""
    return {TIMESTAMP: form_token(form.pk, now=time.time() - AGO), **values}


def lucia(**extra: Any) -> dict[str, Any]:
    return {
        "first": "Lucía",
        "last": "Gómez",
        "email": "Lucia@Example.com",
        "company": "Gómez Hnos.",
        "size": "11-50",
        "message": "Call me about the offer.",
        **extra,
    }
