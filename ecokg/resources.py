"""Where the knowledge files live: the ONLY module that knows the layout.

Installed from a wheel, they are shipped inside the package as ``ecokg/kb/``. In a source
checkout (editable install or running from the repository) they are at the repository top
level, the parent of the package directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from ecokg.errors import InputError

_PACKAGE_DIR = Path(__file__).resolve().parent
KNOWLEDGE_DIRS: tuple[str, ...] = ("ontology", "data", "shapes", "queries")


def kb_root() -> Path:
    """Directory holding ontology/, data/, shapes/ and queries/."""
    installed = _PACKAGE_DIR / "kb"
    if (installed / "ontology").is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise InputError(
        f"knowledge files not found: neither {installed} nor {checkout} contains ontology/"
    )


def _glob(subdir: str, pattern: str) -> list[Path]:
    directory = kb_root() / subdir
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.glob(pattern) if path.is_file())


def ontology_files() -> list[Path]:
    """The ontology modules (ontology/*.ttl) followed by the vocabularies (ontology/vocab/*.ttl)."""
    return _glob("ontology", "*.ttl") + _glob("ontology/vocab", "*.ttl")


def rule_files() -> list[Path]:
    """SPARQL CONSTRUCT rules used by the reasoner (ontology/rules/*.rq)."""
    return _glob("ontology/rules", "*.rq")


def plan_file() -> Path:
    """The bundled plan as stated (data/plan.ttl); may not exist yet in a fresh checkout."""
    return kb_root() / "data" / "plan.ttl"


def inferred_file() -> Path:
    """Materialised inferences (data/inferred.ttl); may not exist."""
    return kb_root() / "data" / "inferred.ttl"


def source_text() -> Path:
    """The plan's source text (the first data/source/*.txt)."""
    texts = _glob("data/source", "*.txt")
    if not texts:
        raise InputError(f"no source text found in {kb_root() / 'data' / 'source'}")
    return texts[0]


def shape_files() -> list[Path]:
    """SHACL shapes (shapes/*.ttl)."""
    return _glob("shapes", "*.ttl")


def query_dir() -> Path:
    """The library of named queries."""
    return kb_root() / "queries"


def query_files() -> list[Path]:
    """Named queries (queries/*.rq)."""
    return _glob("queries", "*.rq")


def expected_dir() -> Path:
    """Expected results of the named queries on the bundled plan (queries/expected/)."""
    return query_dir() / "expected"


def cache_dir() -> Path:
    """Where derived files are cached: ``$XDG_CACHE_HOME/ecokg``, else ``~/.cache/ecokg``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ecokg"
