"""The development and test SMS backends, the configuration read from CLIENTELA_SMS_URL,
and the checks every backend makes before a message leaves."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import translation

from clientela.core import sms
from clientela.core.sms.backends.console import ConsoleBackend, FileBackend
from clientela.core.sms.backends.locmem import REFUSED_NUMBER, LocmemBackend
from clientela.core.sms.backends.twilio import TwilioBackend
from clientela.core.testing.sms import sms_outbox_fixture  # noqa: F401 (a fixture)
from clientela.env import ConfigError, env_sms_url

TO = "+34600123456"


def test_locmem_keeps_the_messages_and_gives_ids(sms_outbox: list[sms.SmsMessage]) -> None:
    results = sms.send_messages(
        [sms.SmsMessage(to=TO, body="Hola", reference="d-1"), sms.SmsMessage(to=TO, body="Adiós")]
    )
    assert [r.ok for r in results] == [True, True]
    assert results[0].provider_id != results[1].provider_id
    assert [(m.to, m.body, m.sender, m.reference) for m in sms_outbox] == [
        (TO, "Hola", "Clientela", "d-1"),
        (TO, "Adiós", "Clientela", ""),
    ]


def test_locmem_refuses_twilios_invalid_test_number(sms_outbox: list[sms.SmsMessage]) -> None:
    bad, good = sms.send_messages(
        [sms.SmsMessage(to=REFUSED_NUMBER, body="x"), sms.SmsMessage(to=TO, body="y")]
    )
    assert not bad.ok
    assert REFUSED_NUMBER in bad.error
    assert good.ok
    assert [m.body for m in sms_outbox] == ["y"]


@pytest.mark.parametrize(
    ("message", "said"),
    [
        (sms.SmsMessage(to="600123456", body="x"), "E.164"),
        (sms.SmsMessage(to="+34 600 123 456", body="x"), "E.164"),
        (sms.SmsMessage(to="+0600123456", body="x"), "E.164"),
        (sms.SmsMessage(to="+3460", body="x"), "E.164"),
        (sms.SmsMessage(to=TO, body="   "), "empty"),
        (sms.SmsMessage(to=TO, body="x" * 1601), "1600"),
        (sms.SmsMessage(to=TO, body="a\x00b"), "NUL"),
        (sms.SmsMessage(to=TO, body="x", sender="A very long sender"), "sender"),
        (sms.SmsMessage(to=TO, body="x", sender="+1"), "sender"),
        (sms.SmsMessage(to=TO, body="x", reference="r" * 101), "reference"),
    ],
)
def test_a_message_that_cannot_be_sent_gets_its_error_and_the_others_go(
    sms_outbox: list[sms.SmsMessage], message: sms.SmsMessage, said: str
) -> None:
    bad, good = sms.send_messages([message, sms.SmsMessage(to=TO, body="fine")])
    assert said in bad.error
    assert not bad.provider_id
    assert not bad.retryable
    assert good.ok
    assert [m.body for m in sms_outbox] == ["fine"]


def test_without_any_sender_the_message_is_refused() -> None:
    (result,) = LocmemBackend().send_messages([sms.SmsMessage(to=TO, body="x")])
    assert "No sender" in result.error


def test_errors_are_in_the_readers_language(sms_outbox: list[sms.SmsMessage]) -> None:
    with translation.override("es"):
        (result,) = sms.send_messages([sms.SmsMessage(to=TO, body="")])
    assert result.error == "El mensaje está vacío."


def test_console_prints_each_message_with_its_length() -> None:
    out = io.StringIO()
    backend = ConsoleBackend(stream=out, sender="+34910000000")
    (result,) = backend.send_messages([sms.SmsMessage(to=TO, body="¿Cómo está?", reference="7")])
    printed = out.getvalue()
    assert result.ok
    assert result.provider_id.startswith("console-")
    assert f"To: {TO}" in printed
    assert "From: +34910000000" in printed
    assert "Reference: 7" in printed
    assert f"Id: {result.provider_id}" in printed
    assert "UCS-2, 11 characters, 1 segment(s) of 70" in printed
    assert "¿Cómo está?" in printed


def test_console_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleBackend(sender="Clientela").send_messages([sms.SmsMessage(to=TO, body="hi")])
    assert "hi" in capsys.readouterr().out


def test_file_writes_each_batch_to_a_file_of_its_own(tmp_path: Path) -> None:
    backend = FileBackend(path=str(tmp_path / "sms"), sender="Clientela")
    first = backend.send_messages(
        [sms.SmsMessage(to=TO, body="uno"), sms.SmsMessage(to=TO, body="dos")]
    )
    backend.send_messages([sms.SmsMessage(to=TO, body="tres")])
    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    texts = [f.read_text(encoding="utf-8") for f in files]
    together = "".join(texts)
    assert "uno" in together
    assert "dos" in together
    assert "tres" in together
    assert all(r.provider_id in together for r in first)
    assert sum("uno" in t and "dos" in t for t in texts) == 1


def test_file_keeps_one_file_while_open(tmp_path: Path) -> None:
    with FileBackend(path=str(tmp_path), sender="Clientela") as backend:
        backend.send_messages([sms.SmsMessage(to=TO, body="uno")])
        backend.send_messages([sms.SmsMessage(to=TO, body="dos")])
    assert len(list(tmp_path.iterdir())) == 1


def test_file_refuses_a_path_that_is_a_file(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x")
    with pytest.raises(ImproperlyConfigured, match="taken"):
        FileBackend(path=str(taken))


def test_an_unknown_option_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="colour"):
        LocmemBackend(colour="red")


def test_get_backend_builds_the_configured_one_and_options_win(settings: Any) -> None:
    settings.CLIENTELA_SMS_BACKEND = env_sms_url("UNSET_SMS_URL", "console://?from=Clientela")
    backend = sms.get_backend()
    assert isinstance(backend, ConsoleBackend)
    assert backend.sender == "Clientela"
    assert sms.get_backend(sender="Other").sender == "Other"
    assert isinstance(
        sms.get_backend("clientela.core.sms.backends.locmem.LocmemBackend"), LocmemBackend
    )


# --- CLIENTELA_SMS_URL ---------------------------------------------------------------


def _read(monkeypatch: pytest.MonkeyPatch, value: str) -> dict[str, Any]:
    monkeypatch.setenv("CLIENTELA_SMS_URL", value)
    return env_sms_url("CLIENTELA_SMS_URL", "console://")


def test_the_default_is_the_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIENTELA_SMS_URL", raising=False)
    assert env_sms_url("CLIENTELA_SMS_URL", "console://") == {
        "BACKEND": "clientela.core.sms.backends.console.ConsoleBackend",
        "OPTIONS": {},
    }


def test_a_sender_keeps_its_plus(monkeypatch: pytest.MonkeyPatch) -> None:
    found = _read(monkeypatch, "file:///var/sms?from=+34910000000")
    assert found["OPTIONS"] == {"sender": "+34910000000", "path": "/var/sms"}


def test_twilio_url_gives_credentials_base_url_and_options(monkeypatch: pytest.MonkeyPatch) -> None:
    found = _read(
        monkeypatch,
        "twilio://AC123:s%40cret@api.twilio.com?from=Clientela&timeout=4.5&status_callback=false",
    )
    assert found["BACKEND"] == "clientela.core.sms.backends.twilio.TwilioBackend"
    assert found["OPTIONS"] == {
        "sender": "Clientela",
        "account_sid": "AC123",
        "auth_token": "s@cret",
        "base_url": "https://api.twilio.com",
        "timeout": 4.5,
        "status_callback": False,
    }
    backend = sms.get_backend(found["BACKEND"], **found["OPTIONS"])
    assert isinstance(backend, TwilioBackend)
    assert backend.auth_token == "s@cret"


def test_twilio_http_points_at_a_local_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    found = _read(monkeypatch, "twilio+http://AC1:tok@127.0.0.1:8099")
    assert found["OPTIONS"]["base_url"] == "http://127.0.0.1:8099"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("smtp://x", "scheme must be"),
        ("console://host", "no host"),
        ("file://relative/dir", "absolute"),
        ("memory://?colour=red", "unknown option colour"),
        ("console://?from=+12", "E.164"),
        ("twilio://api.twilio.com", "ACCOUNT_SID:AUTH_TOKEN"),
        ("twilio://AC1:tok@host?timeout=abc", "timeout"),
        ("twilio://AC1:tok@host?timeout=0", "timeout"),
        ("twilio://AC1:tok@host?status_callback=maybe", "status_callback"),
        ("twilio://AC1:tok@host:99999", "port"),
    ],
)
def test_a_bad_sms_url_stops_start_up_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, value: str, said: str
) -> None:
    with pytest.raises(ConfigError, match=said) as caught:
        _read(monkeypatch, value)
    assert "CLIENTELA_SMS_URL" in str(caught.value)
    assert "tok" not in str(caught.value)  # the auth token is never shown


# --- clientela sms-test ----------------------------------------------------------------


def test_sms_test_sends_one_message_and_says_its_id(sms_outbox: list[sms.SmsMessage]) -> None:
    out = io.StringIO()
    call_command("sms_test", TO, "--body", "Prueba €", stdout=out)
    assert [(m.to, m.body, m.sender) for m in sms_outbox] == [(TO, "Prueba €", "Clientela")]
    assert "Sent through locmem: locmem-" in out.getvalue()
    assert "GSM-7, 1 segment(s)" in out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "said"),
    [(["600123456"], "E.164"), ([REFUSED_NUMBER], "refused"), ([TO, "--from", "+1"], "sender")],
)
def test_sms_test_fails_with_the_error(
    sms_outbox: list[sms.SmsMessage], arguments: list[str], said: str
) -> None:
    with pytest.raises(CommandError, match=said):
        call_command("sms_test", *arguments, stdout=io.StringIO())
    assert sms_outbox == []


def test_sms_test_says_a_configuration_problem(settings: Any, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x")
    settings.CLIENTELA_SMS_BACKEND = {
        "BACKEND": "clientela.core.sms.backends.console.FileBackend",
        "OPTIONS": {"path": str(taken)},
    }
    with pytest.raises(CommandError, match="cannot use the directory"):
        call_command("sms_test", TO, stdout=io.StringIO())
