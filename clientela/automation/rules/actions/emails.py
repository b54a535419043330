"""Send an e-mail from a template to the record's person, through activities'
``email_send`` (SMTP now, logged on the person's timeline with its ``Message-ID``):
``{"type": "send_email", "template": 12}``.

The template (marketing's) is filled in for the person in their language, the
campaign's links as "#" (one e-mail, no campaign). It goes out in the name of the
record's owner: from their address when the server may send as its domain, else from
the company's address with replies to them (``activities.services.emails.sender``).
Not sent, the step failed with the reason: a person without an address, an address on
the suppression list (unsubscribed from everything, bounced, complained, erased), a
template gone, a server that refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.activities.services.emails import EmailData, EmailSendFailed, email_send
from clientela.automation.rules.actions import ActionType, Context, Outcome, Param
from clientela.automation.rules.actions import common as c
from clientela.automation.rules.actions.tasks import links
from clientela.core.errors import NotFound
from clientela.core.merge_fields import TemplateProblem
from clientela.marketing.choices import ConsentChannel
from clientela.marketing.models import EmailTemplate
from clientela.marketing.selectors.templates import email_template_get, template_preview
from clientela.marketing.services.suppression import is_suppressed


def _template_choices() -> list[tuple[str, Any]]:
    rows = EmailTemplate.objects.alive().order_by("name", "id").values_list("pk", "name")[:500]
    return [(str(pk), name) for pk, name in rows]


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    c.only(params, {"template"})
    pk = c.an_id(params, "template")
    templates = EmailTemplate.objects.alive().filter(pk=pk)
    c.known(templates.exists, "template", _("There is no e-mail template with this id."))
    c.known(
        templates.filter(versions__isnull=False).exists,
        "template",
        _("This template has no text yet."),
    )
    return {"template": pk}


def _run(context: Context, params: Mapping[str, Any]) -> Outcome:
    record = c.record_of(context)
    person = c.person_of(record)
    if person is None:
        raise c.failed(_("The record has no person to write to."))
    address = (person.email or "").strip()
    if not address:
        raise c.failed(_("%(person)s has no e-mail address.") % {"person": person})
    if is_suppressed(ConsentChannel.EMAIL, address):
        raise c.failed(
            _("%(address)s is on the suppression list (unsubscribed, bounced or erased).")
            % {"address": address}
        )
    owner = c.owner_of(record)
    actor = context.actor
    try:
        template = email_template_get(user=actor, pk=params["template"])
        if not template.versions.all():
            raise c.failed(_("This template has no text yet."))
        rendered = template_preview(user=actor, template=template, person_id=person.pk)
    except NotFound:
        raise c.failed(_("The e-mail template no longer exists.")) from None
    except TemplateProblem as exc:
        raise c.failed(str(exc)) from None
    data = {
        "to": [address],
        "subject": rendered.subject,
        "body": rendered.text,
        "html": rendered.html,
        **links(context.resource, record),
    }
    try:
        interaction = email_send(actor=actor, data=cast(EmailData, data), sender_user=owner)
    except EmailSendFailed as exc:
        raise c.failed(str(exc)) from None
    return Outcome(
        _("E-mail “%(subject)s” sent to %(address)s.")
        % {"subject": interaction.subject, "address": address},
        c.page_of(person.RESOURCE, person),
    )


def action_types() -> list[ActionType]:
    return [
        ActionType(
            key="send_email",
            label=gettext_lazy("Send an e-mail from a template"),
            params=(
                Param(
                    "template",
                    gettext_lazy("E-mail template"),
                    kind="choice",
                    choices=_template_choices,
                ),
            ),
            clean=_clean,
            run=_run,
            resources=c.person_kinds(),
            order=20,
        )
    ]
