"""The rules' actions that reach out: an e-mail from a template through a real SMTP
server on loopback (logged on the timeline), a ticket for the record's customer, a
webhook call (a pending delivery with the documented body). Each made by a rule on a
real service's event, as the system user "Automation"; a step that cannot be done
fails the run with its reason and leaves nothing of itself behind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clientela.activities.models import Interaction
from clientela.automation.choices import DeliveryStatus, RunStatus
from clientela.automation.models import RuleRun, WebhookDelivery
from clientela.automation.rules.engine import automation_user
from clientela.automation.services.rules import rule_create
from clientela.automation.services.subscriptions import webhook_create, webhook_update
from clientela.core.events.dispatch import dispatch_pending
from clientela.core.models import AuditEntry
from clientela.marketing.services.suppression import suppression_add
from clientela.marketing.services.templates import email_template_create
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline
from clientela.service.models import Ticket

pytestmark = pytest.mark.django_db


def _rule(actor: Any, actions: list[dict[str, Any]], event: str = "person.created") -> Any:
    data: Any = {"name": "Rule", "enabled": True, "trigger": {"event": event}, "actions": actions}
    return rule_create(actor=actor, data=data)


def _run(rule: Any) -> RuleRun:
    [run] = RuleRun.objects.filter(rule=rule)
    return run


# --- send_email --------------------------------------------------------------------------


@pytest.fixture
def template(admin: Any) -> Any:
    return email_template_create(
        actor=admin,
        data={
            "name": "Welcome",
            "versions": [
                {
                    "language": "en",
                    "subject": "Welcome, {{ first_name }}",
                    "html": "<p>Hello {{ first_name }},</p><p>{{ owner_signature }}</p>",
                }
            ],
        },
    )


@pytest.fixture
def mail(smtp_server: Any, settings: Any) -> Any:
    smtp_server.use(settings)
    settings.CLIENTELA_EMAIL_SEND_AS_DOMAINS = ["example.com"]
    return smtp_server


def test_send_email_from_the_template_in_the_owners_name(
    admin: Any, rep_north: Any, person_factory: Any, template: Any, mail: Any
) -> None:
    rule = _rule(admin, [{"type": "send_email", "template": template.pk}])
    person = person_factory(rep_north, first_name="Vera", email="vera@example.org")
    dispatch_pending()
    [message] = mail.messages
    assert message["To"] == "vera@example.org"
    assert "nora@example.com" in message["From"]
    assert message["Subject"] == "Welcome, Vera"
    html = message.get_body(("html",)).get_content()
    assert "Hello Vera," in html
    logged = Interaction.objects.get(channel="email")
    assert logged.message_id == message["Message-ID"]
    assert (logged.owner, logged.subject) == (rep_north, "Welcome, Vera")
    assert [p.pk for p in logged.people.all()] == [person.pk]
    entry = AuditEntry.objects.filter(object_id=str(logged.pk), action="create").latest("pk")
    assert entry.actor_id == automation_user().pk
    run = _run(rule)
    assert run.status == RunStatus.DONE
    assert "vera@example.org" in run.steps[0]["message"]
    assert run.steps[0]["url"].endswith(f"/{person.pk}/")


@pytest.mark.parametrize(
    ("email", "suppressed", "reason"),
    [
        ("", False, "has no e-mail address"),
        ("gone@example.org", True, "suppression list"),
        ("refused@example.org", False, "did not take the e-mail"),
    ],
)
def test_an_email_not_sent_fails_the_run_and_logs_nothing(
    admin: Any,
    rep_north: Any,
    person_factory: Any,
    template: Any,
    mail: Any,
    email: str,
    suppressed: bool,
    reason: str,
) -> None:
    if suppressed:
        suppression_add(actor=admin, channel="email", address=email)
    rule = _rule(
        admin,
        [{"type": "add_tag", "tag": "Welcomed"}, {"type": "send_email", "template": template.pk}],
    )
    person = person_factory(rep_north, first_name="Otto", email=email or None)
    dispatch_pending()
    run = _run(rule)
    assert run.status == RunStatus.FAILED
    assert [s["status"] for s in run.steps] == ["done", "failed"]
    assert reason in run.steps[1]["message"]
    assert not Interaction.objects.exists()
    assert mail.messages == []
    assert [t.name for t in person.tags.all()] == ["Welcomed"]


# --- create_ticket -------------------------------------------------------------------------


def test_create_ticket_for_the_person_goes_to_their_owner(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(admin, [{"type": "create_ticket", "subject": "Welcome call", "priority": "high"}])
    person = person_factory(rep_north, first_name="Vera")
    dispatch_pending()
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.priority, ticket.person) == ("Welcome call", "high", person)
    assert (ticket.assignee, ticket.owner, ticket.team) == (rep_north, rep_north, rep_north.team)
    entry = AuditEntry.objects.filter(object_id=str(ticket.pk), action="create").latest("pk")
    assert entry.actor_id == automation_user().pk
    run = _run(rule)
    assert run.status == RunStatus.DONE
    assert "Welcome call" in run.steps[0]["message"]
    assert run.steps[0]["url"].endswith(f"/{ticket.pk}/")


def test_create_ticket_on_a_deal_names_the_deal_and_its_organization(
    admin: Any, rep_north: Any, organization_factory: Any
) -> None:
    _rule(admin, [{"type": "create_ticket", "subject": "Installation"}], event="deal.created")
    org = organization_factory(rep_north, name="Bakery")
    deal = make_deal(rep_north, make_pipeline(), organization_id=org.pk)
    dispatch_pending()
    ticket = Ticket.objects.get()
    assert (ticket.deal, ticket.organization, ticket.person) == (deal, org, None)


# --- call_webhook ----------------------------------------------------------------------------


@pytest.fixture
def webhook(admin: Any) -> Any:
    return webhook_create(
        actor=admin,
        data={"url": "https://93.184.215.14/hooks/crm", "events": ["deal.won"], "description": "x"},
    )


def test_call_webhook_makes_a_delivery_with_the_record(
    admin: Any, rep_north: Any, person_factory: Any, webhook: Any
) -> None:
    rule = _rule(admin, [{"type": "call_webhook", "webhook": webhook.pk}])
    person = person_factory(rep_north, first_name="Vera")
    dispatch_pending()
    run = _run(rule)
    [delivery] = WebhookDelivery.objects.filter(subscription=webhook)
    assert (delivery.event_type, delivery.event_id) == ("automation.rule", f"rule_{run.pk}_0")
    assert delivery.status == DeliveryStatus.PENDING
    body = json.loads(delivery.body)
    assert body["type"] == "automation.rule"
    assert body["data"]["rule"] == {"id": rule.pk, "name": "Rule"}
    assert (body["data"]["run"], body["data"]["resource"]) == (run.pk, "contacts.person")
    assert (body["data"]["record"]["id"], body["data"]["record"]["first_name"]) == (
        person.pk,
        "Vera",
    )
    assert run.status == RunStatus.DONE
    assert webhook.url in run.steps[0]["message"]


def test_a_webhook_disabled_since_fails_the_run(
    admin: Any, rep_north: Any, person_factory: Any, webhook: Any
) -> None:
    rule = _rule(admin, [{"type": "call_webhook", "webhook": webhook.pk}])
    webhook_update(actor=admin, webhook=webhook, data={"enabled": False})
    person_factory(rep_north)
    dispatch_pending()
    run = _run(rule)
    assert run.status == RunStatus.FAILED
    assert "disabled" in run.steps[0]["message"]
    assert not WebhookDelivery.objects.exists()
