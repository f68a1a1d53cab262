"""Stores of several plans for the tests, laid out as issue 12's contract says: each plan's
statements in ``…/graph/plan/{code}``, its inferences in ``…/graph/inferred/{code}``, the
ontology and the monitoring data in their shared graphs.

The plans are the bundled one (code 360923) and synthetic counties from
``bench/province.py`` (``County(k)``, code 361001 + k); a county's inferences are the bundled
plan's, renamed the same way (so a county alone and a county among others are comparable).
Until ``kb.load_dataset`` loads plans into their own graphs, the tests build these stores
here; then :func:`plans_dataset` can become a call of it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from province import BUNDLED_BASE, County, derive_county

from ecokg import resources
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    GRAPH_MONITORING,
    GRAPH_ONTOLOGY,
    inferred_graph,
    plan_graph,
)
from ecokg.stores.local import Dataset

_FOLDER = Path(tempfile.mkdtemp(prefix="ecokg-plan-stores-"))
atexit.register(shutil.rmtree, _FOLDER, True)
# Observations of the bundled plan's indicators (one binding indicator lags in it).
MONITORING = Path(__file__).parent / "fixtures" / "queries" / "lagging-binding-indicators.ttl"


def plans_dataset(
    counties: Iterable[int] = (),
    *,
    bundled: bool = True,
    monitored: Iterable[int | None] = (),
) -> Dataset:
    """The ontology, the bundled plan (unless ``bundled`` is False) and the synthetic
    counties ``counties`` (their indices k), each in its own graphs; ``monitored``: whose
    monitoring data to load (k, or None for the bundled plan)."""
    dataset = Dataset()
    for path in resources.ontology_files():
        dataset.load_file(path, GRAPH_ONTOLOGY)
    if bundled:
        dataset.load_file(resources.plan_file(), plan_graph(BUNDLED_CODE))
        dataset.load_file(resources.inferred_file(), inferred_graph(BUNDLED_CODE))
    for index in counties:
        county = County(index)
        code = str(county.code)
        stated = _written(f"county-{code}.nt", derive_county(county))
        dataset.load_file(stated, plan_graph(code))
        inferred = derive_county(county, resources.inferred_file(), planted=False)
        dataset.load_file(_written(f"county-{code}-inferred.nt", inferred), inferred_graph(code))
    for index in monitored:
        if index is None:
            dataset.load_file(MONITORING, GRAPH_MONITORING)
        else:
            quads = derive_county(County(index), MONITORING, planted=False)
            path = _written(f"monitoring-{County(index).code}.nt", quads)
            dataset.load_file(path, GRAPH_MONITORING)
    return dataset


def _written(name: str, quads: list[ox.Quad]) -> Path:
    """``quads`` in a file of this session's folder (caches read what a dataset's files hold)."""
    path = _FOLDER / name
    if not path.is_file():
        ox.serialize(quads, output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


def county_iri(index: int | None, iri: str) -> str:
    """The IRI of county ``index``'s counterpart of the bundled plan's ``iri`` (the bundled
    IRI itself for None)."""
    if index is None or not iri.startswith(BUNDLED_BASE):
        return iri
    return County(index).base + iri[len(BUNDLED_BASE) :]


def code_of_county(index: int | None) -> str:
    return BUNDLED_CODE if index is None else str(County(index).code)
