"""Template context every page gets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clientela.core.registry import account_tabs_for, header_items_for, nav_menus_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menus": [], "header_items": [], "account_tabs": []}
    match = getattr(request, "resolver_match", None)
    return {
        "nav_menus": nav_menus_for(user, match.view_name if match else ""),
        "header_items": header_items_for(user),
        "account_tabs": account_tabs_for(user),
    }
