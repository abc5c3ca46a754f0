"""The organiser's ledger over the second (synthetic) pack: what each table holds, who is named, the workbook,
and `python -m bot report --xlsx`."""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.ledger import UNNAMED, build_ledger, display_width, write_xlsx
from bot.service import Service
from bot.storage import Store
from bot.study import Study
from bot.together import Together

PACK = Path(__file__).resolve().parent / "packs" / "2023q3-work-style"
ZONE = ZoneInfo("Asia/Shanghai")
GROUP, OTHER_GROUP = -100, -200
NAMED, UNLISTED, ELSEWHERE = 11, 12, 13


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def service() -> Service:
    return Service.load(PACK)


async def a_round(
    together: Together, study: Study, chat: int, service: Service, answers: dict[int, bool]
) -> None:
    current = await together.open_round(chat, service.kb.pack.id, 2, 5)
    assert current is not None
    questions = await together.questions_for_round(chat, 2, lambda q: service.kb.part_of(q.entry_id), seed=1)
    for question in questions:
        asked = await together.asked_in_round(current.id, chat, question, None, None)
        for user, right in answers.items():
            wrong = next(i for i in range(len(question.options)) if i not in question.correct)
            await study.answer(asked, user, list(question.correct) if right else [wrong])
    await together.claim_summary(current.id)
    await together.finish(current.id)


async def filled(path: Path, service: Service) -> None:
    clock = Clock()
    async with Store(path) as store:
        study = Study(store, service.questions, ZONE, clock=clock)
        together = Together(study)
        await together.join(GROUP, NAMED, "王五")
        await a_round(together, study, GROUP, service, {NAMED: True, UNLISTED: False})
        clock.now += timedelta(days=3)
        await a_round(together, study, GROUP, service, {NAMED: False})
        await a_round(together, study, OTHER_GROUP, service, {ELSEWHERE: True})


async def ledger_of(path: Path, service: Service, **options):  # type: ignore[no-untyped-def]
    async with Store(path) as store:
        return await build_ledger(store, [service], ZONE, **options)


def test_the_ledger_names_only_joined_members_and_counts_the_others(tmp_path: Path, service: Service) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(filled(path, service))
    ledger = asyncio.run(ledger_of(path, service, chat_id=GROUP))
    named, unnamed = ledger.members
    assert (named.name, len(named.sessions), named.answered, named.right) == ("王五", 2, 4, 2)
    assert named.parts and named.parts <= {service.kb.part_of(e.id) for e in service.kb.entries}
    assert named.book == 2  # the two questions of the second round went into the 错题本
    assert (unnamed.name, unnamed.people, unnamed.answered, unnamed.right) == (UNNAMED, 1, 2, 0)
    assert [(r.questions, r.participants, r.answered, r.right) for r in ledger.rounds] == [
        (2, 2, 4, 2),
        (2, 1, 2, 0),
    ]
    assert ledger.rounds[0].started.tzinfo == ZONE and ledger.rounds[0].started.hour == 9  # 01:00 UTC
    assert sum(p.answered for p in ledger.parts) == 6 and all(p.most_missed() for p in ledger.parts)
    # A period keeps what was answered in it; every group without --chat.
    assert len(asyncio.run(ledger_of(path, service, chat_id=GROUP, until=date(2026, 5, 2))).rounds) == 1
    assert {m.chat_id for m in asyncio.run(ledger_of(path, service)).members} == {GROUP, OTHER_GROUP}


def test_the_workbook_has_a_sheet_per_table_chinese_headings_widths_and_a_chart(
    tmp_path: Path, service: Service
) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(filled(path, service))
    buffer = io.BytesIO()
    write_xlsx(asyncio.run(ledger_of(path, service)), buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as workbook:
        sheets = workbook.read("xl/workbook.xml").decode()
        strings = workbook.read("xl/sharedStrings.xml").decode()
        members = workbook.read("xl/worksheets/sheet1.xml").decode()
        charts = [n for n in workbook.namelist() if n.startswith("xl/charts/")]
    assert [s in sheets for s in ('name="成员"', 'name="学习轮次"', 'name="讲话各部分"')] == [True] * 3
    assert "学过的讲话部分" in strings and "王五" in strings and "错得最多的题" in strings
    assert "<cols>" in members and 'customWidth="1"' in members
    assert charts
    assert display_width("党建ab") == 6


def test_report_writes_the_workbook_from_the_command_line(
    tmp_path: Path, service: Service, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(filled(path, service))
    monkeypatch.setenv("BOT_DB", str(path))
    out = tmp_path / "台账.xlsx"
    assert main(["--knowledge", str(PACK), "report", "--xlsx", str(out), "--chat", str(GROUP)]) == 0
    assert out.stat().st_size > 3000 and zipfile.is_zipfile(out)
    assert "2 member rows, 2 rounds" in capsys.readouterr().out
    assert main(["--knowledge", str(PACK), "report", "--xlsx", str(tmp_path / "no" / "x.xlsx")]) == 2
    assert "not a file in an existing folder" in capsys.readouterr().err
