"""The deal pages: the kanban board (drag and drop, or the "Move to…" select), the list,
a deal's page (stage history, quotes, activities, audit history), create/edit, the
move endpoint, delete with undo, and the "Deals" panel of person and organization
pages. Each view parses input, calls one selector or service and renders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, to_locale
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.activities.views.common import (
    organization_options,
    people_options,
    prefilled_links,
    submitted_ids,
    user_options,
)
from clientela.contacts.models import Organization, Person
from clientela.core import selectors as core_selectors
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.forms import add_service_errors
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import can, require
from clientela.core.views.records import AuthedRequest, history_rows, not_found_as_404
from clientela.sales import money
from clientela.sales.choices import DealStatus
from clientela.sales.forms.deals import ERROR_TARGETS, BoardFilterForm, DealFilterForm, DealForm
from clientela.sales.models import Deal, Pipeline, SalesSettings
from clientela.sales.selectors import deals as selectors
from clientela.sales.selectors import pipelines as pipeline_selectors
from clientela.sales.selectors.deals import Board, DealFilters
from clientela.sales.services import deals as services

RESULTS_ID = "deal-results"
#: Query parameters of the board that narrow what it shows (kept across moves).
BOARD_PARAMS = ("pipeline", "owner", "team", "close_month")
HISTORY_LABELS = {"people": gettext_lazy("Contacts")}


def money_text(amount: Decimal | None, currency: str) -> str:
    """An amount for people to read in the current language ("€1,234.50")."""
    if amount is None or not currency:
        return ""
    return money.format_money(amount, currency, to_locale(get_language() or "en"))


def money_short(amount: Decimal, currency: str) -> str:
    """A card's amount: the number in the locale's format and the currency code
    ("1,234.50 EUR"); several times faster than Babel's currency format, which matters
    on a board of a few hundred cards."""
    digits = money.exponent(currency)
    number = number_format(
        money.quantize(amount, currency), digits, use_l10n=True, force_grouping=True
    )
    return f"{number} {currency}"


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    """A URL of another part of the app that may not be there yet (quotes)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return None


# --- the board ------------------------------------------------------------------------


def _board_pipeline(request: AuthedRequest, filters: DealFilters) -> Pipeline | None:
    """The pipeline asked for (404 when unknown), else the first active one."""
    if filters.pipeline is not None:
        return pipeline_selectors.pipeline_get(pk=filters.pipeline)
    return pipeline_selectors.pipeline_list(active_only=True).first()


def _board_query(params: Any, pipeline: Pipeline) -> str:
    kept = {k: params.get(k) for k in BOARD_PARAMS if params.get(k)}
    kept["pipeline"] = str(pipeline.pk)
    return urlencode(kept)


def _decorate(board: Board) -> None:
    """What the cards show, prepared once per board rather than per card in the
    template (a board shows a few hundred cards): readable amounts, the cards' URLs and
    each column's "Move to…" options (every other stage)."""
    detail_url = reverse("sales:deal-detail", kwargs={"pk": 1}).replace("/1/", "/{}/")
    move_url = reverse("sales:deal-move", kwargs={"pk": 1}).replace("/1/", "/{}/")
    for column in board.columns:
        column.total_text = money_text(column.total, board.base_currency)  # type: ignore[attr-defined]
        column.options_html = format_html_join(  # type: ignore[attr-defined]
            "",
            '<option value="{}">{}</option>',
            ((c.stage.pk, c.stage.name) for c in board.columns if c.stage.pk != column.stage.pk),
        )
        for deal in column.cards:
            _decorate_card(deal, detail_url, move_url, column.options_html)  # type: ignore[attr-defined]


def _decorate_card(deal: Deal, detail_url: str, move_url: str, options_html: str) -> None:
    deal.amount_text = money_short(deal.amount, deal.currency)  # type: ignore[attr-defined]
    deal.detail_url = detail_url.format(deal.pk)  # type: ignore[attr-defined]
    deal.move_url = move_url.format(deal.pk)  # type: ignore[attr-defined]
    deal.options_html = options_html  # type: ignore[attr-defined]


def _board_context(
    request: AuthedRequest, pipeline: Pipeline, filters: DealFilters, params: Any
) -> dict[str, Any]:
    board = selectors.board(request.user, pipeline, filters)
    _decorate(board)
    return {
        "board": board,
        "pipeline": pipeline,
        "board_query": _board_query(params, pipeline),
        "board_url": reverse("sales:deal-board"),
        "can_move": can(request.user, "update", Deal.RESOURCE),
        "stage_options": [(c.stage.pk, c.stage.name) for c in board.columns],
        "list_url": reverse("sales:deal-list"),
    }


@login_required
@require_GET
@not_found_as_404
def deal_board(request: AuthedRequest) -> HttpResponse:
    filters, errors = DealFilters.from_params(request.GET)
    pipeline = _board_pipeline(request, filters)
    user = request.user
    pipelines = list(pipeline_selectors.pipeline_list(active_only=False))
    if pipeline is None:
        return render(request, "sales/deals/board.html", {"pipeline": None, "pipelines": []})
    context = _board_context(request, pipeline, filters, request.GET)
    context["filter_errors"] = [m for msgs in errors.values() for m in msgs]
    if request.htmx and not request.htmx.boosted:
        return render(request, "sales/deals/_board.html", context)
    context.update(
        {
            "pipelines": pipelines,
            "filter_form": BoardFilterForm(
                initial={**request.GET.dict(), "pipeline": pipeline.pk},
                pipelines=[(p.pk, p.name) for p in pipelines if p.is_active or p == pipeline],
                users=user_options(),
                teams=[(t.pk, t.name) for t in core_selectors.team_list()],
            ),
            "can_create": can(user, "create", Deal.RESOURCE),
            "report_url": f"{reverse('sales:deal-report')}?pipeline={pipeline.pk}",
        }
    )
    return render(request, "sales/deals/board.html", context)


@login_required
@require_POST
@not_found_as_404
def deal_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move a deal to another stage. Answers, by who asked:
    the board's drag and drop (``fragment=headers``): the column headers and the moved
    card (the script swaps them in), or a plain-text error with a 4xx status;
    the card's "Move to…" select (htmx): the whole board, with the error on top;
    a plain form: a redirect back, with a message."""
    user = request.user
    deal = selectors.deal_get(user=user, pk=pk)
    raw_stage = request.POST.get("stage_id", "")
    raw_version = request.POST.get("version", "")
    reason = request.POST.get("lost_reason")
    error, status = "", 200
    try:
        moved = services.deal_move(
            actor=user,
            deal=deal,
            stage_id=int(raw_stage) if raw_stage.isdigit() else raw_stage,
            expected_version=int(raw_version) if raw_version.isdigit() else None,
            lost_reason=reason.strip() if reason else None,
        )
    except ValidationError as exc:
        error, status, moved = " ".join(exc.messages), 422, deal
    except VersionConflict:
        error = _("Someone changed this deal meanwhile; the board now shows it as it is.")
        status, moved = 409, deal
    except PermissionDenied as exc:
        error, status, moved = str(exc), 403, deal
    done = _("“%(name)s” moved to %(stage)s.") % {"name": moved, "stage": moved.stage.name}
    query = QueryDict(request.POST.get("board_query", ""))
    filters, _errors = DealFilters.from_params(query)
    if request.POST.get("fragment") == "headers":
        if error:
            return HttpResponse(error, status=status, content_type="text/plain; charset=utf-8")
        context = _board_context(request, moved.pipeline, filters, query)
        column = next(c for c in context["board"].columns if c.stage.pk == moved.stage_id)
        _decorate_card(
            moved,
            reverse("sales:deal-detail", kwargs={"pk": moved.pk}),
            reverse("sales:deal-move", kwargs={"pk": moved.pk}),
            column.options_html,
        )
        context.update({"deal": moved, "message": done})
        return render(request, "sales/deals/_move_result.html", context)
    if request.htmx:
        context = _board_context(request, moved.pipeline, filters, query)
        context.update({"board_error": error, "board_message": "" if error else done})
        if not error:
            context["focus_card"] = moved.pk
        return render(request, "sales/deals/_board.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_safe_next(request) or reverse("sales:deal-detail", kwargs={"pk": moved.pk}))


@login_required
@require_GET
@not_found_as_404
def deal_report(request: AuthedRequest) -> HttpResponse:
    """Time in stage and stage-to-stage conversion of a pipeline (the board's report)."""
    filters, _errors = DealFilters.from_params(request.GET)
    pipeline = _board_pipeline(request, filters)
    if pipeline is None:
        raise NotFound()
    rows = selectors.time_in_stage_report(request.user, pipeline)
    context = {"pipeline": pipeline, "rows": rows}
    template = "sales/deals/_report.html" if request.htmx else "sales/deals/report.html"
    return render(request, template, context)


# --- the list -------------------------------------------------------------------------


def _columns() -> list[dict[str, Any]]:
    return [
        {"label": gettext_lazy("Deal"), "sort": "title", "css": ""},
        {"label": gettext_lazy("Stage"), "sort": "stage", "css": "d-none d-sm-table-cell"},
        {"label": gettext_lazy("Amount"), "sort": "amount", "css": "text-end"},
        {
            "label": gettext_lazy("Probability"),
            "sort": "probability",
            "css": "d-none d-lg-table-cell text-end",
        },
        {
            "label": gettext_lazy("Close date"),
            "sort": "close_date",
            "css": "d-none d-md-table-cell",
        },
        {
            "label": gettext_lazy("Organization"),
            "sort": "organization",
            "css": "d-none d-lg-table-cell",
        },
        {"label": gettext_lazy("Owner"), "sort": "owner", "css": "d-none d-md-table-cell"},
    ]


@login_required
@require_GET
def deal_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    filters, errors = DealFilters.from_params(request.GET)
    deals = selectors.deal_list(user=user, filters=filters)
    page = WindowPaginator(deals, settings.CLIENTELA_PAGE_SIZE).get_page(request.GET.get("page"))
    for deal in page.object_list:
        deal.amount_text = money_text(deal.amount, deal.currency)  # type: ignore[attr-defined]
    filtering = any(
        v for k, v in request.GET.items() if k not in {"page", "sort"} and k not in errors
    )
    context: dict[str, Any] = {
        "page_obj": page,
        "records": page.object_list,
        "columns": _columns(),
        "filter_errors": [m for msgs in errors.values() for m in msgs],
        "filtering": filtering,
        "results_id": RESULTS_ID,
        "list_url": reverse("sales:deal-list"),
        "current_sort": filters.sort_param,
        "can_create": can(user, "create", Deal.RESOURCE),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "sales/deals/_deal_results.html", context)
    pipelines = list(pipeline_selectors.pipeline_list())
    context["filter_form"] = DealFilterForm(
        initial=request.GET.dict(),
        pipelines=[(p.pk, p.name) for p in pipelines],
        stages=[(p.name, [(s.pk, s.name) for s in p.stages.all()]) for p in pipelines],
        statuses=DealStatus.choices,
        users=user_options(),
        teams=[(t.pk, t.name) for t in core_selectors.team_list()],
    )
    return render(request, "sales/deals/deal_list.html", context)


# --- one deal -------------------------------------------------------------------------


@login_required
@require_GET
@not_found_as_404
def deal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    deal = selectors.deal_get(user=user, pk=pk)
    deal.amount_text = money_text(deal.amount, deal.currency)  # type: ignore[attr-defined]
    quotes = selectors.deal_quotes(user=user, deal=deal)
    for quote in quotes:
        quote.total_text = money_text(quote.total, quote.currency)  # type: ignore[attr-defined]
        quote.url = _url_or_none("sales:quote-detail", pk=quote.pk)  # type: ignore[attr-defined]
    new_quote = _url_or_none("sales:quote-create")
    if new_quote and can(user, "create", "sales.quote"):
        new_quote += "?" + urlencode({"deal": deal.pk})
    else:
        new_quote = None
    activities = selectors.deal_activities(user=user, deal=deal)
    stages = pipeline_selectors.stages_of(deal.pipeline)
    return render(
        request,
        "sales/deals/deal_detail.html",
        {
            "deal": deal,
            "stages": stages,
            "visits": selectors.stage_history(deal),
            "quotes": quotes,
            "new_quote_url": new_quote,
            "interactions": activities["interactions"],
            "tasks": activities["tasks"],
            "history": history_rows(deal, labels=HISTORY_LABELS),
            "can_edit": can(user, "update", Deal.RESOURCE),
            "can_delete": can(user, "delete", Deal.RESOURCE),
        },
    )


def _deal_initial(deal: Deal) -> dict[str, Any]:
    return {
        "title": deal.title,
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "amount": money.money_str(deal.amount, deal.currency),
        "currency": deal.currency,
        "probability": deal.probability,
        "close_date": deal.close_date,
        "organization": deal.organization_id,
        "people": [p.pk for p in deal.people.all()],
        "owner": deal.owner_id,
        "next_step": deal.next_step,
        "lost_reason": deal.lost_reason,
        "notes": deal.notes,
        "version": deal.version,
    }


def _new_deal_initial(request: AuthedRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "owner": request.user.pk,
        "amount": "0",
        "currency": SalesSettings.load().base_currency,
        **prefilled_links(request),
    }
    pipelines = pipeline_selectors.pipeline_list(active_only=True)
    raw = request.GET.get("pipeline", "")
    chosen = pipelines.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 18 else None
    chosen = chosen or pipelines.first()
    if chosen is not None:
        initial["pipeline"] = chosen.pk
    raw_stage = request.GET.get("stage", "")
    if raw_stage.isdigit() and chosen is not None:
        if any(s.pk == int(raw_stage) for s in chosen.stages.all()):
            initial["stage"] = int(raw_stage)
    org = initial.get("organization")
    if org and not initial.get("title"):
        try:
            from clientela.contacts import selectors as contact_selectors

            initial["title"] = contact_selectors.organization_get(user=request.user, pk=org).name
        except NotFound:
            pass
    return initial


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def deal_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    deal = selectors.deal_get(user=user, pk=pk) if pk is not None else None
    require(user, "update" if deal else "create", Deal.RESOURCE)
    data = request.POST if request.method == "POST" else None
    initial = _deal_initial(deal) if deal is not None else _new_deal_initial(request)
    people_ids = submitted_ids(request, "people") or initial.get("people", [])
    org_ids = submitted_ids(request, "organization") or (
        [initial["organization"]] if initial.get("organization") else []
    )
    pipelines = list(pipeline_selectors.pipeline_list())
    users = user_options()
    if deal is not None and deal.owner_id not in {pk for pk, _name in users}:
        users.append((deal.owner_id, str(deal.owner)))
    form = DealForm(
        data,
        initial=initial,
        pipelines=[
            (p.pk, p.name) for p in pipelines if p.is_active or (deal and p.pk == deal.pipeline_id)
        ],
        stages=[(p.name, [(s.pk, s.name) for s in p.stages.all()]) for p in pipelines],
        users=users,
        people=people_options(user, people_ids),
        organizations=organization_options(user, org_ids),
    )
    conflict = False
    if data is not None and form.is_valid():
        payload = form.to_data(editing=deal is not None)
        try:
            if deal is None:
                saved = services.deal_create(actor=user, data=payload)
            else:
                saved = services.deal_update(
                    actor=user,
                    deal=deal,
                    data=payload,
                    expected_version=form.cleaned_data.get("version"),
                )
        except ValidationError as exc:
            add_service_errors(form, exc, targets=ERROR_TARGETS)
        except VersionConflict:
            conflict = True
        else:
            text = _("Deal “%(name)s” saved.") if deal else _("Deal “%(name)s” created.")
            messages.success(request, text % {"name": saved})
            next_url = _safe_next(request)
            return redirect(next_url or reverse("sales:deal-detail", kwargs={"pk": saved.pk}))
    return render(
        request,
        "sales/deals/deal_form.html",
        {
            "deal": deal,
            "form": form,
            "conflict": conflict,
            "no_pipeline": not pipelines,
            "next": request.GET.get("next", request.POST.get("next", "")),
            "cancel_url": (
                reverse("sales:deal-detail", kwargs={"pk": deal.pk})
                if deal
                else reverse("sales:deal-board")
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def deal_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    deal = selectors.deal_get(user=user, pk=pk)
    require(user, "delete", Deal.RESOURCE)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("version", "")
        try:
            services.deal_trash(
                actor=user, deal=deal, expected_version=int(raw) if raw.isdigit() else None
            )
        except VersionConflict:
            error = _("Someone changed this deal after you opened this page. Check it again.")
        else:
            text = _("“%(name)s” was moved to the trash, where it stays for %(days)s days.") % {
                "name": deal,
                "days": settings.CLIENTELA_TRASH_DAYS,
            }
            # Only admins may restore, so only they get the undo button.
            tags = (
                "undo:" + reverse("sales:deal-restore", kwargs={"pk": deal.pk})
                if user.is_admin
                else ""
            )
            messages.success(request, text, extra_tags=tags)
            return redirect("sales:deal-board")
    return render(
        request,
        "sales/deals/deal_confirm_delete.html",
        {
            "record": deal,
            "error": error,
            "trash_days": settings.CLIENTELA_TRASH_DAYS,
            "cancel_url": reverse("sales:deal-detail", kwargs={"pk": deal.pk}),
        },
    )


@login_required
@require_POST
@not_found_as_404
def deal_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    deal = core_selectors.trash_list(user=request.user, model=Deal).filter(pk=pk).first()
    if deal is None:
        raise NotFound()
    services.deal_restore(actor=request.user, deal=deal)
    messages.success(request, _("“%(name)s” is back from the trash.") % {"name": deal})
    return redirect("sales:deal-detail", pk=deal.pk)


# --- the panel on person and organization pages ---------------------------------------


def deals_panel(request: Any, record: Person | Organization) -> dict[str, Any]:
    """The context of the "Deals" panel (registered in ``apps.py``)."""
    user = request.user
    is_person = isinstance(record, Person)
    deals = selectors.deals_of_contact(
        user=user,
        person=record if is_person else None,
        organization=None if is_person else record,
    )
    for deal in deals:
        deal.amount_text = money_text(deal.amount, deal.currency)  # type: ignore[attr-defined]
    create_url = None
    if can(user, "create", Deal.RESOURCE):
        key = "person" if is_person else "organization"
        create_url = f"{reverse('sales:deal-create')}?{urlencode({key: record.pk})}"
    return {"deals": deals, "create_url": create_url}


urlpatterns: list[URLPattern] = [
    path("deals/", deal_list, name="deal-list"),
    path("deals/board/", deal_board, name="deal-board"),
    path("deals/report/", deal_report, name="deal-report"),
    path("deals/new/", deal_form, name="deal-create"),
    path("deals/<int:pk>/", deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", deal_form, name="deal-edit"),
    path("deals/<int:pk>/move/", deal_move, name="deal-move"),
    path("deals/<int:pk>/delete/", deal_delete, name="deal-delete"),
    path("deals/<int:pk>/restore/", deal_restore, name="deal-restore"),
]
