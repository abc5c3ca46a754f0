"""What the bot says besides the knowledge base, in one place. Every constant is valid Telegram HTML."""

from __future__ import annotations

from collections import Counter

from bot.knowledge import KnowledgeBase, PackInfo
from bot.telegram.html import escape

PRIVACY = (
    "隐私：我只记下您的提问、我的回答、时间和您的 Telegram 用户号，用于统计和改进答案；"
    "发送 /forget 可随时全部删除。"
)


def welcome(pack: PackInfo) -> str:
    """/start: the pack's welcome (it names the meeting), then the commands and the privacy note."""
    return (
        f"{pack.text('welcome', meeting=escape(pack.meeting))}\n\n"
        "/sections 按结构阅读讲话，/search 查一个词在原文哪里，/help 查看全部命令。\n\n"
        f"<i>{PRIVACY}</i>"
    )


def text_only(pack: PackInfo) -> str:
    return pack.text("text_only")


def _usage(command: str, argument: str, example: str) -> str:
    """用法：/command argument, with the pack's example when it has one."""
    return f"用法：/{command} {argument}" + (f"，例如 /{command} {escape(example)}" if example else "")


def usage_ask(pack: PackInfo) -> str:
    return _usage("ask", "问题", pack.examples[0] if pack.examples else "")


def usage_explain(pack: PackInfo) -> str:
    return _usage("explain", "术语", pack.example_term)


def usage_search(pack: PackInfo) -> str:
    return _usage("search", "词", pack.example_word)


UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看我能做什么。"
STALE_BUTTON = "这个按钮已过期，请重新发送命令。"
ERROR = "抱歉，处理这条消息时出错了，请稍后再试。"
FORGET_ASK = "要删除我记下的关于您的全部内容（提问、回答、设置）吗？删除后无法恢复。"
FORGET_CANCELLED = "已取消，什么也没有删除。"
PEOPLES_WORDS_PRIVATE_ONLY = "这个命令会显示大家的提问，请在与我的私聊中使用。"


def forgotten(rows: int) -> str:
    return f"已删除关于您的全部记录（{rows} 条）。之后的新提问仍会照常记录，可随时再次 /forget。"


def help_text(commands: tuple[tuple[str, str], ...], username: str | None) -> str:
    lines = ["<b>我能做什么</b>", "直接发问题即可，也可以用这些命令："]
    lines += [f"/{name} — {escape(description)}" for name, description in commands]
    lines.append("\n在群里：用 /ask 提问，或 @我，或回复我的消息。")
    if username:
        lines.append(f"在任何聊天里输入 @{escape(username)} 加术语，可以直接发出答案卡片。")
    lines.append(f"\n<i>{PRIVACY}</i>")
    return "\n".join(lines)


def about_text(kb: KnowledgeBase) -> str:
    kinds = Counter(entry.kind for entry in kb.entries)
    chars = sum(1 for c in kb.speech if not c.isspace())
    pack = kb.pack
    return "\n".join(
        [
            f"<b>会议</b>：{escape(pack.meeting)}",
            *([f"<b>日期</b>：{escape(pack.date_text)}"] if pack.date_text else []),
            *([f"<b>讲话</b>：{escape(pack.body)}"] if pack.body else []),
            f"<b>来源</b>：讲话全文，{chars} 字。每个回答都引自原文并注明出处；标为“背景”的内容不是讲话原文。",
            f"<b>知识库</b>：{len(kb)} 条（章节 {kinds['section']}，术语 {kinds['term']}，事实 {kinds['fact']}）",
        ]
    )


# ── the quiz ───────────────────────────────────────────────────────────────────────────────────────────
QUIZ_NOTHING_LEFT = "这段时间的题目您都做过了。两周内做过的题不会重复出现，错题会按时回到 /review。"
QUIZ_PRIVATE_ONLY = "这个命令请在与我的私聊中使用。"
DAILY_USAGE = "用法：/daily 8:00 每天这个时间发题（可加题数，如 /daily 8:00 5）；/daily off 停止；只发 /daily 按默认时间和题数订阅，已订阅时显示当前设置。"
DAILY_ADMINS_ONLY = "在群里，只有群管理员可以设置每日一练。"
DAILY_OFF = "已停止每日一练。想恢复时发送 /daily 8:00。"
DAILY_PAUSED = "最近 7 次每日一练都没有作答，我先暂停推送，不再打扰。想继续时发送 /daily 8:00（时间可改）。"
DAILY_WAS_OFF = "本聊天没有订阅每日一练。发送 /daily 8:00 即可订阅。"
TOP_PRIVATE = "排行榜只在群里使用。在私聊中发送 /score 查看自己的成绩。"
TOP_JOINED = "已加入本群排行榜。发送 /top leave 可随时退出。"
TOP_LEFT = "已退出本群排行榜。"
TOP_NOT_MEMBER = "您本来就不在本群排行榜上。"


def quiz_no_topic(word: str, pack: PackInfo) -> str:
    example = f"，例如 /quiz {escape(pack.example_topic)}" if pack.example_topic else ""
    return f"没有关于“{escape(word[:40])}”的题目。可以换一个讲话里的词{example}，或直接 /quiz。"


def daily_on(time: str, count: int, timezone: str) -> str:
    return (
        f"已订阅每日一练：每天 {time}（{escape(timezone)}）发 {count} 道题。"
        "先出到期的错题，再出没做过的题。发送 /daily off 可随时停止。"
    )


def daily_status(time: str, count: int, timezone: str) -> str:
    return f"每日一练：每天 {time}（{escape(timezone)}）{count} 道题。/daily off 停止，/daily 9:30 改时间。"


def score_text(points: int, answered: int, right: int, current: int, best: int, due: int) -> str:
    if not answered:
        return "您还没有答过题。发送 /quiz 试一道，或 /daily 8:00 订阅每日一练。"
    accuracy = right / answered
    lines = [
        "<b>我的学习成绩</b>",
        f"积分：{points}（答对一题得 1 分）",
        f"答题：{answered} 道，答对 {right} 道，正确率 {accuracy:.0%}",
        f"连续学习：{current} 天（最长 {best} 天）",
        f"错题本：{due} 道到期" + ("，发送 /review 复习" if due else ""),
    ]
    return "\n".join(lines)


def review_none(total: int, next_due: str | None) -> str:
    if not total:
        return "错题本是空的：答错的题会自动加入，并按遗忘曲线安排复习。"
    return f"错题本共 {total} 道，现在没有到期的。" + (f"下一道在 {next_due} 到期。" if next_due else "")


def review_intro(sending: int, due: int) -> str:
    more = f"，其余 {due - sending} 道下次再复习" if due > sending else ""
    return f"错题本：{due} 道到期，先复习 {sending} 道{more}。答对的题间隔会越来越长。"


def leaderboard_text(rows: list[tuple[str, int, int]], joined: bool) -> str:
    if not rows:
        return "本群排行榜还没有人。想上榜的成员发送 /top join（只列出自愿加入的人）。"
    lines = ["<b>本群排行榜</b>（答对一题得 1 分；只列出自愿加入的成员）"]
    lines += [f"{n}. {escape(name)} — {points} 分（答 {answered} 题）" for n, (name, points, answered) in
              enumerate(rows, 1)]  # fmt: skip
    if not joined:
        lines.append("\n发送 /top join 加入排行榜。")
    return "\n".join(lines)
