"""`python -m bot stats | unanswered | export | report | forget`: what the log says, and deleting a person's data.

Every command opens the database named by BOT_DB (default ./data/bot.sqlite3). A database that cannot be
used is one line on stderr and exit code 2. They are safe to run while the bot is running (SQLite WAL);
exchanges the bot still holds in its queue (at most a fraction of a second) are not seen yet. What people
wrote never reaches the terminal raw: control and bidi characters are printed as escapes (`bot.terminal`),
in JSON as JSON escapes (`\u001b`), which keep the text exact; only `export -o FILE` writes CSV cells as stored.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.terminal import json_text, printable

if TYPE_CHECKING:  # the store (aiosqlite, asyncio) loads only for these commands: `ask` starts without it
    from bot.storage import Store

# Excel runs a cell that starts with one of these as a formula; such text cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FREE_TEXT_COLUMNS = frozenset({"question", "normalized", "reply", "chat_type", "entry_id"})


def register(commands: argparse._SubParsersAction) -> None:
    """Add stats, unanswered, export and forget to `python -m bot`."""
    stats = commands.add_parser("stats", help="exchanges, users, answered rate, top entries, busiest hours")
    stats.add_argument("--json", action="store_true", help="print JSON instead of a table")
    stats.add_argument("--days", type=_positive_int, metavar="N", help="only the last N days (default: all)")
    stats.add_argument(
        "--tz", type=_time_zone, default=UTC, metavar="ZONE", help="for hours, e.g. Asia/Shanghai"
    )
    stats.set_defaults(handler=cmd_stats)

    unanswered = commands.add_parser(
        "unanswered", help="the questions the bot declines or answers weakly, most frequent first"
    )
    unanswered.add_argument(
        "--limit", type=_positive_int, default=30, metavar="N", help="default: %(default)s"
    )
    unanswered.add_argument(
        "--below",
        type=float,
        default=0.9,
        metavar="SCORE",
        help="count answers scored under this (default: 0.9)",
    )
    unanswered.add_argument("--json", action="store_true", help="print JSON instead of a table")
    unanswered.set_defaults(handler=cmd_unanswered)

    export = commands.add_parser("export", help="the whole log as CSV (opens in Excel) or JSON lines")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default: %(default)s")
    export.add_argument(
        "--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="from this UTC date on"
    )
    export.add_argument("--no-bom", action="store_true", help="CSV without the byte-order mark Excel needs")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    export.set_defaults(handler=cmd_export)

    report = commands.add_parser(
        "report", help="the organiser's ledger (学习台账) of the groups as an .xlsx workbook"
    )
    report.add_argument("--xlsx", type=Path, required=True, metavar="PATH", help="the workbook to write")
    report.add_argument("--chat", type=int, metavar="ID", help="one group (its chat id) instead of all")
    report.add_argument(
        "--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="from this local date on"
    )
    report.add_argument(
        "--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="up to this local date"
    )
    report.set_defaults(handler=cmd_report)

    forget = commands.add_parser("forget", help="delete everything stored about one person")
    forget.add_argument("user_id", type=int, metavar="USER_ID", help="their Telegram user id")
    forget.set_defaults(handler=cmd_forget)


def cmd_stats(args: argparse.Namespace) -> int:
    return _with_store(lambda store: _stats(store, args))


def cmd_unanswered(args: argparse.Namespace) -> int:
    return _with_store(lambda store: _unanswered(store, args))


def cmd_export(args: argparse.Namespace) -> int:
    return _with_store(lambda store: _export(store, args))


def cmd_report(args: argparse.Namespace) -> int:
    """The ledger, with every pack of the knowledge folder (to name each question's speech and part)."""
    from bot.knowledge import KnowledgeError, load_knowledge, packs_newest_first
    from bot.service import Service
    from bot.settings import timezone_from_env

    if args.xlsx.is_dir() or not args.xlsx.parent.is_dir():
        print(f"cannot write {args.xlsx}: not a file in an existing folder", file=sys.stderr)
        return 2
    try:
        folders = packs_newest_first(args.knowledge) or [Path(args.knowledge)]
        services = [Service.of(load_knowledge(folder)) for folder in folders]  # the banks, no matcher
    except KnowledgeError as error:  # a broken pack: its problems, one line
        print(f"cannot read the knowledge base: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    return _with_store(lambda store: _report(store, args, services, timezone_from_env()))


async def _report(store: Store, args: argparse.Namespace, services: list[Any], zone: tzinfo) -> int:
    import time

    from bot.ledger import build_ledger, write_xlsx

    started = time.perf_counter()
    ledger = await build_ledger(store, services, zone, chat_id=args.chat, since=args.since, until=args.until)
    write_xlsx(ledger, str(args.xlsx))
    print(
        f"wrote {args.xlsx}: {len(ledger.members)} member rows, {len(ledger.rounds)} rounds, "
        f"{len(ledger.parts)} parts ({args.xlsx.stat().st_size:,} bytes, {time.perf_counter() - started:.1f} s)"
    )
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    return _with_store(lambda store: _forget(store, args))


def _with_store(job: Callable[[Store], Awaitable[int]]) -> int:
    """Run one job against the BOT_DB store; a store that cannot be used is one line and exit code 2."""
    import asyncio

    from bot.settings import db_path_from_env
    from bot.storage import Store, StoreError

    async def run() -> int:
        async with Store(db_path_from_env()) as store:
            return await job(store)

    try:
        return asyncio.run(run())
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


async def _stats(store: Store, args: argparse.Namespace) -> int:
    stats = await store.stats(args.days, tz=args.tz)
    if args.json:
        print(json_text(stats, indent=2))
        return 0
    period = f"last {args.days} days" if args.days else "all time"
    from bot.settings import db_path_from_env

    print(f"{period}, {db_path_from_env()}")
    print(f"  exchanges  {stats['exchanges']:>8,}")
    print(f"  users      {stats['users']:>8,}")
    print(f"  answered   {stats['answered']:>8,}   {stats['answered_rate']:.1%} of answered + declined")
    print(f"  declined   {stats['declined']:>8,}")
    print(f"  dropped    {stats['dropped']:>8,}   (flood control)")
    print(f"  errors     {stats['errors']:>8,}")
    if stats["top_entries"]:
        print("top entries")
        for entry_id, count in stats["top_entries"]:
            print(f"  {count:>8,}  {printable(str(entry_id))}")
    if stats["busiest_hours"]:
        print(f"busiest hours ({args.tz})")
        for hour, count in stats["busiest_hours"][:5]:
            print(f"  {count:>8,}  {hour:02d}:00–{hour:02d}:59")
    return 0


async def _unanswered(store: Store, args: argparse.Namespace) -> int:
    groups = await store.unanswered(args.limit, below=args.below)
    if args.json:
        print(json_text(groups, indent=2))
        return 0
    if not groups:
        print("no declined or weakly answered questions logged")
        return 0
    print(f"{'asked':>6} {'declined':>8}  {'last seen':10}  question (normalised; latest wording)")
    for group in groups:
        wording = "" if group["question"] == group["normalized"] else f"   « {_one_line(group['question'])} »"
        print(
            f"{group['count']:>6} {group['declined']:>8}  {group['last_seen'][:10]}  "
            f"{_one_line(group['normalized'])}{wording}"
        )
    return 0


async def _export(store: Store, args: argparse.Namespace) -> int:
    from bot.storage import EXCHANGE_COLUMNS

    bom = args.format == "csv" and not args.no_bom
    out = _open_output(args.output, bom=bom)
    on_terminal = args.output is None  # stdout may be one: its cells are printable; a file gets them exact
    try:
        if args.format == "csv":
            writer = csv.writer(out)  # default dialect: quoted as needed, CRLF rows, as Excel expects
            writer.writerow(EXCHANGE_COLUMNS)
            async for record in store.iter_exchanges(args.since):
                writer.writerow(
                    _csv_cell(column, record[column], on_terminal=on_terminal) for column in EXCHANGE_COLUMNS
                )
        else:
            async for record in store.iter_exchanges(args.since):
                out.write(json_text(record) + "\n")
        out.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped listening: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    finally:
        if args.output is None:
            out.detach()  # leave sys.stdout open
        else:
            out.close()
    return 0


async def _forget(store: Store, args: argparse.Namespace) -> int:
    deleted = await store.forget_user(args.user_id)
    if deleted:
        print(f"deleted {deleted} rows about user {args.user_id}")
    else:
        print(f"nothing stored about user {args.user_id}")
    return 0


def _open_output(path: Path | None, *, bom: bool) -> TextIO:
    """A UTF-8 text stream (with a BOM when asked) that leaves newlines alone, for the csv module."""
    encoding = "utf-8-sig" if bom else "utf-8"
    if path is None:
        sys.stdout.flush()
        return io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
    return path.open("w", encoding=encoding, newline="")


def _csv_cell(column: str, value: Any, *, on_terminal: bool = False) -> Any:
    if value is None:
        return ""
    if column == "answered":
        return int(value)
    if column == "suggestions":
        value = " ".join(value)
    if on_terminal and isinstance(value, str):
        value = printable(value, keep="\n\t")  # a CSV cell may hold lines; CSV quotes them
    if column in FREE_TEXT_COLUMNS and isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _one_line(text: str, width: int = 60) -> str:
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _time_zone(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone {name!r} (try Asia/Shanghai or UTC)") from None
