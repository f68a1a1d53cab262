"""Reasoning over many plans, each on its own (never over their union), for a store that
loads a province: :func:`materialise_many`.

With the compiled engine one plan of ~20 k triples takes a fraction of a second, most of it
parsing; the ontology is parsed once, before the worker processes are forked, so that each
plan costs only its own files. HermiT or owlrl (``engine=``) work too, much more slowly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ecokg import resources
from ecokg.interrupts import worker_pool
from ecokg.reason.engine import Inference, materialise, warm_ontology
from ecokg.reason.explain import InconsistentData

# A plan's result as a worker sends it back: its inferences, or why it has none (raised
# only once every plan is done, the first in the order given).
_Result = Inference | InconsistentData


def materialise_many(
    plans: Sequence[Sequence[Path]],
    *,
    engine: str = "auto",
    ontology_files: Sequence[Path] | None = None,
    jobs: int | None = None,
) -> list[Inference]:
    """The inferences of each plan, in the order given: ``plans[i]`` is one plan's files,
    reasoned over with the ontology and the rules as :func:`materialise` does, and
    ``result[i]`` is exactly what ``materialise(plans[i])`` returns.

    ``jobs`` processes at most (default: one per CPU; 1: in this process). Raises the
    InconsistentData of the first inconsistent plan in the given order (its findings name the
    individuals, whose IRIs carry the plan's code), or the error of a plan that cannot be
    read, once every plan is done.

    For a store of many plans (issue 12): group the input files per plan (``kb.plans_in_input``),
    call this once, and write ``result[i].turtle()`` (or ``.triples``) into plan i's inferred
    graph; cache per plan by content hash as :func:`~ecokg.reason.cache.cached_inferred_file`
    does, so that a plan loaded again is not reasoned over again.
    """
    ontology = list(ontology_files or resources.ontology_files())
    tasks = [(list(files), ontology, engine) for files in plans]
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    warm_ontology(ontology)  # parsed here once, inherited by the forked workers
    if workers > 1:
        with worker_pool(workers) as pool:  # leaving it (an error, Ctrl-C) ends the workers
            results = pool.map(_reason, tasks, chunksize=1)
    else:
        results = [_reason(task) for task in tasks]
    inferences = []
    for result in results:
        if isinstance(result, InconsistentData):
            raise result
        inferences.append(result)
    return inferences


def _reason(task: tuple[list[Path], list[Path], str]) -> _Result:
    files, ontology, engine = task
    try:
        return materialise(files, ontology_files=ontology, engine=engine)
    except InconsistentData as error:
        return error
