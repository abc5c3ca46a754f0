"""Telegram HTML for entries (inline cards), and splitting long texts under Telegram's limit.

Every piece of knowledge-base or user text goes through `escape`; tags are only ever written here.
"""

from __future__ import annotations

import html
import re

from bot.knowledge import Entry, KnowledgeBase
from bot.present.html import card_html
from bot.present.replies import card

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

# A sentence ends at 。！？；… or a line break, with any closing quote or bracket kept on its side.
SENTENCE = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[”’」』）)]*\n?|\n|$)")
TAG = re.compile(r"(<[^<>]*>)")
TAG_NAME = re.compile(r"^<\s*(/?)\s*([a-zA-Z][\w-]*)")
ENTITY_OR_CHAR = re.compile(r"&[#\w]+;|.", re.DOTALL)


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def visible_text(text: str) -> str:
    """What a person sees of an HTML text: the tags gone, the entities read."""
    return html.unescape(TAG.sub("", text))


def entry_html(entry: Entry, kb: KnowledgeBase) -> str:
    """One entry: the answer, the speech's words in a blockquote with where they stand, background labelled
    (bot.present.html renders it; kept here for the inline cards and the outline)."""
    return card_html(card(entry))


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a Telegram-HTML text into messages of at most `limit` units, at sentence ends where possible.

    Tags open at a cut are closed at the end of one piece and opened again at the start of the next, so each
    piece is valid HTML on its own. A sentence longer than a message is cut between characters, never inside
    an entity such as `&amp;`.
    """
    if units(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    open_tags: list[tuple[str, str]] = []  # (name, the opening tag as written)

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(open_tags))

    def flush() -> None:
        nonlocal current
        if TAG.sub("", current).strip():
            pieces.append(current + closing())
        current = "".join(tag for _, tag in open_tags)

    def add(atom: str, closer: str = "") -> None:
        nonlocal current
        if units(current) + units(atom) + units(closing()) + units(closer) > limit:
            flush()
        current += atom

    for token in TAG.split(text):
        if not token:
            continue
        if TAG.fullmatch(token):
            name = TAG_NAME.match(token)
            if name and name.group(1):
                if open_tags and open_tags[-1][0] == name.group(2).lower():
                    open_tags.pop()
                current += token
            elif name:
                add(token, f"</{name.group(2).lower()}>")
                open_tags.append((name.group(2).lower(), token))
            else:
                add(token)
            continue
        for sentence in filter(None, SENTENCE.findall(token)):
            room = limit - units("".join(t for _, t in open_tags)) - units(closing())
            if units(sentence) <= room:
                add(sentence)
                continue
            for char in ENTITY_OR_CHAR.findall(sentence):
                add(char)
    flush()
    return pieces
