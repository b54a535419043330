"""The public side of the web forms (no login; the visitor's language is the form's):

* ``/forms/<slug>/``: the hosted page (``?embed=1``: the same form for an iframe,
  framed only by the form's allowed origins); it posts to itself, then shows the
  thank-you page or goes to the form's redirect address;
* ``/forms/<slug>/submit``: JSON or form-encoded, for the embed script and headless
  sites; answers 201 ``{"ok": true}`` or 422 with the errors by field;
* ``/forms/<slug>/schema``: the fields, texts and a fresh spam token for the script;
* ``/forms/<slug>/challenge``: a fresh proof-of-work challenge (``form_pow``), for the
  page's and the embed's script and for headless sites, when the form asks for one.

A post from a browser on another site (an ``Origin`` header that is neither this
server nor one of the form's allowed origins) is refused with 403 before anything is
read; CORS headers are given to the allowed origins alone. Every post counts against
the client address's ``CLIENTELA_FORM_SUBMIT_RATE``; a body over ``MAX_BODY`` bytes is
413, one that cannot be read 400 or 415, each with a message."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from csp.constants import SELF
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from clientela.core.client_ip import client_ip, client_ip_key
from clientela.core.company import company_name
from clientela.core.errors import NotFound
from clientela.core.rate_limits import usage
from clientela.marketing import form_pow
from clientela.marketing.form_spam import (
    HONEYPOT,
    TIMESTAMP,
    SpamRefused,
    form_token,
    token_again,
)
from clientela.marketing.models import LeadForm
from clientela.marketing.selectors.forms import public_form
from clientela.marketing.services.form_submit import (
    CONSENT_KEY,
    UTM_KEYS,
    FormClosed,
    Origin,
    form_submit,
)
from clientela.marketing.services.lead_forms import own_origin

#: The largest body a submission may have (a form of 30 fields of text fits easily).
MAX_BODY = 32 * 1024


class Refused(Exception):
    """A request answered with ``status`` and ``message`` before the form is read."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# --- checks shared by the page and the JSON endpoint ---------------------------------------


def _form(slug: str) -> LeadForm:
    try:
        return public_form(slug)
    except NotFound:
        raise Http404() from None


def _origin_allowed(request: HttpRequest, form: LeadForm) -> bool:
    """No ``Origin`` (a server, not a browser), this server, or an allowed origin."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = {own_origin(), f"{request.scheme}://{request.get_host()}".lower()}
    return origin.lower() in own or origin.lower() in form.allowed_origins


def _cors(request: HttpRequest, form: LeadForm, response: HttpResponseBase) -> HttpResponseBase:
    origin = (request.headers.get("Origin") or "").lower()
    if origin and origin in form.allowed_origins:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


def _check_post(request: HttpRequest, form: LeadForm) -> None:
    if not _origin_allowed(request, form):
        raise Refused(403, _("This site may not send this form."))
    counted = usage(
        group="form-submit", key=client_ip_key(request), rate=settings.CLIENTELA_FORM_SUBMIT_RATE
    )
    if counted is not None and counted.exceeded:
        raise Refused(429, _("Too many submissions from your address. Try again later."))


def _read_body(request: HttpRequest) -> dict[str, Any]:
    """The posted values: a JSON object, or form-encoded (or multipart) fields (a
    repeated name: its values as a list; files are ignored)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise Refused(413, _("The submission is too large (at most 32 KB)."))
    try:
        body = request.body
    except RequestDataTooBig:
        raise Refused(413, _("The submission is too large (at most 32 KB).")) from None
    if len(body) > MAX_BODY:
        raise Refused(413, _("The submission is too large (at most 32 KB)."))
    kind = (request.content_type or "").lower()
    if kind == "application/json":
        try:
            data = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, _("The submission is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise Refused(400, _("Send a JSON object of field names and values."))
        return data
    if kind in ("application/x-www-form-urlencoded", ""):
        try:
            posted = QueryDict(body, encoding=request.encoding or "utf-8")
        except (TooManyFieldsSent, UnicodeDecodeError):
            raise Refused(400, _("The submission could not be read.")) from None
        return {k: v[0] if len(v) == 1 else v for k, v in posted.lists()}
    if kind == "multipart/form-data":
        try:
            fields = request.POST
        except (TooManyFieldsSent, MultiPartParserError, ValueError):
            raise Refused(400, _("The submission could not be read.")) from None
        return {k: v[0] if len(v) == 1 else v for k, v in fields.lists()}
    raise Refused(415, _("Send the form as JSON or form-encoded."))


def _origin_of(request: HttpRequest, data: Mapping[str, Any]) -> Origin:
    def text(key: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) else ""

    utm = {key: text(key) or request.GET.get(key, "") for key in UTM_KEYS}
    return Origin(
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        referrer=text("referrer") or request.headers.get("Referer", ""),
        utm=utm,
    )


def _thanks_url(form: LeadForm) -> str:
    return form.redirect_url or reverse("marketing:form-thanks", args=[form.slug])


# --- the JSON endpoint ---------------------------------------------------------------------


def _json(data: dict[str, Any], status: int) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@never_cache
@csrf_exempt  # another site posts it, without a session: the origin check replaces CSRF
@require_http_methods(["POST", "OPTIONS"])
def form_submit_api(request: HttpRequest, slug: str) -> HttpResponseBase:
    form = _form(slug)
    with translation.override(form.language):
        if request.method == "OPTIONS":
            if not _origin_allowed(request, form):
                return _cors(request, form, _json({"ok": False}, 403))
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "POST, GET"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "600"
            return _cors(request, form, response)
        return _cors(request, form, _accept_json(request, form))


def _accept_json(request: HttpRequest, form: LeadForm) -> HttpResponse:
    try:
        _check_post(request, form)
        data = _read_body(request)
        form_submit(form=form, data=data, origin=_origin_of(request, data))
    except Refused as refused:
        return _json({"ok": False, "error": refused.message}, refused.status)
    except SpamRefused as spam:
        return _json({"ok": False, "error": str(spam.message)}, 400)
    except FormClosed:
        return _json({"ok": False, "error": _("This form takes no submissions now.")}, 503)
    except ValidationError as exc:
        return _json({"ok": False, "errors": exc.message_dict}, 422)
    body = {"ok": True, "message": form.thank_you or _("Thank you! We will be in touch soon.")}
    if form.redirect_url:
        body["redirect"] = form.redirect_url
    return _json(body, 201)


@never_cache
@require_GET
def form_schema(request: HttpRequest, slug: str) -> HttpResponseBase:
    """What the embed script needs to draw the form, with a fresh spam token."""
    form = _form(slug)
    with translation.override(form.language):
        if not _origin_allowed(request, form):
            return _cors(request, form, _json({"ok": False}, 403))
        body = {
            "title": form.title,
            "intro": form.intro,
            "submit": form.submit_label or _("Send"),
            "language": form.language,
            "fields": form.fields,
            "consents": [
                {"name": CONSENT_KEY.format(i), "text": c["text"]}
                for i, c in enumerate(form.consents)
            ],
            "token": form_token(form.pk),
            "token_name": TIMESTAMP,
            "honeypot": HONEYPOT,
            "submit_url": reverse("marketing:form-submit", args=[form.slug]),
            "proof_of_work": form.proof_of_work,
            "challenge_url": reverse("marketing:form-challenge", args=[form.slug]),
            "checking": _("Checking that you are not a robot…"),
            "required": _("required"),
            "sending": _("Sending…"),
            "failed": _("The form could not be sent. Check your connection and try again."),
        }
        return _cors(request, form, _json(body, 200))


@never_cache
@require_GET
def form_challenge(request: HttpRequest, slug: str) -> HttpResponseBase:
    """A proof-of-work challenge: find ``nonce`` (digits) such that
    SHA-256(``challenge`` + ":" + ``nonce``) starts with ``bits`` zero bits, then post
    both as ``challenge_name`` and ``nonce_name`` with the form, within ``expires_in``
    seconds. Given for any form (it costs nothing to sign); only forms with the
    setting on check it."""
    form = _form(slug)
    with translation.override(form.language):
        if not _origin_allowed(request, form):
            return _cors(request, form, _json({"ok": False}, 403))
        challenge = form_pow.challenge_for(form.pk)
        body = {
            "challenge": challenge.token,
            "bits": challenge.bits,
            "algorithm": "SHA-256",
            "expires_in": form_pow.MAX_AGE_SECONDS,
            "challenge_name": form_pow.CHALLENGE,
            "nonce_name": form_pow.NONCE,
            "required": form.proof_of_work,
        }
        return _cors(request, form, _json(body, 200))


# --- the hosted page -----------------------------------------------------------------------


def _inputs(form: LeadForm, values: Mapping[str, Any], errors: Mapping[str, Any]) -> list[Any]:
    """Each field as the page draws it: spec, value, errors."""
    rows = []
    for spec in form.fields:
        raw = values.get(spec["key"], "")
        rows.append(
            {
                **spec,
                "id": f"f-{spec['key']}",
                "value": raw if isinstance(raw, str) else "",
                "checked": isinstance(raw, str) and raw.lower() in ("on", "true", "1", "yes"),
                "errors": errors.get(spec["key"], []),
            }
        )
    return rows


def _consents(form: LeadForm, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": CONSENT_KEY.format(i),
            "text": c["text"],
            "checked": bool(values.get(CONSENT_KEY.format(i))),
        }
        for i, c in enumerate(form.consents)
    ]


def _page(
    request: HttpRequest,
    form: LeadForm,
    *,
    values: Mapping[str, Any],
    errors: Mapping[str, Any],
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    embed = request.GET.get("embed") == "1"
    hidden = {
        key: (values.get(key) if isinstance(values.get(key), str) else request.GET.get(key, ""))
        for key in UTM_KEYS
    }
    referrer = values.get("referrer")
    hidden["referrer"] = (
        referrer if isinstance(referrer, str) else request.headers.get("Referer", "")
    )[:1000]
    context = {
        "company": company_name(),
        "form": form,
        "embed": embed,
        "inputs": _inputs(form, values, errors),
        "consents": _consents(form, values),
        "general_errors": errors.get("__all__", []),
        "problem": problem,
        "token": token_again(form.pk, values.get(TIMESTAMP)),
        "token_name": TIMESTAMP,
        "honeypot": HONEYPOT,
        "hidden": hidden,
        "submit_label": form.submit_label or _("Send"),
        "action": request.get_full_path(),
    }
    response = render(request, "marketing/forms/public.html", context, status=status)
    response["Content-Language"] = form.language
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    if form.redirect_url:
        parts = urlsplit(form.redirect_url)
        # Browsers check where a form's post may lead, redirects included (form-action).
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    if embed:
        response._csp_replace = {"frame-ancestors": [SELF, *form.allowed_origins]}  # type: ignore[attr-defined]
    return response


@never_cache
@csrf_exempt  # a public form without a session (and framed on other sites): the spam
# token, the origin check and the rate limit stand in for CSRF
@xframe_options_exempt  # framed only where the CSP's frame-ancestors allow (``_page``)
@require_http_methods(["GET", "POST"])
def form_page(request: HttpRequest, slug: str) -> HttpResponse:
    form = _form(slug)
    with translation.override(form.language):
        if request.method == "GET":
            return _page(request, form, values={}, errors={})
        values: dict[str, Any] = {}
        try:
            _check_post(request, form)
            values = _read_body(request)
            form_submit(form=form, data=values, origin=_origin_of(request, values))
        except Refused as refused:
            return _page(request, form, values=values, errors={}, problem=refused.message,
                         status=refused.status)  # fmt: skip
        except SpamRefused as spam:
            return _page(request, form, values=values, errors={}, problem=str(spam.message),
                         status=400)  # fmt: skip
        except FormClosed:
            problem = _("This form takes no submissions now.")
            return _page(request, form, values=values, errors={}, problem=problem, status=503)
        except ValidationError as exc:
            problem = _("Please correct the fields marked below.")
            return _page(request, form, values=values, errors=exc.message_dict, problem=problem,
                         status=422)  # fmt: skip
        url = _thanks_url(form)
        if not form.redirect_url and request.GET.get("embed") == "1":
            url += "?embed=1"
        return HttpResponseRedirect(url)


@never_cache
@xframe_options_exempt
@require_GET
def form_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    form = _form(slug)
    with translation.override(form.language):
        context = {
            "company": company_name(),
            "form": form,
            "embed": request.GET.get("embed") == "1",
            "message": form.thank_you or _("Thank you! We will be in touch soon."),
        }
        response = render(request, "marketing/forms/thanks.html", context)
    response["Content-Language"] = form.language
    response["X-Robots-Tag"] = "noindex"
    if context["embed"]:
        response._csp_replace = {"frame-ancestors": [SELF, *form.allowed_origins]}  # type: ignore[attr-defined]
    return response


urlpatterns: list[URLPattern] = [
    path("forms/<slug:slug>/", form_page, name="form-public"),
    path("forms/<slug:slug>/submit", form_submit_api, name="form-submit"),
    path("forms/<slug:slug>/schema", form_schema, name="form-schema"),
    path("forms/<slug:slug>/challenge", form_challenge, name="form-challenge"),
    path("forms/<slug:slug>/thanks/", form_thanks, name="form-thanks"),
]
