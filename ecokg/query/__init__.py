"""Questions in SPARQL: the named-query library (:mod:`ecokg.query.library`) and how results
are written and shown (:mod:`ecokg.query.results`)."""
