"""A second pack, so that no test depends on one speech alone: a pack needs no code.

tests/packs/2023q3-work-style/ is an invented speech of the same genre (a county bureau's third-quarter meeting on
work style, numbered 首先/其次/再次/最后 and 第一，第二，第三, closing on 各位同志), with its own entries, rules,
synonyms and examples, and entry ids unlike the shipped pack's. The bot serves it through the CLI, the console
chat and the Telegram handlers as it serves the shipped pack. Every expected answer is read from the pack's own
files (its entries, pack.yaml, rules.yaml), never copied from a speech. The quiz's lists.yaml is not part of it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from bot.knowledge import (
    DEFAULT_DIR,
    PACK_TEXTS,
    Entry,
    KnowledgeBase,
    load_knowledge,
    name_key,
    resolve_pack,
)
from bot.matching import Matcher, build_matcher
from bot.quiz import SINGLE, all_questions
from bot.service import Service
from bot.telegram.html import escape
from tests.fake_bot_api import parse_html
from tests.test_telegram_handlers import only, settings_for, started, stopped, visible

ROOT = Path(__file__).resolve().parent.parent
PACK = Path(__file__).resolve().parent / "packs" / "2023q3-work-style"
SHIPPED = resolve_pack(DEFAULT_DIR)
PACKS = [pytest.param(SHIPPED, id="shipped"), pytest.param(PACK, id="second")]
OFF_TOPIC = "今天天气怎么样"
MAX_CHARS = 300  # any number: too_long shows it


@cache
def loaded(pack: Path) -> tuple[KnowledgeBase, Matcher]:
    kb = load_knowledge(pack)
    return kb, build_matcher(kb)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return loaded(PACK)[0]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return loaded(PACK)[1]


@pytest.fixture(scope="module")
def library() -> Service:
    return Service.load(PACK)


def named(kb: KnowledgeBase, name: str) -> Entry:
    """The entry of the pack that has this title or alias."""
    [entry] = [e for e in kb.entries if name_key(name) in {name_key(n) for n in e.names}]
    return entry


def quoting(kb: KnowledgeBase, words: str) -> Entry:
    """The one fact of the pack whose quotes hold these words."""
    [entry] = [e for e in kb.entries if e.kind == "fact" and any(words in q for q in e.quotes)]
    return entry


def naming(kb: KnowledgeBase, question: str) -> Entry | None:
    """The entry whose longest name stands in the question (None when no name does)."""
    found = [(len(n), e) for e in kb.entries for n in e.names if name_key(n) in name_key(question)]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def items(kb: KnowledgeBase, matcher: Matcher, parent: str) -> list[Entry]:
    """The numbered items of a list entry, as rules.yaml's `children` names them (tasks → task-1, task-2 …)."""
    template = matcher.rules.children[parent]
    found, n = [], 1
    while template.format(n=n) in kb:
        found.append(kb[template.format(n=n)])
        n += 1
    return found


def run_bot(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bot --knowledge <the second pack> …` in a subprocess, its database and caches in tmp_path."""
    env = {**os.environ, "BOT_DB": str(tmp_path / "db" / "bot.sqlite3"), "BOT_CACHE_DIR": str(tmp_path / "c")}
    env.pop("BOT_KNOWLEDGE", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(PACK), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


# ---- the pack --------------------------------------------------------------------------------------------


def test_the_pack_is_a_whole_speech_with_every_kind_of_entry(kb: KnowledgeBase) -> None:
    """A speech of the genre's length, sections, terms and facts, a document it only names, a background note;
    and ids of its own: no code may rely on the shipped pack's ids."""
    assert 1500 <= len(re.findall(r"[\u4e00-\u9fff]", kb.speech)) <= 2500
    assert {e.kind for e in kb.entries} == {"section", "term", "fact"}
    assert any(e.mention_only for e in kb.entries) and any(e.background for e in kb.entries)
    assert not {e.id for e in kb.entries} & {e.id for e in loaded(SHIPPED)[0].entries}
    assert kb.pack.closing_marker and kb.speech.count("\n" + kb.pack.closing_marker) == 1
    assert kb.pack.date > loaded(SHIPPED)[0].pack.date


def test_a_folder_holding_both_packs_serves_the_newer_this_one(tmp_path: Path, kb: KnowledgeBase) -> None:
    for pack in (SHIPPED, PACK):
        shutil.copytree(pack, tmp_path / "packs" / pack.name)
    served = load_knowledge(tmp_path / "packs")
    assert served.directory == tmp_path / "packs" / PACK.name and served.pack.meeting == kb.pack.meeting


def test_kb_check_passes_and_kb_list_lists_every_entry(tmp_path: Path, kb: KnowledgeBase) -> None:
    checked = run_bot(tmp_path, "kb", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith(f"knowledge base OK: {len(kb)} entries")
    # The out-of-scope model is fitted on this pack's own examples too, with its own threshold.
    assert re.search(r"out of scope: threshold 0\.\d\d by cross-validation over \d+ in-scope", checked.stdout)
    listed = run_bot(tmp_path, "kb", "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split(maxsplit=2) for line in listed.stdout.splitlines()]
    assert rows == [[e.id, e.kind, e.title] for e in kb.entries]


def test_the_help_names_no_other_speech(tmp_path: Path) -> None:
    shipped = loaded(SHIPPED)[0].pack
    done = run_bot(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    assert shipped.date[:4] not in done.stdout


# ---- asking ----------------------------------------------------------------------------------------------


def test_ask_answers_its_own_slogans_and_lists_with_the_quote_and_where(
    tmp_path: Path, kb: KnowledgeBase, matcher: Matcher
) -> None:
    """Each question gets its entry: the title, every quote of the speech and where they stand."""
    expected = {
        "三个紧盯是什么": named(kb, "三个紧盯"),
        "三怕指什么": named(kb, "三怕"),
        "三个一线是哪三个": named(kb, "三个一线"),
        "五个严禁指哪些": named(kb, "五个严禁"),
        "窗口单位要落实哪三项制度": named(kb, "三项制度"),
        "局纪检组要做什么": named(kb, "局纪检组要做什么"),
        "各科室负责人每月要下村几次": quoting(kb, "每月下村组调研"),
        "讲话指出了哪几方面的问题": named(kb, "存在的问题"),
        "第二点要求是什么": items(kb, matcher, named(kb, "三点要求").id)[1],
        "第三个问题是什么": items(kb, matcher, named(kb, "存在的问题").id)[2],
    }
    done = run_bot(tmp_path, "ask", "--json", stdin="\n".join(expected) + "\n")
    assert done.returncode == 0, done.stderr
    replies = {r["question"]: r for r in map(json.loads, done.stdout.splitlines())}
    for question, entry in expected.items():
        reply = replies[question]
        assert reply["answered"] and reply["entry"] == entry.id, (question, reply["entry"], entry.id)
        assert reply["answer"].startswith(f"【{entry.title}】")
        assert all(quote in reply["answer"] for quote in entry.quotes)
        assert f"出处：{entry.where}" in reply["answer"]


def test_ask_declines_an_off_topic_question_with_this_pack_decline_sentence(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    done = run_bot(tmp_path, "ask", OFF_TOPIC)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == kb.pack.text("decline")
    assert kb.pack.meeting in done.stdout and loaded(SHIPPED)[0].pack.meeting not in done.stdout


def test_a_question_for_the_contents_of_a_document_it_only_names_is_told_so(
    kb: KnowledgeBase, matcher: Matcher
) -> None:
    [document] = [e for e in kb.entries if e.mention_only]
    told = matcher.match(f"{document.title}的主要内容是什么")
    assert told.outcome == "unstated" and not told.answered  # told so, then what the speech says of it
    assert told.suggestions == (document.id,)
    date = matcher.match(f"{document.title}是哪一天印发的")
    assert date.outcome != "answer" and not date.answered  # a date it never gives is no answer


def test_an_ordinal_picks_the_item_of_the_list_the_question_names(
    kb: KnowledgeBase, matcher: Matcher
) -> None:
    """rules.yaml's `children` tie 要求中的第N点 and 第N个问题 to this pack's own ids."""
    for parent, ask in (
        (named(kb, "三点要求"), "要求中的第{n}点是什么"),
        (named(kb, "存在的问题"), "第{n}个问题是什么"),
    ):
        for n, item in enumerate(items(kb, matcher, parent.id), 1):
            found = matcher.match(ask.format(n="一二三四五"[n - 1]))
            assert found.answered and found.entry_id == item.id, (parent.id, n, found.entry_id)


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.xfail(
    strict=True,
    reason="not speech-specific, in both packs: bot/matching finds the list's own count name (三点要求, "
    "五方面要求) inside 第三点要求 / 第五方面要求, and that name outscores the ordinal's lift of the last item",
)
def test_asking_for_the_last_item_by_the_list_count_name_gets_that_item(pack: Path) -> None:
    """A list called 三点要求 (or 五方面要求): 第三点要求是什么 asks for its third item, not for the list."""
    kb, matcher = loaded(pack)
    count_name = re.compile(r"^(?P<n>[一二三四五六七八九])个?(?:点|方面)要求$")
    asked = {
        f"第{alias}是什么": items(kb, matcher, parent)[-1].id
        for parent in matcher.rules.children
        for alias in kb[parent].aliases
        if (m := count_name.match(alias))
        and "一二三四五六七八九".index(m["n"]) + 1 == len(items(kb, matcher, parent))
    }
    assert asked
    assert {q: matcher.match(q).entry_id for q in asked} == asked


def test_the_outline_nests_each_list_of_items_under_its_list(library: Service) -> None:
    for parent in library.matcher.rules.children:
        assert library.outline.children[parent] == library.kb[parent].related
        assert parent in library.outline.children[""]


# ---- the quiz --------------------------------------------------------------------------------------------


def test_the_quiz_bank_is_not_empty_and_every_evidence_is_the_speech_verbatim(kb: KnowledgeBase) -> None:
    bank = all_questions(kb)
    assert bank
    assert [q.id for q in bank if q.evidence not in kb.speech] == []
    assert {q.entry_id for q in bank} <= set(kb.by_id)


@pytest.mark.parametrize(
    "pack",
    [
        pytest.param(SHIPPED, id="shipped"),
        pytest.param(
            PACK,
            id="second",
            marks=pytest.mark.xfail(
                strict=True,
                reason="the quiz now reads 首先…最后 and 第一，第二， as runs, but this pack's two runs both fall "
                "under the speech as a whole, and lists.yaml can name only the run of parts apart from the rest: "
                "'讲话中，第二点是？' would be ambiguous, so no question asks which one stands at an ordinal",
            ),
        ),
    ],
)
def test_the_quiz_asks_which_item_stands_at_each_ordinal_of_a_numbered_list(pack: Path) -> None:
    """For each numbered list (rules.yaml's `children`), a single-choice question whose evidence opens the
    item's heading (its first quote) and whose right answer stands in it."""
    kb, matcher = loaded(pack)
    bank = [q for q in all_questions(kb) if q.type == SINGLE]
    missing = [
        item.id
        for parent in matcher.rules.children
        for item in items(kb, matcher, parent)
        if not any(
            item.quotes[0].startswith(q.evidence) and all(a in item.quotes[0] for a in q.answers)
            for q in bank
        )
    ]
    assert missing == []


# ---- the console -----------------------------------------------------------------------------------------


def test_the_console_chat_shows_this_pack_welcome_and_answers_a_question(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    entry = named(kb, kb.pack.example_term)
    done = run_bot(tmp_path, "chat", "--no-log", stdin=f"{kb.pack.example_term}是什么\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(kb.pack.text("console_welcome"))
    assert f"【{entry.title}】" in done.stdout and entry.quotes[0] in done.stdout
    assert not (tmp_path / "db").exists()


# ---- Telegram --------------------------------------------------------------------------------------------


async def test_start_welcomes_with_this_pack_welcome_and_its_examples(
    tmp_path: Path, library: Service
) -> None:
    pack = library.kb.pack
    bot = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(PACK)), library)
    try:
        reply = only(await bot.text("/start"))
        assert parse_html(pack.text("welcome", meeting=escape(pack.meeting))) in visible(reply)
        assert reply.callback_data() == [f"x:{n}" for n in range(len(pack.examples))]
        first = naming(library.kb, pack.examples[0])
        assert first is not None
        assert visible(only(await bot.press("x:0"))).startswith(first.title)
    finally:
        await stopped(bot)


async def test_about_names_this_meeting_and_its_date(tmp_path: Path, library: Service) -> None:
    pack = library.kb.pack
    bot = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(PACK)), library)
    try:
        text = visible(only(await bot.text("/about")))
        assert pack.meeting in text and pack.date_text in text and pack.body in text
        assert loaded(SHIPPED)[0].pack.meeting not in text
    finally:
        await stopped(bot)


async def test_a_question_gets_its_entry_quoted_with_where_it_stands(
    tmp_path: Path, library: Service
) -> None:
    entry = named(library.kb, "五个严禁")
    bot = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(PACK)), library)
    try:
        reply = only(await bot.text("五个严禁指哪些？"))
        assert reply.text.startswith(f"<b>{escape(entry.title)}</b>")
        quote = re.search(r"<blockquote expandable>(.*?)</blockquote>", reply.text, re.S)
        assert (
            quote
            and escape(entry.quotes[0]) in quote.group(1)
            and f"— {escape(entry.where)}" in quote.group(1)
        )
        [logged] = [row async for row in bot.app.bot_data.store.iter_exchanges()]
        assert logged["answered"] and logged["entry_id"] == entry.id
    finally:
        await stopped(bot)


async def test_an_off_topic_question_is_declined_naming_this_meeting(
    tmp_path: Path, library: Service
) -> None:
    bot = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(PACK)), library)
    try:
        text = visible(only(await bot.text(OFF_TOPIC)))
        assert text.startswith(library.kb.pack.text("decline").splitlines()[0])
        assert library.kb.pack.meeting in text and loaded(SHIPPED)[0].pack.meeting not in text
    finally:
        await stopped(bot)


async def test_post_init_loads_this_pack_from_bot_knowledge(tmp_path: Path, kb: KnowledgeBase) -> None:
    bot = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(PACK)), None)
    try:
        assert [e.id for e in bot.app.bot_data.library.kb.entries] == [e.id for e in kb.entries]
    finally:
        await stopped(bot)


# ---- both packs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pack", PACKS)
def test_every_quote_of_every_entry_stands_in_its_speech(pack: Path) -> None:
    kb = loaded(pack)[0]
    assert [(e.id, q[:20]) for e in kb.entries for q in e.quotes if q not in kb.speech] == []


@pytest.mark.parametrize("pack", PACKS)
def test_every_text_of_the_pack_formats_and_names_its_own_meeting_only(pack: Path) -> None:
    kb = loaded(pack)[0]
    others = [loaded(p)[0].pack for p in (SHIPPED, PACK) if p != pack]
    for key in PACK_TEXTS:
        text = kb.pack.text(key, max_chars=MAX_CHARS)
        assert text.strip() and "{" not in text and "}" not in text, key
        for other in others:
            assert other.meeting not in text, key
            assert not [example for example in other.examples if example in text], key
    for key in ("decline", "welcome", "console_welcome"):
        assert kb.pack.meeting in kb.pack.text(key), key
    assert str(MAX_CHARS) in kb.pack.text("too_long", max_chars=MAX_CHARS)


@pytest.mark.parametrize("pack", PACKS)
def test_the_answer_to_each_entry_title_is_that_entry(pack: Path) -> None:
    kb, matcher = loaded(pack)
    wrong = []
    for entry in kb.entries:
        found = matcher.match(entry.title)
        if not (found.answered and found.entry_id == entry.id):
            wrong.append((entry.id, found.outcome, found.entry_id))
    assert wrong == []


@pytest.mark.parametrize("pack", PACKS)
def test_each_example_of_the_pack_is_answered(pack: Path) -> None:
    """The examples pack.yaml offers on /start and in the help are questions the bot answers."""
    kb, matcher = loaded(pack)
    assert kb.pack.examples
    assert [q for q in kb.pack.examples if not matcher.match(q).answered] == []


@pytest.mark.xfail(
    strict=True,
    reason="bot/matching's thresholds (CONFIDENT, CLEAR_WINNER, EVIDENCE_*, DESCRIBED_*) were chosen on the "
    "shipped speech's questions (shared/eval/dev.yaml): over this small pack a few of the shipped speech's "
    "slogans are answered with a weak entry instead of declined",
)
def test_a_slogan_of_the_other_speech_is_not_answered_from_this_one(
    kb: KnowledgeBase, matcher: Matcher
) -> None:
    """The shipped speech's terms that this speech never says, asked here, are not passed off as answers."""
    shipped = loaded(SHIPPED)[0]
    foreign = [e.title for e in shipped.entries if e.kind == "term" and e.title not in kb.speech]
    assert foreign
    answered = [(t, found.entry_id) for t in foreign if (found := matcher.match(f"{t}是什么")).answered]
    assert answered == []
