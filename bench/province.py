"""Synthetic counties derived from the bundled plan, for the province benchmark and for the
tests that adding a county changes nothing of another.

County ``k`` (1, 2, …) gets its own division code (361001 + k, made up, outside Shanggao's
360923) and with it its own IRIs (``…/id/360923/…`` → ``…/id/<code>/…``, the scheme of
``ecokg.rdf.iris``) and ``eco:divisionCode``, its own name in every label and quote
(上高 → 样<k>, Shanggao → Sample<k>), and its money figures multiplied by ``1 + k % 3`` (so
its sums still add up). ``planted`` inconsistencies give the audit something to find per
county. The ontology's own terms (``…/def…``) are shared, as in real plans.

    python bench/province.py OUT_DIR N     # writes OUT_DIR/county-<code>.nt for k = 1..N
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from ecokg import resources
from ecokg.rdf.iris import plan_namespace
from ecokg.rdf.namespaces import BUNDLED_CODE, ECO, ID, RDF, XSD

QUDT = "http://qudt.org/schema/qudt/"
INSTANCE_BASE = ID
# The bundled plan's IRI space, which each county's replaces.
BUNDLED_BASE = plan_namespace(BUNDLED_CODE)
FIRST_CODE = 361001
MONEY_UNITS = {
    "https://w3id.org/ecokg/def/unit#WanYuan",
    "https://w3id.org/ecokg/def/unit#YiYuan",
}


NUMERIC_VALUE = ox.NamedNode(QUDT + "numericValue")
RDF_TYPE = ox.NamedNode(RDF + "type")
PROGRAMME = ox.NamedNode(ECO.Programme)


@dataclass(frozen=True)
class County:
    """One synthetic county: its index, made-up division code and names."""

    index: int

    @property
    def code(self) -> int:
        return FIRST_CODE + self.index

    @property
    def base(self) -> str:
        return plan_namespace(str(self.code))

    @property
    def name_zh(self) -> str:
        return f"样{self.index}"

    @property
    def name_en(self) -> str:
        return f"Sample{self.index}"

    @property
    def multiplier(self) -> int:
        return 1 + self.index % 3


def derive_county(
    county: County, plan: Path | None = None, *, planted: bool = True
) -> list[ox.Quad]:
    """The bundled plan's triples rewritten as ``county``'s (default graph). With
    ``planted``, the first programme's investment is one 万元 more than the plan says (the
    audit must find it: a programme is the sum of its projects, the plan of its programmes)."""
    source = ox.parse(path=str(plan or resources.plan_file()), format=ox.RdfFormat.TURTLE)
    triples = [ox.Triple(*(_rename(term, county) for term in quad.triple)) for quad in source]
    money = _money_values(triples)
    bumped = _first_programme_investment(triples) if planted else None
    quads = []
    for t in triples:
        value = t.object
        if t.subject in money and t.predicate == NUMERIC_VALUE:
            value = _scaled(value, county.multiplier, 1 if t.subject == bumped else 0)
        quads.append(ox.Quad(t.subject, t.predicate, value))
    return quads


def write_province(directory: Path, n: int) -> list[Path]:
    """``county-<code>.nt`` for counties 1..n in ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(1, n + 1):
        county = County(index)
        path = directory / f"county-{county.code}.nt"
        ox.serialize(derive_county(county), output=str(path), format=ox.RdfFormat.N_QUADS)
        paths.append(path)
    return paths


def _rename(term, county: County):  # type: ignore[no-untyped-def]
    if isinstance(term, ox.NamedNode) and term.value.startswith(BUNDLED_BASE):
        return ox.NamedNode(county.base + term.value[len(BUNDLED_BASE) :])
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "string":
        if term.value == BUNDLED_CODE:  # eco:divisionCode
            return ox.Literal(str(county.code))
        if term.value == BUNDLED_BASE:  # void:uriSpace
            return ox.Literal(county.base)
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#string", "#langString")):
        text = term.value.replace("上高", county.name_zh).replace("Shanggao", county.name_en)
        if term.language:
            return ox.Literal(text, language=term.language)
        return ox.Literal(text, datatype=term.datatype)
    return term


def _money_values(triples: list[ox.Triple]) -> set[object]:
    """Quantity values whose unit is yuan or 万元."""
    has_unit = (ox.NamedNode(QUDT + "hasUnit"), ox.NamedNode(QUDT + "unit"))
    units = {str(unit) for unit in MONEY_UNITS}
    return {t.subject for t in triples if t.predicate in has_unit and t.object.value in units}


def _first_programme_investment(triples: list[ox.Triple]) -> object:
    programmes = sorted(
        t.subject.value for t in triples if t.predicate == RDF_TYPE and t.object == PROGRAMME
    )
    investment = ox.NamedNode(ECO.investment)
    return next(
        t.object for t in triples if t.subject.value == programmes[0] and t.predicate == investment
    )


def _scaled(value, multiplier: int, extra: int):  # type: ignore[no-untyped-def]
    scaled = Decimal(value.value) * multiplier + extra
    return ox.Literal(str(scaled), datatype=value.datatype)


if __name__ == "__main__":
    out, count = Path(sys.argv[1]), int(sys.argv[2])
    for written in write_province(out, count):
        print(written)
