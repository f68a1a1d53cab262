"""Accuracy of `ecokg ask` on the question set of issue 9, per kind and split.

Asks every question of tests/data/ask/tune.json and heldout.json of one in-process Asker on
the bundled plan, scores each answer as tests/ask_scoring.py does (right / refused / wrong)
and prints the markdown table the README quotes; ``--details`` adds every question that was
not right, with the reason.

    python bench/ask_accuracy.py [--details]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list the questions not right")
    args = parser.parse_args()

    sys.path.insert(0, str(TESTS))  # the scorer is shared with the tests
    from ask_scoring import failures, load_all, run_all, table

    from ecokg.ask.engine import Asker
    from ecokg.kb import load_dataset

    asker = Asker.create(load_dataset())
    questions = load_all()
    start = time.perf_counter()
    scores = run_all(asker.ask, questions)
    seconds = time.perf_counter() - start
    print(table(scores))
    slowest = max(scores, key=lambda score: score.seconds)
    print(
        f"\n{len(questions)} questions in {seconds:.1f} s "
        f"(slowest {slowest.seconds:.2f} s: {slowest.question.id})"
    )
    if args.details:
        print("\nnot right:\n" + failures(scores))


if __name__ == "__main__":
    main()
