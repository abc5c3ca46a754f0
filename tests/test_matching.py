"""The matcher: each layer alone on plain data, the three outcomes, structure questions, hostile input."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from bot.knowledge import KnowledgeError, load_knowledge
from bot.matching import (
    CLEAR_WINNER,
    CONFIDENT,
    DESCRIBED_FLOOR,
    EVIDENCE_FLOOR,
    EVIDENCE_WORDS,
    Match,
    Matcher,
    build_matcher,
    load_examples,
    load_rules,
    load_synonyms,
    primary_reading,
    readings,
)
from bot.matching.layers import names
from bot.matching.layers.coverage import coverage, described, evidence
from bot.matching.layers.examples import nearest
from bot.matching.layers.names import bigrams_needed
from bot.matching.layers.rules import rule_targets
from bot.matching.postings import Bigrams
from bot.matching.scores import ranked
from bot.normalize import FILLERS, normalize
from tests.conftest import write_kb

ROOT = Path(__file__).resolve().parent.parent


def shown(result, kb) -> str:
    """What a reader of the console sees for a match (bot.present's plain rendering)."""
    from bot.present.plain import plain
    from bot.present.replies import match_reply

    return plain(match_reply(result, kb))


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return build_matcher(load_knowledge())


@pytest.fixture(scope="module")
def lexical_matcher() -> Matcher:
    """Without the example questions, to see the other layers alone."""
    return build_matcher(load_knowledge(), with_examples=False)


def heard(matcher: Matcher, question: str) -> set[str]:
    """The entries whose names the names layer hears by pinyin in the question."""
    return {
        matcher.entries[name.entry].id
        for _, _, name in names.heard(matcher.read(normalize(question)), matcher.index)
    }


def fired(matcher: Matcher, question: str) -> dict[str, tuple[float, str]]:
    """The rules layer alone: entry id → (priority, rule) for the rules that fire on the question."""
    return rule_targets(matcher.read(normalize(question)), matcher.index, matcher.rules)


def held_by(matcher: Matcher, normalized: str, entry_id: str) -> dict[str, float]:
    """The question's words that the entry holds (the evidence of the decision), with their IDF."""
    return evidence(matcher.read(normalized), matcher.index, matcher.index.index_of[entry_id])


def described_words(matcher: Matcher, normalized: str) -> set[str]:
    """The distinctive words of the speech that the question described in everyday words."""
    found = described(matcher.read(normalized), matcher.index)
    return {word for word, idf in found.items() if idf >= matcher.policy.described_idf}


# ---- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("5个必由之路", "五个必由之路"),
        ("第3个问题", "第三个问题"),
        ("问题④", "问题四"),
        ("4明确", "四明确"),
        ("第Ⅳ部分", "第四部分"),
        ("講話說「本領恐慌」", "讲话说本领恐慌"),
        ("ＡＢＣ，１２３", "abc 123"),
        ("请问一下，那个四风是啥呢？", "四风是什么"),
        ("哈哈哈 五个一是干啥的啊", "五个一是做什么的"),
        ("<div>十九届六中全会</div>", "十九届六中全会"),
        ("传帮代  怎么 搞", "传帮代怎么搞"),
        ("纪检+", "纪检+"),
        ("2022年", "2022年"),
        ("推一下，走一步", "推一下走一步"),
        ("\x00\x07四风\u200b", "四风"),
        ("兄弟们 四风是啥来着？求解答～", "四风是什么"),
        ("唉 话说一岗双责是啥，忘了", "一岗双责是什么"),
        ("emm 各位大佬们，四明确指什么？谢谢", "四明确指什么"),
        ("壹岗双责", "一岗双责"),
        ("学习一阵紧一阵松", "学习时紧时松"),
        ("一会儿冷，一会儿热", "时冷时热"),
        ("忽而快忽而慢", "时快时慢"),
        ("忽视忽略", "忽视忽略"),
        ("一阵子", "一阵子"),
        ("麻烦问一下四风是啥", "四风是什么"),
        ("讲话到底说了啥", "讲话说了什么"),
        ("局里是一竿子插到底么", "局里是一竿子插到底么"),  # 到底 is a filler before a question, not in a word
        ("急难的麻烦事", "急难的麻烦事"),
        ("讲真 要讲真话", "要讲真话"),
        ("过去仨月", "过去三个月"),
        ("红脸脸红这俩词", "红脸脸红这两个词"),
    ],
)
def test_normalisation_table(typed: str, normal: str) -> None:
    assert normalize(typed) == normal


def test_no_filler_word_eats_a_name_of_the_knowledge_base(real_kb) -> None:
    damaged = [n for e in real_kb.entries for n in e.names if normalize(n) != FILLERS.sub("", normalize(n))]
    assert damaged == []


# ---- each layer alone ---------------------------------------------------------------------------


def test_exact_names_keep_the_longest_span(matcher: Matcher) -> None:
    hits = names.exact(matcher.read(normalize("三会一课和三会有什么区别")), matcher.index)
    found = {matcher.entries[name.entry].id for _, _, name in hits}
    assert found == {"term-sanhui-yike", "term-sanhui-jingshi"}


@pytest.mark.parametrize(
    ("typed", "entry_id"),
    [
        ("必有之路", "five-paths"),
        ("一岗双则", "term-yigang-shuangze"),
        ("两个确力", "term-liangge-queli"),
        ("灯下嘿", "term-dengxiahei"),
        ("纪捡加", "term-jijian-plus"),
    ],
)
def test_pinyin_layer_finds_homophone_typos(matcher: Matcher, typed: str, entry_id: str) -> None:
    assert entry_id in heard(matcher, typed)


def test_pinyin_layer_leaves_function_characters_alone(matcher: Matcher) -> None:
    assert "term-you-cha" not in heard(matcher, "有的单位")


def test_readings_keep_polyphones() -> None:
    assert {"xin", "han"} <= readings("行")  # xing and hang, fuzzed (ing → in, ang → an)


def test_fuzzy_layer_scores_near_names(matcher: Matcher) -> None:
    found = names.fuzzy(matcher.read(normalize("踔厉奋发笃行不急")), matcher.index)
    assert matcher.index.index_of["term-zhuoli-fenfa"] in found


def every_name_scored(matcher: Matcher, normalized: str, cutoff: float) -> dict[int, float]:
    """The fuzzy layer without its bigram prefilter: partial ratio against every long name."""
    found: dict[int, float] = {}
    for _, ratio, position in process.extract(
        normalized, matcher.index.names.fuzzy_texts, scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=8
    ):
        owner = matcher.index.names.fuzzy_owner[position]
        found[owner] = max(found.get(owner, 0.0), ratio)
    return found


def test_the_fuzzy_prefilter_keeps_every_name_that_can_reach_the_cutoff(matcher: Matcher) -> None:
    typed = []
    for name in matcher.index.names.fuzzy_texts:
        middle = len(name) // 2
        typed.append(name[:middle] + "的" + name[middle + 1 :] + "是啥")  # one character wrong
        typed.append("讲话里" + name[1:])  # the first character missing
    for question in map(normalize, typed):
        for cutoff in (84, 70):
            found = names.fuzzy(matcher.read(question), matcher.index, cutoff)
            assert found == every_name_scored(matcher, question, cutoff)


@settings(max_examples=500, deadline=None)
@given(st.text("abcxy", min_size=4, max_size=12), st.text("abcxy", min_size=4, max_size=24))
def test_a_name_with_fewer_shared_bigrams_than_needed_cannot_reach_the_cutoff(
    name: str, question: str
) -> None:
    if fuzz.partial_ratio(question, name) >= 84:
        shared = Bigrams.of([name]).shared(question, 1)[0]
        assert shared >= bigrams_needed(84, len(name))[min(len(name), len(question))]


@given(st.lists(st.sampled_from([-np.inf, 0.0, 0.3, 0.3, 0.5, 0.9]), max_size=30))
def test_ranked_is_a_sort_by_score_then_position(values: list[float]) -> None:
    expected = sorted((i for i, v in enumerate(values) if v > -np.inf), key=lambda i: (-values[i], i))
    assert ranked(np.array(values, dtype=float)) == expected[:5]


def test_coverage_prefers_the_entry_that_holds_the_words(matcher: Matcher) -> None:
    found = coverage(matcher.read(normalize("党务干部和业务干部双向交流")), matcher.index)
    held = found.held()
    best = max(held, key=held.get)
    assert matcher.entries[best].id == "fact-shuangxiang-jiaoliu"
    assert found.unknown == 0


def test_rules_fire_on_ways_of_asking(matcher: Matcher) -> None:
    assert "problems" in fired(matcher, "讲话指出了哪些问题")
    assert "problem-3" in fired(matcher, "第三个问题是什么")
    assert "part-2" in fired(matcher, "第二部分讲了什么")
    assert "closing" in fired(matcher, "讲话结尾怎么说的")
    assert fired(matcher, "四明确指什么") == {}


# ---- structure questions and the three outcomes -------------------------------------------------


def test_a_comparison_shows_both_entries(matcher: Matcher) -> None:
    result = matcher.match("三会一课和三会是一回事吗")
    assert set(result.entry_ids) == {"term-sanhui-yike", "term-sanhui-jingshi"}
    assert "处分决定宣布会" in shown(result, matcher.kb)


def test_a_vague_question_gets_suggestions(matcher: Matcher) -> None:
    result = matcher.match("监督")
    assert result.outcome == "suggest" and not result.answered
    assert 1 <= len(result.suggestions) <= 3
    assert all(s in matcher.kb for s in result.suggestions)
    assert "您是不是想问" in shown(result, matcher.kb)


@pytest.mark.parametrize("question", ["Python 怎么读文件", "党的十九大是哪一年召开的", "如何申请入党"])
def test_off_topic_questions_sharing_words_with_the_speech_are_not_answered(
    matcher: Matcher, question: str
) -> None:
    assert not matcher.match(question).answered


def test_the_result_is_immutable(matcher: Matcher) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        matcher.match("四风").score = 0  # type: ignore[misc]


# ---- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("😀😀😀", "empty"),
        ("\x00\x01\x02", "empty"),
        ("？？？！！", "empty"),
        ("四" * 100_000, "too_long"),
        ("\ud800\udfff四风", "answer"),
        ("'; DROP TABLE exchanges; --", "decline"),
    ],
)
def test_hostile_input_gets_a_clear_reply(matcher: Matcher, question: str, outcome: str) -> None:
    result = matcher.match(question)
    assert result.outcome == outcome
    assert shown(result, matcher.kb).strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_no_input_string_raises(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    assert isinstance(result, Match)
    assert result.answered == (result.outcome == "answer")


# ---- rules and synonyms files --------------------------------------------------------------------


def test_a_bad_rules_file_names_file_and_line(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    kb = load_knowledge(folder)
    (folder / "rules.yaml").write_text(
        "rules:\n  - name: ok\n    pattern: 开头\n    target: opening\n"
        "  - name: broken\n    pattern: '(unclosed'\n    target: nowhere\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as info:
        load_rules(folder / "rules.yaml", kb)
    text = str(info.value)
    assert "rules.yaml:5: rule 'broken': bad pattern" in text
    assert "rules.yaml:5: rule 'broken': target 'nowhere' is not an entry id" in text


def test_synonyms_map_only_unknown_words(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    (folder / "synonyms.yaml").write_text("措施: [办法, 举措]\n", encoding="utf-8")
    assert load_synonyms(folder / "synonyms.yaml") == {"办法": "措施", "举措": "措施"}
    matcher = build_matcher(load_knowledge(folder))
    assert "措施" in matcher.tokens(normalize("有哪些办法"))


def test_a_synonym_that_normalisation_would_cut_names_its_line(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    (folder / "synonyms.yaml").write_text("措施: [办法]\n打太极: [绕圈子, 打哈哈]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"synonyms.yaml:2: '打哈哈' loses characters"):
        load_synonyms(folder / "synonyms.yaml")


def test_an_edited_synonyms_file_is_read_again_not_taken_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cache import cache_dir

    monkeypatch.setattr(
        "bot.cache._FOLDER.chosen", tmp_path / "cache"
    )  # what use_folder sets, put back after
    assert cache_dir() == tmp_path / "cache"
    folder = write_kb(tmp_path / "kb")
    synonyms = folder / "synonyms.yaml"
    synonyms.write_text("措施: [办法]\n", encoding="utf-8")
    assert "措施" in build_matcher(load_knowledge(folder)).tokens(normalize("有哪些办法"))
    synonyms.write_text("措施: [举措]\n", encoding="utf-8")
    matcher = build_matcher(load_knowledge(folder))
    assert "措施" in matcher.tokens(normalize("有哪些举措"))
    assert "措施" not in matcher.tokens(normalize("有哪些办法"))
    synonyms.write_text("措施: 举措\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"synonyms\.yaml:1"):
        build_matcher(load_knowledge(folder))


def test_a_tiny_knowledge_base_answers_by_name(tiny_kb_dir: Path) -> None:
    matcher = build_matcher(load_knowledge(tiny_kb_dir))
    assert matcher.match("4个明确是什么").entry_id == "term-si-mingque"


# ---- the JSON protocol ---------------------------------------------------------------------------


def test_ask_json_answers_every_line_in_order() -> None:
    lines = ["四明确指什么", "", "😀", "\x00\x01", "x" * 100_000, "今天天气怎么样"]
    payload = ("\n".join(lines) + "\n").encode() + b"\xff\xfe\x80garbage\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--no-log"],
        input=payload,
        capture_output=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    replies = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(replies) == len(lines) + 1
    assert {"question", "answered", "answer", "entry", "score", "suggestions"} <= set(replies[0])
    assert replies[0]["answered"] and replies[0]["entry"] == "term-si-mingque"
    assert [r["answered"] for r in replies[1:]] == [False] * 6
    assert all(r["answer"] for r in replies)


def test_an_unknown_compound_made_of_known_parts_is_not_counted_twice(matcher: Matcher) -> None:
    # jieba keeps 放在首位 whole; its parts 放在 and 首位 (a synonym of the speech's 第一) say it all.
    tokens = matcher.question_tokens(normalize("要把什么放在首位"))
    assert "第一" in tokens and "放在首位" not in tokens


@pytest.mark.parametrize(("question", "compound"), [("年终奖怎么发", "年终奖"), ("如何申请入党", "申请入党")])
def test_other_unknown_compounds_stay_unknown(matcher: Matcher, question: str, compound: str) -> None:
    # 年终 and 入党 are the speech's words, but the question is about something else.
    assert compound in matcher.question_tokens(normalize(question))
    assert not matcher.match(question).answered


def test_a_section_is_found_by_its_topic_without_the_leading_verb(matcher: Matcher) -> None:
    result = matcher.match("组织建设那一部分讲了什么")
    assert result.answered and result.entry_id == "part-2"  # 二、强化组织建设，坚持强基固本筑牢堡垒


def test_a_two_character_name_is_heard_only_when_one_of_its_characters_is_written(matcher: Matcher) -> None:
    assert "term-sifeng" in heard(matcher, "四峰")
    assert "term-jiafeng-jianshe" not in heard(
        matcher, "如何做好垃圾分类"
    )  # 圾分 (ji fen) sounds like 家风 through rare readings


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("班子里分管一摊的同志，除了抓业务还得负责啥", "term-yigang-shuangze"),
        ("单位年轻人的培养锻炼有没有安排", "part-4-cadres"),
    ],
)
def test_a_low_scoring_paraphrase_holding_several_distinctive_words_is_answered(
    lexical_matcher: Matcher, question: str, entry_id: str
) -> None:
    matcher = lexical_matcher
    result = matcher.match(question)
    assert EVIDENCE_FLOOR <= result.score < CLEAR_WINNER  # neither threshold would answer it
    assert result.answered and result.entry_id == entry_id
    assert len(held_by(matcher, result.normalized, entry_id)) >= EVIDENCE_WORDS


def test_a_question_describing_a_distinctive_word_in_everyday_words_is_answered(
    lexical_matcher: Matcher,
) -> None:
    matcher = lexical_matcher
    result = matcher.match("上面要来检查了才临时抱佛脚，讲话怎么说")  # 抱佛脚: synonyms.yaml's 突击抓
    held = held_by(matcher, result.normalized, "term-tuji-zhua")
    assert "突击抓" in described_words(matcher, result.normalized) and "突击抓" in held
    assert len(held) < EVIDENCE_WORDS and DESCRIBED_FLOOR <= result.score < CLEAR_WINNER
    assert result.answered and result.entry_id == "term-tuji-zhua"


@pytest.mark.parametrize(
    "question",
    [
        "公司里有人推来推去怎么办",  # 推诿扯皮 described, and nothing else of its entry
        "年终总结怎么写才不敷衍",  # 敷衍 → 应付, but the best entry does not hold it
    ],
)
def test_a_described_word_alone_is_not_enough(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    assert described_words(matcher, result.normalized) and result.score >= DESCRIBED_FLOOR
    assert not result.answered


def test_only_the_hand_written_table_describes(matcher: Matcher) -> None:
    question = normalize("少年要怎么培养")
    assert matcher.read(question).synonyms.get("少年") == "苗子"  # the thesaurus's word, not the table's
    assert described_words(matcher, question) == set()


def test_entries_tied_on_a_distinctive_word_quote_one_passage_and_answer(lexical_matcher: Matcher) -> None:
    matcher = lexical_matcher
    question = "离退休党员教育管理难，讲话说怎么办"  # five entries quote the survey's sentence
    scores = sorted(matcher.scores(normalize(question))[0].values(), reverse=True)
    assert scores[0] - scores[2] < 0.01  # a three-way tie
    result = matcher.match(question)
    assert result.answered and "离退休党员教育管理难" in shown(result, lexical_matcher.kb)


def test_entries_tied_on_common_words_alone_ask(matcher: Matcher) -> None:
    result = matcher.match("的单位是啥")
    assert result.score >= CONFIDENT and result.outcome == "suggest"


def test_the_domain_s_common_words_are_not_evidence_enough(matcher: Matcher) -> None:
    result = matcher.match("党员领导干部能不能在企业兼职")  # 党员 领导 干部: three words, IDF 4.7 in all
    assert result.score >= EVIDENCE_FLOOR and not result.answered


@pytest.mark.parametrize(
    ("question", "ordinal"),
    [
        ("监督方面第一要做什么", False),
        ("监督方面第一得做什么", False),
        ("要求里第二是什么", True),
        ("要求里第一要求是什么", True),  # 第一要求 is the first requirement
    ],
)
def test_first_of_all_is_no_ordinal(matcher: Matcher, question: str, ordinal: bool) -> None:
    normalized = normalize(question)
    assert bool(matcher.rules.ordinal.search(normalized)) is ordinal
    assert any(target.startswith("part-") for target in fired(matcher, normalized)) is ordinal


def test_n_aspects_of_a_thing_is_not_the_parts_of_the_requirements(matcher: Matcher) -> None:
    assert "requirements" not in fired(matcher, "要做好哪几方面的表率")
    assert "requirements" in fired(matcher, "下一阶段有哪几个方面的要求")


@pytest.mark.parametrize(
    ("question", "fires"),
    [("讲话有什么要求", True), ("讲话对足球有什么要求", False), ("红头文件的格式有什么要求", False)],
)
def test_a_strict_rule_gives_way_to_words_the_speech_never_uses(
    matcher: Matcher, question: str, fires: bool
) -> None:
    priority = fired(matcher, question).get("requirements", (0.0, ""))[0]
    assert (priority >= matcher.confident) is fires
    assert matcher.match(question).answered is fires


def test_a_strict_rule_that_explains_little_of_the_question_does_not_fire(matcher: Matcher) -> None:
    # 钻空子 and 谈条件 are the speech's 政策空子 and 讨价还价, which the overview of the requirements does not hold:
    # the question asks what the speech requires about them, not for the list of requirements.
    question = normalize("有人总爱钻空子、谈条件，讲话有什么要求")
    assert "requirements" not in fired(matcher, question)
    assert matcher.match(question).entry_id == "term-zhengce-kongzi"


def test_strict_is_read_from_the_rules_file(tmp_path: Path, tiny_kb_dir: Path) -> None:
    kb = load_knowledge(tiny_kb_dir)
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        "rules:\n  - name: loose\n    pattern: 'a'\n    target: term-si-mingque\n"
        "  - name: strict\n    pattern: 'b'\n    target: term-si-mingque\n    strict: true\n",
        encoding="utf-8",
    )
    assert [rule.strict for rule in load_rules(rules_file, kb).rules] == [False, True]


@pytest.mark.parametrize(
    ("typed", "heard"),
    [
        ("廉证", "廉政"),  # no word of Chinese: the speech's word typed through a pinyin keyboard
        ("行态", "形态"),  # a polyphone (行 xing/hang) read every way
        ("天气", None),  # a word of its own, in jieba's dictionary
        ("室适", None),  # shi shi: 实施, 事实, 时时 … of the speech sound alike; no guess
        ("有确", None),  # a function character glued on by jieba
    ],
)
def test_a_typo_of_a_word_that_is_no_name_is_heard_as_the_speech_s_word(
    matcher: Matcher, typed: str, heard: str | None
) -> None:
    assert matcher.index.lexicon.heard_word(typed) == heard


def test_a_heard_word_counts_as_the_speech_s_word(matcher: Matcher) -> None:
    assert "廉政" in matcher.question_tokens(normalize("廉证风险比较高的地方"))


@pytest.mark.parametrize(
    ("question", "not_heard"),
    [
        ("帮我推荐几家单位附近的火锅店", "term-you-cha"),  # 家 is jia; only its rare reading jie meets 差
        ("这些问题是怎么产生的", "problem-4"),  # 是 is 是, not a typo of 四 (shi/si)
    ],
)
def test_a_typed_character_is_heard_by_its_common_reading_and_particles_are_no_typos(
    matcher: Matcher, question: str, not_heard: str
) -> None:
    found = heard(matcher, question)
    assert not_heard not in found
    assert matcher.match(question).entry_id != not_heard


def test_the_common_reading_is_the_one_a_keyboard_gives() -> None:
    assert primary_reading("家") == "jia" and "jie" in readings("家")
    assert primary_reading("嘿") in readings("黑")  # 灯下嘿 still sounds like 灯下黑


# ---- example questions --------------------------------------------------------------------------


def test_an_example_question_speaks_for_its_entry(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    question = "抓党建要讲清谁牵头、用啥法子、管哪些人、靠啥手段吗"
    assert not build_matcher(load_knowledge(folder)).match(question).answered
    (folder / "examples.yaml").write_text(
        "term-si-mingque:\n  - 谁来牵头、用啥法子、管哪些人、靠啥手段，都得讲清\n", encoding="utf-8"
    )
    result = build_matcher(load_knowledge(folder)).match(question)
    assert result.answered and result.entry_id == "term-si-mingque"


def test_one_word_in_common_with_an_example_is_a_coincidence(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    (folder / "examples.yaml").write_text("term-si-mingque:\n  - 谁来牵头、用啥法子\n", encoding="utf-8")
    matcher = build_matcher(load_knowledge(folder))
    assert nearest(matcher.read(normalize("谁来牵头")), matcher.index).max() == 0
    assert nearest(matcher.read(normalize("谁来牵头用啥法子")), matcher.index).max() > 0.9


def test_examples_of_unknown_entries_or_of_the_wrong_shape_name_their_line(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    (folder / "examples.yaml").write_text(
        "opening:\n  - 今天开的什么会\nno-such-entry:\n  - 问点什么\nterm-si-mingque: 不是列表\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as info:
        load_examples(folder / "examples.yaml", load_knowledge(folder))
    text = str(info.value)
    assert "examples.yaml:3: 'no-such-entry' is not an entry id" in text
    assert "examples.yaml:5: 'term-si-mingque' must map to a list of questions" in text


def test_the_knowledge_base_s_examples_cover_every_entry(real_kb) -> None:
    examples = load_examples(real_kb.directory / "examples.yaml", real_kb)
    assert set(examples) == {entry.id for entry in real_kb.entries}
    assert all(len(asked) >= 3 for asked in examples.values())
