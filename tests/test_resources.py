"""The knowledge files resolve without installing, and the wheel ships every knowledge dir."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ecokg import resources

REPO = Path(__file__).resolve().parent.parent


def test_kb_root_holds_the_knowledge_dirs() -> None:
    root = resources.kb_root()
    for name in resources.KNOWLEDGE_DIRS:
        assert (root / name).is_dir(), f"{root / name} is missing"


def test_resources_resolve_to_existing_files() -> None:
    assert resources.ontology_files(), "no ontology/*.ttl"
    listed = [
        *resources.ontology_files(),
        *resources.rule_files(),
        *resources.shape_files(),
        *resources.query_files(),
    ]
    for path in listed:
        assert path.is_file(), path
    assert resources.source_text().is_file()
    assert resources.query_dir().is_dir()
    assert resources.expected_dir().parent == resources.query_dir()


def test_file_lists_are_sorted_and_of_the_right_kind() -> None:
    ontology = resources.ontology_files()
    top_level = [path for path in ontology if path.parent.name == "ontology"]
    vocab = [path for path in ontology if path.parent.name == "vocab"]
    assert ontology == top_level + vocab  # modules first, then vocabularies
    assert top_level == sorted(top_level) and vocab == sorted(vocab)
    assert all(path.suffix == ".ttl" for path in ontology + resources.shape_files())
    assert all(path.suffix == ".rq" for path in resources.rule_files() + resources.query_files())
    assert resources.query_files() == sorted(resources.query_files())


def test_plan_and_inferred_paths_are_under_data() -> None:
    assert resources.plan_file() == resources.kb_root() / "data" / "plan.ttl"
    assert resources.inferred_file() == resources.kb_root() / "data" / "inferred.ttl"


def test_wheel_force_includes_every_knowledge_dir() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    hatch = config["tool"]["hatch"]
    force_include = hatch["build"]["targets"]["wheel"]["force-include"]
    for name in resources.KNOWLEDGE_DIRS:
        assert force_include.get(name) == f"ecokg/kb/{name}"
        assert (REPO / name).is_dir()
    sdist = hatch["build"]["targets"]["sdist"]["include"]
    for name in resources.KNOWLEDGE_DIRS:
        assert f"{name}/" in sdist
    assert hatch["version"]["path"] == "ecokg/__init__.py"
    assert config["project"]["scripts"]["ecokg"] == "ecokg.cli:run"


def test_installed_layout_is_preferred(tmp_path: Path, monkeypatch) -> None:
    """In a wheel the files sit in ecokg/kb/; resources must look there first."""
    package = tmp_path / "site-packages" / "ecokg"
    (package / "kb" / "ontology").mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    assert resources.kb_root() == package / "kb"
    assert resources.query_dir() == package / "kb" / "queries"
    assert resources.ontology_files() == []


def test_missing_knowledge_files_are_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    import pytest

    from ecokg.errors import InputError

    monkeypatch.setattr(resources, "_PACKAGE_DIR", tmp_path / "ecokg")
    with pytest.raises(InputError, match="knowledge files not found"):
        resources.kb_root()
