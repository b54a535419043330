"""The timeline is built from the registered sources (``core.registry``): a source a
test registers shows up on the timeline and the page, its entries interleave with this
app's by time, the cursor pages through the mixed sources with no entry skipped or
repeated (ties on the time included), and the kind filter keeps one source."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from clientela.activities import services
from clientela.activities.timeline import timeline
from clientela.core.registry import (
    TimelineBefore,
    TimelineCursor,
    TimelineFilters,
    TimelineSource,
    register_timeline_source,
    timeline_sources,
)

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)


def at(hours: int) -> datetime.datetime:
    return BASE + datetime.timedelta(hours=hours)


@dataclass(frozen=True)
class Probe:
    pk: int
    at: datetime.datetime
    person_id: int
    title: str


class ProbeSource:
    """A source outside this app: rows in memory about one person, read as a source
    must (older than the cursor, newest first, at most ``limit``)."""

    def __init__(self) -> None:
        self.rows: list[Probe] = []
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self,
        *,
        user: Any,
        person: Any,
        organization: Any,
        before: TimelineBefore,
        limit: int,
        filters: TimelineFilters,
    ) -> list[tuple[datetime.datetime, Any]]:
        self.calls.append({"user": user, "limit": limit, "filters": filters})
        about = [r for r in self.rows if person is not None and r.person_id == person.pk]
        kept = [r for r in about if before.admits(r.at, r.pk)]
        kept.sort(key=lambda r: (r.at, r.pk), reverse=True)
        return [(r.at, r) for r in kept[:limit]]


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> ProbeSource:
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "_entry.html").write_text(
        '<span class="probe-entry">Probe: {{ obj.title }}</span>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    source = ProbeSource()
    monkeypatch.setitem(
        timeline_sources,
        "probe",
        TimelineSource(
            key="probe",
            label="Probe",
            icon="bi-bug",
            entries=source,
            template="probe/_entry.html",
            filter_label="Probes",
        ),
    )
    return source


def _call(actor: Any, person: Any, when: datetime.datetime, subject: str = "") -> Any:
    return services.interaction_create(
        actor=actor,
        data={
            "channel": "call",
            "occurred_at": when,
            "subject": subject,
            "person_ids": [person.pk],
        },
    )


def test_a_registered_source_interleaves_by_time(
    rep_north: Any, person_factory: Any, probe: ProbeSource
) -> None:
    person = person_factory(rep_north)
    other = person_factory(rep_north)
    old_call = _call(rep_north, person, at(1))
    probe.rows += [
        Probe(1, at(2), person.pk, "second"),
        Probe(2, at(4), person.pk, "fourth"),
        Probe(3, at(3), other.pk, "not hers"),
    ]
    new_call = _call(rep_north, person, at(3))
    page = timeline(user=rep_north, person=person)
    dated = [(e.kind, e.obj.pk) for e in page.entries if e.at <= at(10)]
    assert dated == [
        ("probe", 2),
        ("interaction", new_call.pk),
        ("probe", 1),
        ("interaction", old_call.pk),
    ]
    assert probe.calls[-1]["user"] == rep_north
    assert probe.calls[-1]["limit"] == 26  # a page of 25 and one to know there is more


def test_the_cursor_pages_through_mixed_sources_once_each(
    rep_north: Any, person_factory: Any, probe: ProbeSource
) -> None:
    person = person_factory(rep_north)
    expected: set[tuple[str, int]] = set()
    for i in range(6):
        # Every hour a call and a probe at the same moment: ties between sources too.
        expected.add(("interaction", _call(rep_north, person, at(i)).pk))
        probe.rows.append(Probe(10 + i, at(i), person.pk, f"probe {i}"))
        expected.add(("probe", 10 + i))
        probe.rows.append(Probe(20 + i, at(i), person.pk, f"twin {i}"))
        expected.add(("probe", 20 + i))
    seen: list[tuple[str, int]] = []
    keys: list[tuple[datetime.datetime, str, int]] = []
    before = None
    while True:
        page = timeline(user=rep_north, person=person, before=before, limit=4)
        seen += [(e.kind, int(e.obj.pk)) for e in page.entries]
        keys += [e.key for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert len(seen) == len(set(seen))
    assert {s for s in seen if s[0] != "history"} == expected
    assert keys == sorted(keys, reverse=True)


def test_the_page_renders_the_source_and_offers_it_in_the_kind_filter(
    client: Any, rep_north: Any, person_factory: Any, probe: ProbeSource
) -> None:
    person = person_factory(rep_north)
    probe.rows.append(Probe(7, at(1), person.pk, "<b>seen</b>"))
    _call(rep_north, person, at(2), subject="A call")
    client.force_login(rep_north)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert '<option value="probe">Probes</option>' in page
    assert 'id="entry-probe-7"' in page
    assert "Probe: &lt;b&gt;seen&lt;/b&gt;" in page
    assert "bi-bug" in page
    only = client.get(f"/timeline/person/{person.pk}/", {"kind": "probe"}).content.decode()
    assert 'id="entry-probe-7"' in only
    assert "A call" not in only
    # A kind no source has is no filter.
    assert (
        "A call" in client.get(f"/timeline/person/{person.pk}/", {"kind": "nope"}).content.decode()
    )


def test_filters_reach_the_sources_and_a_channel_skips_sources_without_one(
    rep_north: Any, person_factory: Any, probe: ProbeSource
) -> None:
    person = person_factory(rep_north)
    probe.rows.append(Probe(1, at(1), person.pk, "p"))
    timeline(user=rep_north, person=person, actor_id=rep_north.pk)
    assert probe.calls[-1]["filters"] == TimelineFilters(actor_id=rep_north.pk)
    calls_before = len(probe.calls)
    page = timeline(user=rep_north, person=person, channel="call")
    assert len(probe.calls) == calls_before
    assert [e.kind for e in page.entries] == []


def test_a_cursor_names_a_registered_source(probe: ProbeSource) -> None:
    cursor = TimelineCursor(BASE, "probe", 3)
    assert TimelineCursor.parse(str(cursor)) == cursor
    assert TimelineCursor.parse(str(TimelineCursor(BASE, "gone", 3))) is None
    assert TimelineCursor.parse("2025-06-01T12:00:00|probe|3") is None  # no time zone


def test_a_source_key_must_be_safe_in_cursors_and_ids() -> None:
    def nothing(**kwargs: Any) -> list[tuple[datetime.datetime, Any]]:
        return []

    for bad in ("", "Deal", "a|b", "a b", "1a"):
        with pytest.raises(ImproperlyConfigured):
            register_timeline_source(
                TimelineSource(key=bad, label="x", icon="", entries=nothing, template="x.html")
            )
    assert not {"", "Deal", "a|b", "a b", "1a"} & set(timeline_sources)


def test_this_app_registers_its_own_sources_through_the_registry() -> None:
    for key in ("interaction", "task", "appointment", "history"):
        assert key in timeline_sources
