"""``{% search_hint %}``: what the header search box finds, for its placeholder."""

from __future__ import annotations

from django import template

from clientela.core.views.search import search_hint as _search_hint

register = template.Library()


@register.simple_tag
def search_hint() -> str:
    return _search_hint()
