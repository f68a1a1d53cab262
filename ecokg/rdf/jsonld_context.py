"""The JSON-LD context ecokg publishes (``context.jsonld`` beside this module), and reading
documents that refer to it without fetching it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

CONTEXT_URL = "https://w3id.org/ecokg/context.jsonld"
CONTEXT_FILE = Path(__file__).resolve().parent / "context.jsonld"


def context_bytes() -> bytes:
    """The published context document, as shipped."""
    return CONTEXT_FILE.read_bytes()


@cache
def published_context() -> Mapping[str, Any]:
    """The term definitions of the published context (the value of its ``@context``)."""
    return json.loads(context_bytes())["@context"]


def effective_context(reference: str | list[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """The term definitions a reference resolves to (the published context is local)."""
    items = reference if isinstance(reference, list) else [reference]
    merged: dict[str, Any] = {}
    for item in items:
        if isinstance(item, str):
            if item != CONTEXT_URL:
                raise ValueError(
                    f"remote JSON-LD context {item!r} is not fetched: give the "
                    "document its context inline (ecokg export writes it inline)"
                )
            merged.update(published_context())
        else:
            merged.update(item)
    return merged


def inline_context(document: bytes | str) -> bytes:
    """The document with the published context reference replaced by its content, for
    JSON-LD processors that cannot (or should not) fetch it."""
    data = json.loads(document)
    if not isinstance(data, dict | list):
        raise ValueError("a JSON-LD document is an object or an array")
    reference = data.get("@context") if isinstance(data, dict) else None
    if isinstance(data, dict) and reference is not None:
        data["@context"] = effective_context(reference)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
