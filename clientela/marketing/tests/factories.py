"""Test data of the marketing kinds for the generic tests in ``core.testing``."""

from __future__ import annotations

from typing import Any

from clientela.core.testing.kinds import KindFactory, register_kind_factory
from clientela.marketing.models import EmailTemplate
from clientela.marketing.services import templates


def _template_body(actor: Any, label: str) -> dict[str, Any]:
    html = f"<p>Hello {{{{ first_name }}}}, about {label}.</p>"
    return {"name": label, "versions": [{"language": "en", "subject": label, "html": html}]}


EMAIL_TEMPLATES = register_kind_factory(
    KindFactory(
        resource=EmailTemplate.RESOURCE,
        make=lambda owner, label: templates.email_template_create(
            actor=owner,
            data=_template_body(owner, label),  # type: ignore[arg-type]
        ),
        api_body=_template_body,
        change={"name": "Renamed"},
        required_field="name",
        owner_key=None,
    )
)
