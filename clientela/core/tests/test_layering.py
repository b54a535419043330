"""The architecture rules, checked on the source with ``ast``:

* apps depend one way: an app imports only itself, ``core`` and apps of a lower layer;
* reads and writes (``selectors.py``, ``services.py``) never import an interface module
  (views, API, forms), so every interface can call them and none is called back.

To add an app, add one line to ``LAYERS``. Tests and migrations are not checked: tests
drive the whole stack on purpose, and migrations are frozen history.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "clientela"
ROOT = Path(__file__).resolve().parents[3]

#: app -> layer; an app may import only apps of a strictly lower layer (and itself).
#: core <- contacts <- activities <- sales <- service/marketing <- analytics/automation;
#: integrations and portal sit on top.
LAYERS: dict[str, int] = {
    "core": 0,
    "contacts": 1,
    "activities": 2,
    "sales": 3,
    "service": 4,
    "marketing": 4,
    "analytics": 5,
    "automation": 5,
    "integrations": 6,
    "portal": 6,
}

#: Project modules that compose the apps (URL conf, the API object, entry points); they
#: sit above every app, so no app imports them.
PROJECT_MODULES = {"urls", "api", "wsgi", "asgi", "cli"}

#: Module names (any dotted part below the app) that make up an interface.
INTERFACE_MODULES = {"views", "api", "forms", "schemas", "urls", "templatetags"}
DOMAIN_MODULES = {"selectors", "services"}
SKIPPED_DIRS = {"tests", "migrations", "__pycache__"}


def _python_files(app_dir: Path) -> Iterator[Path]:
    for path in sorted(app_dir.rglob("*.py")):
        if not SKIPPED_DIRS & set(path.relative_to(app_dir).parts):
            yield path


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: list[str]) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in ``source`` of a module living in
    ``package``; relative imports resolved, and ``from package import name`` counted as
    importing ``package.name`` too (it may be a module)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == PACKAGE:
        return parts[1]
    return None


def _apps_present() -> list[str]:
    return sorted(
        p.name for p in (ROOT / PACKAGE).iterdir() if p.is_dir() and (p / "apps.py").exists()
    )


def test_every_app_has_a_layer() -> None:
    unknown = [app for app in _apps_present() if app not in LAYERS]
    assert not unknown, f"add these apps to LAYERS in {__file__}: {unknown}"


def _layer_violations(app: str) -> list[str]:
    own = LAYERS[app]
    found: list[str] = []
    for path in _python_files(ROOT / PACKAGE / app):
        for line, module in imported_modules(path):
            target = _app_of(module)
            if target is None or target == app or target not in LAYERS:
                continue
            if LAYERS[target] >= own:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("app", [a for a in sorted(LAYERS) if (ROOT / PACKAGE / a).is_dir()])
def test_app_imports_only_lower_layers(app: str) -> None:
    assert _layer_violations(app) == []


@pytest.mark.parametrize("app", [a for a in sorted(LAYERS) if (ROOT / PACKAGE / a).is_dir()])
def test_app_imports_no_project_module(app: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _python_files(ROOT / PACKAGE / app)
        for line, module in imported_modules(path)
        if module.split(".")[:2] in ([PACKAGE, name] for name in PROJECT_MODULES)
    ]
    assert bad == []


def test_core_imports_no_domain_app() -> None:
    for path in _python_files(ROOT / PACKAGE / "core"):
        for line, module in imported_modules(path):
            target = _app_of(module)
            assert target in (None, "core") or target not in LAYERS, (
                f"{path.relative_to(ROOT)}:{line} imports {module}"
            )


def test_contacts_imports_no_higher_app() -> None:
    higher = {app for app, layer in LAYERS.items() if layer > LAYERS["contacts"]}
    for path in _python_files(ROOT / PACKAGE / "contacts"):
        for line, module in imported_modules(path):
            assert _app_of(module) not in higher, (
                f"{path.relative_to(ROOT)}:{line} imports {module}"
            )


def _domain_files() -> list[Path]:
    return [
        path
        for path in _python_files(ROOT / PACKAGE)
        if path.stem in DOMAIN_MODULES or path.parent.name in DOMAIN_MODULES
    ]


def test_there_are_domain_modules_to_check() -> None:
    names = {str(p.relative_to(ROOT)) for p in _domain_files()}
    assert {"clientela/core/services/__init__.py", "clientela/contacts/selectors.py"} <= names


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_selectors_and_services_import_no_interface_module(path: Path) -> None:
    bad = [
        f"line {line}: {module}"
        for line, module in imported_modules(path)
        if _app_of(module) is not None and INTERFACE_MODULES & set(module.split(".")[2:])
    ]
    assert bad == []


def test_the_checker_sees_a_violation() -> None:
    """The walker itself works: absolute, dotted and relative imports are all resolved."""
    source = (
        "from clientela.sales.models import Deal\n"
        "import clientela.marketing.services\n"
        "from ..core import views\n"
        "from . import forms\n"
    )
    modules = {m for _line, m in imports_in(source, ["clientela", "contacts"])}
    assert {
        "clientela.sales.models",
        "clientela.marketing.services",
        "clientela.core.views",
        "clientela.contacts.forms",
    } <= modules
