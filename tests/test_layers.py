"""The package's data order, enforced: no module imports one above it.

The floors are the ones the package docstring and the README's layout section
describe. A module imports only from its own floor or below — at module level,
inside a function, or under `TYPE_CHECKING` alike — and no set of modules imports
itself round in a circle. A new module must be given a floor here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pipeline

PACKAGE = Path(pipeline.__file__).parent

FLOORS: dict[str, int] = {}
for floor, names in enumerate(
    [
        "errors fsutil lock jobs danger approval po_tables",
        "settings config glossary",
        "markup segment snapshot messages article convert sanitize assets imagesize",
        "po_write po po_syntax catalog manifest chrome project",
        "update stats policy",
        "pretranslate",
        "review",
        "exchange analysis",
        "render notices frame editions site staging search pages build publish",
        "live live_index watch preview commands cli __main__",
    ]
):
    FLOORS.update(dict.fromkeys(names.split(), floor))
# A package sits on one floor with all its modules.
PACKAGES = ("pretranslate", "review", "exchange")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor_of(name: str) -> int | None:
    head = name.split(".")[0]
    return FLOORS.get(head)


def imports(path: Path) -> set[str]:
    """Every module of the package that `path` imports, wherever the import is."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.removeprefix("pipeline.") for a in node.names if a.name.startswith("pipeline.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            elif node.module and (node.module == "pipeline" or node.module.startswith("pipeline.")):
                target = node.module.removeprefix("pipeline").removeprefix(".")
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                found.add(sub if (PACKAGE / sub.replace(".", "/")).with_suffix(".py").exists() else target)
    return {f for f in found if f and f != name}


MODULES = {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py")) if module_name(p)}


def test_every_module_has_a_floor():
    assert [m for m in MODULES if floor_of(m) is None] == []


def test_no_module_imports_one_above_it():
    upward = [
        f"{m} (floor {floor_of(m)}) imports {d} (floor {floor_of(d)})"
        for m, deps in MODULES.items()
        for d in sorted(deps)
        if (floor_of(d) or 0) > (floor_of(m) or 0)
    ]
    assert upward == []


def test_no_import_circle():
    circles = []
    for start in MODULES:
        stack = [(start, (start,))]
        while stack:
            node, trail = stack.pop()
            for dep in MODULES.get(node, ()):
                if dep == start:
                    circles.append(" -> ".join((*trail, dep)))
                elif dep not in trail and dep > start:  # report each circle once, from its least module
                    stack.append((dep, (*trail, dep)))
    assert circles == []
