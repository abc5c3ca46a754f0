"""The knowledge base: YAML entries derived from the speech, loaded into frozen dataclasses.

Every error names the file, the line and the entry, so an editor can fix a broken file without a traceback.
Nothing here imports Telegram or SQLite.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

KINDS = ("section", "term", "fact")
REQUIRED_FIELDS = ("id", "kind", "title", "answer", "quotes", "where")
OPTIONAL_FIELDS = ("aliases", "related", "background", "mention_only")
SPEECH_FILE = "speech.txt"
NON_ENTRY_FILES = frozenset({"rules.yaml", "synonyms.yaml", "examples.yaml"})
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "knowledge"


class KnowledgeError(Exception):
    """The knowledge base cannot be loaded; `problems` holds one `file:line: ...` message each."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    kind: str
    title: str
    answer: str
    quotes: tuple[str, ...]
    where: str
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    background: str | None = None
    mention_only: bool = False  # the speech names it but does not give its contents (中央八项规定精神)
    source: str = ""  # "file:line", for error messages and editors

    @property
    def names(self) -> tuple[str, ...]:
        """Title first, then aliases: every way the entry is called."""
        return (self.title, *self.aliases)


@dataclass(frozen=True)
class KnowledgeBase:
    speech: str
    entries: tuple[Entry, ...]
    directory: Path | None = None
    by_id: Mapping[str, Entry] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({e.id: e for e in self.entries}))

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.by_id

    def get(self, entry_id: str) -> Entry | None:
        return self.by_id.get(entry_id)

    def __getitem__(self, entry_id: str) -> Entry:
        return self.by_id[entry_id]

    def locate(self, quote: str) -> int:
        """Offset of a quote in the speech (-1 when absent), to order entries as the speech runs."""
        return self.speech.find(quote)


def name_key(name: str) -> str:
    """The form under which two names count as the same alias (width, case, spaces and quote marks ignored)."""
    text = unicodedata.normalize("NFKC", name).lower()
    return re.sub(r"[\s“”‘’\"'「」『』《》〈〉]+", "", text)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: 5x faster
    """SafeLoader that remembers where each mapping and sequence item stands, and rejects duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__key_lines__"] = dict(seen)
        mapping["__lines__"] = {
            key_node.value: (
                [item.start_mark.line + 1 for item in value_node.value]
                if isinstance(value_node, yaml.SequenceNode)
                else value_node.start_mark.line + 1
            )
            for key_node, value_node in node.value
            if isinstance(key_node, yaml.ScalarNode)
        }
        return mapping


def read_yaml(path: Path) -> Any:
    """Parse one YAML file with line marks; a syntax error becomes a KnowledgeError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise KnowledgeError([f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"{mark.line + 1}" if mark else "?"
        raise KnowledgeError([f"{path}:{line}: YAML error: {error.problem or error.context}"]) from None
    except yaml.YAMLError as error:
        raise KnowledgeError([f"{path}: YAML error: {error}"]) from None


def _line_of(raw: dict[str, Any], key: str, index: int | None = None) -> int:
    lines = raw.get("__lines__", {}).get(key)
    if isinstance(lines, list):
        if index is not None and index < len(lines):
            return lines[index]
        return raw["__line__"]
    return lines or raw.get("__line__", 0)


def _entry_from_raw(raw: Any, path: Path, speech: str, problems: list[str]) -> Entry | None:
    if not isinstance(raw, dict):
        problems.append(f"{path}: every item must be a mapping with id, kind, title, answer, quotes, where")
        return None
    entry_id = raw.get("id")
    label = f"entry {entry_id!r}"

    def fail(key: str, message: str, index: int | None = None) -> None:
        problems.append(f"{path}:{_line_of(raw, key, index)}: {label}: {message}")

    before = len(problems)
    for key in REQUIRED_FIELDS:
        if key not in raw:
            problems.append(f"{path}:{raw['__line__']}: {label}: missing field {key!r}")
    for key in raw:
        if not key.startswith("__") and key not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            fail(key, f"unknown field {key!r}")
    if len(problems) > before:
        return None

    if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
        fail("id", "id must be an ascii slug like 'term-si-mingque'")
    if raw["kind"] not in KINDS:
        fail("kind", f"unknown kind {raw['kind']!r} (known: {', '.join(KINDS)})")
    for key in ("title", "answer", "where"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            fail(key, f"{key} must be non-empty text")
    if raw.get("background") is not None and (
        not isinstance(raw["background"], str) or not raw["background"].strip()
    ):
        fail("background", "background must be non-empty text when given")
    if not isinstance(raw.get("mention_only", False), bool):
        fail("mention_only", "mention_only must be true or false")

    def text_list(key: str, *, required: bool) -> tuple[str, ...]:
        value = raw.get(key) or []
        if not isinstance(value, list) or (required and not value):
            fail(key, f"{key} must be a {'non-empty ' if required else ''}list")
            return ()
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                fail(key, f"{key}[{index}] must be non-empty text", index)
        return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())

    quotes = text_list("quotes", required=True)
    for index, quote in enumerate(quotes):
        if quote not in speech:
            fail("quotes", f"quote not found in the speech: {quote[:30]!r}", index)
    aliases = text_list("aliases", required=False)
    related = text_list("related", required=False)
    if len(problems) > before:
        return None
    return Entry(
        id=entry_id,
        kind=raw["kind"],
        title=raw["title"].strip(),
        answer=raw["answer"].strip(),
        quotes=quotes,
        where=raw["where"].strip(),
        aliases=aliases,
        related=related,
        background=raw["background"].strip() if raw.get("background") else None,
        mention_only=raw.get("mention_only", False),
        source=f"{path.name}:{raw['__line__']}",
    )


def _check_links(entries: list[Entry], problems: list[str]) -> None:
    first_of: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in first_of:
            problems.append(
                f"{entry.source}: entry {entry.id!r}: duplicate id (first at {first_of[entry.id].source})"
            )
        else:
            first_of[entry.id] = entry
    owner_of: dict[str, Entry] = {}
    for entry in entries:
        for name in dict.fromkeys(name_key(n) for n in entry.names):
            other = owner_of.setdefault(name, entry)
            if other is not entry and other.id != entry.id:
                problems.append(
                    f"{entry.source}: entry {entry.id!r}: name {name!r} is also used by {other.id!r} ({other.source})"
                )
        for target in entry.related:
            if target not in first_of:
                problems.append(f"{entry.source}: entry {entry.id!r}: related id {target!r} does not exist")
            elif target == entry.id:
                problems.append(f"{entry.source}: entry {entry.id!r}: an entry cannot be related to itself")


def entry_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name not in NON_ENTRY_FILES)


def load_knowledge(directory: Path | str = DEFAULT_DIR) -> KnowledgeBase:
    """Load and validate every entry file; raise KnowledgeError listing every problem found."""
    directory = Path(directory)
    speech_path = directory / SPEECH_FILE
    try:
        speech = speech_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError([f"{speech_path}: the speech text is missing"]) from None
    files = entry_files(directory)
    if not files:
        raise KnowledgeError([f"{directory}: no *.yaml entry files"])
    problems: list[str] = []
    entries: list[Entry] = []
    for path in files:
        try:
            data = read_yaml(path)
        except KnowledgeError as error:
            problems.extend(error.problems)
            continue
        if data is None:
            continue
        if not isinstance(data, list):
            problems.append(f"{path}:1: the file must be a YAML list of entries")
            continue
        for raw in data:
            entry = _entry_from_raw(raw, path, speech, problems)
            if entry is not None:
                entries.append(entry)
    _check_links(entries, problems)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(speech=speech, entries=tuple(entries), directory=directory)
