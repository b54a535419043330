"""English and Spanish ship complete: every string marked for translation in the code
and templates has a Spanish translation, and none is fuzzy.

The catalogue is regenerated from the source into a scratch copy of the package (so
the check sees strings added since the last `make makemessages`), using Django's
makemessages, which needs GNU gettext (installed by `make system-deps`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _regenerated_catalogue(tmp_path: Path) -> polib.POFile:
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: run `make system-deps` (apt-get install gettext)")
    copy = tmp_path / "clientela"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo", "tests", "migrations"),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clientela.settings",
        "PYTHONPATH": str(tmp_path),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "es",
            "--no-obsolete",
            "--no-location",
            "--ignore",
            "static/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / "django.po"))


def test_spanish_catalogue_is_complete(tmp_path: Path) -> None:
    assert CATALOGUE.exists(), "run `make makemessages` and translate clientela/locale/es"
    catalogue = _regenerated_catalogue(tmp_path)
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"{len(missing)} untranslated Spanish strings, e.g. {missing[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy Spanish strings, e.g. {fuzzy[:10]}"


def test_committed_catalogue_matches_the_source(tmp_path: Path) -> None:
    committed = {e.msgid for e in polib.pofile(str(CATALOGUE)) if not e.obsolete}
    current = {e.msgid for e in _regenerated_catalogue(tmp_path)}
    assert current <= committed, (
        f"strings not in the committed catalogue (run `make makemessages`): "
        f"{sorted(current - committed)[:10]}"
    )
