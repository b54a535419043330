"""Every read of deals, scoped to what the asking user may see: lists with filters and
sorting, the kanban board (counts and totals summed in SQL, only the shown cards
loaded), a deal's stage history and the pipeline report (time in stage, conversion)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import selectors as activity_selectors
from clientela.core.selectors import record_get
from clientela.core.validation import Errors, add
from clientela.sales import money
from clientela.sales.choices import DealStatus
from clientela.sales.filters import DealFilters
from clientela.sales.models import Deal, DealStageChange, Pipeline, Quote, Stage
from clientela.sales.selectors.rates import rates_on

#: Cards shown per board column; the rest are counted ("and 120 more", a link to the
#: list filtered by the stage). Rendering cards is most of a board's cost.
BOARD_CARDS = 20

#: The columns a board card needs.
CARD_FIELDS = (
    "title",
    "pipeline_id",
    "stage_id",
    "status",
    "amount",
    "currency",
    "probability",
    "close_date",
    "next_step",
    "version",
    "owner_id",
    "team_id",
    "updated_at",
    "organization__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def deals_for(user: Any) -> QuerySet[Deal]:
    """The live deals ``user`` may see."""
    return Deal.objects.alive().visible_to(user)


def deal_for_link(user: Any, deal_id: Any, errors: Errors, field: str = "deal_id") -> Deal | None:
    """The deal a quote or order links to, if ``user`` may see it (else an error)."""
    if type(deal_id) is not int:
        add(errors, field, _("Give the deal as an id."))
        return None
    deal = deals_for(user).filter(pk=deal_id).first()
    if deal is None:
        add(errors, field, _("There is no deal with this id."))
    return deal


def deal_get(*, user: Any, pk: Any) -> Deal:
    """One visible deal with what its page shows, else ``NotFound``."""
    joined = Deal.objects.select_related(
        "pipeline", "stage", "organization", "owner", "team"
    ).prefetch_related("people")
    return record_get(Deal, user=user, pk=pk, queryset=joined)


# --- filters --------------------------------------------------------------------------


def _month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    after = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first, after


def apply_filters(qs: QuerySet[Deal], filters: DealFilters) -> QuerySet[Deal]:
    if filters.pipeline is not None:
        qs = qs.filter(pipeline_id=filters.pipeline)
    if filters.stage is not None:
        qs = qs.filter(stage_id=filters.stage)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    if filters.person is not None:
        qs = qs.filter(
            pk__in=Deal.people.through.objects.filter(person_id=filters.person).values("deal_id")
        )
    if filters.close_month is not None:
        first, after = _month_range(*filters.close_month)
        qs = qs.filter(close_date__gte=first, close_date__lt=after)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(organization__name__icontains=filters.q))
    return qs


def deal_list(*, user: Any, filters: DealFilters | None = None) -> QuerySet[Deal]:
    """The visible deals matching ``filters``, sorted; page it with ``WindowPaginator``
    (pages) or ``core.api.paginate`` (API)."""
    filters = filters or DealFilters()
    qs = apply_filters(deals_for(user), filters)
    joined = qs.select_related("pipeline", "stage", "organization", "owner")
    return joined.order_by(*filters.order_by())


def deals_of_contact(
    *, user: Any, person: Any = None, organization: Any = None, limit: int = 20
) -> list[Deal]:
    """The visible deals of a person or an organization (their page's panel): open ones
    first, then the newest."""
    qs = deals_for(user)
    if person is not None:
        qs = qs.filter(
            pk__in=Deal.people.through.objects.filter(person_id=person.pk).values("deal_id")
        )
    if organization is not None:
        qs = qs.filter(organization_id=organization.pk)
    qs = qs.select_related("stage", "owner").order_by(
        F("closed_at").desc(nulls_first=True), "-updated_at", "-id"
    )
    return list(qs[:limit])


def deal_quotes(*, user: Any, deal: Deal) -> list[Quote]:
    """The quotes of a deal the user may see."""
    quotes = Quote.objects.filter(deal_id=deal.pk).alive().visible_to(user)
    return list(quotes.order_by("-issue_date", "-id")[:50])


def deal_activities(*, user: Any, deal: Deal, limit: int = 20) -> dict[str, list[Any]]:
    """The interactions and tasks linked to the deal (``related_type`` "sales.deal"),
    through the activities app's scoped selectors."""
    link = {"related_type": Deal.RESOURCE, "related_id": deal.pk}
    interactions = (
        activity_selectors.interactions_visible(user)
        .filter(**link)
        .select_related("owner")
        .order_by("-occurred_at", "-id")[:limit]
    )
    tasks = (
        activity_selectors.tasks_visible(user)
        .filter(**link)
        .select_related("assignee")
        .order_by("status", "due_at", "id")[:limit]
    )
    return {"interactions": list(interactions), "tasks": list(tasks)}


# --- the board ------------------------------------------------------------------------


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[Deal]
    count: int
    total: Decimal
    #: Currencies summed in this column that have no exchange rate (left out of total).
    missing: list[str] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]
    base_currency: str
    month_start: datetime.datetime

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)

    @property
    def total(self) -> Decimal:
        return sum((c.total for c in self.columns if not c.stage.is_lost), Decimal(0))


def board_deals(user: Any, pipeline: Pipeline, filters: DealFilters) -> QuerySet[Deal]:
    """What the board shows: the pipeline's visible open deals, plus those won or lost
    since the start of this month (in the user's time zone)."""
    month_start = _month_start()
    qs = apply_filters(deals_for(user).filter(pipeline_id=pipeline.pk), filters)
    return qs.filter(Q(status=DealStatus.OPEN) | Q(closed_at__gte=month_start))


def _stage_status(stage: Stage) -> str:
    return DealStatus.WON if stage.is_won else DealStatus.LOST if stage.is_lost else DealStatus.OPEN


def _month_start() -> datetime.datetime:
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def board_totals(
    user: Any, pipeline: Pipeline, filters: DealFilters, stages: list[Stage]
) -> tuple[dict[int, int], dict[int, Decimal], dict[int, list[str]], str]:
    """Per stage: the count, the total in the base currency, the currencies without a
    rate, and the base currency. One grouped query; no deal is loaded."""
    # Two grouped queries rather than one with an OR, so each reads its own index
    # (deal_board_idx covers the open deals, deal_closed_idx this month's closed ones).
    visible = apply_filters(deals_for(user).filter(pipeline_id=pipeline.pk), filters)
    closed = [DealStatus.WON, DealStatus.LOST]
    parts = (
        visible.filter(status=DealStatus.OPEN),
        visible.filter(status__in=closed, closed_at__gte=_month_start()),
    )
    rows = [
        row
        for part in parts
        for row in part.order_by()
        .values("stage_id", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
    ]
    counts: dict[int, int] = defaultdict(int)
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        counts[row["stage_id"]] += row["n"]
        per_stage = sums[row["stage_id"]]
        per_stage[row["currency"]] = per_stage.get(row["currency"], Decimal(0)) + (
            row["total"] or Decimal(0)
        )
    currencies = {code for per_stage in sums.values() for code in per_stage}
    base, rates = rates_on(currencies, timezone.localdate())
    totals: dict[int, Decimal] = {}
    missing: dict[int, list[str]] = {}
    for stage in stages:
        amount = Decimal(0)
        left_out = []
        for code, value in sums.get(stage.pk, {}).items():
            if code in rates:
                amount += value * rates[code]
            else:
                left_out.append(code)
        totals[stage.pk] = money.quantize(amount, base)
        missing[stage.pk] = sorted(left_out)
    return dict(counts), totals, missing, base


def board(
    user: Any, pipeline: Pipeline, filters: DealFilters | None = None, *, cards: bool = True
) -> Board:
    """The kanban board of ``pipeline``: one column per stage with its count and total
    (in the base currency) and at most ``BOARD_CARDS`` cards (closest close date first).
    ``cards=False`` leaves the cards out (the column headers after a move)."""
    filters = filters or DealFilters()
    stages = list(pipeline.stages.order_by("position", "id"))
    counts, totals, missing, base = board_totals(user, pipeline, filters, stages)
    month_start = _month_start()
    # Only what a card shows (not the notes or custom fields of a few hundred deals).
    shown = (
        apply_filters(deals_for(user).filter(pipeline_id=pipeline.pk), filters)
        .select_related("organization", "owner")
        .only(*CARD_FIELDS)
    )
    columns = []
    for stage in stages:
        stage_cards: list[Deal] = []
        if cards and counts.get(stage.pk):
            # An open stage holds only open deals, a closing one only closed deals: the
            # status (not an OR on the closing time) lets the board index narrow it.
            if stage.is_won or stage.is_lost:
                in_column = Q(status=_stage_status(stage), closed_at__gte=month_start)
            else:
                in_column = Q(status=DealStatus.OPEN)
            stage_cards = list(
                shown.filter(in_column, stage_id=stage.pk).order_by(
                    F("close_date").asc(nulls_last=True), "-updated_at", "-id"
                )[:BOARD_CARDS]
            )
        columns.append(
            BoardColumn(
                stage=stage,
                cards=stage_cards,
                count=counts.get(stage.pk, 0),
                total=totals[stage.pk],
                missing=missing[stage.pk],
            )
        )
    return Board(pipeline=pipeline, columns=columns, base_currency=base, month_start=month_start)


# --- stage history and the pipeline report --------------------------------------------


@dataclass
class StageVisit:
    stage: Stage
    from_stage: Stage | None
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    actor: Any

    @property
    def days(self) -> float:
        end = self.left_at or timezone.now()
        return round((end - self.entered_at).total_seconds() / 86400, 1)


def stage_history(deal: Deal) -> list[StageVisit]:
    """The stages a deal (already fetched through a scoped selector) went through,
    oldest first."""
    rows = DealStageChange.objects.filter(deal_id=deal.pk).select_related(
        "stage", "from_stage", "actor"
    )
    return [
        StageVisit(r.stage, r.from_stage, r.entered_at, r.left_at, r.actor)
        for r in rows.order_by("entered_at", "id")
    ]


#: Below this many deals a stage's figures are shown as too few to judge by.
THIN_BELOW = 5


@dataclass
class StageReport:
    stage: Stage
    #: Visible deals that ever entered this stage.
    entered: int
    #: Average days spent in the stage by the visits that ended (None: none ended yet).
    average_days: float | None
    #: Of those that entered, how many later reached a further, not lost stage.
    advanced: int
    #: The next stage in order (the conversion's target), None for won/lost stages.
    next_stage: Stage | None

    @property
    def thin(self) -> bool:
        """Too few deals entered for its figures to say much (under ``THIN_BELOW``)."""
        return 0 < self.entered < THIN_BELOW

    @property
    def conversion(self) -> float | None:
        """Percentage of deals that entered this stage and went on to a later one."""
        if self.next_stage is None or not self.entered:
            return None
        return round(100 * self.advanced / self.entered, 1)


def time_in_stage_report(user: Any, pipeline: Pipeline) -> list[StageReport]:
    """Per stage of ``pipeline``, from the stage history of the deals the user may see:
    how many deals entered it, the average days they stayed, and the conversion rate to
    a later stage (any stage further on that is not a lost one). Aggregated in SQL."""
    stages = list(pipeline.stages.order_by("position", "id"))
    visible = deals_for(user).filter(pipeline_id=pipeline.pk).values("pk")
    changes = DealStageChange.objects.filter(stage__pipeline_id=pipeline.pk, deal_id__in=visible)
    later = DealStageChange.objects.filter(
        deal_id=OuterRef("deal_id"),
        entered_at__gte=OuterRef("entered_at"),
        stage__position__gt=OuterRef("stage__position"),
        stage__is_lost=False,
    )
    entered_rows = (
        changes.order_by()
        .annotate(advanced=Exists(later))
        .values("stage_id")
        .annotate(
            n=Count("deal_id", distinct=True),
            advanced_n=Count("deal_id", distinct=True, filter=Q(advanced=True)),
        )
    )
    entered = {r["stage_id"]: (r["n"], r["advanced_n"]) for r in entered_rows}
    duration = ExpressionWrapper(F("left_at") - F("entered_at"), output_field=DurationField())
    avg_rows = (
        changes.filter(left_at__isnull=False)
        .order_by()
        .values("stage_id")
        .annotate(avg=Avg(duration))
    )
    averages: dict[int, float] = {}
    for row in avg_rows:
        value = row["avg"]
        if isinstance(value, datetime.timedelta):
            averages[row["stage_id"]] = round(value.total_seconds() / 86400, 1)
        elif value is not None:  # some backends answer microseconds
            averages[row["stage_id"]] = round(float(value) / 86_400_000_000, 1)
    open_stages = [s for s in stages if not s.is_won and not s.is_lost]
    won = next((s for s in stages if s.is_won), None)
    report = []
    for stage in stages:
        next_stage: Stage | None = None
        if stage in open_stages:
            index = open_stages.index(stage)
            next_stage = open_stages[index + 1] if index + 1 < len(open_stages) else won
        n, advanced = entered.get(stage.pk, (0, 0))
        report.append(
            StageReport(
                stage=stage,
                entered=n,
                average_days=averages.get(stage.pk),
                advanced=advanced,
                next_stage=next_stage,
            )
        )
    return report
