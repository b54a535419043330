"""The catalogue pages: the product list (everyone) with create/edit (admins and
managers); the admin settings pages for price lists and currencies (base currency,
quote validity, exchange rates). Anyone but an admin gets 404 on the settings pages,
as on the other admin settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.core.forms import add_service_errors
from clientela.core.views.kinds import (
    KindView,
    RecordDeleteView,
    RecordFormView,
    RecordListView,
    record_urls,
)
from clientela.core.views.records import AuthedRequest, not_found_as_404, require_admin
from clientela.sales.forms.catalogue import (
    ExchangeRateForm,
    PriceListForm,
    SalesSettingsForm,
    decimal_text,
    price_formset,
)
from clientela.sales.kinds import PRODUCTS
from clientela.sales.models import SalesSettings
from clientela.sales.selectors import catalogue as selectors
from clientela.sales.services import catalogue as services

SHOW = {"": True, "inactive": False, "all": None}


# --- products -------------------------------------------------------------------------


class ProductPages(KindView):
    """The catalogue is kept by admins and managers (products have no role rights), and
    its messages name a product by its name (not "SKU · name")."""

    def may(self, action: str) -> bool:
        return selectors.may_manage_products(self.user)

    def check(self, action: str) -> None:
        services.require_product_manager(self.user)

    def message(self, key: str, record: Any) -> str:
        return super().message(key, record.name)


class ProductListView(ProductPages, RecordListView):
    """The catalogue: everyone signed in reads it, admins and managers keep it."""

    def parse_filters(self, params: QueryDict) -> tuple[Any, dict[str, list[str]]]:
        show = params.get("show", "")
        # An unknown choice shows the active products, as no choice does.
        errors: dict[str, list[str]] = {} if show in SHOW else {"show": []}
        q = (params.get("q") or "").strip()[:100]
        sort = selectors.product_sort(params.get("sort"))
        return {"active": SHOW.get(show, True), "q": q, "sort": sort}, errors

    def get_queryset(self, filters: Any) -> Any:
        return selectors.product_list(user=self.user, **filters)

    def current_sort(self, filters: Any) -> str:
        return str(filters["sort"])

    def extra_context(self, filters: Any) -> dict[str, Any]:
        return {"can_manage": self.may("update")}


class ProductFormView(ProductPages, RecordFormView):
    """Create or edit a product; back to the list (a product has no page of its own)."""

    def initial(self, record: Any) -> dict[str, Any]:
        if record is None:
            return {"currency": SalesSettings.load().base_currency, "is_active": True}
        return super().initial(record)

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        return {}

    def payload(self, form: Any, record: Any) -> Any:
        return form.to_data()


class ProductDeleteView(ProductPages, RecordDeleteView):
    """The product form's Delete button (no confirmation page): to the trash, with the
    Undo in the message. Quotes and orders naming the product keep their lines."""

    http_method_names = ("post",)


# --- price lists (admin) --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def price_lists(request: AuthedRequest) -> HttpResponse:
    require_admin(request)
    base = SalesSettings.load().base_currency
    form = PriceListForm(
        request.POST if request.method == "POST" else None,
        initial={"currency": base, "is_active": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.price_list_create(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Price list “%(name)s” created.") % {"name": created.name})
            return redirect("sales:price-list-edit", pk=created.pk)
    lists = selectors.price_list_list(user=request.user)
    return render(
        request,
        "sales/catalogue/price_lists.html",
        {"price_lists": lists, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def price_list_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    price_list = selectors.price_list_get(user=request.user, pk=pk)
    items = list(selectors.price_list_items(price_list=price_list))
    include = [i.product_id for i in items]
    products = [
        (p.pk, str(p)) for p in selectors.product_choices(user=request.user, include=include)
    ]
    data = request.POST if request.method == "POST" else None
    form = PriceListForm(
        data,
        initial={
            "name": price_list.name,
            "currency": price_list.currency,
            "is_active": price_list.is_active,
        },
    )
    formset = price_formset(
        data,
        initial=[{"product": i.product_id, "unit_price": decimal_text(i.unit_price)} for i in items]
        or None,
        products=products,
    )
    if data is not None and form.is_valid() & formset.is_valid():
        try:
            with transaction.atomic():
                saved = services.price_list_update(
                    actor=request.user, price_list=price_list, data=form.to_data()
                )
                services.price_list_set_items(
                    actor=request.user, price_list=saved, items=formset.items()
                )
        except ValidationError as exc:
            rest = _item_errors(formset, exc)
            if rest is not None:
                add_service_errors(form, rest)
        else:
            messages.success(request, _("Price list “%(name)s” saved.") % {"name": saved.name})
            return redirect("sales:price-list-edit", pk=saved.pk)
    return render(
        request,
        "sales/catalogue/price_list_form.html",
        {"price_list": price_list, "form": form, "formset": formset},
    )


def _item_errors(formset: Any, exc: ValidationError) -> ValidationError | None:
    """``items`` and ``items.<n>.<field>`` errors from the service, shown above the
    prices (with the row number); returns the other errors."""
    if not hasattr(exc, "error_dict"):
        return exc
    rest: dict[str, list[str]] = {}
    for key, messages_ in exc.message_dict.items():
        parts = key.split(".")
        if parts[0] != "items":
            rest[key] = messages_
            continue
        for message in messages_:
            if len(parts) > 1 and parts[1].isdigit():
                message = _("Price %(n)s: %(message)s") % {
                    "n": int(parts[1]) + 1,
                    "message": message,
                }
            formset.service_errors.append(message)
    return ValidationError(rest) if rest else None


@login_required
@require_POST
@not_found_as_404
def price_list_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    price_list = selectors.price_list_get(user=request.user, pk=pk)
    services.price_list_delete(actor=request.user, price_list=price_list)
    messages.success(request, _("Price list “%(name)s” deleted.") % {"name": price_list.name})
    return redirect("sales:price-lists")


# --- currencies (admin) ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def currencies(request: AuthedRequest) -> HttpResponse:
    """The base currency and quote validity, and the exchange rates table with a form
    to add a rate. The two forms post here, told apart by ``action``."""
    require_admin(request)
    current = SalesSettings.load()
    action = request.POST.get("action") if request.method == "POST" else None
    settings_form = SalesSettingsForm(
        request.POST if action == "settings" else None,
        initial={
            "base_currency": current.base_currency,
            "quote_validity_days": current.quote_validity_days,
        },
    )
    rate_form = ExchangeRateForm(request.POST if action == "add-rate" else None)
    if action == "settings" and settings_form.is_valid():
        try:
            services.sales_settings_update(actor=request.user, data=settings_form.to_data())
        except ValidationError as exc:
            add_service_errors(settings_form, exc)
        else:
            messages.success(request, _("Sales settings saved."))
            return redirect("sales:currencies")
    elif action == "add-rate" and rate_form.is_valid():
        try:
            rate = services.exchange_rate_create(actor=request.user, data=rate_form.to_data())
        except ValidationError as exc:
            add_service_errors(rate_form, exc)
        else:
            messages.success(
                request, _("Exchange rate of %(currency)s added.") % {"currency": rate.currency}
            )
            return redirect("sales:currencies")
    return render(
        request,
        "sales/catalogue/currencies.html",
        {
            "settings": current,
            "settings_form": settings_form,
            "rate_form": rate_form,
            "rates": selectors.exchange_rate_list(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def exchange_rate_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    rate = selectors.exchange_rate_get(user=request.user, pk=pk)
    form = ExchangeRateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "currency": rate.currency,
            "rate": decimal_text(rate.rate),
            "valid_from": rate.valid_from,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_update(actor=request.user, rate=rate, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect("sales:currencies")
    return render(
        request,
        "sales/catalogue/exchange_rate_form.html",
        {"rate": rate, "form": form, "base": SalesSettings.load().base_currency},
    )


@login_required
@require_POST
@not_found_as_404
def exchange_rate_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    rate = selectors.exchange_rate_get(user=request.user, pk=pk)
    services.exchange_rate_delete(actor=request.user, rate=rate)
    messages.success(request, _("Exchange rate deleted."))
    return redirect("sales:currencies")


urlpatterns: list[URLPattern] = [
    *record_urls(
        PRODUCTS,
        list=ProductListView,
        create=ProductFormView,
        edit=ProductFormView,
        delete=ProductDeleteView,
    ),
    path("settings/price-lists/", price_lists, name="price-lists"),
    path("settings/price-lists/<int:pk>/", price_list_edit, name="price-list-edit"),
    path("settings/price-lists/<int:pk>/delete/", price_list_delete, name="price-list-delete"),
    path("settings/currencies/", currencies, name="currencies"),
    path("settings/currencies/rates/<int:pk>/", exchange_rate_edit, name="exchange-rate-edit"),
    path(
        "settings/currencies/rates/<int:pk>/delete/",
        exchange_rate_delete,
        name="exchange-rate-delete",
    ),
]
