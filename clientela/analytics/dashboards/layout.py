"""A dashboard's layout: the check every save goes through (known widgets the user may
use, sizes and places on the 12-column grid, valid filters), and the packing that
places widgets in a given order (a new user's first dashboard, a widget added at the
end, the order a phone's single column was rearranged into)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.core.dashboards import COLUMNS, PERIOD_KEYS, Widget, widget
from clientela.core.models import Team, User

#: Widgets on one dashboard, and the tallest a widget may be (grid rows).
MAX_ITEMS = 24
MAX_HEIGHT = 12
#: Rows below the top a widget may sit at (a saved layout is compact; this only
#: refuses absurd values).
MAX_Y = 1000
ITEM_ID = re.compile(r"^[a-z0-9_-]{1,20}$")


def _int(value: Any) -> int | None:
    return value if type(value) is int else None


def _place(item: dict[str, Any], w: Widget, say: Any) -> list[str]:
    errors = []
    x, y, width, height = (_int(item.get(k)) for k in ("x", "y", "w", "h"))
    if width is None or not w.min_w <= width <= COLUMNS:
        errors.append(
            say(
                _("width must be a whole number from %(min)s to %(max)s")
                % {"min": w.min_w, "max": COLUMNS}
            )
        )
    if height is None or not w.min_h <= height <= MAX_HEIGHT:
        errors.append(
            say(
                _("height must be a whole number from %(min)s to %(max)s")
                % {"min": w.min_h, "max": MAX_HEIGHT}
            )
        )
    if x is None or not 0 <= x < COLUMNS:
        errors.append(
            say(_("column must be a whole number from 0 to %(max)s") % {"max": COLUMNS - 1})
        )
    elif width is not None and x + width > COLUMNS:
        errors.append(say(_("it does not fit in the %(n)s columns") % {"n": COLUMNS}))
    if y is None or not 0 <= y <= MAX_Y:
        errors.append(say(_("row must be a whole number from 0 to %(max)s") % {"max": MAX_Y}))
    return errors


def clean_filters(w: Widget, filters: Any, say: Any) -> tuple[dict[str, Any], list[str]]:
    """A widget's filters checked: only those it offers, a known period, an existing
    team and an active user."""
    if filters is None:
        return {}, []
    if not isinstance(filters, dict):
        return {}, [say(_("filters must be an object"))]
    errors, cleaned = [], {}
    for key, value in filters.items():
        if key not in w.filters:
            errors.append(say(_("it has no filter “%(name)s”") % {"name": key}))
        elif key == "period":
            if value not in PERIOD_KEYS:
                errors.append(say(_("unknown period “%(value)s”") % {"value": value}))
            elif value:
                cleaned["period"] = value
        elif value is None or value == "":
            continue
        elif _int(value) is None or value <= 0:
            errors.append(say(_("give the %(name)s as an id") % {"name": key}))
        elif key == "team" and not Team.objects.filter(pk=value).exists():
            errors.append(say(_("there is no team with this id")))
        elif key == "owner" and not User.objects.filter(pk=value, is_active=True).exists():
            errors.append(say(_("there is no active user with this id")))
        else:
            cleaned[key] = value
    return cleaned, errors


def clean_layout(user: Any, layout: Any) -> list[dict[str, Any]]:
    """``layout`` as it will be stored, or ``ValidationError({"layout": [...]})`` with
    every problem, each naming the widget it is about."""
    if not isinstance(layout, list):
        raise ValidationError({"layout": [_("The layout must be a list of widgets.")]})
    if len(layout) > MAX_ITEMS:
        raise ValidationError(
            {"layout": [_("A dashboard holds at most %(n)s widgets.") % {"n": MAX_ITEMS}]}
        )
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(layout, start=1):

        def say(message: str, n: int = n) -> str:
            return _("Widget %(n)s: %(problem)s.") % {"n": n, "problem": message}

        if not isinstance(item, dict):
            errors.append(say(_("it must be an object")))
            continue
        item_id, key = item.get("id"), item.get("widget")
        if not isinstance(item_id, str) or not ITEM_ID.match(item_id) or item_id in seen:
            errors.append(say(_("its id is missing, malformed or used twice")))
        else:
            seen.add(item_id)
        w = widget(key) if isinstance(key, str) else None
        if w is None or not w.visible_to(user):
            errors.append(say(_("there is no widget “%(key)s” you may use") % {"key": key}))
            continue
        place = _place(item, w, say)
        filters, problems = clean_filters(w, item.get("filters"), say)
        errors += place + problems
        cleaned.append(
            {"id": item_id, "widget": key, **{k: item.get(k) for k in "xywh"}, "filters": filters}
        )
    if errors:
        raise ValidationError({"layout": errors})
    return cleaned


def _cells(x: int, y: int, w: int, h: int) -> set[tuple[int, int]]:
    return {(x + i, y + j) for i in range(w) for j in range(h)}


def _first_fit(
    taken: set[tuple[int, int]], w: int, h: int, after: tuple[int, int] = (0, 0)
) -> tuple[int, int]:
    """The first free place from the top left, not before ``after`` (y, x) in reading
    order, so widgets packed in an order read in that order."""
    y = after[0]
    while True:
        for x in range(after[1] if y == after[0] else 0, COLUMNS - w + 1):
            if not taken & _cells(x, y, w, h):
                return x, y
        y += 1


def pack(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``items`` placed in their order, each at the first place from the top left where
    it fits (their sizes kept)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    after = (0, 0)
    for item in items:
        w, h = min(item["w"], COLUMNS), item["h"]
        x, y = _first_fit(taken, w, h, after)
        taken |= _cells(x, y, w, h)
        after = (y, x + 1)
        placed.append({**item, "x": x, "y": y, "w": w})
    return placed


def next_id(layout: list[dict[str, Any]]) -> str:
    numbers = [int(i["id"][1:]) for i in layout if re.fullmatch(r"w\d+", str(i.get("id")))]
    return f"w{max(numbers, default=0) + 1}"


def new_item(layout: list[dict[str, Any]], w: Widget) -> dict[str, Any]:
    """A widget with its default size and period, at the first free place."""
    taken: set[tuple[int, int]] = set()
    for i in layout:
        taken |= _cells(i["x"], i["y"], i["w"], i["h"])
    x, y = _first_fit(taken, w.w, w.h)
    filters = {"period": w.default_period} if w.default_period else {}
    return {
        "id": next_id(layout),
        "widget": w.key,
        "x": x,
        "y": y,
        "w": w.w,
        "h": w.h,
        "filters": filters,
    }
