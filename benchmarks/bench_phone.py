"""Answers as a phone shows them: visible lines at about 18 characters a line, and button labels longer than
a phone shows (16 characters).

    python benchmarks/bench_phone.py QUESTIONS.yaml [...]   (eval-style files: a list of {q: ...})

Lines: each line of an answer's visible text takes ceil(width / 18) lines (a CJK character is one unit, an
ASCII one half); an expandable blockquote shows its first three lines until tapped. Buttons: every label the
bot can put under an answer (related entries, "did you mean" choices) or on the outline.
"""

from __future__ import annotations

import html
import math
import re
import statistics
import sys
import unicodedata
from pathlib import Path

import yaml

from bot.knowledge import DEFAULT_DIR, resolve_pack
from bot.present.html import reply_html
from bot.present.replies import offered
from bot.service import Service

LINE_UNITS = 18
LABEL_LIMIT = 16
COLLAPSED_LINES = 3
BLOCK = re.compile(r"<blockquote( expandable)?>(.*?)</blockquote>", re.S)
TAG = re.compile(r"<[^>]+>")


def width(text: str) -> float:
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def wrapped(text: str) -> int:
    return sum(max(1, math.ceil(width(line) / LINE_UNITS)) for line in text.split("\n"))


def visible_lines(message: str) -> int:
    """Lines a phone shows of one HTML message, collapsed blockquotes counted as three."""
    total = 0
    rest = message
    for found in BLOCK.finditer(message):
        inner = html.unescape(TAG.sub("", found.group(2))).strip("\n")
        lines = wrapped(inner)
        total += min(lines, COLLAPSED_LINES) if found.group(1) else lines
    rest = BLOCK.sub("", message)
    text = html.unescape(TAG.sub("", rest))
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return total + (wrapped(text) if text else 0)


def main(paths: list[str]) -> None:
    service = Service.load(resolve_pack(DEFAULT_DIR))
    questions = [
        case["q"] for path in paths for case in yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    ]
    lines = []
    labels: list[str] = []
    for question in questions:
        reply = service.ask(question).reply
        if reply.cards or reply.hits:
            lines.append(visible_lines(reply_html(reply)))
        labels += [button_label(c) for c in reply.choices]
    kb = service.kb
    for entry in kb.entries:
        labels += [button_label(c) for c in offered(kb, (entry.id,))]
    for children in service.outline.children.values():
        labels += [getattr(kb[c], "short_title", kb[c].title) for c in children]
    lines.sort()
    p90 = lines[int(0.9 * (len(lines) - 1))]
    long_labels = sum(len(label) > LABEL_LIMIT for label in labels)
    cut = sum(label.endswith("…") for label in labels)
    print(f"answers {len(lines)}: median {statistics.median(lines):.0f} visible lines, 90th percentile {p90}")
    print(f"button labels {len(labels)}: {long_labels} over {LABEL_LIMIT} characters, {cut} cut short with …")


def button_label(choice: object) -> str:
    """What the button shows: the short name where the code has one (older code: the label itself)."""
    return str(getattr(choice, "button", getattr(choice, "label", "")))


if __name__ == "__main__":
    main(sys.argv[1:])
