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
OPTIONAL_FIELDS = ("aliases", "related", "background", "mention_only", "label")
LABEL_CHARS = 16  # what a phone shows of a button's label
SPEECH_FILE = "speech.txt"
PACK_FILE = "pack.yaml"
ENTRIES_DIR = "entries"  # a pack's entry files; a folder without it keeps them beside speech.txt
SHARED_DIR = "shared"  # under the packs folder: words every speech of the genre shares, not a pack
NON_ENTRY_FILES = frozenset(
    {"rules.yaml", "synonyms.yaml", "examples.yaml", PACK_FILE, "lists.yaml", "expected.yaml"}
)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "knowledge"  # a folder of packs (or one pack)

# pack.yaml: the meeting and the sentences of the interface that name it. A pack without the file (a test's
# folder) gets this generic wording, which names no speech.
PACK_TEXTS = {
    "decline": "抱歉，这个问题超出了这次讲话的内容，我无法回答。我只讲{meeting}上的讲话。",
    "empty": "请用文字提一个关于这次讲话的问题。",
    "too_long": "问题太长了（超过 {max_chars} 字）。请只问一个问题。",
    "text_only": "我只能读文字。请用文字提问。",
    "welcome": "您好！我是讲话学习助手，只讲一篇讲话：<b>{meeting}</b>上的讲话。\n\n直接把问题发给我就行。"
    "每个回答都引用讲话原文，并注明出处。",
    "console_welcome": "讲话学习助手（{meeting}）。输入 /help 查看用法。",
    "console_help_first": "直接输入问题即可。",
}
PACK_FIELDS = (
    "meeting", "short_title", "date", "date_text", "body", "closing_marker", "examples",
    "example_term", "example_word", "example_topic", "texts",
)  # fmt: skip


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
    mention_only: bool = False  # the speech names it but does not give its contents (a document it cites)
    source: str = ""  # "file:line", for error messages and editors
    label: str = ""  # a short title for buttons (at most LABEL_CHARS); drafted from the title when not given

    @property
    def short_title(self) -> str:
        """The entry's name on a button: its `label`, else its title made short (short_title)."""
        return self.label or short_title(self.title)

    @property
    def names(self) -> tuple[str, ...]:
        """Title first, then aliases: every way the entry is called."""
        return (self.title, *self.aliases)


@dataclass(frozen=True, slots=True)
class PackInfo:
    """pack.yaml: the meeting, its date, who spoke, the examples offered, and the interface's sentences."""

    id: str = "speech"
    meeting: str = "这次会议"
    short_title: str = ""
    date: str = ""  # ISO date (or year-month) for ordering packs: the newest is the default
    date_text: str = ""
    body: str = ""
    closing_marker: str = ""
    examples: tuple[str, ...] = ()
    example_term: str = ""
    example_word: str = ""
    example_topic: str = ""
    texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(dict(PACK_TEXTS)))

    def text(self, key: str, **values: object) -> str:
        """One sentence of the interface, with {meeting} and the given values filled in."""
        template = self.texts.get(key) or PACK_TEXTS[key]
        return template.format_map({"meeting": self.meeting, **values})

    @property
    def title(self) -> str:
        return self.short_title or self.meeting


@dataclass(frozen=True)
class KnowledgeBase:
    speech: str
    entries: tuple[Entry, ...]
    directory: Path | None = None
    pack: PackInfo = field(default_factory=PackInfo)
    by_id: Mapping[str, Entry] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({e.id: e for e in self.entries}))

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.by_id

    def get(self, entry_id: str) -> Entry | None:
        return self.by_id.get(entry_id)

    def part_of(self, entry_id: str) -> str:
        """The part of the speech an entry stands in (the first step of its place; "" for no entry): what a
        group round spreads its questions over and the ledger counts by."""
        entry = self.get(entry_id)
        if entry is None:
            return ""
        return entry.where.split(" › ")[0] if entry.where else entry.title

    def __getitem__(self, entry_id: str) -> Entry:
        return self.by_id[entry_id]

    def locate(self, quote: str) -> int:
        """Offset of a quote in the speech (-1 when absent), to order entries as the speech runs."""
        return self.speech.find(quote)


ENUMERATOR = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+(?:是|要|、)|第[一二三四五六七八九十]+[，、]?|\d+[.、．])\s*"
)


def short_title(title: str, limit: int = LABEL_CHARS) -> str:
    """A title a phone shows whole on a button: its numbering gone (（一）, 一是, 第一，, 1.), then up to its
    first comma or colon when that leaves a name, then at most `limit` characters (… marks a cut)."""
    text = title.strip()
    if len(text) <= limit:
        return text
    text = ENUMERATOR.sub("", text).strip() or text
    bare = re.sub(r"[（(][^（）()]*[)）]$", "", text).strip()  # a name and its gloss in brackets: the name
    text = bare if len(bare) >= 4 else text
    head = re.split(r"[，；;,]", text, maxsplit=1)[0].strip()
    if 4 <= len(head) < len(text):
        text = head
    label, colon, _ = text.partition("：")
    if colon and len(text) > limit and len(label) >= 2:
        text = label  # "X：a sentence": the part's name X
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


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
    button_name = raw.get("label")
    if button_name is not None and (
        not isinstance(button_name, str) or not 0 < len(button_name.strip()) <= LABEL_CHARS
    ):
        fail("label", f"label must be text of 1 to {LABEL_CHARS} characters (a button's name)")

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
        label=button_name.strip() if isinstance(button_name, str) else "",
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
    folder = directory / ENTRIES_DIR if (directory / ENTRIES_DIR).is_dir() else directory
    return sorted(p for p in folder.glob("*.yaml") if p.name not in NON_ENTRY_FILES)


def shared_file(kb: KnowledgeBase, name: str) -> Path | None:
    """A file every pack of the genre shares (knowledge/shared/<name>): beside the pack's folder when its
    folder of packs has one, else the repository's."""
    for folder in ([kb.directory.parent / SHARED_DIR] if kb.directory else []) + [DEFAULT_DIR / SHARED_DIR]:
        if (folder / name).exists():
            return folder / name
    return None


def pack_dirs(folder: Path | str) -> list[Path]:
    """The packs in a folder: the folder itself when it holds a speech, else its subfolders that do."""
    folder = Path(folder)
    if (folder / SPEECH_FILE).exists():
        return [folder]
    if not folder.is_dir():
        return []
    return sorted(
        sub
        for sub in folder.iterdir()
        if sub.is_dir()
        and sub.name != SHARED_DIR
        and not sub.name.startswith(".")
        and (sub / SPEECH_FILE).exists()
    )


def resolve_pack(folder: Path | str) -> Path:
    """The pack a folder names: itself, or the newest of its packs (by pack.yaml's date, then name)."""
    packs = pack_dirs(folder)
    if not packs:
        return Path(folder)
    return max(packs, key=lambda pack: (_pack_date(pack), pack.name))


def find_pack(folder: Path | str, name: str) -> Path:
    """The pack called `name` (its folder's name) among a folder's packs; KnowledgeError names those there."""
    packs = pack_dirs(folder)
    for pack in packs:
        if pack.name == name:
            return pack
    known = ", ".join(p.name for p in packs) or "none"
    raise KnowledgeError([f"{folder}: no pack named {name!r} (packs there: {known})"])


def packs_newest_first(folder: Path | str) -> list[Path]:
    """A folder's packs, the newest first (by pack.yaml's date, then name): the first is the default."""
    return sorted(pack_dirs(folder), key=lambda pack: (_pack_date(pack), pack.name), reverse=True)


def _pack_date(pack: Path) -> str:
    try:
        data = read_yaml(pack / PACK_FILE)
    except (KnowledgeError, OSError):
        return ""
    return str(data.get("date") or "") if isinstance(data, dict) else ""


_MARKS = frozenset({"__line__", "__key_lines__", "__lines__"})  # what _LineLoader adds to every mapping


def load_pack_info(directory: Path, problems: list[str]) -> PackInfo:
    """pack.yaml of a pack folder (generic wording when there is none); problems as `file:line: …`."""
    path = directory / PACK_FILE
    if not path.exists():
        return PackInfo(id=directory.name)
    try:
        data = read_yaml(path)
    except KnowledgeError as error:
        problems.extend(error.problems)
        return PackInfo(id=directory.name)
    if not isinstance(data, dict):
        problems.append(f"{path}:1: pack.yaml must be a mapping (meeting: …, texts: …)")
        return PackInfo(id=directory.name)
    values: dict[str, Any] = {"id": directory.name}
    for key, value in data.items():
        if key in _MARKS:
            continue
        line = _line_of(data, key)
        if key not in PACK_FIELDS:
            problems.append(f"{path}:{line}: unknown field {key!r} (known: {', '.join(PACK_FIELDS)})")
        elif key == "examples":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append(f"{path}:{line}: examples must be a list of questions")
            else:
                values[key] = tuple(v.strip() for v in value)
        elif key == "texts":
            if not isinstance(value, dict):
                problems.append(f"{path}:{line}: texts must be a mapping of sentence names to sentences")
                continue
            given = {k: str(v) for k, v in value.items() if k not in _MARKS}
            for unknown in sorted(set(given) - set(PACK_TEXTS)):
                problems.append(
                    f"{path}:{_line_of(value, unknown)}: unknown text {unknown!r} (known: {', '.join(PACK_TEXTS)})"
                )
            values[key] = MappingProxyType({**PACK_TEXTS, **given})
        elif value is not None:
            values[key] = str(value).strip()
    info = PackInfo(**values)
    for key in info.texts:
        try:
            info.text(key, max_chars=0)
        except (KeyError, ValueError, IndexError) as error:
            problems.append(f"{path}:1: texts.{key}: a placeholder it cannot fill ({error})")
    return info


def load_knowledge(directory: Path | str = DEFAULT_DIR) -> KnowledgeBase:
    """Load and validate a pack (or the newest pack of a folder of packs); raise KnowledgeError listing every
    problem found."""
    directory = resolve_pack(directory)
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
    pack = load_pack_info(directory, problems)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(speech=speech, entries=tuple(entries), directory=directory, pack=pack)
