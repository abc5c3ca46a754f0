"""Question → entry (stage 1)."""

from bot.matching.build import build_matcher, check_matching_files, load_examples, load_synonyms
from bot.matching.layers.rules import Rule, Rules, load_rules
from bot.matching.matcher import (
    CLEAR_WINNER,
    CONFIDENT,
    DESCRIBED_FLOOR,
    EVIDENCE_FLOOR,
    EVIDENCE_WORDS,
    Matcher,
    _bigrams_needed,
    _ranked,
)
from bot.matching.postings import Bigrams as _Bigrams
from bot.matching.result import Match
from bot.matching.sounds import primary_reading, readings

__all__ = [
    "CLEAR_WINNER",
    "CONFIDENT",
    "DESCRIBED_FLOOR",
    "EVIDENCE_FLOOR",
    "EVIDENCE_WORDS",
    "Match",
    "Matcher",
    "Rule",
    "Rules",
    "_Bigrams",
    "_bigrams_needed",
    "_ranked",
    "build_matcher",
    "check_matching_files",
    "load_examples",
    "load_rules",
    "load_synonyms",
    "primary_reading",
    "readings",
]
