"""What the speech says right around what was just shown: a follow-up's answer when no entry holds it.

"能举个例子吗", "这话是冲着什么说的", "谁来抓", "还有别的办法吗": asked after a reply,
these are answered by the speech's sentences next to that reply's quotes, not by the whole speech. Plain data
in (the sentences with where each starts, their two-character runs), offsets out: part of the pure core.

Each sentence of the window (the paragraphs the quotes stand in, and the sentences just before and after them)
scores the question's runs it holds, plus `CUE_BONUS` when it reads like what the question asks for (a reason,
an example or measure, who acts, what for); a sentence the last reply already showed whole scores
`SHOWN_PENALTY` less, so that the answer adds something. The best `NEARBY_SENTENCES`, if any reaches
`NEARBY_FLOOR`, are the answer, in the speech's order.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

CUE_BONUS = 2.0
SHOWN_PENALTY = 0.5
AFTER_COST = 0.5  # a reason or a background found after what it explains reads less like one
DISTANCE_COST = 0.5  # per sentence between a candidate and the nearest quote
NEARBY_FLOOR = 1.0
NEARBY_SENTENCES = 2
REACH = 3  # sentences read before and after each quote
SHOWN_SHARE = 0.8  # a sentence whose runs are this much in the last reply was shown whole


@dataclass(frozen=True, slots=True)
class Asked:
    """A kind of follow-up question, and what a sentence that answers it reads like."""

    name: str
    question: re.Pattern[str]
    sentence: re.Pattern[str]
    side: (
        str  # where the answer stands: "any", "mostly before" (a reason), "before" or "after" (the next one)
    )


# Each kind: its name, how a question asks it, how a sentence that answers it reads, and where that stands.
KINDS = (
    (
        "reason",
        r"为什么|为啥|为何|原因|依据|根据|背景|怎么来的|从何而来|出发点|针对",
        r"因为|由于|根据|按照|依据|针对|总结|指出|强调|提出|问题|不够|不足|原因|之所以|为了",
        "mostly before",
    ),
    (
        "before",
        r"前面|之前|前一句|上一句|前边|上文|再往前",
        r"[^，。；]",
        "before",
    ),
    (
        "after",
        r"后面|之后|接下来|下一句|后一句|后边|下文|接着",
        r"[^，。；]",
        "after",
    ),
    (
        "example",
        r"例子|举例|举个|比如|譬如|做法|措施|办法|形式|方式|手段|怎么做|怎么搞|怎么抓|如何做|程度|标准",
        r"有的|比如|例如|譬如|通过|开展|建立|组织|采取|加强|推进|落实|观看|参观|实行|推行|形式|做到|必须",
        "any",
    ),
    (
        "document",
        r"文件|文献|哪份|什么规定|哪个规定|什么意见|哪个意见|哪部|什么准则",
        r"《",
        "any",
    ),
    (
        "citation",
        r"引用|引了|哪句话|哪句|名言|原话",
        r"“|指出|强调|提出",
        "any",
    ),
    (
        "who",
        r"谁|哪些人|哪个部门|哪些部门|负责|牵头|主体",
        r"负责|牵头|履行|担负|责任|书记|班子|领导|成员|部门|科|党委|党组|支部|纪检",
        "any",
    ),
    (
        "purpose",
        r"为了|目的|意义|作用|干啥|干嘛|用来|有什么用|有啥用|什么用处|达到|效果|目标",
        r"为了|以|确保|推动|使|让|促进|达到|形成|实现|目的|作用|意义",
        "any",
    ),
)
ASKED = tuple(Asked(name, re.compile(q), re.compile(a), side) for name, q, a, side in KINDS)


def runs(text: str) -> set[str]:
    """The two-character runs of a text's letters and digits (punctuation and spaces left out)."""
    letters = "".join(c for c in text if c.isalnum())
    return {letters[i : i + 2] for i in range(len(letters) - 1)}


def asked_kinds(question: str) -> tuple[Asked, ...]:
    """The kinds of follow-up the question is (none: it asks for more of the same)."""
    return tuple(kind for kind in ASKED if kind.question.search(question))


def window(
    sentences: Sequence[tuple[int, str]],
    anchors: Collection[int],
    speech: str,
    region: tuple[int, int] | None,
) -> dict[int, int]:
    """The sentences around the anchors in their paragraphs, by index, each with its distance (in sentences)
    from the nearest; with a `region` (这一部分: the part shown), every sentence in it, at distance 0."""
    starts = [start for start, _ in sentences]
    if region is not None:
        return {i: 0 for i, start in enumerate(starts) if region[0] <= start < region[1]}
    found: dict[int, int] = {}
    for anchor in anchors:
        begin, end = speech.rfind("\n", 0, anchor) + 1, speech.find("\n", anchor)
        end = len(speech) if end == -1 else end
        at = max(0, bisect.bisect_right(starts, anchor) - 1)
        for i in range(max(0, at - REACH), min(len(starts), at + REACH + 1)):
            if begin <= starts[i] < end:
                found[i] = min(found.get(i, REACH + 1), abs(i - at))
    return found


def _on_its_side(kind: Asked, start: int, first_anchor: int, last_anchor: int) -> bool:
    """Whether a sentence stands where the kind's answer may: before the quotes, after them, or anywhere."""
    if kind.side == "before":
        return start < first_anchor
    if kind.side == "after":
        return start > last_anchor
    return True


def nearby(
    sentences: Sequence[tuple[int, str]],
    runs: Mapping[int, set[str]],
    speech: str,
    anchors: Collection[int],
    question: str,
    wanted: set[str],
    shown: set[str],
    region: tuple[int, int] | None = None,
) -> tuple[int, ...]:
    """Where the sentences that answer a follow-up start (empty when none reads like an answer).

    `wanted` are the question's own runs (its small words taken out), `shown` the runs of the last reply.
    """
    kinds = asked_kinds(question)
    first_anchor, last_anchor = (min(anchors), max(anchors)) if anchors else (0, 0)
    scored: list[tuple[float, int]] = []
    for i, distance in window(sentences, anchors, speech, region).items():
        start, sentence = sentences[i]
        own = runs[start]
        if not own:
            continue
        score = float(len(wanted & own)) - DISTANCE_COST * distance
        for kind in kinds:
            if not _on_its_side(kind, start, first_anchor, last_anchor):
                continue
            if kind.sentence.search(sentence):
                score += CUE_BONUS - (
                    AFTER_COST if kind.side == "mostly before" and start > first_anchor else 0.0
                )
                break
        if len(own & shown) >= SHOWN_SHARE * len(own):
            score -= SHOWN_PENALTY
        scored.append((score, start))
    scored.sort(key=lambda s: (-s[0], s[1]))
    best = [start for score, start in scored[:NEARBY_SENTENCES] if score >= NEARBY_FLOOR]
    return tuple(sorted(best))
