"""RDF basics every other layer uses: namespaces (with the closed ``eco:`` namespace), the
format registry, the label rule, terms between rdflib and pyoxigraph, and parsing files."""
