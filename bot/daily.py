"""The daily quiz's time of day and size: parsed and defaulted here, light enough for the settings to import."""

from __future__ import annotations

import re

DEFAULT_DAILY_TIME = "08:00"
DEFAULT_DAILY_COUNT = 3
MAX_DAILY_COUNT = 10


def parse_time(text: str) -> str | None:
    """'8:00', '08:00', '8点', '20:30' → 'HH:MM'; None when it is not a time of day."""
    found = re.fullmatch(r"\s*(\d{1,2})(?:[:：](\d{2})|点(?:(\d{1,2})分?|半)?)?\s*", text)
    if not found:
        return None
    hour = int(found.group(1))
    minute = int(found.group(2) or found.group(3) or (30 if text.strip().endswith("半") else 0))
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"
