"""The sheets of the monitoring workbook: their columns, titled in Chinese and English.

A column is found by its title (``监测值 value``, or either half alone), so a bureau may
reorder columns or drop the informational ones; the kind of a sheet (or of a CSV file) is
recognised by its first column.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    filled: bool = False  # a column the bureau fills in (the others are the plan's, for reference)
    width: int = 14

    @property
    def title(self) -> str:
        return f"{self.zh} {self.en}"

    def matches(self, header: str) -> bool:
        text = " ".join(str(header).split()).casefold()
        return text in {self.title.casefold(), self.zh.casefold(), self.en.casefold()}


@dataclass(frozen=True)
class Sheet:
    key: str
    zh: str
    en: str
    columns: tuple[Column, ...]

    @property
    def title(self) -> str:
        return f"{self.zh} {self.en}"

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


_COMMON = (
    Column("source", "数据来源", "source document", True, 24),
    Column("reporter", "填报单位", "reported by", True, 14),
    Column("note", "备注", "note", True, 20),
    Column("revision", "修订", "revision", True, 8),
)

INDICATORS = Sheet(
    "indicators",
    "指标监测",
    "indicators",
    (
        Column("indicator", "指标", "indicator", width=36),
        Column("nature", "属性", "nature", width=8),
        Column("unit", "单位", "unit", width=10),
        Column("baseline", "基期值", "baseline", width=10),
        Column("target", "目标值", "target", width=14),
        Column("year", "年份", "year", True, 8),
        Column("value", "监测值", "value", True, 10),
        Column("date", "监测日期", "date", True, 12),
        *_COMMON,
    ),
)
PROJECTS = Sheet(
    "projects",
    "项目进展",
    "projects",
    (
        Column("project", "子项目", "project", width=30),
        Column("programme", "重大工程", "programme", width=30),
        Column("agency", "牵头单位", "lead agency", width=16),
        Column("schedule", "建设时序", "schedule", width=11),
        Column("estimate", "投资估算（万元）", "estimate (10k yuan)", width=12),
        Column("year", "年份", "year", True, 8),
        Column("status", "状态", "status", True, 10),
        Column("start", "开工日期", "start date", True, 12),
        Column("completion", "完工日期", "completion date", True, 12),
        Column("channel", "资金渠道", "funding channel", True, 16),
        Column("allocated", "下达资金（万元）", "allocated (10k yuan)", True, 12),
        Column("spent", "已支出（万元）", "spent (10k yuan)", True, 12),
        *_COMMON,
    ),
)
OUTPUTS = Sheet(
    "outputs",
    "产出完成",
    "outputs",
    (
        Column("project", "子项目", "project", width=30),
        Column("output", "规划产出", "planned output", width=30),
        Column("unit", "单位", "unit", width=10),
        Column("planned", "规划值", "planned", width=10),
        Column("year", "年份", "year", True, 8),
        Column("delivered", "累计完成", "delivered so far", True, 12),
        *_COMMON,
    ),
)
SHEETS = (INDICATORS, PROJECTS, OUTPUTS)

# Words that mark a row as a revision of an earlier one for the same year.
YES = frozenset({"是", "修订", "y", "yes", "true", "1", "x", "✓"})
