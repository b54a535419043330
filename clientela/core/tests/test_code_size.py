"""No Python module of the package passes 600 lines (migrations aside: they are
generated history). A module that grows past it is split along the seam it already
shows (a section comment, a group of functions about one thing), not excused here."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
MAX_LINES = 600


def module_lengths(package: Path) -> dict[str, int]:
    """Every module's line count, by its path relative to the repository."""
    return {
        str(path.relative_to(package.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(package.rglob("*.py"))
        if "migrations" not in path.relative_to(package).parts
    }


def test_the_walk_sees_the_package_but_not_its_migrations() -> None:
    modules = module_lengths(PACKAGE)
    assert "clientela/core/tests/test_code_size.py" in modules
    assert "clientela/settings.py" in modules
    assert not any("/migrations/" in name for name in modules)


def test_no_module_is_longer_than_600_lines() -> None:
    too_long = {name: lines for name, lines in module_lengths(PACKAGE).items() if lines > MAX_LINES}
    listing = "\n".join(f"  {name}: {lines} lines" for name, lines in sorted(too_long.items()))
    assert not too_long, f"Modules over {MAX_LINES} lines; split them:\n{listing}"
