"""The charts: /stats (questions per day and the answered share) and /report (each part's accuracy), as PNGs
drawn off the event loop.

Drawn with matplotlib's object API (no pyplot state, so threads are safe) on the Agg canvas. Labels are
Chinese when a CJK font is installed (the Docker image installs Debian's fonts-noto-cjk); without one they
are English, since a chart of empty boxes helps no one.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

DAYS = 30
# Families of CJK fonts that packages ship (Debian's fonts-noto-cjk, fonts-wqy-zenhei, Adobe's Source Han).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Noto Sans SC",
)
ENGLISH = {"questions": "questions", "per_day": "questions per day", "share": "answered share",
           "title": "Last {n} days: questions and answered share", "accuracy": "accuracy",
           "parts_title": "Accuracy by part of the speech"}  # fmt: skip
CHINESE = {"questions": "提问数", "per_day": "每天的提问数", "share": "回答率",
           "title": "最近 {n} 天：提问数和回答率", "accuracy": "正确率",
           "parts_title": "讲话各部分的正确率"}  # fmt: skip


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first CJK family matplotlib finds on this machine, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def labels() -> dict[str, str]:
    return CHINESE if cjk_font() else ENGLISH


def _figure(width: float, height: float):  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def daily_series(
    per_day: Sequence[tuple[str, int, int]], today: date, days: int = DAYS
) -> list[tuple[date, int, int]]:
    """The last `days` days ending today, each (day, questions, answered), days without any as zeros."""
    known = {date.fromisoformat(day): (asked, answered) for day, asked, answered in per_day}
    first = today - timedelta(days=days - 1)
    series = []
    for n in range(days):
        day = first + timedelta(days=n)
        asked, answered = known.get(day, (0, 0))
        series.append((day, asked, answered))
    return series


def render_chart(series: Sequence[tuple[date, int, int]]) -> bytes:
    """Bars for the questions of each day, a line for the share answered; PNG bytes. Blocking."""
    # Imported here: matplotlib takes a noticeable time to import, and only the charts need it.
    from matplotlib import rc_context

    with rc_context(_font_rc()):
        figure = _figure(8, 4)
        _daily_axes(figure, series, labels())
        return _png(figure)


def _font_rc() -> dict[str, object]:
    family = cjk_font()
    return {"font.family": [family, "DejaVu Sans"]} if family else {}


def _daily_axes(figure, series: Sequence[tuple[date, int, int]], words: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.ticker import PercentFormatter

    axes = figure.add_subplot()
    days = [day for day, _, _ in series]
    asked = [n for _, n, _ in series]
    share = [answered / n if n else float("nan") for _, n, answered in series]
    axes.bar(days, asked, color="#9ab8d8", label=words["questions"])
    axes.set_ylabel(words["per_day"])
    axes.set_ylim(bottom=0, top=max([*asked, 1]) * 1.15)
    share_axes = axes.twinx()
    share_axes.plot(days, share, color="#c0392b", marker="o", markersize=3, label=words["share"])
    share_axes.set_ylim(0, 1.05)
    share_axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    share_axes.set_ylabel(words["share"])
    axes.set_title(words["title"].format(n=len(series)))
    figure.autofmt_xdate()
    figure.tight_layout()


def render_parts_chart(parts: Sequence[tuple[str, float]]) -> bytes:
    """A bar per part of the speech, its accuracy (0–1) along it; PNG bytes. Blocking."""
    from matplotlib import rc_context
    from matplotlib.ticker import PercentFormatter

    words = labels()
    with rc_context(_font_rc()):
        figure = _figure(8, 1.2 + 0.45 * max(len(parts), 1))
        axes = figure.add_subplot()
        names = [_short(name) for name, _ in parts]
        shares = [share for _, share in parts]
        bars = axes.barh(names, shares, color="#5b8fc7")
        axes.bar_label(bars, labels=[f"{s:.0%}" for s in shares], padding=3, fontsize=9)
        axes.invert_yaxis()  # the speech's order, top to bottom
        axes.set_xlim(0, 1.1)
        axes.xaxis.set_major_formatter(PercentFormatter(1.0))
        axes.set_xlabel(words["accuracy"])
        axes.set_title(words["parts_title"])
        figure.tight_layout()
        return _png(figure)


def _short(name: str, limit: int = 16) -> str:
    """A part's heading, short enough for an axis: up to its first comma, at most `limit` characters."""
    head = name.split("，")[0]
    return head if len(head) <= limit else head[: limit - 1] + "…"


async def parts_chart(parts: Sequence[tuple[str, float]]) -> bytes:
    return await asyncio.to_thread(render_parts_chart, parts)


async def daily_chart(per_day: Sequence[tuple[str, int, int]], today: date, days: int = DAYS) -> bytes:
    """The chart as PNG bytes, drawn in a worker thread so the bot keeps answering meanwhile."""
    return await asyncio.to_thread(render_chart, daily_series(per_day, today, days))
