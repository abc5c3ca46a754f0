"""Typed access for handlers: `context.library`, `context.store`, `context.settings` instead of dict lookups.

`BotData` is the application's `bot_data`: filled by `post_init`, emptied by `post_shutdown`, and the only
place the running bot keeps its resources (no module-level state).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.conversation import Context
from bot.library import Library
from bot.logs import user_text
from bot.matching import Match
from bot.quiz import Question
from bot.service import Answered, Service
from bot.settings import Settings
from bot.storage import Exchange, Store
from bot.study import Study
from bot.telegram.floodgate import FloodGate
from bot.telegram.html import visible_text

log = logging.getLogger(__name__)
ANSWERS_REMEMBERED = 5000  # answers (message → entry) and conversations kept in memory, the oldest forgotten


@dataclass
class BotData:
    """What the bot holds while it runs; `library` is replaced as a whole by /reload."""

    settings: Settings | None = None
    library: Service | None = None  # the default (newest) pack's service
    packs: Library | None = None  # every pack served (bot.library); a chat's choice is in chat_packs
    chat_packs: dict[int, str] = field(default_factory=dict)  # chat id → pack id (/speech), kept in the store
    store: Store | None = None
    flood: FloodGate | None = None  # messages
    tap_flood: FloodGate | None = None  # button taps, with their own allowance
    # bot.telegram.inbox: updates being handled now, those whose reply failed (handled again later), and how
    # often each pending one was queued again since start
    in_flight: set[int] = field(default_factory=set)
    failed_updates: set[int] = field(default_factory=set)
    replay_tries: dict[int, int] = field(default_factory=dict)
    telegram_unreachable: bool = False  # logged once per outage, not once per retry
    exit_code: int = 0  # 1 when the bot stopped itself (another instance polls the token)
    stopping: bool = False  # set as the application stops: the broadcast sends nothing more
    broadcasting: set[str] = field(default_factory=set)  # daily times whose broadcast is running now
    # bot.telegram.quiz: group membership as Telegram last told it, (chat, user) → (a member, when asked);
    # polls not known by id (sent with a timeout), their text, and the answers that came before it
    members: dict[tuple[int, int], tuple[bool, float]] = field(default_factory=dict)
    unknown_polls: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    orphan_answers: dict[str, list[tuple[int, tuple[int, ...]]]] = field(default_factory=dict)
    # bot.conversation: what each person in each chat was last shown (memory only, forgotten after 20 minutes
    # of silence), and which entry each of the bot's recent answers showed, for a reply to one of them
    conversations: dict[tuple[int, int], Context] = field(default_factory=dict)
    answers_sent: OrderedDict[tuple[int, int], str] = field(default_factory=OrderedDict)


def study_of(data: BotData, bank: Sequence[Question]) -> Study:
    """The quiz over the store: `bank` to draw from, each chat's own speech for its daily set, and every
    speech's questions to read answers and 错题本 cards by."""
    packs, chosen = data.packs, data.chat_packs
    settings = _required(data.settings, "settings")
    if packs is None or len(packs) < 2:
        return Study(_required(data.store, "store"), bank, settings.timezone)
    known = [q for service in packs.services.values() for q in service.questions]
    return Study(
        _required(data.store, "store"),
        bank,
        settings.timezone,
        bank_of=lambda chat_id: packs.service(chosen.get(chat_id)).questions,
        known=known,
    )


def service_of(data: BotData, chat_id: int) -> Service:
    """The service of the speech a chat studies, outside a handler (a job): the chat's choice, else the newest."""
    if data.packs is not None:
        return data.packs.service(data.chat_packs.get(chat_id))
    return _required(data.library, "library")


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives. It is made once per update, so it also times the update."""

    __slots__ = ("_started", "received_at")

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.received_at = datetime.now(UTC)
        self._started = time.perf_counter()

    @property
    def settings(self) -> Settings:
        return _required(self.bot_data.settings, "settings")

    @property
    def library(self) -> Service:
        """The service of the speech this chat studies (/speech), else the newest."""
        packs = self.bot_data.packs
        chosen = self.bot_data.chat_packs.get(self._chat_id) if self._chat_id is not None else None
        if packs is not None and chosen is not None:
            return packs.service(chosen)
        return _required(self.bot_data.library, "library")

    @property
    def store(self) -> Store:
        return _required(self.bot_data.store, "store")

    @property
    def study(self) -> Study:
        """The quiz over the store and the current question bank (cheap: made per use, so /reload just works)."""
        return study_of(self.bot_data, self.library.questions)

    def conversation(self, update: Update) -> Context | None:
        """The context a question is read in: the answer it replies to, else what this person was last shown
        in this chat (None when nothing, or when it is older than FORGET_AFTER)."""
        chat, user, message = update.effective_chat, update.effective_user, update.effective_message
        if chat is None or user is None:
            return None
        replied_to = message.reply_to_message if message is not None else None
        if replied_to is not None:
            entry_id = self.bot_data.answers_sent.get((chat.id, replied_to.message_id))
            if entry_id is not None and entry_id in self.library.kb:
                return Context(entry_id, self.library.kb[entry_id].title, self.received_at)
        return self.bot_data.conversations.get((chat.id, user.id))

    def remember(self, update: Update, context: Context | None, message_ids: list[int]) -> None:
        """Keep what was just shown to this person, and which entry the answer's messages show."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        conversations = self.bot_data.conversations
        if context is None:
            conversations.pop((chat.id, user.id), None)
        else:
            conversations[(chat.id, user.id)] = context
            sent = self.bot_data.answers_sent
            for message_id in message_ids:
                sent[(chat.id, message_id)] = context.entry_id
            while len(sent) > ANSWERS_REMEMBERED:
                sent.popitem(last=False)
        if len(conversations) > ANSWERS_REMEMBERED:  # forget the silent ones
            for key in [k for k, c in conversations.items() if not c.fresh(self.received_at)]:
                del conversations[key]

    @property
    def flood(self) -> FloodGate:
        return _required(self.bot_data.flood, "flood")

    def log_answer(self, update: object, reply: str, question: str, answered: Answered) -> None:
        """Queue a question's exchange: what was sent for it, and the service's answer (its match, entry)."""
        self.log(
            update,
            reply,
            question=question,
            match=answered.match,
            entry_id=answered.entry_id,
            answered=answered.answered,
        )

    def log(
        self,
        update: object,
        reply: str = "",
        *,
        question: str | None = None,
        match: Match | None = None,
        entry_id: str | None = None,
        answered: bool | None = None,
        status: str = "ok",
    ) -> None:
        """Queue the exchange for the store (never awaited on the reply path).

        `reply` is the HTML sent, stored as the text the person saw; a question's `match` brings its own
        plain reply and outcome. Any other request (a command, a button) is logged as `answered` when the
        bot served it, with the entry it showed; a usage line, "unknown command" or "text only" is not.
        """
        if not isinstance(update, Update) or self.bot_data.store is None:
            return
        exchange = Exchange(
            front_end="telegram",
            update_id=update.update_id,
            chat_id=update.effective_chat.id if update.effective_chat else None,
            chat_type=update.effective_chat.type if update.effective_chat else "inline",
            user_id=update.effective_user.id if update.effective_user else None,
            received_at=self.received_at,
            question=question if question is not None else update_text(update),
            normalized=match.normalized if match else "",
            answered=(match.answered if answered is None else answered)
            if match
            else (answered is not False) and status == "ok",
            entry_id=entry_id if entry_id is not None else (match.entry_id if match else None),
            score=match.score if match else (1.0 if answered is not False and status == "ok" else 0.0),
            suggestions=match.suggestions if match else (),
            reply=visible_text(reply),
            latency_ms=(time.perf_counter() - self._started) * 1000,
            status=status,
        )
        log.info(
            "event=exchange update=%s chat=%s user=%s answered=%d entry=%s status=%s ms=%.1f %s",
            exchange.update_id,
            exchange.chat_id,
            exchange.user_id,
            exchange.answered,
            exchange.entry_id or "-",
            status,
            exchange.latency_ms,
            user_text(exchange.question, self.settings.log_user_text),
        )
        try:
            self.store.log_exchange(exchange)
        except RuntimeError as error:  # the store closed under us (shutdown): the reply still went out
            log.warning("exchange %s not logged: %s", update.update_id, error)


def update_text(update: Update) -> str:
    """What the person sent, as text: the message, the button's data, or the inline query."""
    if update.callback_query:
        return f"[button] {update.callback_query.data or ''}"
    if update.inline_query:
        return update.inline_query.query
    message = update.effective_message
    if message is None:
        return ""
    if message.text is not None:
        return message.text
    return f"[{_kind_of(message)}]"


def _kind_of(message: Any) -> str:
    for kind in (
        "sticker",
        "photo",
        "voice",
        "video",
        "document",
        "audio",
        "animation",
        "location",
        "contact",
    ):
        if getattr(message, kind, None):
            return kind
    return "non-text"


def _required(value: Any, name: str) -> Any:
    if value is None:
        raise RuntimeError(f"the bot's {name} is not ready: post_init has not run")
    return value
