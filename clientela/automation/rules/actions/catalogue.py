"""The action types rules offer, registered once at start-up (``automation.apps``):
each module of this package gives its own (``action_types()``)."""

from __future__ import annotations

from clientela.automation.rules.actions import register_action, tags


def register_actions() -> None:
    for module in (tags,):
        for action in module.action_types():
            register_action(action)
