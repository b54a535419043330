"""A visitor's submission of a web form (``POST /forms/<slug>/submit`` and the hosted
page): the lead with its owner, source, UTM parameters and referrer; the campaign
credited; each ticked consent with its exact text, IP and user agent; double opt-in
over a real SMTP server; the owner told by e-mail; and everything refused with a clear
message and nothing saved: honeypot, too fast, no token, rate limit, oversize or
malformed bodies, another site's origin, bad values."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import pytest
from django.test import Client

from clientela.contacts.models import Person
from clientela.marketing.form_spam import HONEYPOT, TIMESTAMP, form_token
from clientela.marketing.models import (
    CampaignAttribution,
    ConsentEvent,
    ConsentState,
    FormSubmission,
)
from clientela.marketing.services.campaigns import campaign_create
from clientela.marketing.services.consent import RESEND_MINUTES
from clientela.marketing.services.lead_forms import lead_form_trash, lead_form_update
from clientela.marketing.tests.form_setup import CONSENT_TEXT, SHOP, body, lucia, make_form
from clientela.sales.models import Lead

pytestmark = pytest.mark.django_db

URL = "/forms/spring-offer/submit"
AGENT = "Mozilla/5.0 (Test) Shop"


def post(client: Client, data: Any, *, remote: str = "127.0.0.1", **headers: Any) -> Any:
    return client.post(
        URL,
        json.dumps(data),
        content_type="application/json",
        headers={"user-agent": AGENT, **headers},
        REMOTE_ADDR=remote,
    )


def nothing_saved() -> None:
    assert not Lead.objects.exists()
    assert not FormSubmission.objects.exists()
    assert not ConsentEvent.objects.exists()


@pytest.fixture
def campaign(marketer: Any) -> Any:
    data = {"name": "Spring 2026", "purpose": "offers", "subject": "Spring", "html": "<p>Hi</p>"}
    return campaign_create(actor=marketer, data=data)  # type: ignore[arg-type]


def test_a_submission_makes_the_lead_with_where_it_came_from(
    marketer: Any, rep_north: Any, campaign: Any
) -> None:
    form = make_form(marketer, lead_owner_id=rep_north.pk, campaign_id=campaign.pk)
    query = "?utm_source=newsletter&utm_medium=email&utm_term=crm"
    data = body(form, **lucia(), consent_0=True, utm_campaign="Spring 2026",
                referrer="https://shop.example.com/offers")  # fmt: skip
    answer = Client().post(
        URL + query, json.dumps(data), content_type="application/json",
        headers={"user-agent": AGENT, "origin": SHOP},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert answer.json()["ok"] is True
    assert answer["Access-Control-Allow-Origin"] == SHOP
    [lead] = Lead.objects.all()
    assert (lead.first_name, lead.last_name, lead.email, lead.company) == (
        "Lucía", "Gómez", "lucia@example.com", "Gómez Hnos.",
    )  # fmt: skip
    assert (lead.source, lead.owner, lead.team) == ("web_form", rep_north, rep_north.team)
    assert lead.notes == "Call me about the offer.\nTeam size: 11-50"
    [submission] = FormSubmission.objects.all()
    assert submission.lead == lead
    assert (submission.utm_source, submission.utm_medium, submission.utm_campaign) == (
        "newsletter", "email", "Spring 2026",
    )  # fmt: skip
    assert submission.utm_term == "crm"
    assert submission.referrer == "https://shop.example.com/offers"
    assert (submission.ip, submission.user_agent) == ("127.0.0.1", AGENT)
    assert submission.data["size"] == "11-50"
    [credit] = CampaignAttribution.objects.all()
    assert (credit.campaign, credit.lead, credit.first_touch, credit.last_touch) == (
        campaign, lead, True, True,
    )  # fmt: skip


def test_the_utm_campaign_takes_the_last_touch(marketer: Any, campaign: Any) -> None:
    other = campaign_create(
        actor=marketer,
        data={"name": "Autumn", "purpose": "offers", "subject": "A", "html": "<p>A</p>"},
    )
    form = make_form(marketer, campaign_id=campaign.pk)
    assert post(Client(), body(form, **lucia(), utm_campaign=str(other.pk))).status_code == 201
    touches = {
        a.campaign_id: (a.first_touch, a.last_touch) for a in CampaignAttribution.objects.all()
    }
    assert touches == {campaign.pk: (True, False), other.pk: (False, True)}


def test_consent_is_stored_with_its_exact_text_ip_and_user_agent(marketer: Any) -> None:
    form = make_form(marketer)
    answer = post(Client(), body(form, **lucia(), consent_0="on"), remote="203.0.113.9")
    assert answer.status_code == 201, answer.content
    [person] = Person.objects.all()
    assert (person.first_name, person.email) == ("Lucía", "lucia@example.com")
    [event] = ConsentEvent.objects.all()
    assert event.person == person
    assert (event.purpose.key, event.channel, event.granted, event.source) == (
        "newsletter", "email", True, "form",
    )  # fmt: skip
    assert event.wording is not None
    assert event.wording.text == CONSENT_TEXT
    assert (event.ip, event.user_agent) == ("203.0.113.9", AGENT)
    assert ConsentState.objects.get(person=person).granted
    assert FormSubmission.objects.get().person == person


def test_an_existing_person_is_found_by_the_address(
    marketer: Any, rep_south: Any, person_factory: Any
) -> None:
    known = person_factory(rep_south, first_name="Lucía", email="lucia@example.com")
    form = make_form(marketer)
    assert post(Client(), body(form, **lucia(), consent_0=True)).status_code == 201
    assert Person.objects.count() == 1
    assert ConsentEvent.objects.get().person == known


def test_no_box_ticked_records_no_consent_and_no_person(marketer: Any) -> None:
    form = make_form(marketer)
    assert post(Client(), body(form, **lucia())).status_code == 201
    assert Lead.objects.count() == 1
    assert not ConsentEvent.objects.exists()
    assert not Person.objects.exists()


def test_double_opt_in_mails_the_confirmation_and_the_owner_is_told(
    marketer: Any,
    rep_north: Any,
    smtp_server: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    smtp_server.use(settings)
    form = make_form(marketer, double_opt_in=True, lead_owner_id=rep_north.pk, language="es")
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(Client(), body(form, **lucia(), consent_0=True))
    assert answer.status_code == 201, answer.content
    by_to = {m["To"]: m for m in smtp_server.messages}
    assert set(by_to) == {"lucia@example.com", "nora@example.com"}
    confirmation = by_to["lucia@example.com"]
    assert Person.objects.get().preferred_language == "es"
    assert "/consent/confirm/" in confirmation.get_content()
    state = ConsentState.objects.get()
    assert (state.granted, state.pending) == (False, True)
    told = by_to["nora@example.com"]
    assert "Spring offer" in told["Subject"]
    assert "Lucía" in told["Subject"]
    assert "Team size: 11-50" in told.get_content()
    assert f"/leads/{Lead.objects.get().pk}/" in told.get_content()


def test_the_same_address_twice_gets_one_confirmation_within_the_window(
    marketer: Any,
    rep_north: Any,
    smtp_server: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A visitor who sends a double opt-in form twice (or a script posting someone's
    address again and again) makes a lead each time, but one pending grant and one
    confirmation e-mail per ``RESEND_MINUTES``; the first link still confirms. After the
    window a new e-mail may go (the first may have been lost)."""
    smtp_server.use(settings)
    form = make_form(marketer, double_opt_in=True, lead_owner_id=rep_north.pk, notify_owner=False)
    for remote in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
        with django_capture_on_commit_callbacks(execute=True):
            answer = post(Client(), body(form, **lucia(), consent_0=True), remote=remote)
        assert answer.status_code == 201, answer.content
    assert Lead.objects.count() == 3
    first = ConsentEvent.objects.get()
    assert first.pending
    assert [m["To"] for m in smtp_server.messages] == ["lucia@example.com"]
    state = ConsentState.objects.get()
    assert (state.pending_event_id, state.granted) == (first.pk, False)

    ConsentEvent.objects.filter(pk=first.pk).update(
        at=first.at - datetime.timedelta(minutes=RESEND_MINUTES + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(Client(), body(form, **lucia(), consent_0=True), remote="127.0.0.4")
    assert answer.status_code == 201, answer.content
    assert ConsentEvent.objects.filter(pending=True).count() == 2
    assert [m["To"] for m in smtp_server.messages] == ["lucia@example.com"] * 2


# --- refused: a clear message, nothing saved ---------------------------------------------


def test_bad_values_are_422_by_field(marketer: Any) -> None:
    form = make_form(marketer)
    answer = post(Client(), body(form, first="", email="not-an-address", size="huge"))
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert set(errors) == {"first", "email", "size"}
    assert errors["first"] == ["This field is required."]
    nothing_saved()


def test_the_honeypot_refuses(marketer: Any) -> None:
    form = make_form(marketer)
    answer = post(Client(), body(form, **lucia(), **{HONEYPOT: "http://spam.example"}))
    assert answer.status_code == 400
    assert "hidden field" in answer.json()["error"]
    nothing_saved()


def test_too_fast_and_missing_or_foreign_tokens_refuse(marketer: Any) -> None:
    form = make_form(marketer)
    other = make_form(marketer, slug="other", name="Other")
    cases = {
        "too fast": {**lucia(), TIMESTAMP: form_token(form.pk)},
        "missing": lucia(),
        "tampered": {**lucia(), TIMESTAMP: form_token(form.pk, now=time.time() - 30) + "x"},
        "another form's": {**lucia(), TIMESTAMP: form_token(other.pk, now=time.time() - 30)},
        "a day old": {**lucia(), TIMESTAMP: form_token(form.pk, now=time.time() - 90_000)},
    }
    for case, data in cases.items():
        answer = post(Client(), data)
        assert answer.status_code == 400, case
        assert answer.json()["error"], case
    nothing_saved()


def test_another_sites_origin_is_403_without_cors(marketer: Any) -> None:
    form = make_form(marketer)
    answer = post(Client(), body(form, **lucia()), origin="https://evil.example.net")
    assert answer.status_code == 403
    assert "may not send" in answer.json()["error"]
    assert "Access-Control-Allow-Origin" not in answer
    preflight = Client().options(URL, headers={"origin": "https://evil.example.net"})
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight
    nothing_saved()


def test_an_allowed_origins_preflight_is_answered(marketer: Any) -> None:
    make_form(marketer)
    preflight = Client().options(URL, headers={"origin": SHOP})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SHOP
    assert "Content-Type" in preflight["Access-Control-Allow-Headers"]


def test_the_rate_limit_refuses_then_lets_through_later(
    marketer: Any, settings: Any, rate_clock: Any
) -> None:
    settings.CLIENTELA_FORM_SUBMIT_RATE = "2/m"
    form = make_form(marketer)
    client = Client()
    for n in (1, 2):
        assert post(client, body(form, **lucia(email=f"v{n}@example.com"))).status_code == 201
    refused = post(client, body(form, **lucia(email="v3@example.com")))
    assert refused.status_code == 429
    assert "Too many" in refused.json()["error"]
    assert Lead.objects.count() == 2
    rate_clock.advance(120)
    assert post(client, body(form, **lucia(email="v3@example.com"))).status_code == 201


def test_oversize_and_malformed_bodies_are_refused(marketer: Any) -> None:
    form = make_form(marketer)
    client = Client()
    huge = post(client, body(form, **lucia(message="x" * 40_000)))
    assert huge.status_code == 413
    assert "too large" in huge.json()["error"]
    broken = client.post(URL, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "not valid JSON" in broken.json()["error"]
    listed = client.post(URL, "[1, 2]", content_type="application/json")
    assert listed.status_code == 400
    assert "JSON object" in listed.json()["error"]
    xml = client.post(URL, "<a/>", content_type="application/xml")
    assert xml.status_code == 415
    nested = post(client, body(form, **lucia(first={"a": 1})))
    assert nested.status_code == 422
    assert "first" in nested.json()["errors"]
    nothing_saved()


def test_form_encoded_posts_work_too(marketer: Any) -> None:
    form = make_form(marketer)
    answer = Client().post(URL, body(form, **lucia(), consent_0="on"))
    assert answer.status_code == 201, answer.content
    assert Lead.objects.get().email == "lucia@example.com"
    assert ConsentEvent.objects.count() == 1


def test_an_inactive_or_trashed_form_is_404(marketer: Any) -> None:
    form = make_form(marketer)
    data = body(form, **lucia())
    form = lead_form_update(actor=marketer, lead_form=form, data={"active": False})
    assert post(Client(), data).status_code == 404
    form = lead_form_update(actor=marketer, lead_form=form, data={"active": True})
    lead_form_trash(actor=marketer, lead_form=form)
    assert post(Client(), data).status_code == 404
    nothing_saved()


def test_a_lead_owner_who_lost_the_right_closes_the_form(marketer: Any, reader: Any) -> None:
    form = make_form(marketer)
    type(form).objects.filter(pk=form.pk).update(lead_owner=reader)
    answer = post(Client(), body(form, **lucia()))
    assert answer.status_code == 503
    nothing_saved()
