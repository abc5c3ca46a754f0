"""The /stats chart: questions per day and the answered share, as a PNG, drawn off the event loop.

Drawn with matplotlib's object API (no pyplot state, so threads are safe) on the Agg canvas. Axis labels are
English: a server rarely has a CJK font, and a chart of empty boxes helps no one.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from datetime import date, timedelta

DAYS = 30


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
    # Imported here: matplotlib takes a noticeable time to import, and only /stats needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = [day for day, _, _ in series]
    asked = [n for _, n, _ in series]
    share = [answered / n if n else float("nan") for _, n, answered in series]
    axes.bar(days, asked, color="#9ab8d8", label="questions")
    axes.set_ylabel("questions per day")
    axes.set_ylim(bottom=0, top=max([*asked, 1]) * 1.15)
    share_axes = axes.twinx()
    share_axes.plot(days, share, color="#c0392b", marker="o", markersize=3, label="answered share")
    share_axes.set_ylim(0, 1.05)
    share_axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    share_axes.set_ylabel("answered share")
    axes.set_title(f"Last {len(series)} days: questions and answered share")
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def daily_chart(per_day: Sequence[tuple[str, int, int]], today: date, days: int = DAYS) -> bytes:
    """The chart as PNG bytes, drawn in a worker thread so the bot keeps answering meanwhile."""
    return await asyncio.to_thread(render_chart, daily_series(per_day, today, days))
