"""Consent columns of a people import (issue 15, item 1): a column mapped to "Consent:
<purpose> (<channel>)" grants or withdraws that consent for each row's person, recorded
through marketing's consent service with the import as source, the basis and wording
declared once for the file, and the job and file name as reference; the dry run counts
what would be granted and withdrawn and writes nothing; a cell that is not yes or no is
reported and left out, its row imported; only users who run campaigns may map consent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.urls import reverse

from clientela.cli import main
from clientela.contacts.models import Person
from clientela.integrations import selectors, services
from clientela.integrations.imports.mapping import targets_for
from clientela.integrations.models import ImportJob, ImportStatus, RowIssueKind
from clientela.integrations.tests.test_import_services import csv_file, upload
from clientela.marketing.models import ConsentEvent, ConsentState, Suppression

pytestmark = pytest.mark.django_db

WORDING = "Yes, send me the monthly newsletter by e-mail."
NEWSLETTER = "consent:newsletter:email"
ROWS = [
    ["First name", "Last name", "E-mail", "Newsletter"],
    ["Ana", "Ruiz", "ana@example.com", "yes"],
    ["Ben", "Ortiz", "ben@example.com", "x"],
    ["Carla", "Sanz", "carla@example.com", "Sí"],
    ["Dani", "Vega", "dani@example.com", "no"],
    ["Eva", "Luna", "eva@example.com", ""],
    ["Fede", "Mora", "fede@example.com", "maybe"],
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def configured(user: Any, terms: dict[str, str] | None = None, rows: Any = None) -> ImportJob:
    job = upload(user, csv_file(rows or ROWS), "newsletter.csv", "people")
    mapping = [
        NEWSLETTER if h == "Newsletter" else t
        for h, t in zip(job.headers, job.mapping, strict=True)
    ]
    return services.import_configure(
        actor=user,
        job=job,
        kind="people",
        mapping=mapping,
        consent_terms={"legal_basis": "consent", "wording": WORDING} if terms is None else terms,
    )


def checked(user: Any, **kwargs: Any) -> ImportJob:
    job = configured(user, **kwargs)
    services.import_check(actor=user, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    return job


def state(email: str) -> ConsentState | None:
    return ConsentState.objects.filter(person__email=email, purpose__key="newsletter").first()


def test_the_dry_run_counts_the_consents_and_records_none(marketer: Any) -> None:
    job = checked(marketer)
    assert (job.preview["consents_granted"], job.preview["consents_withdrawn"]) == (3, 1)
    assert job.preview["created"] == 6
    assert not ConsentEvent.objects.exists()
    notes = selectors.import_issues(job=job, dry_run=True).filter(kind=RowIssueKind.NOTE)
    assert [(n.row, n.column, n.value) for n in notes] == [(7, "Newsletter", "maybe")]
    assert "not yes or no" in notes[0].message


def test_the_import_records_each_consent_with_its_proof(marketer: Any) -> None:
    job = checked(marketer)
    services.import_start(actor=marketer, job=job)
    services.import_run(job=job)
    assert Person.objects.count() == 6  # the row with a bad consent cell is imported too
    events = ConsentEvent.objects.select_related("wording", "person").order_by("person__email")
    assert [(e.person.email, e.granted) for e in events] == [
        ("ana@example.com", True),
        ("ben@example.com", True),
        ("carla@example.com", True),
        ("dani@example.com", False),
    ]
    for event in events:
        assert (event.source, event.legal_basis, event.channel) == ("import", "consent", "email")
        assert event.wording is not None
        assert event.wording.text == WORDING
        assert event.reference == f"import #{job.pk}: newsletter.csv"
        assert event.actor == marketer
    assert state("ana@example.com").granted  # type: ignore[union-attr]
    assert not state("dani@example.com").granted  # type: ignore[union-attr]
    assert state("eva@example.com") is None
    assert state("fede@example.com") is None
    # A withdrawal suppresses the address for the purpose, as on the person page.
    assert Suppression.objects.filter(address="dani@example.com").exists()


def test_a_matched_person_gets_the_consent_on_update(marketer: Any, person_factory: Any) -> None:
    ana = person_factory(marketer, first_name="Ana", last_name="Ruiz", email="ana@example.com")
    job = checked(marketer, rows=ROWS[:2])
    # Nothing else new in the row: the record is left as it is, the consent recorded.
    assert (job.preview["skipped"], job.preview["consents_granted"]) == (1, 1)
    services.import_start(actor=marketer, job=job)
    services.import_run(job=job)
    assert ConsentEvent.objects.get().person_id == ana.pk


def test_the_wording_is_required_for_consent_but_not_for_other_bases(marketer: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        configured(marketer, {"legal_basis": "consent", "wording": "  "})
    assert "consent_wording" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        configured(marketer, {"legal_basis": "whim", "wording": WORDING})
    assert "consent_basis" in caught.value.message_dict
    job = checked(marketer, terms={"legal_basis": "legitimate_interest", "wording": ""})
    services.import_start(actor=marketer, job=job)
    services.import_run(job=job)
    assert set(ConsentEvent.objects.values_list("legal_basis", flat=True)) == {
        "legitimate_interest"
    }


def test_a_user_who_does_not_run_campaigns_may_not_map_consent(rep_north: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        configured(rep_north)
    assert "run campaigns" in caught.value.messages[0]
    # Without the consent column the same file imports as usual.
    job = upload(rep_north, csv_file(ROWS), "newsletter.csv", "people")
    services.import_configure(actor=rep_north, job=job, kind="people", mapping=job.mapping)
    assert job.consent_terms == {}


def test_the_targets_name_each_purpose_and_channel() -> None:
    labels = {t.key: str(t.label) for t in targets_for("people")}
    assert labels[NEWSLETTER] == "Consent: Newsletter (E-mail)"
    assert "consent:offers:sms" in labels
    assert not any(k.startswith("consent:") for k in (t.key for t in targets_for("organizations")))


def test_the_mapping_page_asks_for_the_terms_and_the_dry_run_shows_the_counts(
    client: Any, marketer: Any, rep_north: Any
) -> None:
    job = upload(marketer, csv_file(ROWS), "newsletter.csv", "people")
    url = reverse("integrations:import-detail", kwargs={"pk": job.pk})
    client.force_login(marketer)
    page = client.get(url).content.decode()
    assert f'<option value="{NEWSLETTER}"' in page
    assert 'id="consent-wording"' in page
    post = {
        "kind": "people",
        "on_exact": "update",
        "on_similar": "skip",
        "consent_basis": "consent",
    }
    for index, target in enumerate(job.mapping):
        post[f"map_{index}"] = NEWSLETTER if job.headers[index] == "Newsletter" else target
    again = client.post(url, post)
    assert again.status_code == 400
    assert "exact words" in again.content.decode()
    done = client.post(url, {**post, "consent_wording": WORDING})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "3 consents will be granted, 1 withdrawn (Consent)" in page

    other = upload(rep_north, csv_file(ROWS), "newsletter.csv", "people")
    client.force_login(rep_north)
    page = client.get(
        reverse("integrations:import-detail", kwargs={"pk": other.pk})
    ).content.decode()
    assert NEWSLETTER not in page
    assert 'id="consent-wording"' not in page


def test_the_command_takes_the_basis_and_wording_of_a_saved_consent_mapping(
    marketer: Any, capsys: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's connection
    services.mapping_save(
        actor=marketer,
        name="shop list",
        kind="people",
        headers=ROWS[0],
        mapping=["first_name", "last_name", "email", NEWSLETTER],
    )
    path = tmp_path / "newsletter.csv"
    path.write_bytes(csv_file(ROWS))
    base = ["import", str(path), "--user", marketer.username, "--mapping", "shop list"]
    # Without the terms: the error names what is missing, and nothing is written.
    code = main([*base, "--no-progress"])
    _out, err = capsys.readouterr()
    assert code != 0
    assert "legal basis" in err
    assert not Person.objects.exists()
    assert not ConsentEvent.objects.exists()
    terms = ["--consent-basis", "consent", "--consent-wording", WORDING]
    code = main([*base, "--no-progress", *terms])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "created 6, updated 0, skipped 0, failed 0"
    granted = ConsentEvent.objects.filter(granted=True)
    assert granted.count() == 3
    assert {e.source for e in granted} == {"import"}
    withdrawn = state("dani@example.com")
    assert withdrawn is not None
    assert not withdrawn.granted
