"""How a pack reads words: jieba with the pack's names, the words its entries use (with their IDF), and the
everyday words people type for them — the pack's synonyms.yaml, the Cilin thesaurus, and typos heard by pinyin.

Built once per pack (bot.matching.index); bot.matching.reading uses it to read each question.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import jieba

from bot.cache import usable_cache_dir
from bot.matching.language import CHINESE_DIGITS, STOPCHARS, STOPWORDS, is_cjk
from bot.matching.sounds import primary_reading, sounds


def new_tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer of its own (the pack's names are added to it), its dictionary loaded."""
    tokenizer = jieba.Tokenizer()
    jieba_cache = usable_cache_dir()  # jieba's dictionary cache beside ours, not in a wiped /tmp
    if jieba_cache is not None:
        tokenizer.tmp_dir = str(jieba_cache)
    jieba.setLogLevel(logging.WARNING)
    tokenizer.initialize()
    return tokenizer


def search_tokens(tokenizer: jieba.Tokenizer, text: str, synonyms: Mapping[str, str]) -> list[str]:
    """Content tokens of a normalised text: jieba's search mode (words and their parts), synonyms applied,
    no stopwords, each once."""
    words = [synonyms.get(w, w) for w in tokenizer.lcut_for_search(text)]
    return [w for w in dict.fromkeys(words) if w.strip() and w not in STOPWORDS and not w.isspace()]


def known_synonyms(table: Mapping[str, str], idf: Mapping[str, float]) -> dict[str, str]:
    """The hand-written table, kept where it helps: the speech's word is known and the typed one is not."""
    return {typed: known for typed, known in table.items() if known in idf and typed not in idf}


def vocabulary_by_sound(idf: Mapping[str, float]) -> dict[tuple[str, ...], set[str]]:
    """The pack's words of two to four characters by every way they sound, for typos of words that are no names."""
    by_sound: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for word in idf:
        if 2 <= len(word) <= 4 and word not in STOPWORDS and all(is_cjk(c) for c in word):
            for sound in sounds(word):
                by_sound[sound].add(word)
    return dict(by_sound)


def thesaurus_synonyms(groups: Iterable[Sequence[str]], idf: Mapping[str, float]) -> dict[str, str]:
    """Each unknown word of a synonym group → the group's most distinctive word that the speech uses.

    Not added to jieba's dictionary: jieba knows nearly all of them, and 70,000 more words would change how
    the speech itself is cut.
    """
    mapped: dict[str, str] = {}
    for group in groups:
        known = [w for w in group if len(w) >= 2 and w in idf and w not in STOPWORDS]
        if not known:
            continue
        target = max(known, key=lambda w: (idf[w], w))
        for word in group:
            if len(word) >= 2 and word not in idf and word not in STOPWORDS:
                mapped.setdefault(word, target)
    return mapped


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The pack's words and the ways people type them."""

    tokenizer: jieba.Tokenizer  # the pack's names (and the typed words of its table) added as words
    idf: Mapping[str, float]  # every token the entries use, with its IDF over the entries
    synonyms: Mapping[str, str]  # the hand-written table: typed word → the speech's word
    thesaurus: Mapping[str, str]  # the general thesaurus: typed word → the speech's word
    by_sound: Mapping[tuple[str, ...], set[str]]  # the speech's words by how they sound

    def tokens(self, text: str) -> list[str]:
        """search_tokens() with the hand-written table: how a rule's remainder and the entries are read."""
        return search_tokens(self.tokenizer, text, self.synonyms)

    def heard_word(self, word: str) -> str | None:
        """The one word of the speech that sounds like this word, when this is no word of Chinese at all.

        A typed pair nobody uses (制渡) is the speech's word (制度) typed through a pinyin keyboard; a word of
        its own (jieba's dictionary knows it) is left alone, as is a sound shared by two of the speech's words.
        """
        if not 2 <= len(word) <= 4 or word in self.idf or self.tokenizer.FREQ.get(word):
            return None
        # Not a function character or numeral glued to a word by jieba (有X, 一X): that is no typo.
        if not all(is_cjk(c) and c not in STOPCHARS and c not in CHINESE_DIGITS for c in word):
            return None
        found = set(self.by_sound.get(tuple(primary_reading(c) for c in word), ()))
        return found.pop() if len(found) == 1 else None

    def synonyms_in(self, cut: Sequence[str]) -> Mapping[str, str]:
        """The hand-written table, and for the words of jieba's plain cut of a question the thesaurus and the
        speech's words heard in typos.

        Search mode also yields fragments across word boundaries (今天天气 → 天天), which the thesaurus would
        happily map (天天 → 时时); the hand-written table is small and checked, so it applies to any token.
        """
        plain = {}
        for word in cut:
            known = self.thesaurus.get(word) or self.heard_word(word)
            if known:
                plain[word] = known
        return {**plain, **self.synonyms} if plain else self.synonyms
