"""`python -m bot run`: the Telegram bot, with long polling, or behind a webhook with `--webhook-url`.

Startup problems (no token, a broken knowledge base, an unusable database, a token Telegram rejects) are one
line on stderr and a non-zero exit. Logging is `bot.logs`: one line per event, key=value or JSON, the token
masked, and httpx/httpcore (which would print each request URL, token included) at warnings only.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bot import logs
from bot.knowledge import DEFAULT_DIR, KnowledgeError
from bot.settings import Secret, Settings, SettingsError

log = logging.getLogger(__name__)


def configure_logging(settings: Settings, *hidden: Secret | None) -> None:
    """BOT_LOG_FORMAT and BOT_LOG_LEVEL, with the token and the webhook secret masked in every line."""
    logs.configure(
        kind=settings.log_format, level=settings.log_level, secrets_=(s.reveal() for s in hidden if s)
    )


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="start the Telegram bot (BOT_TOKEN required): long polling, or a webhook with --webhook-url",
    )
    run.add_argument("--webhook-url", metavar="URL", help="public HTTPS URL Telegram posts updates to")
    run.add_argument(
        "--listen", default="0.0.0.0", metavar="HOST", help="webhook address (default: %(default)s)"
    )
    run.add_argument(
        "--port", type=int, default=8443, metavar="N", help="webhook port (default: %(default)s)"
    )
    run.set_defaults(handler=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env()
        settings.require_token()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    knowledge = getattr(args, "knowledge", DEFAULT_DIR)
    if Path(knowledge) != DEFAULT_DIR:  # an explicit --knowledge wins over BOT_KNOWLEDGE
        settings = dataclasses.replace(settings, knowledge_dir=Path(knowledge))
    if args.webhook_url and not _webhooks_available():
        print('error: webhook mode needs `pip install "python-telegram-bot[webhooks]"`', file=sys.stderr)
        return 2
    secret = settings.webhook_secret or Secret(secrets.token_urlsafe(32))
    configure_logging(settings, settings.token, secret)
    from telegram.error import InvalidToken, TelegramError  # here: `ask` and `chat` never load Telegram

    from bot.instance import InstanceLock, LockError
    from bot.storage import StoreError  # here too: `ask` needs no store

    try:
        with InstanceLock(settings.db_path):
            return _run(settings, args, secret)
    except LockError as error:
        log.error("%s", error)
    except KnowledgeError as error:
        log.error("the knowledge base is broken:\n  %s", "\n  ".join(error.problems))
    except StoreError as error:
        log.error("%s", error)
    except InvalidToken:
        log.error("Telegram rejected BOT_TOKEN: check it with @BotFather")
    except TelegramError as error:
        log.error("cannot reach the Bot API at %s: %s", settings.api_base_url, error)
    return 1


def _run(settings: Settings, args: argparse.Namespace, secret: Secret) -> int:
    from bot.telegram.app import ALLOWED_UPDATES, build_application

    application = build_application(settings)
    if args.webhook_url:
        log.info("starting with a webhook at %s", args.webhook_url)
        application.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path=urlsplit(args.webhook_url).path.lstrip("/"),
            webhook_url=args.webhook_url,
            secret_token=secret.reveal(),
            allowed_updates=list(ALLOWED_UPDATES),
        )
    else:
        log.info("starting with long polling at %s", settings.api_base_url)
        application.run_polling(allowed_updates=list(ALLOWED_UPDATES))
    code: int = application.bot_data.exit_code
    log.info("stopped")
    return code


def _webhooks_available() -> bool:
    try:
        import tornado  # noqa: F401
    except ImportError:
        return False
    return True
