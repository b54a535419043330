"""The quote pages: the list (by status; core's generic list), the detail with its
lines, totals, actions (edit a draft, send by e-mail, PDF, accept, reject, new
revision) and history, and the form with its lines (delete is core's generic page)."""

from __future__ import annotations

from typing import Any, cast

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.contacts.views.pickers import organization_choices, people_choices, person_options
from clientela.core.errors import VersionConflict
from clientela.core.forms import add_service_errors, id_list
from clientela.core.views.kinds import (
    KindView,
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    record_urls,
)
from clientela.sales import money
from clientela.sales.choices import DealStatus, QuoteStatus
from clientela.sales.forms.catalogue import decimal_text
from clientela.sales.forms.quotes import QuoteForm, SendForm, line_formset
from clientela.sales.kinds import QUOTES
from clientela.sales.models import Quote, SalesSettings
from clientela.sales.pdf import quote_pdf
from clientela.sales.selectors import catalogue as catalogue_selectors
from clientela.sales.selectors import quotes as selectors
from clientela.sales.selectors.deals import deals_for
from clientela.sales.services import quotes as services

STATUS_TABS: dict[str, Any] = {"": gettext_lazy("All"), **dict(QuoteStatus.choices)}
#: Service error keys that belong to another input of the page.
ERROR_TARGETS = {
    "person_id": "person",
    "organization_id": "organization",
    "deal_id": "deal",
    "owner_id": "person",
}


def _one_id(value: str | None) -> int | None:
    ids = id_list([value]) if value else []
    return ids[0] if ids else None


# --- list -----------------------------------------------------------------------------


class QuoteListView(RecordListView):
    """The quotes by status (tabs) and sort."""

    def parse_filters(self, params: QueryDict) -> tuple[Any, dict[str, list[str]]]:
        status = params.get("status", "")
        # An unknown status shows every quote; it is not a filter that matches nothing.
        errors: dict[str, list[str]] = {} if status in STATUS_TABS else {"status": []}
        sort = selectors.quote_sort(params.get("sort"))
        return {"status": status if status in STATUS_TABS else "", "sort": sort}, errors

    def get_queryset(self, filters: Any) -> Any:
        status = filters["status"] or None
        return selectors.quote_list(user=self.user, status=status, sort=filters["sort"])

    def current_sort(self, filters: Any) -> str:
        return str(filters["sort"])

    def extra_context(self, filters: Any) -> dict[str, Any]:
        return {"status": filters["status"], "tabs": STATUS_TABS}


# --- detail and actions ---------------------------------------------------------------


class QuoteDetailView(RecordDetailView):
    """A quote's page: its lines and totals, its revisions, the actions its status
    allows (send, accept, reject, revise) and the order it became."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        quote = cast(Quote, record)
        order = getattr(quote, "order", None) if quote.status == QuoteStatus.ACCEPTED else None
        return {
            "lines": list(quote.lines.all()),
            "latest": selectors.quote_is_latest(quote),
            "revisions": selectors.quote_revisions(user=self.user, quote=quote),
            "can_delete": self.may("delete") and quote.status != QuoteStatus.ACCEPTED,
            "can_create": self.may("create"),
            "send_form": SendForm(
                initial={"to": services.recipient_for(quote), "version": quote.version}
            ),
            "order": order,
            "order_url": reverse("sales:order-detail", args=[order.pk]) if order else None,
            "expired": quote.status == QuoteStatus.SENT and services.is_expired(quote),
        }


class QuotePdfView(KindView):
    """The quote's PDF as a download, or (``inline``) shown by the browser: the
    "Preview PDF" button opens it in a new tab."""

    http_method_names = ("get",)
    inline = False

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = self.get_record(pk)
        response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
        disposition = "inline" if self.inline else "attachment"
        filename = services.pdf_filename(quote)
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        return response


#: The preview's own policy: Chromium shows a PDF through a plugin element, which the
#: site's ``object-src 'none'`` made older builds refuse (a "blocked" page instead of the
#: quote; crbug.com/271452); the Chromium of our tests shows it either way. A PDF needs
#: no script, so nothing else is allowed.
PDF_PREVIEW_POLICY = {
    "default-src": [NONE],
    "object-src": [SELF],
    # The viewer page Chromium wraps around the PDF sizes it with inline styles.
    "style-src": [UNSAFE_INLINE],
    "frame-ancestors": [NONE],
}


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


class QuoteSendView(QuoteDetailView):
    """The send form of a draft's page; its errors are shown on the page."""

    http_method_names = ("post",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = self.get_record(pk)
        form = SendForm(request.POST)
        if not form.is_valid():
            return self.render_detail(quote, send_form=form)
        to = form.cleaned_data["to"]
        try:
            sent = services.quote_send(
                actor=self.user, quote=quote, to=to, expected_version=_version(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_detail(quote, send_form=form)
        except VersionConflict:
            return self.render_detail(quote, send_form=form, error=self.message("stale", quote))
        messages.success(request, _("Quote %(label)s sent to %(to)s.") % {"label": sent, "to": to})
        return redirect(self.url("detail", sent))


class QuoteDecisionView(QuoteDetailView):
    """A decision button of the page (accept, reject, revise): its service, then where
    ``decide`` goes; a refusal is shown on the page."""

    http_method_names = ("post",)

    def decide(self, quote: Quote, version: int | None) -> HttpResponse:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = self.get_record(pk)
        try:
            return self.decide(quote, _version(request))
        except ValidationError as exc:
            return self.render_detail(quote, error=" ".join(exc.messages))
        except VersionConflict:
            return self.render_detail(quote, error=self.message("stale", quote))


class QuoteAcceptView(QuoteDecisionView):
    def decide(self, quote: Quote, version: int | None) -> HttpResponse:
        order = services.quote_accept(actor=self.user, quote=quote, expected_version=version)
        messages.success(
            self.request,
            _("Quote %(label)s accepted; order %(order)s created.")
            % {"label": quote, "order": order.number},
        )
        return redirect("sales:order-detail", pk=order.pk)


class QuoteRejectView(QuoteDecisionView):
    def decide(self, quote: Quote, version: int | None) -> HttpResponse:
        services.quote_reject(actor=self.user, quote=quote, expected_version=version)
        messages.success(self.request, _("Quote %(label)s rejected.") % {"label": quote})
        return redirect(self.url("detail", quote))


class QuoteReviseView(QuoteDecisionView):
    def decide(self, quote: Quote, version: int | None) -> HttpResponse:
        revision = services.quote_revise(actor=self.user, quote=quote)
        text = _("Revision %(label)s created as a draft.")
        messages.success(self.request, text % {"label": revision})
        return redirect(self.url("edit", revision))


# --- the form -------------------------------------------------------------------------


def _deal_options(user: Any, ids: list[int]) -> list[tuple[int, str]]:
    deals = deals_for(user)
    options = {d.pk: d.title for d in deals.filter(status=DealStatus.OPEN).order_by("title")[:200]}
    for deal in deals.filter(pk__in=ids):
        options.setdefault(deal.pk, deal.title)
    return sorted(options.items(), key=lambda item: item[1].casefold())


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """``?deal=&person=&organization=`` from a record page's "New quote" link; a deal
    also brings its organization, first contact and currency."""
    initial: dict[str, Any] = {}
    deal_id = _one_id(request.GET.get("deal"))
    if deal_id is not None:
        deal = deals_for(request.user).filter(pk=deal_id).first()
        if deal is not None:
            initial.update(deal=deal.pk, currency=deal.currency)
            if deal.organization_id:
                initial["organization"] = deal.organization_id
            first = deal.people.order_by("pk").first()
            if first is not None:
                initial["person"] = first.pk
    for name in ("person", "organization"):
        pk = _one_id(request.GET.get(name))
        if pk is not None:
            initial[name] = pk
    return initial


def _lines_initial(quote: Quote | None) -> list[dict[str, Any]]:
    if quote is None:
        return []
    return [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": decimal_text(line.quantity),
            "unit": line.unit,
            "unit_price": money.money_str(line.unit_price, quote.currency),
            "discount_percent": decimal_text(line.discount_percent),
            "tax_rate": decimal_text(line.tax_rate),
        }
        for line in quote.lines.all()
    ]


class QuoteFormView(RecordFormView):
    """Create a quote (pre-filled from a deal's or a customer's "New quote" link) or
    edit a draft, with its lines (a formset whose service errors go on their row)."""

    error_targets = ERROR_TARGETS

    def refuse(self, record: Any) -> HttpResponse | None:
        if record is None or record.status == QuoteStatus.DRAFT:
            return None
        messages.warning(
            self.request, _("Only a draft can be edited; make a new revision instead.")
        )
        return redirect(self.url("detail", record))

    def initial(self, record: Any) -> dict[str, Any]:
        if record is not None:
            return QuoteForm.initial_for(record)
        return {
            "currency": SalesSettings.load().base_currency,
            **_prefill(self.request),
            "issue_date": timezone.localdate(),
        }

    def get_form(self, data: QueryDict | None, record: Any) -> Any:
        user, initial = self.user, self.initial(record)

        def picked(name: str) -> list[int]:
            if data is not None:
                return id_list(data.getlist(name))
            return [initial[name]] if initial.get(name) else []

        lines_initial = _lines_initial(record)
        include = [line["product"] for line in lines_initial if line.get("product")]
        if data is not None:
            include += id_list(v for k, v in data.items() if k.endswith("-product"))
        products = [
            (p.pk, f"{p.name} ({p.sku})")
            for p in catalogue_selectors.product_choices(user=user, include=include)
        ]
        self.lines = line_formset(data, initial=lines_initial or None, products=products)
        return QuoteForm(
            data,
            initial=initial,
            people=people_choices(user, picked("person")),
            organizations=organization_choices(user, picked("organization")),
            deals=_deal_options(user, picked("deal")),
        )

    def is_valid(self, form: Any) -> bool:
        return bool(form.is_valid() & self.lines.is_valid())

    def payload(self, form: Any, record: Any) -> Any:
        return form.to_data(self.lines)

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        rest = self.lines.add_line_errors(exc)
        if rest is not None:
            lines = {"lines": self.lines}
            add_service_errors(form, rest, formsets=lines, targets=self.error_targets)

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {"lines": self.lines}


urlpatterns: list[URLPattern] = [
    *record_urls(
        QUOTES,
        list=QuoteListView,
        create=QuoteFormView,
        detail=QuoteDetailView,
        edit=QuoteFormView,
        delete=RecordDeleteView,
    ),
    # The person picker lives in contacts; this older address stays for bookmarks.
    path("quotes/person-options/", person_options, name="quote-person-options"),
    path("quotes/<int:pk>/pdf/", QuotePdfView.as_view(kind=QUOTES), name="quote-pdf"),
    path(
        "quotes/<int:pk>/pdf/preview/",
        csp(PDF_PREVIEW_POLICY)(QuotePdfView.as_view(kind=QUOTES, inline=True)),
        name="quote-pdf-preview",
    ),
    path("quotes/<int:pk>/send/", QuoteSendView.as_view(kind=QUOTES), name="quote-send"),
    path("quotes/<int:pk>/accept/", QuoteAcceptView.as_view(kind=QUOTES), name="quote-accept"),
    path("quotes/<int:pk>/reject/", QuoteRejectView.as_view(kind=QUOTES), name="quote-reject"),
    path("quotes/<int:pk>/revise/", QuoteReviseView.as_view(kind=QUOTES), name="quote-revise"),
]
