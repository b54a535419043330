"""The action types rules offer, registered once at start-up (``automation.apps``):
each module of this package gives its own (``action_types()``)."""

from __future__ import annotations

from clientela.automation.rules.actions import (
    emails,
    fields,
    lists,
    owners,
    register_action,
    tags,
    tasks,
    tickets,
    waits,
    webhooks,
)


def register_actions() -> None:
    for module in (tasks, emails, fields, tags, owners, lists, tickets, webhooks, waits):
        for action in module.action_types():
            register_action(action)
