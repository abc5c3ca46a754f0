"""The console chat: questions, numbered suggestions, and the quiz (/quiz, A/B/C/D or 对/错, /review, /score)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.console import ChatSession
from bot.console_log import ConsoleStore
from bot.console_quiz import ConsoleQuiz, parse_choice, parse_choices
from bot.present.plain import plain
from bot.quiz import FALSE, MULTI, SINGLE, TRUE, TRUEFALSE, Question
from bot.service import Service
from bot.storage import Store
from bot.study import Study

ROOT = Path(__file__).resolve().parent.parent

CHOICE = Question(
    "c1", SINGLE, "哪一项？", ("甲", "乙", "丙", "丁"), (2,), "原文：丙。", "丙", "e1", "四明确"
)
SEVERAL = Question(
    "m1",
    MULTI,
    "多选：哪些属于？",
    ("甲", "乙", "丙", "丁", "戊"),
    (0, 2, 3),
    "原文：甲、丙、丁。",
    "甲丙丁",
    "e3",
    "三项",
)
TRUTH = Question("t1", TRUEFALSE, "判断：甲。", (TRUE, FALSE), (1,), "原文说的是乙。", "乙", "e2", "三会")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConsoleStore]:
    with ConsoleStore(Store(tmp_path / "bot.sqlite3"), logging=False) as running:
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def quiz(store: ConsoleStore, clock: Clock) -> ConsoleQuiz:
    return ConsoleQuiz(Study(store.store, (CHOICE, TRUTH), clock=clock), store.run)


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [("C", CHOICE, 2), ("c", CHOICE, 2), ("Ｃ", CHOICE, 2), ("选C", CHOICE, 2), ("C.", CHOICE, 2),
     ("丙", CHOICE, 2), ("E", CHOICE, None), ("对", CHOICE, None), ("四明确是什么", CHOICE, None),
     ("对", TRUTH, 0), ("正确", TRUTH, 0), ("错", TRUTH, 1), ("×", TRUTH, 1), ("B", TRUTH, 1), ("甲", TRUTH, None)],
)  # fmt: skip
def test_parse_choice(text: str, question: Question, expected: int | None) -> None:
    assert parse_choice(text, question) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ACD", (0, 2, 3)), ("a c d", (0, 2, 3)), ("D,A，C", (0, 2, 3)), ("选AC", (0, 2)), ("A", (0,)),
     ("AF", None), ("甲", None), ("", None)],
)  # fmt: skip
def test_a_multi_answer_question_takes_several_letters(text: str, expected: tuple[int, ...] | None) -> None:
    assert parse_choices(text, SEVERAL) == expected
    assert parse_choices("C", CHOICE) == (2,)


def test_a_multi_answer_question_is_right_only_with_every_right_option(
    store: ConsoleStore, clock: Clock
) -> None:
    quiz = ConsoleQuiz(Study(store.store, (SEVERAL,), clock=clock), store.run)
    assert "所有正确选项的字母" in quiz.ask()
    shown = quiz.pending.question
    letters = ["ABCDE"[i] for i in shown.correct]
    right = "、".join(
        f"{letter}. {shown.options[i]}" for letter, i in zip(letters, shown.correct, strict=True)
    )
    assert quiz.answer("".join(letters[:2])) == f"✗ 答错了。正确答案：{right}\n{shown.explanation}\n" + (
        "已加入错题本，明天用 /review 复习。"
    )  # two of the three right options: wrong
    clock.now += timedelta(days=1, minutes=1)
    quiz.review()
    shown = quiz.pending.question
    assert quiz.answer("XYZ").startswith("请输入 ")  # letters that are no options: a hint, still waiting
    assert quiz.answer(" ".join("abcde"[i] for i in reversed(shown.correct))).startswith("✓ 答对了！")


def test_a_wrong_answer_shows_the_right_one_and_goes_into_the_review_book(
    quiz: ConsoleQuiz, clock: Clock
) -> None:
    shown = quiz.ask()
    asked = quiz.pending.question
    assert shown.startswith(asked.question) and "作答" in shown
    wrong = "对" if asked is TRUTH else "A"
    verdict = quiz.answer(wrong)
    assert verdict is not None and verdict.startswith("✗ 答错了。正确答案：")
    assert asked.explanation in verdict and "错题本" in verdict
    assert quiz.answer("A") is None  # nothing is waiting any more: the text is a question again
    assert quiz.review() == "错题本共 1 道，现在没有到期的。"
    clock.now += timedelta(days=1, minutes=1)
    review = quiz.review()
    assert review.startswith("错题本：1 道到期。") and asked.question in review
    right = "错" if asked is TRUTH else "C"
    assert quiz.answer(right).startswith("✓ 答对了！")
    assert "积分 1；答题 2 道，答对 1 道，正确率 50%；连续学习 2 天" in quiz.score()


def test_an_answer_that_does_not_fit_gets_a_hint(quiz: ConsoleQuiz) -> None:
    quiz.ask()
    hint = quiz.answer("Z")
    assert hint is not None and hint.startswith("请输入 ")
    assert quiz.pending is not None  # still waiting


def test_quiz_on_an_unknown_topic_says_so(quiz: ConsoleQuiz) -> None:
    assert quiz.ask("宫保鸡丁").startswith("没有关于“宫保鸡丁”的题目")
    quiz.ask("三会")
    assert quiz.pending is not None and quiz.pending.question is TRUTH  # its entry is about 三会


def test_questions_still_work_while_a_quiz_question_waits(tiny_kb_dir: Path, quiz: ConsoleQuiz) -> None:
    from bot.knowledge import load_knowledge

    session = ChatSession(Service.of(load_knowledge(tiny_kb_dir)), quiz)
    assert "作答" in session.reply("/quiz")
    answer = session.reply("四明确指什么")
    assert answer.answered and answer.entry_id == "term-si-mingque"
    assert quiz.pending is not None


def run_chat(tmp_path: Path, stdin: str, *options: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_DB": str(tmp_path / "db" / "bot.sqlite3"), "BOT_CACHE_DIR": str(tmp_path / "c")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *options],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_chat_runs_a_quiz_from_piped_stdin(tmp_path: Path) -> None:
    done = run_chat(tmp_path, "/quiz\nA\n/score\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "作答" in done.stdout and ("答对了" in done.stdout or "答错了" in done.stdout)
    assert "答题 1 道" in done.stdout
    assert (tmp_path / "db" / "bot.sqlite3").exists()


def test_chat_without_logging_keeps_the_quiz_in_a_temporary_database(tmp_path: Path) -> None:
    done = run_chat(tmp_path, "/quiz\nA\n/score\n", "--no-log")
    assert done.returncode == 0, done.stderr
    assert "答题 1 道" in done.stdout
    assert not (tmp_path / "db").exists()


def test_a_missing_date_is_said_first_then_what_the_speech_says(quiz: ConsoleQuiz) -> None:
    """The speech names the congress but gives no date: the reply says so before anything else, then shows
    the entry's card (its sentences and where they stand); a date it never gives is not counted answered."""
    from bot.knowledge import load_knowledge

    session = ChatSession(Service.of(load_knowledge()), quiz)
    offered = session.reply("党的二十大是哪一天开幕的")
    shown = plain(offered.reply)
    assert offered.reply.outcome == "unstated" and not offered.answered
    assert shown.startswith("讲话提到了“党的二十大”，但没有讲具体日期。")
    assert "【党的二十大】" in shown and "出处：" in shown


def test_a_broken_lists_file_stops_chat_and_quiz_with_every_problem_named(tmp_path: Path) -> None:
    """The quiz reads lists.yaml: a broken one is reported as file:line, like any broken pack file."""
    import shutil

    from bot.knowledge import DEFAULT_DIR, resolve_pack

    pack = shutil.copytree(resolve_pack(DEFAULT_DIR), tmp_path / "pack")
    (pack / "lists.yaml").write_text("lists:\n  - id: x\n    entry: nope\n    label: y\n", encoding="utf-8")
    env = {**os.environ, "BOT_CACHE_DIR": str(tmp_path / "c")}
    for command in (["chat", "--no-log"], ["quiz", "--count", "1"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--knowledge", str(pack), *command],
            input="/quit\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 1, done.stderr
        assert f"{pack / 'lists.yaml'}:2: list 'x'" in done.stderr and "Traceback" not in done.stderr


def test_chat_reads_the_outline_by_numbers_down_to_a_part(tiny_kb_dir: Path) -> None:
    """/sections lists the top parts; a number opens that part (its card and its own parts), as Telegram's
    buttons do from the same Service.sections."""
    from bot.knowledge import load_knowledge

    service = Service.of(load_knowledge(tiny_kb_dir))
    session = ChatSession(service)
    top = session.reply("/sections")
    first_id = service.outline.children[""][0]
    assert top.startswith("讲话结构") and f"1. {service.kb[first_id].title}" in top
    opened = session.reply("1")
    assert opened.startswith(f"【{service.kb[first_id].title}】")
    assert "出处：" in opened


def test_chat_search_lists_each_place_with_where_it_stands(tiny_kb_dir: Path) -> None:
    from bot.knowledge import load_knowledge

    service = Service.of(load_knowledge(tiny_kb_dir))
    session = ChatSession(service)
    word = "会"
    shown = session.reply(f"/search {word}")
    sentences = [s for s in re.split("[。！？\n]", service.kb.speech) if word in s]
    assert shown.startswith(f"“{word}”在讲话的 {len(sentences)} 句话里出现")  # a sentence counts once
    assert "【" + word + "】" in shown and "〔" in shown  # grouped by part
    assert session.reply("/search 宫保鸡丁").startswith("讲话原文中没有找到“宫保鸡丁”")
    assert session.reply("/search") == "用法：/search 词"


def test_chat_random_shows_a_term_card(tiny_kb_dir: Path) -> None:
    from bot.knowledge import load_knowledge

    service = Service.of(load_knowledge(tiny_kb_dir))
    shown = ChatSession(service).reply("/random")
    assert any(shown.startswith(f"【{service.kb[t].title}】") for t in service.terms)


def test_courtesies_are_answered_kindly_by_the_service_for_both_front_ends() -> None:
    from bot.courtesy import courtesy

    assert [courtesy(t) for t in ("谢谢", "好的", "🙏", "你好", "再见")] == [
        "thanks",
        "ack",
        "emoji",
        "greeting",
        "bye",
    ]
    assert [courtesy(t) for t in ("四风是什么", "好的，那四风呢", "B", "")] == [None, None, None, None]
