"""What the bot says besides the knowledge base, in one place. Every constant is valid Telegram HTML."""

from __future__ import annotations

from collections.abc import Sequence

from bot.daily import MAX_DAILY_COUNT
from bot.knowledge import KnowledgeBase, PackInfo
from bot.quiz import Question
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
ROSTER_GROUP_ONLY = "学习名单只在群里使用：在群里发送 /join 加入。"
ROSTER_JOINED = "已加入本群学习名单：您的名字会出现在学习小结和学习台账里（只记学了哪些内容、参加了几次，不排名）。发送 /leave 可随时退出。"
ROSTER_LEFT = "已退出本群学习名单：之后的小结和台账里不再出现您的名字。"
ROSTER_NOT_MEMBER = "您本来就不在本群学习名单上。"
ROUND_GROUP_ONLY = "集体答题（/round）在群里使用；私聊中发送 /quiz 答题。"
ROUND_ADMINS_ONLY = "在群里，只有群管理员可以发起集体答题。"
ROUND_USAGE = "用法：/round 5 10 发起一轮 5 道题、10 分钟的集体答题（最多 10 题、60 分钟；只发 /round 按 5 题 10 分钟）；/round off 取消。"
ROUND_CANCELLED = "已取消本轮集体答题。"
ROUND_NONE_OPEN = "本群现在没有进行中的集体答题。"
ROUND_ALREADY_OPEN = "本群已有一轮集体答题在进行，等它结束或发送 /round off 取消后再发起。"
REPORT_CHART = "讲话各部分的正确率（本群的集体答题和每日一练）"
REPORT_GROUP_ONLY = "学习台账（/report）在群里由群管理员使用。"
REPORT_ADMINS_ONLY = "在群里，只有群管理员可以导出学习台账。"
BOARD_ADMINS_ONLY = "只有群管理员可以开启或关闭本群的排行。"
BOARD_ON = "已开启排行：集体答题小结里会列出加入名单的成员各答对几题。发送 /top off 关闭。"
BOARD_OFF = "已关闭排行：小结只记参加人数和各题结果，不排名次。"
REMIND_OFF = "已关闭错题提醒。"
SCORE_SENT_PRIVATELY = "您的学习成绩已私信发给您（个人成绩只在私聊里显示）。"
TAP_THE_POLL = (
    "答题请直接点投票里的选项（多选题可以点几个再提交）；打字的答案我不会计分。想换一道题发 /quiz。"
)
GUEST_TITLE = "讲话学习助手"
FLAGGED = "谢谢指正，已记下这道题。管理员核对前，三人以上认为有误的题不再出。"
ERROR = "抱歉，处理这条消息时出错了，请稍后再试。"
FORGET_ASK = "要删除我记下的关于您的全部内容（提问、回答、设置）吗？删除后无法恢复。"
FORGET_CANCELLED = "已取消，什么也没有删除。"
PEOPLES_WORDS_PRIVATE_ONLY = "这个命令会显示大家的提问，请在与我的私聊中使用。"


def forgotten(rows: int) -> str:
    return f"已删除关于您的全部记录（{rows} 条）。之后的新提问仍会照常记录，可随时再次 /forget。"


SHORT_DESCRIPTION = (
    "讲话学习助手：问讲话里的提法和要求，答案引自原文并注明出处；每日一练、错题本、群里集体答题。"
)


def description(pack: PackInfo) -> str:
    """The bot's description, shown in its empty chat before the first message (setMyDescription)."""
    return (
        f"我是讲话学习助手，帮您学习{pack.meeting}上的讲话。\n\n"
        "• 直接问：讲话里的提法是什么意思、对谁提了什么要求、某段原文怎么说，可以接着追问；\n"
        "• 每个回答都引自讲话原文并注明出处，讲话没讲的会直接说明；\n"
        "• 每日一练和错题本帮您记牢，群里可以集体答题。\n\n"
        "点“开始”试一试。"
    )[:512]


def group_help(username: str | None, pack: PackInfo) -> str:
    """/start and /help in a group: how to ask here (the bot reads only what is addressed to it)."""
    mention = f"@{escape(username)} " if username else "@我 "
    example = f"，例如 /ask {escape(pack.examples[0])}" if pack.examples else ""
    return (
        "<b>在群里这样问我</b>\n"
        f"• /ask 问题{example}\n"
        f"• 或者 {mention}加问题\n"
        "• 或者直接回复我的某条消息接着问\n\n"
        "群管理员可以发起集体答题（/round）、订阅每日一练（/daily）、导出学习台账（/report）；"
        "成员发送 /join 加入学习名单。私聊我可以随时提问、做题、复习错题。"
    )


def help_text(
    commands: tuple[tuple[str, str], ...],
    username: str | None,
    admin_commands: tuple[tuple[str, str], ...] = (),
) -> str:
    lines = ["<b>我能做什么</b>", "直接发问题即可，也可以用这些命令："]
    lines += [f"/{name} — {escape(description)}" for name, description in commands]
    if admin_commands:
        lines.append("\n<b>管理员命令</b>（只有您能看到）")
        lines += [f"/{name} — {escape(description)}" for name, description in admin_commands]
    lines.append("\n在群里：用 /ask 提问，或 @我，或回复我的消息。")
    if username:
        lines.append(f"在任何聊天里输入 @{escape(username)} 加术语，可以直接发出答案卡片。")
    lines.append(f"\n<i>{PRIVACY}</i>")
    return "\n".join(lines)


def about_text(kb: KnowledgeBase, outline: Sequence[str] = ()) -> str:
    """/about for a member: the meeting, the speech and how it runs (its parts), and where answers come from."""
    pack = kb.pack
    lines = [
        f"<b>会议</b>：{escape(pack.meeting)}",
        *([f"<b>日期</b>：{escape(pack.date_text)}"] if pack.date_text else []),
        *([f"<b>讲话</b>：{escape(pack.body)}"] if pack.body else []),
    ]
    if outline:
        lines.append("<b>讲话分这几部分</b>：")
        lines += [f"{n}. {escape(part)}" for n, part in enumerate(outline, 1)]
    lines.append(
        "\n每个回答都引自讲话原文并注明出处；标为“背景”的内容不是讲话原文。/sections 按部分阅读全文。"
    )
    return "\n".join(lines)


# ── the quiz ───────────────────────────────────────────────────────────────────────────────────────────
QUIZ_NOTHING_LEFT = "这段时间的题目您都做过了。两周内做过的题不会重复出现，错题会按时回到 /review。"
QUIZ_PRIVATE_ONLY = "这个命令请在与我的私聊中使用。"
DAILY_USAGE = f"用法：/daily 8:00 每天这个时间发题（可加题数，如 /daily 8:00 5，最多 {MAX_DAILY_COUNT} 题）；/daily off 停止；只发 /daily 按默认时间和题数订阅，已订阅时显示当前设置。"
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


def round_opening(count: int, minutes: int, meeting: str) -> str:
    return (
        f"📚 集体答题开始：{count} 道题，出自{escape(meeting)}，{minutes} 分钟后截止。"
        "结果在截止后公布，我会发一份小结。"
    )


REPORT_CAPTION = (
    "本群学习台账：成员参加情况、各轮答题结果、讲话各部分的掌握情况（只列出加入学习名单的成员）。"
)


def flags_cleared(question_id: str, cleared: int) -> str:
    if not cleared:
        return f"题 {escape(question_id)} 没有标记。"
    return f"已清除题 {escape(question_id)} 的 {cleared} 个标记，它会重新出现在题目中。"


def score_private(username: str | None) -> str:
    who = f"@{escape(username)}" if username else "我"
    return f"个人成绩只在私聊里显示。请先打开与 {who} 的私聊，发送 /start，再发 /score。"


def remind_on(when: str) -> str:
    return f"已开启错题提醒：每天 {when} 前后，错题本里有到期的题时私信提醒一次。发送 /remind off 关闭。"


def remind_status(on: bool, when: str) -> str:
    if on:
        return f"错题提醒已开启（每天 {when} 前后，有到期错题时提醒一次）。发送 /remind off 关闭。"
    return "错题提醒没有开启。发送 /remind on，错题到期时每天私信提醒一次（不强制、不计入考核）。"


def reminder(due: int) -> str:
    return f"📒 错题本里有 {due} 道题到期了，发送 /review 复习几道吧。（不想收到提醒就发 /remind off）"


def review_early(sending: int, total: int) -> str:
    return f"错题本共 {total} 道，现在都还没到期；先提前复习最近的 {sending} 道。"


def answer_verdict(right: bool, question: Question) -> str:
    """The next step after a quiz poll in a private chat: right or wrong, the speech's words, the book."""
    answers = "、".join(question.answers)
    lines = ["✓ 答对了！" if right else f"✗ 答错了。正确答案：{escape(answers)}"]
    lines.append(f"<blockquote>{escape(question.evidence[:300])}</blockquote>")
    if not right:
        lines.append("已加入错题本。")
    return "\n".join(lines)


def daily_result(answered: int, right: int) -> str:
    return f"今天的每日一练完成：{answered} 题答对 {right} 题。" + (
        "全对，真棒！" if right == answered else "错题已进错题本。"
    )


def daily_opening(count: int, meeting: str) -> str:
    return f"☀️ 今天的每日一练：{count} 道题，出自{escape(meeting)}。点选项作答，答完告诉你结果。"


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
