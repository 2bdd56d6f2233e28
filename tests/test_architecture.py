"""The house rules a reader cannot check at a glance, computed from the import graph (the AST).

Parts of the package, bottom to top: ``core`` (shared ground), the stages, ``app``
(the one core that wires the stages), the entry points. Every import, lazy ones
inside functions and type-only ones included, is an edge: nothing imports upward,
nothing forms a cycle, only ``cli`` speaks click, each heavy library has one home.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import dictanote

PACKAGE = Path(dictanote.__file__).parent
NAME = "dictanote"
CORE = "core"
STAGES = frozenset({"capture", "transcribe", "segment", "check", "render", "store", "export"})
APP = "app"
ENTRY_POINTS = frozenset({"cli", "daemon", "review"})
# Measures for tests and benchmarks (word error rate, placement); shared ground only.
TOOLS = frozenset({"evaluate"})
# The few edges between stages we accept, and why.
STAGE_EDGES = {
    # A note's Markdown export is the renderer's layout (and a user's template override of it).
    "export": frozenset({"render"}),
}
# The command line starts the other entry points; they never reach back.
ENTRY_EDGES = {"cli": frozenset({"daemon", "review"})}
# Each heavy library has one home (a part of the package, or the tests).
HOMES = {
    "faster_whisper": "transcribe",
    "av": "transcribe",
    "ctranslate2": "transcribe",
    "onnxruntime": "transcribe",
    "spacy": "segment",
    "jinja2": "render",
    "sounddevice": "capture",
    "sqlite3": "store",
    "sqlcipher3": "store",
    "keyring": "store",
    "click": "cli",
    "playwright": "tests",
}


def _module_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join((NAME, *parts))


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


SOURCES = sorted(PACKAGE.rglob("*.py"))
MODULES = {_module_of(p): p for p in SOURCES}


@cache
def imports(module: str) -> frozenset[str]:
    """Every dictanote module and every outside top-level package ``module`` imports, anywhere in it."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name if a.name.startswith(NAME) else a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            elif node.module and node.module.split(".")[0] == NAME:
                target = node.module
            else:
                found.add((node.module or "").split(".")[0])
                continue
            for alias in node.names:  # ``from . import roles`` imports the submodule
                sub = f"{target}.{alias.name}"
                found.add(sub if _is_module(sub) else target)
    return frozenset(found)


def local_imports(module: str) -> frozenset[str]:
    """The dictanote modules ``module`` imports."""
    return frozenset(m for m in imports(module) if m == NAME or m.startswith(NAME + "."))


def part(module: str) -> str:
    """The part of the package a module belongs to: ``core``, a stage, ``app``, an entry point…"""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def _edges() -> Iterator[tuple[str, str]]:
    for module in MODULES:
        for target in local_imports(module):
            yield module, target


def _allowed(source: str, target: str) -> bool:
    """Whether a module of part ``source`` may import ``target`` (a dotted module)."""
    to = part(target)
    if to == source or to == "__init__":
        return True
    if source == CORE or source in TOOLS:
        return to == CORE
    if source in STAGES:
        return to == CORE or to in STAGE_EDGES.get(source, frozenset())
    if source == APP:
        return to == CORE or to in STAGES
    if source in ENTRY_POINTS:
        if to in (CORE, APP) or to in ENTRY_EDGES.get(source, frozenset()):
            return True
        # a stage's public face (its package or module), never what is inside it
        return to in STAGES and target == f"{NAME}.{to}"
    if source == "__main__":
        return to == "cli"
    return False


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_architecture_nothing_imports_upward(module: str) -> None:
    source = part(module)
    refused = sorted(t for t in local_imports(module) if not _allowed(source, t))
    assert refused == [], f"{module} ({source}) may not import {refused}"


def test_architecture_every_part_has_a_place() -> None:
    known = {CORE, APP, "__init__", "__main__"} | STAGES | ENTRY_POINTS | TOOLS
    assert {part(m) for m in MODULES} <= known


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, or None (depth-first search with colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_architecture_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for source, target in _edges():
        if target != source:
            graph[source].add(target)
    assert _cycle(graph) is None


def test_architecture_no_import_cycle_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in _edges():
        if part(source) != part(target):
            graph.setdefault(part(source), set()).add(part(target))
    assert _cycle(graph) is None


def test_architecture_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_architecture_heavy_libraries_live_in_their_home(module: str) -> None:
    for library in imports(module) & set(HOMES):
        assert part(module) == HOMES[library], f"{module} imports {library}"


def test_architecture_public_init_is_small() -> None:
    assert dictanote.__all__ == ["__version__"]


def test_architecture_the_graph_is_read_right() -> None:
    """Relative, lazy and submodule imports are all seen (else the rules above would prove nothing)."""
    assert f"{NAME}.segment.roles" in local_imports(f"{NAME}.segment.segmenter")  # from . import roles
    assert f"{NAME}.segment" in local_imports(f"{NAME}.app.dictation")  # inside a method
    assert f"{NAME}.core.config" in local_imports(f"{NAME}.app.dictation")  # from ..core.config import
    assert "click" in {i for m in MODULES if part(m) == "cli" for i in imports(m)}
