"""The service's own replies over every pack: the speech as a whole, a bare keyword, a role's duties; and the
matcher's refusal of slogans and years the speech never names (bot.matching.layers.absent)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from bot.knowledge import DEFAULT_DIR, resolve_pack
from bot.matching.layers.absent import Absent
from bot.normalize import normalize
from bot.present.model import FOCUS_LEAD
from bot.present.plain import plain
from bot.service import Service
from tests.conftest import write_kb

SECOND = Path(__file__).resolve().parent / "packs" / "2023q3-work-style"
PACKS = [pytest.param(resolve_pack(DEFAULT_DIR), id="shipped"), pytest.param(SECOND, id="second")]


@cache
def service_of(pack: Path) -> Service:
    return Service.load(pack)


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("question", ["这篇讲话主要讲了什么", "讲话分几个部分", "帮我概括一下讲话的要点"])
def test_the_speech_as_a_whole_is_its_outline_in_order_with_a_quote_of_each_part(
    pack: Path, question: str
) -> None:
    service = service_of(pack)
    answered = service.ask(question)
    assert answered.answered and answered.reply.outcome == "answer"
    [card] = answered.reply.cards
    tops = [service.kb[i].title for i in service.outline.children[""]]
    at = [card.text.index(title) for title in tops]
    assert at == sorted(at)  # every top-level part, in the speech's order
    assert len(card.quotes) >= len(tops)
    assert all(squeezed(q) in squeezed(service.kb.speech) for q in card.quotes)  # verbatim
    assert len(squeezed(plain(answered.reply))) <= 1500


@pytest.mark.parametrize("pack", PACKS)
def test_a_question_naming_an_entry_is_not_read_as_about_the_whole_speech(pack: Path) -> None:
    service = service_of(pack)
    term = next(e for e in service.kb.entries if e.kind == "term")
    assert service.ask(f"{term.title}的主要内容是什么").reply.cards[0].entry_id == term.id


@pytest.mark.parametrize("pack", PACKS)
def test_a_bare_keyword_gets_the_sentences_that_hold_it_each_with_where(pack: Path) -> None:
    service = service_of(pack)
    word = "监督" if "监督" in service.kb.speech else "作风"
    answered = service.ask(word)
    if answered.reply.outcome != "digest":
        pytest.skip(f"{word} is answered by an entry of this pack")
    hits = answered.reply.hits
    assert answered.answered and 1 <= len(hits) <= 3
    for hit in hits:
        assert hit.word == word and f"{hit.before}{hit.word}{hit.after}" in service.kb.speech
        assert hit.where
    assert len({h.where for h in hits}) == len(hits)  # spread over the speech's parts
    assert service.ask("宫保鸡丁").reply.outcome == "decline"  # a word the speech does not have


@pytest.mark.parametrize("pack", PACKS)
def test_a_role_question_gathers_what_the_speech_asks_of_that_role(pack: Path) -> None:
    service = service_of(pack)
    answered = service.ask("普通党员该做些什么，讲话有什么要求")
    if answered.reply.outcome != "digest":
        pytest.skip("an entry of this pack answers it")
    assert answered.reply.lead.startswith("讲话对党员提出的要求")
    for hit in answered.reply.hits:
        assert "党员" in hit.word and f"{hit.before}{hit.word}{hit.after}" in service.kb.speech


def test_a_role_word_inside_a_longer_title_is_not_the_role() -> None:
    """书记 in 总书记 is not a branch secretary."""
    service = service_of(resolve_pack(DEFAULT_DIR))
    reply = service.role_digest(normalize("支部书记有什么要求"))
    assert reply is not None
    assert all("总书记" not in h.before[-1:] + h.word for h in reply.hits)


def test_a_slogan_or_a_year_the_speech_never_names_is_absent() -> None:
    absent = Absent("坚持做到“四明确”。要开好“三会一课”，落实“两个维护”。今年是2022年。", ["四个更加自觉"])
    assert absent.absent(normalize("三严三实是哪几个方面")) == "三严三实"
    assert absent.absent(normalize("四个全面指什么")) == "四个全面"
    assert absent.absent(normalize("2023年的会讲了什么")) == "2023"
    assert absent.absent(normalize("五位一体包括哪五个方面")) == "五位一体"  # 包括哪五: asks what it holds
    assert (
        absent.absent(normalize("讲话对三严三实学习教育有什么要求")) == "三严三实"
    )  # asked of it, not what it is
    assert absent.absent(normalize("四明确和三位一体是什么关系")) == "三位一体"
    assert absent.absent(normalize("讲话怎么要求坚定三位一体")) == "三位一体"
    assert absent.absent("", "全国GDP增长了多少") == "GDP"  # an acronym the speech never writes
    assert absent.absent("", "在哪个APP上报名") is None  # an everyday one
    # The speech's own, typed another way or by sound; counting words; ordinals; an article.
    for known in (
        "四个明确是什么",
        "三会一课指什么",
        "两个维护是什么",
        "四个更佳自觉是哪四个",
        "三个方面是什么",
        "第三个是什么",
        "一个基层点是什么",
        "2022年讲了什么",
        "三严三实",
    ):
        assert absent.absent(normalize(known)) is None, known


@pytest.mark.parametrize("pack", PACKS)
def test_no_example_question_of_a_pack_is_taken_for_an_absent_slogan(pack: Path) -> None:
    service = service_of(pack)
    examples = yaml.safe_load((pack / "examples.yaml").read_text(encoding="utf-8")) or {}
    blocked = [q for qs in examples.values() for q in qs if service.matcher.absent.absent(normalize(q))]
    assert blocked == []


def a_sentence_with_a_number(service: Service) -> tuple[str, str]:
    """A sentence of the speech with a number in it, and the words around that number (a claim retells)."""
    import re

    for _, sentence in service.sentences:
        found = re.search(r"\d+[个项条次年月]", sentence)
        if found and len(sentence) >= 15:
            clauses = re.split(r"(?<=[，、])", sentence.strip())
            at = next(i for i, c in enumerate(clauses) if found.group() in c)
            return sentence.strip(), "".join(clauses[max(0, at - 1) : at + 2]).strip("，、")
    raise AssertionError("no sentence with a number")


@pytest.mark.parametrize("pack", PACKS)
def test_a_true_claim_is_confirmed_with_the_speechs_own_sentence(pack: Path) -> None:
    service = service_of(pack)
    sentence, words = a_sentence_with_a_number(service)
    reply = service.ask(f"讲话是不是说过{words}").reply
    assert reply.outcome == "claim" and reply.lead == "讲话原文是这样说的："
    assert reply.hits[0].word == sentence and reply.hits[0].where


@pytest.mark.parametrize("pack", PACKS)
def test_a_claim_with_a_wrong_number_is_corrected_from_the_speech(pack: Path) -> None:
    import re

    service = service_of(pack)
    sentence, words = a_sentence_with_a_number(service)
    number = re.search(r"\d+", words).group()
    altered = words.replace(number, str(int(number) + 7), 1)
    answered = service.ask(f"{altered}，对吧")
    assert answered.answered and answered.reply.lead.startswith("讲话原文不是这样说的")
    assert answered.reply.hits[0].word == sentence  # the true sentence, with where it stands
    assert sentence in plain(answered.reply)


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ("{topic}这项工作的负责人现在是谁", "具体是谁"),
        ("{topic}的经费预算是多少", "具体数字"),
        ("学{topic}要看的那部片子片名是什么", "具体名称"),
    ],
)
def test_a_person_a_figure_or_a_name_the_speech_never_gives_is_said_to_be_missing(
    pack: Path, asked: str, said: str
) -> None:
    service = service_of(pack)
    term = next(e for e in service.kb.entries if e.kind == "term" and not e.mention_only)
    answered = service.ask(asked.format(topic=term.title))
    assert answered.reply.outcome == "unstated" and not answered.answered
    assert said in answered.reply.lead


@pytest.mark.parametrize("pack", PACKS)
def test_a_question_buried_in_a_long_story_is_answered_as_if_asked_alone(pack: Path) -> None:
    service = service_of(pack)
    for term in (e for e in service.kb.entries if e.kind == "term"):
        alone = service.ask(f"{term.title}是什么意思")
        if alone.answered and alone.match is not None and alone.match.score >= service.matcher.confident:
            break
    else:
        pytest.fail("no term of this pack answered alone")
    story = (  # the story is in the speech's words too: read whole, it dilutes the question
        "我们单位人手少，党建和业务两头忙，支部开会学习也多，领导干部和党员都有点吃不消，工作作风也受影响。"
        f"我想问问{term.title}是什么意思，麻烦您了，谢谢"
    )
    answered = service.ask(story)
    assert answered.answered and answered.entry_id == alone.entry_id
    assert answered.question == story


@pytest.mark.parametrize("pack", PACKS)
def test_a_question_that_mentions_the_speech_and_a_point_of_it_is_not_about_the_whole(pack: Path) -> None:
    """讲话说…重点… names the speech and a point in passing: it asks about that point, not the structure."""
    service = service_of(pack)
    term = next(e for e in service.kb.entries if e.kind == "term")
    for asked in (
        f"讲话说{term.title}是工作重点，是吧",
        "那个讲话说今年的工作重点要抓落实了没有",
        "讲话说检查的内容变了吗",
    ):
        cards = service.ask(asked).reply.cards
        assert not any(card.title == "讲话的结构" for card in cards), asked


def test_a_word_three_times_in_one_sentence_is_one_search_hit() -> None:
    from bot.outline import SpeechIndex

    index = SpeechIndex("监督再监督，还要监督。\n二、再说监督。", (0, 12), ("一、头", "二、尾"))
    hits = index.hits(0, 2)
    assert [(h.offset, h.where) for h in hits] == [(0, "一、头"), (16, "二、尾")]


def test_an_entry_offered_is_not_one_that_shares_only_a_numeral_with_the_question() -> None:
    from bot.knowledge import Entry
    from bot.service import numeral_only

    three = Entry("t", "term", "三个支部", "…", ("…",), "一、", aliases=("三个会",))
    assert numeral_only(three, normalize("讲了哪三个问题"))  # 三个 alone: a numeral and a counter
    assert not numeral_only(three, normalize("三个支部要做什么"))
    assert not numeral_only(three, normalize("基层组织要做什么"))  # nothing literal: found another way, kept


FOCUS_SPEECH = """同志们：
今天，我们召开防汛工作会。
一、抓好防汛检查
防汛是当前的头等大事，各级组织要高度重视。
各单位要在5月15日前完成汛前安全检查，发现隐患立即整改。
二、加强值班值守
汛期要严格落实24小时值班制度。
谢谢大家！
"""

FOCUS_ENTRIES = """\
- id: part-1
  kind: section
  title: 一、抓好防汛检查
  aliases: [防汛检查]
  answer: 防汛是当前的头等大事，各级组织要高度重视。
  quotes: [防汛是当前的头等大事，各级组织要高度重视。]
  where: 一、抓好防汛检查
- id: part-2
  kind: section
  title: 二、加强值班值守
  answer: 汛期要严格落实24小时值班制度。
  quotes: [汛期要严格落实24小时值班制度。]
  where: 二、加强值班值守
"""


def test_an_answer_adds_the_sentence_that_says_what_was_asked_when_its_card_does_not(tmp_path: Path) -> None:
    service = Service.load(write_kb(tmp_path / "kb", FOCUS_ENTRIES, FOCUS_SPEECH))
    question = "防汛检查里，汛前安全检查最晚什么时候完成"
    # The entry's card gives no date, so alone it is offered as "the speech does not say"; the speech's own
    # sentence gives it, so the sentence is quoted under the card and the question is answered.
    assert service.matcher.match(question).outcome == "unstated"
    asked = service.ask(question)
    assert asked.answered and asked.reply.outcome == "answer"
    assert [h.word for h in asked.reply.hits] == ["各单位要在5月15日前完成汛前安全检查，发现隐患立即整改。"]
    assert asked.reply.hits[0].where.startswith("一、抓好防汛检查")
    text = plain(asked.reply)
    assert FOCUS_LEAD in text and "5月15日前完成汛前安全检查" in text
    assert text.index("【一、抓好防汛检查】") < text.index(FOCUS_LEAD)


def test_no_sentence_is_added_when_the_card_already_shows_it(tmp_path: Path) -> None:
    service = Service.load(write_kb(tmp_path / "kb", FOCUS_ENTRIES, FOCUS_SPEECH))
    asked = service.ask("汛期值班制度是怎么要求的")
    assert asked.answered and asked.reply.cards[0].entry_id == "part-2"
    assert asked.reply.hits == ()
    assert FOCUS_LEAD not in plain(asked.reply)


def test_a_spoken_message_without_punctuation_is_read_by_its_asking_part(tmp_path: Path) -> None:
    """Voice input writes spaces, not commas: the words before the space tell who asks, not what."""
    service = Service.load(write_kb(tmp_path / "kb", FOCUS_ENTRIES, FOCUS_SPEECH))
    alone = service.ask("讲话有没有说到值班制度")
    spoken = service.ask("我在外面跑车只能用手机语音打的字 讲话有没有说到值班制度")
    assert alone.entry_id == "part-2"
    assert spoken.answered and spoken.entry_id == "part-2"
    assert spoken.question == "我在外面跑车只能用手机语音打的字 讲话有没有说到值班制度"


def test_a_colloquial_question_for_a_date_finds_the_sentence_that_gives_one(tmp_path: Path) -> None:
    """Asked for a figure or a date in everyday words, the question is searched among the sentences that give
    one, and needs fewer of its words to be the speech's; the same words asking for no figure stay declined."""
    service = Service.load(write_kb(tmp_path / "kb", FOCUS_ENTRIES, FOCUS_SPEECH))
    dated = service.ask("汛前安全检查这事得赶在哪天之前弄好呀")
    assert dated.answered and dated.reply.outcome == "digest"
    assert [h.word for h in dated.reply.hits] == ["各单位要在5月15日前完成汛前安全检查，发现隐患立即整改。"]
    assert not service.ask("汛前安全检查这事得弄好没有呀").answered


@pytest.mark.parametrize("pack", PACKS)
def test_a_translation_is_declined_with_what_the_bot_does(pack: Path) -> None:
    service = service_of(pack)
    term = next(e for e in service.kb.entries if e.kind == "term")
    for asked in (f"把“{term.title}”翻译成英文", f"{term.title}用英语怎么说"):
        answered = service.ask(asked)
        assert not answered.answered and answered.reply.outcome == "about", asked
        assert "翻译" in answered.reply.lead and service.kb.pack.meeting in answered.reply.lead


def test_a_request_for_the_speechs_words_is_searched_by_what_it_names_not_how_it_asks(tmp_path: Path) -> None:
    """…的原话给我，原文怎么说的: the framing (引用, 原话, 原文, 怎么说) is no word of what is asked."""
    service = Service.load(write_kb(tmp_path / "kb", FOCUS_ENTRIES, FOCUS_SPEECH))
    asked = service.ask("讲话里隐患立即整改的原话给我，原文怎么说的")
    assert asked.answered and [h.word for h in asked.reply.hits] == [
        "各单位要在5月15日前完成汛前安全检查，发现隐患立即整改。"
    ]
    assert not service.ask("讲话原话怎么说的").answered  # framing alone names nothing
