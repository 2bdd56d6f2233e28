"""The house rules that a reader cannot check at a glance: stage boundaries, heavy imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dictanote

PACKAGE = Path(dictanote.__file__).parent
# Stages may use the shared modules but never each other; only entry points see all.
STAGES = {"transcribe", "segment", "check", "render", "store", "export", "capture"}
SHARED = {"types", "errors", "config", "formats", "vocabulary", "codec"}
# The few edges between stages we accept, and why.
ALLOWED = {
    # A note's Markdown export is the renderer's layout (and a user's template override of it).
    "export": {"render"},
}
# Each heavy library has one home.
HOMES = {
    "faster_whisper": "transcribe",
    "av": "transcribe",
    "spacy": "segment",
    "jinja2": "render",
    "sounddevice": "capture",
    "sqlite3": "store",
    "onnxruntime": "transcribe",
    "playwright": "tests",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level > 0 and node.module:
                found.add("." + node.module.split(".")[0])
            elif node.level > 0:
                found.update("." + a.name for a in node.names)
            elif node.module:
                found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


# A stage's ``commands.py`` is its CLI command: an entry point, which may wire stages together.
@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if _module_name(p) in STAGES and p.name != "commands.py"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_architecture_stages_do_not_import_each_other(path: Path) -> None:
    own = _module_name(path)
    local = {name.lstrip(".") for name in _imports(path) if name.startswith(".")}
    if path.parent != PACKAGE:  # inside a stage package: siblings are its own modules
        local = {n for n in local if not (PACKAGE / own / f"{n}.py").exists()}
    allowed = SHARED | ALLOWED.get(own, set())
    assert local <= allowed, f"{own} imports {sorted(local - allowed)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_architecture_heavy_libraries_live_in_their_home(path: Path) -> None:
    for library in _imports(path) & set(HOMES):
        assert _module_name(path) == HOMES[library], f"{path.name} imports {library}"


def test_architecture_public_init_is_small() -> None:
    assert dictanote.__all__ == ["__version__"]
