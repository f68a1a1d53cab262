"""Data written with the terms ecokg 0.1 used (qudt:unit, unit:CNY) still reads as before.

QUDT 3 removed qudt:unit (use qudt:hasUnit) and names the yuan unit:CCY_CNY; the bundled plan
uses the QUDT 3 terms, and a user's older file must give the audit and the queries the same
answers as the same data written in the current terms.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import RunCli

LEGACY = Path(__file__).parent / "fixtures" / "legacy" / "qudt-unit-cny.ttl"


def _current_terms(tmp_path: Path) -> Path:
    text = LEGACY.read_text(encoding="utf-8")
    current = text.replace("qudt:unit ", "qudt:hasUnit ").replace("unit:CNY ", "unit:CCY_CNY ")
    assert current != text
    path = tmp_path / "current.ttl"
    path.write_text(current, encoding="utf-8")
    return path


def _findings(run_cli: RunCli, data: Path) -> set[tuple[str, str, str]]:
    code, out, err = run_cli("audit", "--no-bundled", "--data", data, "-f", "json")
    assert code == 1, err
    return {
        (f["shape"].rsplit("#", 1)[1], f["focus"], f["message"]["en"])
        for f in json.loads(out)["findings"]
    }


def test_audit_reads_old_and_new_unit_terms_alike(run_cli: RunCli, tmp_path: Path) -> None:
    legacy = _findings(run_cli, LEGACY)
    assert legacy == _findings(run_cli, _current_terms(tmp_path))
    shapes = {shape for shape, _, _ in legacy}
    # every figure has its unit, and unit:CNY counts as a currency unit
    assert not shapes & {"S04-investment-has-currency-unit", "S12-figure-has-unit"}
    # 100 万 yuan written in unit:CNY converts: 100 + 60 万元 = 160 ≠ the stated 150
    (subtotal,) = [f for f in legacy if f[0] == "S20-programme-investment-is-sum-of-projects"]
    assert "150" in subtotal[2] and "160" in subtotal[2]


def test_query_reads_the_old_unit_property(run_cli: RunCli, tmp_path: Path) -> None:
    rows = {}
    for data in (LEGACY, _current_terms(tmp_path)):
        code, out, err = run_cli(
            "query", "investment-by-programme", "--no-bundled", "--data", data, "-f", "json"
        )
        assert code == 0, err
        rows[data.name] = json.loads(out)
    assert rows[LEGACY.name] == rows["current.ttl"]
    assert "WanYuan" in json.dumps(rows[LEGACY.name])
