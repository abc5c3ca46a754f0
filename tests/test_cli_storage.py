"""`python -m bot stats | unanswered | export | forget` on a fixture database named by BOT_DB."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from storage_helpers import FIXTURE, fill, make_exchange

from bot.cli import main
from bot.storage import EXCHANGE_COLUMNS, Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture exchanges, plus one whose text Excel would run as a formula."""
    path = tmp_path / "data" / "bot.sqlite3"

    async def build() -> None:
        async with Store(path) as store:
            await fill(store)
            store.log_exchange(make_exchange(update_id=100, user_id=6, question="=1+1", normalized="=1+1"))

    asyncio.run(build())
    monkeypatch.setenv("BOT_DB", str(path))
    return path


def test_stats_prints_a_summary(db: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    for line in ("exchanges         9", "users             6", "declined          2", "term-si-mingque"):
        assert line in out


def test_stats_json_has_the_totals(db: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["stats", "--json", "--tz", "Asia/Shanghai"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert {key: stats[key] for key in ("exchanges", "users", "answered", "declined")} == {
        "exchanges": 9,
        "users": 6,
        "answered": 6,
        "declined": 2,
    }
    assert stats["busiest_hours"][0] == [17, 6]  # 09:00 UTC
    assert main(["stats", "--json", "--days", "7"]) == 0
    assert json.loads(capsys.readouterr().out)["exchanges"] == 0  # the fixture is from 2024


def test_stats_rejects_a_bad_option(db: Path, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        main(["stats", "--days", "0"])
    assert exited.value.code == 2
    assert "--days" in capsys.readouterr().err


def test_unanswered_lists_what_to_add_to_the_knowledge_base(db: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["unanswered"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "谁是局长" in lines[1] and "2024-05-20" in lines[1] and "« 谁是 局长 »" in lines[1]
    assert lines[1].split()[:2] == ["2", "2"]
    assert "三会是哪三会" in lines[2]
    assert main(["unanswered", "--limit", "1", "--json"]) == 0
    [group] = json.loads(capsys.readouterr().out)
    assert group["normalized"] == "谁是局长" and group["count"] == 2


def test_export_csv_opens_in_excel(db: Path, capsysbinary: pytest.CaptureFixture[bytes]):
    assert main(["export"]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(table) == len(FIXTURE) + 1
    assert list(table[0]) == list(EXCHANGE_COLUMNS)
    assert {row["question"] for row in table} >= {"谁是 局长", "'=1+1"}  # a formula is shown, not run
    assert b"\r\n" in data


def test_export_csv_without_bom_from_a_date(db: Path, capsysbinary: pytest.CaptureFixture[bytes]):
    assert main(["export", "--no-bom", "--since", "2024-05-20"]) == 0
    data = capsysbinary.readouterr().out
    assert not data.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.DictReader(io.StringIO(data.decode(), newline="")))) == 5


def test_export_jsonl_is_one_exact_object_a_line(db: Path, tmp_path: Path):
    output = tmp_path / "log.jsonl"
    assert main(["export", "--format", "jsonl", "-o", str(output)]) == 0
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(FIXTURE) + 1
    assert records[-1]["question"] == "=1+1"  # JSON lines keep the text exactly
    assert records[0]["answered"] is True and records[0]["suggestions"] == []


def test_forget_deletes_a_user(db: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["forget", "3"]) == 0
    assert capsys.readouterr().out.strip() == "deleted 3 rows about user 3"
    assert main(["forget", "3"]) == 0
    assert "nothing stored" in capsys.readouterr().out
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["users"] == 5


# What a person may send to make the operator's terminal obey: set its title, clear it, move back over what
# was printed, an 8-bit CSI, and bidi overrides that show text reversed.
HOSTILE = "谁是\x1b]0;pwned\x07\x1b[2J局长\r\x08\x9b31m\u202e反了\u2066"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # \t and \n are fine


@pytest.fixture
def hostile_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.sqlite3"

    async def build() -> None:
        async with Store(path) as store:
            for update_id, answered in ((1, False), (2, False), (3, True)):
                store.log_exchange(
                    make_exchange(
                        update_id=update_id,
                        question=HOSTILE,
                        normalized=HOSTILE,
                        answered=answered,
                        entry_id="term\x1b[31m-red" if answered else None,
                        score=0.97 if answered else 0.1,
                        reply=f"没有找到“{HOSTILE}”",
                    )
                )

    asyncio.run(build())
    monkeypatch.setenv("BOT_DB", str(path))
    return path


def test_unanswered_shows_control_characters_as_escapes_never_raw(
    hostile_db: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["unanswered"]) == 0
    out = capsys.readouterr().out
    assert CONTROL.findall(out) == []
    assert "谁是\\x1b]0;pwned\\x07\\x1b[2J局长" in out and "\\u202e反了" in out


def test_the_stats_table_prints_no_control_character(hostile_db: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert CONTROL.findall(out) == []
    assert "term\\x1b[31m-red" in out


@pytest.mark.parametrize(
    "command",
    [["unanswered", "--json"], ["stats", "--json"], ["export", "--format", "jsonl"]],
    ids=["unanswered", "stats", "export"],
)
def test_json_reports_escape_every_control_character_and_keep_the_text(
    hostile_db: Path, capsysbinary: pytest.CaptureFixture[bytes], command: list[str]
):
    assert main(command) == 0
    out = capsysbinary.readouterr().out.decode()
    assert CONTROL.findall(out) == []
    if command[0] == "unanswered":
        assert json.loads(out)[0]["question"] == HOSTILE
    elif command[0] == "stats":
        assert json.loads(out)["top_entries"] == [["term\x1b[31m-red", 1]]
    else:
        assert [json.loads(line)["question"] for line in out.splitlines()] == [HOSTILE] * 3


def test_export_csv_on_stdout_prints_no_control_character(
    hostile_db: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
):
    assert main(["export"]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8-sig")
    assert CONTROL.findall(out.replace("\r\n", "\n")) == []  # CSV's own row ends are CRLF
    table = list(csv.DictReader(io.StringIO(out, newline="")))
    assert table[0]["question"].startswith("谁是\\x1b]0;pwned")
    saved = tmp_path / "log.csv"  # a file gets the text exactly, for Excel or a script to read
    assert main(["export", "-o", str(saved)]) == 0
    with saved.open(encoding="utf-8-sig", newline="") as file:
        assert [row["question"] for row in csv.DictReader(file)] == [HOSTILE] * 3


def test_an_unusable_database_is_one_line_and_exit_2(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    env = {**os.environ, "BOT_DB": str(tmp_path / "file" / "bot.sqlite3")}
    for command in (["stats"], ["unanswered"], ["export"], ["forget", "1"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=30,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith("error: cannot use the database ")
