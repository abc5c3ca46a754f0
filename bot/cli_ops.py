"""`python -m bot doctor | backup`: is this set-up ready to run, and a safe copy of the database.

`doctor` prints one line per check, `ok`, `FAIL` or `skip`, and exits 1 when any check fails, so it serves
both a person setting the bot up and a container health check (`--offline` leaves out the call to Telegram).
The checks live in `bot.doctor`, loaded only when asked for: `ask` and `chat` start without them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.knowledge import DEFAULT_DIR
from bot.settings import environment


def register(commands: argparse._SubParsersAction) -> None:
    """Add doctor and backup to `python -m bot`."""
    doctor = commands.add_parser(
        "doctor", help="check settings, token, knowledge base, database and Telegram; exit 1 on a failure"
    )
    doctor.add_argument(
        "--offline", action="store_true", help="do not call Telegram (e.g. for a container health check)"
    )
    doctor.add_argument(
        "--timeout",
        type=_seconds,
        default=5.0,
        metavar="S",
        help="seconds to wait for Telegram (default: %(default)s)",
    )
    doctor.set_defaults(handler=cmd_doctor)

    backup = commands.add_parser(
        "backup", help="copy the database (BOT_DB) to PATH; safe while the bot is running"
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="the backup file to write")
    backup.add_argument("--overwrite", action="store_true", help="replace PATH if it exists")
    backup.set_defaults(handler=cmd_backup)


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import FAIL, diagnose, mask

    env = environment()
    token = env.get("BOT_TOKEN", "").strip()
    explicit = Path(args.knowledge) if Path(args.knowledge) != DEFAULT_DIR else None
    failed = False
    for check in diagnose(env, knowledge=explicit, offline=args.offline, timeout=args.timeout):
        print(mask(check.line(), token), flush=True)
        failed = failed or check.status == FAIL
    return 1 if failed else 0


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, TargetExistsError, backup_database
    from bot.settings import db_path_from_env

    source = db_path_from_env()
    try:
        size = backup_database(source, args.path, overwrite=args.overwrite)
    except TargetExistsError as error:
        print(f"error: {error} (--overwrite replaces it)", file=sys.stderr)
        return 1
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"backed up {source} to {args.path} ({size:,} bytes)")
    return 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 120:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 120, not {value:g}")
    return value
