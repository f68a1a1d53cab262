"""The lexicon and the schema summary of a dataset, cached beside the entity index.

Reading the lexicon (and the ontology's labels of its terms) and summarising the dataset's
links takes some 100 ms; both depend only on the loaded files and the lexicon file, so
they are cached as one checked entry keyed by their content, as the entity index is
(:mod:`ecokg.ask.cache`); a remote store's, per endpoint and version as its index is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecokg import resources
from ecokg.ask.cache import cached, dataset_fingerprint, expire, remote_key
from ecokg.ask.lexicon import Lexicon, lexicon_path, load_lexicon
from ecokg.ask.schema import Schema, build_schema

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
    if not use_cache:
        return build_model(dataset)
    remote = remote_key(dataset)
    if remote is None and not hasattr(dataset, "files"):
        return build_model(dataset)
    try:
        digest = hashlib.sha256(f"ecokg-ask-model {MODEL_VERSION}\n".encode())
        digest.update(remote[0].encode() if remote else dataset_fingerprint(dataset).encode())
        digest.update(hashlib.sha256(lexicon_path().read_bytes()).digest())
        for path in resources.ontology_files():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        kind = "ask-model-remote" if remote else "ask-model"
        path = resources.cache_dir() / f"{kind}-{digest.hexdigest()[:32]}.json"
    except OSError:
        return build_model(dataset)
    if remote is not None:
        expire(path, remote[1])
    return cached(
        path, lambda: build_model(dataset), Model.to_bytes, Model.from_bytes, "question lexicon"
    )
