"""A user's own account: language and time zone, and personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import selectors, services
from clientela.core.forms import ApiTokenForm, PreferencesForm, add_service_errors
from clientela.core.views import request_user


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"language": user.language, "time_zone": user.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_preferences(
                user=user,
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # The confirmation is shown on the next page, already in the new language.
            with translation.override(user.language):
                messages.success(request, _("Preferences saved."))
            response = redirect("core:profile")
            # The login page (no user yet) then speaks the same language.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
    return render(request, "core/account/preferences.html", {"form": form})


def _token_form(request: HttpRequest) -> ApiTokenForm:
    return ApiTokenForm(
        request.POST if request.method == "POST" else None, scopes=sorted(services.API_SCOPES)
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List and create tokens. A new token's clear value is rendered in the answer to
    the POST itself, never stored or put in the session, so it can be seen once."""
    form = _token_form(request)
    created = None
    clear_token = ""
    if request.method == "POST" and form.is_valid():
        try:
            created, clear_token = services.api_token_create(
                user=request_user(request),
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expiry(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiTokenForm(scopes=sorted(services.API_SCOPES))
    return render(
        request,
        "core/account/tokens.html",
        {
            "form": form,
            "tokens": selectors.api_token_list(user=request_user(request)),
            "created": created,
            "clear_token": clear_token,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_list(user=request_user(request)).filter(pk=pk).first()
    if token is None:
        raise Http404()
    if token.revoked_at is None:
        services.api_token_revoke(user=request_user(request), token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("core:tokens")
