"""Plain-text rendering of entries, shared by the console, `ask` and `kb show`.

The answer, then the speech's own words with where they stand, then background kept apart and labelled.
"""

from __future__ import annotations

from bot.knowledge import Entry, KnowledgeBase
from bot.present.model import BACKGROUND_LABEL

__all__ = ["BACKGROUND_LABEL", "entry_text"]


def entry_text(entry: Entry, kb: KnowledgeBase, *, with_related: bool = True) -> str:
    """The full reply a reader sees for one entry (`kb show`): bot.present's plain rendering."""
    from bot.present.model import Reply
    from bot.present.plain import plain
    from bot.present.replies import card, entry_reply

    return plain(entry_reply(entry, kb) if with_related else Reply("card", (card(entry),)))
