"""A campaign's test send: each variant once to one address (the user's own by
default), its merge fields filled as a person the user sees or as the user, the
subject marked "[Test]", links left untracked and nothing counted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from clientela.contacts.selectors import person_get
from clientela.core.mail import deliver
from clientela.core.permissions import require
from clientela.core.validation import raise_errors
from clientela.marketing.models import Campaign
from clientela.marketing.rendering import Rendered, company_fields, person_merge_fields
from clientela.marketing.sending.sources import Renderer


def _sample(actor: Any) -> dict[str, str]:
    first, last = actor.first_name or "", actor.last_name or ""
    return {
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}".strip() or actor.email,
        "email": actor.email,
        "organization": company_fields().get("company_name", ""),
        "owner_name": f"{first} {last}".strip(),
        "owner_signature": f"{first} {last}".strip(),
        "language": getattr(actor, "language", "") or "",
    }


#: The campaign's own links in a preview or a test: not tracked, going nowhere.
UNTRACKED = {"unsubscribe_url": "#", "preferences_url": "#", "view_online_url": "#"}


def sample_fields(*, actor: Any, person_id: int | None = None) -> dict[str, str]:
    """The merge fields of a person the user sees (``NotFound`` otherwise), or of the
    user as a stand-in."""
    if person_id is None:
        return _sample(actor)
    person = person_get(user=actor, pk=person_id)
    return person_merge_fields(user=actor, person_ids=[person.pk]).get(person.pk, {})


def campaign_render_sample(
    *, actor: Any, campaign: Campaign, variant: str = "A", fields: dict[str, str] | None = None
) -> Rendered | None:
    """One variant of the campaign filled in (as the user, or ``fields``): for the
    preview and the test send. None when the campaign has no such e-mail variant yet."""
    renderer = Renderer(campaign)
    if variant not in renderer.variants:
        return None
    fields = fields if fields is not None else _sample(actor)
    compiled = renderer.compiled(variant, fields.get("language", ""))
    return compiled.render({**renderer.company, **fields, **UNTRACKED})


def campaign_test_send(
    *, actor: Any, campaign: Campaign, to: str = "", person_id: int | None = None
) -> int:
    """Send the test; the number of messages sent (one per variant)."""
    require(actor, "update", Campaign.RESOURCE)
    address = (to or actor.email or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise_errors({"to": [_("Enter a valid e-mail address to send the test to.")]})
    fields = sample_fields(actor=actor, person_id=person_id)
    renderer = Renderer(campaign)
    if not renderer.variants:
        raise_errors({"html": [_("Write the message or choose a template.")]})
    sent = 0
    for key in sorted(renderer.variants):
        rendered = campaign_render_sample(
            actor=actor, campaign=campaign, variant=key, fields=fields
        )
        assert rendered is not None
        label = f"[{_('Test')} {key}] " if len(renderer.variants) > 1 else f"[{_('Test')}] "
        message = EmailMultiAlternatives(
            subject=label + rendered.subject,
            body=rendered.text,
            from_email=renderer.from_header(),
            to=[address],
        )
        message.attach_alternative(rendered.html, "text/html")
        sent += int(deliver(message))
    return sent
