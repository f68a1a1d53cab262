"""Text normalisation shared by entity linking and intent matching.

A text is cut into *units*: one unit per Chinese character (or other single word
character such as Ⅱ) and one unit per run of latin letters and digits. Units are
NFKC-normalised and case-folded, and each keeps the character offsets it came from in the
original text, so a match on units maps back to a span of the question.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_UNIT = re.compile(r"[a-z0-9]+|[^\W_]")


class Unit(NamedTuple):
    """One unit of a text and where it is in the original string."""

    text: str
    start: int
    end: int

    @property
    def is_latin(self) -> bool:
        return self.text.isascii()


# An IRI or CURIE typed in a question: <…>, http(s)://… (up to a space or CJK text),
# or prefix:local with a known prefix (tw:sixi).
IRI_TEXT = re.compile(
    r"<(?P<bracketed>https?://[^<>\s]+)>"
    r"|(?P<full>https?://[^\s<>\"'\u2e80-\uffff]+)"
    r"|(?<![\w:/])(?P<curie>[a-z][a-z0-9]*:[a-z0-9][a-z0-9_.-]*(?:/[a-z0-9_.-]+)*)",
    re.IGNORECASE,
)


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def question_language(text: str) -> str:
    """'zh' or 'en': the language most of the question is written in. A Chinese character
    weighs as three Latin letters, so that "Which projects are in 泗溪镇?" is English and
    "泗溪镇有哪些project" Chinese. IRIs and CURIEs typed in it (tw:sixi) are no language."""
    text = IRI_TEXT.sub(" ", text)
    chinese = len(_CJK.findall(text))
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    return "zh" if chinese and chinese * 3 >= latin else "en"


def units(text: str) -> list[Unit]:
    """The units of ``text`` with their offsets in ``text``."""
    normalized: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).casefold()
        normalized.append(folded)
        offsets.extend([index] * len(folded))
    flat = "".join(normalized)
    return [
        Unit(match.group(), offsets[match.start()], offsets[match.end() - 1] + 1)
        for match in _UNIT.finditer(flat)
    ]


def key(text: str) -> str:
    """The matching key of a name: its units joined without separators.

    ``"Sixi Town"`` → ``"sixitown"``, ``"泗溪镇"`` → ``"泗溪镇"``, ``"Zone 1"`` → ``"zone1"``.
    """
    return "".join(unit.text for unit in units(text))


def latin_words(text: str) -> list[str]:
    """The latin words (letter/digit runs) of a text, case-folded."""
    return [unit.text for unit in units(text) if unit.is_latin]
