"""The ``clientela`` command line: commands in-process through ``cli.main`` (fast), and
a few end-to-end runs in a subprocess against a throwaway SQLite database (exit codes,
one-line errors, the server and worker actually starting)."""

from __future__ import annotations

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from clientela.cli import main
from clientela.contacts.models import Organization, Person
from clientela.contacts.services import organization_trash, person_trash
from clientela.core.choices import Interface
from clientela.core.context import current_interface
from clientela.core.models import ApiToken, AuditEntry, IdempotencyKey, User
from clientela.core.services import hash_token, user_create
from clientela.core.testing.migrated import migrated_database
from conftest import PASSWORD

# --- in-process -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: Any) -> None:
    # BaseCommand.run_from_argv closes every database connection when it ends, as a
    # process about to exit should. In-process, that would close the connection holding
    # the test's transaction (PostgreSQL then reports "the connection is closed").
    monkeypatch.setattr(connections, "close_all", lambda: None)


def run_cli(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def roles(make_user: Any) -> None:
    """``make_user`` creates the default roles; nothing else is needed."""


def test_help_lists_the_commands(capsys: Any) -> None:
    code, out, _err = run_cli(capsys, "--help")
    assert code == 0
    for command in ("serve", "worker", "run", "migrate", "demo", "createuser", "token"):
        assert command in out


def test_unknown_command_is_one_line_and_exit_2(capsys: Any) -> None:
    code, _out, err = run_cli(capsys, "frobnicate")
    assert code == 2
    assert "frobnicate" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_createuser_creates_user_with_role_and_team(db: Any, roles: None, capsys: Any) -> None:
    code, out, err = run_cli(
        capsys,
        "createuser",
        "bob",
        "--role",
        "sales",
        "--team",
        "South",
        "--password",
        PASSWORD,
        "--email",
        "bob@example.com",
    )
    assert code == 0, err
    user = User.objects.get(username="bob")
    assert user.role is not None
    assert user.role.key == "sales"
    assert user.team is not None
    assert user.team.name == "South"
    assert user.email == "bob@example.com"
    assert user.check_password(PASSWORD)
    assert "bob" in out


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--role", "wizard", "--password", PASSWORD], "role"),
        (["--role", "sales", "--password", "short"], "password"),
        (["--role", "sales", "--password", "12345678901"], "password"),
    ],
)
def test_createuser_bad_input_names_the_problem(
    db: Any, roles: None, capsys: Any, extra: list[str], named: str
) -> None:
    code, _out, err = run_cli(capsys, "createuser", "bob", "--team", "North", *extra)
    assert code != 0
    assert named in err
    assert "Traceback" not in err
    assert not User.objects.filter(username="bob").exists()


def test_createuser_refuses_a_taken_username(db: Any, rep_north: Any, capsys: Any) -> None:
    code, _out, err = run_cli(
        capsys,
        "createuser",
        rep_north.username.upper(),
        "--role",
        "sales",
        "--team",
        "North",
        "--password",
        PASSWORD,
    )
    assert code != 0
    assert "username" in err


def test_createuser_without_password_and_terminal_fails(
    db: Any, roles: None, capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    code, _out, err = run_cli(capsys, "createuser", "bob", "--role", "sales")
    assert code != 0
    assert "--password" in err


def test_token_create_prints_the_token_alone_on_the_last_line(
    db: Any, rep_north: Any, capsys: Any
) -> None:
    code, out, err = run_cli(
        capsys,
        "token",
        "create",
        "--user",
        rep_north.username,
        "--scopes",
        "contacts:read,contacts:write",
        "--name",
        "zapier",
    )
    assert code == 0, err
    clear = out.rstrip("\n").splitlines()[-1]
    assert clear.startswith("clt_")
    assert " " not in clear
    token = ApiToken.objects.get(token_hash=hash_token(clear))
    assert token.user == rep_north
    assert token.name == "zapier"
    assert sorted(token.scopes) == ["contacts:read", "contacts:write"]
    assert token.expires_at is None
    assert clear not in str(token.__dict__)  # only the hash is stored


def test_token_expiry_is_the_end_of_the_given_day(db: Any, rep_north: Any, capsys: Any) -> None:
    day = timezone.localdate() + datetime.timedelta(days=30)
    code, out, err = run_cli(
        capsys,
        "token",
        "create",
        "--user",
        rep_north.username,
        "--scopes",
        "contacts:read",
        "--expires",
        day.isoformat(),
    )
    assert code == 0, err
    token = ApiToken.objects.get(token_hash=hash_token(out.splitlines()[-1]))
    assert token.expires_at is not None
    assert timezone.localtime(token.expires_at).date() == day + datetime.timedelta(days=1)
    assert timezone.localtime(token.expires_at).time() == datetime.time(0, 0)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--user", "nobody", "--scopes", "contacts:read"], "nobody"),
        (["--user", "nora_north", "--scopes", "contacts:everything"], "contacts:everything"),
        (["--user", "nora_north", "--scopes", ","], "scope"),
        (["--user", "nora_north", "--scopes", "contacts:read", "--expires", "2001-01-01"], "expir"),
        (["--user", "nora_north", "--scopes", "contacts:read", "--expires", "soon"], "--expires"),
        (
            ["--user", "nora_north", "--scopes", "contacts:read", "--expires", "2030-02-30"],
            "--expires",
        ),
    ],
)
def test_token_create_bad_input_fails_without_saving(
    db: Any, rep_north: Any, capsys: Any, args: list[str], named: str
) -> None:
    code, _out, err = run_cli(capsys, "token", "create", *args)
    assert code != 0
    assert named in err
    assert "Traceback" not in err
    assert not ApiToken.objects.exists()


def test_token_create_for_inactive_user_fails(db: Any, rep_north: Any, capsys: Any) -> None:
    User.objects.filter(pk=rep_north.pk).update(is_active=False)
    code, _out, err = run_cli(
        capsys, "token", "create", "--user", rep_north.username, "--scopes", "contacts:read"
    )
    assert code != 0
    assert "not active" in err


def test_token_list_and_revoke(db: Any, rep_north: Any, rep_south: Any, capsys: Any) -> None:
    run_cli(capsys, "token", "create", "--user", rep_north.username, "--scopes", "contacts:read")
    token = ApiToken.objects.get()
    code, out, _err = run_cli(capsys, "token", "list", "--user", rep_north.username)
    assert code == 0
    assert token.prefix in out
    assert "active" in out
    # Someone else's token cannot be revoked through another user's name.
    code, _out, err = run_cli(capsys, "token", "revoke", "--user", rep_south.username, token.prefix)
    assert code != 0
    assert token.prefix in err
    code, out, _err = run_cli(capsys, "token", "revoke", "--user", rep_north.username, token.prefix)
    assert code == 0
    token.refresh_from_db()
    assert token.revoked_at is not None
    code, out, _err = run_cli(capsys, "token", "list", "--user", rep_north.username)
    assert "revoked" in out


def test_token_needs_an_action(db: Any, capsys: Any) -> None:
    code, _out, err = run_cli(capsys, "token")
    assert code == 2
    assert "create" in err


def test_purge_trash_deletes_only_what_expired(
    db: Any, admin: Any, person_factory: Any, organization_factory: Any, capsys: Any
) -> None:
    old, recent, live = (person_factory(admin) for _ in range(3))
    org = organization_factory(admin)
    person_trash(actor=admin, person=old)
    person_trash(actor=admin, person=recent)
    organization_trash(actor=admin, organization=org)
    long_ago = timezone.now() - datetime.timedelta(days=31)
    Person.objects.filter(pk=old.pk).update(deleted_at=long_ago)
    Organization.objects.filter(pk=org.pk).update(deleted_at=long_ago)

    code, _out, err = run_cli(capsys, "purge-trash")
    assert code == 0, err
    assert set(Person.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not Organization.objects.exists()
    purged = AuditEntry.objects.filter(action="purge")
    assert {e.object_id for e in purged} == {old.pk, org.pk}


def test_purge_trash_forgets_old_idempotency_keys(db: Any, admin: Any, capsys: Any) -> None:
    def key(name: str) -> IdempotencyKey:
        return IdempotencyKey.objects.create(
            user=admin,
            key=name,
            endpoint="/x",
            request_hash="h",
            status_code=201,
            response_body={},
        )

    old, fresh = key("old"), key("fresh")
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    code, _out, err = run_cli(capsys, "purge-trash")
    assert code == 0, err
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert fresh.pk


def test_commands_audit_as_cli_and_leave_no_trace(
    db: Any, admin: Any, capsys: Any, monkeypatch: Any
) -> None:
    seen: list[str] = []
    real = user_create

    def spy(**kwargs: Any) -> Any:
        seen.append(current_interface())
        return real(**kwargs)

    monkeypatch.setattr("clientela.core.management.commands.createuser.user_create", spy)
    code, _out, err = run_cli(
        capsys, "createuser", "bob", "--role", "sales", "--team", "North", "--password", PASSWORD
    )
    assert code == 0, err
    assert seen == [Interface.CLI]
    assert current_interface() == Interface.SYSTEM


# --- subprocess: real processes, real exit codes ------------------------------------------

ROOT = Path(__file__).resolve().parents[3]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLIENTELA_", "DJANGO_"))}
    # An explicit SQLite URL: CI runs this suite with DATABASE_URL pointing at PostgreSQL,
    # and these processes must never touch that database.
    env.update(
        CLIENTELA_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'cli.sqlite3'}",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def migrated_with_kim(data_dir: Path, **extra: str) -> dict[str, str]:
    """A migrated SQLite file of its own in ``data_dir`` (``cli.sqlite3``) with the
    sales user kim; the environment of the processes that use it (``_env``)."""
    env = _env(data_dir, **extra)
    migrated_database(env)
    made = _cli(
        env, "createuser", "kim", "--role", "sales", "--team", "North", "--password", PASSWORD
    )
    assert made.returncode == 0, made.stderr
    return env


def _cli(env: dict[str, str], *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientela.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: Any) -> Path:
    data_dir: Path = tmp_path_factory.mktemp("cli")
    migrated_database(_env(data_dir))
    return data_dir


def test_bad_environment_value_fails_fast_naming_the_variable(tmp_path: Path) -> None:
    env = _env(tmp_path, CLIENTELA_PAGE_SIZE="abc", DJANGO_SETTINGS_MODULE="clientela.settings")
    plain = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert plain.returncode != 0
    assert "CLIENTELA_PAGE_SIZE" in plain.stderr
    # Through the command line it is one readable line, not a traceback.
    result = _cli(env, "check")
    assert result.returncode != 0
    assert "CLIENTELA_PAGE_SIZE" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_database_url_fails_fast(tmp_path: Path) -> None:
    result = _cli(_env(tmp_path, DATABASE_URL="mysql://x/y"), "check")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_before_migrate_explain_what_to_do(tmp_path: Path) -> None:
    result = _cli(_env(tmp_path), "token", "list", "--user", "x")
    assert result.returncode != 0
    assert "clientela migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_end_to_end_createuser_then_token(migrated: Path) -> None:
    env = _env(migrated)
    created = _cli(
        env, "createuser", "erin", "--role", "manager", "--team", "North", "--password", PASSWORD
    )
    assert created.returncode == 0, created.stderr
    token = _cli(env, "token", "create", "--user", "erin", "--scopes", "contacts:read")
    assert token.returncode == 0, token.stderr
    assert token.stdout.rstrip("\n").splitlines()[-1].startswith("clt_")
    bad = _cli(env, "token", "create", "--user", "erin", "--scopes", "contacts:all")
    assert bad.returncode == 1
    assert "contacts:all" in bad.stderr
    assert "Traceback" not in bad.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _wait_for(port: int, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process exited early: {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


@pytest.fixture
def spawn() -> Iterator[Any]:
    procs: list[subprocess.Popen[str]] = []

    def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "clientela.cli", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Ctrl-C as at a terminal, even when this suite runs in a background job
            # (which starts with SIGINT ignored, and children inherit that).
            preexec_fn=_interruptible,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class _Exec(Exception):
    pass


@pytest.fixture
def fake_exec(monkeypatch: Any) -> list[list[str]]:
    """Stop ``serve`` where it would replace the process with gunicorn."""
    calls: list[list[str]] = []

    def execv(path: str, argv: list[str]) -> None:
        calls.append(list(argv))
        raise _Exec()

    monkeypatch.setattr(os, "execv", execv)
    return calls


def test_serve_starts_gunicorn_on_the_wsgi_app(
    db: Any, fake_exec: list[list[str]], settings: Any, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = tmp_path / "static"

    with pytest.raises(_Exec):
        call_command("serve", host="0.0.0.0", port="9001", workers="3")  # noqa: S104
    argv = fake_exec[0]
    assert argv[1:4] == ["-m", "gunicorn", "clientela.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:9001"
    assert argv[argv.index("--workers") + 1] == "3"
    # gunicorn's highest request-line limit, which the API's longest query fits
    # (core/tests/test_request_line.py); LongQueryMiddleware answers 414 past it.
    assert argv[argv.index("--limit-request-line") + 1] == "8190"
    # collectstatic ran first, so WhiteNoise has STATIC_ROOT to serve from.
    assert (tmp_path / "static" / "clientela" / "clientela.css").exists()


@pytest.mark.parametrize(
    "args", [["--port", "0"], ["--port", "70000"], ["--workers", "zero"], ["--port", "x"]]
)
def test_serve_rejects_bad_options(
    db: Any, fake_exec: list[list[str]], capsys: Any, args: list[str]
) -> None:
    code, _out, err = run_cli(capsys, "serve", "--no-collectstatic", *args)
    assert code != 0
    assert "Traceback" not in err
    assert not fake_exec


def test_run_starts_server_and_worker_and_stops_both_on_ctrl_c(migrated: Path, spawn: Any) -> None:
    port = _free_port()
    proc = spawn(_env(migrated), "run", "--port", str(port), "--workers", "1")
    _wait_for(port, proc)
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any("Ctrl-C" in line for line in lines):
        assert proc.stdout is not None
        lines.append(proc.stdout.readline())
    output = "".join(lines)
    assert f"http://127.0.0.1:{port}/" in output
    # The first request loads the whole application in the web worker (about 5 s on a
    # slow machine): a readiness wait, not a speed check.
    assert _get(f"http://127.0.0.1:{port}/static/clientela/clientela.css", timeout=60)[0] == 200
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=40) == 0
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    # `ps` would be flaky across platforms; the port closing and the clean exit show the
    # children stopped (run waits for both before it returns).


def test_run_refuses_a_busy_port(db: Any, capsys: Any, monkeypatch: Any) -> None:
    def no_children(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("run must not start anything on a busy port")

    monkeypatch.setattr(subprocess, "Popen", no_children)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _out, err = run_cli(capsys, "run", "--port", str(port))
    assert code != 0
    assert str(port) in err
    assert "Traceback" not in err
