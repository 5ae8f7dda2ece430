"""The API's structure, read from the source (no database): every API module goes
through the shared edge (app/api/edge.py), and none reaches into another module's
private names."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API_DIR = ROOT / "app" / "api"
API_MODULES = sorted(API_DIR.glob("*.py"))
# Modules elsewhere that define API endpoints (hand-written BaseApi resources).
OTHER_API_MODULES = [ROOT / "app" / "planner" / "api.py"]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports_from(tree: ast.Module) -> list[tuple[str, str, int]]:
    """(module, name, line) for every ``from X import name`` in the file, nested ones too."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
    return found


def _exposed_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
            and any(_decorator_name(d) == "expose" for d in node.decorator_list)]


def _decorator_name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


@pytest.mark.parametrize("path", API_MODULES + OTHER_API_MODULES, ids=lambda p: _module_name(p))
def test_no_api_module_imports_a_private_name_from_another_app_module(path):
    private = [f"{module}.{name} (line {line})" for module, name, line in _imports_from(_tree(path))
               if module.split(".")[0] == "app" and name.startswith("_")]
    assert private == [], f"{_module_name(path)} imports private names: {private}"


@pytest.mark.parametrize("path", API_MODULES + OTHER_API_MODULES, ids=lambda p: _module_name(p))
def test_no_api_module_calls_a_private_function_of_a_service(path):
    """``booking._ensure_current(...)``: an attribute starting with one underscore on an
    imported app module (private reach-in), rather than a public service function."""
    tree = _tree(path)
    modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and (node.module or "").startswith("app") for alias in node.names}
    reach_ins = [f"{node.value.id}.{node.attr} (line {node.lineno})" for node in ast.walk(tree)
                 if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                 and node.value.id in modules and node.attr.startswith("_") and not node.attr.startswith("__")]
    assert reach_ins == [], f"{_module_name(path)} reaches into private names: {reach_ins}"


def test_the_edge_is_what_the_api_package_shares():
    """The base of the model resources takes the acting user from the edge; every module
    with hand-written endpoints imports its error handling from the edge and wraps every
    endpoint in it (errors as JSON, CSRF for cookie callers)."""
    base_imports = {(m, n) for m, n, _ in _imports_from(_tree(API_DIR / "base.py"))}
    assert ("app.api.edge", "acting_user") in base_imports

    with_endpoints = [p for p in API_MODULES + OTHER_API_MODULES if _exposed_functions(_tree(p))]
    assert len(with_endpoints) >= 8  # scheduling's parts, grid, billing, lifecycle, planner…
    for path in with_endpoints:
        tree = _tree(path)
        imports = {(m, n) for m, n, _ in _imports_from(tree)}
        assert ("app.api.edge", "answers_domain_errors") in imports, _module_name(path)
        unwrapped = [f.name for f in _exposed_functions(tree)
                     if "answers_domain_errors" not in {_decorator_name(d) for d in f.decorator_list}]
        assert unwrapped == [], f"{_module_name(path)}: endpoints outside the edge: {unwrapped}"


@pytest.mark.parametrize("path", API_MODULES + OTHER_API_MODULES, ids=lambda p: _module_name(p))
def test_only_the_edge_parses_bodies_and_checks_csrf(path):
    """One place reads a JSON body for hand-written endpoints and checks their CSRF token
    (base.py's model writes read FAB's payload their own way and refuse cookies)."""
    if path.name in ("edge.py", "base.py", "openapi.py"):
        return
    source = path.read_text()
    for copy in ("get_json(", "validate_csrf", '"X-CSRFToken"'):
        assert copy not in source, f"{_module_name(path)} has its own {copy}; use app/api/edge.py"


@pytest.mark.parametrize("path", sorted((ROOT / "app" / "api").glob("*.py"))
                         + sorted((ROOT / "app" / "booking" / "views").glob("*.py")),
                         ids=lambda p: _module_name(p))
def test_api_and_booking_page_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= 500, f"{_module_name(path)} is over 500 lines; split it"
