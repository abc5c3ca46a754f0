"""`kb draft` measured: time to draft each speech, entries per kind, and for the shipped speech the share of the
hand-built pack's sections, lists and slogans that the draft finds.

    python benchmarks/bench_draft.py [SPEECH.txt ...]
    python benchmarks/bench_draft.py --banks PACK_FOLDER ...   (each drafted pack's quiz bank)

A hand-built section is found when a drafted section starts at the same place (its first quote stands at the
same offset, or a drafted title stands in its title or first quote); a hand-built list when a drafted entry's
answer gives all its items as numbered lines; a slogan (a hand-built term named in “…”) when a drafted term has that name.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from bot.draft.build import draft_pack
from bot.knowledge import DEFAULT_DIR, load_knowledge, resolve_pack
from bot.quiz.lists import load_lists, parse_lists

REPEAT = 5


def timed(speech: str) -> tuple[float, object]:
    best, draft = float("inf"), None
    for _ in range(REPEAT):
        started = time.perf_counter()
        draft = draft_pack(speech)
        best = min(best, time.perf_counter() - started)
    return best, draft


def main() -> None:
    hand = load_knowledge(resolve_pack(DEFAULT_DIR))
    speeches = [Path(p) for p in sys.argv[1:]] or [hand.directory / "speech.txt"]
    for path in speeches:
        speech = path.read_text(encoding="utf-8")
        seconds, draft = timed(speech)
        kinds = draft.kinds()
        print(
            f"{path}: {len(speech):,} characters drafted in {seconds * 1000:.0f} ms (best of {REPEAT}); "
            f"{len(draft.entries)} entries: {dict(kinds)}; {len(draft.lists)} quiz lists; "
            f"{sum(len(v) for v in draft.examples.values())} examples; {len(draft.review)} items to review"
        )
    speech = hand.speech
    _, draft = timed(speech)
    starts = {speech.find(e["quotes"][0]) for e in draft.entries if e["kind"] == "section"}
    titles = {e["title"] for e in draft.entries if e["kind"] == "section"}
    sections = [e for e in hand.entries if e.kind == "section"]

    def same_place(e) -> bool:
        return speech.find(e.quotes[0]) in starts or any(t in e.title or t in e.quotes[0] for t in titles)

    found = [e for e in sections if same_place(e)]
    print(
        f"sections: {len(found)}/{len(sections)} of the hand-built pack's found ({len(found) / len(sections):.0%})"
    )
    print("  missed:", ", ".join(e.id for e in sections if e not in found) or "none")
    lists = parse_lists(load_lists(hand).lists, speech)
    numbered = [
        [line for line in e["answer"].splitlines() if re.match(r"\d+\. ", line)] for e in draft.entries
    ]  # the lists the drafted answers give, one numbered line per item
    listed = [
        found_list
        for found_list in lists
        if any(
            len(lines) >= len(found_list.items)
            and all(any(i.text in x for x in lines) for i in found_list.items)
            for lines in numbered
        )
    ]
    print(f"lists: {len(listed)}/{len(lists)} found ({len(listed) / len(lists):.0%})")
    print(
        "  missed:",
        ", ".join(found_list.spec.id for found_list in lists if found_list not in listed) or "none",
    )
    slogans = {
        m for e in hand.entries if e.kind == "term" for n in e.names for m in re.findall(r"“([^”]{2,16})”", n)
    }
    drafted = {
        n.strip("“”")
        for e in draft.entries
        if e["kind"] == "term"
        for n in [e["title"], *e.get("aliases", [])]
    }
    hit = slogans & drafted
    print(
        f"slogans: {len(hit)}/{len(slogans)} of the hand-built pack's quoted names found ({len(hit) / len(slogans):.0%})"
    )
    marked = {e.title.strip("“”") for e in hand.entries if e.mention_only}
    drafted_marked = {e["title"].strip("“”《》") for e in draft.entries if e.get("mention_only")}
    print(f"mention_only: {len(marked & drafted_marked)}/{len(marked)} of the hand-built marks also drafted")


def quiz_banks(folders: list[Path]) -> None:
    """Each drafted pack's quiz bank: its size by type, and the generated questions its own checks dropped."""
    from collections import Counter

    from bot.quiz.bank import GENERATORS, EntryIndex, finish
    from bot.quiz.lists import load_lists
    from bot.quiz.parse import parse
    from bot.service import Service

    for folder in folders:
        service = Service.load(folder)
        kb = service.kb
        bank = service.questions
        parsed = parse(kb.speech, load_lists(kb), kb.pack.closing_marker)
        index = EntryIndex.build(kb)
        drafts = [d for generate in GENERATORS for d in generate(parsed)]
        dropped = sum(1 for d in drafts if finish(d, index, kb.speech) is None)
        kinds = Counter(q.type for q in bank)
        print(
            f"{folder.name}: quiz bank {len(bank)} questions {dict(kinds)}; {dropped} of {len(drafts)} generated dropped by the checks"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--banks"]:
        quiz_banks([Path(p) for p in sys.argv[2:]])
    else:
        main()
