"""The e-mail templates' pages: core's generic record pages for the kind, the detail
page with the preview as any person the user sees (the HTML in a sandboxed iframe
served by ``template_preview_html`` under a CSP of its own, the text part beside it)
and "Send a test to me"."""

from __future__ import annotations

from typing import Any, cast

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.contacts.selectors import person_list
from clientela.core.choices import Language
from clientela.core.merge_fields import TemplateProblem
from clientela.core.views.kinds import (
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    RecordRestoreView,
    TrashView,
    record_urls,
)
from clientela.core.views.records import AuthedRequest, not_found_as_404
from clientela.marketing.forms.templates import ERROR_TARGETS, PreviewForm
from clientela.marketing.kinds import TEMPLATES
from clientela.marketing.models import EmailTemplate
from clientela.marketing.rendering import FIELD_HELP, Rendered
from clientela.marketing.selectors.templates import email_template_get, template_preview
from clientela.marketing.services.templates import email_template_send_test

#: The preview's own policy: the template's HTML may style itself and show images from
#: anywhere on the web, nothing else (no script, no form, no plugin); the page around it
#: frames it in a sandboxed iframe, and ``sandbox`` here makes it an opaque origin
#: even when opened on its own.
PREVIEW_POLICY = {
    "default-src": [NONE],
    "style-src": [UNSAFE_INLINE],
    "img-src": ["https:", "data:"],
    "font-src": ["https:", "data:"],
    "frame-ancestors": [SELF],
    "sandbox": [""],
}


def preview_response(html: str) -> HttpResponse:
    """An e-mail's HTML as a mail client gets it, for the sandboxed iframe of a
    template's or a campaign's page (served under ``PREVIEW_POLICY``)."""
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    # Framed by the page around it (the middleware leaves a header that is set).
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _preview_choice(params: QueryDict) -> tuple[int | None, str]:
    """The person (id) and version language a query asks for; bad values are none."""
    raw = params.get("person", "")
    person = int(raw) if raw.isdigit() and 0 < len(raw) < 19 else None
    language = params.get("language", "")
    return person, language if language in Language.values else ""


def _choice_query(person: int | None, language: str) -> str:
    query = QueryDict(mutable=True)
    if person is not None:
        query["person"] = str(person)
    if language:
        query["language"] = language
    return query.urlencode()


class TemplateDetailView(RecordDetailView):
    """The template, its versions, and the preview as a person the user picks."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        template = cast(EmailTemplate, record)
        person, language = _preview_choice(self.request.GET)
        try:
            rendered: Rendered | None = template_preview(
                user=self.user, template=template, person_id=person, language=language
            )
        except TemplateProblem as exc:  # saved broken some other way (an old row)
            rendered, problem = None, str(exc)
        else:
            problem = ""
        people = list(person_list(user=self.user).filter(pk=person)) if person else []
        form = PreviewForm(initial={"person": person, "language": language}, people=people)
        query = _choice_query(person, language)
        return {
            "template": template,
            "rendered": rendered,
            "problem": problem,
            "preview_form": form,
            "preview_url": reverse("marketing:email_template-preview", args=[template.pk])
            + (f"?{query}" if query else ""),
            "choice": {"person": person or "", "language": language},
        }


class TemplateFormView(RecordFormView):
    error_targets = ERROR_TARGETS

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {
            "merge_fields": list(FIELD_HELP.items()),
            "merge_help": _(
                "Click one to insert it where the cursor is. {%% if organization %%} … "
                "{%% else %%} … {%% endif %%} shows a part only when a field has a value."
            )
            % {},
        }


@login_required
@not_found_as_404
@require_GET
def template_preview_html(request: AuthedRequest, pk: int) -> HttpResponse:
    """The template's HTML filled in for the chosen person, as a mail client gets it."""
    template = email_template_get(user=request.user, pk=pk)
    person, language = _preview_choice(request.GET)
    try:
        html = template_preview(
            user=request.user, template=template, person_id=person, language=language
        ).html
    except TemplateProblem as exc:
        html = format_html("<p>{}</p>", str(exc))
    return preview_response(html)


@login_required
@not_found_as_404
@require_POST
def template_send_test(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send the preview to the user's own address."""
    template = email_template_get(user=request.user, pk=pk)
    person, language = _preview_choice(request.POST)
    try:
        address = email_template_send_test(
            actor=request.user, email_template=template, person_id=person, language=language
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Test sent to %(address)s.") % {"address": address})
    query = _choice_query(person, language)
    url = reverse("marketing:email_template-detail", args=[template.pk])
    return redirect(url + (f"?{query}" if query else ""))


urlpatterns: list[URLPattern] = [
    path(
        "email_templates/<int:pk>/preview/",
        csp(PREVIEW_POLICY)(cast(Any, template_preview_html)),
        name="email_template-preview",
    ),
    path(
        "email_templates/<int:pk>/send-test/",
        template_send_test,
        name="email_template-send-test",
    ),
    *record_urls(
        TEMPLATES,
        list=RecordListView,
        create=TemplateFormView,
        trash=TrashView,
        detail=TemplateDetailView,
        edit=TemplateFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
    ),
]
