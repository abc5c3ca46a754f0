"""Each layer of bot.matching alone, on a tiny pack of invented words; decide() and combine() on plain numbers."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import Entry, load_knowledge
from bot.matching import Match, Matcher, build_matcher
from bot.matching.decide import DEFAULT_POLICY, Candidates, Decision, Findings, Policy, combine, decide
from bot.matching.layers import coverage, examples, names
from bot.matching.layers.rules import Rules, load_rules, rule_targets
from bot.matching.reading import Reading, read
from bot.matching.rerank import Lists, compared, lift_ordinals
from bot.matching.scores import ranked
from bot.matching.sounds import primary_reading
from bot.matching.unstated import ANSWER_KINDS, lacking
from bot.normalize import normalize
from bot.present.plain import plain
from bot.present.replies import match_reply
from bot.present.wording import LACKING
from tests.conftest import write_kb

ROOT = Path(__file__).resolve().parent.parent

# A speech of the genre, made up: no word of it is the real pack's.
GENRE_SPEECH = textwrap.dedent(
    """\
    同志们：
    今天召开工作推进会。
    一、深化三个聚焦
    要做到“三个聚焦”：聚焦主业、聚焦主责、聚焦主角。
    要坚持“三查三改”，先抓“三查”：查思想、查作风、查纪律。
    二、落实两个到位
    要做到责任到位、措施到位，即“两个到位”。
    谢谢大家！
    """
)
GENRE_ENTRIES = textwrap.dedent(
    """\
    - id: opening
      kind: section
      title: 开头
      answer: 讲话开头说明召开工作推进会。
      quotes: [今天召开工作推进会。]
      where: 开头
    - id: term-jujiao
      kind: term
      title: 三个聚焦
      aliases: [聚焦主业主责主角]
      answer: 聚焦主业、聚焦主责、聚焦主角。
      quotes: [要做到“三个聚焦”：聚焦主业、聚焦主责、聚焦主角。]
      where: 一、深化三个聚焦
    - id: term-sancha-sangai
      kind: term
      title: 三查三改
      answer: 先查后改。
      quotes: [要坚持“三查三改”，先抓“三查”：查思想、查作风、查纪律。]
      where: 一、深化三个聚焦
    - id: term-sancha
      kind: term
      title: 三查
      answer: 查思想、查作风、查纪律。
      quotes: [先抓“三查”：查思想、查作风、查纪律。]
      where: 一、深化三个聚焦
    - id: term-daowei
      kind: term
      title: 两个到位
      answer: 责任到位、措施到位。
      quotes: [要做到责任到位、措施到位，即“两个到位”。]
      where: 二、落实两个到位
      mention_only: true
    - id: term-daowei-1
      kind: fact
      title: 责任到位
      answer: 责任要到位。
      quotes: [要做到责任到位]
      where: 二、落实两个到位
    - id: term-daowei-2
      kind: fact
      title: 措施到位
      answer: 措施要到位。
      quotes: [措施到位]
      where: 二、落实两个到位
    """
)
GENRE_RULES = textwrap.dedent(
    """\
    ordinal: '(?:第|的第)(?P<n>[一二三四五])(?:个|条|点)'
    compare: '(?:和|与).{0,8}(?:区别|不同)'
    rules:
      - name: the opening
        pattern: '开头'
        target: opening
        priority: 0.9
      - name: what is asked of
        pattern: '有什么要求'
        target: term-jujiao
        priority: 0.8
        strict: true
    """
)


@pytest.fixture(scope="module")
def genre(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    """The invented pack's matcher, with one synonym (本行 → 主业) and one example question."""
    folder = write_kb(tmp_path_factory.mktemp("packs") / "genre", GENRE_ENTRIES, GENRE_SPEECH)
    (folder / "rules.yaml").write_text(GENRE_RULES, encoding="utf-8")
    kb = load_knowledge(folder)
    return Matcher(
        kb,
        load_rules(folder / "rules.yaml", kb),
        synonyms={"本行": "主业"},
        examples={"term-daowei": ["担子和办法都要落到实处"]},
    )


def reading_of(matcher: Matcher, question: str) -> Reading:
    return matcher.read(normalize(question))


def ids(matcher: Matcher, indexes) -> set[str]:
    return {matcher.entries[i].id for i in indexes}


def hit_ids(matcher: Matcher, hits) -> set[str]:
    return {matcher.entries[name.entry].id for _, _, name in hits}


# ---- reading -------------------------------------------------------------------------------------


def test_a_question_is_read_once_for_every_layer(genre: Matcher) -> None:
    reading = read(normalize("三个聚焦是啥"), genre.index.lexicon)
    assert reading.normalized == "三个聚焦是什么"
    assert "三个聚焦" in reading.cut  # the pack's names are words of jieba's
    assert {"三个", "聚焦", "三个聚焦"} <= set(reading.search)  # search mode: the word and its parts
    assert "三个聚焦" in reading.tokens and "什么" not in reading.tokens  # stopwords go
    assert len(reading.sounds) == len(reading.common) == len(reading.normalized)
    assert reading.common[0] == primary_reading("三")


def test_the_reading_applies_the_pack_s_table(genre: Matcher) -> None:
    reading = reading_of(genre, "本行要聚焦吗")
    assert reading.synonyms["本行"] == "主业"
    assert "主业" in reading.tokens and "本行" not in reading.tokens
    assert "主业" in reading.words


# ---- names ---------------------------------------------------------------------------------------


def test_written_names_keep_the_longest_span(genre: Matcher) -> None:
    hits = names.exact(reading_of(genre, "三查三改是什么"), genre.index)
    assert hit_ids(genre, hits) == {"term-sancha-sangai"}  # not 三查, inside it


def test_a_name_typed_by_pinyin_is_heard(genre: Matcher) -> None:
    reading = reading_of(genre, "两个到为是什么")
    assert names.exact(reading, genre.index) == []
    assert hit_ids(genre, names.heard(reading, genre.index)) == {"term-daowei"}


def test_a_long_name_nearly_written_is_found_only_when_no_name_is(genre: Matcher) -> None:
    near = reading_of(genre, "聚焦主业主责是什么")
    found = names.find(near, genre.index)
    assert (found.exact, found.heard) == ([], [])
    assert (
        ids(genre, found.fuzzy) == {"term-jujiao"} and found.fuzzy[genre.index.index_of["term-jujiao"]] > 84
    )
    written = names.find(reading_of(genre, "三个聚焦和聚焦主业主责"), genre.index)
    assert hit_ids(genre, written.hits) == {"term-jujiao"} and written.fuzzy == {}


# ---- coverage ------------------------------------------------------------------------------------


def test_coverage_is_the_share_of_the_question_an_entry_holds(genre: Matcher) -> None:
    found = coverage.coverage(reading_of(genre, "责任到位措施到位"), genre.index)
    held = found.held()
    assert genre.entries[max(held, key=held.get)].id == "term-daowei"
    assert all(0 < share <= 1 for share in held.values()) and found.unknown == 0


def test_words_the_pack_never_uses_are_the_unknown_share(genre: Matcher) -> None:
    found = coverage.coverage(reading_of(genre, "今天天气怎么样"), genre.index)
    assert found.unknown > 0.5
    nothing = coverage.coverage(reading_of(genre, "担子重不重"), genre.index)
    assert (nothing.held(), nothing.unknown) == ({}, 1.0)


def test_evidence_and_described_words_carry_their_idf(genre: Matcher) -> None:
    reading = reading_of(genre, "本行要聚焦吗")
    entry = genre.index.index_of["term-jujiao"]
    idf = genre.index.tokens.idf
    assert coverage.evidence(reading, genre.index, entry) == {"主业": idf["主业"], "聚焦": idf["聚焦"]}
    assert coverage.described(reading, genre.index) == {"主业": idf["主业"]}  # through the table's 本行
    assert coverage.described(reading_of(genre, "主业要聚焦吗"), genre.index) == {}  # typed, not described


# ---- examples ------------------------------------------------------------------------------------


def test_the_nearest_example_question_speaks_for_its_entry(genre: Matcher) -> None:
    near = examples.nearest(reading_of(genre, "担子和办法都要落到实处吗"), genre.index)
    assert genre.entries[int(near.argmax())].id == "term-daowei" and near.max() > 0.9
    assert examples.nearest(reading_of(genre, "担子重不重"), genre.index).max() == 0  # one word in common


# ---- rules ---------------------------------------------------------------------------------------


def test_a_rule_gives_its_target_its_priority(genre: Matcher) -> None:
    assert rule_targets(reading_of(genre, "讲话开头说了什么"), genre.index, genre.rules) == {
        "opening": (0.9, "the opening")
    }
    assert rule_targets(reading_of(genre, "三个聚焦是什么"), genre.index, genre.rules) == {}
    assert rule_targets(reading_of(genre, "开头"), genre.index, Rules()) == {}


def test_a_strict_rule_gives_way_to_words_the_pack_never_uses(genre: Matcher) -> None:
    fired = rule_targets(reading_of(genre, "讲话有什么要求"), genre.index, genre.rules)
    assert fired == {"term-jujiao": (0.8, "what is asked of")}
    assert rule_targets(reading_of(genre, "讲话对足球比赛有什么要求"), genre.index, genre.rules) == {}


# ---- rerank --------------------------------------------------------------------------------------


def test_lists_know_their_items_by_position(genre: Matcher) -> None:
    index_of = genre.index.index_of
    lists = Lists(genre.entries, {}, index_of)
    assert lists.child(index_of["term-daowei"], 2) == index_of["term-daowei-2"]
    assert lists.position(index_of["term-daowei-1"]) == 1
    assert lists.child(index_of["term-jujiao"], 1) is None and lists.position(index_of["term-jujiao"]) is None


def test_an_ordinal_lifts_the_item_of_the_list_named(genre: Matcher) -> None:
    reading = reading_of(genre, "两个到位的第二条是什么")
    found = names.find(reading, genre.index)
    values = np.full(len(genre.entries), -np.inf)
    values[genre.index.index_of["term-daowei"]] = 0.85
    best = ranked(values)
    lift_ordinals(reading, found.hits, best, values, genre.lists, genre.rules.ordinal)
    assert genre.entries[ranked(values)[0]].id == "term-daowei-2"
    assert values.item(genre.index.index_of["term-daowei-2"]) == 0.9


def test_a_comparison_shows_the_two_entries_named(genre: Matcher) -> None:
    reading = reading_of(genre, "三个聚焦和两个到位有什么区别")
    named = names.find(reading, genre.index).entries()
    assert ids(genre, compared(reading, named, genre.rules.compare) or ()) == {"term-jujiao", "term-daowei"}
    assert compared(reading_of(genre, "三个聚焦是什么"), named[:1], genre.rules.compare) is None
    assert compared(reading, named, None) is None


# ---- unstated ------------------------------------------------------------------------------------


def test_what_the_speech_does_not_give_is_named(genre: Matcher) -> None:
    daowei, jujiao = genre.kb["term-daowei"], genre.kb["term-jujiao"]
    assert lacking(reading_of(genre, "两个到位是哪一天提出的"), [daowei]) == "date"
    assert lacking(reading_of(genre, "两个到位具体是哪两个"), [daowei]) == "contents"  # mention_only
    for asked in (
        "两个到位具体是指哪两种",
        "两个到位是管哪两样",
        "两个到位的内涵是哪几句话",
        "两个到位具体要查什么",
        "两个到位分别管什么",
        "两个到位分别指哪些事",
        "两个到位包括哪两条",
        "两个到位到底到位什么",
        "两个到位确立的是什么内容",
        "两个到位查什么、改什么",
    ):
        assert lacking(reading_of(genre, asked), [daowei]) == "contents", asked
    assert lacking(reading_of(genre, "两个到位是什么意思"), [daowei]) is None  # understanding it is answered
    assert lacking(reading_of(genre, "三个聚焦具体是哪三个"), [jujiao]) is None  # the speech lists them
    assert lacking(reading_of(genre, "三个聚焦在哪个小程序报名"), [jujiao]) == "procedure"
    assert lacking(reading_of(genre, "三个聚焦是什么"), [jujiao]) is None
    assert lacking(reading_of(genre, "三个聚焦分别是什么"), [jujiao]) is None  # listed: answered
    assert lacking(reading_of(genre, "这次会议是在哪里召开的"), [jujiao]) == "place"
    assert lacking(reading_of(genre, "三个聚焦做得好的能拿到什么奖励"), [jujiao]) == "sanction"
    assert lacking(reading_of(genre, "三个聚焦有没有评分细则"), [jujiao]) == "rules"
    assert lacking(reading_of(genre, "三个聚焦落实得差的是哪几个单位"), [jujiao]) == "units"
    assert lacking(reading_of(genre, "三个聚焦没落实的有几个单位"), [jujiao]) == "units"
    assert lacking(reading_of(genre, "两个到位各指什么"), [daowei]) == "contents"  # 各 as 分别
    assert lacking(reading_of(genre, "两个到位到底是到位什么"), [daowei]) == "contents"  # its own word
    assert lacking(reading_of(genre, "三个聚焦今年要搞几次"), [jujiao]) == "times"
    assert lacking(reading_of(genre, "讲话提到了几次三个聚焦"), [jujiao]) is None  # counts the speech
    assert lacking(reading_of(genre, "三个聚焦最早是谁提出的"), [jujiao]) == "origin"
    assert lacking(reading_of(genre, "三个聚焦没做到按哪条纪律处分"), [jujiao]) == "sanction"
    assert lacking(reading_of(genre, "三个聚焦没做到一般怎么处分"), [jujiao]) == "sanction"
    assert lacking(reading_of(genre, "三个聚焦是哪一次全会通过的"), [jujiao]) == "origin"
    assert lacking(reading_of(genre, "三个聚焦要几天查一次"), [jujiao]) == "frequency"
    assert lacking(reading_of(genre, "三个聚焦是第几次提出的"), [jujiao]) is None  # an ordinal, not a count
    assert lacking(reading_of(genre, "三个聚焦的认定标准是什么"), [jujiao]) == "rules"
    assert lacking(reading_of(genre, "没做到三个聚焦会受到什么处理"), [jujiao]) == "sanction"
    done = Entry("fact-done", "fact", "培训全覆盖", "年内实现培训全覆盖。", (), "开头")
    assert lacking(reading_of(genre, "培训什么时候全覆盖"), [done]) is None  # 年内 says when
    spoke = Entry("fact-spoke", "fact", "交流发言", "实验小学、育才中学作了交流发言。", (), "开头")
    assert lacking(reading_of(genre, "哪几个单位作了交流发言"), [spoke]) is None  # it names them
    assert lacking(reading_of(genre, "落实三个聚焦的党员占多少比例"), [jujiao]) == "amount"
    assert lacking(reading_of(genre, "两个到位是哪两到位"), [daowei]) == "contents"  # the items of a count
    assert lacking(reading_of(genre, "两个到位具体到位什么"), [daowei]) == "contents"
    assert (
        lacking(reading_of(genre, "两个到位是什么，为什么要提"), [daowei]) is None
    )  # what and why: answered
    assert (
        lacking(reading_of(genre, "两个到位的具体要求是什么"), [daowei]) is None
    )  # what is asked of it: said


def test_every_kind_of_unstated_question_has_its_wording() -> None:
    assert {kind for *_, kind in ANSWER_KINDS} | {"contents"} == set(LACKING)


# ---- decide, on plain numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "outcome", "entries"),
    [
        ((0.5, 0.2), "answer", (0,)),  # confident
        ((0.4, 0.3), "answer", (0,)),  # a clear winner: 0.10 ahead
        ((0.4, 0.38), "suggest", (0, 1)),  # close: both offered (≥ 0.8 × 0.3)
        ((0.32, 0.2), "suggest", (0,)),  # the runner-up too low to offer
        ((0.25,), "decline", ()),
        ((), "decline", ()),
    ],
)
def test_decide_on_scores_alone(scores: tuple[float, ...], outcome: str, entries: tuple[int, ...]) -> None:
    decision = decide(Candidates(ranked=list(range(len(scores))), scores=scores))
    assert (decision.outcome, decision.entries) == (outcome, entries)
    assert decision.score == (round(scores[0], 4) if scores else 0.0)


def test_an_answer_names_its_runners_up() -> None:
    decision = decide(Candidates([4, 2, 7, 1, 3], [0.9, 0.5, 0.4, 0.3, 0.2]))
    assert decision == Decision("answer", 0.9, (4,), (2, 7, 1))
    compared_two = decide(Candidates([4, 2, 7], [0.9, 0.5, 0.4], shown=(4, 2)))
    assert (compared_two.entries, compared_two.suggestions) == ((4, 2), (7,))


def test_a_three_way_tie_asks_unless_something_backs_the_best() -> None:
    tie = ([0, 1, 2], [0.6, 0.6, 0.595])
    assert decide(Candidates(*tie)).outcome == "suggest"
    assert decide(Candidates(*tie, backed=True)).outcome == "answer"
    assert decide(Candidates(*tie, held={"distinctive": 3.4})).outcome == "answer"
    assert decide(Candidates(*tie, held={"common": 1.5})).outcome == "suggest"


def test_a_low_score_answers_on_evidence() -> None:
    three = {"a": 3.0, "b": 3.0, "c": 3.1}
    assert decide(Candidates([0], [0.21], held=three)).outcome == "answer"  # 3 words, IDF 9.1
    assert decide(Candidates([0], [0.21], held={**three, "c": 2.9})).outcome == "decline"  # IDF 8.9
    assert decide(Candidates([0], [0.19], held=three)).outcome == "decline"  # below the evidence floor


def test_a_low_score_answers_on_a_described_word() -> None:
    held = {"a": 4.0, "b": 1.0}
    assert decide(Candidates([0], [0.18], held=held, described={"a": 4.0})).outcome == "answer"
    assert decide(Candidates([0], [0.18], held=held, described={"z": 4.0})).outcome == "decline"  # not held
    assert decide(Candidates([0], [0.18], held={"a": 4.0}, described={"a": 4.0})).outcome == "decline"
    assert decide(Candidates([0], [0.16], held=held, described={"a": 4.0})).outcome == "decline"


def test_what_the_speech_does_not_give_is_offered_not_answered() -> None:
    decision = decide(Candidates([3, 1], [0.8, 0.2], lacking="date"))
    assert decision == Decision("unstated", 0.8, (3,), lacking="date")
    assert decide(Candidates([3, 1], [0.25, 0.2], lacking="date")).outcome == "decline"


def test_the_policy_is_frozen_and_its_thresholds_decide() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICY.confident = 0.1  # type: ignore[misc]
    candidates = Candidates([0, 1], [0.5, 0.48])
    assert decide(candidates).outcome == "answer"
    assert decide(candidates, Policy(confident=0.6)).outcome == "suggest"


def test_combine_weighs_each_layer() -> None:
    found = Findings(
        size=5,
        coverage=np.array([0.5, 0.0, 0.0, 0.25, 0.0]),
        unknown=0.35,  # 0.10 beyond the allowance
        examples=np.array([0.0, 0.0, 0.0, 0.0, 0.5]),
        exact=[(1, 5)],
        heard=[(3, 2)],
        rules={2: 0.8},
    )
    values = combine(found)
    assert values.tolist() == pytest.approx(
        [
            0.8 * 0.5 * 0.9,  # coverage alone
            0.72 + 0.1,  # a written name of five characters
            0.8,  # a rule's priority
            0.66 + 0.18 * 0.25 + 0.1 * 2 / 5,  # a heard name of two characters, with its entry's coverage
            0.8 * 0.5,  # an example question
        ]
    )
    assert combine(Findings(size=2, coverage=np.zeros(2), fuzzy={1: 100.0})).tolist() == [-np.inf, 0.65]
    assert combine(Findings(size=1, coverage=np.zeros(1), examples=np.array([0.1]))).tolist() == [-np.inf]


# ---- the whole, and what the package imports -----------------------------------------------------


@pytest.mark.parametrize(
    ("question", "outcome", "entry_ids"),
    [
        ("两个到为是什么", "answer", ("term-daowei",)),
        ("三个聚焦和两个到位有什么区别", "answer", ("term-jujiao", "term-daowei")),
        ("两个到位的第二条是什么", "answer", ("term-daowei-2",)),
        ("两个到位具体是哪两个", "unstated", ("term-daowei",)),  # shown after saying it is not spelled out
        ("担子重不重", "decline", ()),
    ],
)
def test_the_pipeline_on_the_invented_pack(genre: Matcher, question: str, outcome: str, entry_ids) -> None:
    result = genre.match(question)
    assert (result.outcome, result.entry_ids) == (outcome, entry_ids)
    if outcome == "unstated":
        assert result.suggestions == ("term-daowei",) and "具体内容" in plain(match_reply(result, genre.kb))


def test_the_matcher_words_nothing_and_bot_present_words_every_decision(tiny_kb_dir: Path) -> None:
    kb = load_knowledge(tiny_kb_dir)
    matcher = build_matcher(kb)
    answer = matcher.match("四明确是什么")
    assert not hasattr(answer, "text")  # a decision, no display text
    assert plain(match_reply(answer, kb)).startswith(f"【{kb[answer.entry_id].title}】")
    suggest = match_reply(Match("?", "?", False, None, 0.3, ("opening", "term-sanhui"), (), "suggest"), kb)
    assert plain(suggest).splitlines()[1:3] == ["1. 开头", "2. 三会"]
    unstated = Match("?", "?", False, None, 0.5, ("term-si-mingque",), (), "unstated", "date")
    assert plain(match_reply(unstated, kb)).startswith("讲话提到了“四明确”，但没有讲具体日期。")
    declined = Match("?", "?", False, None, 0.0, (), (), "decline")
    assert plain(match_reply(declined, kb)) == kb.pack.text("decline")


def test_the_package_imports_no_front_end_storage_or_settings() -> None:
    code = "import sys, bot.matching; print(__import__('json').dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    loaded = json.loads(done.stdout)
    forbidden = re.compile(
        r"^(telegram|sqlite3|_sqlite3|aiosqlite|bot\.(telegram|console|storage|settings|cli))"
    )
    assert [name for name in loaded if forbidden.match(name)] == []
