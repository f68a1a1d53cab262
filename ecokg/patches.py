"""Every change ecokg makes to third-party code, in one place, each undone when done.

Patches are applied with :func:`patched`, a context manager that puts the original back on
exit (even on error), so no patch outlives the call that needs it and other users of the
library in the same process are not affected.

- rdflib orders the patterns of a SHACL-SPARQL query before pyshacl binds ``$this``, so it
  may start with a pattern that scans the whole graph: :func:`prepare_with_this_bound`
  parses a query with rdflib's ordering told that ``$this`` is bound.
- pyshacl writes a text description of every validation result, also of the many results of
  sh:or / sh:and / sh:node members it then discards (a fifth of the audit's SHACL Core time);
  ecokg reads only the report graph: :func:`pyshacl_without_result_texts` skips the texts.
- pyshacl builds every result of the shapes that sh:and, sh:or, sh:not, sh:xone and
  sh:qualifiedValueShape check a value node against, with generic messages, and then reads
  only whether the node conformed: :func:`pyshacl_without_discarded_results` builds those
  results as their severity alone (what pyshacl reads of them).
- rdflib adds triples one at a time (about 20 µs each), and every plan's audit graph starts
  with the same ontology: :func:`copy_of_memory_graph` copies a graph by copying its
  in-memory store's indexes instead (8 times faster), reading rdflib's private fields; it
  gives None, and the caller adds the triples, when the store is not the one it knows.
- owlready2 runs HermiT as a Java child process that outlives ecokg when ecokg is killed
  (SIGTERM, SIGKILL: 2 GB left running): :func:`child_processes_die_with_us` makes the
  children owlready2 starts receive SIGKILL when ecokg dies (Linux ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import rdflib

_MISSING = object()
GraphT = TypeVar("GraphT", bound="rdflib.Graph")


@contextmanager
def patched(owner: Any, name: str, replacement: Any) -> Iterator[Any]:
    """``owner.name`` is ``replacement`` inside the block; the original is yielded and put back."""
    original = getattr(owner, name, _MISSING)
    setattr(owner, name, replacement)
    try:
        yield None if original is _MISSING else original
    finally:
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


def prepare_with_this_bound(text: str) -> Any:
    """Parse a SHACL-SPARQL query once (rdflib), its patterns ordered for a bound ``$this``."""
    import rdflib
    from rdflib.plugins.sparql import algebra, prepareQuery
    from rdflib.term import Variable

    this = Variable("this")
    placeholder = rdflib.URIRef("urn:ecokg:audit:this")
    original = algebra.reorderTriples

    def reorder(triples: Iterable[Any]) -> Any:
        swapped: Any = [
            tuple(placeholder if t == this else t for t in triple) for triple in triples
        ]
        return [
            tuple(this if t == placeholder else t for t in triple) for triple in original(swapped)
        ]

    with patched(algebra, "reorderTriples", reorder):
        return prepareQuery(text)


@contextmanager
def pyshacl_without_result_texts() -> Iterator[None]:
    """pyshacl's validation results inside the block have no text description (the
    ``results_text`` pyshacl returns is then blank lines; the report graph is unchanged)."""
    from pyshacl.constraints.constraint_component import ConstraintComponent

    def no_description(*args: Any, **kwargs: Any) -> str:
        return ""

    with patched(ConstraintComponent, "make_v_result_description", no_description):
        yield


@contextmanager
def pyshacl_without_discarded_results() -> Iterator[None]:
    """Inside the block, the validation results of a shape that pyshacl validates only to know
    whether a value node conforms (for sh:and, sh:or, sh:not, sh:xone,
    sh:qualifiedValueShape) are a blank node and its severity; every other result is whole."""
    from collections import Counter

    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.constraints.core import logical_constraints as logical
    from pyshacl.constraints.core.shape_based_constraints import (
        QualifiedValueShapeConstraintComponent,
    )
    from pyshacl.consts import SH_resultSeverity
    from pyshacl.shape import Shape
    from rdflib import BNode

    checking = [0]  # conformance checks under way (their nested results are discarded)
    discarded: Counter[Any] = Counter()  # shapes being validated inside one

    def patch_check(component: Any) -> Any:
        def evaluate(self: Any, *args: Any, **kwargs: Any) -> Any:
            checking[0] += 1
            try:
                return original(self, *args, **kwargs)
            finally:
                checking[0] -= 1

        original = component.evaluate
        return patched(component, "evaluate", evaluate)

    def validate(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not checking[0]:
            return original_validate(self, *args, **kwargs)
        discarded[self] += 1
        try:
            return original_validate(self, *args, **kwargs)
        finally:
            discarded[self] -= 1

    def make_v_result(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not discarded[self.shape]:
            return original_make_v_result(self, *args, **kwargs)
        node = BNode()
        return "", node, [(node, SH_resultSeverity, self.shape.severity)]

    checks = (
        logical.AndConstraintComponent,
        logical.OrConstraintComponent,
        logical.NotConstraintComponent,
        logical.XoneConstraintComponent,
        QualifiedValueShapeConstraintComponent,
    )
    original_validate = Shape.validate
    original_make_v_result = ConstraintComponent.make_v_result
    with ExitStack() as stack:
        for component in checks:
            stack.enter_context(patch_check(component))
        stack.enter_context(patched(Shape, "validate", validate))
        stack.enter_context(patched(ConstraintComponent, "make_v_result", make_v_result))
        yield


_MEMORY_FIELDS = (
    "spo",
    "pos",
    "osp",
    "namespace",
    "prefix",
    "context_obj_map",
    "tripleContexts",
    "contextTriples",
    "all_contexts",
    "defaultContexts",
)


def copy_of_memory_graph(graph: GraphT) -> GraphT | None:
    """A copy of ``graph`` (same class and identifier, its own rdflib ``Memory`` store) made by
    copying the store's indexes; None when the store is not rdflib's ``Memory`` as known here."""
    from rdflib.plugins.stores.memory import Memory

    fields = {name: vars(graph.store).get(f"_Memory__{name}", _MISSING) for name in _MEMORY_FIELDS}
    if type(graph.store) is not Memory or _MISSING in fields.values():
        return None
    copy = type(graph)(identifier=graph.identifier)
    if type(copy.store) is not Memory:
        return None

    def index(kept: dict[Any, dict[Any, dict[Any, int]]]) -> dict[Any, dict[Any, dict[Any, int]]]:
        return {
            first: {second: dict(third) for second, third in rest.items()}
            for first, rest in kept.items()
        }

    def mine(context: Any) -> Any:  # the graph's own context is the copy's
        return copy if context is graph else context

    defaults = fields["defaultContexts"]
    copied = {
        "spo": index(fields["spo"]),
        "pos": index(fields["pos"]),
        "osp": index(fields["osp"]),
        "namespace": dict(fields["namespace"]),
        "prefix": dict(fields["prefix"]),
        "context_obj_map": {key: mine(value) for key, value in fields["context_obj_map"].items()},
        "tripleContexts": {key: dict(value) for key, value in fields["tripleContexts"].items()},
        "contextTriples": {key: set(value) for key, value in fields["contextTriples"].items()},
        "all_contexts": {mine(context) for context in fields["all_contexts"]},
        "defaultContexts": None if defaults is None else dict(defaults),
    }
    vars(copy.store).update({f"_Memory__{name}": value for name, value in copied.items()})
    return copy if len(copy) == len(graph) else None


@contextmanager
def child_processes_die_with_us() -> Iterator[None]:
    """Java processes owlready2 starts inside the block die when this process dies."""
    import functools
    import os
    import sys

    from owlready2 import reasoning

    from ecokg.interrupts import die_with_parent

    if not sys.platform.startswith("linux"):
        yield
        return
    die_with_us = functools.partial(die_with_parent, os.getpid())
    options = {**reasoning._subprocess_kargs, "preexec_fn": die_with_us}
    with patched(reasoning, "_subprocess_kargs", options):
        yield
