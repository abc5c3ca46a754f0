"""The bot's behaviour, through `Application.process_update` with real Update objects.

The Bot API is `tests.fake_bot_api.FakeTelegram` behind a `BaseRequest`: it records every call and answers as
Telegram does, including Telegram's refusals (HTML that does not parse, a text over 4096, callback_data over
64 bytes). The store is a real SQLite file in tmp_path. Nothing of ours is mocked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.knowledge import DEFAULT_DIR
from bot.service import Service
from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.app import build_application
from bot.telegram.commands import COMMANDS
from bot.telegram.flood import SLOW_DOWN
from bot.telegram.floodgate import TAP_FACTOR, FloodGate
from bot.telegram.keyboards import outline_keyboard
from bot.telegram.replies import choices_keyboard
from tests.conftest import TINY_ENTRIES, write_kb
from tests.fake_bot_api import (
    BOT_ID,
    BOT_USER,
    BOT_USERNAME,
    TOKEN,
    Call,
    FakeTelegram,
    RecordingRequest,
    callback_query,
    inline_query,
    message,
    parse_html,
)

USER = 42
OTHER = 77
ADMIN = 1001
GROUP = -100500


@pytest.fixture(scope="session")
def library() -> Service:
    """The real knowledge base, loaded once: jieba takes a second."""
    return Service.load(DEFAULT_DIR)


@dataclass
class Bot:
    app: Application
    telegram: FakeTelegram
    update_ids: int = 0

    async def send(self, kind: str, payload: dict[str, Any], *, update_id: int | None = None) -> list[Call]:
        """Process one update; the calls it made, in order."""
        before = len(self.telegram.calls)
        if update_id is None:
            self.update_ids += 1
            update_id = self.update_ids
        await self.app.process_update(Update.de_json({"update_id": update_id, kind: payload}, self.app.bot))
        return self.telegram.calls[before:]

    async def text(self, text: str | None, **options: Any) -> list[Call]:
        return await self.send("message", message(text, **options))

    async def press(self, data: str, **options: Any) -> list[Call]:
        return await self.send("callback_query", callback_query(data, **options))

    async def exchanges(self) -> list[dict[str, Any]]:
        return [row async for row in self.app.bot_data.store.iter_exchanges()]


def settings_for(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "BOT_TOKEN": TOKEN,
            "BOT_ADMINS": str(ADMIN),
            "BOT_DB": str(tmp_path / "bot.sqlite3"),
            "BOT_FLOOD_MESSAGES": "8",
            "BOT_FLOOD_SECONDS": "10",
            **env,
        }
    )


async def started(settings: Settings, library: Service | None) -> Bot:
    telegram = FakeTelegram()
    app = build_application(settings, request=RecordingRequest(telegram))
    app.bot_data.library = library
    await app.initialize()
    await app.post_init(app)
    return Bot(app, telegram)


async def stopped(bot: Bot) -> None:
    await bot.app.post_shutdown(bot.app)
    await bot.app.shutdown()


@pytest.fixture
async def bot(tmp_path: Path, library: Service) -> AsyncIterator[Bot]:
    running = await started(settings_for(tmp_path), library)
    yield running
    await stopped(running)


def only(calls: list[Call], method: str = "sendMessage") -> Call:
    found = [c for c in calls if c.method == method]
    assert len(found) == 1, [(c.method, c.text[:60]) for c in calls]
    return found[0]


def visible(call: Call) -> str:
    return parse_html(call.text)


# ---- start-up --------------------------------------------------------------------------------------------


async def test_post_init_loads_the_knowledge_opens_the_store_and_sets_the_commands(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "knowledge")
    running = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(folder)), None)
    try:
        assert [e.id for e in running.app.bot_data.library.kb.entries] == [
            "opening",
            "term-si-mingque",
            "term-sanhui",
        ]
        public, admin = running.telegram.sent("setMyCommands")
        assert [(c["command"], c["description"]) for c in public.params["commands"]] == list(COMMANDS)
        assert admin.params["scope"] == {"type": "chat", "chat_id": ADMIN}
        assert {"stats", "unanswered", "reload"} <= {c["command"] for c in admin.params["commands"]}
        reply = only(await running.text("四明确指什么"))
        assert "主体、方式、对象、措施" in visible(reply)
    finally:
        await stopped(running)
    assert running.app.bot_data.store is None


def test_commands_have_latin_names_and_chinese_descriptions() -> None:
    for name, description in COMMANDS:
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,31}", name)
        assert re.search(r"[\u4e00-\u9fff]", description) and len(description) <= 256


# ---- questions ---------------------------------------------------------------------------------------------


async def test_a_private_question_gets_the_entry_quoted_with_where_it_stands(bot: Bot) -> None:
    reply = only(await bot.text("四明确指什么？"))
    assert reply.params["chat_id"] == USER and reply.params["parse_mode"] == "HTML"
    assert reply.text.startswith("<b>主体、方式、对象、措施“四明确”</b>")
    quote = re.search(r"<blockquote expandable>(.*?)</blockquote>", reply.text, re.S)
    assert quote and "做到主体、方式、对象、措施“四明确”" in quote.group(1)
    assert "— 二、强化组织建设" in quote.group(1)
    assert reply.callback_data() and all(d.startswith("e:") for d in reply.callback_data())
    [copy] = [b for b in reply.buttons if "copy_text" in b]  # 复制原文: the speech's words and where
    assert copy["text"] == "复制原文" and "做到主体、方式、对象、措施“四明确”" in copy["copy_text"]["text"]
    assert "（二、强化组织建设" in copy["copy_text"]["text"] and len(copy["copy_text"]["text"]) <= 256
    assert all(len(b["text"]) <= 16 for b in reply.buttons)
    [logged] = await bot.exchanges()
    assert logged["update_id"] == 1 and logged["user_id"] == USER and logged["chat_type"] == "private"
    assert logged["answered"] and logged["entry_id"] == "term-si-mingque" and logged["status"] == "ok"
    assert logged["question"] == "四明确指什么？"


async def test_background_is_labelled_apart_from_the_speech(bot: Bot, library: Service) -> None:
    entry = next(e for e in library.kb.entries if e.background)
    reply = only(await bot.press(f"e:{entry.id}"))
    assert "<i>背景（非讲话原文，供参考）：" in reply.text
    where = (
        "</blockquote>" if "</blockquote>" in reply.text else "<i>出处："
    )  # the speech's words, then background
    assert reply.text.index(where) < reply.text.index("背景（非讲话原文")


async def test_related_buttons_open_the_entry_and_answer_the_query(bot: Bot, library: Service) -> None:
    first = only(await bot.text("四明确指什么"))
    target = first.callback_data()[0]
    calls = await bot.press(target)
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert visible(calls[1]).startswith(library.kb[target[2:]].title)


async def test_a_bare_keyword_gets_where_the_speech_speaks_of_it_and_the_nearest_entries_as_buttons(
    bot: Bot,
) -> None:
    reply = only(await bot.text("纪律"))
    assert reply.text.startswith("讲话中讲到“纪律”的地方主要有这些")
    assert reply.text.count("<b>纪律</b>") == len(re.findall(r"\n\d\. ", reply.text)) <= 3
    assert 1 <= len(reply.callback_data()) <= 3  # the entries the matcher found nearest, one tap away
    [logged] = await bot.exchanges()
    assert logged["answered"] and logged["suggestions"]


async def test_a_date_the_speech_does_not_give_is_not_passed_off_as_an_answer(bot: Bot) -> None:
    reply = only(await bot.text("党的二十大是哪一天开幕的"))
    assert reply.text.startswith("讲话提到了“党的二十大”，但没有讲具体日期。")  # said first
    # then what the speech does say, its words quoted (in the blockquote, or in the answer) with where
    assert "<blockquote expandable>" in reply.text or "<i>出处：形势与任务" in reply.text
    [logged] = await bot.exchanges()
    assert not logged["answered"] and logged["suggestions"] == ["term-ershida"]


async def test_an_off_topic_question_is_declined_with_what_the_bot_can_do(bot: Bot) -> None:
    reply = only(await bot.text("今天天气怎么样"))
    assert "超出了这次讲话的内容" in reply.text and "/help" in reply.text
    assert reply.callback_data() == []
    [logged] = await bot.exchanges()
    assert not logged["answered"] and logged["entry_id"] is None


async def test_a_comparison_shows_both_entries(bot: Bot) -> None:
    reply = only(await bot.text("五个必由之路和四明确有什么区别"))
    assert reply.text.count("<blockquote expandable>") + reply.text.count("<i>出处：") == 2  # each with where


# ---- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x" * 10_000, "🙂🙂🙂", "<b>", "&", "*_[]", "<b>四明确</b> & *_[]`", "</blockquote>&amp;<i>"],
    ids=["empty", "spaces", "10000-chars", "emoji", "tag", "ampersand", "markdown", "mixed", "closing-tag"],
)
async def test_odd_text_gets_a_valid_reply_and_never_an_error(bot: Bot, text: str, caplog) -> None:
    reply = only(await bot.text(text))
    assert visible(reply).strip()  # the fake Telegram refuses HTML that does not parse
    assert reply.text != texts.ERROR
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    [logged] = await bot.exchanges()
    assert logged["status"] == "ok" and logged["question"] == text.strip()


async def test_a_message_of_punctuation_is_asked_for_words_and_an_emoji_gets_a_kind_word(bot: Bot) -> None:
    assert "请用文字提一个" in visible(only(await bot.text("？？…")))
    assert "请用文字" not in visible(
        only(await bot.text("🙂"))
    )  # an emoji is a greeting, not an empty question


async def test_ten_thousand_characters_are_refused_politely(bot: Bot) -> None:
    assert "问题太长了" in visible(only(await bot.text("四明确" * 3334)))


async def test_metacharacters_in_a_question_are_escaped_where_echoed(bot: Bot) -> None:
    reply = only(await bot.text("/search <b>&*_[]"))
    assert "&lt;b&gt;&amp;*_[]" in reply.text


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "us1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {
            "photo": [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}],
            "caption": "四明确",
        },
        {"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 2}},
    ],
    ids=["sticker", "photo", "voice"],
)
async def test_a_sticker_or_photo_gets_a_polite_text_only_reply(bot: Bot, content: dict[str, Any]) -> None:
    reply = only(await bot.send("message", message(None, **content)))
    assert reply.text == texts.text_only(bot.app.bot_data.library.kb.pack)
    [logged] = await bot.exchanges()
    assert not logged["answered"] and logged["question"].startswith("[")


async def test_an_edited_question_is_answered_again(bot: Bot) -> None:
    await bot.text("四明确指")
    reply = only(await bot.send("edited_message", message("五个必由之路是什么", edit_date=1)))
    assert visible(reply).startswith("五个必由之路")
    assert len(await bot.exchanges()) == 2


async def test_an_edited_command_is_not_run_again(bot: Bot) -> None:
    assert await bot.send("edited_message", message("/start", edit_date=1)) == []


async def test_a_redelivered_update_is_logged_once(bot: Bot) -> None:
    await bot.send("message", message("四明确指什么"), update_id=500)
    await bot.send("message", message("四明确指什么"), update_id=500)
    assert [e["update_id"] for e in await bot.exchanges()] == [500]


async def test_a_long_answer_is_split_under_the_limit_at_sentence_ends(tmp_path: Path) -> None:
    long_answer = "这是一句很长的回答，用来检验分段。" * 500  # 8,500 characters
    entries = TINY_ENTRIES.replace("answer: 处分决定宣布会、警示教育大会。", f"answer: {long_answer}")
    folder = write_kb(tmp_path / "knowledge", entries)
    running = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(folder)), None)
    try:
        calls = await running.text("三会是什么")
    finally:
        await stopped(running)
    assert [c.method for c in calls] == ["sendMessage"] * 3
    for call in calls[:-1]:
        assert parse_html(call.text).endswith("。") and call.callback_data() == []
    assert "".join(parse_html(c.text) for c in calls).count("这是一句很长的回答") == 500
    assert calls[-1].text.endswith("</i>")  # the background comes last, whole


# ---- groups ----------------------------------------------------------------------------------------------


async def test_a_group_message_not_for_the_bot_is_ignored(bot: Bot) -> None:
    assert await bot.text("四明确指什么", chat_type="group") == []
    assert await bot.text("/ask@other_bot 四明确", chat_type="group") == []
    assert (
        await bot.send(
            "message",
            message(
                None,
                chat_type="group",
                sticker={
                    "file_id": "s1",
                    "file_unique_id": "us1",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                },
            ),
        )
        == []
    )
    assert await bot.text("/nosuchcommand", chat_type="group") == []
    assert await bot.exchanges() == []


@pytest.mark.parametrize(
    "options",
    [
        {"text": f"@{BOT_USERNAME} 四明确指什么"},
        {
            "text": "四明确指什么",
            "reply_to": {
                "message_id": 7,
                "date": 0,
                "chat": {"id": GROUP, "type": "group"},
                "from": BOT_USER,
                "text": "…",
            },
        },
        {"text": "/ask 四明确指什么"},
        {"text": f"/ask@{BOT_USERNAME} 四明确指什么"},
    ],
    ids=["mention", "reply", "command", "targeted-command"],
)
async def test_a_group_message_for_the_bot_is_answered_quoting_it(bot: Bot, options: dict[str, Any]) -> None:
    text = options.pop("text")
    reply = only(await bot.text(text, chat_type="group", chat_id=GROUP, message_id=33, **options))
    assert reply.params["chat_id"] == GROUP
    assert reply.params["reply_parameters"]["message_id"] == 33
    if "reply_to" not in options:  # the question is quoted above the answer (a reply to the bot has no text)
        assert reply.params["reply_parameters"]["quote"] == "四明确指什么"
    assert "四明确" in visible(reply).splitlines()[0]
    [logged] = await bot.exchanges()
    assert logged["chat_type"] == "group" and logged["question"] == "四明确指什么"


# ---- commands --------------------------------------------------------------------------------------------


async def test_start_welcomes_with_examples_and_says_what_is_stored(bot: Bot) -> None:
    reply = only(await bot.text("/start"))
    assert texts.PRIVACY in visible(reply)
    assert reply.callback_data() == [f"x:{n}" for n in range(len(bot.app.bot_data.library.kb.pack.examples))]
    calls = await bot.press("x:1")
    assert visible(only(calls)).startswith("主体、方式、对象、措施")


async def test_help_lists_every_command_and_the_privacy_line(bot: Bot) -> None:
    text = visible(only(await bot.text("/help")))
    for name, description in COMMANDS:
        assert f"/{name} — {description}" in text
    assert texts.PRIVACY in text and f"@{BOT_USERNAME}" in text


async def test_about_names_the_meeting_the_date_and_the_source(bot: Bot) -> None:
    text = visible(only(await bot.text("/about")))
    kb = bot.app.bot_data.library.kb
    assert kb.pack.meeting in text and "2022年第一季度" in text and "引自讲话原文" in text
    assert "讲话分这几部分" in text and "条（章节" not in text  # the speech's parts, not the pack's counts


@pytest.mark.parametrize("command", ["/ask", "/explain", "/search"])
async def test_a_command_without_its_argument_says_how_to_use_it(bot: Bot, command: str) -> None:
    assert visible(only(await bot.text(command))).startswith("用法：")


async def test_explain_finds_a_term_by_its_exact_name(bot: Bot) -> None:
    reply = only(await bot.text("/explain 两张皮"))
    assert visible(reply).startswith("两张皮")
    [logged] = await bot.exchanges()
    assert logged["entry_id"] == "term-liangzhangpi"


async def test_sections_browse_in_place_down_across_and_up(bot: Bot, library: Service) -> None:
    outline = only(await bot.text("/sections"))
    assert outline.callback_data()[:3] == ["s:opening", "s:review", "s:problems"]
    calls = await bot.press("s:problems")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    problems = calls[1]
    assert visible(problems).startswith(library.kb["problems"].title)
    data = problems.callback_data()
    assert data[:5] == [f"s:problem-{n}" for n in range(1, 6)]
    assert data[-3:] == ["s:review", "s:", "s:situation"]  # ‹ ↑ ›
    first = (await bot.press("s:problem-1"))[1]
    assert first.callback_data() == ["s:problems", "s:problem-2"]  # no ‹ before the first, ↑ to its part
    root = (await bot.press("s:"))[1]
    assert root.callback_data() == outline.callback_data()


async def test_search_shows_where_a_word_stands_in_pages(bot: Bot) -> None:
    reply = only(await bot.text("/search 一岗双责"))
    text = visible(reply)
    assert "在讲话的 3 句话里出现" in text and "五、坚持严的主基调" in text and reply.callback_data() == []
    headers = re.findall(r"\n<b>([^<]+)</b>\n", reply.text)
    assert headers == [
        "存在的问题",
        "五、坚持严的主基调，进一步强化纪律约束",
    ]  # hits grouped under their part
    many = only(await bot.text("/search 党建"))
    assert "第 1/" in visible(many)
    forward = many.callback_data()[-1]
    page_two = (await bot.press(forward))[1]
    assert page_two.method == "editMessageText" and "第 2/" in visible(page_two)
    assert visible(only(await bot.text("/search 量子计算"))).startswith("讲话原文中没有找到")


@pytest.mark.parametrize(
    "text", ["/search \ud800五个", "/search \ud800量子计算", "/search 量子\udfff", "/search \ud800"]
)
async def test_search_with_a_lone_surrogate_answers_normally(bot: Bot, text: str, caplog) -> None:
    reply = only(await bot.text(text))
    assert reply.text != texts.ERROR
    assert "\ufffd" in visible(reply) or "五个" in visible(reply)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    [logged] = await bot.exchanges()
    assert logged["status"] == "ok"


async def test_random_gives_a_term_card_and_another_on_request(bot: Bot, library: Service) -> None:
    card = only(await bot.text("/random"))
    shown = {name for t in library.terms for name in (library.kb[t].title, library.kb[t].short_title)}
    assert visible(card).split("\n")[0] in shown
    assert card.callback_data()[-1] == "r"
    again = await bot.press("r")
    assert [c.method for c in again] == ["answerCallbackQuery", "sendMessage"]


async def test_an_unknown_command_gets_the_unknown_command_answer(bot: Bot) -> None:
    assert only(await bot.text("/nosuchcommand")).text == texts.UNKNOWN_COMMAND


async def test_a_stale_button_is_answered_not_failed(bot: Bot) -> None:
    calls = await bot.press("e:no-such-entry")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == texts.STALE_BUTTON


def test_every_button_of_every_entry_and_section_fits_in_64_bytes(library: Service) -> None:
    for entry in library.kb.entries:
        for markup in (
            choices_keyboard(library.entry(entry.id)),
            outline_keyboard(library.outline, library.kb, entry.id),
        ):
            for row in markup.inline_keyboard if markup else ():
                assert all(len(b.callback_data.encode()) <= 64 for b in row if b.copy_text is None)
                assert all(len(b.text) <= 16 for b in row)  # a phone shows the whole label
                assert all(0 < len(b.copy_text.text) <= 256 for b in row if b.copy_text is not None)


# ---- inline mode -----------------------------------------------------------------------------------------


async def test_inline_mode_offers_up_to_ten_answer_cards(bot: Bot) -> None:
    answer = only(await bot.send("inline_query", inline_query("三会")), "answerInlineQuery")
    results = answer.params["results"]
    assert 1 <= len(results) <= 10
    assert results[0]["id"] == "term-sanhui-jingshi"
    assert "<blockquote expandable>" in results[0]["input_message_content"]["message_text"]
    empty = only(await bot.send("inline_query", inline_query("")), "answerInlineQuery")
    assert empty.params["results"] == []


# ---- flood control ---------------------------------------------------------------------------------------


async def test_a_flood_gets_one_slow_down_the_rest_dropped_and_others_unaffected(
    tmp_path: Path, library: Service
) -> None:
    running = await started(settings_for(tmp_path, BOT_FLOOD_MESSAGES="3"), library)
    try:
        replies = [await running.text("四明确指什么") for _ in range(6)]
        assert [len(r) for r in replies] == [1, 1, 1, 1, 0, 0]
        assert replies[3][0].text == SLOW_DOWN
        assert "四明确" in visible(only(await running.text("四明确指什么", user_id=OTHER)))
        statuses = [(e["user_id"], e["status"]) for e in await running.exchanges()]
        assert statuses.count((USER, "dropped")) == 3 and statuses.count((USER, "ok")) == 3
        assert (OTHER, "ok") in statuses
    finally:
        await stopped(running)


async def test_twenty_taps_at_one_a_second_are_no_flood_and_never_post_the_notice(
    tmp_path: Path, library: Service
) -> None:
    running = await started(settings_for(tmp_path), library)  # 8 messages in 10 s; taps: three times that
    clock = FakeClock()
    running.app.bot_data.tap_flood = FloodGate(8 * TAP_FACTOR, 10, clock)
    running.app.bot_data.flood = FloodGate(8, 10, clock)
    try:
        outline = library.outline.children[""]
        edits = 0
        for tap in range(20):
            clock.now = float(tap)
            calls = await running.press(f"s:{outline[tap % len(outline)]}")
            assert not [c for c in calls if c.method == "sendMessage"]  # no "slow down" is posted
            edits += sum(c.method == "editMessageText" for c in calls)
        assert edits == 20  # every tap turned the page
        dropped = 0
        for _ in range(40):  # forty in a second: over the allowance, answered without a word
            calls = await running.press("s:")
            assert all(c.method != "sendMessage" for c in calls)
            if not any(c.method == "editMessageText" for c in calls):
                dropped += 1
                assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [None]
        assert dropped > 0
        # Messages keep their own allowance: the taps used none of it.
        assert "四明确" in visible(only(await running.text("四明确指什么")))
    finally:
        await stopped(running)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# ---- admins ----------------------------------------------------------------------------------------------


async def test_stats_sends_the_figures_and_a_chart_to_an_admin(bot: Bot) -> None:
    await bot.text("四明确指什么")
    await bot.text("今天天气怎么样")
    calls = await bot.text("/stats", user_id=ADMIN)
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"]
    assert "回答 1，未答 1，回答率 50%" in visible(calls[0])
    assert calls[1].files == ("photo",)


@pytest.mark.parametrize("command", ["/stats", "/unanswered", "/reload"])
async def test_admin_commands_do_not_exist_for_anyone_else(bot: Bot, command: str) -> None:
    assert only(await bot.text(command, user_id=USER)).text == texts.UNKNOWN_COMMAND


async def test_unanswered_lists_what_was_declined(bot: Bot) -> None:
    await bot.text("量子计算是什么")
    text = visible(only(await bot.text("/unanswered", user_id=ADMIN)))
    assert "量子计算是什么 ×1" in text


async def test_unanswered_in_a_group_asks_for_a_private_chat_and_shows_no_question(bot: Bot) -> None:
    await bot.text("量子计算是什么")
    reply = only(await bot.text("/unanswered", user_id=ADMIN, chat_type="group", chat_id=GROUP))
    assert reply.params["chat_id"] == GROUP
    assert "私聊" in visible(reply) and "量子计算" not in reply.text
    assert "量子计算是什么 ×1" in visible(only(await bot.text("/unanswered", user_id=ADMIN)))


async def test_reload_keeps_the_running_knowledge_when_the_file_is_broken(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "knowledge")
    running = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(folder)), None)
    try:
        before = running.app.bot_data.library
        entries = (folder / "entries.yaml").read_text(encoding="utf-8")
        (folder / "entries.yaml").write_text(
            entries.replace("kind: term", "kind: slogan", 1), encoding="utf-8"
        )
        text = visible(only(await running.text("/reload", user_id=ADMIN)))
        assert re.search(r"entries\.yaml:\d+: entry 'term-si-mingque': unknown kind 'slogan'", text)
        assert running.app.bot_data.library is before
        (folder / "entries.yaml").write_text(entries, encoding="utf-8")
        assert "3 条" in visible(only(await running.text("/reload", user_id=ADMIN)))
        assert running.app.bot_data.library is not before
    finally:
        await stopped(running)


# ---- privacy ---------------------------------------------------------------------------------------------


async def test_forget_asks_first_then_deletes_everything_about_the_person(bot: Bot) -> None:
    await bot.text("四明确指什么")
    await bot.text("四明确指什么", user_id=OTHER)
    ask = only(await bot.text("/forget"))
    assert ask.callback_data() == ["d:yes", "d:no"]
    kept = await bot.press("d:no")
    assert "什么也没有删除" in visible(kept[-1])
    assert len(await bot.exchanges()) == 2  # /forget and its buttons are not logged themselves
    done = await bot.press("d:yes")
    assert "已删除" in visible(done[-1])
    assert [e["user_id"] for e in await bot.exchanges()] == [OTHER]


# ---- failures --------------------------------------------------------------------------------------------


async def test_a_failure_is_logged_with_its_traceback_and_the_person_told(bot: Bot, caplog) -> None:
    bot.telegram.fail_next("sendMessage", status=400)  # a refusal: not tried again
    calls = await bot.text("四明确指什么")
    assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
    assert calls[-1].text == texts.ERROR
    failure = next(r for r in caplog.records if r.name == "bot.telegram.app" and r.levelno == logging.ERROR)
    assert failure.exc_info is not None
    [logged] = await bot.exchanges()
    assert logged["status"] == "error"
    assert TOKEN not in caplog.text


async def test_a_reply_telegram_did_not_receive_is_sent_again_without_an_error_notice(
    bot: Bot, caplog
) -> None:
    bot.telegram.fail_next("sendMessage", times=2)  # 500, 500, then the answer gets through
    calls = await bot.text("四明确指什么")
    assert [c.method for c in calls] == ["sendMessage"] * 3
    assert "四明确" in visible(calls[-1]) and all(c.text != texts.ERROR for c in calls)
    assert [r.getMessage().split()[0] for r in caplog.records if "send_retry" in r.getMessage()] == [
        "event=send_retry"
    ] * 2
    [logged] = await bot.exchanges()
    assert logged["status"] == "ok"


async def test_the_bot_user_is_what_get_me_returned(bot: Bot) -> None:
    assert bot.app.bot.id == BOT_ID and bot.app.bot.username == BOT_USERNAME


# ---- groups and first contact ------------------------------------------------------------------------------


async def test_start_and_help_in_a_group_say_how_to_ask_there(bot: Bot) -> None:
    for command in ("/start", "/help"):
        text = visible(only(await bot.text(command, chat_type="supergroup")))
        assert text.startswith("在群里这样问我") and "/ask" in text and f"@{BOT_USERNAME}" in text


async def test_an_admins_help_lists_the_admin_commands_and_a_members_does_not(bot: Bot) -> None:
    assert "/reload" in visible(only(await bot.text("/help", user_id=ADMIN)))
    assert "/reload" not in visible(only(await bot.text("/help")))


async def test_the_bot_describes_itself_before_the_first_message(bot: Bot) -> None:
    [described] = bot.telegram.sent("setMyDescription")
    assert bot.app.bot_data.library.kb.pack.meeting in described.params["description"]
    assert len(described.params["description"]) <= 512
    assert (
        bot.telegram.sent("setMyShortDescription")[0].params["short_description"] == texts.SHORT_DESCRIPTION
    )


@pytest.mark.parametrize("said", ["谢谢", "好的", "🙏", "谢谢您！", "嗯嗯", "你好"])
async def test_small_talk_gets_a_short_kind_reply_not_a_search_or_a_request_for_text(
    bot: Bot, said: str
) -> None:
    text = visible(only(await bot.text(said)))
    assert len(text) <= 40 and "超出了" not in text and "/help 查看" not in text and "文字" not in text


async def test_thanks_keeps_the_topic_for_the_next_follow_up(bot: Bot) -> None:
    await bot.text("五个必由之路是什么")
    await bot.text("谢谢")
    assert "团结奋斗" in visible(only(await bot.text("那第三条呢")))


async def test_a_letter_typed_after_a_quiz_poll_says_polls_are_answered_by_tapping(bot: Bot) -> None:
    assert "答题请直接点" not in visible(only(await bot.text("B")))  # no poll lately: an ordinary message
    await bot.text("/quiz")
    for typed in ("B", "对"):
        assert visible(only(await bot.text(typed))) == texts.TAP_THE_POLL


async def test_an_at_mention_in_a_chat_the_bot_has_not_joined_gets_an_answer_card_in_guest_mode(
    bot: Bot,
) -> None:
    guest = message(f"@{BOT_USERNAME} 四明确指什么", user_id=77, chat_id=-4242, chat_type="group")
    guest["guest_query_id"] = "gq-1"
    calls = await bot.send("guest_message", guest)
    [answer] = [c for c in calls if c.method == "answerGuestQuery"]
    assert answer.params["guest_query_id"] == "gq-1"
    card = answer.params["result"]["input_message_content"]["message_text"]
    assert "四明确" in card and "<blockquote expandable>" in card
    assert not [c for c in calls if c.method == "sendMessage"]  # nothing posted into a chat it is not in
    [logged] = await bot.exchanges()
    assert logged["question"] == "四明确指什么" and logged["answered"]
