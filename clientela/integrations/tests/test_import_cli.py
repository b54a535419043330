"""``clientela import FILE --user NAME``: in-process through ``cli.main`` for the exit
statuses and messages, and a real process killed mid-import and resumed."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from clientela.cli import main
from clientela.contacts.models import Person
from clientela.contacts.services import EmailInput
from clientela.core.testing.migrated import migrated_database
from clientela.integrations.models import ImportJob, ImportStatus
from clientela.integrations.tests.test_import_services import DATA, _media, csv_file
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

__all__ = ["_media"]

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: Any) -> None:
    # As in core/tests/test_cli.py: the command would close the test's connection.
    monkeypatch.setattr(connections, "close_all", lambda: None)


def run_cli(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


GOOD = [
    ["first_name", "last_name", "email", "country", "city"],
    ["Ana", "Ruiz", "ana@example.com", "ES", "Madrid"],
    ["Bea", "Soto", "bea@example.com", "ES", "Vigo"],
]


def test_a_clean_import_exits_0_with_the_counts_last(
    rep_north: Any, capsys: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, "people.csv", csv_file(GOOD))
    code, out, err = run_cli(capsys, "import", path, "--user", "nora_north", "--no-progress")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "created 2, updated 0, skipped 0, failed 0"
    assert "first_name → first_name" in err
    assert Person.objects.count() == 2
    # Again: nothing new, and skipped is not failed.
    code, out, _err = run_cli(capsys, "import", path, "--user", "nora_north", "--no-progress")
    assert code == 0
    assert out.strip().splitlines()[-1] == "created 0, updated 0, skipped 2, failed 0"


def test_a_file_too_large_to_read_in_a_request_is_read_by_the_command_itself(
    rep_north: Any, capsys: Any, tmp_path: Path, settings: Any
) -> None:
    # Pages leave files over CLIENTELA_IMPORT_INLINE_KB to the worker; the command line
    # has no request to keep short, and no worker to wait for.
    names = [
        "".join(chr(97 + int(c, 16)) for c in hashlib.sha256(bytes([n])).hexdigest()[:8]).title()
        for n in range(60)
    ]  # sixty names alike in nothing, so the duplicate check skips none
    rows = [GOOD[0]] + [[name, name[::-1], f"{name}@example.com", "ES", "Madrid"] for name in names]
    data = csv_file(rows)
    settings.CLIENTELA_IMPORT_INLINE_KB = 1
    assert len(data) > 1024
    path = write(tmp_path, "people.csv", data)
    code, out, err = run_cli(capsys, "import", path, "--user", "nora_north", "--no-progress")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "created 60, updated 0, skipped 0, failed 0"
    assert "60 rows of people" in err


def test_failed_rows_exit_1_and_are_listed(rep_north: Any, capsys: Any, tmp_path: Path) -> None:
    # A bad e-mail is left out; a row with nothing to identify the person fails.
    rows = [*GOOD, ["", "", "not-an-email", "ES", "Lugo"]]
    path = write(tmp_path, "people.csv", csv_file(rows))
    code, out, err = run_cli(capsys, "import", path, "--user", "nora_north", "--no-progress")
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[-2:] == [
        "2 rows imported, 0 with 0 cells left out, 1 failed.",
        "created 2, updated 0, skipped 0, failed 1",
    ]
    assert "line 4: Nothing identifies this row: no name, e-mail, phone or organization." in err
    assert "Traceback" not in err


def test_dry_run_writes_nothing(rep_north: Any, capsys: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", csv_file(GOOD))
    code, out, _err = run_cli(
        capsys, "import", path, "--user", "nora_north", "--dry-run", "--no-progress"
    )
    assert code == 0
    assert out.strip().splitlines()[-1] == "created 2, updated 0, skipped 0, failed 0"
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [("empty.csv", "The file is empty."), ("garbage.csv", "This is not a text file")],
)
def test_unreadable_file_exits_2(rep_north: Any, capsys: Any, name: str, message: str) -> None:
    code, _out, err = run_cli(
        capsys, "import", str(DATA / name), "--user", "nora_north", "--no-progress"
    )
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert ImportJob.objects.count() == 0


def test_missing_file_and_unknown_user(rep_north: Any, capsys: Any, tmp_path: Path) -> None:
    code, _out, err = run_cli(capsys, "import", str(tmp_path / "nope.csv"), "--user", "nora_north")
    assert code != 0
    assert "There is no file" in err
    path = write(tmp_path, "people.csv", csv_file(GOOD))
    code, _out, err = run_cli(capsys, "import", path, "--user", "nobody")
    assert code != 0
    assert "nobody" in err
    assert "Traceback" not in err


def test_reader_is_refused(reader: Any, capsys: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", csv_file(GOOD))
    code, _out, err = run_cli(capsys, "import", path, "--user", "rita_readonly")
    assert code != 0
    assert "Traceback" not in err
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("skip", "created 0, updated 0, skipped 1, failed 0"),
        ("update", "created 0, updated 1, skipped 0, failed 0"),
        ("create", "created 1, updated 0, skipped 0, failed 0"),
    ],
)
def test_on_duplicate(
    rep_north: Any, person_factory: Any, capsys: Any, tmp_path: Path, policy: str, expected: str
) -> None:
    person_factory(rep_north, emails=[EmailInput("ana@example.com", "work", True)])
    path = write(tmp_path, "people.csv", csv_file(GOOD[:2]))
    code, out, _err = run_cli(
        capsys, "import", path, "--user", "nora_north", "--on-duplicate", policy, "--no-progress"
    )
    assert code == 0
    assert out.strip().splitlines()[-1] == expected


def test_resume_of_a_finished_import_is_refused(
    rep_north: Any, capsys: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, "people.csv", csv_file(GOOD))
    run_cli(capsys, "import", path, "--user", "nora_north", "--no-progress")
    job = ImportJob.objects.get()
    code, _out, err = run_cli(
        capsys, "import", "--resume", str(job.pk), "--user", "nora_north", "--no-progress"
    )
    assert code != 0
    assert "only a stopped import can be resumed" in err


# --- a real process, killed and resumed -------------------------------------------------------


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLIENTELA_", "DJANGO_"))}
    env.update(
        CLIENTELA_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'cli.sqlite3'}",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientela.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


ROWS = 3000


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "sqlite").startswith("postgres"),
    reason="the killed process runs on its own SQLite file (polled with sqlite3); "
    "the PostgreSQL run of the suite covers resuming in-process (test_import_runner)",
)
def test_killed_import_resumes_every_row_exactly_once(tmp_path: Path) -> None:
    env = _env(tmp_path, CLIENTELA_IMPORT_CHUNK="100")
    db = tmp_path / "cli.sqlite3"
    migrated_database(env)
    made = _cli(
        env, "createuser", "kim", "--role", "sales", "--team", "North", "--password", PASSWORD
    )
    assert made.returncode == 0, made.stderr
    rows = [["first_name", "last_name", "email", "phone"]]
    rows += [[f"P{i}", f"Last{i}", f"p{i}@example.com", f"+3461{i:07d}"] for i in range(ROWS)]
    path = write(tmp_path, "many.csv", csv_file(rows))

    proc = subprocess.Popen(
        [sys.executable, "-m", "clientela.cli", "import", path, "--user", "kim", "--no-progress"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    job_id, done = None, 0
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    found = conn.execute(
                        "SELECT id, rows_done FROM integrations_importjob WHERE status='running'"
                    ).fetchone()
            except sqlite3.OperationalError:
                found = None
            if found and found[1] > 0:
                job_id, done = found
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert job_id is not None, "the import finished before it could be killed"

    with sqlite3.connect(db) as conn:
        status, rows_done, created = conn.execute(
            "SELECT status, rows_done, created FROM integrations_importjob WHERE id=?", (job_id,)
        ).fetchone()
        people = conn.execute("SELECT count(*) FROM contacts_person").fetchone()[0]
    assert status == ImportStatus.RUNNING
    assert rows_done >= done
    assert rows_done % 100 == 0
    assert rows_done < ROWS
    # Whatever the kill interrupted was rolled back with its checkpoint.
    assert people == created == rows_done

    resumed = _cli(env, "import", "--resume", str(job_id), "--user", "kim", "--no-progress")
    assert resumed.returncode == 0, resumed.stderr
    last = resumed.stdout.strip().splitlines()[-1]
    assert last == f"created {ROWS - rows_done}, updated 0, skipped 0, failed 0"
    with sqlite3.connect(db) as conn:
        people = conn.execute(
            "SELECT count(*) FROM contacts_person WHERE deleted_at IS NULL"
        ).fetchone()[0]
        distinct = conn.execute(
            "SELECT count(DISTINCT address), count(*) FROM contacts_emailaddress"
        ).fetchone()
        status = conn.execute(
            "SELECT status, rows_done, created FROM integrations_importjob WHERE id=?", (job_id,)
        ).fetchone()
    assert people == ROWS
    assert distinct == (ROWS, ROWS)
    assert status == (ImportStatus.DONE, ROWS, ROWS)
