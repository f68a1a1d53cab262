"""What the dataset holds: files, triple counts, instances per eco: class, namespaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ecokg.rdf.labels import best_label
from ecokg.rdf.namespaces import PREFIXES
from ecokg.stores.local import Dataset, LoadedFile
from ecokg.stores.ondisk import StoredDataset

_INSTANCES_PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?instance) AS ?instances) WHERE {
  ?instance a ?class .
  FILTER(isIRI(?class) && STRSTARTS(STR(?class), STR(eco:)))
}
GROUP BY ?class
ORDER BY DESC(?instances) ?class
"""
_QUADS = "SELECT (COUNT(*) AS ?quads) WHERE { GRAPH ?graph { ?s ?p ?o } }"


@dataclass(frozen=True)
class ClassCount:
    """How many distinct instances an eco: class has (stated or inferred types)."""

    iri: str
    label_zh: str | None
    label_en: str | None
    instances: int


@dataclass(frozen=True)
class DatasetInfo:
    files: list[LoadedFile]
    triples: int
    classes: list[ClassCount]
    namespaces: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [
                {"path": str(file.path), "graph": file.graph, "triples": file.triples}
                for file in self.files
            ],
            "triples": self.triples,
            "classes": [
                {
                    "class": entry.iri,
                    "label_zh": entry.label_zh,
                    "label_en": entry.label_en,
                    "instances": entry.instances,
                }
                for entry in self.classes
            ],
            "namespaces": self.namespaces,
        }


def dataset_info(dataset: Dataset) -> DatasetInfo:
    """Summarise a loaded dataset."""
    result = dataset.query(_INSTANCES_PER_CLASS)
    assert isinstance(result, ox.QuerySolutions)
    classes: list[ClassCount] = []
    for solution in result:
        class_node, count = solution["class"], solution["instances"]
        assert isinstance(class_node, ox.NamedNode) and isinstance(count, ox.Literal)
        classes.append(
            ClassCount(
                iri=class_node.value,
                label_zh=_label_in(dataset, class_node.value, "zh"),
                label_en=_label_in(dataset, class_node.value, "en"),
                instances=int(count.value),
            )
        )
    if dataset.query_graphs is None and isinstance(dataset, StoredDataset):
        # as the manifest records them: counting a store's quads reads every one of them
        triples = sum(dataset.manifest.graphs.values())
    elif dataset.query_graphs is None:
        triples = len(dataset)
    else:  # a plan's view: the quads of its graphs
        counted = dataset.query(_QUADS)
        assert isinstance(counted, ox.QuerySolutions)
        quads = next(iter(counted))["quads"]
        triples = int(quads.value) if isinstance(quads, ox.Literal) else 0
    return DatasetInfo(
        files=_files_of(dataset),
        triples=triples,
        classes=classes,
        namespaces=dict(PREFIXES),
    )


def _files_of(dataset: Dataset) -> list[LoadedFile]:
    """The files the dataset holds (of a plan's view, --plan: its graphs' files)."""
    files = dataset.loaded_files() if isinstance(dataset, StoredDataset) else dataset.files
    scope = dataset.query_graphs
    return [loaded for loaded in files if scope is None or loaded.graph in scope]


def _label_in(dataset: Dataset, iri: str, lang: str) -> str | None:
    """A label in exactly ``lang`` (no fallback: the JSON says which language it is)."""
    return best_label(dataset.label_candidates(iri), lang, exact=True)
