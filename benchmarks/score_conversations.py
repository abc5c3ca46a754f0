"""Score conversations through `python -m bot ask --json`'s session protocol, conversations interleaved.

Usage: score_conversations.py CONVERSATIONS.yaml [--plain] [--json OUT] -- CMD [ARGS...]

Each conversation is a list of turns scored like ../shared/eval/score.py's cases (answered, expect_all,
expect_any; whitespace ignored; an answer at most 1500 characters). The turns of all conversations are sent
round-robin, one JSON line {"session": ID, "q": TEXT} each, so that a bot keeping context per session is
tested with other sessions' turns in between. --plain sends the bare question instead (a bot without
sessions). Prints first turns and later turns apart.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import yaml

MAX_ANSWER = 1500


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def correct(turn: dict, reply: dict) -> bool:
    answered = bool(reply.get("answered"))
    text = norm(reply.get("answer", ""))
    if not turn.get("answered", True):
        return not answered
    if not answered or len(text) > MAX_ANSWER:
        return False
    if not all(norm(f) in text for f in turn.get("expect_all") or []):
        return False
    anys = turn.get("expect_any") or []
    return not anys or any(norm(f) in text for f in anys)


def main() -> int:
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    options, command = argv[:cut], argv[cut + 1 :]
    with open(options[0], encoding="utf-8") as file:
        conversations = yaml.safe_load(file)
    plain = "--plain" in options
    order: list[tuple[int, int]] = []
    for step in range(max(len(c["turns"]) for c in conversations)):
        order += [(c, step) for c in range(len(conversations)) if step < len(conversations[c]["turns"])]
    lines = []
    for c, step in order:
        q = conversations[c]["turns"][step]["q"].replace("\n", " ")
        session = conversations[c]["id"]
        lines.append(q if plain else json.dumps({"session": session, "q": q}, ensure_ascii=False))
    started = time.perf_counter()
    done = subprocess.run(command, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=900)
    replies = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(replies) != len(order):
        print(done.stderr[-2000:], file=sys.stderr)
        print(f"FAIL: exit {done.returncode}, {len(replies)} replies for {len(order)} turns")
        return 1
    tally = {"first": [0, 0], "later": [0, 0]}
    results = []
    for (c, step), reply in zip(order, replies, strict=True):
        turn = conversations[c]["turns"][step]
        ok = correct(turn, reply)
        kind = "first" if step == 0 else "later"
        tally[kind][0] += ok
        tally[kind][1] += 1
        results.append({"id": conversations[c]["id"], "turn": step + 1, "q": turn["q"], "ok": ok, **reply})
    for kind, (right, total) in tally.items():
        print(f"{kind} turns: {right}/{total} = {100 * right / max(total, 1):.1f}%")
    right = sum(r for r, _ in tally.values())
    total = sum(t for _, t in tally.values())
    print(f"all turns: {right}/{total} = {100 * right / total:.1f}%  ({time.perf_counter() - started:.1f} s)")
    if "--json" in options:
        with open(options[options.index("--json") + 1], "w", encoding="utf-8") as out:
            json.dump(results, out, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
