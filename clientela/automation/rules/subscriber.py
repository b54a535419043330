"""The events subscriber "rules" (``core.events``): each event runs the enabled rules
that listen to its type, on its record, when the trigger's field change and the
conditions hold.

Loop protection: an event carries the rules whose actions caused it
(``Event.chain``); a rule never fires on a change it made itself (its id in the
chain), and a chain already ``MAX_CHAIN`` rules deep stops with a logged run instead
of going on.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _

from clientela.automation.models import Rule
from clientela.automation.rules.definition import RuleError
from clientela.automation.rules.engine import (
    MAX_CHAIN,
    automation_user,
    definition_of,
    event_fires,
    holds_for,
    start_run,
    stopped_run,
)
from clientela.core.events import Event
from clientela.core.stamped import TableCopy

logger = logging.getLogger("clientela.automation")


def _enabled_by_event() -> tuple[dict[str, list[Rule]], Any]:
    by_event: dict[str, list[Rule]] = {}
    for rule in Rule.objects.filter(enabled=True).exclude(event="").order_by("pk"):
        by_event.setdefault(rule.event, []).append(rule)
    return by_event, automation_user() if by_event else None


#: The enabled rules by event type, and the user they act as, read again when the
#: rules' table changes (a rule saved in this process drops them at once).
_enabled = TableCopy(Rule, _enabled_by_event)


def rules_for_event(event: Event) -> None:
    """Run the rules the event fires. Which rules match is decided for all of them
    first, on the record as the event left it; then each runs in turn (a rule's
    change is a new event, which the others see in their turn)."""
    by_event, actor = _enabled.get()
    rules = by_event.get(event.type)
    if not rules:
        return
    chain = tuple(event.chain)
    fired = []
    for rule in rules:
        if str(rule.pk) in chain:
            continue  # its own change
        try:
            definition = definition_of(rule)
        except RuleError as exc:
            logger.warning("Rule %s no longer holds: %s", rule.pk, exc)
            continue
        if not event_fires(definition.trigger, event.type, event.data):
            continue
        gone = event.type.endswith(".deleted") and not definition.conditions.parts
        if gone or holds_for(definition, event.record_id, actor):
            fired.append(rule)
    for rule in fired:
        if len(chain) >= MAX_CHAIN:
            stopped_run(
                rule,
                record_id=event.record_id,
                event_id=event.id,
                event_type=event.type,
                chain=chain,
            )
            continue
        start_run(
            rule,
            record_id=event.record_id,
            event_id=event.id,
            event_type=event.type,
            chain=chain,
            reason=_("Fired by %(event)s.") % {"event": event.type},
        )
