"""What the bot says besides the knowledge base, in one place. Every constant is valid Telegram HTML."""

from __future__ import annotations

from collections import Counter

from bot.knowledge import KnowledgeBase
from bot.telegram.html import escape

MEETING = "局2022年第一季度党建工作例会暨党风廉政建设推进会"
PRIVACY = (
    "隐私：我只记下您的提问、我的回答、时间和您的 Telegram 用户号，用于统计和改进答案；"
    "发送 /forget 可随时全部删除。"
)
EXAMPLES = ("五个必由之路是什么", "四明确指什么", "讲话指出了哪些问题", "一岗双责要求班子成员做什么")

WELCOME = (
    f"您好！我是讲话学习助手，只讲一篇讲话：<b>{MEETING}</b>上的讲话。\n\n"
    "直接把问题发给我就行，例如“五个必由之路是什么”“四明确指什么”。"
    "每个回答都引用讲话原文，并注明出处。也可以点下面的例子试试。\n\n"
    "/sections 按结构阅读讲话，/search 查一个词在原文哪里，/help 查看全部命令。\n\n"
    f"<i>{PRIVACY}</i>"
)
OUTLINE = "<b>讲话结构</b>\n点一个部分阅读；‹ › 前后翻，↑ 回到上一级。"
TEXT_ONLY = "我只能读文字。请用文字提问，例如“四明确指什么”。"
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看我能做什么。"
STALE_BUTTON = "这个按钮已过期，请重新发送命令。"
ERROR = "抱歉，处理这条消息时出错了，请稍后再试。"
USAGE_ASK = "用法：/ask 问题，例如 /ask 五个必由之路是什么"
USAGE_EXPLAIN = "用法：/explain 术语，例如 /explain 两个维护"
USAGE_SEARCH = "用法：/search 词，例如 /search 一岗双责"
SEARCH_GONE = "讲话原文已更新，这个搜索已过期，请重新 /search。"
FORGET_ASK = "要删除我记下的关于您的全部内容（提问、回答、设置）吗？删除后无法恢复。"
FORGET_CANCELLED = "已取消，什么也没有删除。"


def forgotten(rows: int) -> str:
    return f"已删除关于您的全部记录（{rows} 条）。之后的新提问仍会照常记录，可随时再次 /forget。"


def not_found(word: str) -> str:
    return f"讲话原文中没有找到“{escape(word.strip()[:40])}”。可以换一个更短的词，或直接提问。"


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
    return "\n".join(
        [
            f"<b>会议</b>：{MEETING}",
            "<b>日期</b>：2022年第一季度（讲话只说“今天”，原文没有写具体日期）",
            f"<b>来源</b>：讲话全文，{chars} 字。每个回答都引自原文并注明出处；标为“背景”的内容不是讲话原文。",
            f"<b>知识库</b>：{len(kb)} 条（章节 {kinds['section']}，术语 {kinds['term']}，事实 {kinds['fact']}）",
        ]
    )
