"""A migrated SQLite file for tests that run ``clientela`` in a child process.

Migrating a new database costs ~18 CPU-seconds; a dozen tests start a child process on
a database of their own (the CLI end to end, the worker killed mid-job, the IMAP poll
killed between fetch and commit…). One file is migrated once, the first time one is
asked for, and every such test gets a copy of it: once per test process, or once per
run under pytest-xdist, whose workers share it (``share_between_workers``, called by
``conftest.py`` in each worker: the first to ask migrates it, under a lock the others
wait on, in the run's temporary folder, which pytest removes in time).

The copy is of a database migrated with the default settings: a test whose settings
change what the migrations write (``CLIENTELA_LANGUAGE`` seeds the pipelines in that
language) migrates its own.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SQLITE = "sqlite:///"
_template: Path | None = None
_shared: Path | None = None


def share_between_workers(folder: Path) -> None:
    """Keep the migrated file in ``folder``, which every worker of the run sees."""
    global _shared
    _shared = folder


def _template_file() -> Path:
    if _shared is None:
        root = Path(tempfile.mkdtemp(prefix="clientela-migrated-"))
        atexit.register(shutil.rmtree, root, True)
        return _migrate_template(root)
    _shared.mkdir(parents=True, exist_ok=True)
    database = _shared / "clientela-migrated.sqlite3"
    with (_shared / "clientela-migrated.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be migrating it
        if not database.exists():
            root = Path(tempfile.mkdtemp(prefix="clientela-migrated-", dir=_shared))
            # Renamed into place whole: a worker never copies a half-migrated file.
            _migrate_template(root).replace(database)
            shutil.rmtree(root, True)
    return database


def _migrate_template(root: Path) -> Path:
    database = root / "template.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLIENTELA_", "DJANGO_"))}
    env.update(
        CLIENTELA_DATA_DIR=str(root), DATABASE_URL=f"{SQLITE}{database}", PYTHONPATH=str(ROOT)
    )
    result = subprocess.run(
        [sys.executable, "-m", "clientela.cli", "migrate", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrating the template database failed:\n{result.stderr}")
    return database


def migrated_database(env: dict[str, str]) -> None:
    """Put a migrated database where ``env``'s ``DATABASE_URL`` (a SQLite file) points."""
    global _template
    url = env["DATABASE_URL"]
    if not url.startswith(SQLITE):
        raise ValueError(f"a child process's database is a SQLite file, not {url}")
    if _template is None:
        _template = _template_file()
    target = Path(url[len(SQLITE) :])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template, target)
