"""The public data sets tests read from ``../shared/data/`` (its README lists them and
their golden figures): kept beside the repository, never copied into it.

The folder is found by walking up from the repository, so a checkout at
``/work/main`` (``/work/shared/data``) and a worktree one level deeper
(``/work/wt/NAME``) both find it; ``CLIENTELA_SHARED_DATA`` names it explicitly. A
checkout without it fails the tests that need it, saying where it looked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path | None:
    explicit = os.environ.get("CLIENTELA_SHARED_DATA")
    if explicit:
        return Path(explicit)
    for parent in ROOT.parents:
        candidate = parent / "shared" / "data"
        if (candidate / "README.md").is_file():
            return candidate
    return None


def shared_data(*parts: str) -> Path:
    """The path of a file under ``shared/data`` (``shared_data("cdnow",
    "CDNOW_sample.txt")``); fails the test, saying where it looked, when the data is
    not beside the repository."""
    folder = shared_data_dir()
    path = folder.joinpath(*parts) if folder else None
    if path is None or not path.is_file():
        pytest.fail(
            f"{'/'.join(parts)} not found under shared/data beside {ROOT} "
            "(set CLIENTELA_SHARED_DATA to the folder)"
        )
    return path
