"""ABC and RFM computed in SQL on a small hand-made history with known classes and
segments (``shop``), checked against the plain definitions; bad parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.analytics import services
from clientela.analytics.choices import SnapshotStatus
from clientela.analytics.models import AbcRow, RfmRow, Snapshot
from clientela.analytics.segments import SEGMENT_OF
from clientela.analytics.tests import shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(rep_north: Any, rep_south: Any) -> dict[str, Any]:
    return shop.build(rep_north, rep_south)


def computed(kind: str, **thresholds: Any) -> Snapshot:
    snapshots = services.refresh(
        None,
        kinds=[kind],
        as_of=shop.AS_OF,
        parameters={"abc": {"thresholds": services.clean_thresholds(**thresholds).as_dict()}}
        if thresholds
        else None,
        queue=False,
    )
    return services.run_snapshot(snapshots[0].pk)


def names(rows: Any) -> list[str]:
    return [row.name for row in rows]


def test_abc_of_customers(history: dict[str, Any]) -> None:
    snapshot = computed("abc")
    assert snapshot.status == SnapshotStatus.DONE, snapshot.error
    rows = list(AbcRow.objects.filter(snapshot=snapshot, of="customers").order_by("rank"))
    assert names(rows) == [f"North N{n}" for n in range(1, 11)]
    assert [r.revenue for r in rows] == [
        Decimal(v) for v in ("500", "200", "100", "60", "40", "30", "30", "20", "10", "10")
    ]
    assert "".join(r.abc_class for r in rows) == "AAABBBBCCC"
    assert rows[0].share == pytest.approx(0.5)
    assert [r.cumulative_share for r in rows][2:4] == pytest.approx([0.8, 0.86])
    assert rows[-1].cumulative_share == pytest.approx(1.0)
    assert rows[0].person_id == history["people"]["N1"].pk
    assert snapshot.parameters["base_currency"] == "USD"
    assert snapshot.parameters["missing_rates"] == []


def test_abc_of_products(history: dict[str, Any]) -> None:
    snapshot = computed("abc")
    rows = list(AbcRow.objects.filter(snapshot=snapshot, of="products").order_by("rank"))
    assert [(r.name, r.revenue, r.abc_class) for r in rows] == [
        ("Lamp", Decimal("500.00"), "A"),
        ("Desk", Decimal("500.00"), "A"),
    ]
    assert rows[0].product_id == history["lamp"].pk


def test_thresholds_change_the_classes(history: dict[str, Any]) -> None:
    snapshot = computed("abc", a="50", b="40", c="10")
    rows = AbcRow.objects.filter(snapshot=snapshot, of="customers").order_by("rank")
    # Before N1: 0 % < 50 → A; before N2: 50 % → B; before N6: 90 % ≥ 90 → C.
    assert "".join(r.abc_class for r in rows) == "ABBBBCCCCC"


def _reference_scores(values: list[Any]) -> list[int]:
    """Quintile scores by the plain definition: 1 + ⌊5 × (number of smaller values) / n⌋."""
    n = len(values)
    return [1 + 5 * sum(1 for w in values if w < v) // n for v in values]


def test_rfm_scores_and_segments(history: dict[str, Any]) -> None:
    snapshot = computed("rfm")
    assert snapshot.status == SnapshotStatus.DONE, snapshot.error
    rows = list(RfmRow.objects.filter(snapshot=snapshot).order_by("name"))
    by_name = {r.name: r for r in rows}
    assert len(rows) == 11
    segments = {name: row.segment for name, row in by_name.items()}
    assert segments == {
        "North N1": "champions",
        "North N2": "potential_loyalists",
        "North N3": "loyal",
        "North N4": "loyal",
        "North N9": "at_risk",
        **{f"North N{n}": "lost" for n in (5, 6, 7, 8, 10)},
        "South S1": "lost",
    }
    n1 = by_name["North N1"]
    assert (n1.recency_days, n1.frequency, n1.monetary) == (1, 5, Decimal("500.00"))
    assert by_name["North N9"].monetary == Decimal("5010.00")
    assert by_name["North N2"].monetary == Decimal("200.00")  # 160 EUR at 1.25
    assert [r.r for r in rows] == _reference_scores([-r.recency_days for r in rows])
    assert [r.f for r in rows] == _reference_scores([r.frequency for r in rows])
    assert [r.m for r in rows] == _reference_scores([r.monetary for r in rows])
    assert all(r.segment == SEGMENT_OF[(r.r, r.f)] for r in rows)


def break_rfm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next RFM computations fail as if the database went away."""
    from clientela.analytics import compute  # noqa: PLC0415

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(compute, "rfm_into", broken)


def test_a_new_snapshot_replaces_the_old_one_only_when_done(
    history: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = computed("rfm")
    break_rfm(monkeypatch)
    failed = computed("rfm")
    assert failed.status == SnapshotStatus.FAILED
    assert "went away" in failed.error
    assert Snapshot.objects.filter(pk=first.pk, status="done").exists()
    assert RfmRow.objects.filter(snapshot=first).count() == 11
    monkeypatch.undo()
    second = computed("rfm")
    assert second.status == SnapshotStatus.DONE
    assert not Snapshot.objects.filter(pk__in=[first.pk, failed.pk]).exists()
    assert not RfmRow.objects.filter(snapshot=first).exists()


def test_empty_history_gives_empty_snapshots(db: Any) -> None:
    for kind in ("abc", "rfm"):
        snapshot = computed(kind)
        assert snapshot.status == SnapshotStatus.DONE, snapshot.error
    assert not AbcRow.objects.exists()
    assert not RfmRow.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"a": "80", "b": "15", "c": "10"}, "c"),
        ({"a": "0", "b": "95", "c": "5"}, "a"),
        ({"a": "eighty"}, "a"),
    ],
)
def test_bad_thresholds_are_refused(values: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.clean_thresholds(**values)
    assert field in caught.value.message_dict


def test_bad_periods_are_refused() -> None:
    import datetime  # noqa: PLC0415

    with pytest.raises(ValidationError, match="before the start"):
        services.clean_period(datetime.date(2025, 2, 1), datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="ten years"):
        services.clean_period(datetime.date(2010, 1, 1), datetime.date(2025, 1, 1))
    period = services.clean_period(None, datetime.date(2024, 2, 29))
    assert period.start == datetime.date(2023, 3, 1)


def test_a_refresh_left_by_a_stopped_worker_does_not_block_the_next(db: Any) -> None:
    import datetime  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    left = services.refresh(None, kinds=["rfm"], queue=False)[0]
    assert services.refresh(None, kinds=["rfm"], queue=False)[0].pk == left.pk
    Snapshot.objects.filter(pk=left.pk).update(
        status=SnapshotStatus.RUNNING, created_at=timezone.now() - datetime.timedelta(hours=3)
    )
    fresh = services.refresh(None, kinds=["rfm"], queue=False)[0]
    assert fresh.pk != left.pk
    left.refresh_from_db()
    assert left.status == SnapshotStatus.FAILED
    assert "no worker finished it" in left.error


def test_the_worker_publishes_every_snapshot_before_deleting_what_they_replace(
    history: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientela.analytics import tasks  # noqa: PLC0415

    old = {kind: computed(kind) for kind in ("abc", "rfm")}
    new = services.refresh(None, kinds=["abc", "rfm"], queue=False)
    seen: list[tuple[int, list[str], bool]] = []
    forget = services.snapshot_forget_replaced

    def spy(snapshot_id: int) -> None:
        statuses = [s.status for s in Snapshot.objects.filter(pk__in=[n.pk for n in new])]
        seen.append((snapshot_id, statuses, RfmRow.objects.filter(snapshot=old["rfm"]).exists()))
        forget(snapshot_id)

    monkeypatch.setattr(services, "snapshot_forget_replaced", spy)
    assert tasks.refresh.call([s.pk for s in new]) == ["done", "done"]
    # Both new snapshots were published while the old rows were still there.
    assert [(pk, statuses) for pk, statuses, _rows in seen] == [
        (new[0].pk, ["done", "done"]),
        (new[1].pk, ["done", "done"]),
    ]
    assert seen[0][2] is True
    assert not Snapshot.objects.filter(pk__in=[s.pk for s in old.values()]).exists()
    assert not AbcRow.objects.filter(snapshot=old["abc"]).exists()
    assert RfmRow.objects.filter(snapshot=new[1]).count() == 11


def test_forgetting_what_a_failed_snapshot_replaced_deletes_nothing(
    history: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = computed("rfm")
    break_rfm(monkeypatch)
    snapshot = services.refresh(None, kinds=["rfm"], queue=False)[0]
    failed = services.run_snapshot(snapshot.pk, forget_replaced=False)
    assert failed.status == SnapshotStatus.FAILED
    services.snapshot_forget_replaced(failed.pk)
    assert RfmRow.objects.filter(snapshot=first).count() == 11
