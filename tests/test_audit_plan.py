"""The audit on the bundled Shanggao plan: it finds the plan's real inconsistencies, each
with the right shape and focus, and raises nothing on the figures that agree."""

from __future__ import annotations

import pytest

from ecokg import resources
from ecokg.audit import AuditReport, audit

SHP = "https://w3id.org/ecokg/shapes#"
ID = "https://w3id.org/ecokg/id/360923/"  # the bundled plan's IRI space


@pytest.fixture(scope="module")
def report() -> AuditReport:
    if not resources.plan_file().is_file():
        pytest.skip("data/plan.ttl does not exist yet")
    return audit(lang="zh")


def found(report: AuditReport, shape: str, focus: str, value: str | None = None) -> list:
    return [
        f
        for f in report.findings
        if f.shape == SHP + shape
        and f.focus == ID + focus
        and (value is None or f.value == ID + value)
    ]


REAL_INCONSISTENCIES = [
    # 非煤矿山源头治理: no investment, lead agency, schedule; missing from 表5-1 and 附表.
    ("S03-project-has-investment", "project/non-coal-mine-source-control", None),
    ("S07-project-has-lead-agency", "project/non-coal-mine-source-control", None),
    ("S05-project-has-schedule", "project/non-coal-mine-source-control", None),
    ("S70-project-in-every-register", "project/non-coal-mine-source-control", "section/table-5-1"),
    (
        "S70-project-in-every-register",
        "project/non-coal-mine-source-control",
        "section/appendix-table",
    ),
    # 17 projects (第四章第二节) vs 16 (第五章第一节), and 16 vs the 17 listed.
    ("S54-counts-agree", "statement/count-projects-ch4", "statement/count-projects-ch5"),
    ("S55-count-matches-things-listed", "statement/count-projects-ch5", None),
    # Land use: 林地 52.54 % (computes 53.28), 水利设施用地 0.23 % (1.15), areas exceed the total.
    ("S30-share-agrees-with-part-and-whole", "figure/land-forest-share", None),
    ("S30-share-agrees-with-part-and-whole", "figure/land-water-facilities-share", None),
    ("S31-breakdown-adds-up", "figure/land-use-breakdown", "figure/land-total"),
    # 2020 forest land 73632.7 vs 71781.97 hm².
    ("S34-same-quantity-agrees", "figure/land-forest", "figure/forest-land-2020"),
    # Zone 3 forest land 43.58 % of the county's: neither candidate whole agrees.
    ("S30-share-agrees-with-part-and-whole", "figure/zone-3-forest-share-of-county-forest", None),
    # Townships named but in no zone.
    ("S40-named-township-in-zone", "township/jinjiang", None),
    ("S40-named-township-in-zone", "township/jinyang", None),
    # 受污染耕地安全利用: 专栏4 names 上甘山林场, 附表 does not.
    ("S52-closed-area-lists-agree", "project/polluted-farmland-safe-use", "township/shangganshan"),
    # Segment name: 锦江大桥 vs 镜山大桥.
    ("S51-work-names-agree", "work/flood-control-to-shijing-right", None),
    # Names.
    ("S50-names-agree", "river/tangpu-he", None),
    ("S50-names-agree", "programme/forest", None),
    ("S50-names-agree", "programme/rural-land-soil", None),
    ("S50-names-agree", "programme/urban-rural-quality", None),
    ("S50-names-agree", "programme/water-wetland", None),
    ("S50-names-agree", "zone/southwest-moshan", None),
    ("S50-names-agree", "task/urban-rural", None),
    ("S50-names-agree", "project/polluted-farmland-safe-use", None),
    ("S50-names-agree", "project/urban-green-system", None),
    ("S50-names-agree", "protected-area/cuixia-forest-park", None),
    # 47.127 + 56.438 = 103.565 hm² vs the target 56.438 (no comparator).
    ("S60-baseline-plus-outputs-meets-target", "indicator/mine-restoration-area", None),
]


@pytest.mark.parametrize(("shape", "focus", "value"), REAL_INCONSISTENCIES)
def test_finds_real_inconsistency(
    report: AuditReport, shape: str, focus: str, value: str | None
) -> None:
    assert found(report, shape, focus, value), f"{shape} on {focus} not reported"


def test_findings_carry_the_figures_compared(report: AuditReport) -> None:
    (forest,) = found(report, "S30-share-agrees-with-part-and-whole", "figure/land-forest-share")
    assert "52.54" in forest.message["en"] and "53.2812" in forest.message["en"]
    assert "52.54" in forest.message["zh"] and "53.2812" in forest.message["zh"]
    (zone3,) = found(
        report,
        "S30-share-agrees-with-part-and-whole",
        "figure/zone-3-forest-share-of-county-forest",
    )
    assert "71781.97" in zone3.message["en"] and "73632.7" in zone3.message["en"]
    assert "43.3075" in zone3.message["en"] and "42.219" in zone3.message["en"]
    (target,) = found(
        report, "S60-baseline-plus-outputs-meets-target", "indicator/mine-restoration-area"
    )
    assert "103.565" in target.message["en"]
    (segment,) = found(report, "S51-work-names-agree", "work/flood-control-to-shijing-right")
    assert "锦江大桥" in segment.message["zh"] and "镜山大桥" in segment.message["zh"]
    assert "专栏2 第4项" in segment.sources and "附表 第5行" in segment.sources


def test_findings_cite_sections(report: AuditReport) -> None:
    (counts,) = found(report, "S54-counts-agree", "statement/count-projects-ch4")
    assert counts.sources == ["第四章第二节 重大工程", "第五章第一节 一、估算结果"]
    assert all(finding.sources for finding in report.findings if finding.family != "space")


AGREEING_FIGURES = [
    # Investment: project sums, subtotals, total, 亿元 text figures, shares.
    "figure/inv-prog-mine-restoration",
    "figure/inv-prog-water-wetland",
    "figure/inv-prog-forest",
    "figure/inv-prog-rural-land-soil",
    "figure/inv-prog-urban-rural-quality",
    "figure/inv-total",
    "figure/inv-total-text",
    "figure/inv-prog-water-wetland-text",
    "figure/inv-prog-forest-text",
    "figure/inv-prog-mine-restoration-text",
    "figure/inv-prog-rural-land-soil-text",
    "figure/inv-prog-urban-rural-quality-text",
    "figure/share-prog-mine-restoration",
    "figure/share-prog-water-wetland",
    "figure/share-prog-forest",
    "figure/share-prog-rural-land-soil",
    "figure/share-prog-urban-rural-quality",
    "figure/investment-share-breakdown",
    "figure/investment-programme-breakdown",
    "plan/shanggao-2021-2035",
    # Zones: shares, areas against the county.
    "figure/zone-1-share",
    "figure/zone-2-share",
    "figure/zone-3-share",
    "figure/zone-share-breakdown",
    "figure/zone-area-breakdown",
    "county/shanggao",
    "figure/zone-3-forest-share-of-zone",
    # Farmland, water loss, protected areas, species, terrain, rates, mines.
    "figure/land-cultivated",
    "figure/farmland-current",
    "figure/erosion-breakdown",
    "figure/protected-area-breakdown",
    "figure/protected-areas",
    "figure/wild-animal-breakdown",
    "figure/terrain-breakdown",
    "figure/wetland-rate",
    "figure/protected-area-share",
    "figure/licensed-mine-share",
    "figure/zone-2-mines-breakdown",
    "figure/farmland-gap-breakdown",
    "figure/land-use-share-breakdown",
    # Targets that hold: binding indicators, at-least targets, high-standard farmland.
    "indicator/forest-cover",
    "indicator/forest-stock",
    "indicator/surface-water-class-ii",
    "indicator/high-standard-farmland",
    "indicator/black-odorous-water",
    "indicator/protected-area-share",
    "indicator/wetland-protection-rate",
    "indicator/natural-forest-area",
    "indicator/mine-restoration-count",
    "figure/ind-high-standard-farmland-target",
    "figure/ind-forest-cover-target-text",
]


@pytest.mark.parametrize("figure", AGREEING_FIGURES)
def test_nothing_on_agreeing_figures(report: AuditReport, figure: str) -> None:
    iri = ID + figure
    assert [f for f in report.findings if iri in (f.focus, f.value)] == []


def test_figure_stated_in_words_needs_no_unit(report: AuditReport) -> None:
    """安全利用面积达到上级下达的任务要求: no qudt:numericValue, so no unit is required (S12)."""
    assert not found(
        report, "S12-figure-has-unit", "figure/out-polluted-farmland-safe-use-safe-use"
    )
    assert not [f for f in report.findings if f.shape == SHP + "S12-figure-has-unit"]


def test_investment_adds_up(report: AuditReport) -> None:
    """Subtotals 1078 + 108900 + 5600 + 41800 + 36200 = 193578 万元 and the shares agree."""
    assert [f for f in report.findings if f.family == "sums"] == []


def test_no_problem_is_unaddressed_and_every_shape_family_ran(report: AuditReport) -> None:
    assert not [f for f in report.findings if f.shape == SHP + "S71-problem-addressed-by-project"]
    assert report.has_violation and not report.conforms


def test_findings_sorted_and_deterministic(report: AuditReport) -> None:
    ranks = {family.key: rank for rank, family in enumerate(report.families)}
    keys = [finding.sort_key(ranks[finding.family]) for finding in report.findings]
    assert keys == sorted(keys)
    assert [f.key for f in report.families][:3] == ["structure", "sums", "shares-units"]
