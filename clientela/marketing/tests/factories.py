"""Test data of the marketing kinds for the generic tests in ``core.testing``:
consent purposes are read by everyone signed in and kept by admins (403 for the
others, who can see them)."""
"""Test data of the marketing kinds for the generic tests in ``core.testing``."""

from __future__ import annotations

from typing import Any

from clientela.core.testing.kinds import KindFactory, register_kind_factory
from clientela.marketing.models import ConsentPurpose
from clientela.marketing.services import consent_purposes


def _purpose_body(actor: Any, label: str) -> dict[str, Any]:
    return {"key": label.lower(), "name": label}


CONSENT_PURPOSES = register_kind_factory(
    KindFactory(
        resource=ConsentPurpose.RESOURCE,
        make=lambda owner, label: consent_purposes.purpose_create(
            actor=owner, data={"key": label.lower(), "name": label}
        ),
        api_body=_purpose_body,
        change={"name": "Renamed"},
        required_field="key",
        owner_key=None,
        managers=("admin",),
"""Test data of the marketing kinds of this part for the generic tests in
``core.testing``: a segment (everyone, by default) and a static list, made by their
owner through the services."""

from __future__ import annotations

from clientela.core.testing.kinds import KindFactory, register_kind_factory
from clientela.marketing.models import Segment, StaticList
from clientela.marketing.services import segments

SEGMENTS = register_kind_factory(
    KindFactory(
        resource=Segment.RESOURCE,
        make=lambda owner, label: segments.segment_create(
            actor=owner, data={"name": label, "rules": {"all": []}}
        ),
        api_body=lambda actor, label: {"name": label, "rules": {"all": []}},
        change={"name": "Renamed"},
        required_field="name",
    )
)

LISTS = register_kind_factory(
    KindFactory(
        resource=StaticList.RESOURCE,
        make=lambda owner, label: segments.list_create(actor=owner, data={"name": label}),
        api_body=lambda actor, label: {"name": label},
        change={"name": "Renamed"},
        required_field="name",
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
