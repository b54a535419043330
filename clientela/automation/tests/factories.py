"""Test data of the automation kinds for the generic tests in ``core.testing``:
webhook subscriptions are the admins' alone, workflow rules the admins' and managers'
(404 for anyone else). The URL is a public
address literal (no lookup, and allowed without ``CLIENTELA_WEBHOOKS_ALLOW_PRIVATE``);
nothing is sent to it by these tests."""

from __future__ import annotations

from typing import Any

from clientela.automation.models import Rule, WebhookSubscription
from clientela.automation.services import rules, subscriptions
from clientela.core.testing.kinds import KindFactory, register_kind_factory

PUBLIC_URL = "https://93.184.215.14/hooks/"


def _body(actor: Any, label: str) -> dict[str, Any]:
    return {"url": PUBLIC_URL + label, "events": ["*"], "description": label}


WEBHOOKS = register_kind_factory(
    KindFactory(
        resource=WebhookSubscription.RESOURCE,
        make=lambda owner, label: subscriptions.webhook_create(
            actor=owner,
            data=_body(owner, label),  # type: ignore[arg-type]
        ),
        api_body=_body,
        change={"description": "Renamed"},
        required_field="url",
        owner_key=None,
        managers=("admin",),
        readers=("admin",),
    )
)


def _rule_body(actor: Any, label: str) -> dict[str, Any]:
    return {
        "name": f"Rule {label}",
        "description": label,
        "trigger": {"event": "person.created"},
        "conditions": {"all": [{"field": "tags", "op": "contains", "value": "VIP"}]},
        "actions": [{"type": "add_tag", "tag": "Follow-up"}],
    }


RULES = register_kind_factory(
    KindFactory(
        resource=Rule.RESOURCE,
        make=lambda owner, label: rules.rule_create(
            actor=owner,
            data=_rule_body(owner, label),  # type: ignore[arg-type]
        ),
        api_body=_rule_body,
        change={"description": "Renamed"},
        required_field="name",
        owner_key=None,
        managers=("admin", "manager"),
        readers=("admin", "manager"),
    )
)
