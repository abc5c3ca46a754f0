"""`python -m bot kb draft SPEECH.txt --out knowledge/NAME`: a working pack from a speech's text alone.

Bad input gets one line and exit 2, never a traceback: a file that is not UTF-8 (Word often saves GBK), an
empty file, an existing pack folder without --force. A text without numbered headings is drafted as one
section, with a warning in the report.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # drafting loads pypinyin: only `kb draft` pays for it, not every start of `python -m bot`
    from bot.draft.build import Draft

BAD_INPUT = 2
REPORT_REVIEW = 12  # items to review printed; the rest counted


def register_draft(kb_commands: argparse._SubParsersAction) -> None:
    draft = kb_commands.add_parser(
        "draft", help="draft a whole pack from a speech's text (review, then kb check)"
    )
    draft.add_argument("speech", type=Path, help="the speech as plain text (UTF-8, or see --encoding)")
    draft.add_argument(
        "--out", type=Path, required=True, help="the pack folder to write, e.g. knowledge/2024q3"
    )
    draft.add_argument("--title", default="", help="the meeting's name (default: read from the text)")
    draft.add_argument("--encoding", default="utf-8", help="the file's encoding, e.g. gbk (default utf-8)")
    draft.add_argument("--force", action="store_true", help="replace the folder's drafted files")
    draft.set_defaults(handler=cmd_kb_draft)


def read_speech(path: Path, encoding: str) -> str:
    """The speech's text with Windows line ends and a byte-order mark taken out; ValueError says why not."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ValueError(f"{path}: cannot read it ({error.strerror or error})") from None
    try:
        text = raw.decode(encoding)
    except LookupError:
        raise ValueError(f"{path}: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError:
        hint = (
            " (Word often saves GBK: try --encoding gbk)"
            if encoding.lower().replace("-", "") == "utf8"
            else ""
        )
        raise ValueError(f"{path}: not {encoding} text{hint}") from None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ValueError(f"{path}: a binary file, not a speech's text")
    if not text.strip():
        raise ValueError(f"{path}: the file is empty")
    return text if text.endswith("\n") else text + "\n"


def cmd_kb_draft(args: argparse.Namespace) -> int:
    from bot.draft.build import draft_pack
    from bot.draft.write import write_pack

    try:
        speech = read_speech(args.speech, args.encoding)
    except ValueError as error:
        print(f"kb draft: {error}", file=sys.stderr)
        return BAD_INPUT
    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"kb draft: {out} is a file, not a folder for the pack", file=sys.stderr)
        return BAD_INPUT
    if out.exists() and any(out.iterdir()) and not args.force:
        print(
            f"kb draft: {out} exists and is not empty (add --force to replace its drafted files)",
            file=sys.stderr,
        )
        return BAD_INPUT
    started = time.perf_counter()
    draft = draft_pack(speech, args.title)
    if args.force and (out / "entries").is_dir():
        shutil.rmtree(out / "entries")
    write_pack(draft, speech, out)
    print_report(draft, out, time.perf_counter() - started)
    problems = self_check(out)
    if problems:  # a drafter's bug, not the speech's: say so rather than leave a pack the bot cannot load
        print(
            f"kb draft: the drafted pack does not pass kb check ({len(problems)} problems):", file=sys.stderr
        )
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


def self_check(out: Path) -> list[str]:
    """What `kb check` would say of the pack just written: its problems, none when it loads and matches."""
    from bot.knowledge import KnowledgeError, load_knowledge
    from bot.matching import check_matching_files
    from bot.quiz import load_lists

    try:
        kb = load_knowledge(out)
        check_matching_files(kb)
        load_lists(kb)
    except KnowledgeError as error:
        return list(error.problems)
    return []


def print_report(draft: Draft, out: Path, seconds: float) -> None:
    kinds = draft.kinds()
    print(f"drafted {len(draft.entries)} entries into {out} in {seconds:.2f} s")
    for kind in ("section", "term", "fact"):
        print(f"  {kind:8} {kinds.get(kind, 0):4d}")
    print(f"  examples {sum(len(v) for v in draft.examples.values()):4d}")
    print(f"  quiz lists {len(draft.lists):2d}")
    print(
        f"meeting: {draft.pack.get('meeting', '?')}  date: {draft.pack.get('date', '?')}  body: {draft.pack.get('body', '?')}"
    )
    if draft.review:
        print(f"to review ({len(draft.review)}):")
        for item in draft.review[:REPORT_REVIEW]:
            print(f"  - {item}")
        if len(draft.review) > REPORT_REVIEW:
            print(f"  … and {len(draft.review) - REPORT_REVIEW} more")
    print(f"next: python -m bot --knowledge {out} kb check")
