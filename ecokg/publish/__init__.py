"""Publishing the knowledge graph: deterministic exports, a DCAT-AP/VoID catalogue and a
static linked-data site.

- :mod:`ecokg.publish.export` — the dataset (or one of its named graphs) in Turtle,
  N-Triples, N-Quads, TriG, JSON-LD or RDF/XML, sorted and with stable blank node labels.
- :mod:`ecokg.publish.jsonld` — compaction with the published ``context.jsonld``.
- :mod:`ecokg.publish.catalog` — the DCAT-AP 3 catalogue and VoID description.
- :mod:`ecokg.publish.site` — one HTML/Turtle/JSON-LD page per resource, deployable on any
  static web host.
"""
