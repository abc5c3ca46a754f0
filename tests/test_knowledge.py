"""The knowledge base loads only when every file is sound, and every error names file, line and entry."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot.cli import main, quoted_phrases
from bot.knowledge import DEFAULT_DIR, KnowledgeError, load_knowledge, name_key, resolve_pack
from bot.render import BACKGROUND_LABEL, entry_text
from tests.conftest import TINY_ENTRIES, write_kb

SPEECH_SHA256 = "221e7b50046cd55b64522dc882a036d5a7116e3261c32dc06501870207214f1f"
SHARED_SPEECH = DEFAULT_DIR.parent.parent / "shared" / "speech.txt"


def test_tiny_knowledge_base_loads(tiny_kb_dir: Path) -> None:
    kb = load_knowledge(tiny_kb_dir)
    assert [e.id for e in kb.entries] == ["opening", "term-si-mingque", "term-sanhui"]
    entry = kb["term-si-mingque"]
    assert entry.names == ("四明确", "四个明确")
    assert entry.related == ("opening",)
    assert entry.source == "entries.yaml:8"
    assert kb["term-sanhui"].background == "这是背景说明。"
    with pytest.raises(AttributeError):
        entry.title = "changed"  # type: ignore[misc]


def test_entry_text_quotes_the_speech_and_labels_background(tiny_kb_dir: Path) -> None:
    kb = load_knowledge(tiny_kb_dir)
    text = entry_text(kb["term-sanhui"], kb)
    assert "“要开好“三会”，即处分决定宣布会、警示教育大会。”" in text
    assert "出处：一、强化组织建设" in text
    assert f"{BACKGROUND_LABEL}：这是背景说明。" in text
    assert "相关：开头" in entry_text(kb["term-si-mingque"], kb)


def broken(tmp_path: Path, old: str, new: str) -> str:
    """Load the tiny KB with one edit applied; return the error text."""
    assert old in TINY_ENTRIES
    folder = write_kb(tmp_path / "kb", TINY_ENTRIES.replace(old, new, 1))
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    return str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "quotes: [今天，我们召开学习会。]",
            "quotes: [今天我们召开了大会。]",
            "entries.yaml:6: entry 'opening': quote not found",
        ),
        (
            "    - 要开好“三会”，即处分决定宣布会、警示教育大会。",
            "    - 要开好三会。",
            "entries.yaml:21: entry 'term-sanhui': quote not found",
        ),
        (
            "kind: term\n  title: 三会",
            "kind: slogan\n  title: 三会",
            "entries.yaml:17: entry 'term-sanhui': unknown kind 'slogan'",
        ),
        ("id: term-sanhui", "id: opening", "entry 'opening': duplicate id (first at entries.yaml:1)"),
        ("aliases: [四个明确]", "aliases: [讲话开头]", "name '讲话开头' is also used by 'opening'"),
        (
            "related: [opening]",
            "related: [nowhere]",
            "entry 'term-si-mingque': related id 'nowhere' does not exist",
        ),
        (
            "answer: 讲话开头说明召开学习会。",
            "answer: ''",
            "entries.yaml:5: entry 'opening': answer must be non-empty text",
        ),
        ("  where: 开头\n", "", "entries.yaml:1: entry 'opening': missing field 'where'"),
        (
            "  where: 开头\n",
            "  where: 开头\n  wehre: typo\n",
            "entries.yaml:8: entry 'opening': unknown field 'wehre'",
        ),
        ("id: term-sanhui", "id: Term_SanHui", "entry 'Term_SanHui': id must be an ascii slug"),
        (
            "  where: 开头\n",
            "  where: 开头\n  where: 重复\n",
            "entries.yaml:8: YAML error: duplicate key 'where'",
        ),
        ("aliases: [讲话开头]", "aliases: [讲话开头", "entries.yaml:5: YAML error"),
        (
            "  where: 开头\n",
            "  where: 开头\n  mention_only: maybe\n",
            "entries.yaml:8: entry 'opening': mention_only must be true or false",
        ),
    ],
    ids=[
        "quote-inline",
        "quote-in-list",
        "kind",
        "duplicate-id",
        "shared-alias",
        "related",
        "empty-answer",
        "missing-field",
        "unknown-field",
        "bad-id",
        "duplicate-key",
        "syntax",
        "mention-only",
    ],
)
def test_each_kind_of_broken_file_is_reported_with_file_and_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert expected in broken(tmp_path, old, new)


def test_a_file_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb", "id: opening\nkind: section\n")
    with pytest.raises(KnowledgeError, match=r"entries.yaml:1: the file must be a YAML list"):
        load_knowledge(folder)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    (folder / "entries.yaml").write_bytes("- id: 开头\n".encode("gbk"))
    with pytest.raises(KnowledgeError, match=r"entries\.yaml: not UTF-8"):
        load_knowledge(folder)


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = (
        TINY_ENTRIES.replace("kind: section", "kind: slogan")
        .replace("related: [opening]", "related: [x]")
        .replace("    - 要开好“三会”", "    - 要开好三会")
    )
    folder = write_kb(tmp_path / "kb", text)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    assert [p.split(": entry ")[1].split(":")[0] for p in info.value.problems] == [
        "'opening'",
        "'term-sanhui'",
        "'term-si-mingque'",
    ]


def test_kb_check_prints_errors_without_traceback_and_exits_1(tmp_path: Path, capsys) -> None:
    folder = write_kb(tmp_path / "kb", TINY_ENTRIES.replace("四个明确", "讲话开头"))
    assert main(["--knowledge", str(folder), "kb", "check"]) == 1
    err = capsys.readouterr().err
    assert "is also used by 'opening'" in err
    assert "Traceback" not in err


def test_kb_check_also_reads_the_matching_files_beside_the_entries(tmp_path: Path, capsys) -> None:
    folder = write_kb(tmp_path / "kb")
    (folder / "synonyms.yaml").write_text("措施: 办法\n", encoding="utf-8")
    (folder / "examples.yaml").write_text("no-such-entry:\n  - 问点什么\n", encoding="utf-8")
    assert main(["--knowledge", str(folder), "kb", "check"]) == 1
    err = capsys.readouterr().err
    assert "synonyms.yaml:1: '措施' must map to a list of words" in err
    assert "examples.yaml:1: 'no-such-entry' is not an entry id" in err


def test_kb_check_show_and_list_on_a_good_base(tiny_kb_dir: Path, capsys) -> None:
    assert main(["--knowledge", str(tiny_kb_dir), "kb", "check"]) == 0
    out = capsys.readouterr().out
    assert "3 entries" in out and "term" in out
    assert main(["--knowledge", str(tiny_kb_dir), "kb", "show", "term-si-mingque"]) == 0
    assert "主体、方式、对象、措施" in capsys.readouterr().out
    assert main(["--knowledge", str(tiny_kb_dir), "kb", "show", "nope"]) == 1
    assert main(["--knowledge", str(tiny_kb_dir), "kb", "list"]) == 0
    assert "term-sanhui" in capsys.readouterr().out


# ---- the real knowledge base ------------------------------------------------------------------


def test_speech_is_the_verbatim_copy() -> None:
    data = (resolve_pack(DEFAULT_DIR) / "speech.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SPEECH_SHA256
    if SHARED_SPEECH.exists():
        assert data == SHARED_SPEECH.read_bytes()


def test_real_knowledge_base_is_large_and_mixed(real_kb) -> None:
    kinds = {kind: sum(1 for e in real_kb.entries if e.kind == kind) for kind in ("section", "term", "fact")}
    assert len(real_kb) >= 90
    assert kinds["section"] >= 30 and kinds["term"] >= 40 and kinds["fact"] >= 10


STRUCTURE_IDS = (
    ["opening", "review", "problems", "problems-closing", "situation", "requirements", "closing"]
    + [f"problem-{i}" for i in range(1, 6)]
    + ["five-paths", *[f"five-paths-{i}" for i in range(1, 6)]]
    + [f"part-{i}" for i in range(1, 6)]
    + [f"part-1-{i}" for i in range(1, 5)]
    + ["part-2-1", "part-2-2", "part-4-cadres"]
    + [f"part-4-{i}" for i in range(1, 5)]
    + [f"part-5-{i}" for i in range(1, 5)]
    + [f"part-5-2-{i}" for i in range(1, 5)]
    + ["part-5-4-1", "part-5-4-2"]
)


@pytest.mark.parametrize("entry_id", STRUCTURE_IDS)
def test_every_part_of_the_speech_has_an_entry(real_kb, entry_id: str) -> None:
    assert entry_id in real_kb


# Phrases the speech puts in “…” that are not concepts of their own, each with the reason.
NOT_CONCEPTS = {
    "坚持": "emphasis inside 坚持和加强党的全面领导 (不仅“坚持”，还要“加强”)",
    "加强": "emphasis inside 坚持和加强党的全面领导",
    "领导": "emphasis inside 坚持和加强党的全面领导 (不仅是党的“领导”)",
    "全面领导": "emphasis inside 坚持和加强党的全面领导 (更是党的“全面领导”)",
    "学": "one half of the 学与干 contradiction, named by its own entry",
    "干": "the other half of 学与干",
    "虚": "one of the pair 虚、浮, named by its own entry",
    "浮": "the other of the pair 虚、浮",
    "优": "one of the pair 优/差 in 分类定级, named by its own entry",
    "差": "the other of the pair 优/差",
    "羞恶之心": "words inside the definition of 脸红",
    "对号入座": "words inside the definition of 脸红",
    "四个更加自觉上": "the speech misplaces the closing quote; the concept is 四个更加自觉",
}


def test_every_quoted_concept_phrase_has_an_entry_or_alias(real_kb) -> None:
    names = {name_key(n) for e in real_kb.entries for n in e.names}
    missing = [
        p for p in quoted_phrases(real_kb.speech) if p not in NOT_CONCEPTS and name_key(p) not in names
    ]
    assert missing == []


def test_the_exclusions_are_still_in_the_speech(real_kb) -> None:
    phrases = set(quoted_phrases(real_kb.speech))
    assert set(NOT_CONCEPTS) <= phrases


def test_every_entry_reads_in_one_screen(real_kb) -> None:
    too_long = {
        e.id: size for e in real_kb.entries if (size := len("".join(entry_text(e, real_kb).split()))) > 1500
    }
    assert too_long == {}


def test_a_button_name_is_short_enough_for_a_phone() -> None:
    from bot.knowledge import LABEL_CHARS, short_title

    assert short_title("四明确") == "四明确"
    assert short_title("四、强化干部队伍建设，坚持在落实“四个更加自觉上”用劲用力") == "强化干部队伍建设"
    assert short_title("学习制度（理论中心组学习、党支部“三会一课”学习、干部职工政治学习）") == "学习制度"
    assert short_title("开头：召开局2022年第一季度党建工作例会暨党风廉政建设推进会") == "开头"
    cut = short_title("党员在重大任务、急难问题面前要敢于站排头、向前冲")
    assert len(cut) == LABEL_CHARS and cut.endswith("…")
    assert all(len(e.short_title) <= LABEL_CHARS for e in load_knowledge(DEFAULT_DIR).entries)


def test_an_entry_may_name_its_button_and_a_too_long_name_is_reported(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    path = folder / "entries.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  kind: term\n", "  kind: term\n  label: 四明确\n", 1), encoding="utf-8")
    kb = load_knowledge(folder)
    named = next(e for e in kb.entries if e.label)
    assert named.short_title == "四明确"
    path.write_text(
        text.replace("  kind: term\n", "  kind: term\n  label: " + "长" * 17 + "\n", 1), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(folder)
    assert "label must be text of 1 to 16 characters" in str(error.value) and "entries.yaml:" in str(
        error.value
    )
