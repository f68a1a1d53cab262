"""The entity index cache, keyed by a content hash of the loaded files.

Building the index computes pinyin (pypinyin takes ~0.4 s to import), so it is built once
per distinct dataset and written as JSON to ``$XDG_CACHE_HOME/ecokg`` (or
``~/.cache/ecokg``) as a checked entry (:mod:`ecokg.cache_entries`): written atomically,
verified on read (a damaged one is rebuilt with a warning), built once by concurrent runs.
A cache that cannot be written is ignored — the index is then built in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ecokg import resources
from ecokg.ask.entities import EntityIndex, build_index
from ecokg.cache_entries import obtain, write_entry
from ecokg.errors import EcokgError

if TYPE_CHECKING:
    from ecokg.stores.base import Store

# Bump when the index format or the way names are derived changes.
INDEX_VERSION = "5"


def dataset_fingerprint(dataset: Store, concept_namespaces: Iterable[str] = ()) -> str:
    """A hash of the content of every loaded file (and its graph) plus the index options."""
    digest = hashlib.sha256(f"ecokg-ask-index {INDEX_VERSION}\n".encode())
    for loaded in getattr(dataset, "files", ()):
        digest.update(f"{loaded.graph}\n".encode())
        digest.update(hashlib.sha256(loaded.path.read_bytes()).digest())
    for namespace in sorted(set(concept_namespaces)):
        digest.update(f"concepts {namespace}\n".encode())
    return digest.hexdigest()[:32]


def load_index(
    dataset: Store, concept_namespaces: Iterable[str] = (), *, use_cache: bool = True
) -> EntityIndex:
    """The entity index of the dataset, from the cache when it holds this dataset's."""
    namespaces = sorted(set(concept_namespaces))
    if not use_cache or not hasattr(dataset, "files"):  # a remote store has no files to hash
        return build_index(dataset, namespaces)
    try:
        path = resources.cache_dir() / f"ask-index-{dataset_fingerprint(dataset, namespaces)}.json"
    except OSError:  # a loaded file became unreadable: no key, no cache
        return build_index(dataset, namespaces)
    built: list[EntityIndex] = []

    def build() -> bytes:
        built.append(build_index(dataset, namespaces))
        return json.dumps(built[-1].to_json(), ensure_ascii=False, separators=(",", ":")).encode()

    entry = obtain(path, build, what="entity index")
    if built:
        return built[-1]
    try:
        return EntityIndex.from_json(json.loads(entry.body))
    except (ValueError, KeyError, TypeError):  # a checked entry of another layout: rebuild
        body = build()
        with contextlib.suppress(OSError, EcokgError):
            write_entry(path, body)  # a read-only home still answers questions, more slowly
        return built[-1]
