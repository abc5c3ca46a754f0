"""Text that people wrote, made safe to print on the operator's terminal.

A question logged by the bot can hold escape sequences: ESC ] 0;title BEL retitles the window, ESC [ 2J clears
it, CR and BS write over what was printed, an 8-bit CSI (U+009B) does what ESC [ does on some terminals, and
the bidi overrides (U+202A–U+202E, U+2066–U+2069) show a line reversed. Every CLI report prints such text
through `printable` (tables, CSV on stdout) or `json_text` (JSON, where the escape keeps the text exact).
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves raw: it escapes C0 itself.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep: str = "") -> str:
    """`text` with each control or bidi character shown as its escape (`\\x1b`, `\\u202e`), as plain text.

    `keep` names the characters the format itself needs (e.g. "\\n\\t" for a CSV cell); in a one-line table
    cell keep nothing.
    """
    return CONTROL.sub(lambda found: _escaped(found.group(), keep), text)


def json_text(value: Any, **options: Any) -> str:
    """json.dumps(ensure_ascii=False) with C1 and bidi characters escaped too: the same JSON, safe to print."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _RAW_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _escaped(char: str, keep: str) -> str:
    if char in keep:
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
