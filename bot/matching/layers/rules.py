"""The rules layer: a pack's keyword rules (rules.yaml) on how people ask (which problems, the N-th part, the
opening), not what they ask. A rule that fires gives its target its priority, times how far the target also
explains the rest of the question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from bot.knowledge import KnowledgeBase, KnowledgeError, read_yaml
from bot.matching.language import CHINESE_DIGITS

if TYPE_CHECKING:
    from bot.matching.index import PackIndex
    from bot.matching.reading import Reading

# The remainder factor runs from BASE (the target explains nothing beside the pattern) to BASE + SPAN (all of it).
REMAINDER_BASE, REMAINDER_SPAN = 0.6, 0.4
STRICT_BASE, STRICT_SPAN = 0.3, 0.7  # a strict rule's, which also counts the words the pack never uses
STRICT_FLOOR = 0.5  # a strict rule must explain this much of the rest of the question
UNKNOWN_WEIGHT = 0.5  # a word the pack never uses weighs this times the IDF of a word of one entry
DEFAULT_PRIORITY = 0.8  # a rule without a priority of its own


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    target: str
    priority: float
    unless: re.Pattern[str] | None = None
    strict: bool = False  # words the knowledge base never uses, left beside the pattern, count against it


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = ()
    children: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ordinal: re.Pattern[str] | None = None
    compare: re.Pattern[str] | None = None


def load_rules(path: Path | str, kb: KnowledgeBase) -> Rules:
    """Read a pack's rules.yaml; a bad pattern or an unknown target names the file and line."""
    path = Path(path)
    data: Any = read_yaml(path)
    problems: list[str] = []
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: rules file must be a mapping with a 'rules' list"])

    def compile_at(text: Any, line: int, what: str) -> re.Pattern[str] | None:
        try:
            return re.compile(str(text))
        except re.error as error:
            problems.append(f"{path}:{line}: {what}: bad pattern: {error}")
            return None

    def target_exists(template: str) -> bool:
        return all(template.format(n=n) in kb for n in range(1, 2)) if "{n}" in template else template in kb

    lines = data.get("__lines__", {})
    rules: list[Rule] = []
    for raw in data.get("rules") or []:
        line = raw.get("__line__", 0)
        name = str(raw.get("name", "?"))
        pattern = compile_at(raw.get("pattern", ""), line, f"rule {name!r}")
        unless = compile_at(raw["unless"], line, f"rule {name!r}") if raw.get("unless") else None
        target = str(raw.get("target", ""))
        if not target_exists(target):
            problems.append(f"{path}:{line}: rule {name!r}: target {target!r} is not an entry id")
        priority = raw.get("priority", DEFAULT_PRIORITY)
        if not isinstance(priority, int | float) or not 0 <= priority <= 1:
            problems.append(f"{path}:{line}: rule {name!r}: priority must be a number in [0, 1]")
        if pattern is not None:
            rules.append(Rule(name, pattern, target, float(priority), unless, bool(raw.get("strict", False))))
    children = {k: v for k, v in (data.get("children") or {}).items() if not k.startswith("__")}
    for parent, template in children.items():
        if parent not in kb or not target_exists(template):
            problems.append(f"{path}:{lines.get('children', 0)}: children: {parent!r} → {template!r} unknown")
    ordinal = compile_at(data["ordinal"], lines.get("ordinal", 0), "ordinal") if data.get("ordinal") else None
    compare = compile_at(data["compare"], lines.get("compare", 0), "compare") if data.get("compare") else None
    if problems:
        raise KnowledgeError(problems)
    return Rules(tuple(rules), MappingProxyType(children), ordinal, compare)


def rule_targets(reading: Reading, index: PackIndex, rules: Rules) -> dict[str, tuple[float, str]]:
    """Entry id → (priority, rule name) for every keyword rule that fires, the highest priority per entry."""
    normalized = reading.normalized
    found: dict[str, tuple[float, str]] = {}
    for rule in rules.rules:
        match = rule.pattern.search(normalized)
        if not match or (rule.unless and rule.unless.search(normalized)):
            continue
        target = rule.target
        if "{n}" in target:
            numeral = next((g for g in match.groups() if g), None)
            if numeral is None:
                continue
            target = target.format(n=CHINESE_DIGITS.get(numeral, 0))
        factor = remainder_factor(reading, index, match, target, rule.strict)
        if rule.strict and factor < STRICT_FLOOR:
            continue
        priority = rule.priority * factor
        if target in index.kb and found.get(target, (0.0, ""))[0] < priority:
            found[target] = (priority, rule.name)
    return found


def remainder_factor(
    reading: Reading, index: PackIndex, match: re.Match[str], target: str, strict: bool = False
) -> float:
    """How far a rule's target also explains the words its pattern did not consume (1 = fully).

    A strict rule (讲话对足球有什么要求) also counts the words the knowledge base never uses, at the weight
    coverage gives them, and drops to STRICT_BASE when nothing beside its pattern is explained.
    """
    normalized = reading.normalized
    rest = normalized[: match.start()] + " " + normalized[match.end() :]
    idf = index.tokens.idf
    words = index.lexicon.tokens(rest)
    tokens = [t for t in words if t in idf]
    unknown = [t for t in words if t not in idf and len(t) >= 2] if strict else []
    if not (tokens or unknown) or target not in index.index_of:
        return 1.0
    entry = index.index_of[target]
    total = sum(idf[t] for t in tokens) + UNKNOWN_WEIGHT * index.max_idf * len(unknown)
    held = sum(idf[t] for t in tokens if index.tokens.holds(t, entry))
    return (STRICT_BASE if strict else REMAINDER_BASE) + (
        STRICT_SPAN if strict else REMAINDER_SPAN
    ) * held / total
