"""A fake Telegram Bot API that answers like Telegram, for handler tests and the end-to-end test.

* `FakeTelegram` holds the state and the answers: bot user, chats, message ids, recorded calls, and the checks
  Telegram makes (HTML must parse, text under 4096, callback_data under 64 bytes) with Telegram's errors.
* `RecordingRequest` is a PTB `BaseRequest` over it: `ApplicationBuilder().request(...)` for `process_update`.
* `FakeBotApiServer` serves it over HTTP with aiohttp on 127.0.0.1, with long-polled getUpdates, for
  `python -m bot run` started as a subprocess with TELEGRAM_API_BASE_URL pointing at it.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from telegram.request import BaseRequest, RequestData

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz"
BOT_ID = 123456
BOT_USERNAME = "speech_study_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "讲话学习助手", "username": BOT_USERNAME}

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
}
HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)(\s[^<>]*)?>|&(?:#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]")
JSON_FIELDS = {
    "reply_markup",
    "results",
    "commands",
    "scope",
    "reply_parameters",
    "link_preview_options",
    "allowed_updates",
    "entities",
    "options",
    "correct_option_ids",
    "result",
}
ADMIN_RIGHTS = {
    key: True
    for key in (
        "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
        "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
        "can_post_stories", "can_edit_stories", "can_delete_stories",
    )
}  # fmt: skip
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "user_id"}


class TelegramError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def parse_html(text: str) -> str:
    """The visible text of a Telegram-HTML message; TelegramError as Telegram words it when it cannot parse."""
    stack: list[str] = []
    visible: list[str] = []
    position = 0
    for token in HTML_TOKEN.finditer(text):
        visible.append(text[position : token.start()])
        position = token.end()
        value = token.group(0)
        if value in "<>&":
            raise TelegramError(
                400, f"Bad Request: can't parse entities: unexpected {value!r} at {token.start()}"
            )
        if value.startswith("&"):
            visible.append(html.unescape(value))
            continue
        closing, name = token.group(1), token.group(2).lower()
        if name not in ALLOWED_TAGS:
            raise TelegramError(400, f"Bad Request: can't parse entities: unsupported start tag {name!r}")
        if closing:
            if not stack or stack[-1] != name:
                raise TelegramError(400, f"Bad Request: can't parse entities: unmatched end tag {name!r}")
            stack.pop()
        else:
            stack.append(name)
    visible.append(text[position:])
    if stack:
        raise TelegramError(400, f"Bad Request: can't parse entities: unclosed start tag {stack[-1]!r}")
    return "".join(visible)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: tuple[str, ...] = ()
    at: float = field(default_factory=time.monotonic)  # when the call arrived

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


@dataclass
class FakeTelegram:
    """Telegram's side: answers each method with Telegram-shaped JSON and records every call."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    chat_types: dict[int, str] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    failure_status: dict[str, int] = field(default_factory=dict)
    time_outs: dict[str, int] = field(default_factory=dict)  # RecordingRequest: done, then a read timeout
    message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))
    poll_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    blocked: set[int] = field(default_factory=set)  # chats that blocked the bot: 403 Forbidden
    chat_admins: set[int] = field(default_factory=set)  # users who administer every group here
    outsiders: set[int] = field(default_factory=set)  # users who are in no group here
    flood_waits: list[int] = field(default_factory=list)  # the next sends get 429 with these retry_after
    polls: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # (chat, message) → the poll
    uploads: list[tuple[str, str, Any]] = field(default_factory=list)  # files sent: (field, name, bytes)

    def fail_next(self, method: str, times: int = 1, status: int = 500) -> None:
        """The next `times` calls of `method` fail with Telegram's 500, as when the server has trouble (or
        with another status: 400 is a refusal)."""
        self.failures[method] = times
        self.failure_status[method] = status

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if (method is None or c.method == method)
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def answer(self, method: str, params: dict[str, Any], files: tuple[str, ...] = ()) -> tuple[int, dict]:
        """(HTTP status, body) for one call, exactly as the Bot API would shape them."""
        self.calls.append(Call(method, params, files))
        if self.failures.get(method):
            self.failures[method] -= 1
            status = self.failure_status.get(method, 500)
            description = "Internal Server Error" if status >= 500 else "Bad Request: refused by the test"
            return status, {"ok": False, "error_code": status, "description": description}
        if method.startswith("send") and self.flood_waits:
            wait = self.flood_waits.pop(0)
            body = {"error_code": 429, "description": f"Too Many Requests: retry after {wait}"}
            return 429, {"ok": False, **body, "parameters": {"retry_after": wait}}
        if method.startswith("send") and _int(params.get("chat_id")) in self.blocked:
            return 403, {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
        try:
            return 200, {"ok": True, "result": self._result(method, params, files)}
        except TelegramError as error:
            return error.code, {"ok": False, "error_code": error.code, "description": error.description}

    def _result(self, method: str, params: dict[str, Any], files: tuple[str, ...]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            text = self._check_text(params, "text", 4096)
            self._check_markup(params)
            if method == "editMessageText" and "inline_message_id" in params:
                return True
            return self._message(params, text=text)
        if method == "sendPhoto":
            if "photo" not in files and "photo" not in params:
                raise TelegramError(400, "Bad Request: there is no photo in the request")
            caption = self._check_text(params, "caption", 1024) if params.get("caption") else None
            photo = [{"file_id": "photo-1", "file_unique_id": "u-photo-1", "width": 800, "height": 400}]
            return self._message(params, photo=photo, caption=caption)
        if method == "sendPoll":
            sent = self._message(params, poll=self._poll(params))
            self.polls[(sent["chat"]["id"], sent["message_id"])] = sent["poll"]
            return sent
        if method == "stopPoll":
            poll = self.polls.get((int(params["chat_id"]), int(params["message_id"])))
            if poll is None:
                raise TelegramError(400, "Bad Request: message with poll to stop not found")
            if poll["is_closed"]:
                raise TelegramError(400, "Bad Request: poll has already been closed")
            poll["is_closed"] = True
            return poll
        if method == "sendDocument":
            if "document" not in files and "document" not in params:
                raise TelegramError(400, "Bad Request: there is no document in the request")
            caption = self._check_text(params, "caption", 1024) if params.get("caption") else None
            document = {"file_id": "doc-1", "file_unique_id": "u-doc-1", "file_name": params.get("filename")}
            return self._message(params, document=document, caption=caption)
        if method == "getChatMember":
            member = {"id": int(params["user_id"]), "is_bot": False, "first_name": "成员"}
            if int(params["user_id"]) in self.chat_admins:
                return {"status": "administrator", "user": member, **ADMIN_RIGHTS}
            if int(params["user_id"]) in self.outsiders:
                return {"status": "left", "user": member}
            return {"status": "member", "user": member}
        if method == "answerInlineQuery":
            results = params.get("results") or []
            if len(results) > 50:
                raise TelegramError(400, "Bad Request: too many inline query results")
            for result in results:
                content = result.get("input_message_content") or {}
                if content.get("parse_mode") == "HTML":
                    parse_html(content["message_text"])
            return True
        if method == "answerGuestQuery":
            result = params.get("result") or {}
            content = result.get("input_message_content") or {}
            if not params.get("guest_query_id") or not content.get("message_text"):
                raise TelegramError(400, "Bad Request: guest query answer is empty")
            if content.get("parse_mode") == "HTML":
                parse_html(content["message_text"])
            return {"inline_message_id": f"guest-{params['guest_query_id']}"}
        if method == "getMyCommands":
            return []
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method in (
            "answerCallbackQuery",
            "setMyCommands",
            "deleteWebhook",
            "setWebhook",
            "sendChatAction",
            "deleteMyCommands",
            "setMyDescription",
            "setMyShortDescription",
            "close",
            "logOut",
        ):
            return True
        raise TelegramError(404, "Not Found: method not found")

    def _poll(self, params: dict[str, Any]) -> dict[str, Any]:
        """A quiz poll as Telegram returns it, after Telegram's checks on one."""
        question = str(params.get("question") or "")
        options = [{"text": o} if isinstance(o, str) else o for o in params.get("options") or []]
        correct = params.get("correct_option_ids")
        if "correct_option_id" in params:
            raise TelegramError(400, "Bad Request: correct_option_id is deprecated in this test server")
        if not 1 <= len(question) <= 300:
            raise TelegramError(400, "Bad Request: poll question length must be 1-300")
        if not 2 <= len(options) <= 12 or any(not 1 <= len(o["text"]) <= 100 for o in options):
            raise TelegramError(400, "Bad Request: poll options must be 2-12, each 1-100 characters")
        multiple = str(params.get("allows_multiple_answers", False)).lower() == "true"
        if params.get("type") == "quiz" and correct and len(correct) > 1 and not multiple:
            raise TelegramError(400, "Bad Request: several correct options need allows_multiple_answers")
        if params.get("type") == "quiz" and (not correct or any(not 0 <= i < len(options) for i in correct)):
            raise TelegramError(400, "Bad Request: wrong correct option ids")
        if "open_period" in params and not 5 <= int(params["open_period"]) <= 600:
            raise TelegramError(400, "Bad Request: wrong open period specified")
        explanation = str(params.get("explanation") or "")
        if len(explanation) > 200 or explanation.count("\n") > 2:
            raise TelegramError(400, "Bad Request: poll explanation is too long")
        return {
            "id": f"poll-{next(self.poll_ids)}",
            "question": question,
            "options": [
                {"text": o["text"], "voter_count": 0, "persistent_id": f"o{n}"} for n, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": str(params.get("is_anonymous", True)).lower() == "true",
            "type": params.get("type") or "regular",
            "allows_multiple_answers": multiple,
            "allows_revoting": False,
            "members_only": False,
            "correct_option_ids": correct,
            "explanation": explanation or None,
        }

    def _check_text(self, params: dict[str, Any], key: str, limit: int) -> str:
        raw = str(params.get(key) or "")
        text = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        if not text.strip():
            raise TelegramError(400, f"Bad Request: {key} must be non-empty")
        if utf16_len(text) > limit:
            raise TelegramError(400, f"Bad Request: {'message' if key == 'text' else key} is too long")
        return text

    def _check_markup(self, params: dict[str, Any]) -> None:
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
                copied = (button.get("copy_text") or {}).get("text")
                if "copy_text" in button and not (copied and len(copied) <= 256):
                    raise TelegramError(400, "Bad Request: COPY_TEXT_INVALID")

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": int(params.get("message_id") or next(self.message_ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": self.chat_types.get(chat_id, "private")},
            "from": BOT_USER,
            **{k: v for k, v in content.items() if v is not None},
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


class RecordingRequest(BaseRequest):
    """A BaseRequest that never touches the network: each call goes to the FakeTelegram and is recorded."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = tuple(request_data.multipart_data) if request_data and request_data.contains_files else ()
        if files:
            for name, part in request_data.multipart_data.items():
                filename, content = (part[0], part[1]) if isinstance(part, tuple) else ("", part)
                self.telegram.uploads.append((name, filename, content))
        if endpoint == "getUpdates":
            status, body = 200, {"ok": True, "result": []}
        else:
            status, body = self.telegram.answer(endpoint, params, files)
        if self.telegram.time_outs.get(endpoint):  # carried out, but the answer never came back in time
            self.telegram.time_outs[endpoint] -= 1
            import httpx
            from telegram.error import TimedOut

            raise TimedOut() from httpx.ReadTimeout("The read operation timed out")
        return status, json.dumps(body).encode()


class FakeBotApiServer:
    """The FakeTelegram over HTTP at http://127.0.0.1:<port>/bot<token>/<method>, with an update queue."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram
        self.updates: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.new_call = asyncio.Event()
        self.update_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue one update ("message", "callback_query", …) for getUpdates; returns its update_id."""
        update_id = next(self.update_ids)
        chat = (payload.get("chat") or (payload.get("message") or {}).get("chat")) or {}
        if chat:
            self.telegram.chat_types[chat["id"]] = chat["type"]
        self.updates.append({"update_id": update_id, kind: payload})
        self.arrived.set()
        return update_id

    async def wait_for(
        self, method: str, chat_id: int | None = None, count: int = 1, within: float = 15
    ) -> list[Call]:
        """The calls of `method` (to `chat_id`), once there are `count` of them."""
        async with asyncio.timeout(within):
            while len(found := self.telegram.sent(method, chat_id)) < count:
                self.new_call.clear()
                await self.new_call.wait()
        return found

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.telegram.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        method = request.match_info["method"]
        params, files = await _read_params(request)
        if method == "getUpdates":
            body = {"ok": True, "result": await self._get_updates(params)}
            self.telegram.calls.append(Call(method, params))
            status = 200
        else:
            status, body = self.telegram.answer(method, params, files)
        self.new_call.set()
        return web.json_response(body, status=status)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self.arrived.clear()
            # Long polling, kept short so a stopping bot never waits long on us.
            wait = min(float(params.get("timeout") or 0), 1.0)
            if wait:
                try:
                    async with asyncio.timeout(wait):
                        await self.arrived.wait()
                except TimeoutError:
                    pass
        return [u for u in self.updates if u["update_id"] >= offset]


async def _read_params(request: web.Request) -> tuple[dict[str, Any], tuple[str, ...]]:
    if request.content_type == "application/json":
        return await request.json(), ()
    form = await request.post()
    params: dict[str, Any] = {}
    files: list[str] = []
    for key, value in form.items():
        if not isinstance(value, str):
            files.append(key)
            continue
        if key in JSON_FIELDS:
            params[key] = json.loads(value)
        elif key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
            params[key] = int(value)
        else:
            params[key] = value
    return params, tuple(files)


# ---- updates as Telegram sends them ------------------------------------------------------------------------


def poll_answer(poll_id: str, option_ids: list[int], *, user_id: int = 42) -> dict[str, Any]:
    return {
        "poll_id": poll_id,
        "option_ids": option_ids,
        "option_persistent_ids": [f"o{i}" for i in option_ids],
        "user": user(user_id),
    }


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def user(user_id: int = 42, name: str = "学习者") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "zh-hans"}


def chat(chat_id: int = 42, kind: str = "private") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": "学习者"}
    return {"id": chat_id, "type": kind, "title": "学习小组"}


def message(
    text: str | None,
    *,
    user_id: int = 42,
    chat_id: int | None = None,
    chat_type: str = "private",
    message_id: int = 1,
    reply_to: dict[str, Any] | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A message as Telegram sends it; commands and @mentions get their entities, as Telegram adds them."""
    chat_id = chat_id if chat_id is not None else (user_id if chat_type == "private" else -100500)
    data: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat(chat_id, chat_type),
        "from": user(user_id),
        **content,
    }
    if text is not None:
        data["text"] = text
        entities = []
        command = re.match(r"/[\w@]+", text)
        if command:
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))})
        for mention in re.finditer(r"@\w+", text):
            if command and mention.start() < command.end():
                continue
            offset = utf16_len(text[: mention.start()])
            entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention.group(0))})
        if entities:
            data["entities"] = entities
    if reply_to is not None:
        data["reply_to_message"] = reply_to
    return data


def callback_query(
    data: str, *, user_id: int = 42, on_message: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A button press on a message the bot sent (by default a plain message in the user's private chat)."""
    shown = on_message or {
        "message_id": 999,
        "date": int(time.time()),
        "chat": chat(user_id),
        "from": BOT_USER,
        "text": "…",
    }
    return {
        "id": f"cb-{user_id}-{data}",
        "from": user(user_id),
        "chat_instance": "ci-1",
        "data": data,
        "message": shown,
    }


def inline_query(query: str, *, user_id: int = 42) -> dict[str, Any]:
    return {"id": f"iq-{user_id}", "from": user(user_id), "query": query, "offset": ""}


# ---- the same server in a process of its own ----------------------------------------------------------------


class FakeBotApiProcess:
    """FakeBotApiServer in a separate process, for measuring timing.

    A server in the bot's own event loop reads requests whenever the bot lets the loop go, so the arrival
    times it records bunch up when the bot is busy. In a process of its own it stamps them as Telegram would.
    Use as a context manager; `calls()` fetches what it recorded.
    """

    def __init__(self, *, blocked: set[int] | None = None, flood_waits: list[int] | None = None) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve_in_process, args=(child, set(blocked or ()), list(flood_waits or ())), daemon=True
        )
        self.base_url = ""

    def __enter__(self) -> FakeBotApiProcess:
        self._process.start()
        if not self._conn.poll(30):
            self._process.kill()
            raise RuntimeError("the fake Bot API process did not start")
        self.base_url = self._conn.recv()
        return self

    def calls(self) -> list[Call]:
        self._conn.send("calls")
        return self._conn.recv()

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.send("stop")
        except OSError:
            pass
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


def _serve_in_process(conn: Any, blocked: set[int], flood_waits: list[int]) -> None:
    async def main() -> None:
        server = FakeBotApiServer(FakeTelegram(blocked=blocked, flood_waits=flood_waits))
        await server.start()
        conn.send(server.base_url)
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command == "calls":
                conn.send(server.telegram.calls)
            else:
                break
        await server.stop()

    asyncio.run(main())
