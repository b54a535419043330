"""``{% agent_status user as status %}``: None for users who work no queue, else
whether they are away (the top bar's "I'm away / I'm back" toggle)."""

from __future__ import annotations

from typing import Any

from django import template

from clientela.service.selectors.config import agent_status

register = template.Library()


@register.simple_tag
def agent_status_of(user: Any) -> dict[str, bool] | None:
    return agent_status(user)
