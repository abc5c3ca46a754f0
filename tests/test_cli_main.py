"""`python -m bot`'s entry point: what it sets up before any subcommand runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not hasattr(signal, "SIGBUS"), reason="no SIGBUS on this system")
@pytest.mark.parametrize("command", ["run", "chat"])
def test_a_fatal_signal_prints_a_line_and_a_traceback(command: str) -> None:
    # SQLite gets SIGBUS when its -shm file can no longer be written (a full or vanished tmpfs): without
    # faulthandler the bot would die without a word.
    script = f"""
import os, signal, sys
import bot.cli, bot.console, bot.telegram.run


def dies(args):
    os.kill(os.getpid(), signal.SIGBUS)


bot.console.cmd_chat = bot.telegram.run.cmd_run = dies
sys.exit(bot.cli.main([{command!r}]))
"""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONFAULTHANDLER"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert result.returncode == -signal.SIGBUS
    assert "Fatal Python error: Bus error" in result.stderr
    assert "in dies" in result.stderr  # the traceback says where


def test_the_cache_folder_comes_from_bot_cache_dir_through_settings(tmp_path) -> None:
    """BOT_CACHE_DIR is read by settings and handed to the cache by the entry point; the derived tables land
    there (one file per table, named per pack)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "BOT_CACHE_DIR": str(tmp_path / "derived")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "四风是什么"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "derived").glob("*.pickle"))
    assert any(name.startswith("coverage-2022q1-party-building-") for name in written), written
    assert any(name.startswith("readings-") for name in written), written
