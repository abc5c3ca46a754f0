"""A snapshot of everything the bot says about a speech, to compare before and after a restructuring.

Written as JSON lines, sorted: every match result (outcome, entry ids, score to 4 places, suggestions, the
plain reply) for the example questions, the bench's varied questions and any question files given; the quiz
bank (ids and JSON); the plain and Telegram-HTML render of every entry. Two snapshots are compared with
`diff` (or `--compare OLD NEW`, which prints how many lines of each kind differ).

Run: .venv/bin/python benchmarks/snapshot.py --out /tmp/before.jsonl [--knowledge DIR] [--questions FILE.yaml]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def questions_from(path: Path) -> list[str]:
    """Questions of an evaluation-style YAML file (a list of mappings with `question`), or one per line."""
    import yaml

    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        data = yaml.safe_load(text)
        items = data.get("questions", data) if isinstance(data, dict) else data
        return [str(item["question"]) for item in items if isinstance(item, dict) and "question" in item]
    return [line.strip() for line in text.splitlines() if line.strip()]


def snapshot(knowledge: Path | None, extra: list[Path]) -> list[str]:
    from bench_matching import varied_questions

    from bot.knowledge import load_knowledge
    from bot.matching import build_matcher, load_examples
    from bot.present.plain import plain
    from bot.present.replies import match_reply
    from bot.quiz import all_questions
    from bot.render import entry_text
    from bot.telegram.html import entry_html

    kb = load_knowledge(knowledge) if knowledge else load_knowledge()
    matcher = build_matcher(kb)
    examples = load_examples(Path(kb.directory) / "examples.yaml", kb)
    asked = [q for qs in examples.values() for q in qs] + varied_questions(kb, 1500)
    for path in extra:
        asked += questions_from(path)
    lines = []
    for question in dict.fromkeys(asked):
        m = matcher.match(question)
        record = {
            "question": question,
            "outcome": m.outcome,
            "entries": list(m.entry_ids),
            "score": round(m.score, 4),
            "suggestions": list(m.suggestions),
            "text": plain(match_reply(m, kb)),
        }
        lines.append("match " + json.dumps(record, ensure_ascii=False, sort_keys=True))
    for question in all_questions(kb):
        lines.append("quiz " + json.dumps(question.as_dict(), ensure_ascii=False, sort_keys=True))
    for entry in kb.entries:
        lines.append("plain " + json.dumps([entry.id, entry_text(entry, kb)], ensure_ascii=False))
        lines.append("html " + json.dumps([entry.id, entry_html(entry, kb)], ensure_ascii=False))
    return sorted(lines)


def compare(old: Path, new: Path) -> int:
    before = set(old.read_text(encoding="utf-8").splitlines())
    after = set(new.read_text(encoding="utf-8").splitlines())
    gone = Counter(line.split(" ", 1)[0] for line in before - after)
    added = Counter(line.split(" ", 1)[0] for line in after - before)
    for kind in ("match", "quiz", "plain", "html"):
        total = sum(1 for line in before if line.startswith(kind + " "))
        print(f"{kind:6} {gone[kind]:5d} lines changed of {total}")
    return 0 if not gone and not added else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--knowledge", type=Path)
    parser.add_argument("--questions", type=Path, action="append", default=[])
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("OLD", "NEW"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    lines = snapshot(args.knowledge, args.questions)
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(lines)} lines → {args.out}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
