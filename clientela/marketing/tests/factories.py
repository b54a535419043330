"""Test data of the marketing kinds for the generic tests in ``core.testing``, each
made through its own service: consent purposes (read by everyone signed in, kept by
admins: 403 for the others, who can see them), segments (everyone, by default), static
lists, e-mail templates, campaign drafts and web forms."""

from __future__ import annotations

from typing import Any

from clientela.core.testing.kinds import KindFactory, register_kind_factory
from clientela.marketing.models import (
    Campaign,
    ConsentPurpose,
    EmailTemplate,
    LeadForm,
    Segment,
    StaticList,
)
from clientela.marketing.services import (
    campaigns,
    consent_purposes,
    lead_forms,
    segments,
    templates,
)


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
    )
)

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
    )
)


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


def _campaign_body(actor: Any, label: str) -> dict[str, Any]:
    return {"name": label, "purpose": "newsletter", "subject": label, "html": f"<p>{label}</p>"}


CAMPAIGNS = register_kind_factory(
    KindFactory(
        resource=Campaign.RESOURCE,
        make=lambda owner, label: campaigns.campaign_create(
            actor=owner,
            data=_campaign_body(owner, label),  # type: ignore[arg-type]
        ),
        api_body=_campaign_body,
        change={"name": "Renamed"},
        required_field="name",
        owner_key=None,
    )
)


def form_body(actor: Any, label: str) -> dict[str, Any]:
    """A web form with a name and an e-mail field (its address from the label)."""
    return {
        "name": label,
        "slug": label.lower(),
        "fields": [
            {"key": "name", "label": "Name", "type": "text", "maps_to": "first_name"},
            {"key": "email", "label": "E-mail", "type": "email", "maps_to": "email"},
        ],
    }


LEAD_FORMS = register_kind_factory(
    KindFactory(
        resource=LeadForm.RESOURCE,
        make=lambda owner, label: lead_forms.lead_form_create(
            actor=owner,
            data=form_body(owner, label),  # type: ignore[arg-type]
        ),
        api_body=form_body,
        change={"name": "Renamed"},
        required_field="name",
        owner_key=None,
    )
)
