"""Question → entry, in named layers; see docs/matching.md.

* reading: the question read once (normalised text, jieba's cuts, the speech's words it reaches, its sounds);
* index: what is built once per pack (names, coverage postings, lexicon, example questions), cached on disk;
* layers: names (written, heard by pinyin, near), coverage, example questions, keyword rules;
* decide: the layers' findings weighed into one score per entry (combine) and decided (decide), every
  weight and threshold a field of Policy;
* rerank: ordinals pick a list's item, comparisons show two entries;
* unstated: what a question asks that the speech never gives (a date, a procedure, a thing's contents);
* result: Match, the decision (bot.present words it);
* build: a pack's matcher from its rules.yaml, synonyms.yaml and examples.yaml.

Nothing here imports Telegram, SQLite, settings or a front end; no line names a speech (a speech is its pack).
"""

from bot.matching.build import build_matcher, check_matching_files, load_examples, load_synonyms
from bot.matching.decide import DEFAULT_POLICY, Decision, Policy, combine, decide
from bot.matching.layers.names import bigrams_needed
from bot.matching.layers.rules import Rule, Rules, load_rules
from bot.matching.matcher import MAX_QUESTION_CHARS, Matcher
from bot.matching.postings import Bigrams
from bot.matching.result import Match
from bot.matching.scores import ranked
from bot.matching.sounds import primary_reading, readings

# The thresholds by their old names, for callers that read them.
CONFIDENT = DEFAULT_POLICY.confident
CLEAR_WINNER = DEFAULT_POLICY.clear_winner
SUGGEST = DEFAULT_POLICY.suggest
EVIDENCE_FLOOR = DEFAULT_POLICY.evidence_floor
EVIDENCE_WORDS = DEFAULT_POLICY.evidence_words
DESCRIBED_FLOOR = DEFAULT_POLICY.described_floor
# The helpers by their old, private names.
_Bigrams = Bigrams
_bigrams_needed = bigrams_needed
_ranked = ranked

__all__ = [
    "CLEAR_WINNER",
    "CONFIDENT",
    "DEFAULT_POLICY",
    "DESCRIBED_FLOOR",
    "EVIDENCE_FLOOR",
    "EVIDENCE_WORDS",
    "MAX_QUESTION_CHARS",
    "SUGGEST",
    "Bigrams",
    "Decision",
    "Match",
    "Matcher",
    "Policy",
    "Rule",
    "Rules",
    "_Bigrams",
    "_bigrams_needed",
    "_ranked",
    "bigrams_needed",
    "build_matcher",
    "check_matching_files",
    "combine",
    "decide",
    "load_examples",
    "load_rules",
    "load_synonyms",
    "primary_reading",
    "ranked",
    "readings",
]
