"""The "Bought together" pages: the rules list (by order or by customer, threshold
filters, sortable, paginated, CSV), mining again with lower thresholds, one product's
"bought together" (its page, and a panel for ``sales.product`` detail pages) and the
"Offer next" part of the person/organization panel (``views.customer_panel``)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.analytics import rules, rules_selectors, selectors, services
from clientela.analytics.baskets import Rule
from clientela.analytics.choices import AnalysisKind, BasketKind
from clientela.analytics.views import _require_reader, _status
from clientela.core.downloads import csv_cell as _cell
from clientela.core.forms import BootstrapMixin
from clientela.core.views.records import AuthedRequest, not_found_as_404
from clientela.sales.models import Product
from clientela.sales.selectors.catalogue import product_get

PER_PAGE = 50
SORT_LABELS = {
    "score": gettext_lazy("Strength"),
    "support": gettext_lazy("Support"),
    "confidence": gettext_lazy("Confidence"),
    "lift": gettext_lazy("Lift"),
    "count": gettext_lazy("Baskets"),
}


class RulesForm(BootstrapMixin, forms.Form):
    basket = forms.ChoiceField(choices=BasketKind.choices, required=False, widget=forms.HiddenInput)
    min_support = forms.CharField(
        label=gettext_lazy("Minimum support"),
        required=False,
        max_length=20,
    )
    min_confidence = forms.CharField(
        label=gettext_lazy("Minimum confidence"),
        required=False,
        max_length=20,
    )

    def __init__(self, *args: Any, floor: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.floor = floor
        for name in ("min_support", "min_confidence"):
            self.fields[name].widget.attrs.update(
                placeholder=f"{floor[name]:g}", inputmode="decimal"
            )
        self.below_floor = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["thresholds"] = rules.clean_filters(
                data.get("min_support"), data.get("min_confidence"), self.floor
            )
        except ValidationError as exc:
            self.below_floor = any(
                _share_below(data.get(name), self.floor[name])
                for name in ("min_support", "min_confidence")
            )
            for name, errors in exc.message_dict.items():
                for message in errors:
                    self.add_error(name, message)
        return data


def _share_below(raw: Any, floor: float) -> bool:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        return False
    return math.isfinite(value) and 0 < value < floor


def _percent(share: float) -> float:
    return round(share * 100, 1)


def rule_row(rule: Rule) -> dict[str, Any]:
    """A rule as the templates show it: products with links, figures rounded."""

    def side(ids: tuple[int, ...], names: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            {"id": pk, "name": name, "url": reverse("analytics:product-rules", args=[pk])}
            for pk, name in zip(ids, names, strict=True)
        ]

    return {
        "antecedents": side(rule.antecedents, rule.antecedent_names),
        "consequents": side(rule.consequents, rule.consequent_names),
        "support": _percent(rule.support),
        "confidence": _percent(rule.confidence),
        "lift": round(rule.lift, 2),
        "count": rule.count,
    }


def _parse(request: AuthedRequest) -> tuple[RulesForm, str, tuple[float, float] | None, str]:
    floor = rules.thresholds_of(rules_selectors.current_snapshot())
    form = RulesForm(request.GET or None, floor=floor)
    basket = request.GET.get("basket")
    basket = basket if basket in BasketKind.values else BasketKind.ORDER
    sort = request.GET.get("sort", "score")
    sort = sort if sort in rules_selectors.SORTS else "score"
    thresholds = form.cleaned_data["thresholds"] if form.is_valid() else None
    return form, basket, thresholds, sort


@login_required
def rules_page(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    form, basket, thresholds, sort = _parse(request)
    support, confidence = thresholds if thresholds else (None, None)
    result = rules_selectors.basket_rules(request.user, basket, support, confidence, sort)
    total = result.count()
    pages = max(1, math.ceil(total / PER_PAGE))
    try:
        number = min(max(1, int(request.GET.get("page", "1"))), pages)
    except ValueError:
        number = 1
    context = {
        "form": form,
        "basket": basket,
        "baskets": BasketKind.choices,
        "sort": sort,
        "sorts": [(key, SORT_LABELS[key]) for key in rules_selectors.SORTS],
        "result": result,
        "rows": [rule_row(r) for r in result.page((number - 1) * PER_PAGE, PER_PAGE)],
        "total": total,
        "number": number,
        "pages": pages,
        "minimum": {k: _percent(v) for k, v in result.floor.items() if k != "max_length"},
        "shown": {k: _percent(v) for k, v in result.thresholds.items() if k != "max_length"},
        "may_mine": form.below_floor and services.may_refresh(request.user),
        "status": _status(AnalysisKind.BASKET_RULES),
    }
    return render(request, "analytics/rules.html", context)


@login_required
def rules_csv(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    form, basket, thresholds, sort = _parse(request)
    if form.is_bound and thresholds is None:
        return redirect(f"{reverse('analytics:rules')}?{request.GET.urlencode()}")
    support, confidence = thresholds if thresholds else (None, None)
    result = rules_selectors.basket_rules(request.user, basket, support, confidence, sort)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Who buys"),
            "antecedent_ids",
            _("Also buys"),
            "consequent_ids",
            _("Support"),
            _("Confidence"),
            _("Lift"),
            _("Baskets"),
        ]
    )
    for rule in result.all():
        writer.writerow(
            [
                _cell(" + ".join(rule.antecedent_names)),
                " ".join(map(str, rule.antecedents)),
                _cell(" + ".join(rule.consequent_names)),
                " ".join(map(str, rule.consequents)),
                f"{rule.support:.6f}",
                f"{rule.confidence:.6f}",
                f"{rule.lift:.6f}",
                rule.count,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bought-together-{basket}.csv"'
    return response


@login_required
@require_POST
def mine_again(request: AuthedRequest) -> HttpResponse:
    """Refresh the rules with the thresholds of the form (lower than the snapshot's)."""
    _require_reader(request.user)
    try:
        chosen = rules.clean_parameters(
            request.POST.get("min_support"), request.POST.get("min_confidence")
        )
        services.refresh(
            request.user,
            kinds=[AnalysisKind.BASKET_RULES],
            parameters={AnalysisKind.BASKET_RULES: chosen} if chosen else None,
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("The rules are being mined again with these thresholds."))
    return redirect("analytics:rules")


def product_panel(request: HttpRequest, product: Product) -> dict[str, Any]:
    """The context of ``analytics/_bought_together.html``: the products bought in the
    same order as ``product``, as the reader may see them."""
    if not selectors.may_read(request.user):
        return {"hidden": True}
    found = rules_selectors.bought_together(request.user, product, limit=5)
    return {
        "product": product,
        "together": [rule_row(r) for r in found],
        "computed": rules_selectors.current_snapshot() is not None,
    }


@login_required
@not_found_as_404
def product_page(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    product = product_get(user=request.user, pk=pk)
    context = {
        **product_panel(request, product),
        "status": _status(AnalysisKind.BASKET_RULES),
    }
    return render(request, "analytics/product_rules.html", context)


urlpatterns: list[URLPattern] = [
    path("analytics/bought-together/", rules_page, name="rules"),
    path("analytics/bought-together/csv/", rules_csv, name="rules-csv"),
    path("analytics/bought-together/mine/", mine_again, name="rules-mine"),
    path("analytics/bought-together/products/<int:pk>/", product_page, name="product-rules"),
]
