"""The layering of statements/ (docs/architecture.md), held by walking every import of the app.

A lower layer never imports a higher one: models import nothing of ours; permissions only models;
selectors (reads) never import presenters, views, api, services or data; presenters never views,
api, services or data; services never views, api, presenters or data; the two faces (views/ and
api/) never import each other; pure modules (agreement, suggestions, anchoring, data/formats)
import no Django and nothing of ours outside the pure layer. Function-level imports count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "statements"

# layer -> layers it may import (besides itself); "pure" modules may import only themselves.
ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "permissions": {"models"},
    "agreement": set(),
    "pure": set(),
    "filters": {"models"},
    "selectors": {"models", "permissions", "agreement", "pure"},
    "presenters": {"models", "permissions", "agreement", "pure", "selectors"},
    "services": {"models", "permissions", "agreement", "pure", "selectors"},
    "data": {"models", "permissions", "agreement", "pure", "selectors", "services", "filters"},
    "forms": {"models", "agreement", "pure", "services"},
    "views": {
        "models",
        "permissions",
        "agreement",
        "pure",
        "selectors",
        "presenters",
        "services",
        "data",
        "forms",
        "filters",
    },
    "api": {
        "models",
        "permissions",
        "agreement",
        "pure",
        "selectors",
        "presenters",
        "services",
        "data",
        "filters",
    },
    "commands": {"models", "permissions", "agreement", "pure", "selectors", "services", "data", "filters"},
    "templatetags": {"presenters", "selectors", "models"},
    "admin": {"models", "services"},
    "app": set(),  # apps.py, urls.py, __init__.py: wiring
}
PURE_TOP = {"agreement", "anchoring", "suggestions", "tasks"}


def layer_of(module: str) -> str:
    """statements.x.y -> its layer name."""
    parts = module.split(".")[1:]
    if not parts:
        return "app"
    head = parts[0]
    if head in PURE_TOP:
        return "agreement" if head == "agreement" else "pure"
    if head == "data" and len(parts) > 1 and parts[1] == "formats":
        return "pure"
    if head == "management":
        return "commands"
    if head in {"apps", "urls", "__init__", "migrations"}:
        return "app"
    return head


def module_name(path: Path) -> str:
    rel = path.relative_to(APP.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(module: str, source: str, *, is_package: bool = False) -> list[tuple[str, int]]:
    """Every module `source` (the text of `module`) imports, as absolute names, with its line."""
    tree = ast.parse(source)
    package = module if is_package else module.rsplit(".", 1)[0]
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.append((name, node.lineno))
            # `from statements import services` names a module too
            out.extend((f"{name}.{alias.name}", node.lineno) for alias in node.names if name == "statements")
    return out


def app_files() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "migrations" not in p.parts)


def app_modules() -> list[tuple[str, str, bool]]:
    """(module name, source, is a package) for every module of the app."""
    return [(module_name(p), p.read_text(encoding="utf-8"), p.name == "__init__.py") for p in app_files()]


def violations(modules: list[tuple[str, str, bool]]) -> list[str]:
    found = []
    for mine, source, is_package in modules:
        layer = layer_of(mine)
        if layer == "app":
            continue
        for name, line in imports_of(mine, source, is_package=is_package):
            if layer in {"pure", "agreement"} and name.split(".")[0] in {"django", "rest_framework"}:
                found.append(f"{mine}:{line} is pure but imports {name}")
                continue
            if not name.startswith("statements.") or name == "statements":
                continue
            other = layer_of(name)
            if other == layer:
                continue
            if other not in ALLOWED[layer]:
                found.append(f"{mine}:{line} ({layer}) imports {name} ({other})")
    return found


def test_it_knows_every_layer_of_the_app():
    layers = {layer_of(module_name(p)) for p in app_files()}
    assert layers - set(ALLOWED) == set()
    # the folders the issue asks for exist
    for folder in ("selectors", "presenters", "views", "api", "data"):
        assert (APP / folder / "__init__.py").exists(), folder


def test_it_finds_no_import_from_a_higher_layer():
    assert violations(app_modules()) == []


def test_the_two_faces_never_import_each_other():
    for mine, source, is_package in app_modules():
        for name, _ in imports_of(mine, source, is_package=is_package):
            if mine.startswith("statements.views"):
                assert not name.startswith("statements.api"), (mine, name)
            if mine.startswith("statements.api"):
                assert not name.startswith("statements.views"), (mine, name)


@pytest.mark.parametrize(
    ("module", "source", "message"),
    [
        (
            "statements.selectors.probe",
            "from statements.views import http\n",
            "(selectors) imports statements.views (views)",
        ),
        (
            "statements.selectors.probe",
            "def f():\n    from statements import services\n",
            "imports statements.services",
        ),
        (
            "statements.selectors.probe",
            "from ..presenters import charts\n",
            "imports statements.presenters (presenters)",
        ),
        ("statements.models", "from statements.selectors import catalog\n", "(models) imports"),
        (
            "statements.views.probe",
            "from statements.api import views\n",
            "(views) imports statements.api (api)",
        ),
        ("statements.agreement", "import django.db\n", "is pure but imports django.db"),
        ("statements.suggestions.engine", "from statements.models import Actor\n", "(pure) imports"),
        ("statements.selectors.probe", "from statements.models import Statement\n", None),
        ("statements.views.probe", "from statements.selectors import catalog\n", None),
    ],
)
def test_the_check_reports_an_import_from_a_higher_layer(module, source, message):
    """The walk itself can fail: each forbidden import is reported, allowed ones are not."""
    found = violations([(module, source, False)])
    if message is None:
        assert found == []
    else:
        assert len(found) == 1 and message in found[0], found
