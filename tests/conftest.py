"""Shared fixtures: a tiny knowledge base built in a temporary folder, and the real one."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.knowledge import DEFAULT_DIR, KnowledgeBase, load_knowledge
from tests.fake_bot_api import FakeBotApiServer, FakeTelegram

TINY_SPEECH = textwrap.dedent(
    """\
    同志们：
    今天，我们召开学习会。
    一、强化组织建设
    坚持做到主体、方式、对象、措施“四明确”。要开好“三会”，即处分决定宣布会、警示教育大会。
    谢谢大家！
    """
)

TINY_ENTRIES = textwrap.dedent(
    """\
    - id: opening
      kind: section
      title: 开头
      aliases: [讲话开头]
      answer: 讲话开头说明召开学习会。
      quotes: [今天，我们召开学习会。]
      where: 开头
    - id: term-si-mingque
      kind: term
      title: 四明确
      aliases: [四个明确]
      answer: 主体、方式、对象、措施“四明确”。
      quotes: [坚持做到主体、方式、对象、措施“四明确”。]
      where: 一、强化组织建设
      related: [opening]
    - id: term-sanhui
      kind: term
      title: 三会
      answer: 处分决定宣布会、警示教育大会。
      quotes:
        - 要开好“三会”，即处分决定宣布会、警示教育大会。
      where: 一、强化组织建设
      background: 这是背景说明。
    """
)


def write_kb(folder: Path, entries: str = TINY_ENTRIES, speech: str = TINY_SPEECH) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "speech.txt").write_text(speech, encoding="utf-8")
    (folder / "entries.yaml").write_text(entries, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_kb_dir(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "knowledge")


@pytest.fixture(scope="session")
def real_kb() -> KnowledgeBase:
    return load_knowledge(DEFAULT_DIR)


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApiServer]:
    """The fake Bot API over HTTP on 127.0.0.1, for the bot or `doctor` run as they would in production."""
    fake = FakeBotApiServer(FakeTelegram())
    await fake.start()
    yield fake
    await fake.stop()
