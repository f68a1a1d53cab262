"""Tables for people name their columns in the reader's language and print values with their
units as the plan writes them (万元, 亿元, %); the titles and units come from the queries'
headers (# columns-zh, # columns-en, # units)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import RunCli

from ecokg.errors import InputError
from ecokg.query import library as querylib
from ecokg.stores.local import Dataset

QUERY_PARAMS = json.loads((Path(__file__).parent / "query_params.json").read_text("utf-8"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")
QUERIES = querylib.list_named_queries()


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_every_column_has_a_title_in_both_languages(dataset: Dataset, query) -> None:
    result = querylib.run_named_query(dataset, query, QUERY_PARAMS.get(query.name, {}))
    columns = [variable.value for variable in result.variables]
    for column in columns:
        zh, en = query.column_title(column, "zh"), query.column_title(column, "en")
        assert zh and CHINESE.search(zh), (column, zh)
        assert en and not CHINESE.search(en), (column, en)
    for value, unit in query.units:
        assert value in columns and unit in columns, (value, unit)


def test_a_chinese_question_gets_chinese_headers_and_amounts_in_wan_yuan(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "各重大工程投资多少")
    assert code == 0, err
    header = next(line for line in out.splitlines() if "重大工程" in line and "┃" in line)
    assert "投资估算" in header and "出处" in header
    assert not re.search(r"[A-Za-z]", header), header
    # Table 5-1 subtotal in 万元 and the Chapter 5 text's figure in 亿元, as the plan writes them
    assert "41800万元" in out and "4.18亿元" in out


def test_an_english_question_gets_english_headers_and_units(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "how much does each agency invest")
    assert code == 0, err
    assert "lead agency" in out and "责任牵头单位" not in out
    assert "126900 ten thousand yuan" in out


def test_projects_of_an_agency_print_their_investment_in_wan_yuan(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "水利局牵头哪些项目")
    assert code == 0, err
    assert "18000万元" in out and "投资估算" in out


def test_ask_json_keeps_its_columns_and_adds_headers_and_units(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "各重大工程投资多少", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["columns"][:5] == ["programme", "programmeZh", "programmeEn", "investment", "unit"]
    assert len(data["headers"]) == len(data["columns"])
    assert data["headers"][data["columns"].index("investment")] == "投资估算"
    investment = data["columns"].index("investment")
    cell = next(row[investment] for row in data["rows"] if row[investment]["value"] == "41800")
    assert cell["unit"]["label"]["zh"] == "万元"
    assert cell["unit"]["iri"] == "https://w3id.org/ecokg/def/unit#WanYuan"


def test_query_table_in_chinese_titles_columns_and_prints_units(run_cli: RunCli) -> None:
    code, out, err = run_cli("query", "investment-by-agency", "--lang", "zh")
    assert code == 0, err
    assert "投资估算" in out and "责任牵头单位" in out and "126900万元" in out
    # without --lang the table stays as the query returns it: variables and the unit column
    code, out, err = run_cli("query", "investment-by-agency")
    assert code == 0, err
    assert "investment" in out and "ecounit:WanYuan" in out and "万元" not in out


@pytest.mark.parametrize(
    "line",
    ["# units: investment\n", "# columns-zh: =投资\n", "# columns-en: investment=\n"],
)
def test_malformed_column_headers_are_input_errors(tmp_path: Path, line: str) -> None:
    path = tmp_path / "q.rq"
    path.write_text(
        "# title-zh: 甲\n# title-en: A\n# params: none\n# returns: x\n" + line + "SELECT ?x {}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="cannot parse"):
        querylib.parse_named_query(path)
