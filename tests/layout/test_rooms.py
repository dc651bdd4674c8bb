"""The layout keeps its promises: each room imports only what DESIGN.md lets it, queries stay in
store/, the import graph has no cycle, and a quick command never loads spaCy."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROJECT = ("intake", "classifier", "cases", "responders", "store", "console", "monitoring", "commands", "config",
           "net", "bot")
# Calls that build a query or run one: only store/ may make them.
QUERY_BUILDERS = {"select", "update", "delete", "insert"}
SESSION_QUERIES = {"exec", "execute", "query", "scalars", "scalar"}


def modules(*folders: str) -> dict[str, ast.Module]:
    found = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = ast.parse(path.read_text(), str(path))
    return found


def imported(tree: ast.Module) -> set[str]:
    """Every module TREE imports, inside functions too."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            # "from intake.telegram import drafts" imports the module intake.telegram.drafts
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def ours(name: str) -> bool:
    return name.split(".")[0] in PROJECT


@pytest.mark.parametrize("room", ["intake", "responders", "commands", "console"])
def test_only_the_store_builds_queries(room):
    offenders = []
    for name, tree in modules(room).items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in QUERY_BUILDERS:
                offenders.append(f"{name}:{node.lineno} {func.id}(")
            if isinstance(func, ast.Attribute) and func.attr in SESSION_QUERIES and _is_session(func.value):
                offenders.append(f"{name}:{node.lineno} .{func.attr}(")
    assert not offenders, "queries belong in store/: " + ", ".join(offenders)


def _is_session(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("session", "s", "connection", "conn")


ALLOWED = {
    "intake/mime": ("intake.mime",),
    "classifier": ("classifier",),
    "store": ("store",),
    "net": ("net",),
    "cases": ("cases", "store", "responders", "config"),
    "responders": ("responders", "store", "config", "net"),
    "intake": ("intake", "store", "classifier", "responders", "cases", "config", "net"),
    # The console shows and changes cases through the store and the procedure; of the classifier
    # it needs the label names and how a name is folded for a search.
    "monitoring": ("monitoring", "store", "config", "cases", "responders"),
    "console": ("console", "store", "cases", "config", "classifier.labels", "classifier.officials", "monitoring"),
}


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_each_room_imports_only_what_it_may(room):
    allowed = ALLOWED[room]
    wrong = []
    for name, tree in modules(room).items():
        for target in imported(tree):
            if ours(target) and not any(target == a or target.startswith(a + ".") for a in allowed):
                wrong.append(f"{name} imports {target}")
    assert not wrong, "; ".join(sorted(wrong))


def test_the_import_graph_has_no_cycle():
    trees = modules(*[p for p in PROJECT if (ROOT / p).is_dir()])
    graph = {name: {t for t in imported(tree) if t in trees and t != name}
             for name, tree in trees.items()}
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_a_quick_command_does_not_import_spacy(tmp_path):
    env = os.environ | {"INTAKE_STORE__URL": f"sqlite:///{tmp_path / 'intake.db'}",
                        "INTAKE_STORE__DATA_DIR": str(tmp_path / "data"),
                        "INTAKE_CLASSIFIER__MODEL_DIR": str(tmp_path / "no-model")}
    done = subprocess.run([sys.executable, "-X", "importtime", "bot.py", "queue", "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
    loaded = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "sqlmodel" in loaded, "the import log was read"
    assert not [name for name in loaded if name.split(".")[0] in ("spacy", "thinc")]
