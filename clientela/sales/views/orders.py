"""The order pages: the list (filters, sorting, pages), one order (lines, totals,
status actions, history), an order taken by phone, delete with Undo, and the
"Purchase history" panel on person and organization pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.activities.forms import local_input
from clientela.contacts import selectors as contact_selectors
from clientela.contacts.filters import ContactFilters
from clientela.contacts.models import Organization, Person
from clientela.core import selectors as core_selectors
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import can, require
from clientela.core.views.records import AuthedRequest, history_rows, not_found_as_404
from clientela.sales import money
from clientela.sales.choices import OrderStatus
from clientela.sales.forms.orders import (
    OrderFilterForm,
    OrderForm,
    OrderStatusForm,
    add_order_errors,
    line_formset,
)
from clientela.sales.models import Order, Quote
from clientela.sales.selectors import orders as selectors
from clientela.sales.selectors.rates import base_currency
from clientela.sales.services import orders as services

RESULTS_ID = "order-results"
PICKER_LIMIT = 20
HISTORY_LABELS: dict[str, Any] = {
    "lines": gettext_lazy("Lines"),
    "person": gettext_lazy("Person"),
    "organization": gettext_lazy("Organization"),
    "external_id": gettext_lazy("External id"),
}
STATUS_BADGES = {
    OrderStatus.OPEN: "text-bg-primary",
    OrderStatus.FULFILLED: "text-bg-success",
    OrderStatus.CANCELLED: "text-bg-secondary",
}


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def fmt(amount: Decimal | None, currency: str) -> str:
    """An amount for people to read, in the page's language."""
    return "" if amount is None else money.format_money(amount, currency, _language())


def safe_url(name: str, **kwargs: Any) -> str:
    """The URL of another part's page, or "" while that part has none yet."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def columns() -> list[dict[str, Any]]:
    return [
        {"label": gettext_lazy("Number"), "sort": "number", "css": ""},
        {"label": gettext_lazy("Ordered"), "sort": "ordered", "css": "d-none d-sm-table-cell"},
        {"label": gettext_lazy("Customer"), "sort": None, "css": ""},
        {"label": gettext_lazy("Status"), "sort": "status", "css": "d-none d-md-table-cell"},
        {"label": gettext_lazy("Total"), "sort": "total", "css": "text-end"},
        {"label": gettext_lazy("Owner"), "sort": None, "css": "d-none d-lg-table-cell"},
    ]


def _decorate(order: Order) -> Order:
    """Display values the templates show (money formatted in the page's language)."""
    order.total_display = fmt(order.total, order.currency)  # type: ignore[attr-defined]
    badge = STATUS_BADGES.get(OrderStatus(order.status), "text-bg-light")
    order.badge = badge  # type: ignore[attr-defined]
    return order


@login_required
@require_GET
def order_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    filters, errors = selectors.OrderFilters.from_params(request.GET)
    page = WindowPaginator(selectors.order_list(user, filters), settings.CLIENTELA_PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    for order in page_obj.object_list:
        _decorate(order)
    filtering = any(
        v for k, v in request.GET.items() if k not in {"page", "sort"} and k not in errors
    )
    context: dict[str, Any] = {
        "page_obj": page_obj,
        "records": page_obj.object_list,
        "columns": columns(),
        "filter_errors": [m for found in errors.values() for m in found],
        "filtering": filtering,
        "results_id": RESULTS_ID,
        "list_url": reverse("sales:order-list"),
        "current_sort": filters.sort_param,
        "can_create": can(user, "create", Order.RESOURCE),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "sales/orders/_results.html", context)
    context["filter_form"] = OrderFilterForm(
        initial=request.GET.dict(), users=core_selectors.user_choices()
    )
    return render(request, "sales/orders/list.html", context)


@login_required
@require_GET
@not_found_as_404
def order_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    order = _decorate(selectors.order_detail(user, pk))
    lines = list(order.lines.all())
    for line in lines:
        line.unit_price_display = fmt(line.unit_price, order.currency)  # type: ignore[attr-defined]
        line.subtotal_display = fmt(line.subtotal, order.currency)  # type: ignore[attr-defined]
        line.total_display = fmt(line.total, order.currency)  # type: ignore[attr-defined]
    can_update = can(user, "update", Order.RESOURCE)
    moves = services.STATUS_MOVES.get(order.status, frozenset()) if can_update else frozenset()
    links = {
        "quote": safe_url("sales:quote-detail", pk=order.quote_id) if order.quote_id else "",
        "deal": safe_url("sales:deal-detail", pk=order.deal_id) if order.deal_id else "",
    }
    return render(
        request,
        "sales/orders/detail.html",
        {
            "order": order,
            "lines": lines,
            "totals": [
                (_("Subtotal"), fmt(order.subtotal, order.currency)),
                (_("Tax"), fmt(order.tax_total, order.currency)),
            ],
            "can_fulfil": OrderStatus.FULFILLED in moves,
            "can_cancel": OrderStatus.CANCELLED in moves,
            "can_delete": can(user, "delete", Order.RESOURCE),
            "links": links,
            "history": history_rows(order, labels=HISTORY_LABELS),
        },
    )


def _people_options(user: Any, ids: list[int]) -> list[tuple[int, str]]:
    if not ids:
        return []
    people = contact_selectors.person_list(user=user).filter(pk__in=ids[:10])
    return [(p.pk, str(p)) for p in people]


def _organization_options(user: Any, ids: list[int]) -> list[tuple[int, str]]:
    options = {o.pk: o.name for o in contact_selectors.organization_choices(user=user, limit=100)}
    for pk in ids:
        if pk not in options:
            try:
                options[pk] = contact_selectors.organization_get(user=user, pk=pk).name
            except NotFound:
                continue
    return sorted(options.items(), key=lambda item: item[1].casefold())


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and 0 < int(v) < 2**63]


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request: AuthedRequest) -> HttpResponse:
    """An order taken by phone: ``?person=<id>`` / ``?organization=<id>`` pre-fill the
    customer (the "New order" link of a customer's purchase history)."""
    user = request.user
    require(user, "create", Order.RESOURCE)
    data = request.POST if request.method == "POST" else None
    source = request.POST if data is not None else request.GET
    person_ids = _ids(source.getlist("person"))
    org_ids = _ids(source.getlist("organization"))
    initial: dict[str, Any] = {
        "currency": base_currency(),
        "ordered_at": local_input(timezone.now()),
        "status": OrderStatus.OPEN,
        "person": person_ids[0] if person_ids else None,
        "organization": org_ids[0] if org_ids else None,
    }
    form = OrderForm(
        data,
        initial=initial,
        people=_people_options(user, person_ids),
        organizations=_organization_options(user, org_ids),
    )
    lines = line_formset(data, products=selectors.product_choices())
    if data is not None and form.is_valid() & lines.is_valid():
        items, rows = lines.lines()
        try:
            order, _created = services.order_create(actor=user, data=form.to_data(items))
        except ValidationError as exc:
            add_order_errors(form, lines, rows, exc)
        else:
            messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
            return redirect("sales:order-detail", pk=order.pk)
    cancel_url = reverse("sales:order-list")
    if person_ids and not data:
        cancel_url = reverse("contacts:person-detail", kwargs={"pk": person_ids[0]})
    elif org_ids and not data:
        cancel_url = reverse("contacts:organization-detail", kwargs={"pk": org_ids[0]})
    return render(
        request,
        "sales/orders/form.html",
        {"form": form, "lines": lines, "cancel_url": cancel_url},
    )


@login_required
@require_POST
@not_found_as_404
def order_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark fulfilled or cancel (a POST of the detail page's buttons)."""
    order = selectors.order_get(request.user, pk)
    form = OrderStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose open, fulfilled or cancelled."))
        return redirect("sales:order-detail", pk=order.pk)
    try:
        order = services.order_set_status(
            actor=request.user,
            order=order,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data.get("version"),
        )
    except VersionConflict:
        messages.error(
            request, _("Someone changed this order after you opened it. Check it again.")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = {
            OrderStatus.FULFILLED: _("Order %(number)s marked fulfilled."),
            OrderStatus.CANCELLED: _("Order %(number)s cancelled."),
        }.get(OrderStatus(order.status), _("Order %(number)s saved."))
        messages.success(request, text % {"number": order.number})
    return redirect("sales:order-detail", pk=order.pk)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def order_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    order = selectors.order_get(user, pk)
    require(user, "delete", Order.RESOURCE)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("version", "")
        try:
            services.order_trash(
                actor=user, order=order, expected_version=int(raw) if raw.isdigit() else None
            )
        except VersionConflict:
            error = _("Someone changed this order after you opened this page. Check it again.")
        else:
            text = _("Order %(number)s was moved to the trash, where it stays for %(days)s days.")
            # Only admins may restore, so only they get the Undo button.
            tags = ""
            if user.is_admin:
                tags = "undo:" + reverse("sales:order-restore", kwargs={"pk": order.pk})
            messages.success(
                request,
                text % {"number": order.number, "days": settings.CLIENTELA_TRASH_DAYS},
                extra_tags=tags,
            )
            return redirect("sales:order-list")
    return render(
        request,
        "sales/orders/confirm_delete.html",
        {
            "record": order,
            "error": error,
            "trash_days": settings.CLIENTELA_TRASH_DAYS,
            "cancel_url": reverse("sales:order-detail", kwargs={"pk": order.pk}),
        },
    )


@login_required
@require_POST
@not_found_as_404
def order_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    order = selectors.order_trash_get(request.user, pk)
    services.order_restore(actor=request.user, order=order)
    messages.success(request, _("Order %(number)s is back from the trash.") % {"number": order})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("sales:order-detail", pk=order.pk)


@login_required
@require_GET
def person_options(request: AuthedRequest) -> HttpResponse:
    """``<option>``s of the visible people matching ``person_q`` (the order form's
    person picker)."""
    query = (request.GET.get("person_q") or "").strip()[:100]
    people = []
    if query:
        found = contact_selectors.person_list(user=request.user, filters=ContactFilters(q=query))
        people = list(found[:PICKER_LIMIT])
    return render(request, "sales/orders/_person_options.html", {"people": people, "query": query})


# --- the purchase history panel of person and organization pages ----------------------


def purchase_history_panel(request: HttpRequest, record: Person | Organization) -> dict[str, Any]:
    """The context of ``sales/orders/_purchase_history.html`` (``core.registry`` panel)."""
    user = request.user
    is_person = isinstance(record, Person)
    if isinstance(record, Person):
        history = selectors.purchase_history(user, person=record)
    else:
        history = selectors.purchase_history(user, organization=record)
    for order in history.orders:
        _decorate(order)
    kind = "person" if is_person else "organization"
    query = urlencode({kind: record.pk})
    key = "person_id" if is_person else "organization_id"
    return {
        "history": history,
        "totals": [(code, fmt(amount, code)) for code, amount in history.totals.items()],
        "total_in_base": fmt(history.total_in_base, history.base_currency),
        "show_base": bool(history.totals) and list(history.totals) != [history.base_currency],
        "create_url": (
            f"{reverse('sales:order-create')}?{query}"
            if can(user, "create", Order.RESOURCE)
            else ""
        ),
        "all_url": f"{reverse('sales:order-list')}?{urlencode({key: record.pk})}",
        "quote_url": (
            f"{reverse('sales:quote-create')}?{query}"
            if can(user, "create", Quote.RESOURCE)
            else ""
        ),
    }


urlpatterns: list[URLPattern] = [
    path("orders/", order_list, name="order-list"),
    path("orders/new/", order_create, name="order-create"),
    path("orders/person-options/", person_options, name="order-person-options"),
    path("orders/<int:pk>/", order_detail, name="order-detail"),
    path("orders/<int:pk>/status/", order_status, name="order-status"),
    path("orders/<int:pk>/delete/", order_delete, name="order-delete"),
    path("orders/<int:pk>/restore/", order_restore, name="order-restore"),
]
