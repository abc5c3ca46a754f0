"""`kb draft`: a pack from a speech's text alone, in any numbering style of the genre (three small speeches
of our own writing in tests/drafts), that loads, checks and answers; and bad input as one line and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.draft.build import draft_pack
from bot.draft.outline import read_outline
from bot.draft.write import write_pack
from bot.knowledge import load_knowledge
from bot.present.plain import plain
from bot.quiz.lists import load_lists, parse_lists
from bot.service import Service

DRAFTS = Path(__file__).resolve().parent / "drafts"
ROOT = Path(__file__).resolve().parent.parent


def text(name: str) -> str:
    return (DRAFTS / name).read_text(encoding="utf-8")


def drafted(tmp_path: Path, name: str, speech: str | None = None) -> Path:
    """The pack drafted from tests/drafts/NAME, or from `speech` when given, in a folder of tmp_path."""
    speech = text(name) if speech is None else speech
    folder = tmp_path / name.removesuffix(".txt")
    write_pack(draft_pack(speech), speech, folder)
    return folder


def test_headings_of_every_style_are_read_as_a_tree() -> None:
    roman = read_outline(text("roman.txt"))
    assert [h.title for h in roman.headings] == [
        "一、上半年工作回顾",
        "二、存在的主要问题",
        "三、下半年重点任务",
    ]
    problems, tasks = roman.headings[1], roman.headings[2]
    assert [h.style for h in problems.children] == ["cn是"] * 3  # inline 一是…二是… in one paragraph
    assert [h.title[:3] for h in tasks.children] == ["（一）", "（二）", "（三）"]
    assert roman.opening[0].text.startswith("今天") and roman.closing[0].text.startswith("同志们")
    assert [p.text[:3] for p in roman.title_lines] == ["在县林", "（20", "局党组"]

    ordinal = read_outline(text("ordinal.txt"))
    assert [h.title for h in ordinal.headings] == [
        "第一，提高政治站位，扛牢管党治党责任",
        "第二，推动党建与生产经营深度融合",
        "第三，坚持严的基调，推进党风廉政建设",
    ]
    assert ordinal.headings[0].intro == "下面，我讲三点意见。"
    assert [h.style for h in ordinal.headings[1].children] == ["d.", "d."]
    assert [h.title[:2] for h in ordinal.headings[1].children[1].children] == ["首先", "其次", "最后"]

    plain = read_outline(text("plain.txt"))
    assert plain.headings == () and "no numbered headings found" in plain.unsure[0]


@pytest.mark.parametrize("name", ["roman.txt", "ordinal.txt", "plain.txt"])
def test_a_drafted_pack_loads_and_every_quote_stands_in_the_speech(tmp_path: Path, name: str) -> None:
    folder = drafted(tmp_path, name)
    kb = load_knowledge(folder)  # raises, naming file and line, on any problem
    assert all(quote in kb.speech for entry in kb.entries for quote in entry.quotes)
    assert kb.speech == text(name)
    parse_lists(load_lists(kb).lists, kb.speech)  # every list stands in the speech as written
    checked = subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(folder), "kb", "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_slogans_are_spelled_out_when_the_speech_does_and_marked_when_it_only_names_them(
    tmp_path: Path,
) -> None:
    kb = load_knowledge(drafted(tmp_path, "roman.txt"))
    checks = next(e for e in kb.entries if e.title == "“三项检查”")
    assert not checks.mention_only
    assert all(item in checks.answer for item in ("资金使用检查", "项目验收检查", "执法办案检查"))
    assert next(e for e in kb.entries if e.title == "“四个一”").mention_only
    assert next(e for e in kb.entries if e.title == "“两个责任”").mention_only
    lists = load_lists(kb).lists
    assert [spec.label for spec in lists] == ["“三项检查”"]


@pytest.mark.parametrize("left, right", [('"', '"'), ("「", "」")])
def test_slogans_in_straight_or_corner_quotes_are_terms_too(tmp_path: Path, left: str, right: str) -> None:
    """A speech typed on another keyboard quotes its slogans "…" or 「…」: they are the same terms."""
    kb = load_knowledge(drafted(tmp_path, "typed", text("roman.txt").replace("“", left).replace("”", right)))
    assert all(quote in kb.speech for entry in kb.entries for quote in entry.quotes)
    checks = next(e for e in kb.entries if e.title == "“三项检查”")
    assert not checks.mention_only and "资金使用检查" in checks.answer
    assert next(e for e in kb.entries if e.title == "“四个一”").mention_only


SPELLED_OUT = """在县水务局2024年第三季度党建工作会议上的讲话
同志们：
今天召开季度党建工作会议。下面，我讲两点意见。
一、压实责任
全面推行“三张清单”管理。“三张清单”即：主体责任清单、监督责任清单、问题整改清单，做到责任清单化。我们在全局推行支部工作“四个一”机制，即：每月一次主题党日，每季度一次专题党课，每半年一次承诺践诺，每年一次评选先锋。
二、牢记“三个务必”
首先，务必不忘初心、牢记使命。要把群众冷暖放在心上。
其次，务必谦虚谨慎、艰苦奋斗。要过紧日子。
最后，务必敢于斗争、善于斗争。要敢于碰硬。
同志们，让我们共同努力。
"""


def test_a_slogan_is_spelled_out_after_a_word_and_a_comma_in_a_list_cut_short_or_by_its_heading_points(
    tmp_path: Path,
) -> None:
    kb = load_knowledge(drafted(tmp_path, "spelled", SPELLED_OUT))
    assert all(quote in kb.speech for entry in kb.entries for quote in entry.quotes)
    items = {
        "“三张清单”": ["主体责任清单", "监督责任清单", "问题整改清单"],  # the 、 list ends at its ，
        "“四个一”": ["每月一次主题党日", "每季度一次专题党课", "每半年一次承诺践诺", "每年一次评选先锋"],
        "“三个务必”": [
            "首先，务必不忘初心、牢记使命",
            "其次，务必谦虚谨慎、艰苦奋斗",
            "最后，务必敢于斗争、善于斗争",
        ],
    }
    for title, expected in items.items():
        term = next(e for e in kb.entries if e.title == title)
        assert not term.mention_only, title
        listed = [line.split(". ", 1)[1] for line in term.answer.splitlines() if line[:1].isdigit()]
        assert listed == expected, title


ACTORS = """在县水务局2024年第三季度党建工作会议上的讲话
同志们：
今天召开季度党建工作会议。下面，我讲两点意见。
一、查找问题
有的单位要求不严，工作抓得不实。
二、压实责任
（一）党组书记要当好第一责任人，带头抓好班子。
（二）纪检组要强化监督专责，紧盯关键岗位。纪检组的同志要敢于较真碰硬。
同志们，让我们共同努力。
"""


def test_an_actor_is_named_without_the_heading_number_or_its_trailing_words_and_criticism_asks_nothing(
    tmp_path: Path,
) -> None:
    facts = [e for e in load_knowledge(drafted(tmp_path, "actors", ACTORS)).entries if e.kind == "fact"]
    titles = [e.title for e in facts]
    assert "党组书记要做什么" in titles and "纪检组要做什么" in titles
    assert not any(t.startswith(("（", "有的")) or "同志" in t for t in titles), titles
    inspectors = next(e for e in facts if e.title == "纪检组要做什么")
    assert (
        "强化监督专责" in inspectors.answer and "敢于较真碰硬" in inspectors.answer
    )  # one entry, both duties


ASPECTS = """在省储备局2024年第四季度党建工作例会上的讲话
同志们：
今天召开季度党建工作例会。
第一个方面，全面回顾全年工作
一是理论学习更加扎实，全年开展集中学习12次。二是组织建设更加有力，新建党支部3个。
第二个方面，正视差距不足
（1）责任传导还存在层层衰减现象。
（2）基层党组织建设还存在薄弱环节。
第三个方面，突出重点任务
（1）把好入库关口，严格质量检验。
（2）把好出库关口，严格出库审批。
一、压实责任
要层层传导压力。
二、严格考核
要把考核结果用起来。
三、强化监督
要把监督挺在前面。
同志们，让我们共同努力。
"""


def test_aspects_and_bracketed_digits_are_headings_and_a_second_run_of_as_many_parts_still_loads(
    tmp_path: Path,
) -> None:
    """第一个方面，… at a line's start is a part (not also an inline item of itself); （1）（2） are its points;
    a second run of three parts, whose overview would repeat the first one's title, leaves no rule behind."""
    outline = read_outline(ASPECTS)
    tops = [h.title[:5] for h in outline.headings]
    assert tops == ["第一个方面", "第二个方面", "第三个方面", "一、压实责", "二、严格考", "三、强化监"]
    assert [c.title[:3] for c in outline.headings[1].children] == ["（1）", "（2）"]
    assert [c.title[:2] for c in outline.headings[0].children] == ["一是", "二是"]
    from bot.cli_draft import self_check

    folder = drafted(tmp_path, "aspects", ASPECTS)
    kb = load_knowledge(folder)
    assert self_check(folder) == []  # rules.yaml names no entry that is not there
    assert any(e.title.startswith("（1）责任传导") for e in kb.entries)


def test_pack_yaml_is_drafted_from_the_title_lines(tmp_path: Path) -> None:
    kb = load_knowledge(drafted(tmp_path, "roman.txt"))
    assert kb.pack.meeting == "县林业局2024年第二季度党风廉政建设工作会议"
    assert kb.pack.date == "2024-06-18"
    assert kb.pack.body == "局党组"
    undated = load_knowledge(drafted(tmp_path, "ordinal.txt"))
    assert undated.pack.meeting == "集团公司2025年第一季度党建工作例会" and undated.pack.date == "2025-03"


def test_a_drafted_pack_answers_from_the_speech(tmp_path: Path) -> None:
    service = Service.load(drafted(tmp_path, "ordinal.txt"))
    asked = {
        "四强党支部是什么": "“四强”党支部即：政治功能强",
        "第二点意见是什么": "推动党建与生产经营深度融合",
        "讲话分几个部分": "提高政治站位",
        "讲话最后讲了什么": "团结一心",
    }
    for question, words in asked.items():
        answered = service.ask(question)
        assert answered.answered, question
        shown = plain(answered.reply)
        assert words in shown, (question, shown[:80])
    assert not service.ask("红烧肉怎么做").answered


def run_draft(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "kb", "draft", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_bad_input_is_one_line_and_exit_2_and_an_existing_pack_needs_force(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(text("roman.txt").encode("gbk"))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02PK")
    for path, says in (
        (gbk, "--encoding gbk"),
        (empty, "empty"),
        (binary, "binary"),
        (tmp_path / "no.txt", "cannot read"),
    ):
        done = run_draft(str(path), "--out", str(tmp_path / "out"))
        assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    out = tmp_path / "pack"
    assert run_draft(str(gbk), "--out", str(out), "--encoding", "gbk").returncode == 0
    assert load_knowledge(out).pack.meeting.startswith("县林业局")
    again = run_draft(str(DRAFTS / "ordinal.txt"), "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    forced = run_draft(str(DRAFTS / "ordinal.txt"), "--out", str(out), "--force")
    assert forced.returncode == 0 and "drafted" in forced.stdout
    assert load_knowledge(out).pack.meeting.startswith("集团公司")
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("x", encoding="utf-8")
    onto_file = run_draft(str(DRAFTS / "ordinal.txt"), "--out", str(a_file))
    assert (
        onto_file.returncode == 2 and "is a file" in onto_file.stderr and "Traceback" not in onto_file.stderr
    )


def test_a_drafted_pack_is_checked_as_kb_check_would_before_draft_says_it_is_done(tmp_path: Path) -> None:
    from bot.cli_draft import self_check

    folder = drafted(tmp_path, "roman.txt")
    assert self_check(folder) == []
    rules = folder / "rules.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("children:", "children:\n  nowhere: nowhere-{n}")
    )
    assert any("nowhere" in problem for problem in self_check(folder))


def test_a_text_without_headings_is_one_section_and_the_report_says_so(tmp_path: Path) -> None:
    done = run_draft(str(DRAFTS / "plain.txt"), "--out", str(tmp_path / "plain"))
    assert done.returncode == 0
    assert "no numbered headings found" in done.stdout
    kb = load_knowledge(tmp_path / "plain")
    assert {e.id for e in kb.entries if e.kind == "section"} >= {"opening", "closing"}
