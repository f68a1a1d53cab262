"""How fast `ecokg ask` answers, as ratios to `ecokg --version` measured in the same run.

End to end: each question runs as a process, paired with `ecokg --version` (process start
and CLI import only) run by run (A B A B …), so that a machine whose speed drifts still
gives a meaningful ratio; the medians and the median of the pairwise ratios are printed.
The issue's budget: a median of at most 0.3 s on the bundled plan.

In process: parse + compile, i.e. entity linking, the lexicon words, the analysis and the
generated SPARQL (no query run), per question; budget 20 ms. Caches (entity index,
lexicon, the dataset copy) live in a temporary directory, warmed by one run first.

    python bench/ask_speed.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import median_seconds  # bench/timing.py (bench/ is on sys.path when run)

QUESTIONS = (
    "水利局牵头的项目一共投资多少？",
    "Which townships belong to the north-east Jinjiang zone?",
    "Who leads the forest tending project?",
    "城镇生活污水处理率2025年要达到多少？",
    "田心镇的项目由哪些部门牵头？",
    "投资最多的三个项目",
    "泗溪镇在东北部分区吗？",
    "哪些乡镇没有项目？",
)
PROCESS_BUDGET = 0.3
COMPILE_BUDGET = 0.020


def ecokg_command() -> list[str]:
    script = Path(sys.executable).with_name("ecokg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ecokg"]


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def end_to_end(repeat: int, env: dict[str, str]) -> bool:
    command = ecokg_command()
    ok = True
    print(f"{'question':58} {'ask':>8} {'version':>8} {'ratio':>6}")
    for question in QUESTIONS[:4]:
        asked, baseline, ratios = [], [], []
        for _ in range(repeat):
            a = _run([*command, "ask", question], env)
            b = _run([*command, "--version"], env)
            asked.append(a)
            baseline.append(b)
            ratios.append(a / b)
        median = statistics.median(asked)
        ok &= median <= PROCESS_BUDGET
        print(
            f"{question!r:58} {median * 1000:6.0f}ms {statistics.median(baseline) * 1000:6.0f}ms"
            f" ×{statistics.median(ratios):5.2f}"
        )
    return ok


def parse_and_compile(repeat: int) -> bool:
    from ecokg.ask.analysis import analyse
    from ecokg.ask.compile import compile_query
    from ecokg.ask.engine import Asker
    from ecokg.kb import load_dataset

    asker = Asker.create(load_dataset())
    model = asker.model
    assert model is not None
    schemes = set(model.schema.schemes.values())

    def understand(question: str) -> str:
        lang, mentions = asker._link(question)
        hits = model.lexicon.find(question, [(m.start, m.end) for m in mentions])
        analysis = analyse(question, lang, mentions, hits, model.schema, asker._resolve)
        return compile_query(analysis, schemes)

    ok = True
    print(f"\n{'parse + compile':58} {'median':>8}")
    for question in QUESTIONS:
        understand(question)  # warm: lazy imports
        seconds = median_seconds(lambda q=question: understand(q), repeat)
        ok &= seconds <= COMPILE_BUDGET
        print(f"{question!r:58} {seconds * 1000:6.2f}ms")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    cache_home = tempfile.mkdtemp(prefix="ecokg-bench-cache-")
    env = {**os.environ, "XDG_CACHE_HOME": cache_home}
    os.environ["XDG_CACHE_HOME"] = cache_home
    try:
        _run([*ecokg_command(), "ask", QUESTIONS[0]], env)  # build the caches once
        process_ok = end_to_end(args.repeat, env)
        compile_ok = parse_and_compile(args.repeat)
    finally:
        shutil.rmtree(cache_home, ignore_errors=True)
    print(f"\nprocess median <= {PROCESS_BUDGET:g} s: {'yes' if process_ok else 'NO'}")
    print(f"parse + compile <= {COMPILE_BUDGET * 1000:g} ms: {'yes' if compile_ok else 'NO'}")
    return 0 if process_ok and compile_ok else 1


if __name__ == "__main__":
    sys.exit(main())
