"""The shape of the code, held by tests: the import contract, one reader of the environment, and no word of
any speech in the code (a speech is data: its pack)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.knowledge import DEFAULT_DIR, load_knowledge, pack_dirs

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
CJK = re.compile(r"[\u4e00-\u9fff]+")
# Files allowed to name a speech: none.
SPEECH_WORDS_ALLOWED_IN: frozenset[str] = frozenset()
ENVIRONMENT_READERS = {"bot/settings.py"}
ENVIRONMENT_EXCEPTIONS: frozenset[str] = frozenset()  # none: BOT_CACHE_DIR is read by settings too


def python_files() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def test_the_import_contract_holds() -> None:
    """pyproject.toml's [tool.importlinter] contracts: the core imports no storage, settings, Telegram or
    front end; storage imports nothing else of bot; settings do not import storage; the front ends are
    siblings; no handler module imports another."""
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(linter), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def reads_environment(tree: ast.AST) -> list[int]:
    """Lines that touch os.environ or call os.getenv/putenv."""
    lines = []
    for node in ast.walk(tree):
        os_attribute = (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "getenv", "putenv", "environb")
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        )
        os_import = (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ("environ", "getenv") for alias in node.names)
        )
        if os_attribute or os_import:
            lines.append(node.lineno)
    return lines


def test_only_settings_read_the_environment() -> None:
    readers = {}
    for path in python_files():
        found = reads_environment(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            readers[str(path.relative_to(ROOT))] = found
    assert set(readers) - ENVIRONMENT_EXCEPTIONS == ENVIRONMENT_READERS, readers


def speech_marks(pack: Path) -> tuple[set[str], set[str]]:
    """A pack's names (titles and aliases of two characters or more) and every six-character run of its
    speech: a Python line holding one of them names that speech."""
    kb = load_knowledge(pack)
    names = {
        bare
        for entry in kb.entries
        for name in entry.names
        if len(bare := re.sub(r"[“”\"'《》]", "", name)) >= 2 and CJK.search(bare)
    }
    names.add(kb.pack.meeting)
    runs = {run[i : i + 6] for run in CJK.findall(kb.speech) for i in range(len(run) - 5)}
    return names, runs


def lines_naming(path: Path, names: set[str], runs: set[str], root: Path = ROOT) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        hit = next((name for name in names if name in line), None)
        if hit is None:
            hit = next(
                (r[i : i + 6] for r in CJK.findall(line) for i in range(len(r) - 5) if r[i : i + 6] in runs),
                None,
            )
        if hit is not None:
            found.append(f"{path.relative_to(root)}:{number}")
    return found


@pytest.mark.parametrize(
    "pack", [*pack_dirs(DEFAULT_DIR), *pack_dirs(ROOT / "tests" / "packs")], ids=lambda p: p.name
)
def test_no_python_line_names_a_speech(pack: Path) -> None:
    """Its slogans, meeting, titles and sentences are in its pack, never in bot/ (comments included)."""
    names, runs = speech_marks(pack)
    found = [
        line
        for path in python_files()
        if str(path.relative_to(ROOT)) not in SPEECH_WORDS_ALLOWED_IN
        for line in lines_naming(path, names, runs)
    ]
    assert found == []


def test_the_check_finds_a_speech_word_where_there_is_one(tmp_path: Path) -> None:
    """The scan above can fail: a line quoting a title of the pack, or six characters of a sentence, is caught;
    a line of generic wording is not."""
    names, runs = speech_marks(pack_dirs(DEFAULT_DIR)[0])
    title = max(names, key=len)
    sentence = next(iter(sorted(runs)))
    sample = tmp_path / "sample.py"
    sample.write_text(f'A = "{title}"\n# {sentence}\nB = "请用文字提问"\n', encoding="utf-8")
    assert lines_naming(sample, names, runs, root=tmp_path) == ["sample.py:1", "sample.py:2"]
