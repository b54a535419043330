"""The Users section of the settings: the list (search, role, team and status filters,
pages; htmx swaps the results), the invitation, and a user's page (role, team,
language, time zone; deactivate or reactivate; a new password link; two-factor status
and reset; what was changed on the account). Writes through
``core.services.users``; users are never deleted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientela.core import company, selectors
from clientela.core.filters import UserFilters
from clientela.core.forms import add_service_errors
from clientela.core.models import User
from clientela.core.pagination import WindowPaginator
from clientela.core.services import users as users_services
from clientela.core.settings_forms import UserFilterForm, UserForm
from clientela.core.views import request_user
from clientela.core.views.history import entry_changes
from clientela.core.views.records import AuthedRequest, not_found_as_404, require_admin

RESULTS_ID = "user-results"
HISTORY_LIMIT = 30
LABELS = {
    "is_active": gettext_lazy("active"),
    "two_factor": gettext_lazy("two-factor login"),
}


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    actor = request_user(request)
    filters, errors = UserFilters.from_params(request.GET)
    users = selectors.user_admin_list(user=actor, filters=filters)
    page = WindowPaginator(users, settings.CLIENTELA_PAGE_SIZE).get_page(request.GET.get("page"))
    filtering = any((filters.q, filters.role, filters.team, filters.status))
    context: dict[str, Any] = {
        "page_obj": page,
        "records": page.object_list,
        "filter_errors": [m for messages_ in errors.values() for m in messages_],
        "filtering": filtering,
        "current_sort": filters.sort_param,
        "list_url": reverse("core:user-list"),
        "results_id": RESULTS_ID,
        "columns": _columns(),
    }
    authed: AuthedRequest = request  # type: ignore[assignment]
    if authed.htmx and not authed.htmx.boosted:
        return render(request, "core/settings/_user_results.html", context)
    context["filter_form"] = UserFilterForm(request.GET or None)
    return render(request, "core/settings/users.html", context)


def _columns() -> list[dict[str, Any]]:
    return [
        {"label": _("Name"), "sort": "name"},
        {"label": _("E-mail"), "sort": "email", "css": "d-none d-md-table-cell"},
        {"label": _("Role"), "sort": "role"},
        {"label": _("Team"), "sort": "team", "css": "d-none d-sm-table-cell"},
        {"label": _("Two-factor"), "sort": None, "css": "d-none d-lg-table-cell"},
        {"label": _("Last login"), "sort": "last_login", "css": "d-none d-xl-table-cell"},
    ]


@login_required
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    initial = {
        "language": company.default_language(),
        "time_zone": company.default_time_zone(),
        "role": selectors.role_admin_list(user=request.user).filter(key="sales").first(),
    }
    form = UserForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = users_services.user_invite(
                actor=request_user(request),
                data=form.data_for_service(),  # type: ignore[arg-type]
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s: they choose their password from the e-mail.")
                % {"email": user.email},
            )
            return redirect("core:user-detail", pk=user.pk)
    return render(request, "core/settings/user_invite.html", {"form": form})


def _history(actor: User, subject: User) -> list[dict[str, Any]]:
    return [
        {"entry": entry, "changes": entry_changes(User, entry.changes or {}, LABELS)}
        for entry in selectors.user_history(user=actor, subject=subject)[:HISTORY_LIMIT]
    ]


def _detail(request: HttpRequest, subject: User, form: UserForm, status: int = 200) -> HttpResponse:
    actor = request_user(request)
    context = {
        "subject": subject,
        "form": form,
        "history": _history(actor, subject),
        "is_self": subject.pk == actor.pk,
    }
    return render(request, "core/settings/user_detail.html", context, status=status)


def _initial(subject: User) -> dict[str, Any]:
    return {
        "email": subject.email,
        "first_name": subject.first_name,
        "last_name": subject.last_name,
        "username": subject.username,
        "role": subject.role_id,
        "team": subject.team_id,
        "language": subject.language,
        "time_zone": subject.time_zone,
    }


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    actor = request_user(request)
    subject = selectors.user_admin_get(user=actor, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = UserForm(data, initial=_initial(subject), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            users_services.user_update(actor=actor, user=subject, data=form.data_for_service())  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(user)s saved.") % {"user": subject})
            return redirect("core:user-detail", pk=subject.pk)
        subject = selectors.user_admin_get(user=actor, pk=pk)
    return _detail(request, subject, form)


def _action(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    """A button on the user's page: run the service, say how it went, back to the page."""
    require_admin(request)
    actor = request_user(request)
    subject = selectors.user_admin_get(user=actor, pk=pk)
    try:
        run(actor, subject)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"user": subject})
    return redirect("core:user-detail", pk=subject.pk)


@login_required
@not_found_as_404
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda actor, user: users_services.user_deactivate(actor=actor, user=user),
        _("%(user)s is deactivated: they can no longer log in or use their API tokens."),
    )


@login_required
@not_found_as_404
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda actor, user: users_services.user_reactivate(actor=actor, user=user),
        _("%(user)s is active again."),
    )


@login_required
@not_found_as_404
@require_POST
def user_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda actor, user: users_services.user_two_factor_reset(actor=actor, user=user),
        _("Two-factor login of %(user)s is reset: their devices are removed."),
    )


@login_required
@not_found_as_404
@require_POST
def user_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    base_url = _base_url(request)
    return _action(
        request,
        pk,
        lambda actor, user: users_services.user_send_password_link(
            actor=actor, user=user, base_url=base_url
        ),
        _("A link to choose a password was e-mailed to %(user)s."),
    )
