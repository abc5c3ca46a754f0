"""The bot's commands in one list: setMyCommands sends it, /help prints it, the README test compares with it.

A new handler module adds its commands here (latin names, as Telegram requires; Chinese descriptions).
"""

from __future__ import annotations

from telegram import BotCommand

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "开始：欢迎和提问示例"),
    ("help", "帮助：能问什么、怎么问"),
    ("ask", "提问：/ask 问题"),
    ("explain", "解释术语：/explain 术语"),
    ("sections", "讲话结构：按部分阅读"),
    ("search", "查原文：/search 词"),
    ("random", "随机一张术语卡片"),
    ("about", "关于这次会议和讲话"),
    ("speech", "切换讲话：列出可以学习的讲话"),
    ("quiz", "答一道题：/quiz 或 /quiz 词"),
    ("daily", "每日一练：/daily 8:00，/daily off 停止"),
    ("review", "错题本：复习到期的错题"),
    ("score", "我的积分、正确率和连续学习天数"),
    ("top", "本群排行榜（/top join 自愿加入）"),
    ("join", "加入本群学习名单（小结和台账里署名）"),
    ("leave", "退出本群学习名单"),
    ("round", "集体答题（群管理员）：/round 5 10"),
    ("report", "导出学习台账（群管理员）"),
    ("remind", "错题提醒：/remind on 或 off"),
    ("forget", "删除我的全部记录"),
)

# Shown only to the people in BOT_ADMINS (a command scope per admin); anyone else gets "unknown command".
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("stats", "统计：最近30天的提问和回答率"),
    ("unanswered", "没答好的问题"),
    ("reload", "重新读取知识库"),
    ("flagged", "成员标记有误的题：/flagged clear 题号 恢复"),
)


def bot_commands(commands: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in commands]
