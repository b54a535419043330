"""The quote pages: the list (by status; core's generic list), the detail with its
lines, totals, actions (edit a draft, send by e-mail, PDF, accept, reject, new
revision) and history, and the form with its lines (delete is core's generic page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.contacts.views.pickers import organization_choices, people_choices, person_options
from clientela.core.errors import VersionConflict
from clientela.core.forms import add_service_errors, id_list
from clientela.core.permissions import can, require
from clientela.core.views.kinds import RecordDeleteView, RecordListView, record_urls
from clientela.core.views.records import AuthedRequest, history_rows, not_found_as_404
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


def _order_url(order: Any) -> str | None:
    try:
        return reverse("sales:order-detail", kwargs={"pk": order.pk})
    except NoReverseMatch:
        return None


def _detail(
    request: AuthedRequest,
    quote: Quote,
    *,
    send_form: SendForm | None = None,
    error: str = "",
) -> HttpResponse:
    user = request.user
    latest = selectors.quote_is_latest(quote)
    order = getattr(quote, "order", None) if quote.status == QuoteStatus.ACCEPTED else None
    return render(
        request,
        "sales/quotes/quote_detail.html",
        {
            "quote": quote,
            "lines": list(quote.lines.all()),
            "latest": latest,
            "revisions": selectors.quote_revisions(user=user, quote=quote),
            "can_edit": can(user, "update", Quote.RESOURCE),
            "can_delete": can(user, "delete", Quote.RESOURCE)
            and quote.status != QuoteStatus.ACCEPTED,
            "can_create": can(user, "create", Quote.RESOURCE),
            "send_form": send_form
            or SendForm(initial={"to": services.recipient_for(quote), "version": quote.version}),
            "error": error,
            "order": order,
            "order_url": _order_url(order) if order is not None else None,
            "expired": quote.status == QuoteStatus.SENT and services.is_expired(quote),
            "history": history_rows(quote, labels=QUOTES.history_labels),
        },
    )


@login_required
@require_GET
@not_found_as_404
def quote_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.quote_get(user=request.user, pk=pk))


@login_required
@require_GET
@not_found_as_404
def quote_pdf_download(request: AuthedRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(user=request.user, pk=pk)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.pdf_filename(quote)}"'
    return response


def _version(request: AuthedRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _stale() -> str:
    return _("Someone changed this quote after you opened this page. Check it again.")


@login_required
@require_POST
@not_found_as_404
def quote_send(request: AuthedRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(user=request.user, pk=pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _detail(request, quote, send_form=form)
    try:
        sent = services.quote_send(
            actor=request.user,
            quote=quote,
            to=form.cleaned_data["to"],
            expected_version=_version(request),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _detail(request, quote, send_form=form)
    except VersionConflict:
        return _detail(request, quote, send_form=form, error=_stale())
    messages.success(
        request,
        _("Quote %(label)s sent to %(to)s.") % {"label": sent.label, "to": form.cleaned_data["to"]},
    )
    return redirect("sales:quote-detail", pk=sent.pk)


def _decision(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    quote = selectors.quote_get(user=request.user, pk=pk)
    version = _version(request)
    try:
        if action == "accept":
            order = services.quote_accept(actor=request.user, quote=quote, expected_version=version)
            messages.success(
                request,
                _("Quote %(label)s accepted; order %(order)s created.")
                % {"label": quote.label, "order": order.number},
            )
            return redirect(_order_url(order) or reverse("sales:quote-detail", args=[quote.pk]))
        if action == "reject":
            services.quote_reject(actor=request.user, quote=quote, expected_version=version)
            messages.success(request, _("Quote %(label)s rejected.") % {"label": quote.label})
            return redirect("sales:quote-detail", pk=quote.pk)
        revision = services.quote_revise(actor=request.user, quote=quote)
        messages.success(
            request, _("Revision %(label)s created as a draft.") % {"label": revision.label}
        )
        return redirect("sales:quote-edit", pk=revision.pk)
    except ValidationError as exc:
        return _detail(request, quote, error=" ".join(exc.messages))
    except VersionConflict:
        return _detail(request, quote, error=_stale())


@login_required
@require_POST
@not_found_as_404
def quote_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, "accept")


@login_required
@require_POST
@not_found_as_404
def quote_reject(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, "reject")


@login_required
@require_POST
@not_found_as_404
def quote_revise(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, "revise")


# --- the form -------------------------------------------------------------------------


def _deal_options(user: Any, ids: list[int]) -> list[tuple[int, str]]:
    deals = deals_for(user)
    options = {d.pk: d.title for d in deals.filter(status=DealStatus.OPEN).order_by("title")[:200]}
    for deal in deals.filter(pk__in=ids):
        options.setdefault(deal.pk, deal.title)
    return sorted(options.items(), key=lambda item: item[1].casefold())


def _prefill(request: AuthedRequest) -> dict[str, Any]:
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


def _lines_initial(quote: Quote) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": decimal_text(line.quantity),
            "unit_price": money.money_str(line.unit_price, quote.currency),
            "discount_percent": decimal_text(line.discount_percent),
            "tax_rate": decimal_text(line.tax_rate),
        }
        for line in quote.lines.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def quote_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    quote = selectors.quote_get(user=user, pk=pk) if pk is not None else None
    require(user, "update" if quote else "create", Quote.RESOURCE)
    if quote is not None and quote.status != QuoteStatus.DRAFT:
        messages.warning(request, _("Only a draft can be edited; make a new revision instead."))
        return redirect("sales:quote-detail", pk=quote.pk)
    data = request.POST if request.method == "POST" else None
    if quote is not None:
        initial: dict[str, Any] = {
            "person": quote.person_id,
            "organization": quote.organization_id,
            "deal": quote.deal_id,
            "currency": quote.currency,
            "language": quote.language,
            "issue_date": quote.issue_date,
            "valid_until": quote.valid_until,
            "notes": quote.notes,
            "version": quote.version,
        }
        lines_initial = _lines_initial(quote)
    else:
        initial = {"currency": SalesSettings.load().base_currency, **_prefill(request)}
        initial["issue_date"] = timezone.localdate()
        lines_initial = []

    def picked(name: str) -> list[int]:
        if data is not None:
            return id_list(data.getlist(name))
        return [initial[name]] if initial.get(name) else []

    form = QuoteForm(
        data,
        initial=initial,
        people=people_choices(user, picked("person")),
        organizations=organization_choices(user, picked("organization")),
        deals=_deal_options(user, picked("deal")),
    )
    include = [line["product"] for line in lines_initial if line.get("product")]
    if data is not None:
        include += id_list(v for k, v in data.items() if k.endswith("-product"))
    products = [
        (p.pk, f"{p.name} ({p.sku})")
        for p in catalogue_selectors.product_choices(user=user, include=include)
    ]
    lines = line_formset(data, initial=lines_initial or None, products=products)
    conflict = False
    if data is not None and form.is_valid() & lines.is_valid():
        payload = form.to_data(lines)
        try:
            if quote is None:
                saved = services.quote_create(actor=user, data=payload)
            else:
                saved = services.quote_update(
                    actor=user,
                    quote=quote,
                    data=payload,
                    expected_version=form.cleaned_data.get("version"),
                )
        except ValidationError as exc:
            rest = lines.add_line_errors(exc)
            if rest is not None:
                add_service_errors(form, rest, formsets={"lines": lines}, targets=ERROR_TARGETS)
        except VersionConflict:
            conflict = True
        else:
            text = _("Quote %(label)s saved.") if quote else _("Quote %(label)s created.")
            messages.success(request, text % {"label": saved.label})
            return redirect("sales:quote-detail", pk=saved.pk)
    return render(
        request,
        "sales/quotes/quote_form.html",
        {
            "quote": quote,
            "form": form,
            "lines": lines,
            "conflict": conflict,
            "cancel_url": (
                reverse("sales:quote-detail", kwargs={"pk": quote.pk})
                if quote
                else reverse("sales:quote-list")
            ),
        },
    )


urlpatterns: list[URLPattern] = [
    *record_urls(QUOTES, list=QuoteListView, create=quote_form, delete=RecordDeleteView),
    # The person picker lives in contacts; this older address stays for bookmarks.
    path("quotes/person-options/", person_options, name="quote-person-options"),
    path("quotes/<int:pk>/", quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/edit/", quote_form, name="quote-edit"),
    path("quotes/<int:pk>/pdf/", quote_pdf_download, name="quote-pdf"),
    path("quotes/<int:pk>/send/", quote_send, name="quote-send"),
    path("quotes/<int:pk>/accept/", quote_accept, name="quote-accept"),
    path("quotes/<int:pk>/reject/", quote_reject, name="quote-reject"),
    path("quotes/<int:pk>/revise/", quote_revise, name="quote-revise"),
]
