"""The optional proof of work of a web form (``form_pow``): off by default; when on, a
post needs a solved challenge of ``GET /forms/<slug>/challenge``, and a missing, wrong,
foreign, expired or reused proof is refused with a clear message and nothing saved.
The browser's side is ``test_forms_browser.py``."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from clientela.core.testing.api import Api, fields
from clientela.marketing import form_pow
from clientela.marketing.models import FormSubmission
from clientela.marketing.tests.form_setup import body, lucia, make_form
from clientela.sales.models import Lead

pytestmark = pytest.mark.django_db

BITS = 8  # a few hundred hashes: the tests stay fast, the check is the same


@pytest.fixture(autouse=True)
def _easy(settings: Any) -> None:
    settings.CLIENTELA_FORM_POW_BITS = BITS


def post(form: Any, data: dict[str, Any], remote: str = "127.0.0.1") -> Any:
    return Client().post(
        f"/forms/{form.slug}/submit",
        json.dumps(data),
        content_type="application/json",
        REMOTE_ADDR=remote,
    )


def solved(form: Any) -> dict[str, str]:
    """What a headless client does: get a challenge, solve it, post both values."""
    answer = Client().get(f"/forms/{form.slug}/challenge")
    assert answer.status_code == 200
    c = answer.json()
    assert (c["algorithm"], c["bits"], c["required"]) == ("SHA-256", BITS, form.proof_of_work)
    return {
        c["challenge_name"]: c["challenge"],
        c["nonce_name"]: form_pow.solve(c["challenge"], c["bits"]),
    }


def refused(answer: Any, message: Any) -> None:
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"] == str(message)
    assert not Lead.objects.exists()
    assert not FormSubmission.objects.exists()


def test_the_setting_is_off_by_default_and_a_plain_post_goes_through(marketer: Any) -> None:
    form = make_form(marketer)
    assert not form.proof_of_work
    assert post(form, body(form, **lucia())).status_code == 201
    assert FormSubmission.objects.get().proof == ""


def test_a_solved_challenge_lets_the_submission_in(marketer: Any) -> None:
    form = make_form(marketer, proof_of_work=True)
    proof = solved(form)
    answer = post(form, body(form, **lucia(), **proof))
    assert answer.status_code == 201, answer.content
    digest = hashlib.sha256(f"{proof['_pow']}:{proof['_pow_nonce']}".encode()).digest()
    assert form_pow.leading_zero_bits(digest) >= BITS
    assert FormSubmission.objects.get().proof != ""


def test_a_missing_proof_is_refused(marketer: Any) -> None:
    form = make_form(marketer, proof_of_work=True)
    refused(post(form, body(form, **lucia())), form_pow.MISSING)


def test_a_wrong_nonce_or_a_tampered_challenge_is_refused(marketer: Any) -> None:
    form = make_form(marketer, proof_of_work=True)
    proof = solved(form)
    nonce = int(proof["_pow_nonce"])
    # The next nonce that does not solve it (most do not).
    wrong = next(
        str(n)
        for n in range(nonce + 1, nonce + 10_000)
        if form_pow.leading_zero_bits(hashlib.sha256(f"{proof['_pow']}:{n}".encode()).digest())
        < BITS
    )
    for bad in (
        {**proof, "_pow_nonce": wrong},
        {**proof, "_pow_nonce": "12a"},
        {**proof, "_pow_nonce": 12},
        {**proof, "_pow": proof["_pow"][:-2] + "xx"},
        {"_pow_nonce": proof["_pow_nonce"]},
    ):
        refused(post(form, body(form, **lucia(), **bad)), form_pow.INVALID)


def test_another_forms_challenge_is_refused(marketer: Any) -> None:
    form = make_form(marketer, proof_of_work=True)
    other = make_form(marketer, slug="other", proof_of_work=True)
    refused(post(form, body(form, **lucia(), **solved(other))), form_pow.INVALID)


def test_an_expired_challenge_is_refused(marketer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    form = make_form(marketer, proof_of_work=True)
    proof = solved(form)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
        seconds=form_pow.MAX_AGE_SECONDS + 60
    )
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())  # type: ignore[attr-defined]
    refused(post(form, body(form, **lucia(), **proof)), form_pow.EXPIRED)


def test_a_proof_serves_one_submission(marketer: Any) -> None:
    form = make_form(marketer, proof_of_work=True)
    proof = solved(form)
    assert post(form, body(form, **lucia(), **proof)).status_code == 201
    again = post(form, body(form, **lucia(), **proof), remote="127.0.0.2")
    assert again.status_code == 400
    assert again.json()["error"] == str(form_pow.USED)
    assert Lead.objects.count() == 1
    # A fresh one works.
    assert post(form, body(form, **lucia(), **solved(form)), remote="127.0.0.3").status_code == 201


def test_a_refused_submission_does_not_use_up_its_proof(marketer: Any) -> None:
    """A post with a bad value (422) saves nothing, so the same proof may come back with
    the value corrected."""
    form = make_form(marketer, proof_of_work=True)
    proof = solved(form)
    bad = post(form, body(form, **lucia(email="not an address"), **proof))
    assert bad.status_code == 422
    assert post(form, body(form, **lucia(), **proof)).status_code == 201


def test_the_hosted_page_loads_the_solver_only_when_asked(marketer: Any) -> None:
    plain = make_form(marketer)
    page = Client().get(f"/forms/{plain.slug}/").content.decode()
    assert "form-pow.js" not in page
    assert "data-pow-url" not in page
    guarded = make_form(marketer, slug="guarded", proof_of_work=True)
    page = Client().get(f"/forms/{guarded.slug}/").content.decode()
    assert 'data-pow-url="/forms/guarded/challenge"' in page
    assert "marketing/form-pow.js" in page
    # The hosted page without the script (no JavaScript) is refused with the reason.
    answer = Client().post(f"/forms/{guarded.slug}/", body(guarded, **lucia()))
    assert answer.status_code == 400
    assert "JavaScript" in answer.content.decode()
    schema = Client().get(f"/forms/{guarded.slug}/schema").json()
    assert schema["proof_of_work"] is True
    assert schema["challenge_url"] == "/forms/guarded/challenge"


def test_a_foreign_site_gets_no_challenge(marketer: Any) -> None:
    form = make_form(marketer, proof_of_work=True)
    answer = Client().get(
        f"/forms/{form.slug}/challenge", headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert "Access-Control-Allow-Origin" not in answer


def test_the_api_sets_the_proof_of_work(marketer: Any) -> None:
    api = Api(marketer, ("marketing:read", "marketing:write"))
    form = make_form(marketer)
    changed = api.patch(f"/api/v1/forms/{form.pk}", {"proof_of_work": True})
    assert changed.status_code == 200, changed.content
    assert changed.json()["proof_of_work"] is True
    bad = api.patch(f"/api/v1/forms/{form.pk}", {"proof_of_work": "maybe"})
    assert bad.status_code == 422
    assert "proof_of_work" in fields(bad)
