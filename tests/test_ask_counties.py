"""``ecokg ask`` on a store of several plans: a question naming a county is asked of that
county's plan, comparisons between counties come from the comparison queries, anything else
is refused (it would be every county's); with --plan, that plan alone. The questions and
their answers (tests/data/ask/counties.json) were computed by hand from the province
generator's rules; the store: the bundled plan and synthetic counties 1 and 2, monitoring
data for the bundled plan and county 2 (tests/plan_stores.py)."""

from __future__ import annotations

import pytest
from ask_scoring import QUESTIONS_DIR, RIGHT, failures, load_file, run_all
from plan_stores import plans_dataset

from ecokg.ask.engine import Asker
from ecokg.ask.plans import ask_in_scope
from ecokg.errors import UsageError
from ecokg.stores.base import Store
from ecokg.stores.local import Dataset

QUESTIONS = load_file(QUESTIONS_DIR / "counties.json", "counties")


@pytest.fixture(scope="module")
def province() -> Dataset:
    return plans_dataset([1, 2], monitored=[None, 2])


def make_asker(store: Store) -> Asker:
    return Asker.create(store, use_cache=False)


def test_every_county_question_is_answered_right(province: Dataset) -> None:
    scores = run_all(lambda text: ask_in_scope(province, text, None, make_asker), QUESTIONS)
    assert all(score.verdict == RIGHT for score in scores), failures(scores)


def test_plan_scopes_a_question_that_names_no_county(province: Dataset) -> None:
    answer = ask_in_scope(province, "泗溪镇有哪些项目？", "样1县", make_asker)
    items = answer.to_json()["answer"]["items"]
    assert items and all("/361002/" in item["iri"] for item in items)


def test_an_unknown_plan_is_refused(province: Dataset) -> None:
    with pytest.raises(UsageError, match="did you mean"):
        ask_in_scope(province, "泗溪镇有哪些项目？", "Sampel1", make_asker)
