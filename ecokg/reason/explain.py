"""Why data is inconsistent with the ontology: the individuals and the axioms involved.

HermiT only says "inconsistent" (owlready2 explains with Pellet, which does not run on
current Java), so once an engine has said so the data is closed under OWL 2 RL (owlrl) and
checked here: instances of two disjoint classes (``owl:AllDisjointClasses``,
``owl:disjointWith``) and instances of ``owl:Nothing``. Each finding is one line naming the
individual, the classes, the ontology file and axiom that make them disjoint, and why the
individual has each class (a stated type, a subclass, a property's domain or range, a
functional property that makes two individuals one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ecokg import resources
from ecokg.errors import EcokgError
from ecokg.rdf.namespaces import OWL, RDF, RDFS, compact

if TYPE_CHECKING:
    import rdflib

_TYPE = RDF + "type"
_SAME = OWL + "sameAs"
_SHOWN = 100  # conflicts listed one per line; more are counted


class InconsistentData(EcokgError):
    """The data contradicts the ontology; ``findings`` say where, one line each."""

    exit_code = 1

    def __init__(self, engine: str, findings: Sequence[str]) -> None:
        self.engine = engine
        self.findings = list(findings)
        if findings:
            more = f" (1 of {len(findings)}, listed above)" if len(findings) > 1 else ""
            summary = f"{findings[0]}{more}"
        else:
            summary = "no disjointness or owl:Nothing conflict of the OWL 2 RL closure explains it"
        super().__init__(f"the data is inconsistent with the ontology ({engine}): {summary}")

    def __reduce__(self) -> tuple[type[InconsistentData], tuple[str, list[str]]]:
        # rebuilt from what it was made of (an exception pickles its message alone): so it
        # comes back whole from a worker process
        return type(self), (self.engine, self.findings)


def report(error: InconsistentData) -> None:
    """Every finding on stderr, one line each (the error line then summarises)."""
    import sys

    if len(error.findings) > 1:
        for finding in error.findings[:_SHOWN]:
            print(f"ecokg: inconsistent: {finding}", file=sys.stderr)
        if len(error.findings) > _SHOWN:
            print(
                f"ecokg: inconsistent: … and {len(error.findings) - _SHOWN} more conflicts",
                file=sys.stderr,
            )


def explain(graph: rdflib.Graph, ontology_files: Sequence[Path] | None = None) -> list[str]:
    """Findings for ``graph`` (ontology + data, not yet closed; it is closed in place)."""
    import rdflib
    from owlrl import DeductiveClosure, OWLRL_Semantics

    stated = rdflib.Graph()
    for triple in graph:
        stated.add(triple)
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    why = _Reasons(graph, stated)
    disjoint = _disjoint_pairs(ontology_files or resources.ontology_files())
    findings: set[str] = set()
    for (first, second), source in disjoint.items():
        members = set(graph.subjects(_ref(_TYPE), _ref(first)))
        for individual in members & set(graph.subjects(_ref(_TYPE), _ref(second))):
            if not isinstance(individual, rdflib.URIRef):
                continue
            findings.add(
                f"{compact(str(individual))} is both {compact(first)} "
                f"({why.has_type(individual, first)}) and {compact(second)} "
                f"({why.has_type(individual, second)}), declared disjoint in {source}"
            )
    for individual in graph.subjects(_ref(_TYPE), _ref(OWL + "Nothing")):
        if isinstance(individual, rdflib.URIRef):
            types = sorted(compact(str(o)) for o in stated.objects(individual, _ref(_TYPE)))
            findings.add(
                f"{compact(str(individual))} is an owl:Nothing (no individual can be), "
                f"stated types: {', '.join(types) or 'none'}"
            )
    return sorted(findings)


def _ref(iri: str) -> rdflib.URIRef:
    import rdflib

    return rdflib.URIRef(iri)


def _disjoint_pairs(files: Iterable[Path]) -> dict[tuple[str, str], str]:
    """Each pair of disjoint classes (sorted) → the file and axiom that declare it."""
    from rdflib.collection import Collection

    from ecokg.rdf.parsing import rdflib_graph

    pairs: dict[tuple[str, str], str] = {}
    for path in files:
        graph = rdflib_graph([path])
        name = _display(Path(path))
        for axiom in graph.subjects(_ref(_TYPE), _ref(OWL + "AllDisjointClasses")):
            for members in graph.objects(axiom, _ref(OWL + "members")):
                classes = sorted(str(c) for c in Collection(graph, members))
                for i, first in enumerate(classes):
                    for second in classes[i + 1 :]:
                        pairs.setdefault(
                            (first, second),
                            f"{name} (owl:AllDisjointClasses of {len(classes)} classes)",
                        )
        for a, b in graph.subject_objects(_ref(OWL + "disjointWith")):
            first, second = sorted((str(a), str(b)))
            pairs.setdefault(
                (first, second),
                f"{name} ({compact(str(a))} owl:disjointWith {compact(str(b))})",
            )
    return pairs


def _display(path: Path) -> str:
    """A path relative to the project when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(resources.kb_root()))
    except (ValueError, OSError):
        return str(path)


class _Reasons:
    """Why an individual has a class, from what was stated (one step, the most direct)."""

    def __init__(self, closed: rdflib.Graph, stated: rdflib.Graph) -> None:
        self.closed = closed
        self.stated = stated

    def has_type(self, individual: rdflib.term.Node, cls: str, *, depth: int = 0) -> str:
        closed, stated, target = self.closed, self.stated, _ref(cls)
        if (individual, _ref(_TYPE), target) in stated:
            return "stated"
        for asserted in stated.objects(individual, _ref(_TYPE)):
            if (asserted, _ref(RDFS + "subClassOf"), target) in closed:
                return f"stated {compact(str(asserted))}, a subclass"
        for p, o in stated.predicate_objects(individual):
            if (p, _ref(RDFS + "domain"), target) in closed:
                return f"domain of {compact(str(p))}: {_triple(individual, p, o)}"
        for s, p in stated.subject_predicates(individual):
            if (p, _ref(RDFS + "range"), target) in closed:
                return f"range of {compact(str(p))}: {_triple(s, p, individual)}"
        if depth == 0:
            for same in closed.objects(individual, _ref(_SAME)):
                if same != individual and (same, _ref(_TYPE), target) in closed:
                    return (
                        f"the same individual as {compact(str(same))}"
                        f"{self._functional(individual, same)}; that one: "
                        f"{self.has_type(same, cls, depth=1)}"
                    )
        return "inferred"

    def _functional(self, a: rdflib.term.Node, b: rdflib.term.Node) -> str:
        """Why ``a`` and ``b`` are one, when a functional property has both as values."""
        functional = _ref(OWL + "FunctionalProperty")
        for s, p in self.stated.subject_predicates(a):
            if (p, _ref(_TYPE), functional) in self.closed and (s, p, b) in self.closed:
                return f" since {compact(str(p))} is functional and {compact(str(s))} has both"
        return ""


def _triple(*terms: rdflib.term.Node) -> str:
    return " ".join(compact(str(term)) for term in terms)
