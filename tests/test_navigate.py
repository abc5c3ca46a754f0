"""Reading sentence by sentence (bot.navigate): a sentence pointed at by its words, and the one before, after,
or around it; then the same through the service and a conversation, over both packs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.conversation import Context, follow
from bot.knowledge import DEFAULT_DIR, resolve_pack
from bot.navigate import Step, find_sentence, pointed_phrase, read, step_asked
from bot.service import Service

SECOND = Path(__file__).resolve().parent / "packs" / "2023q3-work-style"
PACKS = [pytest.param(resolve_pack(DEFAULT_DIR), id="shipped"), pytest.param(SECOND, id="second")]
SPEECH = "开头先说两句。要把支部建设抓实抓细，决不能走过场。有的支部只挂名不干事。结尾再说一句。"
SENTENCES = [(SPEECH.index(s), s) for s in re.findall(r"[^。]+。", SPEECH)]


def test_a_message_points_at_a_sentence_by_its_words_and_asks_a_step() -> None:
    assert pointed_phrase("抓实抓细那句前面一句是什么", SPEECH) == "抓实抓细"
    assert pointed_phrase("只挂名不干事后面怎么说", SPEECH) == "只挂名不干事"  # no 那句: the speech's words
    assert pointed_phrase("天气不错后面怎么说", SPEECH) is None  # words the speech does not hold
    assert step_asked("前面一句是什么") == Step(-1)
    assert step_asked("下一句呢") == Step(1)
    assert step_asked("给我前后文") == Step(0, around=True)
    assert step_asked("原话是什么") == Step(0)
    assert step_asked("这是什么意思") is None


def test_the_sentence_is_found_by_its_words_or_their_longest_run_held_once() -> None:
    assert find_sentence(SENTENCES, "抓实抓细") == 1
    assert find_sentence(SENTENCES, "只挂名不干活儿") == 2  # 只挂名不干 stands in one sentence only
    assert find_sentence(SENTENCES, "说") is None  # in several sentences: none is pointed at


def test_a_step_reads_the_sentence_on_its_side_and_the_clause_after_a_phrase_inside_one() -> None:
    assert read(SENTENCES, 2, Step(-1)) == (1,)
    assert read(SENTENCES, 2, Step(1)) == (3,)
    assert read(SENTENCES, 3, Step(1)) == ()  # past the end
    assert read(SENTENCES, 1, Step(0, around=True)) == (0, 1, 2)
    # 抓实抓细 stands inside its sentence: the clause after it (决不能走过场) is read with the next sentence.
    assert read(SENTENCES, 1, Step(1), "要把支部建设") == (1, 2)
    assert read(SENTENCES, 1, Step(1), "决不能走过场") == (2,)


@pytest.mark.parametrize("pack", PACKS)
def test_the_service_reads_the_sentence_before_one_a_question_points_at(pack: Path) -> None:
    service = Service.load(pack)
    index, (_, text) = next(
        (i, s) for i, s in enumerate(service.sentences) if i > 0 and len(s[1]) > 20 and s[1].endswith("。")
    )
    phrase = text.strip()[:8]  # the sentence's first words: no clause before them
    if find_sentence(service.sentences, phrase) != index:
        pytest.skip("those words stand in more than one sentence")
    answered = service.ask(f"{phrase}那句前面一句是什么")
    assert answered.answered
    assert [h.offset for h in answered.reply.hits] == [service.sentences[index - 1][0]]


@pytest.mark.parametrize("pack", PACKS)
def test_next_sentence_in_a_conversation_reads_on_from_the_last_sentence_read(pack: Path) -> None:
    service = Service.load(pack)
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    entry = next(
        e
        for e in service.kb.entries
        if e.kind == "term" and e.quotes and service.kb.locate(e.quotes[-1]) >= 0
    )
    context: Context | None = Context(entry.id, entry.title, now)
    first, context = follow(service, "下一句", context, now)
    second, context = follow(service, "再往后一句", context, now)
    quote_at = service.sentence_index(service.kb.locate(entry.quotes[-1]))
    assert first.answered and second.answered
    assert first.reply.hits[-1].offset == service.sentences[quote_at + 1][0]
    assert second.reply.hits[-1].offset == service.sentences[quote_at + 2][0]
