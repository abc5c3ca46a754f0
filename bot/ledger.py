"""The organiser's ledger (学习台账): who took part in what, each round's results, each part of the speech.

Content covered and sessions taken part in, never time online or forced check-ins. Only members who joined
the group's roster (/join) are named; the others are one counted row. Read from the store, written as an
.xlsx workbook with xlsxwriter: one sheet per table, Chinese headings, readable widths, dates in the bot's
time zone, and a chart of each part's accuracy (drawn by the spreadsheet program, in its own fonts).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import IO, Any

from bot.service import Service
from bot.storage import Store, timestamp

UNNAMED = "未加入名单的成员"


@dataclass
class MemberRow:
    chat_id: int
    name: str
    people: int = 1  # 1 for a named member; the count for the unnamed row
    sessions: set[str] = field(default_factory=set)  # 'round 12', 'daily 2026-05-01'
    answered: int = 0
    right: int = 0
    parts: set[str] = field(default_factory=set)
    book: int = 0  # 错题本 size (named members only)


@dataclass
class RoundRow:
    chat_id: int
    started: datetime
    speech: str
    questions: int
    participants: int
    answered: int
    right: int


@dataclass
class PartRow:
    speech: str
    part: str
    answered: int = 0
    right: int = 0
    missed: dict[str, list[int]] = field(default_factory=dict)  # question → [answered, right]

    def most_missed(self) -> str:
        missed = [(right / answered, -answered, q, answered, right) for q, (answered, right) in self.missed.items()
                  if right < answered]  # fmt: skip
        if not missed:
            return ""
        *_, question, answered, right = min(missed)
        return f"{question}（答对 {right}/{answered}）"


@dataclass
class Ledger:
    members: list[MemberRow]
    rounds: list[RoundRow]
    parts: list[PartRow]
    since: date | None
    until: date | None
    timezone: tzinfo
    parts_total: int = 0  # the parts of the speeches served
    part_order: dict[str, int] = field(default_factory=dict)  # where each part stands in its speech


def question_places(services: Iterable[Service]) -> tuple[dict[str, tuple[str, str, str]], dict[str, int]]:
    """question id → (the speech's meeting, the part it is about, its text), over every pack served; and
    each part's place in its speech (to list the parts as the speech runs)."""
    places: dict[str, tuple[str, str, str]] = {}
    order: dict[str, int] = {}
    for service in services:
        kb = service.kb
        for question in service.questions:
            part = kb.part_of(question.entry_id)
            text = " ".join(question.question.splitlines())
            places[question.id] = (kb.pack.meeting, part, text)
            start = kb.speech.find(question.evidence)
            order[part] = min(order.get(part, len(kb.speech)), start if start >= 0 else len(kb.speech))
    return places, order


async def build_ledger(
    store: Store,
    services: Sequence[Service],
    timezone: tzinfo,
    *,
    chat_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Ledger:
    """The ledger of the group chats (or one), over answers given from `since` to `until` (local dates)."""
    places, order = question_places(services)
    meetings = {service.kb.pack.id: service.kb.pack.meeting for service in services}
    low = timestamp(datetime.combine(since, datetime.min.time(), timezone)) if since else ""
    high = (
        timestamp(datetime.combine(until + timedelta(days=1), datetime.min.time(), timezone))
        if until
        else "9"
    )
    where, parameters = _within("a.chat_id < 0", "a.answered_at", "a.chat_id", (low, high), chat_id)
    answers = await store.fetchall(
        "SELECT a.chat_id, a.user_id, a.question_id, a.correct, a.day, q.source, q.round_id"
        f" FROM quiz_answers AS a JOIN quiz_asked AS q ON q.id = a.asked_id WHERE {where}"
        " ORDER BY a.answered_at",
        parameters,
    )
    roster = {
        (int(c), int(u)): str(n)
        for c, u, n in await store.fetchall("SELECT chat_id, user_id, name FROM leaderboard_members")
    }
    books = {
        int(u): int(n) for u, n in await store.fetchall("SELECT user_id, count(*) FROM quiz_cards GROUP BY 1")
    }
    members: dict[tuple[int, int], MemberRow] = {}
    unnamed: dict[int, MemberRow] = {}
    unnamed_people: dict[int, set[int]] = defaultdict(set)
    parts: dict[tuple[str, str], PartRow] = {}
    for chat, user, question_id, right, day, source, round_id in answers:
        chat, user, right = int(chat), int(user), int(right)
        if (chat, user) in roster:
            row = members.setdefault(
                (chat, user), MemberRow(chat, roster[(chat, user)], book=books.get(user, 0))
            )
        else:
            row = unnamed.setdefault(chat, MemberRow(chat, UNNAMED, people=0))
            unnamed_people[chat].add(user)
        row.sessions.add(f"round {round_id}" if round_id is not None else f"{source} {day}")
        row.answered += 1
        row.right += right
        speech, part, text = places.get(str(question_id), ("", "", str(question_id)))
        if part:
            row.parts.add(part)
            part_row = parts.setdefault((speech, part), PartRow(speech, part))
            part_row.answered += 1
            part_row.right += right
            counts = part_row.missed.setdefault(text, [0, 0])
            counts[0] += 1
            counts[1] += right
    for chat, row in unnamed.items():
        row.people = len(unnamed_people[chat])
    rounds = await _rounds(store, meetings, timezone, chat_id, low, high)
    parts_total = len({part for _, part, _ in places.values() if part})
    return Ledger(
        parts_total=parts_total,
        part_order=order,
        members=sorted(members.values(), key=lambda m: (m.chat_id, m.name)) + list(unnamed.values()),
        rounds=rounds,
        parts=sorted(parts.values(), key=lambda p: (p.speech, order.get(p.part, 0))),
        since=since,
        until=until,
        timezone=timezone,
    )


def _within(
    condition: str, moment: str, chat: str, period: tuple[str, str], chat_id: int | None
) -> tuple[str, list[Any]]:
    """`condition`, the column `moment` in the period [low, high), and one chat's rows when `chat_id` is
    given: a WHERE clause and its parameters."""
    where = f"{condition} AND {moment} >= ? AND {moment} < ?"
    parameters: list[Any] = list(period)
    if chat_id is not None:
        where += f" AND {chat} = ?"
        parameters.append(chat_id)
    return where, parameters


async def _rounds(
    store: Store, meetings: dict[str, str], timezone: tzinfo, chat_id: int | None, low: str, high: str
) -> list[RoundRow]:
    where, parameters = _within("r.state = 'done'", "r.started_at", "r.chat_id", (low, high), chat_id)
    rows = await store.fetchall(
        "SELECT r.chat_id, r.started_at, r.pack, r.questions, count(DISTINCT a.user_id), count(a.id),"
        " coalesce(sum(a.correct), 0) FROM rounds AS r"
        " LEFT JOIN quiz_asked AS q ON q.round_id = r.id LEFT JOIN quiz_answers AS a ON a.asked_id = q.id"
        f" WHERE {where} GROUP BY r.id ORDER BY r.started_at",
        parameters,
    )
    return [
        RoundRow(int(c), datetime.fromisoformat(s).astimezone(timezone), meetings.get(str(p), str(p)), int(n),
                 int(people), int(answered), int(right))
        for c, s, p, n, people, answered, right in rows
    ]  # fmt: skip


# ── the workbook ───────────────────────────────────────────────────────────────────────────────────────

MEMBER_HEADINGS = (
    "群",
    "成员",
    "人数",
    "参加次数（集体答题、每日一练）",
    "答题数",
    "答对数",
    "正确率",
    "学过的部分（个）",
    "学过的讲话部分",
    "错题本（道）",
)
ROUND_HEADINGS = ("群", "日期", "讲话", "题数", "参加人数", "作答次数", "答对次数", "正确率")
PART_HEADINGS = ("讲话", "部分", "作答次数", "答对次数", "正确率", "错得最多的题")
MAX_WIDTH = 60


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a CJK character is two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def write_xlsx(ledger: Ledger, target: str | IO[bytes]) -> None:
    """The ledger as an .xlsx workbook: 成员, 学习轮次, 讲话各部分 (with a chart). Blocking."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    percent = workbook.add_format({"num_format": "0%"})
    period = _period(ledger)

    members = [
        (str(m.chat_id), m.name, m.people, len(m.sessions), m.answered, m.right, _share(m.right, m.answered),
         f"{len(m.parts)}/{ledger.parts_total}", " | ".join(sorted(m.parts, key=lambda p: ledger.part_order.get(p, 0))), m.book if m.name != UNNAMED else "")
        for m in ledger.members
    ]  # fmt: skip
    _sheet(workbook, "成员", f"学习台账：成员参加情况{period}", MEMBER_HEADINGS, members, bold, percent, {6})
    rounds = [
        (str(r.chat_id), r.started.strftime("%Y-%m-%d %H:%M"), r.speech, r.questions, r.participants, r.answered,
         r.right, _share(r.right, r.answered))
        for r in ledger.rounds
    ]  # fmt: skip
    _sheet(workbook, "学习轮次", f"集体答题记录{period}", ROUND_HEADINGS, rounds, bold, percent, {7})
    parts = [
        (p.speech, p.part, p.answered, p.right, _share(p.right, p.answered), p.most_missed())
        for p in ledger.parts
    ]
    sheet = _sheet(
        workbook, "讲话各部分", f"讲话各部分的掌握情况{period}", PART_HEADINGS, parts, bold, percent, {4}
    )
    if parts:
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "正确率",
                "categories": ["讲话各部分", 2, 1, len(parts) + 1, 1],
                "values": ["讲话各部分", 2, 4, len(parts) + 1, 4],
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
        chart.set_title({"name": "讲话各部分的正确率"})
        chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": 60 + 36 * len(parts)})
        sheet.insert_chart(len(parts) + 4, 1, chart)
    workbook.close()


def _share(right: int, answered: int) -> float | str:
    return right / answered if answered else ""


def _period(ledger: Ledger) -> str:
    if not ledger.since and not ledger.until:
        return ""
    return f"（{ledger.since or '最早'} 至 {ledger.until or '今天'}）"


def _sheet(
    workbook: Any,
    name: str,
    title: str,
    headings: Sequence[str],
    rows: Sequence[Sequence[Any]],
    bold: Any,
    percent: Any,
    percent_columns: set[int],
) -> Any:
    sheet = workbook.add_worksheet(name)
    sheet.write_string(0, 0, title, workbook.add_format({"bold": True, "font_size": 13}))
    for column, heading in enumerate(headings):
        sheet.write_string(1, column, heading, bold)
    widths = [display_width(h) for h in headings]
    for row_number, row in enumerate(rows, 2):
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(row_number, column, value)  # never a formula, whatever a name holds
            elif column in percent_columns:
                sheet.write_number(row_number, column, value, percent)
            else:
                sheet.write_number(row_number, column, value)
            widths[column] = max(
                widths[column], display_width(str(value)) if not isinstance(value, float) else 5
            )
    for column, width in enumerate(widths):
        sheet.set_column(column, column, min(width + 2, MAX_WIDTH))
    sheet.freeze_panes(2, 0)
    if not rows:
        sheet.write_string(2, 0, "（这段时间没有记录）")
    return sheet
