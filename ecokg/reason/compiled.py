"""The ``compiled`` engine: the axioms the reasoner is given, compiled into forward rules run
to a fixpoint in Python, in milliseconds instead of a JVM's seconds.

It computes what the OWL 2 RL closure (owlrl) computes for the constructs the ontology uses
(:data:`SUPPORTED_TYPES`, :data:`~ecokg.reason.engine._TBOX_PREDICATES`): class and property
hierarchies, equivalent classes, domains and ranges, inverse, symmetric, transitive and
functional properties (with the equality they imply), property chains, intersections, unions
and ``owl:hasValue`` restrictions. Conflicts are those the other engines report: an instance of
``owl:Nothing`` or of two classes of one ``owl:AllDisjointClasses`` axiom, and, as HermiT
finds by cases, an instance of a union each of whose members is disjoint from one of its
classes. :func:`unsupported` names the first axiom outside that profile; the engine refuses
such input and ``auto`` then falls back to HermiT or owlrl.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ecokg.rdf.namespaces import OWL, RDF, RDFS

Triple = tuple[str, str, str]

_TYPE = RDF + "type"
_SAME = OWL + "sameAs"
_NIL = RDF + "nil"
# The owl: types the engine understands on a TBox node; any other one (owl:AllDifferent,
# owl:ReflexiveProperty, …) makes :func:`unsupported` answer.
SUPPORTED_TYPES = {
    OWL + name
    for name in (
        "Class",
        "ObjectProperty",
        "AnnotationProperty",
        "Ontology",
        "NamedIndividual",
        "Restriction",
        "AllDisjointClasses",
        "FunctionalProperty",
        "InverseFunctionalProperty",
        "SymmetricProperty",
        "TransitiveProperty",
        "Nothing",
        "Thing",
    )
}
_RESERVED = (OWL, RDF, RDFS)  # vocabulary namespaces no axiom may speak about
# ... except as the class of a domain, range or superclass (e.g. a range owl:Class, or a
# subclass of owl:Nothing), which the rules treat like any other class.
_ANY_OBJECT = {RDFS + "domain", RDFS + "range", RDFS + "subClassOf", OWL + "hasValue"}


class Unsupported(Exception):
    """The input uses an axiom the compiled engine does not implement."""


class _Tbox:
    """The axioms, indexed for the rules."""

    def __init__(self, tbox: set[Triple]) -> None:
        by_predicate: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for s, p, o in tbox:
            by_predicate[p].append((s, o))
        first = dict(by_predicate[RDF + "first"])
        rest = dict(by_predicate[RDF + "rest"])
        self.lists = _Lists(first, rest)
        self.supers: dict[str, set[str]] = defaultdict(set)
        for sub, sup in by_predicate[RDFS + "subClassOf"]:
            self.supers[sub].add(sup)
        for a, b in by_predicate[OWL + "equivalentClass"]:
            self.supers[a].add(b)
            self.supers[b].add(a)
        self.intersections = {c: self.lists[m] for c, m in by_predicate[OWL + "intersectionOf"]}
        self.unions = {c: self.lists[m] for c, m in by_predicate[OWL + "unionOf"]}
        self.in_intersections = _inverted(self.intersections)
        self.in_unions = _inverted(self.unions)
        on_property = dict(by_predicate[OWL + "onProperty"])
        values = dict(by_predicate[OWL + "hasValue"])
        # restriction → (property, value); property → [(value, restriction)]
        self.has_value = {r: (on_property[r], v) for r, v in values.items() if r in on_property}
        self.value_restrictions: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r, (p, v) in self.has_value.items():
            self.value_restrictions[p].append((v, r))
        self.super_properties: dict[str, set[str]] = defaultdict(set)
        for sub, sup in by_predicate[RDFS + "subPropertyOf"]:
            self.super_properties[sub].add(sup)
        self.inverses: dict[str, set[str]] = defaultdict(set)
        for a, b in by_predicate[OWL + "inverseOf"]:
            self.inverses[a].add(b)
            self.inverses[b].add(a)
        self.domains = _grouped(by_predicate[RDFS + "domain"])
        self.ranges = _grouped(by_predicate[RDFS + "range"])
        typed = _grouped((o, s) for s, o in by_predicate[_TYPE])
        self.symmetric = typed.get(OWL + "SymmetricProperty", set())
        self.transitive = typed.get(OWL + "TransitiveProperty", set())
        self.functional = typed.get(OWL + "FunctionalProperty", set())
        self.inverse_functional = typed.get(OWL + "InverseFunctionalProperty", set())
        # property → [(position in the chain, chain, the property it implies)]
        self.chain_links: dict[str, list[tuple[int, list[str], str]]] = defaultdict(list)
        for implied, members in by_predicate[OWL + "propertyChainAxiom"]:
            chain = self.lists[members]
            for position, link in enumerate(chain):
                self.chain_links[link].append((position, chain, implied))
        self.disjoint: dict[str, set[str]] = defaultdict(set)
        for axiom, members in by_predicate[OWL + "members"]:
            if axiom not in typed.get(OWL + "AllDisjointClasses", ()):
                continue
            classes = self.lists[members]
            for a in classes:
                self.disjoint[a] |= {b for b in classes if b != a}


class _Lists:
    """RDF lists of the TBox, read on demand."""

    def __init__(self, first: dict[str, str], rest: dict[str, str]) -> None:
        self.first, self.rest = first, rest

    def __getitem__(self, node: str) -> list[str]:
        items: list[str] = []
        while node != _NIL:
            if node not in self.first or node not in self.rest or len(items) > 10_000:
                raise Unsupported(f"a malformed RDF list at {node}")
            items.append(self.first[node])
            node = self.rest[node]
        return items


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for key, value in pairs:
        grouped[key].add(value)
    return grouped


def _inverted(expressions: dict[str, list[str]]) -> dict[str, list[str]]:
    """Member class → the expressions it is a member of."""
    inverted: dict[str, list[str]] = defaultdict(list)
    for expression, members in expressions.items():
        for member in members:
            inverted[member].append(expression)
    return inverted


def unsupported(tbox: set[Triple]) -> str | None:
    """Why the compiled engine cannot reason over ``tbox`` (one line), or None when it can."""
    for s, p, o in tbox:
        if p == _TYPE and o.startswith(OWL):
            if o not in SUPPORTED_TYPES:
                return f"{s} is an {o}"
        elif p not in (RDF + "first", RDF + "rest") and (
            s.startswith(_RESERVED) or (o.startswith(_RESERVED) and p not in _ANY_OBJECT)
        ):
            # owlrl's axiomatic triples about the vocabulary itself would then take part
            return f"the axiom {s} {p} {o} speaks about the OWL/RDF vocabulary"
    try:
        axioms = _Tbox(tbox)
        chains = [chain for links in axioms.chain_links.values() for _, chain, _ in links]
        for values in (axioms.intersections.values(), axioms.unions.values(), chains):
            for members in values:
                for member in members:
                    if member.startswith(_RESERVED):
                        return f"a class expression or property chain names {member}"
        typed = {s for s, p, o in tbox if p == _TYPE and o == OWL + "Restriction"}
        for restriction in typed | {s for s, p, o in tbox if p == OWL + "onProperty"}:
            if restriction not in axioms.has_value:
                return f"the restriction {restriction} is not an owl:hasValue restriction"
        valued = [s for s, p, o in tbox if p in (OWL + "hasValue", OWL + "onProperty")]
        for restriction in {r for r in valued if valued.count(r) > 2}:
            return f"the restriction {restriction} has several properties or values"
    except Unsupported as error:
        return str(error)
    return None


class Closure:
    """Facts closed under the compiled rules; ``conflicts`` lists (individual, why) pairs."""

    def __init__(self, tbox: set[Triple], facts: Iterable[Triple]) -> None:
        self.tbox = _Tbox(tbox)
        self.facts: set[Triple] = set()
        # subject → property → objects, and object → property → subjects
        self.out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._pending: list[Triple] = []
        for fact in facts:
            self._add(fact)
        self._run()

    def _add(self, fact: Triple) -> None:
        if fact not in self.facts:
            self.facts.add(fact)
            s, p, o = fact
            self.out[s][p].add(o)
            self.into[o][p].add(s)
            self._pending.append(fact)

    def _run(self) -> None:
        while self._pending:
            fact = self._pending.pop()
            if fact[1] == _TYPE:
                self._typed(fact[0], fact[2])
            elif fact[1] == _SAME:
                self._same(fact[0], fact[2])
            else:
                self._related(*fact)

    def _typed(self, x: str, cls: str) -> None:
        axioms, add = self.tbox, self._add
        for sup in axioms.supers.get(cls, ()):  # cax-sco, cax-eqc1/2
            add((x, _TYPE, sup))
        for member in axioms.intersections.get(cls, ()):  # cls-int2
            add((x, _TYPE, member))
        types = self.out[x][_TYPE]
        for intersection in axioms.in_intersections.get(cls, ()):  # cls-int1
            if all(member in types for member in axioms.intersections[intersection]):
                add((x, _TYPE, intersection))
        for union in axioms.in_unions.get(cls, ()):  # cls-uni
            add((x, _TYPE, union))
        if cls in axioms.has_value:  # cls-hv1
            p, v = axioms.has_value[cls]
            add((x, p, v))
        self._copy_to_same(x, _TYPE, cls)

    def _related(self, x: str, p: str, y: str) -> None:
        axioms, add = self.tbox, self._add
        for sup in axioms.super_properties.get(p, ()):  # prp-spo1
            add((x, sup, y))
        for inverse in axioms.inverses.get(p, ()):  # prp-inv1/2
            add((y, inverse, x))
        if p in axioms.symmetric:  # prp-symp
            add((y, p, x))
        if p in axioms.transitive:  # prp-trp
            for z in list(self.out[y].get(p, ())):
                add((x, p, z))
            for w in list(self.into[x].get(p, ())):
                add((w, p, y))
        for cls in axioms.domains.get(p, ()):  # prp-dom
            add((x, _TYPE, cls))
        for cls in axioms.ranges.get(p, ()):  # prp-rng
            add((y, _TYPE, cls))
        for value, restriction in axioms.value_restrictions.get(p, ()):  # cls-hv2
            if value == y:
                add((x, _TYPE, restriction))
        if p in axioms.functional:  # prp-fp
            for other in list(self.out[x][p]):
                if other != y:
                    add((y, _SAME, other))
        if p in axioms.inverse_functional:  # prp-ifp
            for other in list(self.into[y][p]):
                if other != x:
                    add((x, _SAME, other))
        for position, chain, implied in axioms.chain_links.get(p, ()):  # prp-spo2
            for start in self._walk(x, chain[:position][::-1], self.into):
                for end in self._walk(y, chain[position + 1 :], self.out):
                    add((start, implied, end))
        self._copy_to_same(x, p, y)

    def _walk(self, node: str, links: list[str], index: dict[str, dict[str, set[str]]]) -> set[str]:
        """The nodes reached from ``node`` along ``links`` in ``index``'s direction."""
        reached = {node}
        for link in links:
            reached = {n for r in reached for n in index[r].get(link, ())}
            if not reached:
                break
        return reached

    def _same(self, a: str, b: str) -> None:
        add = self._add
        add((b, _SAME, a))  # eq-sym
        for c in list(self.out[b].get(_SAME, ())):  # eq-trans
            if c != a:
                add((a, _SAME, c))
        for p, objects in list(self.out[a].items()):  # eq-rep-s
            for o in list(objects):
                add((b, p, o))
        for p, subjects in list(self.into[a].items()):  # eq-rep-o
            for s in list(subjects):
                add((s, p, b))

    def _copy_to_same(self, x: str, p: str, y: str) -> None:
        """eq-rep-s/o for a new fact whose subject or object has equals."""
        for other in list(self.out[x].get(_SAME, ())):
            self._add((other, p, y))
        if p != _SAME:
            for other in list(self.out[y].get(_SAME, ())):
                self._add((x, p, other))

    def conflicts(self) -> list[tuple[str, str]]:
        """Individuals that no model can have: of owl:Nothing, of two disjoint classes, or
        of a union whose every member is disjoint from one of their classes."""
        axioms, found = self.tbox, []
        for x, properties in self.out.items():
            types = properties.get(_TYPE)
            if not types:
                continue
            if OWL + "Nothing" in types:
                found.append((x, "owl:Nothing"))
            for cls in types:
                clash = axioms.disjoint.get(cls, set()) & types
                if clash:
                    found.append((x, f"{cls} and {min(clash)}"))
                members = axioms.unions.get(cls)
                if members and all(axioms.disjoint.get(m, set()) & types for m in members):
                    found.append((x, f"{cls}, whose every member is disjoint from its types"))
        return found
