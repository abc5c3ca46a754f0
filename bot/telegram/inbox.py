"""No question lost in a crash: updates are kept in the database before Telegram is told they arrived.

PTB confirms updates to Telegram at its next getUpdates, right after queueing them in memory, while replies
leave at about 30 a second: a crash then loses everything queued. Here `DurableBot.get_updates` writes every
update it fetched to the store's inbox (committed) before returning them, so by the time the next getUpdates
confirms them they are on disk; `InboxApplication.process_update` marks an update handled once its handlers ran
(the mark is committed with the exchange it logged); at start `replay` queues what was left pending.

The same place skips what must not be looped on: an update PTB cannot read is kept as 'bad', logged once, and
the offset moves past it; an update Telegram delivers again (a restart before it was confirmed) is not new,
so it is answered once. Once the application is stopping, queued updates are left pending for the next start
instead of being answered at 30 a second while the service manager waits.
"""

from __future__ import annotations

import datetime as dtm
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.ext import Application, ExtBot

from bot.storage import Store

log = logging.getLogger(__name__)

RETRY_PENDING_AFTER_S = 120.0  # a pending update not in flight for this long is handled again
RETRY_PENDING_EVERY_S = 60.0
MAX_TRIES_PER_START = 5  # then it waits for the next start (and is logged)


def sender_of(payload: JSONDict) -> int | None:
    """The id of the person an update comes from (message.from, callback_query.from, poll_answer.user…)."""
    for value in payload.values():
        if isinstance(value, dict):
            person = value.get("from") or value.get("user")
            if isinstance(person, dict) and isinstance(person.get("id"), int):
                return int(person["id"])
    return None


class DurableBot(ExtBot[None]):
    """ExtBot whose getUpdates keeps each update in the inbox first, reads them one by one, and skips the
    ones it cannot read or has already kept."""

    __slots__ = ("_halted", "_inbox", "_kept", "_next_offset", "_on_poll_success")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # TelegramObject freezes public attributes after __init__: these are set through `attach`.
        self._inbox: Store | None = None
        self._next_offset = 0  # past every update seen, readable or not
        self._kept: set[int] = set()  # updates in the inbox, queued and not yet handled
        self._on_poll_success: Callable[[], None] | None = None
        self._halted = False

    def halt(self) -> None:
        """Poll no more (another instance polls this token): even PTB's last confirming call is skipped."""
        self._halted = True

    def attach(self, store: Store, on_poll_success: Callable[[], None] | None = None) -> None:
        """Keep updates in `store` from now on (post_init, once the store is open)."""
        self._inbox = store
        self._on_poll_success = on_poll_success

    @property
    def inbox(self) -> Store | None:
        return self._inbox

    @property
    def kept(self) -> set[int]:
        """Updates in the inbox, queued and not yet handled."""
        return self._kept

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,  # noqa: ASYNC109 (PTB's signature)
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        if self._halted:
            return ()
        offset = max(offset or 0, self._next_offset) or None
        # As Bot.get_updates: a long poll waits `timeout` on top of the usual read timeout.
        base = self._request[0].read_timeout if read_timeout is DEFAULT_NONE else read_timeout
        seconds = timeout.total_seconds() if isinstance(timeout, dtm.timedelta) else (timeout or 0)
        raw = await self._post(
            "getUpdates",
            {"timeout": timeout, "offset": offset, "limit": limit, "allowed_updates": allowed_updates},
            read_timeout=float(base or 0) + float(seconds),
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        if self._on_poll_success is not None:
            self._on_poll_success()
        return await self.read_updates(list(raw or ()))

    async def read_updates(self, raw: list[JSONDict]) -> tuple[Update, ...]:
        """Parse each update alone; keep them all in the inbox; return the readable, new ones."""
        parsed: list[tuple[int, JSONDict, Update | None, str]] = []
        for data in raw:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if not isinstance(update_id, int):
                log.error("event=update_unreadable update=? reason='no update_id' skipped=1")
                continue
            self._next_offset = max(self._next_offset, update_id + 1)
            try:
                update, problem = Update.de_json(data, self), ""
            except Exception as error:  # PTB cannot read it: kept as 'bad', one line, never looped on
                update, problem = None, str(error)[:200] or type(error).__name__
            parsed.append((update_id, data, update, problem))
        if self._inbox is None:
            new = {update_id for update_id, *_ in parsed}
        else:
            new = await self._inbox.receive_updates(
                [
                    (update_id, sender_of(data), json.dumps(data, ensure_ascii=False), update is not None)
                    for update_id, data, update, _ in parsed
                ]
            )
        fresh = []
        for update_id, _, update, problem in parsed:
            if update_id not in new:
                log.info("event=update_redelivered update=%d skipped=1", update_id)
                continue
            if update is None:
                log.error("event=update_unreadable update=%d reason=%r skipped=1", update_id, problem)
                continue
            self.insert_callback_data(update)
            if self._inbox is not None:
                self._kept.add(update_id)
            fresh.append(update)
        return tuple(fresh)


class InboxApplication(Application):  # type: ignore[type-arg]
    """Marks each update handled in the inbox once its handlers ran; leaves it pending while stopping."""

    async def stop(self) -> None:
        """Say "stopping" first, so a running broadcast sends nothing more (PTB then waits for the job)."""
        if hasattr(self.bot_data, "stopping"):
            self.bot_data.stopping = True
        await super().stop()

    async def process_update(self, update: object) -> None:
        data = self.bot_data
        store: Store | None = getattr(data, "store", None)
        bot = self.bot
        kept = isinstance(update, Update) and isinstance(bot, DurableBot) and update.update_id in bot.kept
        if kept and getattr(data, "stopping", False):
            return  # stopping: the next start answers it (it stays pending in the inbox)
        in_flight: set[int] = getattr(data, "in_flight", set())
        if isinstance(update, Update):
            in_flight.add(update.update_id)
        try:
            await super().process_update(update)
        finally:
            if isinstance(update, Update):
                in_flight.discard(update.update_id)
                if isinstance(bot, DurableBot):
                    bot.kept.discard(update.update_id)
        if not isinstance(update, Update) or store is None:
            return
        failed: set[int] = getattr(data, "failed_updates", set())
        if update.update_id in failed:  # the reply could not be delivered: handled again later
            failed.discard(update.update_id)
            return
        try:
            store.mark_handled(update.update_id)
        except RuntimeError as error:  # the store closed under us: replayed at the next start
            log.warning("update %s not marked handled: %s", update.update_id, error)


async def replay(application: Application, *, older_than_s: float = 0.0) -> int:  # type: ignore[type-arg]
    """Queue the updates kept but not handled (at start: all of them; later: those pending for a while)."""
    data = application.bot_data
    store: Store = data.store
    in_flight: set[int] = data.in_flight
    tries: dict[int, int] = data.replay_tries
    now = dtm.datetime.now(dtm.UTC)
    count = 0
    queued = application.bot.kept if isinstance(application.bot, DurableBot) else set()
    for update_id, payload, received_at in await store.pending_updates():
        if update_id in in_flight or update_id in queued:  # being handled, or waiting in the queue
            continue
        if older_than_s and (now - received_at).total_seconds() < older_than_s:
            continue
        if tries.get(update_id, 0) >= MAX_TRIES_PER_START:
            continue
        tries[update_id] = tries.get(update_id, 0) + 1
        try:
            update = Update.de_json(json.loads(payload), application.bot)
        except Exception as error:  # read once when it arrived; a newer PTB may not: skip it
            log.error("event=update_unreadable update=%d reason=%r skipped=1", update_id, str(error)[:200])
            continue
        in_flight.add(update_id)
        if isinstance(application.bot, DurableBot):
            application.bot.kept.add(update_id)
        await application.update_queue.put(update)
        count += 1
    if count:
        log.info("event=updates_replayed count=%d", count)
    return count
