"""Inferences over a user's own data, reasoned once and cached by the content of the inputs."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ecokg import __version__, resources
from ecokg.atomic import write_atomic
from ecokg.errors import EcokgError
from ecokg.reason.engine import materialise


def cached_inferred_file(data_files: Sequence[Path]) -> Path:
    """The inferred graph for ``data_files`` (plus the ontology), computed once and cached
    under the user's cache directory by a hash of every input file's content."""
    inputs = [*resources.ontology_files(), *resources.rule_files(), *data_files]
    digest = hashlib.sha256(__version__.encode())
    for path in inputs:
        content = Path(path).read_bytes()
        # length and digest per file, so that no two different file sets hash alike
        digest.update(f"{len(content)}:".encode() + hashlib.sha256(content).digest())
    name = f"inferred-{digest.hexdigest()[:32]}.ttl"
    target = resources.cache_dir() / name
    if target.is_file():
        return target
    turtle = materialise(list(data_files)).turtle()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, turtle)
    except (OSError, EcokgError):  # no writable cache: keep the result for this run only
        target = Path(tempfile.mkdtemp(prefix="ecokg-")) / name
        write_atomic(target, turtle)
    return target
