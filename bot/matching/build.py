"""A pack's matcher, built from the files beside its entries: rules.yaml, synonyms.yaml, examples.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.cache import cached, fingerprint
from bot.knowledge import KnowledgeBase, KnowledgeError, read_yaml, shared_file
from bot.matching.index import SOURCE_FINGERPRINT
from bot.matching.layers.rules import Rules, load_rules
from bot.matching.matcher import Matcher
from bot.matching.scope import ScopeModel, fit_scope
from bot.normalize import normalize
from bot.thesaurus import cilin_fingerprint, cilin_groups

OFFTOPIC_FILE = "offtopic.yaml"


def build_matcher(kb: KnowledgeBase, *, with_examples: bool = True, **options: float) -> Matcher:
    """The matcher with the knowledge base's own rules, synonyms and example questions, when it has them."""
    rules_path = (kb.directory or Path(".")) / "rules.yaml"
    rules = load_rules(rules_path, kb) if rules_path.exists() else Rules()
    synonyms = {}
    # The genre's shared words first, then the pack's own, which win where both have a word. A thousand
    # words, each normalised: read once per version of the files and of the code.
    for synonyms_path in synonym_files(kb):
        synonyms.update(
            cached(
                "synonyms",
                fingerprint([SOURCE_FINGERPRINT, str(synonyms_path), synonyms_path.read_bytes()]),
                lambda path=synonyms_path: load_synonyms(path),
                scope=f"{kb.pack.id}-{synonyms_path.parent.name}",
            )
        )
    examples_path = (kb.directory or Path(".")) / "examples.yaml"
    examples = load_examples(examples_path, kb) if with_examples and examples_path.exists() else {}
    return Matcher(
        kb,
        rules,
        synonyms=synonyms,
        thesaurus=cilin_groups,
        thesaurus_key=cilin_fingerprint(),
        examples=examples,
        scope=build_scope(kb, examples) if with_examples else None,
        **options,
    )


def offtopic_files(kb: KnowledgeBase) -> list[Path]:
    """knowledge/shared/offtopic.yaml (the genre's off-topic questions), then the pack's own offtopic.yaml."""
    own = (kb.directory or Path(".")) / OFFTOPIC_FILE
    return [path for path in (shared_file(kb, OFFTOPIC_FILE), own) if path is not None and path.exists()]


def out_of_scope_examples(kb: KnowledgeBase) -> list[str]:
    """The off-topic questions for this pack, normalised: every chat, task and general question, and the
    party topics' questions whose topic the speech never names (a topic it names is in scope here)."""
    speech = normalize(kb.speech)
    found: list[str] = []
    for path in offtopic_files(kb):
        plain, topics = load_offtopic(path)
        found += plain
        for topic, questions in topics.items():
            if topic not in speech:
                found += questions
    return list(dict.fromkeys(found))


def in_scope_examples(kb: KnowledgeBase, examples: dict[str, tuple[str, ...]]) -> list[str]:
    """The pack's own example questions and its entries' names, normalised."""
    texts = [normalize(q) for questions in examples.values() for q in questions]
    texts += [normalize(name) for entry in kb.entries for name in entry.names]
    return [t for t in dict.fromkeys(texts) if t]


def build_scope(kb: KnowledgeBase, examples: dict[str, tuple[str, ...]]) -> ScopeModel | None:
    """The pack's out-of-scope model (bot.matching.scope), fitted once per version of what it learns from;
    None when the pack has no example questions or there are no off-topic ones to learn from. The key is
    the files' bytes, so a warm start reads no off-topic file."""
    files = offtopic_files(kb)
    if not examples or not files:
        return None
    names = [name for entry in kb.entries for name in entry.names]
    asked = [q for questions in examples.values() for q in questions]
    key = fingerprint([SOURCE_FINGERPRINT, kb.speech, *names, "\0", *asked, *(p.read_bytes() for p in files)])

    def fit() -> ScopeModel | None:
        outside = out_of_scope_examples(kb)
        if not outside:
            return None
        return fit_scope(in_scope_examples(kb, examples), outside, normalize(kb.speech))

    return cached("scope", key, fit, scope=kb.pack.id)


def load_offtopic(path: Path | str) -> tuple[list[str], dict[str, list[str]]]:
    """An offtopic.yaml: lists of questions under any key (chat, tasks, general), and under `party` a topic
    phrase → questions about it; normalised. A KnowledgeError names the file and line of a bad item."""
    path = Path(path)
    data: Any = read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: an off-topic file maps a kind (chat, tasks, party …) to questions"])
    plain: list[str] = []
    topics: dict[str, list[str]] = {}
    problems = []
    for kind, items in data.items():
        if kind.startswith("__"):
            continue
        line = data.get("__key_lines__", {}).get(kind, 0)
        if kind == "party" and isinstance(items, dict):
            for topic, questions in items.items():
                if topic.startswith("__"):
                    continue
                if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
                    topic_line = items.get("__key_lines__", {}).get(topic, line)
                    problems.append(
                        f"{path}:{topic_line}: party topic {topic!r} must map to a list of questions"
                    )
                    continue
                topics[normalize(topic)] = [normalize(q) for q in questions if normalize(q)]
        elif isinstance(items, list) and all(isinstance(q, str) for q in items):
            plain += [normalize(q) for q in items if normalize(q)]
        else:
            problems.append(f"{path}:{line}: {kind!r} must be a list of questions (party: topic → questions)")
    if problems:
        raise KnowledgeError(problems)
    return plain, topics


def synonym_files(kb: KnowledgeBase) -> list[Path]:
    """knowledge/shared/synonyms.yaml (the genre's everyday words), then the pack's own synonyms.yaml."""
    own = (kb.directory or Path(".")) / "synonyms.yaml"
    return [path for path in (shared_file(kb, "synonyms.yaml"), own) if path is not None and path.exists()]


def check_matching_files(kb: KnowledgeBase) -> None:
    """Read the rules, synonyms and examples files beside the entries, and the shared synonyms: a
    KnowledgeError lists every problem."""
    folder = kb.directory or Path(".")
    problems: list[str] = []
    checks: list[tuple[Path, Any]] = [
        (folder / "rules.yaml", lambda path: load_rules(path, kb)),
        *((path, load_synonyms) for path in synonym_files(kb)),
        (folder / "examples.yaml", lambda path: load_examples(path, kb)),
        *((path, load_offtopic) for path in offtopic_files(kb)),
    ]
    for path, load in checks:
        if path.exists():
            try:
                load(path)
            except KnowledgeError as error:
                problems += error.problems
    if problems:
        raise KnowledgeError(problems)


def load_examples(path: Path | str, kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """A pack's examples.yaml: entry id → questions people ask for it, in their own words (never shown)."""
    path = Path(path)
    data: Any = read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: examples file must map an entry id to a list of questions"])
    problems = []
    examples: dict[str, tuple[str, ...]] = {}
    for entry_id, questions in data.items():
        if entry_id.startswith("__"):
            continue
        line = data.get("__key_lines__", {}).get(entry_id, 0)
        if entry_id not in kb:
            problems.append(f"{path}:{line}: {entry_id!r} is not an entry id")
        elif not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
            problems.append(f"{path}:{line}: {entry_id!r} must map to a list of questions")
        else:
            examples[entry_id] = tuple(questions)
    if problems:
        raise KnowledgeError(problems)
    return examples


def load_synonyms(path: Path | str) -> dict[str, str]:
    """A pack's synonyms.yaml: the speech's word → the everyday words people type for it."""
    path = Path(path)
    data: Any = read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: synonyms file must map a word to a list of words"])
    typed_to_known: dict[str, str] = {}
    for known, typed_words in data.items():
        if known.startswith("__"):
            continue
        if not isinstance(typed_words, list) or not all(isinstance(w, str) for w in typed_words):
            line = data.get("__lines__", {}).get(known, 0)
            line = line[0] if isinstance(line, list) else line
            raise KnowledgeError([f"{path}:{line}: {known!r} must map to a list of words"])
        line = data.get("__lines__", {}).get(known, 0)
        line = line[0] if isinstance(line, list) else line
        for word in [known, *typed_words]:
            # A question is normalised before it is matched, so a word that normalisation cuts (打哈哈 → 打: 哈哈
            # is a filler) would never be seen whole, and its remnant would map every 打 of a question.
            if len(normalize(word)) < len(word):
                raise KnowledgeError(
                    [f"{path}:{line}: {word!r} loses characters to normalisation ({normalize(word)!r})"]
                )
        for typed in typed_words:
            typed_to_known[normalize(typed)] = normalize(known)
    return typed_to_known
