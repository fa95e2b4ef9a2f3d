"""The package's data order, enforced: no package imports one above it.

The packages are the stages the data passes through, in the order `LAYERS` lists
them. A module imports only from its own package or one listed before it — at
module level, inside a function, or under `TYPE_CHECKING` alike — and no set of
modules imports itself round in a circle. A new module must live in a listed
package and be named in its package's docstring (`` `name` — what it holds ``);
the README's layout table lists the packages in this order, each with the first
sentence of its docstring.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pipeline

PACKAGE = Path(pipeline.__file__).parent
README = PACKAGE.parent / "README.md"

LAYERS = (
    "base",
    "config",
    "markup",
    "source",
    "catalog",
    "pretranslate",
    "review",
    "exchange",
    "build",
    "preview",
    "cli",
)
# A module's floor is its package's place in LAYERS; `pipeline/__init__` (the
# version) is at the bottom and `__main__` on top of everything.
FLOORS: dict[str, int] = {name: floor for floor, name in enumerate(LAYERS)}
FLOORS["__main__"] = len(LAYERS)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor_of(name: str) -> int | None:
    """The floor of a module ("" is `pipeline/__init__`); None when it lives in no
    listed package (a module left at the top level, or in an unlisted package)."""
    if name == "":
        return 0
    head, _, rest = name.partition(".")
    if head == "__main__" or rest or (PACKAGE / head / "__init__.py").exists():
        return FLOORS.get(head)
    return None


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


def package_doc(name: str) -> str:
    return ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text(encoding="utf-8"))) or ""


def first_sentence(doc: str) -> str:
    paragraph = " ".join(doc.split("\n\n")[0].split())
    found = re.match(r"(.+?\.)(?:\s|$)", paragraph)
    return found.group(1) if found else paragraph


def test_every_package_docstring_names_its_modules():
    wrong = {}
    for name in LAYERS:
        named = re.findall(r"^`(\w+)` — ", package_doc(name), re.MULTILINE)
        modules = sorted(p.stem for p in (PACKAGE / name).glob("*.py") if p.stem != "__init__")
        missing, unknown = sorted(set(modules) - set(named)), sorted(set(named) - set(modules))
        twice = sorted({m for m in named if named.count(m) > 1})
        if missing or unknown or twice:
            wrong[name] = {"not named": missing, "no such module": unknown, "named twice": twice}
    assert wrong == {}


def test_the_readme_layout_lists_the_packages_in_order():
    text = README.read_text(encoding="utf-8")
    layout = text[text.index("\n## Layout\n") :]
    layout = layout[: layout.find("\n## ", 1)]
    rows = re.findall(r"^\| `(\w+)/` \| (.+?) \|$", layout, re.MULTILINE)
    assert [name for name, _ in rows] == list(LAYERS)
    stale = {name: holds for name, holds in rows if holds != first_sentence(package_doc(name))}
    assert stale == {}, "a row is not the first sentence of its package's docstring"
