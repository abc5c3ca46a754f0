"""The general thesaurus: Cilin's synonym groups, and how the matcher uses them next to the hand-written table."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge import load_knowledge
from bot.matching import Matcher, build_matcher
from bot.normalize import normalize
from bot.present.plain import plain
from bot.present.replies import match_reply
from bot.thesaurus import cilin_groups, cilin_path, synonym_groups
from tests.conftest import write_kb


def test_only_lines_of_synonyms_are_groups() -> None:
    lines = [
        "Aa01A01= 人 士 人物 人士\r\n",
        "Ab01B01# 父亲 母亲\n",  # of one kind, not synonyms
        "Ab01B02@ 孤儿\n",  # a word alone
        "\n",
        "Ab01B03=\n",
    ]
    assert list(synonym_groups(lines)) == [("人", "士", "人物", "人士")]


def test_the_installed_thesaurus_is_found_and_read() -> None:
    assert cilin_path() is not None
    groups = cilin_groups()
    assert len(groups) > 9000
    assert any({"退缩", "打退堂鼓"} <= set(group) for group in groups)


def test_an_unknown_word_reaches_the_speech_s_word_through_its_group(tiny_kb_dir: Path) -> None:
    kb = load_knowledge(tiny_kb_dir)
    plain = Matcher(kb)
    known = next(w for w in ("明确", "主体", "措施") if w in plain._tokens.idf)
    matcher = Matcher(kb, thesaurus=[("农村", known)])
    assert matcher.question_tokens(normalize("农村")) == [known]
    assert plain.question_tokens(normalize("农村")) == ["农村"]


def test_the_hand_written_table_wins_over_the_thesaurus(tiny_kb_dir: Path) -> None:
    kb = load_knowledge(tiny_kb_dir)
    first, second = [w for w in ("明确", "主体", "措施", "对象") if w in Matcher(kb)._tokens.idf][:2]
    matcher = Matcher(kb, synonyms={"农村": first}, thesaurus=[("农村", second)])
    assert matcher.question_tokens(normalize("农村")) == [first]


def test_a_fragment_across_two_words_is_not_looked_up() -> None:
    matcher = build_matcher(load_knowledge())
    assert matcher._thesaurus.get("天天")  # 天天 has synonyms in the speech (时时) …
    assert "天天" not in matcher.tokenizer.lcut(normalize("今天天气怎么样"))
    assert matcher.match("今天天气怎么样").outcome == "decline"  # … but here it is a piece of 今天|天气


def test_everyday_words_of_the_thesaurus_lift_the_right_entry() -> None:
    matcher = build_matcher(load_knowledge())
    assert (matcher._thesaurus["当地"], matcher._thesaurus["农村"]) == ("地方", "乡村")
    result = matcher.match("单位要不要帮着当地搞农村发展和防疫")
    assert result.answered and "乡村振兴" in plain(match_reply(result, matcher.kb))


def test_a_knowledge_base_in_another_folder_gets_the_thesaurus_too(tmp_path: Path) -> None:
    matcher = build_matcher(load_knowledge(write_kb(tmp_path / "kb")))
    assert matcher._thesaurus  # its own words, not the real speech's
    assert set(matcher._thesaurus.values()) <= set(matcher._tokens.idf)
