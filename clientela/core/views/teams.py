"""The Teams section of the settings: the teams with their members, a new team, and
renaming or deleting one (only an empty team goes). Writes through
``core.services.teams``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.core import selectors
from clientela.core.forms import add_service_errors
from clientela.core.services import teams as teams_services
from clientela.core.settings_forms import TeamForm
from clientela.core.views import request_user
from clientela.core.views.records import not_found_as_404, require_admin


def _page(
    request: HttpRequest,
    *,
    form: TeamForm | None = None,
    rename_forms: dict[int, TeamForm] | None = None,
) -> HttpResponse:
    teams = list(selectors.team_admin_list(user=request_user(request)))
    rename_forms = rename_forms or {}
    rows = [
        (
            team,
            rename_forms.get(team.pk)
            or TeamForm(prefix=f"team{team.pk}", initial={"name": team.name}),
        )
        for team in teams
    ]
    return render(
        request,
        "core/settings/teams.html",
        {"rows": rows, "form": form or TeamForm(), "open_rename": next(iter(rename_forms), None)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    if request.method != "POST":
        return _page(request)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = teams_services.team_create(
                actor=request_user(request), name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Team “%(name)s” added.") % {"name": team.name})
            return redirect("core:team-list")
    return _page(request, form=form)


@login_required
@not_found_as_404
@require_POST
def team_rename(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    actor = request_user(request)
    team = selectors.team_admin_get(user=actor, pk=pk)
    form = TeamForm(request.POST, prefix=f"team{team.pk}")
    if form.is_valid():
        try:
            teams_services.team_rename(actor=actor, team=team, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Team renamed."))
            return redirect("core:team-list")
    return _page(request, rename_forms={team.pk: form})


@login_required
@not_found_as_404
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    actor = request_user(request)
    team = selectors.team_admin_get(user=actor, pk=pk)
    name = team.name
    try:
        teams_services.team_delete(actor=actor, team=team)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Team “%(name)s” deleted.") % {"name": name})
    return redirect("core:team-list")
