"""Delivery under faults, measured from outside: `python -m bot run` against a fault-injecting fake Bot API.

Each scenario starts from a fresh temporary folder (BOT_DB in it), runs the real bot as a subprocess against
`tests.fault_bot_api.FaultBotApiProcess`, makes it misbehave (SIGKILL, SIGTERM, HTTP 500s, dropped connections,
late answers, a second instance, a malformed update), and counts what Telegram's side saw: the polls and messages
each chat received, lost or twice. Nothing of the bot is read but its HTTP calls, its output and (for setup only)
its public Python API, run with the bot's own code (`--bot-root`), so the same benchmark measures any version.

Scenarios (`--scenario NAME`, repeatable; all by default), one line of figures each (`--json`: one JSON object):

  broadcast-kill   daily set to --chats chats, SIGKILL at --kill-at of the polls, restart: whole/partial/none/twice
  broadcast-term   the same with SIGTERM: seconds to exit, then restart
  questions-kill   --users private questions at once, SIGKILL after --kill-answered answered, restart
  send-500         --ask-users questions during --ask-window s of HTTP 500 on send*; a broadcast with a
                   --broadcast-window s 500 window in the middle
  send-drop        the same with dropped connections
  slow-send        the same with answers held back --slow-delay s (the bot's read timeout is 5 s)
  two-instances    two bots on one token and one database, a daily set for --two-chats chats
  bad-update       one malformed update, then --bad-questions good ones: answered in --observe s, CPU, log lines

Run: .venv/bin/python benchmarks/bench_delivery.py [--scenario NAME] [--bot-root PATH] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import TOKEN, message  # noqa: E402
from tests.fault_bot_api import FaultBotApiProcess, Record  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
SENDING = "send*"
HEADING = re.compile(r"^【[^】\n]*】\n")  # the daily set's 【每日一练 n/3】 line above the question
SETTLE_IDLE = 13.0  # seconds without a new send attempt that mean the bot has given up (> any retry gap)
CONFLICT_LINE = re.compile(r"conflict|(?<![\d.:])409(?!\d)", re.IGNORECASE)  # not a timestamp's .409
QUESTIONS = (
    "五个必由之路是什么",
    "四风是什么",
    "四明确指什么",
    "纪检加是什么",
    "一岗双责是什么",
    "两个维护是什么",
    "三会一课是什么",
    "灯下黑是什么意思",
    "两张皮指什么",
    "打太极是什么意思",
    "本领恐慌是什么",
    "党建引领是什么",
    "火车头作用是什么",
    "空对空指什么",
    "存在哪五个问题",
    "下一阶段有哪些要求",
    "讲话的结尾说了什么",
    "四种形态是什么",
    "推一下走一步是什么意思",
    "有形覆盖与有效覆盖",
)
SETUP = r"""
import asyncio, json, sys, time
from datetime import UTC, datetime, timedelta
import bot
from bot.knowledge import DEFAULT_DIR
from bot.storage import Store
from bot.study import Study
from bot.service import Service

db, lead, count, first, last = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
bank = Service.load(DEFAULT_DIR).questions
soon = datetime.now(UTC) + timedelta(seconds=lead)
target = (soon + timedelta(minutes=1)).replace(second=0, microsecond=0)
when = target.strftime("%H:%M")

async def main():
    async with Store(db) as store:
        study = Study(store, bank)
        for chat_id in range(first, last + 1):
            await study.subscribe(chat_id, "private", when, count)

asyncio.run(main())
print(json.dumps({"bot": bot.__file__, "when": when, "target": target.timestamp(), "bank": len(bank)}))
"""


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the benchmark dies, so no bot outlives it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# ---- the bot as a process --------------------------------------------------------------------------------


class Bot:
    """One `python -m bot run`, its output in a file (a full pipe would block it)."""

    def __init__(self, run: Run, label: str, env: dict[str, str]) -> None:
        self.label = label
        self.log_path = run.folder / f"{label}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(run.python), "-m", "bot", "run"],
            cwd=run.root,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        self.started = time.monotonic()
        self.exited_at: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        if self.process.poll() is None:
            return True
        if self.exited_at is None:
            self.exited_at = time.monotonic()
        return False

    def kill(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.alive()

    def term(self, within: float) -> float | None:
        """SIGTERM; the seconds until it exited, or None when it had to be killed after `within`."""
        if not self.alive():
            return 0.0
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(within)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self.alive()
        return time.monotonic() - sent

    def cpu_seconds(self) -> float:
        """utime + stime of the process so far, from /proc/<pid>/stat."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def lines(self) -> list[str]:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()

    def line_count(self) -> int:
        self._log.flush()
        with self.log_path.open("rb") as file:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))

    def close(self) -> None:
        self.kill()
        self._log.close()


@dataclass
class Run:
    """One scenario's world: a temporary folder, the fake Bot API, the bots started; all gone at the end."""

    name: str
    root: Path
    python: Path
    keep: bool = False
    folder: Path = field(init=False)
    fake: FaultBotApiProcess = field(init=False)
    bots: list[Bot] = field(default_factory=list)
    checked: bool = False

    def __enter__(self) -> Run:
        self.folder = Path(tempfile.mkdtemp(prefix=f"bench-delivery-{self.name}-"))
        self.db = self.folder / "bot.sqlite3"
        try:
            self.fake = FaultBotApiProcess(token=TOKEN).start()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for bot in self.bots:
            bot.close()
        self.fake.close()
        if self.keep:
            log(f"kept {self.folder}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)

    def env(self, label: str) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "PYTHON"))}
        return {
            **clean,
            "PYTHONPATH": str(self.root),
            "PYTHONUNBUFFERED": "1",
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.fake.url_for(label),
            "BOT_DB": str(self.db),
            "BOT_TIMEZONE": "UTC",
            "BOT_LOG_LEVEL": "INFO",
        }

    def start_bot(self, label: str) -> Bot:
        bot = Bot(self, label, self.env(label))
        self.bots.append(bot)
        return bot

    def wait_ready(self, bot: Bot, within: float = 90) -> float | None:
        """The moment the bot's first getUpdates arrived (it is polling), or None if it died or never did."""
        fake = self.fake
        fake.wait_until(lambda: fake.count("getUpdates", client=bot.label) > 0, within, alive=bot.alive)
        first = fake.calls("getUpdates", client=bot.label)[:1]
        return first[0].at if first else None

    def subscribe(self, chats: int, count: int, lead: float) -> tuple[str, float]:
        """Subscribe chats 1…chats with the bot's own Study.subscribe, at the first minute `lead` s away.

        Returns HH:MM (UTC) and the moment it comes, as a time.monotonic() value."""
        result = subprocess.run(
            [str(self.python), "-c", SETUP, str(self.db), str(lead), str(count), "1", str(chats)],
            cwd=self.root,
            env=self.env("setup"),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"subscribing failed:\n{result.stderr[-3000:]}")
        info = json.loads(result.stdout.strip().splitlines()[-1])
        where = Path(info["bot"]).resolve()
        if not where.is_relative_to(self.root.resolve()):
            raise RuntimeError(f"the bot package came from {where}, not from {self.root}")
        return info["when"], time.monotonic() + (info["target"] - time.time())


def check_bot_package(root: Path, python: Path) -> Path:
    """Where `import bot` finds the package when run as the bot is run: it must be the one under --bot-root."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    found = subprocess.run(
        [str(python), "-c", "import bot; print(bot.__file__)"],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    where = Path(found).resolve()
    if not where.is_relative_to(root):
        raise SystemExit(f"error: `import bot` under --bot-root {root} finds {where}")
    return where


# ---- figures -----------------------------------------------------------------------------------------------


def question_of(record: Record) -> str:
    return HEADING.sub("", str(record.params.get("question") or ""), count=1)


def set_figures(polls: Iterable[Record], chats: int, count: int) -> dict[str, int]:
    """Per chat 1…chats: the distinct poll questions it got, and whether any came twice."""
    per: dict[int, list[str]] = {c: [] for c in range(1, chats + 1)}
    total = 0
    for record in polls:
        if record.chat_id in per:
            per[record.chat_id].append(question_of(record))
            total += 1
    distinct = {c: len(set(q)) for c, q in per.items()}
    return {
        "whole": sum(1 for n in distinct.values() if n >= count),
        "partial": sum(1 for n in distinct.values() if 0 < n < count),
        "nothing": sum(1 for n in distinct.values() if n == 0),
        "twice": sum(1 for c, q in per.items() if len(q) > distinct[c]),
        "polls": total,
    }


def answer_figures(messages: Iterable[Record], users: Iterable[int], error_text: str) -> dict[str, int]:
    """Per user who asked one question: an answer, an answer then the error notice, only the notice, nothing;
    and users who got some text twice (their answer duplicated)."""
    per: dict[int, list[Record]] = {u: [] for u in users}
    for record in messages:
        if record.chat_id in per:
            per[record.chat_id].append(record)
    figures = Counter({"answered": 0, "answered_then_error": 0, "error_only": 0, "nothing": 0, "twice": 0})
    for records in per.values():
        answers = [r for r in records if r.text != error_text]
        errors = [r for r in records if r.text == error_text]
        if answers:
            figures["answered"] += 1
            if any(e.at > min(a.at for a in answers) for e in errors):
                figures["answered_then_error"] += 1
        elif errors:
            figures["error_only"] += 1
        else:
            figures["nothing"] += 1
        texts = Counter(r.text for r in answers)
        if texts and max(texts.values()) > 1:
            figures["twice"] += 1
    return dict(figures)


def error_text(root: Path) -> str:
    """The bot's error notice, bot/telegram/texts.py ERROR, read as text from the code being measured."""
    source = (root / "bot" / "telegram" / "texts.py").read_text(encoding="utf-8")
    found = re.search(r'^ERROR\s*=\s*"([^"]*)"', source, re.MULTILINE)
    return found.group(1) if found else "抱歉，处理这条消息时出错了，请稍后再试。"


def wait_settled(
    fake: FaultBotApiProcess,
    progress: Callable[[], int],
    *,
    done: Callable[[int], bool],
    idle: float,
    not_before: float,
    cap: float,
) -> None:
    """Until done(progress()), or progress() has not moved for `idle` s after `not_before`, or `cap` passes."""
    last, moved = progress(), time.monotonic()
    while True:
        now = time.monotonic()
        if done(last) or now >= cap or (now >= not_before and now - moved >= idle):
            return
        time.sleep(0.25)
        value = progress()
        if value != last:
            last, moved = value, time.monotonic()


def rounded(seconds: float | None, bound: float | None = None) -> float | str | None:
    """Seconds to one decimal; None (it had to be killed) shown as ">bound"."""
    if seconds is None:
        return f">{bound:g}" if bound is not None else None
    return round(seconds, 1)


def polls_delivered(fake: FaultBotApiProcess) -> Callable[[], int]:
    return lambda: fake.count("sendPoll", outcome="delivered")


def ask(fake: FaultBotApiProcess, user_id: int, text: str) -> int:
    return fake.push({"message": message(text, user_id=user_id, message_id=user_id % 100000 + 1)})


# ---- scenarios ---------------------------------------------------------------------------------------------


def broadcast_until(run: Run, args: argparse.Namespace, chats: int, label: str = "run1") -> tuple[Bot, float]:
    """Subscribe, start the bot, wait until it polls: (the bot, the daily set's moment)."""
    when, target = run.subscribe(chats, args.count, args.lead)
    bot = run.start_bot(label)
    ready = run.wait_ready(bot)
    if ready is None:
        raise RuntimeError(f"the bot did not start:\n{''.join(line + chr(10) for line in bot.lines()[-30:])}")
    if ready >= target:
        raise RuntimeError(f"the bot was polling only {ready - target:.1f} s after {when}: raise --lead")
    log(f"{run.name}: daily set at {when} UTC, in {target - time.monotonic():.0f} s")
    return bot, target


def restart_and_settle(run: Run, args: argparse.Namespace, chats: int) -> Bot:
    bot = run.start_bot("run2")
    ready = run.wait_ready(bot) or time.monotonic()
    fake = run.fake
    wait_settled(
        fake,
        lambda: fake.count(SENDING),
        done=lambda _: broadcast_complete(fake, chats, args.count),
        idle=SETTLE_IDLE,
        not_before=ready + args.restart_wait,
        cap=ready + args.restart_wait + 120,
    )
    return bot


def scenario_broadcast_stop(run: Run, args: argparse.Namespace, how: str) -> dict[str, Any]:
    fake, chats = run.fake, args.chats
    total = chats * args.count
    at = max(1, round(total * args.kill_at))
    first, target = broadcast_until(run, args, chats)
    reached = fake.wait_until(
        lambda: polls_delivered(fake)() >= at, target - time.monotonic() + 60 + total / 10
    )
    before = polls_delivered(fake)()
    if not reached:
        raise RuntimeError(f"only {before} polls of {total} arrived, never {at}")
    figures: dict[str, Any] = {}
    if how == "kill":
        first.kill()
        log(f"{run.name}: SIGKILL at {before} polls")
    else:
        stopped = time.monotonic()
        figures["term_s"] = rounded(first.term(args.term_wait), args.term_wait)
        figures["exit_code"] = first.process.returncode
        figures["polls_after_term"] = fake.count("sendPoll", outcome="delivered", since=stopped)
        log(f"{run.name}: SIGTERM at {before} polls, exit after {figures['term_s']} s")
    figures["polls_at_stop"] = before
    figures["polls_before_restart"] = polls_delivered(fake)()
    second = restart_and_settle(run, args, chats)
    figures["term2_s"] = rounded(second.term(args.term_wait), args.term_wait)
    figures["polls_by_restart"] = fake.count("sendPoll", outcome="delivered", client="run2")
    return {
        "chats": chats,
        "count": args.count,
        **set_figures(fake.delivered("sendPoll"), chats, args.count),
        **figures,
    }


def scenario_broadcast_kill(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    return scenario_broadcast_stop(run, args, "kill")


def scenario_broadcast_term(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    return scenario_broadcast_stop(run, args, "term")


def scenario_questions_kill(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    fake, users = run.fake, [700_000 + n for n in range(args.users)]
    first = run.start_bot("run1")
    if run.wait_ready(first) is None:
        raise RuntimeError("the bot did not start")
    fake.push_many(
        {"message": message(QUESTIONS[n % len(QUESTIONS)], user_id=u, message_id=1)}
        for n, u in enumerate(users)
    )
    at = max(1, round(len(users) * args.kill_answered))
    answered = lambda: len(fake.per_chat("sendMessage", outcome="delivered"))  # noqa: E731
    fake.wait_until(lambda: answered() >= at, 120, alive=first.alive)
    first.kill()
    before = answered()
    log(f"{run.name}: SIGKILL with {before} of {len(users)} answered")
    second = run.start_bot("run2")
    ready = run.wait_ready(second) or time.monotonic()
    wait_settled(
        fake,
        answered,
        done=lambda n: n >= len(users),
        idle=SETTLE_IDLE,
        not_before=ready + args.restart_wait,
        cap=ready + args.restart_wait + 120,
    )
    term = second.term(args.term_wait)
    figures = answer_figures(fake.delivered("sendMessage"), users, error_text(run.root))
    handed = fake.updates()["handed_out"]
    return {
        "users": len(users),
        "answered_at_kill": before,
        "answered": figures["answered"],
        "never_answered": figures["nothing"] + figures["error_only"],
        "answered_twice": figures["twice"],
        "error_notices": figures["error_only"] + figures["answered_then_error"],
        "updates_redelivered": sum(1 for n in handed.values() if n > 1),
        "answered_by_restart": len(fake.per_chat("sendMessage", outcome="delivered", client="run2")),
        "term2_s": rounded(term, args.term_wait),
    }


def fault_window(fake: FaultBotApiProcess, kind: str, seconds: float, delay: float) -> None:
    if kind == "fail":
        fake.fail(SENDING, seconds)
    elif kind == "drop":
        fake.drop(SENDING, seconds)
    else:
        fake.slow(SENDING, delay, seconds)


def scenario_faults(run: Run, args: argparse.Namespace, kind: str) -> dict[str, Any]:
    """Questions asked during a window of faults on send*, then (in a fresh folder) a broadcast with a window
    opening when half of its polls have arrived."""
    fake = run.fake
    figures: dict[str, Any] = {}
    bot = run.start_bot("ask")
    if run.wait_ready(bot) is None:
        raise RuntimeError("the bot did not start")
    users = [800_000 + n for n in range(args.ask_users)]
    opened = time.monotonic()
    fault_window(fake, kind, args.ask_window, args.slow_delay)
    for n, user_id in enumerate(users):  # one user every window/users seconds while the window lasts
        time.sleep(max(0.0, opened + n * args.ask_window / len(users) - time.monotonic()))
        ask(fake, user_id, QUESTIONS[n % len(QUESTIONS)])
    closed = opened + args.ask_window
    answered = lambda: len(fake.per_chat("sendMessage", outcome="delivered"))  # noqa: E731
    attempts = lambda: fake.count(SENDING)  # noqa: E731  every try, failed or not: is the bot still trying?
    wait_settled(
        fake,
        attempts,
        done=lambda _: answered() >= len(users),
        idle=SETTLE_IDLE,
        not_before=closed + args.slow_delay,
        cap=closed + 90,
    )
    bot.term(args.term_wait)
    asked = answer_figures(fake.delivered("sendMessage"), users, error_text(run.root))
    figures.update({f"ask_{k}": v for k, v in asked.items()})
    figures["ask_faulted_calls"] = faulted(fake.calls(SENDING))
    with Run(f"{run.name}-broadcast", run.root, run.python, keep=run.keep) as cast_run:
        fake = cast_run.fake
        chats, total = args.chats, args.chats * args.count
        caster, target = broadcast_until(cast_run, args, chats, label="cast")
        fake.wait_until(
            lambda: polls_delivered(fake)() >= total // 2, target - time.monotonic() + 60 + total / 10
        )
        fault_window(fake, kind, args.broadcast_window, args.slow_delay)
        closed = time.monotonic() + args.broadcast_window
        log(f"{run.name}: {kind} window of {args.broadcast_window:g} s at {polls_delivered(fake)()} polls")
        wait_settled(
            fake,
            lambda: fake.count(SENDING),
            done=lambda _: broadcast_complete(fake, chats, args.count),
            idle=SETTLE_IDLE,
            not_before=closed + args.slow_delay,
            cap=closed + 150,
        )
        caster.term(args.term_wait)
        cast = set_figures(fake.delivered("sendPoll"), chats, args.count)
        figures.update({f"bc_{k}": v for k, v in cast.items()})
        figures["bc_lost_set"] = chats - cast["whole"]
        figures["bc_faulted_calls"] = faulted(fake.calls(SENDING))
    return {"ask_users": len(users), "chats": chats, **figures}


def faulted(records: Iterable[Record]) -> int:
    """The calls a fault window touched: failed, dropped, or answered late."""
    return sum(1 for r in records if r.outcome in ("failed", "dropped") or r.delayed)


def broadcast_complete(fake: FaultBotApiProcess, chats: int, count: int) -> bool:
    if polls_delivered(fake)() < chats * count:
        return False
    return set_figures(fake.delivered("sendPoll"), chats, count)["whole"] == chats


def scenario_send_500(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    return scenario_faults(run, args, "fail")


def scenario_send_drop(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    return scenario_faults(run, args, "drop")


def scenario_slow_send(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    return scenario_faults(run, args, "slow")


def scenario_two_instances(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    fake, chats = run.fake, args.two_chats
    total = chats * args.count
    one, target = broadcast_until(run, args, chats, label="a")
    two = run.start_bot("b")
    run.wait_ready(two, within=max(5.0, target - time.monotonic() - 1))
    refused = not two.alive()  # it exited before the daily set was due
    wait_settled(
        fake,
        lambda: fake.count(SENDING),
        done=lambda n: False,
        idle=SETTLE_IDLE,
        not_before=max(target + 15, time.monotonic()),
        cap=target + 60 + 2 * total / 10,
    )
    both = [one, two]
    exits = {b.label: b.term(args.term_wait) for b in both}
    polls = fake.delivered("sendPoll")
    per = Counter(r.chat_id for r in polls)
    figures = set_figures(polls, chats, args.count)
    conflicts = {b.label: fake.count("getUpdates", client=b.label, outcome="conflict") for b in both}
    return {
        "chats": chats,
        "set_twice": sum(1 for c in range(1, chats + 1) if per[c] >= 2 * args.count),
        "question_twice": figures["twice"],
        "whole": figures["whole"],
        "polls": figures["polls"],
        "polls_a": sum(1 for r in polls if r.client == "a"),
        "polls_b": sum(1 for r in polls if r.client == "b"),
        "second_refused": refused,
        "b_exit_code": two.process.returncode,
        "log_409_a": sum(1 for line in one.lines() if CONFLICT_LINE.search(line)),
        "log_409_b": sum(1 for line in two.lines() if CONFLICT_LINE.search(line)),
        "fake_409_a": conflicts["a"],
        "fake_409_b": conflicts["b"],
        "term_a_s": rounded(exits["a"], args.term_wait),
        "term_b_s": rounded(exits["b"], args.term_wait),
    }


def scenario_bad_update(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    fake = run.fake
    bot = run.start_bot("run1")
    if run.wait_ready(bot) is None:
        raise RuntimeError("the bot did not start")
    time.sleep(1)  # past the start-up work, so its CPU is not counted
    users = [900_000 + n for n in range(args.bad_questions)]
    cpu0, lines0, t0 = bot.cpu_seconds(), bot.line_count(), time.monotonic()
    bad = fake.push({"message": {"message_id": "x"}})  # PTB's Update.de_json raises KeyError('date') on it
    fake.push_many(
        {"message": message(QUESTIONS[n % len(QUESTIONS)], user_id=u, message_id=1)}
        for n, u in enumerate(users)
    )
    time.sleep(max(0.0, t0 + args.observe - time.monotonic()))
    cpu1, lines1 = bot.cpu_seconds(), bot.line_count()
    answered = {r.chat_id for r in fake.delivered("sendMessage") if r.at <= t0 + args.observe}
    polls = fake.count("getUpdates", since=t0)
    term = bot.term(args.term_wait)
    return {
        "questions": len(users),
        "answered_in_window": len(answered & set(users)),
        "window_s": args.observe,
        "cpu_s": round(cpu1 - cpu0, 2),
        "log_lines": lines1 - lines0,
        "getupdates_calls": polls,
        "bad_update_handed_out": fake.updates()["handed_out"].get(bad, 0),
        "term_s": rounded(term, args.term_wait),
        "exit_code": bot.process.returncode,
    }


SCENARIOS: dict[str, Callable[[Run, argparse.Namespace], dict[str, Any]]] = {
    "broadcast-kill": scenario_broadcast_kill,
    "broadcast-term": scenario_broadcast_term,
    "questions-kill": scenario_questions_kill,
    "send-500": scenario_send_500,
    "send-drop": scenario_send_drop,
    "slow-send": scenario_slow_send,
    "two-instances": scenario_two_instances,
    "bad-update": scenario_bad_update,
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--scenario", action="append", choices=list(SCENARIOS), help="run only this (repeatable)"
    )
    parser.add_argument("--bot-root", type=Path, default=ROOT, help="where `python -m bot` runs from")
    parser.add_argument("--python", type=Path, default=PYTHON if PYTHON.exists() else Path(sys.executable))
    parser.add_argument("--json", action="store_true", help="one JSON object per scenario")
    parser.add_argument(
        "--keep", action="store_true", help="keep each scenario's temporary folder (logs, db)"
    )
    parser.add_argument("--chats", type=int, default=300, help="chats in a broadcast (the issue used 2000)")
    parser.add_argument("--count", type=int, default=3, help="questions in a daily set")
    parser.add_argument(
        "--kill-at", type=float, default=0.4, help="share of the polls at which to stop the bot"
    )
    parser.add_argument("--users", type=int, default=300, help="questions-kill: users asking at once")
    parser.add_argument(
        "--kill-answered", type=float, default=0.3, help="questions-kill: share answered at kill"
    )
    parser.add_argument("--ask-users", type=int, default=20, help="users asking during a fault window")
    parser.add_argument("--ask-window", type=float, default=20, help="seconds of faults while they ask")
    parser.add_argument("--broadcast-window", type=float, default=10, help="seconds of faults in a broadcast")
    parser.add_argument(
        "--slow-delay", type=float, default=8, help="slow-send: seconds an answer is held back"
    )
    parser.add_argument("--two-chats", type=int, default=100, help="two-instances: chats subscribed")
    parser.add_argument("--bad-questions", type=int, default=10, help="bad-update: good questions after it")
    parser.add_argument("--observe", type=float, default=30, help="bad-update: seconds watched")
    parser.add_argument("--restart-wait", type=float, default=20, help="seconds a restarted bot is given")
    parser.add_argument(
        "--term-wait", type=float, default=40, help="seconds a SIGTERM is given before SIGKILL"
    )
    parser.add_argument("--lead", type=float, default=10, help="the daily set is at least this far ahead")
    args = parser.parse_args()
    root = args.bot_root.resolve()
    if not (root / "bot" / "__main__.py").exists():
        parser.error(f"--bot-root {root}: no bot package there")
    log(f"bot package: {check_bot_package(root, args.python)}")
    failed = 0
    for name in args.scenario or list(SCENARIOS):
        started = time.monotonic()
        log(f"{name}: start (bot from {root})")
        try:
            with Run(name, root, args.python, keep=args.keep) as run:
                figures = SCENARIOS[name](run, args)
        except Exception as error:
            failed += 1
            figures = {"error": f"{type(error).__name__}: {error}"}
        figures["seconds"] = round(time.monotonic() - started, 1)
        if args.json:
            print(json.dumps({"scenario": name, **figures}, ensure_ascii=False), flush=True)
        else:
            print(f"{name:<15} " + " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally blocks end every child
    sys.exit(main())
