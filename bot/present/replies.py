"""Replies built from what the matcher decided or from one entry: the cards, and the entries offered."""

from __future__ import annotations

from bot.knowledge import Entry, KnowledgeBase
from bot.matching import Match
from bot.present.model import Card, Choice, Reply
from bot.present.wording import lead

MAX_CHOICES = 3  # related entries offered under an answer


def choice_of(entry: Entry) -> Choice:
    return Choice(entry.id, entry.title, entry.short_title)


def card(entry: Entry) -> Card:
    return Card(entry.id, entry.title, entry.answer, entry.quotes, entry.where, entry.background or "")


def offered(kb: KnowledgeBase, shown: tuple[str, ...]) -> tuple[Choice, ...]:
    """Under an answer: the related entries of what is shown (as the pack links them), never one already
    shown; the console lists them and Telegram makes them buttons, the same ones."""
    ids = [r for entry_id in shown if entry_id in kb for r in kb[entry_id].related]
    kept = [i for i in dict.fromkeys(ids) if i in kb and i not in shown][:MAX_CHOICES]
    return tuple(choice_of(kb[i]) for i in kept)


def entry_reply(entry: Entry, kb: KnowledgeBase) -> Reply:
    """One entry asked for by its id or name (a button, /explain, `kb show`)."""
    return Reply("card", (card(entry),), offered(kb, (entry.id,)))


def match_reply(result: Match, kb: KnowledgeBase) -> Reply:
    """The reply to a question, from the matcher's decision."""
    if result.outcome == "answer" and result.entry_ids:
        shown = tuple(i for i in result.entry_ids if i in kb)
        return Reply("answer", tuple(card(kb[i]) for i in shown), offered(kb, shown))
    if result.outcome == "unstated":
        # Said first that the speech does not give it; then what the speech does say of it (the entry's card:
        # its context, its quotes, background labelled); then its related entries.
        shown = tuple(i for i in result.suggestions if i in kb)
        return Reply(
            "unstated",
            tuple(card(kb[i]) for i in shown),
            offered(kb, shown),
            lead(kb, result),
            result.lacking,
        )
    candidates = tuple(choice_of(kb[i]) for i in result.suggestions if i in kb)
    offers = result.outcome == "suggest"
    return Reply(result.outcome, (), candidates if offers else (), lead(kb, result), result.lacking)
