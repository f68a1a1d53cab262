"""One value of an answer's row (its own module: the answer and the user-data provenance
both build cells)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecokg.rdf.namespaces import compact

EVIDENCE_ZH = {"stated": "规划明示", "inferred": "推理得出"}


@dataclass(frozen=True)
class Cell:
    """One value of a result row; an IRI has its labels in zh and en."""

    value: str
    iri: str | None = None
    label_zh: str | None = None
    label_en: str | None = None
    # The user's --data files the row's facts come from (evidence and sources cells).
    data_files: tuple[str, ...] = ()

    def text(self, lang: str) -> str:
        if self.iri is None:
            if lang == "en":
                return self.label_en or self.value
            return self.label_zh or EVIDENCE_ZH.get(self.value, self.value)
        label = self.label_en if lang == "en" else self.label_zh
        return label or self.label_zh or self.label_en or compact(self.iri)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value}
        if self.iri is not None:
            data["iri"] = self.iri
        if self.iri is not None or self.label_en is not None:
            data["label"] = {"zh": self.label_zh, "en": self.label_en}
        if self.data_files:
            data["dataFiles"] = list(self.data_files)
        return data
