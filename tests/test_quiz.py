"""The quiz bank, question by question: Telegram's limits, the speech as evidence, a fixed draw for a seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.knowledge import DEFAULT_DIR, load_knowledge
from bot.quiz import (
    BLANK,
    BLANK_PREFIX,
    FALSE,
    GAP,
    MAX_EXPLANATION,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    MULTI,
    NOT,
    SINGLE,
    TRUE,
    TRUEFALSE,
    TRUEFALSE_PREFIX,
    TYPES,
    Question,
    all_questions,
    draw,
    mentions,
)

KB = load_knowledge(DEFAULT_DIR)
SPEECH = KB.speech
BANK = all_questions(KB)
CHOICES = [q for q in BANK if q.type in (SINGLE, BLANK, MULTI)]
ROOT = Path(__file__).resolve().parent.parent


def every(kind: str | None = None) -> pytest.MarkDecorator:
    questions = [q for q in BANK if kind is None or q.type == kind]
    return pytest.mark.parametrize("question", questions, ids=[q.id for q in questions])


def wrong_options(question: Question) -> list[str]:
    return [o for i, o in enumerate(question.options) if i not in question.correct]


# ─────────────── the bank ───────────────


def test_the_bank_holds_at_least_150_distinct_questions():
    assert len({q.id for q in BANK}) == len(BANK) >= 150
    assert len({q.question for q in BANK}) == len(BANK)


def test_every_type_is_well_represented():
    counts = Counter(q.type for q in BANK)
    assert set(counts) == set(TYPES)
    assert all(counts[kind] >= 20 for kind in TYPES), counts


def test_the_bank_is_the_same_each_time_it_is_built():
    rebuilt = all_questions(load_knowledge(DEFAULT_DIR))
    assert [q.as_dict() for q in rebuilt] == [q.as_dict() for q in BANK]


def test_the_speech_structure_is_asked_about():
    """The lists the brief names: 五个必由之路, 四明确, 三会, 纪检+ supervisions, 四个更加自觉, the parts."""
    asked = " ".join(q.question for q in BANK)
    for slogan in ("“五个必由之路”", "“四明确”", "“三会”", "“纪检+”", "“四个更加自觉”"):
        assert slogan in asked
    five_paths = [q for q in BANK if q.question.endswith("下列哪一项属于“五个必由之路”？")]
    assert five_paths and all(a.endswith("的必由之路") and a in SPEECH for q in five_paths for a in q.answers)
    assert any("出自讲话对下一阶段工作提出的要求中的哪一方面" in q.question for q in BANK)


# ─────────────── every question ───────────────


@every()
def test_fits_telegram_limits(question: Question):
    assert 0 < len(question.question) <= MAX_QUESTION
    assert MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS
    assert all(0 < len(option) <= MAX_OPTION for option in question.options)
    assert len(question.explanation) <= MAX_EXPLANATION
    assert question.explanation.count("\n") <= 2


@every()
def test_options_are_distinct_and_an_answer_is_marked(question: Question):
    assert len(set(question.options)) == len(question.options)
    assert question.correct and all(0 <= i < len(question.options) for i in question.correct)


@every()
def test_evidence_is_verbatim_speech(question: Question):
    assert question.evidence and question.evidence in SPEECH


@every()
def test_explanation_quotes_the_speech(question: Question):
    verdict, quote = question.explanation.split("\n原文：“", 1)
    assert verdict and quote.endswith("”")
    assert all(piece in SPEECH for piece in quote[:-1].split("…") if piece)


@every()
def test_points_at_an_existing_entry_and_its_id_names_it(question: Question):
    assert question.entry_id in KB
    assert question.id.startswith(f"{question.type}-{question.entry_id}-")


@pytest.mark.parametrize("question", CHOICES, ids=[q.id for q in CHOICES])
def test_the_answer_stands_in_the_evidence_and_no_distractor_does(question: Question):
    assert all(answer in question.evidence for answer in question.answers)
    assert not [o for o in wrong_options(question) if o in question.evidence]


@every(NOT)
def test_the_odd_one_out_is_absent_from_the_evidence_and_the_rest_stand_in_it(question: Question):
    assert len(question.correct) == 1
    assert question.answers[0] not in question.evidence
    assert all(option in question.evidence for option in wrong_options(question))


@every(BLANK)
def test_only_the_answer_fills_the_gap_with_the_speechs_words(question: Question):
    text = question.question.removeprefix(BLANK_PREFIX)
    assert text.count(GAP) == 1
    assert text.replace(GAP, question.answers[0]) == question.evidence
    assert not [o for o in wrong_options(question) if text.replace(GAP, o) in SPEECH]


@every(TRUEFALSE)
def test_a_statement_is_true_exactly_when_the_speech_says_it(question: Question):
    statement = question.question.removeprefix(TRUEFALSE_PREFIX)
    assert question.options == (TRUE, FALSE)
    assert (statement in SPEECH) == (question.answers == (TRUE,))


@every(MULTI)
def test_a_multi_answer_question_has_several_right_options_of_one_list_and_a_wrong_one(question: Question):
    assert question.question.startswith("多选")
    assert 2 <= len(question.correct) < len(question.options) <= MAX_OPTIONS
    assert all(answer in question.evidence for answer in question.answers)


def test_true_and_false_statements_are_as_many():
    verdicts = Counter(q.answers for q in BANK if q.type == TRUEFALSE)
    assert verdicts[(TRUE,)] == verdicts[(FALSE,)] > 0


def test_a_wrong_option_is_rarely_a_one_character_variant_of_the_answer():
    """Another thing of the same kind, not 实践导向 for 实干导向: a variant is used only when nothing else is."""
    from rapidfuzz.distance import Levenshtein

    wrong = [
        min(Levenshtein.distance(o, a) for a in q.answers)
        for q in BANK
        if q.type != TRUEFALSE
        for o in wrong_options(q)
    ]
    assert sum(d <= 1 for d in wrong) / len(wrong) < 0.02


def test_a_false_statement_is_not_about_the_words_swapped_into_it():
    for question in (q for q in BANK if q.type == TRUEFALSE and q.answers == (FALSE,)):
        statement = question.question.removeprefix(TRUEFALSE_PREFIX)
        foreign = [w for w in (statement[i : i + 4] for i in range(len(statement) - 3)) if w not in SPEECH]
        for word in foreign:  # four characters the speech never writes: they stand only in the swap
            assert not mentions(question, word) or word in question.about, (question.id, word)


# ─────────────── drawing a quiz ───────────────


def test_the_same_seed_draws_the_same_quiz():
    assert draw(BANK, 10, seed=7) == draw(BANK, 10, seed=7)
    assert draw(KB, 10, seed=7) == draw(BANK, 10, seed=7)


def test_different_seeds_draw_in_different_orders():
    quizzes = {tuple(q.id for q in draw(BANK, 10, seed=seed)) for seed in range(5)}
    assert len(quizzes) == 5


def test_the_types_take_turns():
    assert {q.type for q in draw(BANK, len(TYPES), seed=1)} == set(TYPES)


def test_already_asked_questions_are_left_out():
    first = draw(BANK, 20, seed=3)
    asked = {q.id for q in first}
    assert not asked & {q.id for q in draw(BANK, 20, seed=3, exclude_ids=asked)}


def test_a_topic_keeps_the_questions_that_mention_it():
    drawn = draw(BANK, 50, seed=0, topic="四风")
    assert drawn and all(mentions(q, "四风") for q in drawn)
    assert any(q.entry_id == "term-sifeng" for q in drawn)
    assert draw(BANK, 5, seed=0, topic="量子计算") == []


def test_a_wrong_option_does_not_make_a_question_about_it():
    question = next(q for q in BANK if q.type == SINGLE and "四风" in " ".join(wrong_options(q)))
    assert "四风" not in question.about + question.question + "".join(question.answers)
    assert not mentions(question, "四风")


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(), count=st.integers(min_value=0, max_value=40))
def test_a_draw_is_a_reshuffle_of_bank_questions(seed: int, count: int):
    by_id = {q.id: q for q in BANK}
    drawn = draw(BANK, count, seed)
    assert len(drawn) == count and len({q.id for q in drawn}) == count
    for question in drawn:
        original = by_id[question.id]
        assert sorted(question.options) == sorted(original.options)
        assert set(question.answers) == set(original.answers)
        assert (question.question, question.evidence, question.entry_id) == (
            original.question,
            original.evidence,
            original.entry_id,
        )


def test_a_tiny_knowledge_base_gives_only_valid_questions(tiny_kb_dir: Path):
    kb = load_knowledge(tiny_kb_dir)
    for question in all_questions(kb):
        assert question.evidence in kb.speech and question.entry_id in kb
        if question.type in (SINGLE, BLANK):
            assert all(a in question.evidence for a in question.answers)
            assert not [o for o in wrong_options(question) if o in question.evidence]


# ─────────────── the command line ───────────────

FIELDS = {"id", "type", "question", "options", "correct", "explanation", "evidence", "entry"}


def test_quiz_json_prints_one_question_per_line(capsys: pytest.CaptureFixture[str]):
    assert main(["quiz", "--json", "--count", "6", "--seed", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    by_id = {q.id: q for q in BANK}
    for line in lines:
        record = json.loads(line)
        assert set(record) == FIELDS
        assert record["type"] in TYPES and record["entry"] in KB
        assert record["correct"] and all(isinstance(i, int) for i in record["correct"])
        assert set(by_id[record["id"]].answers) == {record["options"][i] for i in record["correct"]}


def test_quiz_prints_readable_questions_with_their_answers(capsys: pytest.CaptureFixture[str]):
    assert main(["quiz", "--count", "2", "--topic", "四明确"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. [") and "\n2. [" in out and "答案：" in out and "原文：" in out


def test_quiz_rejects_a_count_below_one():
    with pytest.raises(SystemExit):
        main(["quiz", "--count", "0"])


def test_quiz_json_does_not_depend_on_string_hashing():
    """Question ids stay put between runs: the same output under two hash seeds."""

    def run(hash_seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        command = [sys.executable, "-m", "bot", "quiz", "--json", "--count", "12", "--seed", "5"]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout

    assert run("1") == run("2")


def test_paragraphs_numbered_first_then_last_or_by_ordinal_words_are_runs_of_headings() -> None:
    from bot.quiz.parse import headings, runs

    speech = (
        "同志们：\n首先，学习不够深。有人浮于表面。\n其次，落实不够实。有人拖拉。\n最后，纪律不够严。有人松懈。\n"
        "第一，抓学习。每周一次。\n第二，抓落实。每月一查。\n第三，抓纪律。每季一评。\n"
    )
    found = [(h.marker, h.ordinal, h.text) for h in headings(speech)]
    assert found == [
        ("首先", 1, "学习不够深"), ("首先", 2, "落实不够实"), ("首先", 3, "纪律不够严"),
        ("第", 1, "抓学习"), ("第", 2, "抓落实"), ("第", 3, "抓纪律"),
    ]  # fmt: skip
    assert [len(run.headings) for run in runs(speech)] == [3, 3]
    assert headings("其次，没有首先的其次不是一个序列。\n") == []
