"""The folder tree reads as the data flow, and imports only point down it.

config and data → metrics, models, text → plan → report → cli. The shared vocabulary
(``kit.errors``, ``kit.definitions``, ``kit.labels``, ``kit.results``) sits below everything.
Every ``import`` inside ``kit/`` is checked, also the ones inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[1] / "kit"

#: stage of each top-level part of kit; a module may import its own stage or a lower one
STAGES: dict[str, int] = {
    "errors": 0, "definitions": 0, "labels": 0, "results": 0,
    "data": 1,
    "sample": 2,
    "metrics": 3, "text": 3,
    "models": 4,
    "plan": 5,
    "report": 6,
    "cli": 7,
}
#: modules that may look names up (the lazy public API of ``kit`` and ``kit.report``)
LAZY = {"kit/__init__.py", "kit/report/__init__.py"}


def _modules() -> list[Path]:
    return sorted(p for p in KIT.rglob("*.py"))


def _name(path: Path) -> str:
    """Dotted module name of ``path``, counted from its ``kit`` folder."""
    parts = list(path.with_suffix("").parts)
    parts = parts[len(parts) - 1 - parts[::-1].index("kit"):]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every kit import in ``path``, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _name(path) if path.name == "__init__.py" else _name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "kit":  # from kit import x: x is a submodule or a lazily exported name
                found += [(node.lineno, f"kit.{a.name}") for a in node.names]
            elif module.startswith("kit."):
                found.append((node.lineno, module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("kit")]
    return found


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.get(parts[1]) if len(parts) > 1 else None


def test_every_top_level_part_of_kit_has_a_stage():
    parts = {p.stem if p.is_file() else p.name for p in KIT.iterdir()
             if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()}
    assert parts - set(STAGES) == set(), "give the new part of kit a stage in STAGES (and in README's Layout)"


def test_top_level_holds_only_the_shared_vocabulary_and_the_cli():
    files = {p.name for p in KIT.glob("*.py")}
    assert files == {"__init__.py", "errors.py", "definitions.py", "labels.py", "results.py", "cli.py"}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(KIT.parent)))
def test_imports_point_down_the_flow(path):
    own = _stage(_name(path))
    if own is None:  # kit/__init__.py: the public API re-exports every stage lazily
        return
    upward = [f"line {line}: {module}" for line, module in _imports(path)
              if (_stage(module) or 0) > own]
    assert not upward, f"{_name(path)} (stage {own}) imports a later stage: {upward}"


def test_no_import_cycles_between_modules():
    names = {_name(p): p for p in _modules()}
    graph = {}
    for name, path in names.items():
        targets = set()
        for _, module in _imports(path):
            while module not in names and "." in module:  # from kit.x import name → kit.x
                module = module.rpartition(".")[0]
            if module in names and module != name and not name.startswith(module + "."):
                targets.add(module)
        graph[name] = targets
    # packages re-export their modules: an edge into a package __init__ is an edge to what it imports
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    # a package __init__ importing its own modules is no cycle with them (kit.models.clv -> kit.models.clv.models)
    real = [c for c in cycles if not all(a.startswith(c[0]) or c[0].startswith(a) for a in c)]
    assert not real, f"import cycles: {real}"


def test_kit_functions_are_called_directly_not_looked_up_by_name():
    looked_up = []
    for path in _modules():
        rel = str(path.relative_to(KIT.parent))
        if rel in LAZY:
            continue
        source = path.read_text(encoding="utf-8")
        for needle in ("import_module(", "__import__(", "capability("):
            if needle in source:
                looked_up.append(f"{rel}: {needle}")
    assert not looked_up, looked_up


def test_the_checker_sees_an_upward_import(tmp_path):
    # the check itself can fail: a metrics module importing the report is caught
    fake = tmp_path / "kit" / "metrics" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from kit.report.pages import context\n")
    assert [m for _, m in _imports(fake)] == ["kit.report.pages"]
    assert _stage("kit.report.pages") > _stage("kit.metrics.x")
