"""The quiz bank's make-up: questions per type, the share of true statements, and the kinds of wrong options.

    python benchmarks/bench_quiz_bank.py [PACK_FOLDER ...]   (default: the shipped pack)

A wrong option's kind: a one-character variant of a right answer (the kind to avoid), another item of a list,
a recombined item (halves of two items), a heading, another quoted phrase or slogan of the speech, or other.
"""

from __future__ import annotations

import sys
from collections import Counter

from rapidfuzz.distance import Levenshtein

from bot.knowledge import DEFAULT_DIR, load_knowledge, resolve_pack
from bot.quiz import TRUE, TRUEFALSE, all_questions, load_lists
from bot.quiz.parse import parse


def report(folder: str) -> None:
    kb = load_knowledge(resolve_pack(folder))
    bank = all_questions(kb)
    types = Counter(q.type for q in bank)
    statements = [q for q in bank if q.type == TRUEFALSE]
    true = sum(q.answers == (TRUE,) for q in statements)
    parsed = parse(kb.speech, load_lists(kb), kb.pack.closing_marker)
    items = {i.text for lst in parsed.lists for i in lst.items}
    recombined = {r for lst in parsed.lists for r in lst.recombinations(kb.speech)}
    headings = {h.full for r in parsed.runs for h in r.headings} | {
        h.text for r in parsed.runs for h in r.headings
    }
    phrases = set(parsed.phrase_pool)
    kinds: Counter[str] = Counter()
    for question in bank:
        if question.type == TRUEFALSE:
            continue
        for i, option in enumerate(question.options):
            if i in question.correct:
                continue
            if min(Levenshtein.distance(option, a) for a in question.answers) <= 1:
                kinds["one-character variant"] += 1
            elif option in items:
                kinds["list item"] += 1
            elif option in recombined:
                kinds["recombined item"] += 1
            elif option in headings:
                kinds["heading"] += 1
            elif option in phrases:
                kinds["phrase or slogan"] += 1
            else:
                kinds["other"] += 1
    total = sum(kinds.values())
    print(f"{kb.pack.id}: {len(bank)} questions; " + ", ".join(f"{t} {n}" for t, n in sorted(types.items())))
    print(f"  true statements {true}/{len(statements)} ({true / max(len(statements), 1):.0%})")
    print("  wrong options: " + ", ".join(f"{k} {n} ({n / total:.0%})" for k, n in kinds.most_common()))


if __name__ == "__main__":
    for folder in sys.argv[1:] or [str(DEFAULT_DIR)]:
        report(folder)
