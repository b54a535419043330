"""What the activities pages share: choices of users and linked records, the links
pre-filled from a record's page, and safe redirects back."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from clientela.activities.choices import InteractionChannel
from clientela.activities.forms import id_list
from clientela.contacts import selectors as contact_selectors
from clientela.core import selectors as core_selectors
from clientela.core.errors import NotFound

#: Bootstrap icon of each interaction channel and of the other timeline entries.
CHANNEL_ICONS: dict[str, str] = {
    InteractionChannel.NOTE: "bi-journal-text",
    InteractionChannel.CALL: "bi-telephone",
    InteractionChannel.EMAIL: "bi-envelope",
    InteractionChannel.MEETING: "bi-people",
    InteractionChannel.LETTER: "bi-mailbox",
    InteractionChannel.SMS: "bi-phone",
    InteractionChannel.CHAT: "bi-chat-dots",
    InteractionChannel.WEB_FORM: "bi-ui-checks",
    "task": "bi-check2-square",
    "appointment": "bi-calendar-event",
    "history": "bi-clock-history",
}


def user_options() -> list[tuple[int, str]]:
    return [(u.pk, str(u)) for u in core_selectors.user_choices()]


def people_options(user: Any, ids: list[int]) -> list[tuple[int, str]]:
    """(id, name) of the given people the user can see; others are left out, and the
    service reports them if they are submitted anyway."""
    if not ids:
        return []
    people = contact_selectors.person_list(user=user).filter(pk__in=ids[:50])
    return [(p.pk, str(p)) for p in people]


def organization_options(user: Any, ids: list[int]) -> list[tuple[int, str]]:
    """A first batch of visible organizations for the picker, plus the given ones."""
    options = {o.pk: o.name for o in contact_selectors.organization_choices(user=user, limit=100)}
    for pk in ids:
        if pk not in options:
            try:
                options[pk] = contact_selectors.organization_get(user=user, pk=pk).name
            except NotFound:
                continue
    return sorted(options.items(), key=lambda item: item[1].casefold())


def prefilled_links(request: HttpRequest) -> dict[str, Any]:
    """``?person=1&person=2&organization=3`` from a record page's "New task" link."""
    people = id_list(request.GET.getlist("person"))
    organizations = id_list(request.GET.getlist("organization"))
    initial: dict[str, Any] = {"people": people}
    if organizations:
        initial["organization"] = organizations[0]
    return initial


def submitted_ids(request: HttpRequest, name: str) -> list[int]:
    return id_list(request.POST.getlist(name)) if request.method == "POST" else []


def safe_next(request: HttpRequest, fallback: str, **kwargs: Any) -> HttpResponse:
    """Back to ``next`` (from the form or query string) if it is a local URL."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, **kwargs)
