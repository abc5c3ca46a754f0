"""The kinds of question, each made from the parsed speech: a generator yields drafts, and the bank keeps the
drafts that meet every check (bot.quiz.checks)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from rapidfuzz.distance import Levenshtein

from bot.quiz.distractors import SLOGAN, rank, siblings, unrelated
from bot.quiz.lists import SpeechList
from bot.quiz.model import (
    BLANK,
    BLANK_PREFIX,
    FALSE,
    GAP,
    MAX_OPTION,
    MAX_STATEMENT,
    MULTI,
    MULTI_OPTIONS,
    MULTI_RIGHT,
    NOT,
    SINGLE,
    TRUE,
    TRUEFALSE,
    TRUEFALSE_PREFIX,
    WRONG_OPTIONS,
    Draft,
)
from bot.quiz.parse import CHINESE_DIGITS, HEADING_START, Parsed
from bot.quiz.text import digest, explain, q, quoted, window


def near_last(answer: str, candidates: Iterable[str]) -> list[str]:
    """The candidates without repeats, those one character away from the answer last:
    a wrong option should be another thing of the same kind, not a variant one misreads as the answer."""
    unique = list(dict.fromkeys(candidates))
    return sorted(unique, key=lambda c: Levenshtein.distance(c, answer) <= 1)


def choice(
    kind: str,
    question: str,
    answer: str,
    candidates: Iterable[str],
    evidence: str,
    start: int,
    explanation: str,
    *,
    focus: tuple[str, ...] = (),
    about: tuple[int, int] | None = None,
    fits: str | None = None,
    speech: str = "",
    entry: str = "",
) -> Draft | None:
    """A single-choice or blank draft: wrong options are the first candidates absent from the evidence.

    With `fits`, the question's gap stands in `fits` (a piece of the evidence): a candidate that would turn it
    into other words of the speech is also right, so it is left out.
    """
    others: list[str] = []
    for candidate in near_last(answer, candidates):
        if len(others) == WRONG_OPTIONS:
            break
        if candidate == answer or not candidate or candidate in evidence or answer in candidate:
            continue
        if fits is not None and fits.replace(answer, candidate, 1) in speech:
            continue
        others.append(candidate)
    if not others:
        return None
    return Draft(kind, question, (answer,), tuple(others), explanation, evidence, start, focus, about, entry)


# ─────────────────────────── the pack's lists ───────────────────────────


def list_questions(parsed: Parsed) -> Iterator[Draft]:
    for lst in parsed.lists:
        if lst.spec.members:
            yield from membership(lst, parsed)
            yield from several(lst, parsed)
        if lst.spec.ask_right or lst.spec.ask_left:
            yield from halves(lst)
        if lst.spec.statements:
            yield from item_statements(lst, parsed.speech)
        if lst.spec.name:
            yield from list_name(lst, parsed)


def membership(lst: SpeechList, parsed: Parsed) -> Iterator[Draft]:
    """Which item belongs, which is not an item, and a gap for each short item."""
    spec, speech = lst.spec, parsed.speech
    members = [item.text for item in lst.items]
    outsiders = lst.recombinations(speech) + siblings(members, speech)
    foreign = [c for c in parsed.item_pool if c not in members and unrelated(c, members)]
    focus = (spec.name,) if spec.name else ()

    pick = min(members, key=lambda m: digest(spec.id, m))
    draft = choice(
        SINGLE,
        f"根据讲话原文，下列哪一项属于{spec.label}？",
        pick,
        outsiders + rank(pick, foreign, spec.id, spread=max(2, len(pick) // 2)),
        lst.evidence,
        lst.start,
        explain(f"答案：{q(pick)}。", lst.evidence, pick),
        focus=focus,
        about=lst.span,
        entry=spec.entry,
    )
    if draft:
        yield draft

    odd = next(iter(outsiders + rank(members[0], foreign, spec.id, spread=max(2, len(members[0]) // 2))), "")
    if odd and odd not in lst.evidence:
        shown = tuple(sorted(members, key=lambda m: digest(spec.id, "not", m))[:WRONG_OPTIONS])
        verdict = f"{q(odd)}不在其中。"
        yield Draft(
            NOT,
            f"根据讲话原文，下列哪一项不属于{spec.label}？",
            (odd,),
            shown,
            explain(verdict, lst.evidence, shown[0]),
            lst.evidence,
            lst.start,
            focus,
            lst.span,
            spec.entry,
        )

    for item in lst.items:
        if 2 <= len(item.text) <= 16:
            yield from gap_question(parsed, item.text, item.start, outsiders, foreign, spec.id, spec.entry)


def several(lst: SpeechList, parsed: Parsed) -> Iterator[Draft]:
    """多选: which of these belong to the list. The right ones are items of it, the wrong ones of the same
    kind (recombined halves, the sibling list's items, items of other lists), none standing in the list."""
    spec, speech = lst.spec, parsed.speech
    members = [item.text for item in lst.items if len(item.text) <= MAX_OPTION]
    if len(members) < MULTI_RIGHT[0] + 1:
        return  # with two items, "which belong" gives itself away
    right = sorted(members, key=lambda m: digest(spec.id, "multi", m))[
        : min(MULTI_RIGHT[1], len(members) - 1)
    ]
    outsiders = lst.recombinations(speech) + siblings(members, speech)
    foreign = [c for c in parsed.item_pool if c not in members and unrelated(c, members)]
    wrong: list[str] = []
    pool = outsiders + rank(right[0], foreign, spec.id, spread=max(2, len(right[0]) // 2))
    for candidate in near_last(right[0], pool):
        if len(right) + len(wrong) == MULTI_OPTIONS:
            break
        if candidate and candidate not in lst.evidence and len(candidate) <= MAX_OPTION:
            wrong.append(candidate)
    if not wrong:
        return
    yield Draft(
        MULTI,
        f"多选：根据讲话原文，下列哪些属于{spec.label}？",
        tuple(right),
        tuple(wrong),
        explain(f"答案：{'、'.join(q(r) for r in right)}。", lst.evidence, right[0]),
        lst.evidence,
        lst.start,
        (spec.name,) if spec.name else (),
        lst.span,
        spec.entry,
    )


def halves(lst: SpeechList) -> Iterator[Draft]:
    """Given one half of an item, which other half goes with it (the rest of the list supplies wrong ones)."""
    focus = (lst.spec.name,) if lst.spec.name else ()
    for item in lst.items:
        values = {
            "left": q(item.left_text),
            "right": q(item.right_text),
            "left_raw": item.left_text,
            "right_raw": item.right_text,
        }
        for template, answer, pool in (
            (lst.spec.ask_right, item.right_text, [i.right_text for i in lst.items]),
            (lst.spec.ask_left, item.left_text, [i.left_text for i in lst.items]),
        ):
            if not template:
                continue
            draft = choice(
                SINGLE,
                template.format(**values),
                answer,
                sorted(pool, key=lambda p, key=item.text: digest(key, p)),
                item.text,
                item.start,
                explain(f"答案：{q(answer)}。", item.text, answer),
                focus=focus,
                entry=lst.spec.entry,
            )
            if draft:
                yield draft


def item_statements(lst: SpeechList, speech: str) -> Iterator[Draft]:
    """Each item as a true statement, and each swap of halves between items as a false one."""
    focus = (lst.spec.name,) if lst.spec.name else ()
    entry = lst.spec.entry
    for item in lst.items:
        yield Draft(
            TRUEFALSE,
            TRUEFALSE_PREFIX + item.text,
            (TRUE,),
            (FALSE,),
            explain("正确。", item.text),
            item.text,
            item.start,
            focus,
            entry=entry,
        )
    for item, fake in lst.swaps(speech):
        yield Draft(
            TRUEFALSE,
            TRUEFALSE_PREFIX + fake,
            (FALSE,),
            (TRUE,),
            explain(f"错误：原文是{q(item.right_text)}。", item.text, item.right_text),
            item.text,
            item.start,
            focus,
            entry=entry,
        )


def list_name(lst: SpeechList, parsed: Parsed) -> Iterator[Draft]:
    """What the speech calls the list, among the speech's other numbered slogans."""
    name = lst.spec.name
    slogans = [p for p in parsed.phrase_pool if SLOGAN.match(p) and p != name]
    draft = choice(
        SINGLE,
        f"讲话中，{q('、'.join(i.text for i in lst.items))}合称为？",
        name,
        rank(name, slogans, lst.spec.id, spread=3),
        lst.evidence,
        lst.start,
        explain(f"答案：“{name}”。", lst.evidence, name),
        focus=(name,),
        entry=lst.spec.entry,
    )
    if draft:
        yield draft


# ─────────────────────────── gaps, headings, statements ───────────────────────────


def gap_question(
    parsed: Parsed,
    answer: str,
    at: int,
    preferred: Sequence[str],
    pool: Sequence[str],
    salt: str,
    entry: str = "",
) -> Iterator[Draft]:
    """A fill-in-the-blank question on the phrase standing at `at`."""
    speech = parsed.speech
    start, end = window(speech, at, at + len(answer), limit=max(64, len(answer) + 30))
    text = speech[start:end]
    if text.count(answer) != 1 or len(text) < len(answer) + 6:
        return
    blanked = text.replace(answer, GAP, 1)
    candidates = [p for p in preferred if abs(len(p) - len(answer)) <= 2] + rank(answer, pool, salt)
    draft = choice(
        BLANK,
        BLANK_PREFIX + blanked,
        answer,
        candidates,
        text,
        start,
        explain(f"答案：{q(answer)}。", text, answer),
        focus=(answer,),
        fits=text,
        speech=speech,
        entry=entry,
    )
    if draft:
        yield draft


def phrase_gaps(parsed: Parsed) -> Iterator[Draft]:
    pool = parsed.phrase_pool
    for phrase, at in parsed.phrases:
        yield from gap_question(parsed, phrase, at, (), [p for p in pool if unrelated(p, [phrase])], phrase)


UNITS = {
    "、": ("方面", "第{n}方面"),
    "（）": ("点", "第（{n}）点"),
    "是": ("条", "第{n}条"),
    "要": ("项", "第{n}项"),
    "第": ("点", "第{n}点"),
    "首先": ("点", "第{n}点"),
}


def run_questions(parsed: Parsed) -> Iterator[Draft]:
    """Which heading stands at an ordinal of a run, and which heading a sentence of its body comes under."""
    speech = parsed.speech
    scopes = Counter(run.scope for run in parsed.runs)
    for run in parsed.runs:
        unit, ordinal = UNITS[run.headings[0].marker]
        texts = [h.text for h in run.headings]
        fulls = [h.full for h in run.headings]
        # "讲话中，第二点是？" is no question when two runs answer to the same name: it is asked only of a run
        # its scope names alone (the pack's lists.yaml names the runs of its speech).
        named_alone = scopes[run.scope] == 1
        for heading in run.headings:
            n = CHINESE_DIGITS[heading.ordinal - 1]
            draft = named_alone and choice(
                SINGLE,
                f"{run.scope}中，{ordinal.format(n=n)}是？",
                heading.text,
                sorted(texts, key=lambda t: digest(heading.full, t)),
                heading.full,
                heading.start,
                explain(f"{ordinal.format(n=n)}是{q(heading.text)}。", heading.full),
                focus=(heading.text, heading.full),
            )
            if draft:
                yield draft
            for s, e in parsed.sentences:
                if (
                    not heading.start + len(heading.full) < s < e <= heading.body_end
                    or e - heading.start > 600
                ):
                    continue
                sentence = speech[s:e]
                if not 12 <= len(sentence) <= 150 or HEADING_START.match(sentence):
                    continue
                draft = choice(
                    SINGLE,
                    f"下面这句话出自{run.scope}中的哪一{unit}？\n「{sentence}」",
                    heading.full,
                    sorted(fulls, key=lambda f: digest(sentence, f)),
                    speech[heading.start : e],
                    heading.start,
                    explain(f"出自{q(heading.full)}。", sentence),
                    focus=(heading.text, heading.full),
                )
                if draft:
                    yield draft


def statements(parsed: Parsed) -> Iterator[Draft]:
    """True/false on sentences of the speech holding a quoted phrase or a list item, and one altered copy."""
    speech = parsed.speech
    pool = parsed.phrase_pool
    swaps = [(f"“{p}”", [f"“{c}”" for c in rank(p, pool, p, spread=1)]) for p in pool]
    for lst in parsed.lists:
        members = [item.text for item in lst.items]
        outsiders = lst.recombinations(speech) + siblings(members, speech)
        swaps += [(m, [o for o in outsiders if abs(len(o) - len(m)) <= 1]) for m in members if len(m) <= 16]
    for s, e in parsed.sentences:
        raw = speech[s:e]
        cut = re.match(rf"^[{CHINESE_DIGITS}][是要]", raw)
        statement = raw[cut.end() :] if cut else raw
        if not 12 <= len(statement) <= MAX_STATEMENT or (HEADING_START.match(raw) and not cut):
            continue
        usable = [(p, alts) for p, alts in swaps if p in statement and alts]
        if not usable:
            continue
        start = s + (cut.end() if cut else 0)
        yield Draft(
            TRUEFALSE,
            TRUEFALSE_PREFIX + statement,
            (TRUE,),
            (FALSE,),
            explain("正确。", statement),
            statement,
            start,
        )
        paragraph = parsed.paragraph(s)
        for phrase, alternatives in usable:
            alt = next(
                (
                    a
                    for a in alternatives
                    if a not in paragraph and statement.replace(phrase, a, 1) not in speech
                ),
                None,
            )
            if alt is None:
                continue
            yield Draft(
                TRUEFALSE,
                TRUEFALSE_PREFIX + statement.replace(phrase, alt, 1),
                (FALSE,),
                (TRUE,),
                explain(f"错误：原文是{quoted(phrase)}，不是{quoted(alt)}。", statement, phrase),
                statement,
                start,
                (phrase.strip("“”"),),
            )
            break


GENERATORS = (list_questions, run_questions, phrase_gaps, statements)
