"""Follow-ups (bot.conversation) over every pack: an item by its place, the next one, the same again, a switch
of topic, a question the speech does not answer, and forgetting; then the `ask --json` session protocol and a
reply to one of the bot's answers in Telegram."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from bot.conversation import FORGET_AFTER, Context, follow
from bot.knowledge import DEFAULT_DIR, resolve_pack
from bot.normalize import normalize
from bot.service import Service
from tests.fake_bot_api import BOT_USER
from tests.test_telegram_handlers import USER, Bot, library, only, visible  # noqa: F401 - fixtures
from tests.test_telegram_handlers import bot as bot

ROOT = Path(__file__).resolve().parent.parent
SECOND = Path(__file__).resolve().parent / "packs" / "2023q3-work-style"
PACKS = [pytest.param(resolve_pack(DEFAULT_DIR), id="shipped"), pytest.param(SECOND, id="second")]
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NUMERALS = "一二三四五六七八九十"


@cache
def service_of(pack: Path) -> Service:
    return Service.load(pack)


def a_list(service: Service) -> tuple[str, list[str]]:
    """A list entry of the pack with three items or more, and its items' ids in order."""
    lists = service.matcher.lists
    for index, entry in enumerate(service.kb.entries):
        items = lists.items(index)
        if len(items) >= 3:
            return entry.id, [service.kb.entries[i].id for i in items]
    raise AssertionError("the pack has no list of three")


def shown_after(service: Service, entry_id: str, *questions: str) -> list[str | None]:
    """The entry each question shows, asked in turn after `entry_id` was shown."""
    context: Context | None = Context(entry_id, service.kb[entry_id].title, NOW)
    found = []
    for question in questions:
        answered, context = follow(service, question, context, NOW)
        found.append(answered.entry_id if answered.answered else None)
    return found


@pytest.mark.parametrize("pack", PACKS)
def test_an_item_is_asked_for_by_its_place_in_the_list_just_shown(pack: Path) -> None:
    service = service_of(pack)
    parent, items = a_list(service)
    assert shown_after(service, parent, "那第二条呢") == [items[1]]
    assert shown_after(service, parent, "第三个") == [items[2]]
    assert shown_after(service, parent, "最后一个呢") == [items[-1]]
    assert shown_after(service, parent, "倒数第二个") == [items[-2]]
    # From an item, a place is among its siblings.
    assert shown_after(service, parent, "第二条", "第一个") == [items[1], items[0]]


@pytest.fixture(scope="module")
def drafted_roman(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pack drafted from tests/drafts/roman.txt: parts whose points have points of their own."""
    from bot.draft.build import draft_pack
    from bot.draft.write import write_pack

    speech = (Path(__file__).resolve().parent / "drafts" / "roman.txt").read_text(encoding="utf-8")
    folder = tmp_path_factory.mktemp("roman") / "pack"
    write_pack(draft_pack(speech), speech, folder)
    return folder


@pytest.mark.parametrize("which", ["shipped", "drafted"])
def test_asking_what_an_item_holds_makes_its_points_the_next_ordinals_list(
    which: str, drafted_roman: Path
) -> None:
    service = service_of(resolve_pack(DEFAULT_DIR) if which == "shipped" else drafted_roman)
    lists, entries = service.matcher.lists, service.kb.entries
    parent, item, points = next(
        (entries[p].id, entries[i].id, [entries[k].id for k in lists.items(i)])
        for p in range(len(entries))
        for n, i in enumerate(lists.items(p)[:9], 1)
        if n >= 2 and len(lists.items(i)) >= 2
    )
    n = [entries[i].id for i in lists.items(service.matcher.index.index_of[parent])].index(item) + 1
    ordinal = "一二三四五六七八九"[n - 1]
    assert shown_after(service, parent, f"第{ordinal}个底下包括哪些", "第二条") == [item, points[1]]


def test_an_ordinal_with_a_word_naming_a_list_the_shown_section_retells_is_an_item_of_that_list() -> None:
    """最后一个X after a section that retells a list of X (lists.yaml, kept with a term of its own): that
    list's last item, not the section's last sibling."""
    from bot.conversation import _holds_items

    service = service_of(resolve_pack(DEFAULT_DIR))
    lists, index_of = service.matcher.lists, service.matcher.index.index_of
    found = [
        (entry.id, owner, label[-2:], items[-1][1])
        for owner, (label, items) in service.speech_lists.items()
        for entry in service.kb.entries
        if entry.id != owner
        and len(items) >= 2
        and lists.parent(index_of[entry.id]) is not None
        and _holds_items(normalize(entry.answer + "".join(entry.quotes)), items)
        and all("\u4e00" <= c <= "\u9fff" for c in label[-2:])
        and sum(label[-2:] in other for other, _ in service.speech_lists.values()) >= 2
    ]
    assert found, "the pack has no section retelling a list named like another"
    section, _, word, last = found[0]
    context = Context(section, service.kb[section].title, NOW)
    answered, _ = follow(service, f"倒数第一个{word}是怎么要求的", context, NOW)
    assert answered.reply.outcome == "item" and answered.reply.hits[0].word == last


@pytest.mark.parametrize("pack", PACKS)
def test_more_is_the_next_item(pack: Path) -> None:
    service = service_of(pack)
    _, items = a_list(service)
    assert shown_after(service, items[0], "还有呢", "然后呢") == [items[1], items[2]]
    assert shown_after(service, items[2], "上一个呢", "上一条") == [items[1], items[0]]


@pytest.mark.parametrize("pack", PACKS)
def test_asking_for_the_original_words_shows_the_same_entry(pack: Path) -> None:
    service = service_of(pack)
    _, items = a_list(service)
    assert shown_after(service, items[1], "原文怎么说", "这是在哪一部分") == [items[1], items[1]]
    # A longer message pointing back at what was shown (这是, 同一段) asks the same, however long it is.
    assert shown_after(service, items[1], "这一条出自哪一部分，那部分的标题是什么呀") == [items[1]]
    assert shown_after(service, items[1], "同一段原文是什么") == [items[1]]


@pytest.mark.parametrize("pack", PACKS)
def test_a_topic_named_outright_switches_the_topic(pack: Path) -> None:
    service = service_of(pack)
    parent, items = a_list(service)
    other = next(e for e in service.kb.entries if e.kind == "term" and e.id not in {parent, *items})
    asked = service.ask(f"{other.title}是什么")
    assert asked.answered  # the pack's own term, alone
    assert shown_after(service, items[0], f"{other.title}是什么") == [asked.entry_id]


@pytest.mark.parametrize("pack", PACKS)
def test_a_question_the_speech_does_not_answer_is_declined_in_any_context(pack: Path) -> None:
    service = service_of(pack)
    parent, items = a_list(service)
    for shown in (parent, items[0]):
        assert shown_after(service, shown, "今天天气怎么样") == [None]
        assert shown_after(service, shown, "红烧肉怎么做") == [None]


@pytest.mark.parametrize("pack", PACKS)
def test_context_is_forgotten_after_twenty_minutes_of_silence(pack: Path) -> None:
    service = service_of(pack)
    parent, items = a_list(service)
    stale = Context(parent, service.kb[parent].title, NOW - FORGET_AFTER - timedelta(seconds=1))
    fresh = Context(parent, service.kb[parent].title, NOW - FORGET_AFTER + timedelta(seconds=1))
    assert follow(service, "那第二条呢", fresh, NOW)[0].entry_id == items[1]
    answered, context = follow(service, "那第二条呢", stale, NOW)
    assert answered.entry_id != items[1] or not answered.answered
    assert context is None or context.at == NOW


def ask_json(lines: list[str], tmp_path: Path) -> list[dict]:
    env = {**os.environ, "BOT_CACHE_DIR": str(tmp_path / "c")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(SECOND), "ask", "--json", "--no-log"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_ask_json_carries_context_within_a_session_and_not_across(tmp_path: Path) -> None:
    """Two sessions interleaved, and plain lines, which stay independent."""
    service = service_of(SECOND)
    parent, items = a_list(service)
    title = service.kb[parent].title
    other_parent = service.kb[items[0]].title
    replies = ask_json(
        [
            json.dumps({"session": "a", "q": f"{title}是什么"}, ensure_ascii=False),
            json.dumps({"session": "b", "q": f"{other_parent}是什么"}, ensure_ascii=False),
            json.dumps({"session": "a", "q": "那第二条呢"}, ensure_ascii=False),
            "那第二条呢",
        ],
        tmp_path,
    )
    assert [r["question"] for r in replies][:3] == [f"{title}是什么", f"{other_parent}是什么", "那第二条呢"]
    assert replies[0]["entry"] == parent
    assert replies[2]["answered"] and replies[2]["entry"] == items[1]
    assert not (replies[3]["answered"] and replies[3]["entry"] == items[1])  # no session: no context
    assert set(replies[0]) == {"question", "answered", "answer", "entry", "score", "suggestions"}


async def test_a_reply_to_one_of_the_bots_answers_reads_in_that_answers_topic(bot: Bot) -> None:
    """The topic moves on, then a reply to the first answer asks for an item of the list that answer showed."""
    service = bot.app.bot_data.library
    parent, items = a_list(service)
    only(await bot.text(f"{service.kb[parent].title}是什么", message_id=1))
    [first_id] = [m for (chat, m), shown in bot.app.bot_data.answers_sent.items() if shown == parent]
    other = next(e for e in service.kb.entries if e.kind == "term" and e.id not in {parent, *items})
    await bot.text(f"{other.title}是什么", message_id=2)
    answered_to = {
        "message_id": first_id,
        "date": 0,
        "chat": {"id": USER, "type": "private"},
        "from": BOT_USER,
    }
    answer = only(await bot.text("第三条", message_id=3, reply_to=answered_to))
    assert service.kb[items[2]].title in visible(answer)


@pytest.mark.parametrize("pack", PACKS)
def test_an_item_of_a_list_kept_as_text_is_quoted_by_its_place(pack: Path) -> None:
    """A list whose items are no entries of their own (lists.yaml): 第二个 after it quotes its second item."""
    service = service_of(pack)
    lists, index_of = service.matcher.lists, service.matcher.index.index_of
    held = [e for e in service.speech_lists if e in index_of and not lists.items(index_of[e])]
    if not held:
        pytest.skip("every list of this pack has entries for its items")
    entry_id = held[0]
    label, items = service.speech_lists[entry_id]
    answered, _ = follow(service, "那第二个呢", Context(entry_id, service.kb[entry_id].title, NOW), NOW)
    assert answered.answered and answered.reply.outcome == "item"
    assert answered.reply.hits[0].word == items[1][1] and answered.reply.lead.startswith(label)
    last, _ = follow(service, "最后一个", Context(entry_id, service.kb[entry_id].title, NOW), NOW)
    assert last.reply.hits[0].word == items[-1][1]


async def test_an_entry_opened_by_a_button_is_what_a_follow_up_reads(bot: Bot) -> None:
    service = bot.app.bot_data.library
    parent, items = a_list(service)
    await bot.press(f"e:{parent}")
    answer = only(await bot.text("那第二条呢"))
    assert service.kb[items[1]].title in visible(answer)


def test_a_name_that_starts_with_an_ordinal_is_no_place_in_a_list() -> None:
    """第一要事 is a name; 第一个, 第一条 and a bare 第一 before 呢 are places."""
    from bot.conversation import ORDINAL

    for name in ("那第一要事是啥", "第一议题指什么", "第二课堂"):
        assert ORDINAL.search(name) is None, name
    for place in ("第一个", "那第二条呢", "第三点是什么", "那第一呢", "第四", "最后一个", "二要是什么"):
        assert ORDINAL.search(place) is not None, place


def test_a_message_names_a_topic_when_more_than_a_follow_ups_words_are_left() -> None:
    from bot.conversation import _names_a_topic

    for topic in ("那对党总支呢", "那党员干部应该怎么做", "那对领导干部的配偶呢", "对差的单位怎么办"):
        assert _names_a_topic(topic), topic
    for follow_up in ("依据是什么", "后果", "出自哪部分", "为什么", "具体怎么做", "那还有呢", "主要是哪些人"):
        assert not _names_a_topic(follow_up), follow_up


@pytest.mark.parametrize("pack", PACKS)
def test_where_a_meeting_was_held_is_never_taken_from_the_topic(pack: Path) -> None:
    """A follow-up asking for what the speech never gives (a room, a city) is declined or said missing."""
    service = service_of(pack)
    parent, _ = a_list(service)
    for asked in ("会议在哪个会议室开的？", "那个会是在哪个城市开的？"):
        answered, _ = follow(service, asked, Context(parent, service.kb[parent].title, NOW), NOW)
        assert not answered.answered, asked


@pytest.mark.parametrize("pack", PACKS)
def test_who_the_bot_is_and_who_spoke_are_never_read_in_the_topics_terms(pack: Path) -> None:
    service = service_of(pack)
    parent, _ = a_list(service)
    context = Context(parent, service.kb[parent].title, NOW)
    who, _ = follow(service, "你是谁", context, NOW)
    assert not who.answered and who.reply.lead.startswith("我是讲话学习助手")
    assert service.kb.pack.meeting in who.reply.lead
    for asked in ("讲话人是谁", "讲话的人是局长还是书记？叫什么名字？"):
        speaker, _ = follow(service, asked, context, NOW)
        assert not speaker.answered and speaker.reply.lead.startswith("讲话原文没有写讲话人"), asked


@pytest.mark.parametrize("pack", PACKS)
def test_a_role_named_after_a_topic_gets_what_the_speech_says_of_that_role_there(pack: Path) -> None:
    """那党员呢 after a topic: the speech's sentences on that role (duty or not), ranked by the topic's words."""
    from bot.normalize import normalize

    service = service_of(pack)
    parent, _ = a_list(service)
    role = next(
        r for r in service.roles if any(w in service.kb.speech for w in r.speech)
    )  # one this speech has
    asked = f"那{role.asked[-1]}呢"
    reply = service.role_digest(normalize(asked), topic=normalize(service.kb[parent].title))
    assert reply is not None and reply.outcome == "digest" and 1 <= len(reply.hits) <= 3
    assert all(
        h.word in role.speech and f"{h.before}{h.word}{h.after}" in service.kb.speech for h in reply.hits
    )
    assert service.role_digest(normalize(asked)) is None  # alone, it asks no duty


@pytest.mark.parametrize("pack", PACKS)
def test_a_question_pointing_at_what_was_shown_shows_it_again_when_nothing_else_answers(pack: Path) -> None:
    service = service_of(pack)
    _, items = a_list(service)
    answered, after = follow(
        service, "用它是为了干啥", Context(items[0], service.kb[items[0]].title, NOW), NOW
    )
    assert answered.answered
    # The entry again, or the sentences next to its quote that read like a purpose, where it stands.
    shown_again = items[0] in (*answered.reply.entry_ids, answered.entry_id)
    next_to_it = answered.reply.hits and all(
        h.where == service.kb[items[0]].where for h in answered.reply.hits
    )
    assert shown_again or next_to_it
    assert after is not None and after.entry_id == items[0]  # the topic stays


def a_list_of_lists(service: Service) -> tuple[str, list[str], str, list[str]]:  # or skip
    """A list whose items are lists in turn, its items, its first item that has items, and those items."""
    lists, entries = service.matcher.lists, service.kb.entries
    for index, entry in enumerate(entries):
        items = lists.items(index)
        for item in items:
            if len(lists.items(item)) >= 2:
                own = [entries[i].id for i in lists.items(item)]
                return entry.id, [entries[i].id for i in items], entries[item].id, own
    pytest.skip("this pack has no list of lists")


@pytest.mark.parametrize("pack", PACKS)
def test_a_bare_ordinal_goes_on_in_the_list_the_last_item_was_picked_from(pack: Path) -> None:
    service = service_of(pack)
    parent, items, _, _ = a_list_of_lists(service)
    # 第一个 picks from the parent's list; 最后一个 is then the parent's last, not the first item's own last.
    assert shown_after(service, parent, "第一个", "最后一个") == [items[0], items[-1]]


@pytest.mark.parametrize("pack", PACKS)
def test_an_ordinal_after_a_section_that_lists_its_points_is_one_of_those_points(pack: Path) -> None:
    service = service_of(pack)
    _, _, shown, points = a_list_of_lists(service)
    answer = service.kb[shown].answer
    if not all(service.kb[p].title[3:9] in answer for p in points[:2]):
        pytest.skip("this pack's sections do not list their points in their answers")
    assert shown_after(service, shown, "第二个") == [points[1]]


def test_an_ordinal_numbered_like_the_sections_after_a_fact_is_a_sibling_of_the_section_it_stands_in() -> (
    None
):
    service = service_of(resolve_pack(DEFAULT_DIR))
    lists, entries, index_of = service.matcher.lists, service.kb.entries, service.matcher.index.index_of
    for entry in entries:
        section = service.section_at.get(entry.where)
        at = index_of[entry.id]
        if entry.kind == "section" or section is None or lists.parent(at) is not None or lists.items(at):
            continue
        parent = lists.parent(index_of[section])
        if parent is None:
            continue
        siblings = lists.items(parent)
        marker = entries[siblings[0]].title[1:2]
        if len(siblings) >= 2 and marker in "要是" and all(entries[i].title[1:2] == marker for i in siblings):
            asked = f"{NUMERALS[len(siblings) - 1]}{marker}呢"
            assert shown_after(service, entry.id, asked) == [entries[siblings[-1]].id]
            return
    pytest.skip("no fact stands in a section numbered 一要/一是")


def test_a_follow_up_asking_why_or_for_an_example_is_answered_from_the_sentences_next_to_the_quote() -> None:
    from bot.nearby import nearby, runs

    paragraphs = [
        "开头说了别的事。",
        "要把支部建设抓实抓细。有的支部书记只挂名不干事，比如一年开不了几次会。之所以这样，是因为责任没有压实。",
        "另一段讲的是安全生产。有的单位比如食堂也要管。",
    ]
    speech = "\n".join(paragraphs)
    sentences = [(speech.index(s), s) for p in paragraphs for s in re.findall(r"[^。]+。", p)]
    at = {text[:4]: start for start, text in sentences}
    table = {start: runs(text) for start, text in sentences}
    shown = runs("要把支部建设抓实抓细。")
    example = nearby(sentences, table, speech, [at["要把支部"]], "举个例子", set(), shown)
    assert example[0] == at["有的支部"]  # the sentence with 有的/比如 right after the quote
    assert at["有的单位"] not in example  # another paragraph: not what was shown
    reason = nearby(sentences, table, speech, [at["有的支部"]], "为什么会这样", set(), set())
    assert reason[0] == at["之所以这"]  # the sentence that reads like a reason, next to what was shown
    assert nearby(sentences, table, speech, [at["要把支部"]], "好的", set(), shown) == ()  # asks nothing
    anchor = [at["有的支部"]]
    assert nearby(sentences, table, speech, anchor, "前面一句呢", set(), set())[0] == at["要把支部"]
    assert nearby(sentences, table, speech, anchor, "接下来讲的什么", set(), set())[-1] == at["之所以这"]


@pytest.mark.parametrize("pack", PACKS)
def test_a_follow_up_whose_words_all_stand_in_the_answer_just_shown_shows_it_again(pack: Path) -> None:
    service = service_of(pack)
    # A word of an entry's answer, asked as X对应哪个, which alone the matcher does not answer with confidence.
    found = next(
        (
            (entry.id, w)
            for entry in service.kb.entries
            for w in service.matcher.index.lexicon.tokens(entry.answer)
            if len(w) == 2
            and all("\u4e00" <= c <= "\u9fff" and c not in NUMERALS for c in w)
            and not service.named_in(w)
            and service.matcher.match(f"{w}对应哪个").score < service.matcher.confident * 0.5
        ),
        None,
    )
    if found is None:
        pytest.skip("every word of this pack's answers is answered alone")
    entry_id, word = found
    assert shown_after(service, entry_id, f"{word}对应哪个") == [entry_id]
