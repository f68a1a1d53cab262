"""``ecokg reason --check`` says when the committed inferred graph is out of date.

The check compares what the reasoner infers from the bundled plan with
``resources.inferred_file()``; here that file is a copy in a temporary directory, current,
stale or missing. The inference itself is computed once (owlrl, no Java needed) and
reused by every run of the command.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecokg import reason, resources
from ecokg.cli import main


@pytest.fixture(scope="module")
def bundled_inference() -> reason.Inference:
    if not resources.inferred_file().is_file():
        pytest.skip("data/inferred.ttl does not exist yet (run ecokg reason)")
    return reason.materialise([resources.plan_file()], engine="owlrl")


@pytest.fixture
def committed_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundled_inference: reason.Inference
) -> Path:
    """A copy of data/inferred.ttl that --check compares with, and the inference reused."""
    copy = tmp_path / "inferred.ttl"
    copy.write_bytes(resources.inferred_file().read_bytes())
    monkeypatch.setattr(resources, "inferred_file", lambda: copy)
    monkeypatch.setattr(reason, "materialise", lambda *args, **kwargs: bundled_inference)
    return copy


def _check(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["reason", "--check", "--engine", "owlrl"])
    return code, capsys.readouterr().err


def test_current_copy_passes_the_check(committed_copy: Path, capsys) -> None:
    code, err = _check(capsys)
    assert code == 0, err
    assert "out of date" not in err


def test_stale_inferred_graph_fails_the_check_and_names_the_file(
    committed_copy: Path, capsys
) -> None:
    lines = committed_copy.read_text(encoding="utf-8").splitlines(keepends=True)
    # an object line inside a subject block ("    eco:p obj ;"): dropping it keeps valid Turtle
    facts = [index for index, line in enumerate(lines) if line.startswith(" ") and ";" in line]
    assert facts, "the inferred graph states no fact"
    del lines[facts[0]]  # one inferred fact fewer: the file no longer matches the reasoner
    committed_copy.write_text("".join(lines), encoding="utf-8")
    code, err = _check(capsys)
    assert code == 1
    stale = [line for line in err.splitlines() if "out of date" in line]
    assert stale == [f"{committed_copy}: out of date (ecokg reason --output {committed_copy})"]
    assert "Traceback" not in err


def test_missing_inferred_graph_fails_the_check(committed_copy: Path, capsys) -> None:
    committed_copy.unlink()
    code, err = _check(capsys)
    assert code == 1
    assert f"{committed_copy}: out of date" in err
