"""No import cycle between the packages under app/.

Read from the source (AST), not by importing: every ``import app.x`` / ``from app.x import
y`` counts, at module top level *and* inside functions (a function-level import is still a
dependency; deferring it only hides the cycle from Python's loader). ``TYPE_CHECKING``
blocks count too. A package is the first name under ``app`` (``app.billing.charges`` →
``billing``); a top-level module such as ``app/events.py`` is its own node.
``app/__init__.py`` (``create_app``, which wires every area together) and the ``app``
package's own re-exports are the composition root and are left out.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

# Imports allowed to close a cycle: none (issue 12 removed the last). Keep it empty: any
# new import that closes a cycle fails ``test_no_import_cycle_between_packages``; move the
# code below, or let the upper area register with the lower one (ARCHITECTURE.md, layers).
KNOWN_BACK_EDGES: dict[tuple[str, str], str] = {}

# Layerings decided where a cycle used to be: the first package never imports the second.
BELOW = [
    ("models", "setup"),  # break text is parsed in app/input_rules.py
    ("security", "auth"),  # PlinthSecurityManager is app/auth/manager.py's
    ("messaging", "billing"),  # billing registers the invoice PDF (attachments.register)
    ("messaging", "booking"),  # booking registers its manage link (shortlinks.register_manage_link)
    ("api", "planner"),  # create_app hands the planner's API to register_apis
    ("views", "planner"),  # ... and its screen to register_views
    ("views", "intake"),  # ... and the forms' screens
    ("api", "scope_guard"),  # create_app runs the sweep once everything is registered
    ("i18n", "models"),  # create_app hands i18n the settings and team member readers
]


def _node(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 2:
        return None
    return parts[1]


def _source_node(path: Path) -> str:
    rel = path.relative_to(APP).with_suffix("")
    return rel.parts[0]


def package_graph() -> dict[str, dict[str, list[str]]]:
    """node → imported node → the files (with line) that import it."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(APP.rglob("*.py")):
        if path == APP / "__init__.py":
            continue
        source = _source_node(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = ".".join(("app",) + path.relative_to(APP).with_suffix("").parts)
        for stmt in ast.walk(tree):
            targets: list[str] = []
            if isinstance(stmt, ast.Import):
                targets = [alias.name for alias in stmt.names]
            elif isinstance(stmt, ast.ImportFrom):
                if stmt.level:  # relative: resolve against this module's package
                    base = package.split(".")[: -stmt.level]
                    module = ".".join(base + ([stmt.module] if stmt.module else []))
                else:
                    module = stmt.module or ""
                targets = [module] + [f"{module}.{alias.name}" for alias in stmt.names] if module == "app" else [module]
            for target in targets:
                node = _node(target)
                if node and node != source:
                    graph.setdefault(source, {}).setdefault(node, []).append(
                        f"{path.relative_to(APP.parent)}:{stmt.lineno}")
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Every strongly connected component of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, {}):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _explain(graph, component: list[str]) -> str:
    members = set(component)
    lines = [f"cycle among {', '.join(component)}:"]
    for source in component:
        for target, where in sorted(graph.get(source, {}).items()):
            if target in members:
                lines.append(f"  {source} → {target}: {', '.join(where[:3])}")
    return "\n".join(lines)


def test_the_graph_sees_function_level_imports():
    graph = package_graph()
    assert "scheduling" in graph and "models" in graph["scheduling"]


def test_no_import_cycle_between_packages():
    graph = package_graph()
    pruned = {source: {target: where for target, where in targets.items() if (source, target) not in KNOWN_BACK_EDGES}
              for source, targets in graph.items()}
    found = cycles(pruned)
    assert not found, "\n\n".join(_explain(pruned, c) for c in found)


def test_every_known_back_edge_still_exists_and_still_closes_a_cycle():
    """Once an import is gone, or no longer closes a cycle, strike it from the list."""
    graph = package_graph()
    gone = [edge for edge in KNOWN_BACK_EDGES if edge[1] not in graph.get(edge[0], {})]
    assert not gone, f"no longer imported, remove from KNOWN_BACK_EDGES: {gone}"
    needless = []
    for edge in KNOWN_BACK_EDGES:
        others = set(KNOWN_BACK_EDGES) - {edge}
        pruned = {s: {t: w for t, w in ts.items() if (s, t) not in others} for s, ts in graph.items()}
        if not cycles(pruned):
            needless.append(edge)
    assert not needless, f"no longer part of a cycle, remove from KNOWN_BACK_EDGES: {needless}"


@pytest.mark.parametrize("lower, upper", BELOW, ids=[f"{a}-{b}" for a, b in BELOW])
def test_a_lower_package_never_imports_the_upper_one(lower, upper):
    assert upper not in package_graph().get(lower, {})


def test_scheduling_never_imports_billing():
    """Billing reacts to status events (app/billing/visit_status.py); the lifecycle does not
    call it."""
    assert "billing" not in package_graph().get("scheduling", {})
