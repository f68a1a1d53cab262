"""The lexicon and the schema summary of a dataset, cached beside the entity index.

Reading the lexicon (and the ontology's labels of its terms) and summarising the dataset's
links takes some 100 ms; both depend only on the loaded files and the lexicon file, so
they are cached as one checked entry keyed by their content, as the entity index is
(:mod:`ecokg.ask.cache`). A remote store is summarised afresh on each run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecokg import resources
from ecokg.ask.cache import dataset_fingerprint
from ecokg.ask.lexicon import Lexicon, lexicon_path, load_lexicon
from ecokg.ask.schema import Schema, build_schema
from ecokg.cache_entries import obtain, write_entry
from ecokg.errors import EcokgError

if TYPE_CHECKING:
    from ecokg.stores.base import Store

MODEL_VERSION = "7"


@dataclass
class Model:
    lexicon: Lexicon
    schema: Schema

    def to_bytes(self) -> bytes:
        data = {"lexicon": self.lexicon.to_json(), "schema": self.schema.to_json()}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, body: bytes) -> Model:
        data = json.loads(body)
        return cls(Lexicon.from_json(data["lexicon"]), Schema.from_json(data["schema"]))


def build_model(dataset: Store) -> Model:
    lexicon = load_lexicon()
    properties = {word.term for word in lexicon.words if word.role == "property"}
    metrics = {word.term for word in lexicon.words if word.role == "metric"}
    schema = build_schema(dataset, properties, metrics)
    for written, unit in lexicon.units.items():  # 公里 is the multiplier of 千米
        if unit in schema.units:
            schema.units.setdefault(written, schema.units[unit])
        if unit in schema.unit_metrics:
            schema.unit_metrics.setdefault(written, schema.unit_metrics[unit])
    schema.also = lexicon.also
    schema.names = lexicon.names
    return Model(lexicon, schema)


def load_model(dataset: Store, *, use_cache: bool = True) -> Model:
    if not use_cache or not hasattr(dataset, "files"):
        return build_model(dataset)
    try:
        digest = hashlib.sha256(f"ecokg-ask-model {MODEL_VERSION}\n".encode())
        digest.update(dataset_fingerprint(dataset).encode())
        digest.update(hashlib.sha256(lexicon_path().read_bytes()).digest())
        for path in resources.ontology_files():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        path = resources.cache_dir() / f"ask-model-{digest.hexdigest()[:32]}.json"
    except OSError:
        return build_model(dataset)
    built: list[Model] = []

    def build() -> bytes:
        built.append(build_model(dataset))
        return built[-1].to_bytes()

    entry = obtain(path, build, what="question lexicon")
    if built:
        return built[-1]
    try:
        return Model.from_bytes(entry.body)
    except (ValueError, KeyError, TypeError):
        body = build()
        with contextlib.suppress(OSError, EcokgError):
            write_entry(path, body)
        return built[-1]
