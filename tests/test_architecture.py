"""The package's layering (docs/architecture.md): no module imports in a circle, and no module
imports from a layer above its own — lazy imports inside functions included."""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pyoxigraph as ox
import pytest

import ecokg
from ecokg import resources
from ecokg.rdf.namespaces import ECO, ECO_NS

PACKAGE = Path(ecokg.__file__).resolve().parent

# Lowest first. A module may import its own layer and those below, never one above.
LAYERS: list[tuple[str, ...]] = [
    ("ecokg", "ecokg.errors", "ecokg.resources", "ecokg.interrupts", "ecokg.progress"),
    ("ecokg.atomic", "ecokg.cache_entries", "ecokg.patches"),
    ("ecokg.rdf",),
    ("ecokg.stores", "ecokg.reason"),
    ("ecokg.kb",),
    (
        "ecokg.query",
        "ecokg.info",
        "ecokg.audit",
        "ecokg.ask",
        "ecokg.publish",
        "ecokg.monitor",
        "ecokg.store_load",
    ),
    ("ecokg.serve",),
    ("ecokg.cli", "ecokg.__main__"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The ecokg modules a file imports, anywhere in it (``from ecokg.x import y`` counts
    ``ecokg.x.y`` when that is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("ecokg") and name in MODULES}


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    best = (-1, -1)  # (length of the matching prefix, layer)
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or (prefix != "ecokg" and module.startswith(prefix + "."))
            if inside and len(prefix) > best[0]:
                best = (len(prefix), index)
    assert best[1] >= 0, f"{module} belongs to no layer: add it to LAYERS and the docs"
    return best[1]


def graph() -> dict[str, set[str]]:
    edges = {}
    for module, path in MODULES.items():
        # importing ecokg.a.b imports the package ecokg.a: an edge to a parent is no circle
        edges[module] = {
            m for m in imports_of(path) if m != module and not module.startswith(m + ".")
        }
    return edges


def find_circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every circle a depth-first walk meets (each as a path that ends where it starts)."""
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                circles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    return circles


def test_no_import_circles() -> None:
    circles = find_circles(graph())
    assert not circles, "import circles:\n" + "\n".join(" → ".join(c) for c in circles)


def test_no_import_reaches_up_a_layer() -> None:
    upward = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in graph().items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert not upward, "\n".join(upward)


def test_the_checks_would_catch_a_circle(tmp_path: Path) -> None:
    """The checks are not vacuous: a circle is found, lazy imports are read, layers order."""
    assert find_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_circles({"a": {"b"}, "b": set()}) == []
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from ecokg.kb import load_dataset\n    import ecokg.errors\n")
    assert imports_of(lazy) == {"ecokg.kb", "ecokg.errors"}
    assert layer_of("ecokg.cli.query") > layer_of("ecokg.kb") > layer_of("ecokg.rdf.formats")


def test_modules_stay_small() -> None:
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > 500}
    assert not long, f"split these modules (over 500 lines): {long}"


def test_closed_namespace_is_the_ontology() -> None:
    """ECO lists exactly the terms the ontology defines, so ECO.x is checked, not guessed."""
    defined = {
        triple.subject.value
        for path in resources.ontology_files()
        for triple in ox.parse(path=path)
        if isinstance(triple.subject, ox.NamedNode)
        and triple.subject.value.startswith(ECO_NS)
        and triple.subject.value != ECO_NS
        and triple.predicate.value == "http://www.w3.org/2000/01/rdf-schema#isDefinedBy"
    }
    assert ECO.terms() == defined
    assert ECO.Project == ECO_NS + "Project" and ECO["partOfProgramme"].endswith("#partOfProgramme")
    with pytest.raises(AttributeError):
        ECO.Projct  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(KeyError):
        ECO["Projct"]


@pytest.mark.parametrize("module", ["ecokg.rdf.formats", "ecokg.rdf.labels", "ecokg.rdf.iris"])
def test_doctests(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0


def test_every_eco_term_written_anywhere_is_in_the_ontology() -> None:
    """Queries, shapes, rules and Python name eco: terms as text; each must exist."""
    import re

    root = resources.kb_root()
    files = [
        *resources.query_files(),
        *resources.shape_files(),
        *resources.rule_files(),
        *(root / "tests" / "fixtures" / "shapes").glob("*.ttl"),
        *PACKAGE.rglob("*.py"),
    ]
    term = re.compile(r"(?<![\w/#-])eco:([A-Za-z][A-Za-z0-9_]*)")
    unknown = {
        f"{path.name}: eco:{name}"
        for path in files
        for name in term.findall(path.read_text(encoding="utf-8"))
        if ECO_NS + name not in ECO.terms()
    }
    assert not unknown, sorted(unknown)
