"""Language-level tables: how questions about any speech of the genre are put, not what one speech says."""

from __future__ import annotations

CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# Verbs a section's title starts with, that people leave out when they name its topic: a section titled
# 深化“三个聚焦” is asked for as 三个聚焦那部分.
LEADING_VERBS = ("进一步", "强化", "加强", "坚持", "持续", "深化", "推进", "严格", "切实", "全面")

# Words that say how a question is asked, not what it is about.
STOPWORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 对 把 被 给 从 向 让 由 将 就 都 也 还 又 而 并 等 之 其 这 那 些 个 位 种 条 点 项
    什么 怎么 怎样 如何 为何 为什么 哪些 哪个 哪几 哪几个 哪一 哪 几 几个 多少 是否 有没有 吗 么 呢 吧 啊
    讲话 讲话中 讲话里 讲话里面 这篇 篇 文中 文章 原文 原话 里 里面 中 上 下 提到 提及 提出 说 说的 说了 讲 讲了
    讲的 谈 谈到 指 指的 指的是 意思 含义 内涵 解释 理解 具体 主要 一下 有 要 会 能 可以 应该 需要 该
    请 问 我 我们 你 您 他 她 它 他们 大家 咱们 一共 分别 各自 都是 是什么 什么样 怎么样 怎么办 做 做什么
    嗯 哦 这个 那个 这些 那些 这词 词 词儿 一词 说法 提法 概念 内容 东西 情况 方面 部分
    看待 认为 评价 描述 批评 怎么说 如何说 形容 表述 阐述 论述 看法 观点 态度 回事 一回事 到底 究竟
    之后 以后 之前 以前 时候 时 后 前 还 再 才 已经 已 所 为 以 于 着 过 得 地 很 最 更 比较 特别
    有人 有的 有些
    听说 问问 提了 提过 说过 是不是 这次 这块 那块 哪块 一块 哪一块 这种 那种 这样 那样 怎么回事 局里 咱局
    """.split()
)
# Function characters: never counted as a character of the question's information, never part of a typo.
STOPCHARS = frozenset(
    "的了是在和与及或对把被给从向让由将就都也还又而并等之其这那些个吗么呢吧啊什怎样如何哪几多少讲话说提到里中上下要有会能可以该请问我你您他她它们"
)
# The commonest particles are what they seem, never a typo of another character heard alike.
NEVER_A_TYPO = frozenset("是的了吗呢吧啊")


def is_cjk(char: str) -> bool:
    """A character of the CJK unified ideographs (extension A included)."""
    return "\u3400" <= char <= "\u9fff"
