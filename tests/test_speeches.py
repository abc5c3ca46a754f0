"""Several speeches in one bot: a folder of packs (the shipped one and the synthetic second), the newest the
default, /speech listing them with buttons and switching a chat's speech (kept across a restart), /reload
picking up a new pack, and the console's --pack."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.knowledge import DEFAULT_DIR, KnowledgeError, find_pack, packs_newest_first, resolve_pack
from bot.library import Library
from tests.test_telegram_handlers import ADMIN, only, settings_for, started, stopped, visible

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = resolve_pack(DEFAULT_DIR)
SECOND = Path(__file__).resolve().parent / "packs" / "2023q3-work-style"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of two packs: the shipped speech (2022) and the second (2023, so the newest)."""
    packs = tmp_path / "knowledge"
    shutil.copytree(SHIPPED, packs / SHIPPED.name)
    shutil.copytree(SECOND, packs / SECOND.name)
    shutil.copytree(DEFAULT_DIR / "shared", packs / "shared")
    return packs


def test_the_library_serves_every_pack_the_newest_by_default(folder: Path) -> None:
    library = Library.load(folder)
    assert list(library.services) == [SECOND.name, SHIPPED.name]  # newest first
    assert library.default == SECOND.name and library.newest.kb.pack.date.startswith("2023")
    assert library.service(SHIPPED.name).kb.pack.meeting != library.newest.kb.pack.meeting
    assert library.service("gone") is library.newest  # a pack no longer served: the default
    assert [p.name for p in packs_newest_first(folder)] == list(library.services)
    with pytest.raises(KnowledgeError, match="packs there"):
        find_pack(folder, "nope")


def test_reloading_reuses_unchanged_packs_and_picks_up_a_new_one(folder: Path) -> None:
    first = Library.load(folder)
    third = folder / "2099q1-copy"
    shutil.copytree(SHIPPED, third)
    (third / "pack.yaml").write_text(
        (third / "pack.yaml").read_text(encoding="utf-8").replace("date: 2022", "date: 2099"),
        encoding="utf-8",
    )
    again = Library.load(folder, before=first)
    assert again.default == "2099q1-copy" and len(again) == 3
    assert again.services[SECOND.name] is first.services[SECOND.name]  # unchanged: not loaded again


async def test_speech_lists_the_packs_and_a_tap_switches_the_chat_and_is_kept(
    tmp_path: Path, folder: Path
) -> None:
    settings = settings_for(tmp_path, BOT_KNOWLEDGE=str(folder))
    bot = await started(settings, None)
    try:
        shipped = bot.app.bot_data.packs.services[SHIPPED.name].kb.pack
        second = bot.app.bot_data.packs.services[SECOND.name].kb.pack
        listed = only(await bot.text("/speech"))
        assert shipped.meeting in visible(listed) and second.meeting in visible(listed)
        buttons = listed.buttons
        assert [b["callback_data"] for b in buttons] == [f"p:{SECOND.name}", f"p:{SHIPPED.name}"]
        assert all(len(b["text"]) <= 18 for b in buttons) and buttons[0]["text"].startswith("✓")
        about = only(await bot.text("/about"))
        assert second.meeting in visible(about)  # the newest, before a choice
        calls = await bot.press(f"p:{SHIPPED.name}")
        assert any(c.method == "answerCallbackQuery" for c in calls)
        about = only(await bot.text("/about"))
        assert shipped.meeting in visible(about)
        answer = only(await bot.text("五个必由之路是什么"))
        assert "必由之路" in visible(answer)
        assert await bot.app.bot_data.store.chats_with_setting("pack") == {42: SHIPPED.name}
    finally:
        await stopped(bot)
    again = await started(settings, None)  # a restart keeps the chat's choice
    try:
        assert shipped.meeting in visible(only(await again.text("/about")))
        stale = await again.press("p:gone")
        assert any(c.method == "answerCallbackQuery" and "不再提供" in str(c.params) for c in stale)
    finally:
        await stopped(again)


async def test_reload_picks_up_a_new_pack(tmp_path: Path, folder: Path) -> None:
    bot = await started(settings_for(tmp_path, BOT_KNOWLEDGE=str(folder)), None)
    try:
        newer = folder / "2099q1-copy"
        shutil.copytree(SECOND, newer)
        (newer / "pack.yaml").write_text(
            (newer / "pack.yaml").read_text(encoding="utf-8").replace("date: 2023", "date: 2099"),
            encoding="utf-8",
        )
        said = visible(only(await bot.text("/reload", user_id=ADMIN)))
        assert "共 3 篇讲话" in said
        assert bot.app.bot_data.packs.default == "2099q1-copy"
    finally:
        await stopped(bot)


def test_the_console_takes_a_pack_by_name(folder: Path) -> None:
    def ask(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "--knowledge", str(folder), "ask", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            input="",
        )

    newest = ask("三怕指什么")  # a term of the second pack, the newest
    assert newest.returncode == 0 and "三怕" in newest.stdout
    shipped = ask("--pack", SHIPPED.name, "五个必由之路是什么")
    assert shipped.returncode == 0 and "必由之路" in shipped.stdout
    missing = ask("--pack", "nope", "x")
    assert missing.returncode == 1 and "packs there" in missing.stderr


async def test_a_chat_draws_from_its_own_speech_and_reads_every_speech_s_questions(
    tmp_path: Path, folder: Path
) -> None:
    from bot.storage import Store
    from bot.study import Study

    library = Library.load(folder)
    shipped, second = (library.services[p].questions for p in (SHIPPED.name, SECOND.name))
    async with Store(tmp_path / "db.sqlite3") as store:
        study = Study(store, second, bank_of=lambda chat: shipped if chat == 7 else second, known=shipped)
        ids = {name: {q.id for q in bank} for name, bank in (("shipped", shipped), ("second", second))}
        drawn = await study.next_questions(7, 5, seed=1)
        assert (
            len(drawn) == 5 and {q.id for q in drawn} <= ids["shipped"]
        )  # chat 7 studies the shipped speech
        assert {q.id for q in await study.next_questions(8, 5, seed=1)} <= ids["second"]
        assert all(q.id in study.by_id for q in (*shipped, *second))  # a card from either is still read
