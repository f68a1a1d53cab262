"""The DCAT-AP 3 catalogue and VoID description of the dataset.

The catalogue is one self-contained graph: every IRI it refers to (publisher, licence,
media types, themes, languages, the county as a location, ...) is typed and labelled in it,
because DCAT-AP validators see only this graph. It conforms to the official DCAT-AP 3.0.1
shapes (``dcat-ap-SHACL.ttl`` + ``ranges.ttl``) and raises no warning under
``shapes-recommended.ttl``. The dataset node is also the ``void:Dataset``; its VoID
statistics are computed from the loaded graph (all named graphs, as exported).

Its nodes are fragments of ``{root}catalog`` (the document the static site serves there),
where ``{root}`` is the site root: the parent of the instance namespace ``--base``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ecokg.publish import export as exporting
from ecokg.publish.jsonld import Compactor, dumps
from ecokg.publish.settings import CatalogSettings
from ecokg.publish.void import VOID, void_triples
from ecokg.rdf.iris import plan_namespace
from ecokg.rdf.labels import labels_by_language
from ecokg.rdf.namespaces import BUNDLED_CODE, ECO_NS, RDF, RDFS, SKOS, XSD

if TYPE_CHECKING:
    from ecokg.stores.local import Dataset

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ADMS = "http://www.w3.org/ns/adms#"
DCATAP = "http://data.europa.eu/r5r/"
GSP = "http://www.opengis.net/ont/geosparql#"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
CATALOG_PREFIXES = {
    "dcat": DCAT,
    "dcterms": DCT,
    "foaf": FOAF,
    "vcard": VCARD,
    "void": VOID,
    "adms": ADMS,
    "dcatap": DCATAP,
    "skos": SKOS,
    "rdfs": RDFS,
    "rdf": RDF,
    "xsd": XSD,
    "geo": GSP,
    "eu-theme": EU + "data-theme/",
    "eu-filetype": EU + "file-type/",
    "eu-language": EU + "language/",
}
BUNDLED = plan_namespace(BUNDLED_CODE)
PUBLISHER = BUNDLED + "agency/shanggao-county-government"
COUNTY = BUNDLED + "county/shanggao"
GEO = "http://www.opengis.net/ont/geosparql#"
_CRS84 = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
EU_FILE_TYPES = {
    "ttl": "RDF_TURTLE",
    "nt": "RDF_N_TRIPLES",
    "nq": "RDF_N_QUADS",
    "trig": "RDF_TRIG",
    "jsonld": "JSON_LD",
    "xml": "RDF_XML",
}
STABLE = EU + "planned-availability/STABLE"
THEMES = {"ENVI": "Environment", "REGI": "Regions and cities"}
KEYWORDS = {
    "zh": ("国土空间生态修复", "生态修复规划", "上高县", "知识图谱", "关联数据"),
    "en": (
        "territorial ecological restoration",
        "restoration plan",
        "Shanggao County",
        "knowledge graph",
        "linked data",
    ),
}


class _Graph:
    def __init__(self) -> None:
        self.triples: set[ox.Triple] = set()

    def add(self, subject: str | ox.NamedNode, predicate: str, *objects: object) -> None:
        node = subject if isinstance(subject, ox.NamedNode) else ox.NamedNode(subject)
        for value in objects:
            term = ox.NamedNode(value) if isinstance(value, str) else value
            self.triples.add(ox.Triple(node, ox.NamedNode(predicate), term))  # type: ignore[arg-type]

    def typed(self, iri: str | ox.NamedNode, *classes: str) -> None:
        self.add(iri, RDF + "type", *classes)


def _text(value: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def _county_extent(dataset: Dataset) -> tuple[str, str] | None:
    """The county's extent as the plan states it (geo:hasGeometry/geo:asWKT, an envelope in
    CRS84) and the centre of that envelope."""
    rows = dataset.query(
        f"SELECT ?wkt WHERE {{ <{COUNTY}> <{GEO}hasGeometry>/<{GEO}asWKT> ?wkt }} LIMIT 1"
    )
    for row in rows:  # type: ignore[union-attr]
        wkt = row[0].value.removeprefix(_CRS84).strip()
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", wkt)]
        lons, lats = numbers[0::2], numbers[1::2]
        if not lons or len(lons) != len(lats):
            return None  # not a coordinate list this catalogue can summarise
        centre = f"POINT({(min(lons) + max(lons)) / 2:.6f} {(min(lats) + max(lats)) / 2:.6f})"
        return wkt, centre
    return None


def _labels(dataset: Dataset, iri: str) -> dict[str, str]:
    return labels_by_language(dataset.label_candidates(iri))


def _ontology_date(dataset: Dataset, predicate: str) -> ox.Literal | None:
    for quad in dataset.store.quads_for_pattern(
        ox.NamedNode(ECO_NS), ox.NamedNode(DCT + predicate), None
    ):
        if isinstance(quad.object, ox.Literal):
            return quad.object
    return None


def catalog_triples(dataset: Dataset, settings: CatalogSettings) -> list[ox.Triple]:
    """The catalogue graph: DCAT-AP catalogue, dataset, distributions, service and VoID."""
    g = _Graph()
    s = settings
    catalog, dataset_node, service = s.node("catalog"), s.node("dataset"), s.node("sparql")
    contact, period = s.node("contact"), s.node("period-2021-2035")
    publisher = exporting.rebase_iri(PUBLISHER, s.base)
    county = exporting.rebase_iri(COUNTY, s.base)
    plan_title = _labels(dataset, BUNDLED + "plan/shanggao-2021-2035")
    titles = {
        "zh": f"{plan_title.get('zh', '上高县国土空间生态修复规划')} 知识图谱",
        "en": f"Knowledge graph of the {plan_title.get('en', 'Shanggao County plan')}",
    }
    descriptions = {
        "zh": "规划的关联数据：本体、规划所述事实（附出处章节与原文）及推理所得事实。",
        "en": "The plan as linked data: the ontology, what the plan states (with the section "
        "and words each fact comes from) and what follows from it by inference.",
    }
    issued = _ontology_date(dataset, "created")
    modified = _ontology_date(dataset, "modified")
    languages = [EU + "language/ZHO", EU + "language/ENG"]
    themes = [EU + "data-theme/" + code for code in THEMES]

    def describe(node: ox.NamedNode, title: dict[str, str], text: dict[str, str]) -> None:
        g.add(node, DCT + "title", *(_text(v, k) for k, v in title.items()))
        g.add(node, DCT + "description", *(_text(v, k) for k, v in text.items()))

    g.typed(catalog, DCAT + "Catalog")
    describe(
        catalog,
        {"zh": "ecokg 数据目录", "en": "ecokg data catalogue"},
        {"zh": "上高县国土空间生态修复规划知识图谱的数据目录。", "en": titles["en"] + "."},
    )
    g.add(catalog, DCT + "publisher", publisher)
    g.add(catalog, DCAT + "dataset", dataset_node)
    g.add(catalog, DCAT + "service", service)
    g.add(catalog, DCT + "language", *languages)
    g.add(catalog, DCT + "license", s.licence)
    g.add(catalog, DCT + "spatial", county)
    g.add(catalog, DCAT + "themeTaxonomy", EU + "data-theme")
    g.add(catalog, FOAF + "homepage", s.root)
    g.typed(s.root, FOAF + "Document")

    g.typed(dataset_node, DCAT + "Dataset", VOID + "Dataset")
    describe(dataset_node, titles, descriptions)
    for node in (catalog, dataset_node):
        if issued is not None:
            g.add(node, DCT + "issued", issued)
        if modified is not None:
            g.add(node, DCT + "modified", modified)
    g.add(dataset_node, DCT + "publisher", publisher)
    g.add(dataset_node, DCAT + "contactPoint", contact)
    g.add(dataset_node, DCAT + "keyword", *(_text(w, k) for k, ws in KEYWORDS.items() for w in ws))
    g.add(dataset_node, DCAT + "theme", *themes)
    g.add(dataset_node, DCT + "spatial", county)
    g.add(dataset_node, DCT + "temporal", period)
    g.add(dataset_node, DCT + "language", *languages)
    g.add(dataset_node, DCAT + "landingPage", s.root + "index.html")
    g.typed(s.root + "index.html", FOAF + "Document")

    for output_format in exporting.FORMATS:
        media_type = output_format.media_type
        distribution = s.node(f"distribution-{output_format.key}")
        url = s.dump_url(output_format)
        g.add(dataset_node, DCAT + "distribution", distribution)
        g.add(dataset_node, VOID + "dataDump", url)
        g.typed(distribution, DCAT + "Distribution")
        name = EU_FILE_TYPES[output_format.key].replace("_", " ").replace("RDF ", "RDF/")
        describe(
            distribution,
            {"zh": f"完整数据（{name}）", "en": f"Full dump ({name})"},
            {
                "zh": f"本体、规划与推理三个图的全部三元组，{name} 格式。",
                "en": f"All triples of the ontology, plan and inferred graphs as {name}.",
            },
        )
        g.add(distribution, DCAT + "accessURL", url)
        g.add(distribution, DCAT + "downloadURL", url)
        g.add(distribution, DCAT + "mediaType", IANA + media_type)
        g.typed(IANA + media_type, DCT + "MediaType")
        file_type = EU + "file-type/" + EU_FILE_TYPES[output_format.key]
        g.add(distribution, DCT + "format", file_type)
        g.typed(file_type, DCT + "MediaTypeOrExtent")
        g.add(distribution, DCT + "license", s.licence)
        g.add(distribution, DCATAP + "availability", STABLE)

    g.typed(service, DCAT + "DataService")
    describe(
        service,
        {"zh": "SPARQL 查询服务", "en": "SPARQL endpoint"},
        {"zh": "以 SPARQL 1.1 查询本数据集。", "en": "Query the dataset with SPARQL 1.1."},
    )
    g.typed(s.endpoint_url, RDFS + "Resource")
    g.add(service, DCAT + "endpointURL", s.endpoint_url)
    g.add(service, DCAT + "endpointDescription", s.endpoint_url)
    g.add(service, DCAT + "servesDataset", dataset_node)
    g.add(service, DCAT + "contactPoint", contact)
    g.add(service, DCT + "publisher", publisher)
    g.add(service, DCAT + "theme", *themes)
    g.add(service, DCAT + "keyword", _text("SPARQL", "en"), _text("知识图谱", "zh"))
    g.add(service, DCT + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    g.add(service, DCT + "license", s.licence)
    g.typed("https://www.w3.org/TR/sparql11-protocol/", DCT + "Standard")

    names = _labels(dataset, PUBLISHER) or {"zh": "上高县人民政府"}
    g.typed(publisher, FOAF + "Agent", FOAF + "Organization")
    g.add(publisher, FOAF + "name", *(_text(v, k) for k, v in sorted(names.items())))
    g.add(publisher, DCT + "type", "http://purl.org/adms/publishertype/LocalAuthority")
    _concept(g, "http://purl.org/adms/publishertype/LocalAuthority", "Local Authority")

    g.typed(contact, VCARD + "Kind", VCARD + "Organization")
    g.add(contact, VCARD + "fn", *(_text(v, k) for k, v in sorted(names.items())))
    g.add(contact, VCARD + "hasEmail", f"mailto:{s.email}")

    g.typed(s.licence, DCT + "LicenseDocument")
    g.add(s.licence, DCT + "type", "http://purl.org/adms/licencetype/Attribution")
    _concept(g, "http://purl.org/adms/licencetype/Attribution", "Attribution")

    g.typed(county, DCT + "Location")
    county_names = _labels(dataset, COUNTY) or {"zh": "上高县", "en": "Shanggao County"}
    g.add(county, SKOS + "prefLabel", *(_text(v, k) for k, v in sorted(county_names.items())))
    extent = _county_extent(dataset)
    if extent is not None:
        bbox, centroid = extent
        g.add(county, DCAT + "bbox", _typed(bbox, GSP + "wktLiteral"))
        g.add(county, DCAT + "centroid", _typed(centroid, GSP + "wktLiteral"))

    g.typed(period, DCT + "PeriodOfTime")
    g.add(period, DCAT + "startDate", _typed("2021", XSD + "gYear"))
    g.add(period, DCAT + "endDate", _typed("2035", XSD + "gYear"))

    for code, label in THEMES.items():
        _concept(g, EU + "data-theme/" + code, label, EU + "data-theme")
    g.typed(EU + "data-theme", SKOS + "ConceptScheme")
    g.add(EU + "data-theme", DCT + "title", _text("Data theme", "en"))
    _concept(g, STABLE, "Stable", EU + "planned-availability")
    g.typed(EU + "planned-availability", SKOS + "ConceptScheme")
    g.add(EU + "planned-availability", DCT + "title", _text("Planned availability", "en"))
    for language in languages:
        g.typed(language, DCT + "LinguisticSystem")

    for triple in void_triples(dataset, settings.base, settings, dataset_node):
        g.triples.add(triple)
    return sorted(g.triples, key=str)


def _concept(g: _Graph, iri: str, label: str, scheme: str | None = None) -> None:
    g.typed(iri, SKOS + "Concept")
    g.add(iri, SKOS + "prefLabel", _text(label, "en"))
    if scheme is not None:
        g.add(iri, SKOS + "inScheme", scheme)


def serialize_catalog(dataset: Dataset, settings: CatalogSettings) -> dict[str, bytes]:
    """The catalogue as Turtle (``ttl``) and JSON-LD with an inline context (``jsonld``)."""
    triples = catalog_triples(dataset, settings)
    known = {**exporting.prefixes_for(settings.base), **CATALOG_PREFIXES}
    prefixes = exporting.used_prefixes(triples, {**known, "catalog": settings.document + "#"})
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    context = dict(sorted(prefixes.items()))
    document = Compactor(context).document(triples, context)
    assert turtle is not None
    return {"ttl": turtle, "jsonld": dumps(document)}
