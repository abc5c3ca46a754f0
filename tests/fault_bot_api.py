"""A fake Telegram Bot API that can be told to misbehave, for measuring delivery from outside the bot.

`FaultyBotApiServer` puts `tests.fake_bot_api.FakeTelegram` (Telegram's answers and checks) behind aiohttp on
127.0.0.1, and adds what a real Bot API does to a bot on a bad day:

* fault windows on chosen methods (names or fnmatch patterns such as "send*"), each for the next N seconds:
  `fail` answers HTTP 500 (or another 5xx) with Telegram's error JSON, nothing delivered; `drop` closes the
  connection without an answer, before processing, nothing delivered; `slow` processes and records the call as
  delivered first, then holds the answer back (a client that times out has nevertheless sent the message);
* an update queue kept as Telegram keeps it: an update stays until a getUpdates with a higher `offset` confirms
  it, so what a bot fetched but never confirmed (it was killed) is handed out again to the next getUpdates;
  `deleteWebhook` with drop_pending_updates confirms everything, as Telegram does;
* conflicts: "takeover" (the default, as Telegram does it): a getUpdates that arrives while another is still
  waiting ends the older one with 409 "Conflict: terminated by other getUpdates request; …"; "always": every
  getUpdates answers that 409; "off": polls never conflict;
* every request recorded as a `Record`: method, params, which client (see below), arrival time, status,
  outcome ("delivered", "refused", "failed", "dropped", "polled", "conflict", "unauthorized"), the update ids a
  getUpdates returned, and when the answer left.

Clients are told apart by the URL: besides `/bot<token>/<method>` the server answers `/<label>/bot<token>/…`,
so TELEGRAM_API_BASE_URL=`http://127.0.0.1:<port>/run2/bot` labels every call of that bot process "run2"
(without a label, the client is its peer address).

`FaultBotApiProcess` runs the server in a process of its own (spawn context), so arrival times are stamped as
Telegram would stamp them whatever the test process is doing, and drives it through a pipe: fail, drop, slow,
clear_faults, push, push_many, conflict, calls, delivered, count, updates. Times are `time.monotonic()`, which
on Linux is one clock for every process.
"""

from __future__ import annotations

import asyncio
import fnmatch
import http
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_bot_api import TOKEN, FakeTelegram, _read_params

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
CONFLICT_MODES = ("off", "takeover", "always")


@dataclass
class Record:
    """One request as the server saw it."""

    method: str
    params: dict[str, Any]
    client: str
    at: float  # time.monotonic() when the request arrived
    wall: float  # time.time() when it arrived
    status: int | None = None  # HTTP status answered; None while pending, and for a dropped connection
    outcome: str = "pending"
    answered_at: float | None = None  # time.monotonic() when the answer left (None: dropped or pending)
    update_ids: tuple[int, ...] = ()  # getUpdates: the updates it returned
    delayed: float = 0.0  # a slow window held the answer back this long
    description: str = ""  # the error Telegram gave, if any

    @property
    def chat_id(self) -> int | None:
        try:
            return int(self.params.get("chat_id"))
        except (TypeError, ValueError):
            return None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or self.params.get("question") or "")

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"


@dataclass
class Fault:
    kind: str  # "fail", "drop" or "slow"
    patterns: tuple[str, ...]
    start: float
    until: float
    status: int = 500
    delay: float = 0.0

    def applies(self, method: str, now: float) -> bool:
        return self.start <= now < self.until and any(fnmatch.fnmatchcase(method, p) for p in self.patterns)


@dataclass
class _Poll:
    client: str
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    terminated: bool = False


def _patterns(methods: str | Iterable[str]) -> tuple[str, ...]:
    return (methods,) if isinstance(methods, str) else tuple(methods)


def _error(status: int, description: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error_code": status, "description": description, **extra}


class FaultyBotApiServer:
    """The FakeTelegram over HTTP at http://127.0.0.1:<port>/[<label>/]bot<token>/<method>, with faults."""

    def __init__(
        self,
        telegram: FakeTelegram | None = None,
        *,
        poll_wait_max: float = 1.0,
        conflict: str | bool = "takeover",
    ) -> None:
        self.telegram = telegram or FakeTelegram()
        self.poll_wait_max = poll_wait_max  # long polls are cut short so a stopping bot never waits long
        self.records: list[Record] = []
        self.faults: list[Fault] = []
        self.pending: list[dict[str, Any]] = []  # updates not confirmed yet, by update_id
        self.confirmed: set[int] = set()
        self.handed_out: dict[int, int] = {}  # update_id → times a getUpdates returned it
        self.next_update_id = 1
        self.conflict_mode = "takeover"
        self.conflict(conflict)
        self._polls: list[_Poll] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- life cycle ----------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def url_for(self, label: str) -> str:
        return f"http://127.0.0.1:{self.port}/{label}/bot"

    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        for path in ("/bot{token}/{method}", "/{label}/bot{token}/{method}"):
            app.router.add_route("POST", path, self._handle)
            app.router.add_route("GET", path, self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for poll in self._polls:
            poll.wake.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what a test tells it --------------------------------------------------------------------------------

    def fail(self, methods: str | Iterable[str], seconds: float, status: int = 500) -> None:
        """For the next `seconds`, these methods answer `status` (a 5xx) with Telegram's error JSON."""
        now = time.monotonic()
        self.faults.append(Fault("fail", _patterns(methods), now, now + seconds, status=status))

    def drop(self, methods: str | Iterable[str], seconds: float) -> None:
        """For the next `seconds`, these methods get their connection closed without an answer, unprocessed."""
        now = time.monotonic()
        self.faults.append(Fault("drop", _patterns(methods), now, now + seconds))

    def slow(self, methods: str | Iterable[str], seconds_delay: float, for_seconds: float) -> None:
        """For the next `for_seconds`, these methods are processed (delivered) at once, answered `seconds_delay` late."""
        now = time.monotonic()
        self.faults.append(Fault("slow", _patterns(methods), now, now + for_seconds, delay=seconds_delay))

    def clear_faults(self) -> None:
        self.faults.clear()

    def conflict(self, mode: str | bool) -> None:
        """True or "always": every getUpdates answers 409; "takeover": a newer poll ends an older one with 409
        (Telegram's way, the default); False or "off": no conflicts."""
        mode = {True: "always", False: "off"}.get(mode, mode) if isinstance(mode, bool) else mode
        if mode not in CONFLICT_MODES:
            raise ValueError(f"conflict mode must be one of {CONFLICT_MODES}, not {mode!r}")
        self.conflict_mode = mode

    def push(self, update: dict[str, Any]) -> int:
        """Queue one update (a dict such as {"message": message(...)}; "update_id" given or assigned)."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self.next_update_id
        update_id = int(update["update_id"])
        self.next_update_id = max(self.next_update_id, update_id + 1)
        payload = next((v for k, v in update.items() if k != "update_id"), None)
        chat = payload.get("chat") if isinstance(payload, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int) and isinstance(chat.get("type"), str):
            self.telegram.chat_types[chat["id"]] = chat["type"]
        self.pending.append(update)
        self.pending.sort(key=lambda u: int(u["update_id"]))
        for poll in self._polls:
            poll.wake.set()
        return update_id

    def push_many(self, updates: Iterable[dict[str, Any]]) -> list[int]:
        return [self.push(update) for update in updates]

    # -- what it saw ---------------------------------------------------------------------------------------

    def calls(
        self,
        method: str | None = None,
        *,
        client: str | None = None,
        outcome: str | None = None,
        since: float | None = None,
        chat_id: int | None = None,
    ) -> list[Record]:
        """The recorded requests, in order of arrival, optionally only some (method may be a pattern)."""
        return [
            r
            for r in self.records
            if (method is None or fnmatch.fnmatchcase(r.method, method))
            and (client is None or r.client == client)
            and (outcome is None or r.outcome == outcome)
            and (since is None or r.at >= since)
            and (chat_id is None or r.chat_id == chat_id)
        ]

    def delivered(self, method: str | None = None, **filters: Any) -> list[Record]:
        """Only the calls Telegram carried out (answered 200, slow ones included): not failed, dropped, refused."""
        return self.calls(method, outcome="delivered", **filters)

    def count(self, method: str | None = None, **filters: Any) -> int:
        return len(self.calls(method, **filters))

    def per_chat(self, method: str | None = None, **filters: Any) -> dict[int, int]:
        """How many of the matching calls went to each chat (a cheap progress figure for a waiting test)."""
        counts: dict[int, int] = {}
        for record in self.calls(method, **filters):
            if record.chat_id is not None:
                counts[record.chat_id] = counts.get(record.chat_id, 0) + 1
        return counts

    def updates(self) -> dict[str, Any]:
        """The queue's bookkeeping: ids still pending, ids confirmed, and how often each id was handed out."""
        return {
            "pending": [int(u["update_id"]) for u in self.pending],
            "confirmed": sorted(self.confirmed),
            "handed_out": dict(self.handed_out),
        }

    # -- HTTP ----------------------------------------------------------------------------------------------

    def _fault(self, method: str, now: float) -> Fault | None:
        return next((f for f in self.faults if f.applies(method, now)), None)

    def _confirm_below(self, offset: int) -> None:
        keep = []
        for update in self.pending:
            if int(update["update_id"]) < offset:
                self.confirmed.add(int(update["update_id"]))
            else:
                keep.append(update)
        self.pending = keep

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        label = request.match_info.get("label")
        peer = request.transport.get_extra_info("peername") if request.transport else None
        client = label or (f"{peer[0]}:{peer[1]}" if peer else "?")
        method = request.match_info["method"]
        record = Record(method, {}, client, at=time.monotonic(), wall=time.time())
        self.records.append(record)
        params, files = await _read_params(request)
        record.params = params
        if request.match_info["token"] != self.telegram.token:
            return self._answer(record, 401, _error(401, "Unauthorized"), "unauthorized")
        if method == "getUpdates":
            return await self._get_updates(record, params)
        fault = self._fault(method, record.at)
        if fault is not None and fault.kind == "drop":
            record.outcome = "dropped"
            if request.transport is not None:
                request.transport.abort()  # no answer at all: the client sees the connection go
            raise ConnectionResetError("dropped by the fault window")
        if fault is not None and fault.kind == "fail":
            phrase = _phrase(fault.status)
            return self._answer(record, fault.status, _error(fault.status, phrase), "failed")
        if method == "deleteWebhook" and str(params.get("drop_pending_updates")).lower() == "true":
            self._confirm_below(self.next_update_id)
        status, body = self.telegram.answer(method, params, files)
        record.outcome = "delivered" if status == 200 else "refused"  # recorded before any slow answer
        record.description = "" if status == 200 else str(body.get("description", ""))
        if fault is not None and fault.kind == "slow":
            record.delayed = fault.delay
            await asyncio.sleep(fault.delay)
        return self._answer(record, status, body, record.outcome)

    def _answer(self, record: Record, status: int, body: dict[str, Any], outcome: str) -> web.Response:
        record.status = status
        record.outcome = outcome
        if not body.get("ok", True):
            record.description = str(body.get("description", ""))
        record.answered_at = time.monotonic()
        return web.json_response(body, status=status)

    async def _get_updates(self, record: Record, params: dict[str, Any]) -> web.Response:
        if self.conflict_mode == "always":
            return self._answer(record, 409, _error(409, CONFLICT), "conflict")
        offset = _number(params.get("offset"), 0)
        limit = max(1, min(100, _number(params.get("limit"), 100)))
        wait = min(float(_number(params.get("timeout"), 0)), self.poll_wait_max)
        if offset > 0:  # negative offsets (from the end) are not used by bots here
            self._confirm_below(offset)
        poll = _Poll(record.client)
        if self.conflict_mode == "takeover":
            for older in self._polls:
                older.terminated = True
                older.wake.set()
        self._polls.append(poll)
        deadline = record.at + wait
        try:
            while True:
                if poll.terminated:
                    return self._answer(record, 409, _error(409, CONFLICT), "conflict")
                ready = [u for u in self.pending if int(u["update_id"]) >= offset][:limit]
                left = deadline - time.monotonic()
                if ready or left <= 0:
                    break
                poll.wake.clear()
                try:
                    async with asyncio.timeout(left):
                        await poll.wake.wait()
                except TimeoutError:
                    pass
        finally:
            self._polls.remove(poll)
        record.update_ids = tuple(int(u["update_id"]) for u in ready)
        for update_id in record.update_ids:
            self.handed_out[update_id] = self.handed_out.get(update_id, 0) + 1
        return self._answer(record, 200, {"ok": True, "result": ready}, "polled")


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Internal Server Error"


def _number(value: Any, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


# ---- the same server in a process of its own ----------------------------------------------------------------


class FaultBotApiProcess:
    """FaultyBotApiServer in a separate (spawned) process, driven through a pipe. Use as a context manager."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        blocked: set[int] | None = None,
        poll_wait_max: float = 1.0,
        conflict: str | bool = "takeover",
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        options = {"token": token, "blocked": set(blocked or ()), "poll_wait_max": poll_wait_max}
        options["conflict"] = conflict
        self._process = context.Process(target=_serve_in_process, args=(child, options), daemon=True)
        self._lock = threading.Lock()
        self.port = 0

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def url_for(self, label: str) -> str:
        """A base URL that labels every call made through it (TELEGRAM_API_BASE_URL for one bot process)."""
        return f"http://127.0.0.1:{self.port}/{label}/bot"

    def start(self) -> FaultBotApiProcess:
        self._process.start()
        try:
            if not self._conn.poll(60):
                raise EOFError
            self.port = self._conn.recv()
        except EOFError:
            self._process.kill()
            raise RuntimeError("the fault Bot API process did not start") from None
        return self

    def __enter__(self) -> FaultBotApiProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.pid is None:
            return
        try:
            with self._lock:
                self._conn.send(("stop", (), {}))
                if self._conn.poll(5):
                    self._conn.recv()
        except (OSError, EOFError):
            pass
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self._conn.send((name, args, kwargs))
            status, result = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"fault Bot API: {name}: {result}")
        return result

    def fail(self, methods: str | Iterable[str], seconds: float, status: int = 500) -> None:
        self._call("fail", methods, seconds, status)

    def drop(self, methods: str | Iterable[str], seconds: float) -> None:
        self._call("drop", methods, seconds)

    def slow(self, methods: str | Iterable[str], seconds_delay: float, for_seconds: float) -> None:
        self._call("slow", methods, seconds_delay, for_seconds)

    def clear_faults(self) -> None:
        self._call("clear_faults")

    def conflict(self, mode: str | bool) -> None:
        self._call("conflict", mode)

    def push(self, update: dict[str, Any]) -> int:
        return self._call("push", update)

    def push_many(self, updates: Iterable[dict[str, Any]]) -> list[int]:
        return self._call("push_many", list(updates))

    def calls(self, method: str | None = None, **filters: Any) -> list[Record]:
        return self._call("calls", method, **filters)

    def delivered(self, method: str | None = None, **filters: Any) -> list[Record]:
        return self._call("delivered", method, **filters)

    def count(self, method: str | None = None, **filters: Any) -> int:
        return self._call("count", method, **filters)

    def per_chat(self, method: str | None = None, **filters: Any) -> dict[int, int]:
        return self._call("per_chat", method, **filters)

    def updates(self) -> dict[str, Any]:
        return self._call("updates")

    def wait_until(
        self,
        done: Callable[[], bool],
        within: float,
        *,
        interval: float = 0.1,
        alive: Callable[[], bool] | None = None,
    ) -> bool:
        """Poll `done()` until it holds (True) or `within` seconds pass or `alive()` turns False (False)."""
        deadline = time.monotonic() + within
        while True:
            if done():
                return True
            if time.monotonic() >= deadline or (alive is not None and not alive()):
                return done()
            time.sleep(interval)


COMMANDS = frozenset(
    {
        "fail",
        "drop",
        "slow",
        "clear_faults",
        "conflict",
        "push",
        "push_many",
        "calls",
        "delivered",
        "count",
        "per_chat",
        "updates",
    }
)


def _serve_in_process(conn: Any, options: dict[str, Any]) -> None:
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)  # dropped and late answers are expected here

    async def main() -> None:
        telegram = FakeTelegram(token=options["token"], blocked=options["blocked"])
        server = FaultyBotApiServer(
            telegram, poll_wait_max=options["poll_wait_max"], conflict=options["conflict"]
        )
        await server.start()
        conn.send(server.port)
        loop = asyncio.get_running_loop()
        while True:
            try:
                name, args, kwargs = await loop.run_in_executor(None, conn.recv)
            except (EOFError, OSError):
                break  # the test process is gone
            if name == "stop":
                conn.send(("ok", None))
                break
            try:
                if name not in COMMANDS:
                    raise ValueError(f"unknown command {name!r}")
                conn.send(("ok", getattr(server, name)(*args, **kwargs)))
            except Exception as error:
                conn.send(("error", f"{type(error).__name__}: {error}"))
        await server.stop()

    asyncio.run(main())
