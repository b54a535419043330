"""The deal pages: the kanban board (drag and drop, or the "Move to…" select), its move
endpoint and report, and the "Deals" panel of person and organization pages; the
list, a deal's page, create/edit, delete with undo and restore are core's generic
pages with the deal's own parts (amounts, stages, quotes, pickers)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.contacts import selectors as contact_selectors
from clientela.contacts.models import Organization, Person
from clientela.contacts.views.pickers import linked_choices
from clientela.core import selectors as core_selectors
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.forms import user_options
from clientela.core.permissions import can
from clientela.core.views.kinds import (
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    RecordRestoreView,
    record_urls,
)
from clientela.core.views.records import (
    AuthedRequest,
    not_found_as_404,
    prefilled_links,
    safe_next_url,
)
from clientela.sales import money
from clientela.sales.filters import DealFilters
from clientela.sales.forms.deals import ERROR_TARGETS, BoardFilterForm, DealForm
from clientela.sales.kinds import DEALS
from clientela.sales.models import Deal, Pipeline, SalesSettings
from clientela.sales.selectors import deals as selectors
from clientela.sales.selectors import pipelines as pipeline_selectors
from clientela.sales.selectors.deals import Board
from clientela.sales.services import deals as services

#: Query parameters of the board that narrow what it shows (kept across moves).
BOARD_PARAMS = ("pipeline", "owner", "team", "close_month")


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
        column.total_text = money.money_text(column.total, board.base_currency)  # type: ignore[attr-defined]
        column.options_html = format_html_join(  # type: ignore[attr-defined]
            "",
            '<option value="{}">{}</option>',
            ((c.stage.pk, c.stage.name) for c in board.columns if c.stage.pk != column.stage.pk),
        )
        for deal in column.cards:
            _decorate_card(deal, detail_url, move_url, column.options_html)  # type: ignore[attr-defined]


def _decorate_card(deal: Deal, detail_url: str, move_url: str, options_html: str) -> None:
    deal.amount_text = money.money_text(deal.amount, deal.currency)  # type: ignore[attr-defined]
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
    return redirect(safe_next_url(request) or reverse("sales:deal-detail", kwargs={"pk": moved.pk}))


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
    entered = sum(row.entered for row in rows)
    context = {
        "pipeline": pipeline,
        "rows": rows if entered else [],
        "entered": entered,
        "thin": any(row.thin for row in rows),
        "thin_below": selectors.THIN_BELOW,
    }
    template = "sales/deals/_report.html" if request.htmx else "sales/deals/report.html"
    return render(request, template, context)


# --- the list and one deal ------------------------------------------------------------


class DealListView(RecordListView):
    def decorate(self, records: Sequence[Any]) -> None:
        for deal in records:
            deal.amount_text = money.money_text(deal.amount, deal.currency)


class DealDetailView(RecordDetailView):
    """A deal's page: its stages and their history, quotes, activities."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        user, deal = self.user, cast(Deal, record)
        deal.amount_text = money.money_text(deal.amount, deal.currency)  # type: ignore[attr-defined]
        quotes = selectors.deal_quotes(user=user, deal=deal)
        for quote in quotes:
            quote.total_text = money.money_text(quote.total, quote.currency)  # type: ignore[attr-defined]
            quote.url = reverse("sales:quote-detail", kwargs={"pk": quote.pk})  # type: ignore[attr-defined]
        new_quote = None
        if can(user, "create", "sales.quote"):
            new_quote = f"{reverse('sales:quote-create')}?{urlencode({'deal': deal.pk})}"
        activities = selectors.deal_activities(user=user, deal=deal)
        return {
            "stages": pipeline_selectors.stages_of(deal.pipeline),
            "visits": selectors.stage_history(deal),
            "quotes": quotes,
            "new_quote_url": new_quote,
            "interactions": activities["interactions"],
            "tasks": activities["tasks"],
        }


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
    if (
        raw_stage.isdigit()
        and chosen is not None
        and any(s.pk == int(raw_stage) for s in chosen.stages.all())
    ):
        initial["stage"] = int(raw_stage)
    org = initial.get("organization")
    if org and not initial.get("title"):
        with contextlib.suppress(NotFound):
            initial["title"] = contact_selectors.organization_get(user=request.user, pk=org).name
    return initial


class DealFormView(RecordFormView):
    """Create or edit a deal: its pipeline and stage, its people and organization
    (pre-filled from a record page's "New deal" link), back to ``next`` when given."""

    error_targets = ERROR_TARGETS

    def get_form(self, data: QueryDict | None, record: Any) -> Any:
        request, deal = self.request, record
        initial = _deal_initial(deal) if deal is not None else _new_deal_initial(request)
        self.pipelines = list(pipeline_selectors.pipeline_list())
        users = user_options()
        if deal is not None and deal.owner_id not in {pk for pk, _name in users}:
            users.append((deal.owner_id, str(deal.owner)))
        return DealForm(
            data,
            initial=initial,
            pipelines=[
                (p.pk, p.name)
                for p in self.pipelines
                if p.is_active or (deal and p.pk == deal.pipeline_id)
            ],
            stages=[(p.name, [(s.pk, s.name) for s in p.stages.all()]) for p in self.pipelines],
            users=users,
            **linked_choices(request, initial),
        )

    def payload(self, form: Any, record: Any) -> Any:
        return form.to_data(editing=record is not None)

    def cancel_url(self, record: Any) -> str:
        return self.url("detail", record) if record is not None else reverse("sales:deal-board")

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {"no_pipeline": not self.pipelines}


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
        deal.amount_text = money.money_text(deal.amount, deal.currency)  # type: ignore[attr-defined]
    create_url = None
    if can(user, "create", Deal.RESOURCE):
        key = "person" if is_person else "organization"
        create_url = f"{reverse('sales:deal-create')}?{urlencode({key: record.pk})}"
    return {"deals": deals, "create_url": create_url}


urlpatterns: list[URLPattern] = [
    path("deals/board/", deal_board, name="deal-board"),
    path("deals/report/", deal_report, name="deal-report"),
    path("deals/<int:pk>/move/", deal_move, name="deal-move"),
    *record_urls(
        DEALS,
        list=DealListView,
        create=DealFormView,
        detail=DealDetailView,
        edit=DealFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
    ),
]
