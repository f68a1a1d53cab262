"""Check a catalogue against the official DCAT-AP 3.0.1 SHACL shapes (with pyshacl).

The shapes are not shipped with ecokg: they are looked up in ``$ECOKG_STANDARDS_DIR`` or
in ``../shared/standards`` next to the source checkout (``dcat-ap-3.0.1/`` inside).

Mandatory constraints are ``dcat-ap-SHACL.ttl`` + ``ranges.ttl`` together; recommendations
are ``shapes-recommended.ttl``. The 3.0.1 release lists five property shapes in
``sh:property`` that neither file defines (e.g. ``…#dcat:DistributionShape/6538…``);
pyshacl refuses such a shapes graph, so those dangling references are dropped first and
reported in :attr:`DcatApReport.dangling_shapes`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ecokg import resources

if TYPE_CHECKING:
    import rdflib

DCAT_AP_DIR = "dcat-ap-3.0.1"
MANDATORY_SHAPES = ("dcat-ap-SHACL.ttl", "ranges.ttl")
RECOMMENDED_SHAPES = ("shapes-recommended.ttl",)


@dataclass
class DcatApReport:
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dangling_shapes: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations and not self.warnings


def standards_dir() -> Path | None:
    """The DCAT-AP 3.0.1 shapes directory, or None when it cannot be found."""
    configured = os.environ.get("ECOKG_STANDARDS_DIR")
    roots = [Path(configured)] if configured else []
    roots.append(resources.kb_root().parent / "shared" / "standards")
    for root in roots:
        candidate = root / DCAT_AP_DIR
        if all((candidate / name).is_file() for name in MANDATORY_SHAPES + RECOMMENDED_SHAPES):
            return candidate
    return None


def validate_catalog(turtle: bytes, shapes_dir: Path) -> DcatApReport:
    """Violations of the mandatory shapes and warnings of the recommended ones."""
    import rdflib
    from rdflib.namespace import SH

    data = rdflib.Graph().parse(data=turtle, format="turtle")
    report = DcatApReport()
    for names, severity in ((MANDATORY_SHAPES, "violations"), (RECOMMENDED_SHAPES, "warnings")):
        shapes = rdflib.Graph()
        for name in names:
            shapes.parse(shapes_dir / name, format="turtle")
        for shape, prop in list(shapes.subject_objects(SH.property)):
            if (prop, SH.path, None) not in shapes:
                shapes.remove((shape, SH.property, prop))
                report.dangling_shapes.append(str(prop))
        getattr(report, severity).extend(_results(data, shapes))
    return report


def _results(data: rdflib.Graph, shapes: rdflib.Graph) -> list[str]:
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    _, graph, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert isinstance(graph, rdflib.Graph)
    found = []
    for result in graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        parts = [
            str(graph.value(result, term) or "")
            for term in (SH.resultSeverity, SH.focusNode, SH.resultPath, SH.resultMessage)
        ]
        found.append(" | ".join(part.rsplit("#", 1)[-1] for part in parts))
    return sorted(found)
