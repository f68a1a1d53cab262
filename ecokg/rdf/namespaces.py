"""Namespace prefixes, named-graph IRIs and the ontology's closed namespace: the public
vocabulary contract of ecokg."""

from __future__ import annotations

import functools
from typing import Any, Final

ECO_NS: Final = "https://w3id.org/ecokg/def#"
ID: Final = "https://w3id.org/ecokg/id/"
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"

# Named graphs of the dataset (public contract: queries may use GRAPH <...> on them).
GRAPH_BASE: Final = "https://w3id.org/ecokg/graph/"
GRAPH_ONTOLOGY: Final = GRAPH_BASE + "ontology"
GRAPH_PLAN: Final = GRAPH_BASE + "plan"
GRAPH_INFERRED: Final = GRAPH_BASE + "inferred"
# Monitoring data (observations, project progress): what happened since, never what the plan states.
GRAPH_MONITORING: Final = GRAPH_BASE + "monitoring"
# All three, in load order.
DATASET_GRAPHS: Final = (GRAPH_ONTOLOGY, GRAPH_PLAN, GRAPH_INFERRED)

# Many plans in one store (docs/many-plans.md): each plan's statements live in
# …/graph/plan/{code} and its inferences in …/graph/inferred/{code}, where {code} is the
# county's administrative division code (GB/T 2260; 上高县 = 360923). The bare …/graph/plan
# and …/graph/inferred are what release 0.1 wrote (one plan per store) and what a plan
# with no code is loaded into: readers accept every graph named with the prefix.
BUNDLED_CODE: Final = "360923"


def plan_graph(code: str | None) -> str:
    """The named graph of what county ``code``'s plan states (bare …/graph/plan without one)."""
    return f"{GRAPH_PLAN}/{code}" if code else GRAPH_PLAN


def inferred_graph(code: str | None) -> str:
    """The named graph of the inferences over the plan of county ``code``."""
    return f"{GRAPH_INFERRED}/{code}" if code else GRAPH_INFERRED


def is_plan_graph(iri: str) -> bool:
    """True for …/graph/plan and every …/graph/plan/{code}."""
    return iri == GRAPH_PLAN or iri.startswith(GRAPH_PLAN + "/")


def is_inferred_graph(iri: str) -> bool:
    """True for …/graph/inferred and every …/graph/inferred/{code}."""
    return iri == GRAPH_INFERRED or iri.startswith(GRAPH_INFERRED + "/")


def graph_code(iri: str) -> str | None:
    """The county code a plan or inferred graph is named with (None for the bare ones)."""
    for base in (GRAPH_PLAN, GRAPH_INFERRED):
        if iri.startswith(base + "/"):
            return iri[len(base) + 1 :]
    return None


# The kinds of instance (prefix, path segment): …/id/{code}/{kind}/{slug}.
INSTANCE_KINDS: Final[tuple[tuple[str, str], ...]] = (
    ("plan", "plan"),
    ("sec", "section"),
    ("county", "county"),
    ("tw", "township"),
    ("vil", "village"),
    ("zone", "zone"),
    ("prob", "problem"),
    ("issue", "issue"),
    ("task", "task"),
    ("prog", "programme"),
    ("proj", "project"),
    ("work", "work"),
    ("agency", "agency"),
    ("ind", "indicator"),
    ("fig", "figure"),
    ("stmt", "statement"),
    ("river", "river"),
    ("water", "reservoir"),
    ("pattern", "pattern"),
    ("feature", "feature"),
    ("pa", "protected-area"),
    ("goal", "goal"),
    ("fund", "funding"),
    ("period", "period"),
    ("mon", "monitoring"),
)

# Prefixes known to every query and used to compact IRIs in output (compact() tries the
# longest namespace first, so ecounit: wins over eco:'s shorter stem).
PREFIXES: Final[dict[str, str]] = {
    "eco": ECO_NS,
    "id": ID,
    "ecounit": "https://w3id.org/ecokg/def/unit#",
    "unit": "http://qudt.org/vocab/unit/",
    "qudt": "http://qudt.org/schema/qudt/",
    "skos": SKOS,
    "rdfs": RDFS,
    "rdf": RDF,
    "owl": OWL,
    "xsd": XSD,
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "time": "http://www.w3.org/2006/time#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
    "schema": "https://schema.org/",
    # Controlled lists (SKOS concept schemes in ontology/vocab/).
    "pt": "https://w3id.org/ecokg/def/problem-type#",
    "ecosys": "https://w3id.org/ecokg/def/ecosystem-category#",
    "nature": "https://w3id.org/ecokg/def/nature#",
    "qd": "https://w3id.org/ecokg/def/quality-dimension#",
    "tk": "https://w3id.org/ecokg/def/township-kind#",
    "scope": "https://w3id.org/ecokg/def/area-scope#",
    "cmp": "https://w3id.org/ecokg/def/comparator#",
    "metric": "https://w3id.org/ecokg/def/metric#",
    "cat": "https://w3id.org/ecokg/def/category#",
    "measure": "https://w3id.org/ecokg/def/measure-type#",
    "pstatus": "https://w3id.org/ecokg/def/project-status#",
    "progress": "https://w3id.org/ecokg/def/progress-status#",
    "qb": "http://purl.org/linked-data/cube#",
    # Instance namespaces, one per kind of thing, under the bundled plan's IRI space
    # (…/id/360923/{kind}/, ecokg.rdf.iris): the CURIEs of release 0.1 name the same things.
    **{prefix: ID + BUNDLED_CODE + "/" + kind + "/" for prefix, kind in INSTANCE_KINDS},
}

# Longest namespace first so that e.g. ecounit: wins over a shorter shared stem.
_BY_LENGTH: Final = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)

# Characters that may not appear unescaped in the local part of a prefixed name.
_UNSAFE_LOCAL_CHARS: Final = frozenset(" <>\"{}|^`\\#?,;()[]'!$&*+=~@%")


@functools.lru_cache(maxsize=65536)  # serialising a plan's inferences asks ~5,000 times per plan
def compact(iri: str) -> str:
    """Return ``prefix:local`` for an IRI in a known namespace, else ``<iri>``."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if _is_safe_local(local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def _is_safe_local(local: str) -> bool:
    if local.endswith(".") or local.startswith(("-", ".")):
        return False
    return not any(char in _UNSAFE_LOCAL_CHARS for char in local)


def expand(curie: str) -> str | None:
    """Expand ``prefix:local`` with a known prefix; None if the prefix is unknown."""
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        return None
    return PREFIXES[prefix] + local


def sparql_prologue() -> str:
    """PREFIX declarations for all known prefixes, e.g. for writing queries out."""
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())


class _ClosedNamespaceMeta(type):
    """Turns the annotated names of a namespace class into full IRIs (``ECO.Project``); any
    other name is an error, as in rdflib's ``DefinedNamespace`` with ``_fail = True``: mypy
    reports ``ECO.Projct`` before it runs, and it raises AttributeError when it does."""

    _NS: str
    _terms: frozenset[str]

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]
    ) -> _ClosedNamespaceMeta:
        cls = super().__new__(mcs, name, bases, namespace)
        for term in namespace.get("__annotations__", {}):
            if not term.startswith("_"):
                setattr(cls, term, namespace["_NS"] + term)
        # once: `iri in ECO` runs for every triple of a user's file (kb.data_problems)
        cls._terms = frozenset(
            v for k, v in vars(cls).items() if not k.startswith("_") and isinstance(v, str)
        )
        return cls

    def __getitem__(cls, name: str) -> str:
        """``ECO["Project"]``, for names computed at run time; KeyError for an unknown one."""
        value = vars(cls).get(name)
        if not isinstance(value, str) or name.startswith("_"):
            raise KeyError(f"{name}: not a term of <{cls._NS}>")
        return value

    def __contains__(cls, iri: object) -> bool:
        return isinstance(iri, str) and iri in cls._terms

    def terms(cls) -> set[str]:
        """Every IRI of the namespace."""
        return set(cls._terms)


class ECO(metaclass=_ClosedNamespaceMeta):
    """The ecokg ontology's terms (``ontology/ecokg.ttl``): ``ECO.Project`` is the IRI of
    ``eco:Project``; ``ECO.Projct`` raises AttributeError. A test keeps this list equal to the
    terms the ontology defines."""

    _NS = ECO_NS
    AdministrativeUnit: str
    Agency: str
    AreaStatement: str
    BindingIndicator: str
    Breakdown: str
    CountStatement: str
    County: str
    EcologicalBarrier: str
    EcologicalCorridor: str
    EcologicalPattern: str
    EcologicalProblem: str
    ExpectedIndicator: str
    Figure: str
    FundingChannel: str
    FundingRecord: str
    Goal: str
    Indicator: str
    IndicatorAssessment: str
    IndicatorObservation: str
    KeyTask: str
    MechanismIssue: str
    MonitoringReport: str
    NameStatement: str
    Output: str
    OutputProgress: str
    Place: str
    Plan: str
    PlanSection: str
    Programme: str
    Project: str
    ProjectAssessment: str
    ProjectProgress: str
    ProjectRegister: str
    ProtectedArea: str
    Reservoir: str
    RestorationZone: str
    River: str
    Share: str
    Statement: str
    Target: str
    Township: str
    Village: str
    WaterBody: str
    Work: str
    # properties
    addressesProblem: str
    addsToIndicator: str
    alongRiver: str
    areaScope: str
    baseYear: str
    baseline: str
    category: str
    comparator: str
    component: str
    content: str
    contributesTo: str
    countOf: str
    dataSource: str
    description: str
    divisionCode: str
    ecosystemCategory: str
    excludesTownship: str
    excludesVillage: str
    exhaustive: str
    flowsThrough: str
    focusZone: str
    fundingChannel: str
    hasAreaStatement: str
    hasCountStatement: str
    hasElement: str
    hasGoal: str
    hasNameStatement: str
    hasProject: str
    hasTownship: str
    hasVillage: str
    hasWork: str
    hasZoneMember: str
    horizonYear: str
    implementedAlong: str
    implementedIn: str
    implementedInZone: str
    implementsTask: str
    inZone: str
    indicatorGroup: str
    investment: str
    investmentShare: str
    leadAgency: str
    locatedIn: str
    mainDirection: str
    mainProblems: str
    measure: str
    mentionsTownship: str
    mentionsVillage: str
    metric: str
    naturalProfile: str
    nature: str
    nearTermYear: str
    openEnded: str
    order: str
    part: str
    partOfProgramme: str
    partlyInZone: str
    perYear: str
    period: str
    plannedOutput: str
    planningPeriod: str
    prioritisedInZone: str
    problemType: str
    protectedAreaKind: str
    qualityDimension: str
    quote: str
    referenceYear: str
    refersTo: str
    resolutionNote: str
    resolvesTo: str
    sameQuantityAs: str
    schedule: str
    sequenceNumber: str
    sourceLines: str
    statedArea: str
    statedCount: str
    statedDecimals: str
    statedIn: str
    statedInvestment: str
    statedName: str
    statedTarget: str
    statedText: str
    subTaskOf: str
    target: str
    total: str
    townshipKind: str
    tributaryOf: str
    upperValue: str
    whole: str
    withinCounty: str
    withinTownship: str
    # monitoring (ontology/monitoring.ttl)
    observedIndicator: str
    observationYear: str
    observationDate: str
    reportedBy: str
    sourceDocument: str
    isRevision: str
    progressOf: str
    projectStatus: str
    startDate: str
    completionDate: str
    fundsAllocated: str
    fundsSpent: str
    forOutput: str
    assesses: str
    expectedValue: str
    latestObservation: str
    progressStatus: str
    totalSpent: str
    totalAllocated: str
