"""The automation app's tables: webhook subscriptions with their deliveries and
attempts (``webhooks``); workflow rules with their versions and runs (``rules``)."""

from clientela.automation.models.rules import Rule, RuleRun, RuleTurn, RuleVersion
from clientela.automation.models.webhooks import (
    EXCERPT_BYTES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

__all__ = [
    "EXCERPT_BYTES",
    "Rule",
    "RuleRun",
    "RuleTurn",
    "RuleVersion",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
