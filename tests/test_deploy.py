"""The deployment files stay true to the code: what they copy exists, what they configure is a real setting.

Docker itself is not run here (no daemon in CI); the Dockerfile is read as text, instruction by instruction.
The systemd unit is checked by `systemd-analyze verify` when the tool is installed.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import bot.settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "speech-study-bot.service"
WEBHOOK_RUN = (
    "python -m bot run --webhook-url https://bot.example.org/telegram --listen 127.0.0.1 --port 8443"
)


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def arguments(instruction: str) -> list[str]:
    return [args for keyword, args in dockerfile() if keyword == instruction]


def settings_table_variables() -> list[str]:
    """Every variable named in the first column of the table in bot/settings.py's docstring."""
    names: list[str] = []
    for row in (bot.settings.__doc__ or "").splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if row.lstrip().startswith("|") and cells and "`" in cells[0]:
            names += re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])
    return names


def unit_lines() -> list[tuple[str, str]]:
    """(key, value) for every setting in the unit, comments dropped, repeated keys kept."""
    pairs = []
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, _, value = line.partition("=")
            pairs.append((key.strip(), value.strip()))
    return pairs


# ---- docker ----------------------------------------------------------------------------------------------


def test_every_copied_source_exists_in_the_repository() -> None:
    sources = []
    for keyword in ("COPY", "ADD"):
        for args in arguments(keyword):
            words = [w for w in shlex.split(args) if not w.startswith("--")]
            assert not any(a.startswith("--from") for a in shlex.split(args)), "no build stages expected"
            sources += words[:-1]
    assert sources, "the Dockerfile copies nothing?"
    missing = [source for source in sources if not (ROOT / source).exists()]
    assert missing == []
    assert not any(source in (".", "./", ".venv", "data") for source in sources)  # never the whole context


def test_the_image_runs_as_a_non_root_user() -> None:
    users = arguments("USER")
    assert users, "no USER instruction: the bot would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    keywords = [keyword for keyword, _ in dockerfile()]
    assert keywords.index("USER") < keywords.index("CMD")


def test_the_image_checks_its_health_with_doctor_and_runs_the_bot() -> None:
    [check] = arguments("HEALTHCHECK")
    assert '"python", "-m", "bot", "doctor", "--offline"' in check
    [command] = arguments("CMD")
    assert command == '["python", "-m", "bot", "run"]'
    assert arguments("FROM") == ["python:3.11-slim"]


def test_the_image_installs_the_project_without_test_extras_and_keeps_the_database_on_the_volume() -> None:
    runs = " ".join(arguments("RUN"))
    assert "pip install ." in runs and "[test]" not in runs
    env = " ".join(arguments("ENV"))
    assert "BOT_DB=/data/bot.sqlite3" in env and "BOT_CACHE_DIR=" in env
    assert arguments("VOLUME") == ['["/data"]']
    assert "ask" in runs and "--no-log" in runs  # the caches are built into the image


def test_compose_runs_the_bot_with_its_env_file_and_a_named_volume() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["bot"]
    env_files = service["env_file"] if isinstance(service["env_file"], list) else [service["env_file"]]
    assert ".env" in env_files
    assert service["restart"] == "unless-stopped"
    volume, _, target = service["volumes"][0].partition(":")
    assert target == "/data" and volume in compose["volumes"]
    assert service["environment"]["BOT_DB"].startswith("/data/")
    build = service["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"


# ---- settings --------------------------------------------------------------------------------------------


def test_the_settings_table_is_found() -> None:
    names = settings_table_variables()
    assert {"BOT_TOKEN", "BOT_DB", "BOT_FLOOD_MESSAGES", "BOT_FLOOD_SECONDS"} <= set(names)


@pytest.mark.parametrize("name", settings_table_variables())
def test_env_example_lists_every_setting(name: str) -> None:
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    assert re.search(rf"^(# )?{name}=", example, re.MULTILINE), f"{name} is missing from deploy/.env.example"


def test_env_example_sets_nothing_but_an_empty_token() -> None:
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    assigned = [line for line in example.splitlines() if line.strip() and not line.startswith("#")]
    assert assigned == ["BOT_TOKEN="]


# ---- systemd ---------------------------------------------------------------------------------------------


def test_the_unit_is_hardened_and_keeps_its_state_where_systemd_gives_it() -> None:
    settings = dict(unit_lines())
    expected = {
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "StateDirectory": "speech-study-bot",
        "EnvironmentFile": "/etc/speech-study-bot/env",
        "Restart": "on-failure",
        "CapabilityBoundingSet": "",
    }
    assert {key: settings.get(key) for key in expected} == expected
    assert "User" in settings or settings.get("DynamicUser") == "yes"
    environment = [value for key, value in unit_lines() if key == "Environment"]
    assert "BOT_DB=/var/lib/speech-study-bot/bot.sqlite3" in environment


def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """`systemd-analyze verify` on a copy whose ExecStart names this test's Python instead of the venv's.

    verify insists that the program exists, and /opt/speech-study-bot/.venv/bin/python does not exist here;
    only that path is swapped, the arguments and every other line are checked as written. verify exits 0
    even on an unknown key or a bad value, printing a warning, so any line it prints about the unit fails
    the test; lines about the host (no systemd running, say) are ignored.
    """
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed")
    [start] = [value for key, value in unit_lines() if key == "ExecStart"]
    program, *rest = shlex.split(start)
    assert program == "/opt/speech-study-bot/.venv/bin/python" and rest == ["-m", "bot", "run"]
    copy = tmp_path / UNIT.name
    text = UNIT.read_text(encoding="utf-8")
    copy.write_text(text.replace(f"ExecStart={program} ", f"ExecStart={sys.executable} "), encoding="utf-8")
    result = subprocess.run(
        [tool, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )
    output = (result.stdout + result.stderr).splitlines()
    about_unit = [line for line in output if UNIT.name in line or str(copy) in line]
    assert result.returncode == 0 and about_unit == [], "\n".join(output)


# ---- webhook ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Caddyfile", "nginx.conf"])
def test_the_proxies_forward_the_webhook_path_to_the_bot(name: str) -> None:
    config = (DEPLOY / name).read_text(encoding="utf-8")
    assert WEBHOOK_RUN in config  # the command they are written for
    assert "127.0.0.1:8443" in config and "/telegram" in config
    assert "X-Telegram-Bot-Api-Secret-Token" in config


def test_the_readme_shows_the_same_webhook_command() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert WEBHOOK_RUN in readme
    assert "X-Telegram-Bot-Api-Secret-Token" in readme
    for command in ("python -m bot doctor", "python -m bot backup"):
        assert command in readme


def test_the_stop_grace_periods_outlast_a_send_on_its_way() -> None:
    """SIGTERM stops a broadcast at once, but a send already out may wait SEND_READ_TIMEOUT_S for Telegram:
    the unit and compose must not SIGKILL the bot before that (a kill mid-send makes it 'uncertain')."""
    from bot.telegram.app import SEND_READ_TIMEOUT_S

    unit = re.search(r"^TimeoutStopSec=(\d+)s$", UNIT.read_text(encoding="utf-8"), re.MULTILINE)
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    graces = [
        service["stop_grace_period"]
        for service in compose["services"].values()
        if "stop_grace_period" in service
    ]
    assert unit and graces
    for seconds in [int(unit.group(1)), *(int(g.rstrip("s")) for g in graces)]:
        assert seconds >= SEND_READ_TIMEOUT_S + 10
