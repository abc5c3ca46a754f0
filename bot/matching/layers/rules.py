"""Keyword rules (a pack's rules.yaml): how people ask (which problems, the N-th part, the opening), not what."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.knowledge import KnowledgeBase, KnowledgeError, read_yaml


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
        priority = raw.get("priority", 0.8)
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
