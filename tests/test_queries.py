"""Every named query answers its competency question: results match queries/expected/NAME.csv.

Each queries/NAME.rq runs with the parameters of tests/query_params.json on the bundled
dataset (plan + inferences); its rows, with IRIs compacted (tw:sixi) and literals as their
lexical value, sorted, must equal the expected CSV. Regenerate the expected files with
``python -m tests.test_queries --regenerate`` (or ECOKG_REGENERATE=1 pytest …) and check
every change against the plan text before committing it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecokg import resources
from ecokg.kb import load_dataset
from ecokg.query import library as querylib
from ecokg.rdf.namespaces import compact
from ecokg.stores.local import Dataset

ROOT = Path(__file__).resolve().parent.parent
QUERY_DIR = ROOT / "queries"
EXPECTED_DIR = QUERY_DIR / "expected"
PARAMS_FILE = Path(__file__).parent / "query_params.json"
QUERY_FILES = sorted(QUERY_DIR.glob("*.rq"))


def query_params() -> dict[str, dict[str, str]]:
    """Parameter values per query name (tests/query_params.json)."""
    params: dict[str, dict[str, str]] = json.loads(PARAMS_FILE.read_text(encoding="utf-8"))
    return params


def cell(term: object) -> str:
    """A result term as a CSV cell: compact IRI, lexical value of a literal, '' if unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal):
        # GROUP_CONCAT's order is not defined by SPARQL (engines and runs differ): compare
        # the "; "-joined lists the queries build as sorted lists.
        return "; ".join(sorted(term.value.split("; "))) if "; " in term.value else term.value
    if isinstance(term, ox.BlankNode):
        return "_:b"  # blank node labels are not stable
    return str(term)


def result_csv(dataset: Dataset, name: str, values: Mapping[str, str]) -> str:
    """Run the named query and render its rows, sorted, as CSV text."""
    query = querylib.parse_named_query(QUERY_DIR / f"{name}.rq")
    result = querylib.run_named_query(dataset, query, values)
    assert isinstance(result, ox.QuerySolutions), f"{name}: not a SELECT query"
    variables = [variable.value for variable in result.variables]
    rows = sorted([cell(solution[index]) for index in range(len(variables))] for solution in result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(variables)
    writer.writerows(rows)
    return out.getvalue()


def test_every_query_has_params_and_an_expected_file() -> None:
    names = {path.stem for path in QUERY_FILES}
    assert len(names) >= 25
    assert names == set(query_params()), "tests/query_params.json must list every query"
    missing = sorted(name for name in names if not (EXPECTED_DIR / f"{name}.csv").is_file())
    assert not missing, (
        f"no expected result for {missing}: run python -m tests.test_queries --regenerate"
    )


def test_every_query_has_ask_wordings() -> None:
    for path in QUERY_FILES:
        query = querylib.parse_named_query(path)
        assert query.ask_zh and query.ask_en, f"{path.name}: add # ask-zh: and # ask-en: lines"
        declared = {param.name for param in query.params}
        for wording in (*query.ask_zh, *query.ask_en):
            used = set(querylib.re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", wording))
            assert used <= declared, f"{path.name}: {wording!r} uses undeclared {used - declared}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda path: path.stem)
def test_query_gives_the_expected_answer(dataset: Dataset, path: Path) -> None:
    if not resources.inferred_file().is_file():
        pytest.skip("data/inferred.ttl does not exist yet (run ecokg reason)")
    name = path.stem
    expected_file = EXPECTED_DIR / f"{name}.csv"
    if os.environ.get("ECOKG_REGENERATE") == "1":
        expected_file.write_text(result_csv(dataset, name, query_params().get(name, {})), "utf-8")
        pytest.skip(f"{name}: expected answer regenerated; review the diff before committing")
    assert expected_file.is_file(), f"{name}: no queries/expected/{name}.csv"
    actual = result_csv(dataset, name, query_params().get(name, {}))
    assert actual == expected_file.read_text(encoding="utf-8")


def regenerate() -> None:
    """Write queries/expected/NAME.csv for every query from the bundled dataset."""
    dataset = load_dataset()
    params = query_params()
    EXPECTED_DIR.mkdir(exist_ok=True)
    for path in QUERY_FILES:
        text = result_csv(dataset, path.stem, params.get(path.stem, {}))
        (EXPECTED_DIR / f"{path.stem}.csv").write_text(text, encoding="utf-8")
        print(f"{path.stem}: {text.count(chr(10)) - 1} rows")


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit("usage: python -m tests.test_queries --regenerate")
    regenerate()
