"""A folder of packs: which pack a folder names, pack.yaml read and checked, and the words the genre shares."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from bot.knowledge import DEFAULT_DIR, KnowledgeBase, KnowledgeError, load_knowledge, pack_dirs, resolve_pack
from bot.matching import Matcher, build_matcher
from bot.matching.build import synonym_files
from bot.normalize import normalize
from bot.present.plain import plain
from bot.present.replies import match_reply
from tests.conftest import write_kb


def pack(folder: Path, date: str, meeting: str) -> Path:
    write_kb(folder)
    (folder / "pack.yaml").write_text(f"meeting: {meeting}\ndate: {date}\n", encoding="utf-8")
    return folder


def test_a_folder_of_packs_serves_the_newest_and_a_pack_folder_itself(tmp_path: Path) -> None:
    older = pack(tmp_path / "packs" / "older", "2021-06-30", "旧会议")
    newer = pack(tmp_path / "packs" / "newer", "2023-09-28", "新会议")
    assert resolve_pack(tmp_path / "packs") == newer
    assert load_knowledge(tmp_path / "packs").pack.meeting == "新会议"
    assert load_knowledge(older).pack.meeting == "旧会议"


def test_a_pack_without_pack_yaml_gets_generic_wording_that_names_no_speech(tmp_path: Path) -> None:
    kb = load_knowledge(write_kb(tmp_path / "bare"))
    assert kb.pack.id == "bare" and kb.pack.meeting == "这次会议"
    assert kb.pack.text("too_long", max_chars=9) == "问题太长了（超过 9 字）。请只问一个问题。"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("meeting: x\ncolour: red\n", "pack.yaml:2: unknown field 'colour'"),
        ("meeting: x\nexamples: 不是列表\n", "pack.yaml:2: examples must be a list of questions"),
        ("meeting: x\ntexts:\n  decline: 好\n  farewell: 再见\n", "pack.yaml:4: unknown text 'farewell'"),
        ("meeting: x\ntexts:\n  decline: '{nothing}'\n", "texts.decline: a placeholder it cannot fill"),
    ],
)
def test_a_broken_pack_yaml_names_file_and_line(tmp_path: Path, content: str, problem: str) -> None:
    folder = write_kb(tmp_path / "p")
    (folder / "pack.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(folder)
    assert any(problem in line for line in error.value.problems), error.value.problems


def test_the_genre_s_shared_words_apply_to_every_pack_and_a_pack_s_own_win(tmp_path: Path) -> None:
    from bot.matching import build_matcher

    packs = tmp_path / "packs"
    folder = pack(packs / "one", "2023-01-01", "某会议")
    (packs / "shared").mkdir()
    (packs / "shared" / "synonyms.yaml").write_text("主体: [担子, 当事方]\n", encoding="utf-8")
    (folder / "synonyms.yaml").write_text("方式: [当事方]\n", encoding="utf-8")
    kb = load_knowledge(packs)
    assert synonym_files(kb) == [packs / "shared" / "synonyms.yaml", folder / "synonyms.yaml"]
    synonyms = build_matcher(kb).index.lexicon.synonyms
    assert synonyms[normalize("担子")] == "主体"  # from the shared file
    assert synonyms[normalize("当事方")] == "方式"  # the pack's own family wins


ROOT = Path(__file__).resolve().parent.parent
PACKS_WITH_EXPECTATIONS = [
    pack
    for pack in [*pack_dirs(DEFAULT_DIR), *pack_dirs(ROOT / "tests" / "packs")]
    if (pack / "expected.yaml").exists()
]


@functools.cache
def served(pack: Path) -> tuple[KnowledgeBase, Matcher, dict]:
    kb = load_knowledge(pack)
    return kb, build_matcher(kb), yaml.safe_load((pack / "expected.yaml").read_text(encoding="utf-8"))


def test_the_shipped_pack_and_the_second_pack_pin_their_answers() -> None:
    assert {p.name for p in PACKS_WITH_EXPECTATIONS} >= {"2022q1-party-building", "2023q3-work-style"}


@pytest.mark.parametrize("pack", PACKS_WITH_EXPECTATIONS, ids=lambda p: p.name)
def test_each_pinned_question_gets_its_entry_quoted(pack: Path) -> None:
    """A pack's expected.yaml: each question of `answers` is answered by its entry, which the reply quotes."""
    kb, matcher, expected = served(pack)
    for question, entry_id in expected["answers"].items():
        result = matcher.match(question)
        assert (result.outcome, result.entry_id) == ("answer", entry_id), question
        assert result.score >= matcher.confident
        assert kb[entry_id].quotes[0] in plain(match_reply(result, kb))


@pytest.mark.parametrize("pack", PACKS_WITH_EXPECTATIONS, ids=lambda p: p.name)
def test_each_pinned_unstated_question_says_what_is_missing_first_then_shows_the_entry(pack: Path) -> None:
    """`unstated`: the speech names the thing but does not give what is asked; the reply says so first.
    None counts as answered: what is asked is not in the speech, though the reply shows what it says."""
    from bot.present.wording import LACKING

    kb, matcher, expected = served(pack)
    for question, (entry_id, lacking) in (expected.get("unstated") or {}).items():
        result = matcher.match(question)
        assert (result.outcome, result.suggestions, result.lacking) == ("unstated", (entry_id,), lacking), (
            question
        )
        assert not result.answered, question
        shown = plain(match_reply(result, kb))
        first = shown.split("\n")[0]
        assert LACKING[lacking] in first and first.count("“") == first.count("”") <= 1, question
        assert f"【{kb[entry_id].title}】" in shown, question


@pytest.mark.parametrize("pack", PACKS_WITH_EXPECTATIONS, ids=lambda p: p.name)
def test_each_pinned_off_topic_question_gets_the_pack_s_decline(pack: Path) -> None:
    kb, matcher, expected = served(pack)
    for question in expected["declines"]:
        result = matcher.match(question)
        assert (result.outcome, result.answered, result.entry_id) == ("decline", False, None), question
        assert plain(match_reply(result, kb)) == kb.pack.text("decline")


def test_kb_check_asks_the_pinned_questions_and_names_a_miss(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    pack = shutil.copytree(ROOT / "tests" / "packs" / "2023q3-work-style", tmp_path / "pack")
    expected = yaml.safe_load((pack / "expected.yaml").read_text(encoding="utf-8"))
    question, entry_id = next(iter(expected["answers"].items()))
    other = next(i for i in expected["answers"].values() if i != entry_id)
    expected["answers"][question] = other  # a wrong expectation: kb check must say so
    (pack / "expected.yaml").write_text(yaml.safe_dump(expected, allow_unicode=True), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(pack), "kb", "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "BOT_CACHE_DIR": str(tmp_path / "cache")},
    )
    total = len(expected["answers"]) + len(expected.get("unstated") or {}) + len(expected["declines"])
    assert done.returncode == 1
    assert f"expected answers: {total - 1} of {total}" in done.stdout
    assert f"{question!r}: expected {other}, got answer {entry_id}" in done.stderr
