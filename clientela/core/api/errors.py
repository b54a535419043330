"""One error body for every failure the API reports:
``{"detail": "<message>", "errors": [{"field": "email", "message": "..."}]}``.

Domain errors (``core.errors``), Django's ``ValidationError`` from services, schema
errors from pydantic and ninja's own HTTP errors all end up here, so a client parses
one shape whatever went wrong and never gets an HTML page or a 500 for bad input.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, RawPostDataException
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.responses import NinjaJSONEncoder

from clientela.core.errors import NotFound, PermissionDenied, VersionConflict
from clientela.core.rate_limits import Usage

logger = logging.getLogger("clientela.api")

CONTENT_TYPE = "application/json; charset=utf-8"


class MissingScope(Exception):
    """The token is valid but was not granted the scope this endpoint needs."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__(scope)


class RateLimited(Exception):
    """A rate limit of the API was reached (``core.api.limits``)."""

    def __init__(self, usage: Usage) -> None:
        self.usage = usage
        super().__init__(usage)


def json_response(status: int, body: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), status=status, content_type=CONTENT_TYPE
    )


def error_response(
    status: int, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any
) -> HttpResponse:
    return json_response(status, {"detail": detail, "errors": errors or [], **extra})


@contextmanager
def renamed_fields(names: Mapping[str, str]) -> Iterator[None]:
    """Report a service's validation errors under the API's field names (a service
    says ``memberships`` where the API says ``organizations``)."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {names.get(key, key): value for key, value in exc.error_dict.items()}
        raise DjangoValidationError(renamed) from exc


# --- mapping each kind of failure -------------------------------------------------------


def _invalid(errors: list[dict[str, Any]]) -> HttpResponse:
    fields = sorted({e["field"] for e in errors if e["field"]})
    if fields:
        detail = _("Some fields are not valid: %(fields)s.") % {"fields": ", ".join(fields)}
    else:
        detail = _("The request is not valid.")
    return error_response(422, detail, errors)


def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            name = None if field == "__all__" else field
            errors += [{"field": name, "message": m} for m in messages]
    else:
        errors = [{"field": None, "message": m} for m in exc.messages]
    return _invalid(errors)


def _field_name(loc: tuple[Any, ...]) -> str | None:
    """``("body", "payload", "emails", 0, "address")`` -> ``"emails.0.address"``: the
    source and the name of the body parameter mean nothing to a client."""
    if not loc:
        return None
    source, *rest = loc
    if source == "body":
        rest = rest[1:]
    return ".".join(str(part) for part in rest) or None


#: pydantic error types whose message needs nothing from the error's context.
_PLAIN_MESSAGES: dict[str, StrOrPromise] = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("Unknown field."),
    "string_type": gettext_lazy("Enter text."),
    **dict.fromkeys(
        ("int_type", "int_parsing", "int_from_float"), gettext_lazy("Enter a whole number.")
    ),
    **dict.fromkeys(("bool_type", "bool_parsing"), gettext_lazy("Enter true or false.")),
    "list_type": gettext_lazy("Send a list."),
    **dict.fromkeys(
        ("dict_type", "model_type", "model_attributes_type"), gettext_lazy("Send an object.")
    ),
}


def _schema_message(error: Mapping[str, Any]) -> str:
    """pydantic's message for the common cases, in the request's language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in _PLAIN_MESSAGES:
        return str(_PLAIN_MESSAGES[kind])
    if kind.startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind == "too_long":
        return _("At most %(n)s items.") % {"n": ctx.get("max_length")}
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "greater_than_equal":
        return _("Enter a number of at least %(n)s.") % {"n": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Enter a number of at most %(n)s.") % {"n": ctx.get("le")}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(error.get("msg", _("This value is not valid.")))


def _schema_validation_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = tuple(error.get("loc", ()))
        field = _field_name(loc)
        message = _schema_message(error)
        if field is None and loc[:1] == ("body",) and error.get("type") != "missing":
            message = _("Send a JSON object.")
        errors.append({"field": field, "message": message})
    return _invalid(errors)


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django's Http404 may name a model or a path: only our own message is shown.
    return error_response(404, str(exc) if isinstance(exc, NotFound) else _("Not found."))


def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, str(exc) or _("You may not do this."))


def _missing_scope(request: HttpRequest, exc: MissingScope) -> HttpResponse:
    return error_response(
        403,
        _("This token lacks the scope “%(scope)s” that this request needs.") % {"scope": exc.scope},
        required_scope=exc.scope,
    )


def _version_conflict(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
    return error_response(412, str(exc), current_version=exc.current_version)


def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = exc.message
    if detail == AuthenticationError().message:  # ninja's default, untranslated
        detail = _("Send a valid API token in the header “Authorization: Bearer <token>”.")
    response = error_response(401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400:  # ninja's only 400: a body that is not JSON
        detail = _("The request body is not valid JSON.")
    return error_response(exc.status_code, detail)


def _form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form (multipart) body sent to an operation that reads JSON: Django has already
    # parsed it as a form, so the JSON reader cannot see it.
    return error_response(
        415, _("This operation takes a JSON body (Content-Type: application/json).")
    )


def too_many_requests(usage: Usage) -> HttpResponse:
    response = error_response(
        429,
        _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": usage.retry_after},
    )
    response["Retry-After"] = str(usage.retry_after)
    return response


def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return too_many_requests(exc.usage)


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    logger.exception("API request failed: %s %s", request.method, request.path)
    return error_response(500, _("Something went wrong on our side; it has been logged."))


def install_error_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (DjangoValidationError, _django_validation_error),
        (SchemaValidationError, _schema_validation_error),
        (NotFound, _not_found),
        (Http404, _not_found),
        (PermissionDenied, _permission_denied),
        (MissingScope, _missing_scope),
        (VersionConflict, _version_conflict),
        (AuthenticationError, _unauthorized),
        (HttpError, _http_error),
        (RawPostDataException, _form_body),
        (RateLimited, _rate_limited),
        (Exception, _server_error),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def refuse_unknown_params(request: HttpRequest, params: type[Schema]) -> None:
    """Refuse query parameters a list does not know: a misspelt filter would otherwise
    be ignored and return everything."""
    unknown = sorted(set(request.GET) - set(params.model_fields))
    if unknown:
        raise DjangoValidationError({name: [_("Unknown field.")] for name in unknown})
