"""Materialise what the plan leaves implicit: OWL 2 axioms of the ontology plus SPARQL rules.

The reasoner never sits on the hot path of a question: ``ecokg reason`` writes the inferred
graph once (``data/inferred.ttl`` for the bundled plan), and inferences over a user's own
data are cached by a content hash of the files they come from.

Engines: HermiT through owlready2 (needs Java) checks consistency and infers property-chain
values and defined-class memberships; an OWL 2 RL closure in pure Python (owlrl) does the same
job; the compiled engine (:mod:`ecokg.reason.compiled`) does it as forward rules in Python,
hundreds of times faster, for the axioms it implements, and ``auto`` picks it when the input's
axioms are all among them (else HermiT with Java, else owlrl). Results are normalised
(inverse, symmetric and sub-property closure) and filtered to eco: facts about instances, so
the engines yield the same graph.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ecokg import resources
from ecokg.errors import EcokgError, UsageError
from ecokg.patches import child_processes_die_with_us
from ecokg.rdf.namespaces import ECO, ECO_NS, ID, OWL, PREFIXES, RDF, RDFS
from ecokg.rdf.parsing import parse_files
from ecokg.reason import compiled
from ecokg.reason.explain import InconsistentData, explain

if TYPE_CHECKING:
    import pyoxigraph as ox
    import rdflib

ENGINES = ("auto", "compiled", "hermit", "owlrl")
Triple = tuple[str, str, str]  # IRIs only: inferred facts link named things

_TYPE = RDF + "type"
# TBox predicates the reasoner needs; labels, definitions and datatype axioms are left out
# (HermiT rejects datatypes outside the OWL 2 map, such as xsd:gYear, and needs no labels).
_TBOX_PREDICATES = {
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    RDFS + "domain",
    RDFS + "range",
    OWL + "equivalentClass",
    OWL + "inverseOf",
    OWL + "propertyChainAxiom",
    OWL + "members",
    OWL + "intersectionOf",
    OWL + "unionOf",
    OWL + "onProperty",
    OWL + "hasValue",
    RDF + "first",
    RDF + "rest",
}


@dataclass(frozen=True)
class Inference:
    """Facts inferred beyond what the data states, and how they were obtained."""

    triples: frozenset[Triple]
    engine: str
    seconds: float

    def turtle(self) -> str:
        return serialise_turtle(self.triples)


def java_available() -> bool:
    """True when a Java runtime answers ``java -version`` (HermiT needs one)."""
    java = shutil.which("java")
    if java is None:
        return False
    try:
        return subprocess.run([java, "-version"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def materialise(
    data_files: Sequence[Path],
    *,
    ontology_files: Sequence[Path] | None = None,
    engine: str = "auto",
    progress: Callable[[str], None] | None = None,
) -> Inference:
    """Infer what ``data_files`` imply under the ontology and the rules; ``progress`` is
    told each stage as it starts. InconsistentData names the conflicts, if any."""
    stage = progress or (lambda _: None)
    if engine not in ENGINES:
        raise UsageError(f"--engine: unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine == "hermit" and not java_available():
        raise EcokgError("the HermiT reasoner needs Java, which was not found (use --engine owlrl)")
    started = time.perf_counter()
    ontology = list(ontology_files or resources.ontology_files())
    if engine in ("auto", "compiled"):
        stage(f"parsing {len(data_files)} data file(s)")
        inputs = _Inputs.parse(ontology, data_files)
        why = compiled.unsupported(inputs.tbox)
        if why is None:
            return _compiled(inputs, ontology, stage, started)
        if engine == "compiled":
            raise EcokgError(
                f"the compiled engine cannot reason over this input: {why} "
                "(use --engine hermit or owlrl)"
            )
        engine = "hermit" if java_available() else "owlrl"
    stage(f"parsing {len(data_files)} data file(s)")
    graph = _load(ontology + list(data_files))
    asserted = _iri_triples(graph)
    tbox = _tbox(graph)
    abox = _abox(graph)
    stage(f"applying rules to {len(graph):,} triples")
    ruled = _apply_rules(graph)
    engine_input = tbox | abox | ruled
    name = "HermiT" if engine == "hermit" else "owlrl"
    stage(f"{name} reasoning over {len(engine_input):,} triples")
    try:
        entailed = _hermit(engine_input) if engine == "hermit" else _owlrl(engine_input)
    except _Inconsistent:
        stage("explaining the inconsistency (OWL 2 RL closure)")
        # what the engine saw (not labels and datatype axioms): quicker to close
        raise InconsistentData(name, explain(_rdflib(engine_input), ontology)) from None
    stage(f"normalising {len(entailed):,} entailed facts")
    closed = _normalise(tbox, abox | ruled | entailed)
    inferred = frozenset(t for t in closed if t not in asserted and _is_instance_fact(t))
    return Inference(inferred, engine, time.perf_counter() - started)


@dataclass(frozen=True)
class _Inputs:
    """What the engines are given, read with pyoxigraph: the same sets as :func:`_tbox`,
    :func:`_abox`, :func:`_iri_triples` and :func:`_apply_rules` make from an rdflib graph."""

    asserted: set[Triple]
    tbox: set[Triple]
    abox: set[Triple]
    ruled: set[Triple]

    @classmethod
    def parse(cls, ontology: Sequence[Path], data: Sequence[Path]) -> _Inputs:
        quads, nodes = _parsed_ontology(tuple(ontology))
        data_quads = parse_files(data)
        quads, nodes = quads + data_quads, nodes | _nodes(data_quads)
        datatype_properties = {
            s for s, p, o in nodes if p == _TYPE and o == OWL + "DatatypeProperty"
        }
        tbox = {
            (s, p, o)
            for s, p, o in nodes
            if s not in datatype_properties
            and (
                p in _TBOX_PREDICATES or (p == _TYPE and o.startswith(OWL) and not s.startswith(ID))
            )
        }
        asserted = {t for t in nodes if not t[0].startswith("_:") and not t[2].startswith("_:")}
        abox = {
            (s, p, o)
            for s, p, o in asserted
            if (s.startswith(ID) or (p == _TYPE and not o.startswith(OWL)))
            and (p.startswith(ECO_NS) or p == _TYPE)
        }
        return cls(asserted, tbox, abox, _ox_rules(quads))


# The ontology's parsed quads and triples, by its files' (path, size, mtime): parsed once per
# process however many plans are reasoned over.
_ONTOLOGY_CACHE: dict[tuple[tuple[str, int, int], ...], tuple[list[ox.Quad], set[Triple]]] = {}


def warm_ontology(paths: Sequence[Path]) -> None:
    """Parse the ontology now (before forking workers that reason over several plans)."""
    _parsed_ontology(tuple(paths))


def _parsed_ontology(paths: tuple[Path, ...]) -> tuple[list[ox.Quad], set[Triple]]:
    key = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in map(Path, paths))
    if key not in _ONTOLOGY_CACHE:
        quads = parse_files(paths)
        _ONTOLOGY_CACHE.clear()
        _ONTOLOGY_CACHE[key] = (quads, _nodes(quads))
    return _ONTOLOGY_CACHE[key]


def _nodes(quads: Iterable[ox.Quad]) -> set[Triple]:
    """The triples whose object is not a literal, blank nodes written ``_:id``."""
    import pyoxigraph as ox

    blank, literal = ox.BlankNode, ox.Literal
    nodes = set()
    for quad in quads:
        o = quad.object
        if type(o) is literal:
            continue
        s = quad.subject
        nodes.add(
            (
                f"_:{s.value}" if type(s) is blank else s.value,  # type: ignore[union-attr]
                quad.predicate.value,
                f"_:{o.value}" if type(o) is blank else o.value,  # type: ignore[union-attr]
            )
        )
    return nodes


def _ox_rules(quads: list[ox.Quad]) -> set[Triple]:
    """:func:`_apply_rules` on a pyoxigraph store of the same triples."""
    import pyoxigraph as ox

    from ecokg.rdf.namespaces import sparql_prologue

    store = ox.Store()
    store.extend(quads)  # parse_file puts every triple in the default graph
    derived: set[Triple] = set()
    for rule in resources.rule_files():
        result = store.query(sparql_prologue() + rule.read_text(encoding="utf-8"))
        derived |= {(s.value, p.value, o.value) for s, p, o in result}  # type: ignore[union-attr]
    return derived


def _compiled(
    inputs: _Inputs, ontology: list[Path], stage: Callable[[str], None], started: float
) -> Inference:
    """:func:`materialise` with the compiled engine."""
    engine_input = inputs.tbox | inputs.abox | inputs.ruled
    stage(f"compiled rules over {len(engine_input):,} triples")
    closure = compiled.Closure(inputs.tbox, engine_input)
    if closure.conflicts():
        stage("explaining the inconsistency (OWL 2 RL closure)")
        raise InconsistentData("compiled", explain(_rdflib(engine_input), ontology))
    closed = _normalise(inputs.tbox, inputs.abox | inputs.ruled | closure.facts)
    inferred = frozenset(t for t in closed if t not in inputs.asserted and _is_instance_fact(t))
    return Inference(inferred, "compiled", time.perf_counter() - started)


def inconsistencies(data_files: Sequence[Path]) -> list[str]:
    """The conflicts of ``data_files`` with the ontology (instances of disjoint classes, of
    owl:Nothing) once closed under OWL 2 RL, one line each; empty when there is none."""
    ontology = resources.ontology_files()
    return explain(_load([*ontology, *data_files]), ontology)


class _Inconsistent(Exception):
    """An engine found no model; :func:`materialise` explains why."""


def _has_conflict(graph: rdflib.Graph) -> bool:
    """Whether a closed graph has an instance of owl:Nothing or of two disjoint classes."""
    if (None, _ref(_TYPE), _ref(OWL + "Nothing")) in graph:
        return True
    return bool(
        graph.query(
            """ASK { { ?axiom a owl:AllDisjointClasses ; owl:members ?list .
                       ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b .
                       FILTER(?a != ?b) } UNION { ?a owl:disjointWith ?b }
                     ?x a ?a, ?b . }""",
            initNs={"owl": OWL, "rdf": RDF},
        ).askAnswer
    )


def serialise_turtle(triples: Iterable[Triple]) -> str:
    """Sorted Turtle with the ecokg prefixes, so that regenerated files diff cleanly."""
    from ecokg.rdf.namespaces import compact

    def term(iri: str) -> str:
        text = compact(iri)
        if text.startswith("<"):
            return text
        prefix, _, local = text.partition(":")
        return f"{prefix}:{local.replace('/', chr(92) + '/')}"  # '/' must be escaped

    used = sorted({compact(i).partition(":")[0] for t in triples for i in t if ":" in compact(i)})
    # The engine is not written: HermiT and owlrl give the same graph, and the file must not
    # change with the machine that regenerates it.
    lines = [
        "# Inferred by `ecokg reason` from the ontology, its rules and the plan; do not edit.",
        "# Regenerate with `ecokg reason --output data/inferred.ttl`.",
    ]
    lines += [f"@prefix {p}: <{PREFIXES[p]}> ." for p in used if p in PREFIXES]
    lines.append("")
    by_subject: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in sorted(triples):
        by_subject.setdefault(s, []).append((p, o))
    for subject, pairs in by_subject.items():
        body = " ;\n    ".join(f"{'a' if p == _TYPE else term(p)} {term(o)}" for p, o in pairs)
        lines.append(f"{term(subject)}\n    {body} .")
    return "\n".join(lines) + "\n"


def _ref(iri: str) -> rdflib.URIRef:
    import rdflib

    return rdflib.URIRef(iri)


def _load(paths: Sequence[Path]) -> rdflib.Graph:
    # pyoxigraph parses (fast, one-line errors with positions); JSON-LD dumps use the
    # shipped @context instead of fetching it.
    from ecokg.rdf.parsing import rdflib_graph

    return rdflib_graph(paths)


def _iri_triples(graph: rdflib.Graph) -> set[Triple]:
    import rdflib

    return {
        (str(s), str(p), str(o))
        for s, p, o in graph
        if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)
    }


def _tbox(graph: rdflib.Graph) -> set[Triple]:
    """Class and object-property axioms, including the blank-node lists they use."""
    import rdflib

    datatype_properties = {
        str(s) for s in graph.subjects(_ref(_TYPE), _ref(OWL + "DatatypeProperty"))
    }
    kept: set[Triple] = set()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) or str(s) in datatype_properties:
            continue
        if str(p) in _TBOX_PREDICATES or (
            str(p) == _TYPE and str(o).startswith(OWL) and not str(s).startswith(ID)
        ):
            kept.add((_node(s), str(p), _node(o)))
    return kept


def _abox(graph: rdflib.Graph) -> set[Triple]:
    """Instance facts between named things: types and object-property assertions."""
    import rdflib

    return {
        (str(s), str(p), str(o))
        for s, p, o in graph
        if isinstance(s, rdflib.URIRef)
        and isinstance(o, rdflib.URIRef)
        and (str(s).startswith(ID) or (str(p) == _TYPE and not str(o).startswith(OWL)))
        and (str(p).startswith(ECO_NS) or str(p) == _TYPE)
    }


def _node(term: rdflib.term.Node) -> str:
    import rdflib

    return f"_:{term}" if isinstance(term, rdflib.BNode) else str(term)


def _apply_rules(graph: rdflib.Graph) -> set[Triple]:
    """Run the SPARQL CONSTRUCT rules of ontology/rules/ over the data."""
    from ecokg.rdf.namespaces import sparql_prologue

    derived: set[Triple] = set()
    for rule in resources.rule_files():
        result = graph.query(sparql_prologue() + rule.read_text(encoding="utf-8"))
        derived |= {(str(s), str(p), str(o)) for s, p, o in result}  # type: ignore[misc]
    return derived


def _to_ntriples(triples: Iterable[Triple]) -> bytes:
    def term(value: str) -> str:
        return value if value.startswith("_:") else f"<{value}>"

    return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples).encode()


def _hermit(triples: set[Triple]) -> set[Triple]:
    """Entailed instance facts according to HermiT (owlready2)."""
    from owlready2 import (
        OwlReadyInconsistentOntologyError,
        OwlReadyJavaError,
        World,
        sync_reasoner_hermit,
    )

    header = {("https://w3id.org/ecokg/reasoning-input", _TYPE, OWL + "Ontology")}
    world = World()
    ontology = world.get_ontology("https://w3id.org/ecokg/reasoning-input").load(
        fileobj=io.BytesIO(_to_ntriples(header | triples)), format="ntriples"
    )
    try:
        with ontology, child_processes_die_with_us():
            sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except OwlReadyInconsistentOntologyError as error:
        raise _Inconsistent from error
    except (OwlReadyJavaError, subprocess.CalledProcessError) as error:
        detail = " ".join(str(error).split())[:300]
        raise EcokgError(f"HermiT failed: {detail}") from error
    return {
        (str(s), str(p), str(o))
        for s, p, o in world.as_rdflib_graph()
        if str(s).startswith(ID) and not str(o).startswith("_:")
    }


def _rdflib(triples: set[Triple]) -> rdflib.Graph:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=_to_ntriples(triples), format="nt")
    return graph


def _owlrl(triples: set[Triple]) -> set[Triple]:
    """Entailed facts of the OWL 2 RL closure (owlrl, pure Python)."""
    from owlrl import DeductiveClosure, OWLRL_Semantics

    graph = _rdflib(triples)
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    if _has_conflict(graph):
        raise _Inconsistent
    return _iri_triples(graph)


def _normalise(tbox: set[Triple], facts: set[Triple]) -> set[Triple]:
    """Close facts under inverse, symmetric and sub-property axioms (engines differ in what
    they write out for these), to a fixpoint."""
    inverse: dict[str, set[str]] = {}
    for s, p, o in tbox:
        if p == OWL + "inverseOf":
            inverse.setdefault(s, set()).add(o)
            inverse.setdefault(o, set()).add(s)
    symmetric = {s for s, p, o in tbox if p == _TYPE and o == OWL + "SymmetricProperty"}
    parents: dict[str, set[str]] = {}
    for s, p, o in tbox:
        if p == RDFS + "subPropertyOf":
            parents.setdefault(s, set()).add(o)
    closed = set(facts)
    frontier = set(facts)
    while frontier:
        new: set[Triple] = set()
        for s, p, o in frontier:
            if p == _TYPE:
                continue
            new |= {(o, q, s) for q in inverse.get(p, ())}
            if p in symmetric:
                new.add((o, p, s))
            new |= {(s, q, o) for q in parents.get(p, ())}
        frontier = new - closed
        closed |= frontier
    return closed


def _is_instance_fact(triple: Triple) -> bool:
    """Keep eco: links between instances, and memberships of eco:'s defined classes."""
    s, p, o = triple
    if not s.startswith(ID):
        return False
    if p == _TYPE:
        return o in _DEFINED_CLASSES
    return p.startswith(ECO_NS) and o.startswith(ID)


# Classes defined by necessary and sufficient conditions: membership in them is news;
# membership in a superclass of an asserted class is not worth writing out.
_DEFINED_CLASSES = {ECO.BindingIndicator, ECO.ExpectedIndicator}
