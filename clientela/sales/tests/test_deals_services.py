"""Deal services and selectors: create with defaults, bad input, stage moves with their
history (won, lost, reopen), versions, permissions, audit, trash, the board's counts and
totals, and the pipeline report."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.core.errors import NotFound, VersionConflict
from clientela.core.models import AuditEntry
from clientela.sales.filters import DealFilters
from clientela.sales.models import Deal, DealStageChange, ExchangeRate, SalesSettings
from clientela.sales.selectors import deals as selectors
from clientela.sales.services import deals as services
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipe(db: Any) -> Any:
    return make_pipeline()


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


# --- create ---------------------------------------------------------------------------


def test_create_takes_the_first_open_stage_and_its_probability(rep_north: Any, pipe: Any) -> None:
    deal = services.deal_create(
        actor=rep_north, data={"title": " Ovens ", "pipeline_id": pipe.pk, "amount": "1500.50"}
    )
    assert deal.title == "Ovens"
    assert deal.stage == stage(pipe, "Lead in")
    assert (deal.status, deal.probability, deal.closed_at) == ("open", 10, None)
    assert deal.currency == SalesSettings.load().base_currency == "USD"
    assert deal.amount == Decimal("1500.50")
    assert (deal.owner, deal.team) == (rep_north, rep_north.team)
    (row,) = DealStageChange.objects.filter(deal=deal)
    assert (row.from_stage, row.stage, row.left_at, row.actor) == (
        None,
        stage(pipe, "Lead in"),
        None,
        rep_north,
    )
    entry = AuditEntry.objects.get(object_id=deal.pk, content_type__model="deal")
    assert entry.action == "create"
    assert entry.changes["title"] == [None, "Ovens"]


def test_create_with_a_stage_and_a_probability_of_ones_own(rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe, stage_id=stage(pipe, "Demo").pk, probability=55)
    assert (deal.stage.name, deal.probability) == ("Demo", 55)


def test_create_on_the_won_stage_closes_the_deal(rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe, stage_id=stage(pipe, "Closed won").pk, status="won")
    assert (deal.status, deal.probability) == ("won", 100)
    assert deal.closed_at is not None


def test_create_without_pipeline_uses_the_default_one(rep_north: Any) -> None:
    deal = services.deal_create(actor=rep_north, data={"title": "Default"})
    assert deal.pipeline.name == "Sales"  # migration 0002
    assert deal.stage.name == "New"
    assert deal.probability == 10


def test_the_stage_alone_gives_the_pipeline(rep_north: Any, pipe: Any) -> None:
    deal = services.deal_create(
        actor=rep_north, data={"title": "By stage", "stage_id": stage(pipe, "Offer").pk}
    )
    assert deal.pipeline == pipe
    assert deal.probability == 70


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "10.5", "currency": "JPY"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "ESP"}, "currency"),
        ({"probability": 101}, "probability"),
        ({"probability": "high"}, "probability"),
        ({"close_date": "31/12/2030"}, "close_date"),
        ({"status": "won"}, "status"),
        ({"status": "maybe"}, "status"),
        ({"stage_id": 99999999}, "stage_id"),
        ({"stage_id": "2"}, "stage_id"),
        ({"pipeline_id": 99999999}, "pipeline_id"),
        ({"organization_id": 99999999}, "organization_id"),
        ({"person_ids": [99999999]}, "person_ids"),
        ({"owner_id": 99999999}, "owner_id"),
        ({"next_step": "x" * 201}, "next_step"),
    ],
)
def test_bad_input_is_refused_on_its_field(
    rep_north: Any, pipe: Any, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        make_deal(rep_north, pipe, **data)
    assert field in errors_of(exc)
    assert not Deal.objects.exists()


def test_a_stage_of_another_pipeline_is_refused(rep_north: Any, pipe: Any) -> None:
    other = make_pipeline("Other", position=5)
    with pytest.raises(ValidationError) as exc:
        make_deal(rep_north, pipe, stage_id=stage(other, "Demo").pk)
    assert "stage of another pipeline" in exc.value.message_dict["stage_id"][0]


def test_won_status_on_an_open_stage_is_refused(rep_north: Any, pipe: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        make_deal(rep_north, pipe, stage_id=stage(pipe, "Offer").pk, status="won")
    assert errors_of(exc) == {"status"}


def test_every_problem_is_reported_at_once(rep_north: Any, pipe: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        make_deal(rep_north, pipe, title="", amount="-1", probability=300, currency="USD")
    assert errors_of(exc) >= {"title", "amount", "probability"}


def test_linked_records_must_be_visible(
    rep_north: Any, rep_south: Any, pipe: Any, organization_factory: Any, person_factory: Any
) -> None:
    south_org = organization_factory(rep_south, name="South Co")
    south_person = person_factory(rep_south)
    with pytest.raises(ValidationError) as exc:
        make_deal(rep_north, pipe, organization_id=south_org.pk, person_ids=[south_person.pk])
    assert errors_of(exc) == {"organization_id", "person_ids"}


def test_links_and_owner_within_the_team(
    rep_north: Any,
    rep_north2: Any,
    rep_south: Any,
    pipe: Any,
    person_factory: Any,
    organization_factory: Any,
) -> None:
    org = organization_factory(rep_north, name="Bakery")
    ana = person_factory(rep_north, first_name="Ana")
    deal = make_deal(
        rep_north, pipe, organization_id=org.pk, person_ids=[ana.pk], owner_id=rep_north2.pk
    )
    assert deal.organization == org
    assert list(deal.people.all()) == [ana]
    assert deal.owner == rep_north2
    with pytest.raises(ValidationError) as exc:
        make_deal(rep_north, pipe, owner_id=rep_south.pk)
    assert errors_of(exc) == {"owner_id"}


def test_read_only_users_cannot_create(reader: Any, pipe: Any) -> None:
    with pytest.raises(Exception, match="does not allow"):
        make_deal(reader, pipe)


# --- moves and the stage history -------------------------------------------------------


def test_move_to_won_closes_and_records_the_history(rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    moved = services.deal_move(
        actor=rep_north, deal=deal, stage_id=stage(pipe, "Closed won").pk, expected_version=1
    )
    assert (moved.status, moved.probability, moved.version) == ("won", 100, 2)
    assert moved.closed_at is not None
    assert moved.stage_entered_at == moved.closed_at
    rows = list(DealStageChange.objects.filter(deal=deal).order_by("entered_at", "id"))
    assert [r.stage.name for r in rows] == ["Lead in", "Closed won"]
    assert rows[0].left_at == rows[1].entered_at
    assert rows[1].left_at is None
    assert rows[1].from_stage == stage(pipe, "Lead in")
    entry = AuditEntry.objects.filter(object_id=deal.pk, action="update").get()
    assert entry.changes["stage"] == ["Lead in", "Closed won"]
    assert entry.changes["status"] == ["open", "won"]


def test_move_to_lost_keeps_the_reason_and_reopening_clears_the_close(
    rep_north: Any, pipe: Any
) -> None:
    deal = make_deal(rep_north, pipe)
    lost = services.deal_move(
        actor=rep_north, deal=deal, stage_id=stage(pipe, "Closed lost").pk, lost_reason="Price"
    )
    assert (lost.status, lost.probability, lost.lost_reason) == ("lost", 0, "Price")
    assert lost.closed_at is not None
    reopened = services.deal_move(actor=rep_north, deal=lost, stage_id=stage(pipe, "Demo").pk)
    assert (reopened.status, reopened.closed_at, reopened.probability) == ("open", None, 40)
    assert reopened.version == 3
    history = selectors.stage_history(reopened)
    assert [v.stage.name for v in history] == ["Lead in", "Closed lost", "Demo"]
    assert history[-1].left_at is None
    assert all(v.left_at for v in history[:-1])


def test_a_stage_change_resets_the_probability_unless_given(rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe, probability=33)
    assert deal.probability == 33
    deal = services.deal_update(
        actor=rep_north, deal=deal, data={"stage_id": stage(pipe, "Demo").pk}
    )
    assert deal.probability == 40
    deal = services.deal_update(
        actor=rep_north, deal=deal, data={"stage_id": stage(pipe, "Offer").pk, "probability": 90}
    )
    assert deal.probability == 90


def test_moving_to_the_same_stage_changes_nothing(rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    same = services.deal_move(actor=rep_north, deal=deal, stage_id=deal.stage_id)
    assert same.version == 1
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_move_to_a_stage_of_another_pipeline_is_refused(rep_north: Any, pipe: Any) -> None:
    other = make_pipeline("Other", position=5)
    deal = make_deal(rep_north, pipe)
    with pytest.raises(ValidationError) as exc:
        services.deal_move(actor=rep_north, deal=deal, stage_id=stage(other, "Demo").pk)
    assert errors_of(exc) == {"stage_id"}
    deal.refresh_from_db()
    assert deal.stage.name == "Lead in"
    assert deal.version == 1


def test_a_status_that_disagrees_with_the_stage_is_refused_on_update(
    rep_north: Any, pipe: Any
) -> None:
    deal = make_deal(rep_north, pipe)
    with pytest.raises(ValidationError) as exc:
        services.deal_update(actor=rep_north, deal=deal, data={"status": "won"})
    assert errors_of(exc) == {"status"}
    # With the won stage, the won status agrees.
    won = services.deal_update(
        actor=rep_north,
        deal=deal,
        data={"status": "won", "stage_id": stage(pipe, "Closed won").pk},
    )
    assert won.status == "won"


def test_changing_the_pipeline_starts_in_its_first_open_stage(rep_north: Any, pipe: Any) -> None:
    other = make_pipeline("Other", position=5)
    deal = make_deal(rep_north, pipe, stage_id=stage(pipe, "Offer").pk)
    moved = services.deal_update(actor=rep_north, deal=deal, data={"pipeline_id": other.pk})
    assert moved.pipeline == other
    assert moved.stage == stage(other, "Lead in")


def test_a_stale_version_is_a_conflict(rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    services.deal_update(actor=rep_north, deal=deal, data={"next_step": "Call"})
    with pytest.raises(VersionConflict):
        services.deal_move(
            actor=rep_north, deal=deal, stage_id=stage(pipe, "Demo").pk, expected_version=1
        )


def test_currency_change_rechecks_the_amount(rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe, amount="10.50", currency="EUR")
    with pytest.raises(ValidationError) as exc:
        services.deal_update(actor=rep_north, deal=deal, data={"currency": "JPY"})
    assert errors_of(exc) == {"amount"}


def test_another_team_cannot_change_or_trash(rep_north: Any, rep_south: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    with pytest.raises(NotFound):
        services.deal_move(actor=rep_south, deal=deal, stage_id=stage(pipe, "Demo").pk)
    with pytest.raises(NotFound):
        services.deal_update(actor=rep_south, deal=deal, data={"title": "Mine"})
    with pytest.raises(NotFound):
        services.deal_trash(actor=rep_south, deal=deal)


def test_trash_and_restore(rep_north: Any, rep_north2: Any, admin: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    services.deal_trash(actor=rep_north, deal=deal)
    assert not selectors.deals_for(rep_north).exists()
    with pytest.raises(NotFound):  # a teammate did not delete it
        services.deal_restore(actor=rep_north2, deal=deal)
    services.deal_restore(actor=admin, deal=deal)
    assert selectors.deals_for(rep_north).get() == deal
    actions = list(
        AuditEntry.objects.filter(object_id=deal.pk, content_type__model="deal")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "delete", "restore"]


# --- selectors: list, board, report ---------------------------------------------------


def test_deal_list_filters_and_visibility(rep_north: Any, rep_south: Any, pipe: Any) -> None:
    a = make_deal(rep_north, pipe, title="Alpha ovens", close_date="2031-03-15")
    make_deal(rep_north, pipe, title="Beta fridges", stage_id=stage(pipe, "Demo").pk)
    make_deal(rep_south, pipe, title="South secret")
    titles = {d.title for d in selectors.deal_list(user=rep_north)}
    assert titles == {"Alpha ovens", "Beta fridges"}
    filters, errors = DealFilters.from_params({"close_month": "2031-03", "sort": "title"})
    assert not errors
    assert list(selectors.deal_list(user=rep_north, filters=filters)) == [a]
    filters, _ = DealFilters.from_params({"stage": str(stage(pipe, "Demo").pk)})
    assert [d.title for d in selectors.deal_list(user=rep_north, filters=filters)] == [
        "Beta fridges"
    ]
    filters, _ = DealFilters.from_params({"q": "alpha"})
    assert [d.title for d in selectors.deal_list(user=rep_north, filters=filters)] == [
        "Alpha ovens"
    ]
    _filters, errors = DealFilters.from_params(
        {"close_month": "2031-13", "owner": "x", "sort": "nope", "status": "maybe"}
    )
    assert set(errors) == {"close_month", "owner", "sort", "status"}


def test_the_board_counts_and_sums_in_the_base_currency(
    rep_north: Any, rep_south: Any, pipe: Any
) -> None:
    ExchangeRate.objects.create(
        currency="EUR", rate=Decimal("1.10"), valid_from=datetime.date(2000, 1, 1)
    )
    make_deal(rep_north, pipe, amount="100.00", currency="USD")
    make_deal(rep_north, pipe, amount="200.00", currency="EUR")
    make_deal(rep_north, pipe, amount="50", currency="GBP")  # no rate
    make_deal(rep_south, pipe, amount="999.00")  # another team: not on North's board
    old_won = make_deal(rep_north, pipe, amount="70.00")
    old_won = services.deal_move(
        actor=rep_north, deal=old_won, stage_id=stage(pipe, "Closed won").pk
    )
    new_won = make_deal(rep_north, pipe, amount="30.00")
    services.deal_move(actor=rep_north, deal=new_won, stage_id=stage(pipe, "Closed won").pk)
    # Won before this month: no longer on the board.
    Deal.objects.filter(pk=old_won.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=40)
    )
    board = selectors.board(rep_north, pipe)
    columns = {c.stage.name: c for c in board.columns}
    lead_in = columns["Lead in"]
    assert lead_in.count == 3
    assert lead_in.total == Decimal("320.00")  # 100 USD + 200 EUR × 1.10
    assert lead_in.missing == ["GBP"]
    assert {d.title for d in lead_in.cards} == {"Ovens for the bakery"}
    assert columns["Closed won"].count == 1
    assert columns["Closed won"].total == Decimal("30.00")
    assert columns["Demo"].count == 0
    assert columns["Demo"].cards == []
    assert board.base_currency == "USD"


def test_the_board_caps_columns_and_costs_the_same_queries(
    rep_north: Any, pipe: Any, django_assert_max_num_queries: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "BOARD_CARDS", 3)
    for n in range(5):
        make_deal(rep_north, pipe, title=f"Deal {n}")
    board = selectors.board(rep_north, pipe)
    first = board.columns[0]
    assert (first.count, len(first.cards), first.more) == (5, 3, 2)
    for n in range(20):
        make_deal(rep_north, pipe, title=f"More {n}", stage_id=stage(pipe, "Demo").pk)
    # Stages + grouped totals + settings + the cards of the two filled columns, whatever
    # the number of deals.
    with django_assert_max_num_queries(8):
        board = selectors.board(rep_north, pipe)
        assert [c.count for c in board.columns] == [5, 20, 0, 0, 0]


def test_board_filters_by_owner_and_close_month(rep_north: Any, rep_north2: Any, pipe: Any) -> None:
    make_deal(rep_north, pipe, close_date="2031-05-02")
    make_deal(rep_north, pipe, owner_id=rep_north2.pk, close_date="2031-06-02")
    filters, _ = DealFilters.from_params({"owner": str(rep_north2.pk)})
    assert selectors.board(rep_north, pipe, filters).count == 1
    filters, _ = DealFilters.from_params({"close_month": "2031-05"})
    assert selectors.board(rep_north, pipe, filters).columns[0].cards[0].owner == rep_north


def test_time_in_stage_and_conversion(rep_north: Any, rep_south: Any, pipe: Any) -> None:
    start = timezone.now() - datetime.timedelta(days=30)
    won_one = make_deal(rep_north, pipe)
    lost_one = make_deal(rep_north, pipe)
    services.deal_move(actor=rep_north, deal=won_one, stage_id=stage(pipe, "Demo").pk)
    services.deal_move(actor=rep_north, deal=won_one, stage_id=stage(pipe, "Closed won").pk)
    services.deal_move(actor=rep_north, deal=lost_one, stage_id=stage(pipe, "Closed lost").pk)
    make_deal(rep_south, pipe)  # not visible to North: not counted
    # Make the history read: 4 days in "Lead in" for both, 2 days in "Demo".
    for deal in (won_one, lost_one):
        rows = list(DealStageChange.objects.filter(deal=deal).order_by("entered_at", "id"))
        moments = [start, start + datetime.timedelta(days=4), start + datetime.timedelta(days=6)]
        for row, entered in zip(rows, moments, strict=False):
            row.entered_at = entered
            row.left_at = None
            row.save()
        for row, nxt in itertools.pairwise(rows):
            row.left_at = nxt.entered_at
            row.save()
    report = {r.stage.name: r for r in selectors.time_in_stage_report(rep_north, pipe)}
    assert report["Lead in"].entered == 2
    assert report["Lead in"].average_days == 4.0
    assert report["Lead in"].advanced == 1
    assert report["Lead in"].conversion == 50.0
    assert report["Demo"].average_days == 2.0
    assert report["Demo"].conversion == 100.0
    assert report["Demo"].next_stage is not None
    assert report["Demo"].next_stage.name == "Offer"
    assert report["Closed won"].conversion is None
    assert report["Closed won"].entered == 1
