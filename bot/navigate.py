"""Reading the speech sentence by sentence: "X那句前面是什么", "下一句呢", "那句话的前后文", "给我完整原话".

People studying a speech point at a sentence by a few of its words and ask for the one before, the one after,
the sentence whole or with its neighbours. Plain data in (the sentences with where each starts, the speech),
offsets out: part of the pure core. The pointed sentence is found by its words as typed, then by their
longest run of `MIN_PHRASE` letters or more that the speech holds once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.normalize import normalize

MIN_PHRASE = 4
# "X那句", "X这句话", "X那段": the words before point at a sentence.
POINTED = re.compile(
    r"(?P<phrase>[^，。？！?!,\s]{2,24}?)(?:的)?(?:那一?句话?|这一?句话?|那段话?|这段话?|那一段|这一段)"
)
PREVIOUS = re.compile(
    r"前面?一句|上一句|前面(?:是)?(?:怎么|咋)说|前面说了?(?:什么|啥)|之前一句|再往前|往前一句"
)
NEXT = re.compile(
    r"下一句|后一句|后面?一句|接下来一句|接着一句|后面(?:是)?(?:怎么|咋)说|后面说了?(?:什么|啥)|再往后|往后一句|接下来呢|然后呢"
)
AROUND = re.compile(r"前后文|上下文|前后(?:的)?(?:话|句|内容)")
WHOLE = re.compile(r"原话|原文|原句|完整|全句|整句")


@dataclass(frozen=True, slots=True)
class Step:
    """What a message asks of a sentence: the one before (-1), after (+1), itself (0), or it with both sides."""

    move: int
    around: bool = False


def step_asked(text: str) -> Step | None:
    """The step a message asks for, or None when it asks none of them."""
    if AROUND.search(text):
        return Step(0, around=True)
    if PREVIOUS.search(text):
        return Step(-1)
    if NEXT.search(text):
        return Step(1)
    if WHOLE.search(text):
        return Step(0)
    return None


def pointed_phrase(text: str, speech: str) -> str | None:
    """The words a message points at a sentence with ("XY那句" → XY; "XYZW前面怎么说" → XYZW, when the
    speech holds those words as typed), or None."""
    found = POINTED.search(text)
    if found:
        return found.group("phrase")
    steps = [m.start() for p in (PREVIOUS, NEXT, AROUND) if (m := p.search(text))]
    lead = re.sub(r"[\s，,。？?！!：:“”\"]", "", text[: min(steps)]) if steps else ""
    return lead if len(lead) >= MIN_PHRASE and normalize(lead) in normalize(speech) else None


def find_sentence(sentences: Sequence[tuple[int, str]], phrase: str) -> int | None:
    """The index of the one sentence holding the phrase (as typed, then folded), else the one holding its
    longest run of at least MIN_PHRASE letters that only one sentence holds; None when none or many do."""
    folded = [normalize(text) for _, text in sentences]
    for form in dict.fromkeys((phrase, normalize(phrase))):
        holding = [i for i, text in enumerate(folded) if form and form in text]
        if len(holding) == 1:
            return holding[0]
    wanted = normalize(phrase)
    for size in range(len(wanted) - 1, MIN_PHRASE - 1, -1):
        for begin in range(len(wanted) - size + 1):
            run = wanted[begin : begin + size]
            holding = [i for i, text in enumerate(folded) if run in text]
            if len(holding) == 1:
                return holding[0]
    return None


def read(sentences: Sequence[tuple[int, str]], index: int, step: Step, phrase: str = "") -> tuple[int, ...]:
    """The indexes of the sentences a step reads from the sentence at `index` (empty past either end).

    When the phrase pointed at stands inside its sentence, "下一句" may mean the clause after it: the
    sentence itself comes first then, before the next one (and after the one before, for "上一句").
    """
    if step.around:
        return tuple(i for i in (index - 1, index, index + 1) if 0 <= i < len(sentences))
    target = index + step.move
    if not 0 <= target < len(sentences):
        return ()
    text = normalize(sentences[index][1])
    at = text.find(normalize(phrase)) if phrase else -1
    if at >= 0:
        before, after = text[:at], text[at + len(normalize(phrase)) :]
        if step.move > 0 and _letters(after) >= MIN_PHRASE:
            return (index, target)
        if step.move < 0 and _letters(before) >= MIN_PHRASE:
            return (target, index)
    return (target,)


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalnum())
