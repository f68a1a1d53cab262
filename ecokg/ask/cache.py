"""The entity index cache, keyed by a content hash of the loaded files.

Building the index computes pinyin (pypinyin takes ~0.4 s to import), so it is built once
per distinct dataset and written as JSON to ``$XDG_CACHE_HOME/ecokg`` (or
``~/.cache/ecokg``) as a checked entry (:mod:`ecokg.cache_entries`): written atomically,
verified on read (a damaged one is rebuilt with a warning), built once by concurrent runs.
A cache that cannot be written is ignored — the index is then built in memory.

A remote store (``ask --endpoint``) has no files to hash: its index is cached per endpoint
URL, graphs and the version record ``ecokg push`` leaves on the server
(:mod:`ecokg.stores.version`, read with one small query), so the next question downloads
nothing and a new push rebuilds it. A server without a record (loaded by other means, or a
push under way) gets a short time to live instead: ``REMOTE_TTL_SECONDS``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ecokg import resources
from ecokg.ask.entities import EntityIndex, build_index
from ecokg.cache_entries import obtain, write_entry
from ecokg.errors import EcokgError
from ecokg.stores.remote import RemoteStore
from ecokg.stores.version import read_record

if TYPE_CHECKING:
    from ecokg.stores.base import Store

# Bump when the index format or the way names are derived changes.
INDEX_VERSION = "5"
# How long what was read from a server without a version record is trusted (seconds).
REMOTE_TTL_SECONDS = 300.0

T = TypeVar("T")
# One version read per store and run: the index and the model share it.
_REMOTE_KEYS: weakref.WeakKeyDictionary[RemoteStore, tuple[str, float | None]] = (
    weakref.WeakKeyDictionary()
)


def remote_key(store: Store) -> tuple[str, float | None] | None:
    """For a remote store: a key naming its endpoint, graphs and dataset version, and the
    time to live of what is cached under it (None: until the version changes). None for
    any other store."""
    if not isinstance(store, RemoteStore):
        return None
    known = _REMOTE_KEYS.get(store)
    if known is not None:
        return known
    record = read_record(store.endpoint, auth=store.auth, timeout=store.timeout)
    version = record.version if record is not None else None
    user = store.auth.user if store.auth is not None else None
    digest = hashlib.sha256(f"ecokg-remote\n{store.endpoint}\n{user or ''}\n".encode())
    digest.update("\n".join(store.graphs).encode())
    digest.update(f"\n{version or 'no version record'}".encode())
    key = (digest.hexdigest()[:32], None if version else REMOTE_TTL_SECONDS)
    _REMOTE_KEYS[store] = key
    return key


def expire(path: Path, ttl: float | None) -> None:
    """Remove the cache file at ``path`` when it is older than ``ttl`` seconds."""
    if ttl is None:
        return
    with contextlib.suppress(OSError):
        if time.time() - path.stat().st_mtime > ttl:
            path.unlink()


def cached(
    path: Path,
    build: Callable[[], T],
    encode: Callable[[T], bytes],
    decode: Callable[[bytes], T],
    what: str,
) -> T:
    """``build()``'s value from the checked entry at ``path``, built once when missing."""
    built: list[T] = []

    def build_body() -> bytes:
        built.append(build())
        return encode(built[-1])

    entry = obtain(path, build_body, what=what)
    if built:
        return built[-1]
    try:
        return decode(entry.body)
    except (ValueError, KeyError, TypeError):  # a checked entry of another layout: rebuild
        body = build_body()
        with contextlib.suppress(OSError, EcokgError):
            write_entry(path, body)  # a read-only home still answers questions, more slowly
        return built[-1]


def dataset_fingerprint(dataset: Store, concept_namespaces: Iterable[str] = ()) -> str:
    """A hash of the content of every loaded file (and its graph) plus the index options."""
    digest = hashlib.sha256(f"ecokg-ask-index {INDEX_VERSION}\n".encode())
    for loaded in getattr(dataset, "files", ()):
        digest.update(f"{loaded.graph}\n".encode())
        digest.update(hashlib.sha256(loaded.path.read_bytes()).digest())
    # a store opened with --store lists no files: its manifest's version names its content
    manifest = getattr(dataset, "manifest", None)
    if manifest is not None:
        digest.update(f"store {manifest.dataset_version}\n".encode())
    for graph in getattr(dataset, "query_graphs", None) or ():  # one plan's view (--plan)
        digest.update(f"scope {graph}\n".encode())
    for namespace in sorted(set(concept_namespaces)):
        digest.update(f"concepts {namespace}\n".encode())
    return digest.hexdigest()[:32]


def load_index(
    dataset: Store, concept_namespaces: Iterable[str] = (), *, use_cache: bool = True
) -> EntityIndex:
    """The entity index of the dataset, from the cache when it holds this dataset's."""
    namespaces = sorted(set(concept_namespaces))
    if not use_cache:
        return build_index(dataset, namespaces)
    remote = remote_key(dataset)
    try:
        if remote is not None:
            digest = hashlib.sha256(f"ecokg-ask-index {INDEX_VERSION}\n{remote[0]}\n".encode())
            digest.update("\n".join(namespaces).encode())
            path = resources.cache_dir() / f"ask-index-remote-{digest.hexdigest()[:32]}.json"
            expire(path, remote[1])
        elif hasattr(dataset, "files"):
            fingerprint = dataset_fingerprint(dataset, namespaces)
            path = resources.cache_dir() / f"ask-index-{fingerprint}.json"
        else:
            return build_index(dataset, namespaces)
    except OSError:  # a loaded file became unreadable: no key, no cache
        return build_index(dataset, namespaces)
    return cached(
        path,
        lambda: build_index(dataset, namespaces),
        lambda index: json.dumps(
            index.to_json(), ensure_ascii=False, separators=(",", ":")
        ).encode(),
        lambda body: EntityIndex.from_json(json.loads(body)),
        "entity index",
    )


def _index_bytes(index: EntityIndex) -> bytes:
    return json.dumps(index.to_json(), ensure_ascii=False, separators=(",", ":")).encode()
