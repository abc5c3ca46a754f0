"""What is built once per pack: the names, the coverage postings, the lexicon and the example questions.

The coverage postings, the thesaurus's mapping and the example index are cached on disk per pack
(bot.cache.cached(..., scope=kb.pack.id)), keyed by everything they derive from, this package's code included.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import jieba
import numpy as np

from bot.cache import cached, fingerprint
from bot.knowledge import Entry, KnowledgeBase
from bot.matching.language import LEADING_VERBS
from bot.matching.lexicon import (
    Lexicon,
    known_synonyms,
    new_tokenizer,
    search_tokens,
    thesaurus_synonyms,
    vocabulary_by_sound,
)
from bot.matching.postings import Bigrams, ExampleIndex, Postings
from bot.matching.reading import grams, plain_words_of
from bot.matching.sounds import readings
from bot.normalize import normalize

# The cached tables are only valid for the code that built them: every module of this package, and normalize.
_PACKAGE = Path(__file__).parent
SOURCE_FINGERPRINT = fingerprint(
    [path.read_bytes() for path in sorted(_PACKAGE.rglob("*.py"))]
    + [_PACKAGE.parent.joinpath("normalize.py").read_bytes()]
)
# A word in an entry's names counts more than one in its answer, and that more than one in its quotes.
FIELD_WEIGHTS = MappingProxyType({"names": 1.0, "answer": 0.8, "quotes": 0.65})
NAME_WORD_LENGTHS = (2, 12)  # names of these lengths are words of their own for jieba
NAME_WORD_FREQ = 20000  # … and so frequent that jieba keeps them whole
TYPED_WORD_FREQ = 2000  # the typed words of the pack's table, so that jieba cuts them out
FUZZY_NAME_LENGTH = 4  # names this long or longer are also matched approximately
TOPIC_LENGTH = 4  # a section's topic without its leading verb must keep this many characters


@dataclass(frozen=True, slots=True)
class Name:
    """One way an entry is called (its title, an alias, a section's topic), normalised, with its sounds."""

    text: str
    entry: int
    readings: tuple[frozenset[str], ...]


@dataclass(frozen=True, eq=False)
class NameIndex:
    """The names, by text, by the sound of their first two characters, and the long ones for rapidfuzz."""

    names: tuple[Name, ...]
    by_text: Mapping[str, list[Name]]
    lengths: tuple[int, ...]  # every length a name has, shortest first
    by_sound: Mapping[tuple[str, str], list[int]]  # first two readings → positions in names
    fuzzy_texts: list[str]
    fuzzy_owner: list[int]
    fuzzy_lengths: np.ndarray
    fuzzy_bigrams: Bigrams

    @classmethod
    def of(cls, names: Sequence[Name]) -> NameIndex:
        by_text: dict[str, list[Name]] = defaultdict(list)
        for name in names:
            by_text[name.text].append(name)
        # Names of two or more characters by their first two readings: a homophone is looked up, not sought.
        by_sound: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, name in enumerate(names):
            if len(name.text) >= 2:
                for first in name.readings[0]:
                    for second in name.readings[1]:
                        by_sound[first, second].append(position)
        fuzzy_texts = [n.text for n in names if len(n.text) >= FUZZY_NAME_LENGTH]
        return cls(
            tuple(names),
            dict(by_text),
            tuple(sorted({len(name.text) for name in names})),
            dict(by_sound),
            fuzzy_texts,
            [n.entry for n in names if len(n.text) >= FUZZY_NAME_LENGTH],
            np.array([len(text) for text in fuzzy_texts], dtype=np.intp),
            Bigrams.of(fuzzy_texts),
        )


@dataclass(frozen=True, eq=False)
class PackIndex:
    """Everything the layers look up, built once per pack."""

    kb: KnowledgeBase
    entries: tuple[Entry, ...]
    index_of: Mapping[str, int]  # entry id → its position in entries
    lexicon: Lexicon
    names: NameIndex
    max_idf: float  # the IDF of a word held by one entry: the weight of a word no entry uses is half of it
    tokens: Postings  # the entries' jieba tokens, weighted by field
    grams: Postings  # the entries' character unigrams and bigrams, weighted by field
    examples: ExampleIndex


def entry_names(entry: Entry) -> list[str]:
    """An entry's title and aliases, normalised, each once."""
    return [name for name in dict.fromkeys(normalize(n) for n in entry.names) if name]


def topic_names(entries: Sequence[Entry], taken: set[str]) -> list[tuple[str, int]]:
    """A section is also called by its topic without the leading verb: 深化三个聚焦 → 三个聚焦.

    Only when the shorter name is no entry's name already and only one section gives it.
    """
    found: dict[str, set[int]] = defaultdict(set)
    for index, entry in enumerate(entries):
        if entry.kind != "section":
            continue
        for name in entry_names(entry):
            verb = next((v for v in LEADING_VERBS if name.startswith(v)), None)
            if (
                verb is not None
                and len(name) - len(verb) >= TOPIC_LENGTH
                and not name[len(verb) :].startswith("不")
            ):
                found[name[len(verb) :]].add(index)
    return [
        (name, indexes.pop()) for name, indexes in found.items() if len(indexes) == 1 and name not in taken
    ]


def coverage_postings(
    entries: Sequence[Entry], tokenizer: jieba.Tokenizer
) -> tuple[float, Postings, Postings]:
    """Postings with a field weight: a word in an entry's names counts more than one in its quotes."""
    token_postings: dict[str, dict[int, float]] = defaultdict(dict)
    gram_postings: dict[str, dict[int, float]] = defaultdict(dict)
    for index, entry in enumerate(entries):
        fields = (
            (normalize(" ".join(entry.names)), FIELD_WEIGHTS["names"]),
            (normalize(entry.answer), FIELD_WEIGHTS["answer"]),
            (normalize(" ".join(entry.quotes)), FIELD_WEIGHTS["quotes"]),
        )
        for text, weight in fields:
            for token in search_tokens(tokenizer, text, {}):
                postings = token_postings[token]
                postings[index] = max(postings.get(index, 0.0), weight)
            for gram in grams(text):
                postings = gram_postings[gram]
                postings[index] = max(postings.get(index, 0.0), weight)
    n = len(entries)
    return math.log(1 + n), Postings.of(token_postings, n), Postings.of(gram_postings, n)


def build_index(
    kb: KnowledgeBase,
    *,
    synonyms: Mapping[str, str] | None = None,
    thesaurus: Iterable[Sequence[str]] | Callable[[], Iterable[Sequence[str]]] = (),
    thesaurus_key: str | None = None,
    examples: Mapping[str, Sequence[str]] | None = None,
) -> PackIndex:
    """The pack's index. The order matters: the entries are cut with the names as words (and no synonyms),
    then the table's typed words join jieba's dictionary, then the example questions are read like questions."""
    entries = kb.entries
    index_of = {e.id: i for i, e in enumerate(entries)}
    tokenizer = new_tokenizer()
    names: list[Name] = []
    added: list[str] = []
    named = [(name, index) for index, entry in enumerate(entries) for name in entry_names(entry)]
    for name, index in named + topic_names(entries, {name for name, _ in named}):
        names.append(Name(name, index, tuple(readings(c) for c in name)))
        if NAME_WORD_LENGTHS[0] <= len(name) <= NAME_WORD_LENGTHS[1]:
            tokenizer.add_word(name, freq=NAME_WORD_FREQ)
            added.append(name)
    key = fingerprint([SOURCE_FINGERPRINT, np.__version__, repr(kb.entries), repr(sorted(added))])
    max_idf, tokens, gram_postings = cached(
        "coverage", key, lambda: coverage_postings(entries, tokenizer), scope=kb.pack.id
    )
    table = known_synonyms(synonyms or {}, tokens.idf)
    for typed in table:
        tokenizer.add_word(typed, freq=TYPED_WORD_FREQ)
    # The thesaurus is read (and its words matched to the speech's) once per pack and thesaurus file.
    groups = thesaurus if callable(thesaurus) else lambda: thesaurus
    mapped = (
        thesaurus_synonyms(groups(), tokens.idf)
        if thesaurus_key is None
        else cached(
            "thesaurus",
            fingerprint([key, thesaurus_key]),
            lambda: thesaurus_synonyms(groups(), tokens.idf),
            scope=kb.pack.id,
        )
    )
    lexicon = Lexicon(tokenizer, tokens.idf, table, mapped, vocabulary_by_sound(tokens.idf))
    # Example questions are read through the same synonyms and thesaurus as a user's question.
    asked = {entry_id: tuple(questions) for entry_id, questions in (examples or {}).items() if questions}
    example_index = cached(
        "examples",
        fingerprint(
            [key, thesaurus_key or repr(sorted(mapped.items())), repr(sorted(table.items()))]
            + [
                f"{entry_id}:{question}"
                for entry_id, questions in sorted(asked.items())
                for question in questions
            ]
        ),
        lambda: ExampleIndex.of(
            [
                (index_of[entry_id], plain_words_of(normalize(question), lexicon))
                for entry_id, questions in asked.items()
                if entry_id in index_of
                for question in questions
            ],
            len(entries),
        ),
        scope=kb.pack.id,
    )
    return PackIndex(
        kb,
        entries,
        index_of,
        lexicon,
        NameIndex.of(names),
        max_idf,
        tokens,
        gram_postings,
        example_index,
    )
