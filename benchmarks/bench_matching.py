"""Matching speed and memory: per-question latency on the real and a 50x knowledge base, cold start, RSS.

Run: .venv/bin/python benchmarks/bench_matching.py [--questions N] [--slowest N]
Figures are compared within one run (the machine is noisy); nothing here asserts.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge import KnowledgeBase, load_knowledge  # noqa: E402
from bot.matching import Matcher, build_matcher  # noqa: E402

TEMPLATES = (
    "{}是什么",
    "讲话里的{}怎么理解",
    "{}指的是哪些",
    "请问{}",
    "{}具体要求是什么",
    "关于{}讲话怎么说",
)
NOISE = (
    "今天天气怎么样",
    "宫保鸡丁怎么做",
    "Python 怎么读文件",
    "第三个问题",
    "讲话开头说了什么",
    "哪几个方面",
)


def varied_questions(kb: KnowledgeBase, count: int, seed: int = 7) -> list[str]:
    """Names in templates, typo'd names, sentences of the speech, structure and off-topic questions."""
    rng = random.Random(seed)
    names = [n for e in kb.entries for n in e.names]
    sentences = [s for s in kb.speech.replace("\n", "。").split("。") if len(s) > 6]
    questions = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            questions.append(rng.choice(TEMPLATES).format(rng.choice(names)))
        elif kind == 1:
            name = list(rng.choice(names))
            name[rng.randrange(len(name))] = rng.choice("的一是有在")
            questions.append("".join(name) + "是啥")
        elif kind == 2:
            sentence = rng.choice(sentences)
            start = rng.randrange(max(1, len(sentence) - 12))
            questions.append(sentence[start : start + rng.randint(6, 24)])
        else:
            questions.append(rng.choice(NOISE))
    return questions


def enlarged(kb: KnowledgeBase, factor: int) -> KnowledgeBase:
    """The knowledge base copied `factor` times with distinct ids and names (same verbatim quotes)."""
    entries = list(kb.entries)
    for copy in range(1, factor):
        for entry in kb.entries:
            entries.append(
                dataclasses.replace(
                    entry,
                    id=f"{entry.id}-x{copy}",
                    title=f"{entry.title}{copy}号",
                    aliases=tuple(f"{a}{copy}号" for a in entry.aliases),
                    related=(),
                )
            )
    return KnowledgeBase(speech=kb.speech, entries=tuple(entries), directory=kb.directory)


def latencies(matcher: Matcher, questions: list[str]) -> list[float]:
    for question in questions[:200]:  # warm-up
        matcher.match(question)
    timings = []
    for question in questions:
        started = time.perf_counter()
        matcher.match(question)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed_command(command: list[str], stdin: bytes = b"", runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, input=stdin, capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def interleaved_ratio(
    first: list[str], second: list[str], stdin: bytes, runs: int = 9
) -> tuple[float, float, float]:
    """Medians of two commands run in turn (so both see the same noise), and the median of the per-pair ratios."""
    a, b = [], []
    for _ in range(runs):
        a.append(timed_command(first, runs=1))
        b.append(timed_command(second, stdin, runs=1))
    return (
        statistics.median(a),
        statistics.median(b),
        statistics.median(y / x for x, y in zip(a, b, strict=True)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--slowest", type=int, default=10, help="list this many slowest questions at 50x")
    args = parser.parse_args()

    kb = load_knowledge()
    questions = varied_questions(kb, args.questions)
    started = time.perf_counter()
    real = build_matcher(kb)
    build_real = time.perf_counter() - started
    real_ms = latencies(real, questions)

    big_kb = enlarged(kb, 50)
    from bot.cache import cache_dir, use_folder

    kept = cache_dir()
    with tempfile.TemporaryDirectory() as cache:  # the 50x index is built, not read from the cache
        use_folder(cache)
        started = time.perf_counter()
        big = Matcher(big_kb, real.rules)
        build_big = time.perf_counter() - started
        big_ms = latencies(big, questions)
        use_folder(kept)

    python = sys.executable
    jieba_start, ask_start, ratio = interleaved_ratio(
        [python, "-c", "import jieba; jieba.setLogLevel(60); jieba.initialize()"],
        [python, "-m", "bot", "ask", "--json", "--no-log"],
        "四明确指什么\n".encode(),
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"{len(questions)} varied questions, after 200 warm-up questions, in-process")
    print(
        f"{'knowledge base':28s} {'entries':>8s} {'build s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}"
    )
    for label, size, build, values in (
        ("real", len(kb), build_real, real_ms),
        ("enlarged 50x (synthetic)", len(big_kb), build_big, big_ms),
    ):
        print(
            f"{label:28s} {size:8d} {build:8.2f} {percentile(values, 0.5):8.3f} "
            f"{percentile(values, 0.99):8.3f} {max(values):8.2f}"
        )
    print(f"p99 growth at 50x: {percentile(big_ms, 0.99) / percentile(real_ms, 0.99):.1f}x")
    if args.slowest:
        print()
        print(f"slowest {args.slowest} at 50x (ms, question)")
        for ms, question in sorted(zip(big_ms, questions, strict=True), reverse=True)[: args.slowest]:
            print(f"{ms:8.2f}  {question}")
    print()
    print(f"{'cold start (9 pairs, in turn)':28s} {'seconds':>8s}")
    print(f"{'jieba.initialize() alone':28s} {jieba_start:8.2f}")
    print(f"{'ask: start to first answer':28s} {ask_start:8.2f}   ratio {ratio:.2f}x (median of the pairs)")
    print()
    print(f"peak RSS of this process (both matchers loaded): {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
