"""What the marketing tests share."""

from __future__ import annotations

from typing import Any, cast

from clientela.marketing.models import EmailTemplate
from clientela.marketing.services.templates import email_template_create

STYLED = (
    "<html><head><style>p { color: #123456 } .big { font-size: 20px }</style></head>"
    "<body><p class='big'>Hello {{ first_name }},</p>"
    "<p>{% if organization %}How is {{ organization }}?{% else %}How are you?{% endif %}</p>"
    "<p><a href='{{ unsubscribe_url }}'>Unsubscribe</a></p>"
    "<p>{{ owner_signature }}</p><p>{{ company_address }}</p></body></html>"
)
HOLA = "<p>Hola {{ first_name }}, te escribe {{ owner_name }}.</p>"


def make_template(actor: Any, name: str = "Welcome", **data: Any) -> EmailTemplate:
    body: dict[str, Any] = {
        "name": name,
        "versions": [
            {"language": "en", "subject": "Hi {{ first_name }}", "html": STYLED},
            {"language": "es", "subject": "Hola {{ first_name }}", "html": HOLA},
        ],
        **data,
    }
    return email_template_create(actor=actor, data=cast(Any, body))
