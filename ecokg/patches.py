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
- owlready2 runs HermiT as a Java child process that outlives ecokg when ecokg is killed
  (SIGTERM, SIGKILL: 2 GB left running): :func:`child_processes_die_with_us` makes the
  children owlready2 starts receive SIGKILL when ecokg dies (Linux ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

_MISSING = object()


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
