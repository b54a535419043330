"""The order pages: the list (filters, sorting, pages), one order (lines, totals,
status actions, history), an order taken by phone, delete with Undo, and the
"Purchase history" panel on person and organization pages."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from clientela.contacts.models import Organization, Person
from clientela.contacts.views.pickers import organization_choices, people_choices, person_options
from clientela.core.errors import VersionConflict
from clientela.core.forms import id_list, local_input
from clientela.core.permissions import can
from clientela.core.views.kinds import (
    KindView,
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    RecordRestoreView,
    record_urls,
)
from clientela.sales import money
from clientela.sales.choices import OrderStatus
from clientela.sales.forms.orders import (
    OrderForm,
    OrderStatusForm,
    add_order_errors,
    line_formset,
)
from clientela.sales.kinds import ORDERS
from clientela.sales.models import Order, Quote
from clientela.sales.selectors import orders as selectors
from clientela.sales.selectors.rates import base_currency
from clientela.sales.services import orders as services

STATUS_BADGES = {
    OrderStatus.OPEN: "text-bg-primary",
    OrderStatus.FULFILLED: "text-bg-success",
    OrderStatus.CANCELLED: "text-bg-secondary",
}


def fmt(amount: Decimal | None, currency: str) -> str:
    """An amount for people to read, in the page's language."""
    return money.money_text(amount, currency)


def _decorate(order: Order) -> Order:
    """Display values the templates show (money formatted in the page's language)."""
    order.total_display = fmt(order.total, order.currency)  # type: ignore[attr-defined]
    badge = STATUS_BADGES.get(OrderStatus(order.status), "text-bg-light")
    order.badge = badge  # type: ignore[attr-defined]
    return order


class OrderListView(RecordListView):
    def decorate(self, records: Sequence[Any]) -> None:
        for order in records:
            _decorate(order)


class OrderDetailView(RecordDetailView):
    """An order's page: its lines and totals, the status buttons, its quote and deal."""

    def get_record(self, pk: Any) -> Any:
        return _decorate(selectors.order_detail(self.user, pk))

    def detail_context(self, record: Any) -> dict[str, Any]:
        order = cast(Order, record)
        lines = list(order.lines.all())
        can_update = self.may("update")
        moves = services.STATUS_MOVES.get(order.status, frozenset()) if can_update else frozenset()
        return {
            "lines": lines,
            "can_fulfil": OrderStatus.FULFILLED in moves,
            "can_cancel": OrderStatus.CANCELLED in moves,
            "links": {
                "quote": reverse("sales:quote-detail", args=[order.quote_id])
                if order.quote_id
                else "",
                "deal": reverse("sales:deal-detail", args=[order.deal_id]) if order.deal_id else "",
            },
        }


class OrderCreateView(RecordFormView):
    """An order taken by phone: ``?person=<id>`` / ``?organization=<id>`` pre-fill the
    customer (the "New order" link of a customer's purchase history)."""

    def get_form(self, data: QueryDict | None, record: Any) -> Any:
        source = data if data is not None else self.request.GET
        self.person_ids = id_list(source.getlist("person"))
        self.org_ids = id_list(source.getlist("organization"))
        initial: dict[str, Any] = {
            "currency": base_currency(),
            "ordered_at": local_input(timezone.now()),
            "status": OrderStatus.OPEN,
            "person": self.person_ids[0] if self.person_ids else None,
            "organization": self.org_ids[0] if self.org_ids else None,
        }
        self.lines = line_formset(data, products=selectors.product_choices())
        return OrderForm(
            data,
            initial=initial,
            people=people_choices(self.user, self.person_ids),
            organizations=organization_choices(self.user, self.org_ids),
        )

    def is_valid(self, form: Any) -> bool:
        return bool(form.is_valid() & self.lines.is_valid())

    def save(self, form: Any, record: Any) -> Any:
        items, self.rows = self.lines.lines()
        order, _created = services.order_create(actor=self.user, data=form.to_data(items))
        return order

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        add_order_errors(form, self.lines, self.rows, exc)

    def cancel_url(self, record: Any) -> str:
        """Back to the customer whose "New order" link opened the form."""
        if self.request.method == "GET" and self.person_ids:
            return reverse("contacts:person-detail", kwargs={"pk": self.person_ids[0]})
        if self.request.method == "GET" and self.org_ids:
            return reverse("contacts:organization-detail", kwargs={"pk": self.org_ids[0]})
        return self.url("list")

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {"lines": self.lines}


class OrderStatusView(KindView):
    """Mark fulfilled or cancel (a POST of the detail page's buttons)."""

    http_method_names = ("post",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.get_record(pk)
        form = OrderStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose open, fulfilled or cancelled."))
            return redirect(self.url("detail", order))
        try:
            order = services.order_set_status(
                actor=self.user,
                order=order,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data.get("version"),
            )
        except VersionConflict:
            messages.error(request, self.message("stale", order))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            text = {
                OrderStatus.FULFILLED: _("Order %(number)s marked fulfilled."),
                OrderStatus.CANCELLED: _("Order %(number)s cancelled."),
            }.get(OrderStatus(order.status), _("Order %(number)s saved."))
            messages.success(request, text % {"number": order.number})
        return redirect(self.url("detail", order))


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
    *record_urls(
        ORDERS,
        list=OrderListView,
        create=OrderCreateView,
        detail=OrderDetailView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
    ),
    # The person picker lives in contacts; this older address stays for bookmarks.
    path("orders/person-options/", person_options, name="order-person-options"),
    path("orders/<int:pk>/status/", OrderStatusView.as_view(kind=ORDERS), name="order-status"),
]
