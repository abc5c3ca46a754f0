"""lists.yaml, the pack's enumerations for the quiz: loaded and checked with `file:line` problems, and a pack
without it still has a quiz."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge import DEFAULT_DIR, KnowledgeError, load_knowledge
from bot.quiz import BLANK, LISTS_FILE, NOT, SINGLE, TRUEFALSE, all_questions, load_lists
from bot.quiz.parse import runs
from tests.conftest import write_kb

# The tiny pack's list, as the real lists.yaml writes one (line 2 holds `- id:`, line 6 the pattern).
GOOD_LIST = textwrap.dedent(
    """\
    lists:
      - id: si-mingque
        entry: term-si-mingque
        label: “四明确”
        name: 四明确
        pattern: '做到(?P<items>[^，。“]+)“四明确”'
        items: [主体, 方式, 对象, 措施]
    """
)


def tiny_pack(tmp_path: Path, lists: str | None = GOOD_LIST) -> Path:
    folder = write_kb(tmp_path / "kb")
    if lists is not None:
        (folder / LISTS_FILE).write_text(lists, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_lists(load_knowledge(folder))
    return list(caught.value.problems)


def test_the_real_pack_lists_its_enumerations_and_each_gives_questions() -> None:
    kb = load_knowledge(DEFAULT_DIR)
    lists = load_lists(kb)
    assert len(lists.lists) >= 40
    assert all(spec.entry in kb and spec.items for spec in lists.lists)
    asked = {q.entry_id for q in all_questions(kb)}
    assert {spec.entry for spec in lists.lists} <= asked


def test_a_list_gives_membership_gap_and_name_questions(tmp_path: Path) -> None:
    bank = all_questions(load_knowledge(tiny_pack(tmp_path)))
    asked = [q for q in bank if "“四明确”" in q.question]
    assert {q.type for q in asked} >= {SINGLE, NOT}
    assert any(q.question.endswith("合称为？") and q.answers == ("四明确",) for q in bank)
    assert any(q.type == BLANK and q.answers[0] in ("主体", "方式", "对象", "措施") for q in bank)


def test_items_alone_locate_a_list(tmp_path: Path) -> None:
    items_only = GOOD_LIST.replace("    pattern: '做到(?P<items>[^，。“]+)“四明确”'\n", "")
    kb = load_knowledge(tiny_pack(tmp_path, items_only))
    (spec,) = load_lists(kb).lists
    assert spec.items == ("主体", "方式", "对象", "措施")
    assert any("属于“四明确”" in q.question for q in all_questions(kb))


def test_a_bad_pattern_names_its_line(tmp_path: Path) -> None:
    broken = GOOD_LIST.replace("[^，。“]+)“四明确”'", "[^，。“]+“四明确”'")
    (problem,) = problems_of(tiny_pack(tmp_path, broken))
    assert problem.startswith(
        f"{tmp_path / 'kb' / LISTS_FILE}:6: list 'si-mingque': pattern is not a valid regex"
    )


def test_a_pattern_needs_its_items_group(tmp_path: Path) -> None:
    (problem,) = problems_of(tiny_pack(tmp_path, GOOD_LIST.replace("(?P<items>", "(")))
    assert problem.endswith(f"{LISTS_FILE}:6: list 'si-mingque': pattern needs a group (?P<items>…)")


def test_an_unknown_entry_id_names_its_line(tmp_path: Path) -> None:
    (problem,) = problems_of(
        tiny_pack(tmp_path, GOOD_LIST.replace("entry: term-si-mingque", "entry: term-nope"))
    )
    assert (
        problem == f"{tmp_path / 'kb' / LISTS_FILE}:3: list 'si-mingque': entry id 'term-nope' does not exist"
    )


def test_a_list_not_in_the_speech_names_its_line(tmp_path: Path) -> None:
    (problem,) = problems_of(tiny_pack(tmp_path, GOOD_LIST.replace("'做到(?P<items>", "'做不到(?P<items>")))
    assert problem == f"{tmp_path / 'kb' / LISTS_FILE}:6: list 'si-mingque': not found in the speech"


def test_items_that_differ_from_the_speech_name_the_item_line(tmp_path: Path) -> None:
    wrong = GOOD_LIST.replace(
        "items: [主体, 方式, 对象, 措施]", "items:\n    - 主体\n    - 方法\n    - 对象\n    - 措施"
    )
    (problem,) = problems_of(tiny_pack(tmp_path, wrong))
    assert (
        problem
        == f"{tmp_path / 'kb' / LISTS_FILE}:9: list 'si-mingque': items[1] is not what the speech has there ('方式')"
    )


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD_LIST + textwrap.dedent(
        """\
          - id: sanhui
            entry: term-sanhui
            label: “三会”
            pattern: '开好“三会”，即(?P<items>[^，。]+)'
            ask_right: 哪一个是{middle}？
          - id: sanhui-again
            entry: term-sanhui
            label: “三会”
            items: [处分决定宣布会, 警示教育大会]
            colour: red
          - id: si-mingque
            entry: term-sanhui
            label: 又一个
            items: [处分决定宣布会, 警示教育大会]
        headings:
          parts: 讲话的几点要求
          extra: 没有这一项
        """
    )
    problems = problems_of(tiny_pack(tmp_path, text))
    assert [int(p.split(": ", 1)[0].rsplit(":", 1)[1]) for p in problems] == [12, 17, 18, 24]  # in file order
    assert "list 'sanhui': ask_right asks for a half of an item: give `pair` too" in problems[0]
    assert "list 'sanhui-again': unknown field 'colour'" in problems[1]
    assert f"list 'si-mingque': duplicate id (first at {tmp_path / 'kb' / LISTS_FILE}:2)" in problems[2]
    assert "unknown field headings.extra" in problems[3]


def test_a_file_that_is_not_a_mapping_is_one_problem(tmp_path: Path) -> None:
    (problem,) = problems_of(tiny_pack(tmp_path, "- id: si-mingque\n"))
    assert problem.endswith(f"{LISTS_FILE}:1: lists.yaml must be a mapping (headings: …, lists: …)")


def test_kb_check_reports_a_broken_lists_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tiny_pack(tmp_path, GOOD_LIST.replace("entry: term-si-mingque", "entry: term-nope"))
    assert main(["--knowledge", str(folder), "kb", "check"]) == 1
    assert (
        f"{LISTS_FILE}:3: list 'si-mingque': entry id 'term-nope' does not exist" in capsys.readouterr().err
    )
    (folder / LISTS_FILE).write_text(GOOD_LIST, encoding="utf-8")
    assert main(["--knowledge", str(folder), "kb", "check"]) == 0
    assert "quiz lists    1" in capsys.readouterr().out


def test_a_pack_without_lists_yaml_still_gives_valid_questions(tmp_path: Path) -> None:
    kb = load_knowledge(tiny_pack(tmp_path, None))
    assert load_lists(kb).lists == ()
    bank = all_questions(kb)
    assert bank and not [q for q in bank if "属于" in q.question or q.question.endswith("合称为？")]
    for question in bank:
        assert question.evidence in kb.speech and question.entry_id in kb
        if question.type in (SINGLE, BLANK):
            assert all(a in question.evidence for a in question.answers)
        if question.type == TRUEFALSE:
            assert (question.question.split("\n", 1)[1] in kb.speech) == (question.answers == ("正确",))


SPEECH_WITH_PARTS = "一、甲方面\n甲的内容。\n二、乙方面\n乙的内容。\n各位：\n结束的话。\n"


def test_the_closing_marker_ends_the_last_part() -> None:
    """A pack's closing_marker opens the closing, which the last part does not govern; without one, the last
    part runs to the end of the speech."""
    (closed,) = runs(SPEECH_WITH_PARTS, "各位")
    assert (
        SPEECH_WITH_PARTS[closed.headings[-1].start : closed.headings[-1].body_end]
        == "二、乙方面\n乙的内容。\n"
    )
    (open_ended,) = runs(SPEECH_WITH_PARTS, "")
    assert open_ended.headings[-1].body_end == len(SPEECH_WITH_PARTS)
    assert open_ended.scope == "讲话"
    assert runs(SPEECH_WITH_PARTS, "", parts_scope="讲话的几点要求")[0].scope == "讲话的几点要求"
