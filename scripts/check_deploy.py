"""Run ``manage.py check --deploy`` with the production environment that
docs/deploy.md tells operators to write (its ``/etc/clientela/env`` block), so the
documented set-up is the one checked: no warning may be left.

The block's placeholders (``…``) become throw-away values: a random SECRET_KEY, a
SQLite file in a temporary folder, and a console mailer. Exit status is the check's.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```sh\n# /etc/clientela/env\n(.*?)```", re.DOTALL)


def documented_environment(data_dir: Path) -> dict[str, str]:
    """The variables of docs/deploy.md's environment file, placeholders filled."""
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    found = BLOCK.search(text)
    if found is None:
        raise SystemExit("docs/deploy.md has no ```sh # /etc/clientela/env block")
    variables = {}
    for line in found.group(1).splitlines():
        name, _, value = line.partition("=")
        if name.strip() and not name.startswith("#"):
            variables[name.strip()] = value.strip()
    fills = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{data_dir / 'check.sqlite3'}",
        "CLIENTELA_DATA_DIR": str(data_dir),
        "EMAIL_URL": "console://",
    }
    for name, value in list(variables.items()):
        if "…" in value or name in {"CLIENTELA_DATA_DIR"}:
            variables[name] = fills.get(name, value.replace("…", "x"))
    return variables


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        # Only what a service manager would pass besides the environment file: nothing
        # of the caller's (a test run's DJANGO_* or CLIENTELA_* variables) leaks in.
        kept = ("PATH", "HOME", "LANG", "TMPDIR", "VIRTUAL_ENV")
        env = {key: os.environ[key] for key in kept if key in os.environ}
        env.update(documented_environment(Path(folder)))
        command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
