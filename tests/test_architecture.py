"""The package's import rule: stages over one leaf of shared types, training apart, no cycle.

Read from the source with ast, so that imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "pipeline"
STAGES = ("pipeline.extract", "pipeline.segment", "pipeline.classify", "pipeline.model", "pipeline.report")
ORCHESTRATION = ("pipeline.run", "pipeline.cli", "pipeline.training", "pipeline.tasks", "pipeline.cache",
                 "pipeline.executors", "pipeline.preload")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the package → the modules of the package it imports."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                targets = [f"{module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # `from . import x` names a module or a name in one
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_graph_is_read():
    graph = imports()
    assert "pipeline.types" in graph["pipeline.segment"]
    assert "pipeline.extract.text" in graph["pipeline.extract.pdf"]


def test_no_import_cycle():
    graph = imports()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " → ".join(path[path.index(module):] + [module]))
        if module in done:
            return
        for target in graph[module]:
            visit(target, path + [module])
        done.add(module)

    for module in graph:
        visit(module, [])


def test_stages_never_import_run_cli_or_training():
    wrong = [(m, t) for m, targets in imports().items() if within(m, STAGES)
             for t in targets if within(t, ORCHESTRATION)]
    assert not wrong


def test_types_rests_on_nothing_but_the_errors_and_the_taxonomy():
    graph = imports()
    assert graph["pipeline.types"] <= {"pipeline.errors", "pipeline.taxonomy"}
    assert graph["pipeline.taxonomy"] <= {"pipeline.errors"}
    assert not graph["pipeline.errors"]
