"""Call a webhook: ``{"type": "call_webhook", "webhook": 5}`` makes a delivery to that
(enabled) subscription, signed and retried like any event's
(``services.deliveries.webhook_call``), whatever events it subscribes to. Its body::

    {"type": "automation.rule", "timestamp": "2026-12-07T10:00:00Z",
     "data": {"rule": {"id": 3, "name": "VIP follow-up"}, "run": 41,
              "resource": "contacts.person", "record": {…the record as the API shows it…}}}

The ``webhook-id`` is ``rule_<run id>_<action position>``: one delivery per run and
step, however often the step is tried. The send is queued once the run commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.automation.models import WebhookSubscription
from clientela.automation.rules.actions import ActionType, Context, Outcome, Param
from clientela.automation.rules.actions import common as c
from clientela.automation.services.deliveries import webhook_call
from clientela.core.events.records import record_events, render


def _webhook_choices() -> list[tuple[str, Any]]:
    rows = WebhookSubscription.objects.filter(enabled=True).order_by("url", "id")[:500]
    return [(str(w.pk), w.description or w.url) for w in rows]


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    c.only(params, {"webhook"})
    pk = c.an_id(params, "webhook")
    webhooks = WebhookSubscription.objects.filter(pk=pk)
    c.known(webhooks.exists, "webhook", _("There is no webhook with this id."))
    c.known(webhooks.filter(enabled=True).exists, "webhook", _("This webhook is disabled."))
    return {"webhook": pk}


def body_data(context: Context) -> dict[str, Any]:
    """What the delivery's ``data`` holds: the rule, the run, the record."""
    spec = record_events(context.resource)
    record = context.record
    shown = render(spec, record.pk) if spec is not None and record is not None else None
    return {
        "rule": {"id": context.rule.pk, "name": context.rule.name},
        "run": context.run.pk,
        "resource": context.resource,
        "record": shown,
    }


def _run(context: Context, params: Mapping[str, Any]) -> Outcome:
    webhook = WebhookSubscription.objects.filter(pk=params["webhook"]).first()
    if webhook is None:
        raise c.failed(_("The webhook no longer exists."))
    event_id = f"rule_{context.run.pk}_{c.step_index(context)}"
    webhook_call(actor=context.actor, webhook=webhook, event_id=event_id, data=body_data(context))
    return Outcome(
        _("Webhook call to %(url)s queued.") % {"url": webhook.url},
        reverse("automation:webhook-detail", kwargs={"pk": webhook.pk}),
    )


def action_types() -> list[ActionType]:
    return [
        ActionType(
            key="call_webhook",
            label=gettext_lazy("Call a webhook"),
            params=(
                Param("webhook", gettext_lazy("Webhook"), kind="choice", choices=_webhook_choices),
            ),
            clean=_clean,
            run=_run,
            order=80,
        )
    ]
