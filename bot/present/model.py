"""The reply model: what one answer holds, for every front end alike."""

from __future__ import annotations

from dataclasses import dataclass

from bot.outline import Hit

BACKGROUND_LABEL = "背景（非讲话原文，供参考）"
# Under an answer: the sentences that say what was asked, when its cards do not show them.
FOCUS_LEAD = "讲话中直接说到这一点的原文："


@dataclass(frozen=True, slots=True)
class Card:
    """One entry as shown: its answer, the speech's own words and where they stand, background apart."""

    entry_id: str
    title: str
    text: str
    quotes: tuple[str, ...]
    where: str
    background: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """An entry offered to open next: a related entry under an answer, a candidate under "did you mean"."""

    entry_id: str
    label: str  # the entry's title, as the console lists it
    short: str = ""  # its name on a phone's button (Entry.short_title)

    @property
    def button(self) -> str:
        return self.short or self.label


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply. `outcome` is the matcher's (answer, suggest, unstated, decline, empty, too_long), `card`
    for an entry asked by id, `sections` for the outline (a part's card, its parts as choices), `search` for
    where a word stands (`hits`, in the speech's order) or `not_found`; `lead` is the sentence before the
    cards or choices; `lacking` names what the speech does not give (unstated)."""

    outcome: str
    cards: tuple[Card, ...] = ()
    choices: tuple[Choice, ...] = ()
    lead: str = ""
    lacking: str = ""
    hits: tuple[Hit, ...] = ()

    @property
    def entry_ids(self) -> tuple[str, ...]:
        return tuple(card.entry_id for card in self.cards if card.entry_id)
