"""Writing a drafted pack to its folder: the YAML files a curator then edits, and the speech verbatim."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.draft.build import Draft

HEADER = "# Drafted by `python -m bot kb draft` from speech.txt alone; review and edit, then `kb check`.\n"
ENTRY_FILES = (("section", "sections.yaml"), ("term", "terms.yaml"), ("fact", "facts.yaml"))
# How people ask about the structure of any speech of the genre: the opening, the closing, the N-th part.
ORDINAL = "(?:第|排第|排在第|的第)(?P<n>[一二三四五六七八九十])(?:个|条|点|项|部分|方面|是|位|大|小|(?!要(?!求|务|事|点)|得|必须|应))"


# Sections people ask for by what they are (the problems, the tasks, the review), whatever their title says:
# (name, words of such a title, words of asking for it as a whole).
STRUCTURE = (
    ("the problems", "问题|不足|短板|差距|薄弱", "哪些|哪几|几个|几块|几方面|几条|主要|存在|查出|发现"),
    (
        "the tasks",
        "重点工作|重点任务|工作任务|任务|部署|要求",
        "哪些|哪几|几个|几块|几方面|几条|要抓|要做|安排",
    ),
    ("the review", "回顾|成效|成绩|进展|取得", "哪些|哪几|干了|做了|成效|成绩|怎么样|情况"),
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def rules_of(draft: Draft) -> dict[str, Any]:
    ids = {e["id"] for e in draft.entries}
    rules: list[dict[str, Any]] = []
    if "opening" in ids:
        rules.append(
            {"name": "the opening", "pattern": "开头|开篇|开场|一开始", "target": "opening", "priority": 0.85}
        )
    if "closing" in ids:
        rules.append(
            {
                "name": "the closing",
                "pattern": "结尾|收尾|结(?:束)?语|最后(?:讲|说)了什么",
                "target": "closing",
                "priority": 0.88,
            }
        )
    for entry in draft.entries:
        if entry["kind"] != "section" or entry["id"] in draft.children:
            continue
        for name, topic, asking in STRUCTURE:
            if re.search(topic, entry["title"]):
                rules.append(
                    {
                        "name": f"{name} ({entry['id']})",
                        "pattern": f"(?:{asking})[^，。？]{{0,8}}(?:{topic})|(?:{topic})[^，。？]{{0,8}}(?:{asking})",
                        "target": entry["id"],
                        "priority": 0.8,
                    }
                )
                break
    for parent, template in draft.children.items():
        word = "问题" if parent.startswith("problem") else "(?:部分|方面|点意见|个意见|条意见)"
        rules.append(
            {
                "name": f"the N-th of {parent}",
                "pattern": f"第(?P<n>[一二三四五六七八九十])(?:个|条|点|项)?{word}",
                "target": template,
                "priority": 0.9,
            }
        )
    return {"children": dict(draft.children), "ordinal": ORDINAL, "rules": rules}


def write_pack(draft: Draft, speech: str, folder: Path) -> list[Path]:
    """Write every file of the pack into `folder` (made if missing); the paths written."""
    (folder / "entries").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, text: str) -> None:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    put("speech.txt", speech)
    put("pack.yaml", HEADER + _dump(draft.pack))
    for kind, name in ENTRY_FILES:
        entries = [e for e in draft.entries if e["kind"] == kind]
        if entries:
            put(f"entries/{name}", HEADER + _dump(entries))
    put("examples.yaml", HEADER + _dump(draft.examples))
    put("rules.yaml", HEADER + _dump(rules_of(draft)))
    if draft.lists:
        put("lists.yaml", HEADER + _dump({"lists": draft.lists}))
    return written
