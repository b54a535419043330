"""Template helpers every Clientela page uses: sort links, phone and country display,
custom-field values, the undo link of a message and form widgets with Bootstrap classes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms, template
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django_countries import countries

from clientela.core.normalize import format_phone
from clientela.core.registry import settings_nav_for

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_query(context: template.Context, key: str, current: str = "", param: str = "sort") -> str:
    """The query string that sorts by ``key``: ascending, or descending when the list is
    already sorted ascending by it (``current``, the sort in force). Back to page one."""
    params: QueryDict = context["request"].GET.copy()
    current = current or params.get(param, "")
    params[param] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag
def sort_state(key: str | None, current: str) -> str:
    """ "asc", "desc" or "" for the column ``key`` given the sort in force."""
    if not key:
        return ""
    if current == key:
        return "asc"
    if current == f"-{key}":
        return "desc"
    return ""


@register.filter
def phone(value: str | None) -> str:
    """An E.164 number in international display format (+1 415-555-0123)."""
    return format_phone(value) if value else ""


@register.filter
def country_name(code: str | None) -> str:
    if not code:
        return ""
    return str(countries.name(code)) or code


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def undo_url(extra_tags: str | None) -> str:
    """The URL in an ``undo:<url>`` message tag (set by views that offer an undo)."""
    for tag in (extra_tags or "").split():
        if tag.startswith("undo:"):
            return tag[len("undo:") :]
    return ""


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    """ "check", "select" or "input": which Bootstrap markup a form field needs."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "check"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


@register.filter
def bs(field: forms.BoundField, extra: str = "") -> Any:
    """Render a bound field with its Bootstrap class (and ``is-invalid`` on error);
    ``"sm"`` asks for the small variant of the control."""
    kind = widget_kind(field)
    css = {"check": "form-check-input", "select": "form-select"}.get(kind, "form-control")
    if field.errors:
        css += " is-invalid"
    if extra == "sm":
        css += {"select": " form-select-sm", "input": " form-control-sm"}.get(kind, "")
    elif extra:
        css += f" {extra}"
    attrs: dict[str, Any] = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}-errors"
    elif field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}-help"
    return field.as_widget(attrs=attrs)


#: The top bar's menus as drawn, per language and per what they hold (links, current
#: one): a few dozen variants per process. Drawing them is ~300 template nodes (each
#: menu twice: dropdown and phone panel), a tenth of a list page's time; the markup
#: depends on nothing else, so it is drawn once per variant.
_NAV_MARKUP: dict[tuple[Any, ...], str] = {}
_NAV_MARKUP_MAX = 512


@register.simple_tag(takes_context=True)
def nav_menus_markup(context: template.Context) -> str:
    menus = context.get("nav_menus") or []
    key = (
        translation.get_language(),
        tuple(
            (m.group.key, tuple((link.item.key, link.href, link.aria_current) for link in m.links))
            for m in menus
        ),
    )
    markup = _NAV_MARKUP.get(key)
    if markup is None:
        if len(_NAV_MARKUP) >= _NAV_MARKUP_MAX:
            _NAV_MARKUP.clear()
        markup = _NAV_MARKUP[key] = render_to_string("core/_nav.html", {"nav_menus": menus})
    return mark_safe(markup)  # noqa: S308 - rendered from our own template, escaped there


@register.simple_tag(takes_context=True)
def settings_nav(context: template.Context) -> dict[str, Any]:
    """The sections of the settings area and the current one, for its navigation."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    items, current = settings_nav_for(match.view_name if match else "")
    return {"items": items, "current": current}
