"""Questions the speech cannot answer: a date, a frequency, a procedure, a person, a name, a figure or a
place it never gives, or the contents of
a thing it only mentions. The entry is then offered, not passed off as the answer.

A question asking on which day a meeting opened names an entry of the speech, but if the speech gives no day
the entry is offered; so is a question asking what “三个聚焦” are, one by one, when the speech only names them
(its entry is marked `mention_only` in the pack).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.knowledge import Entry
from bot.matching.reading import Reading

# What a question asks for, and what an answer to it must contain: (question pattern, text pattern, kind).
# bot.present.wording says each kind in words.
_NUMERAL = "[0-9〇零一二三四五六七八九十百]"
_COUNT = "[0-9两〇零一二三四五六七八九十百]"  # 哪两个, 哪八条
ANSWER_KINDS = (
    (
        re.compile("哪一?天|哪个月|几月|几号|几日|什么日子"),
        re.compile(f"{_NUMERAL}+[月日号]|今天|明天|昨天"),
        "date",
    ),
    (
        re.compile("哪一?年|什么时候|什么时间|何时"),
        re.compile(
            f"{_NUMERAL}+[年月日号]|今年|去年|明年|[上下]半年|季度|今天|年底|年初|年内|年中|月底|月初"
        ),
        "time",
    ),
    (  # how often a thing is done: 每季度至少开几次会, 多久开一次 (not 讲话提到了几次, which counts the speech)
        re.compile(
            "[每一]个?(?:年|季度|季|月|周|星期)[^，。？！]{0,8}(?:几|多少)次|多久[^，。？！]{0,3}一次|多长时间一次|频次|频率"
            "|几(?:天|周|个月|年)[^，。？！]{0,3}一次"
        ),
        re.compile(f"每个?(?:年|季度|季|月|周|星期)|{_NUMERAL}+次|定期"),
        "frequency",
    ),
    (  # how to do it: a speech gives duties, never a procedure, an app or an address
        re.compile(
            "哪个(?:小程序|app|APP|网站|平台|公众号|系统)|怎么(?:操作|登记|注册|报名|登录|缴纳|预约)"
            "|(?:办理|申请|报名)(?:流程|步骤|手续)|几点(?:开门|关门|开始|结束)|开放时间|地址|怎么走"
        ),
        re.compile("小程序|网站|平台|公众号|流程|步骤|手续|地址|开放"),
        "procedure",
    ),
    (  # who holds a post now: a speech of the genre names roles, not the people in them
        re.compile(
            "(?:科长|局长|主任|站长|部长|处长|组长|队长|负责人)(?:现在|目前|具体)?是谁|叫什么名字|姓名|叫啥名"
            "|(?:涉及|当事人|被处分的|违纪的)[^，。？！]{0,4}(?:都是谁|是谁|哪些人|什么人)"
        ),
        re.compile("[\u4e00-\u9fff]{2,3}同志(?!们)"),
        "person",
    ),
    (  # the name of a film, a book, a base: 片名, 书名
        re.compile("片名|书名|名称是什么|叫什么名称|具体名称|叫什么片"),
        re.compile("《"),
        "title",
    ),
    (  # a figure: 任务是多少, 指标是多少, 经费多少
        re.compile(
            "(?:任务|指标|经费|预算|比例|金额|数量|分值|权重|名额)[^，。？！]{0,4}(?:是)?(?:多少|几个|几名)"
            "|多少(?:钱|万|元|分|人|名|辆|台|家|所|套|比例)|百分之几|占多少|(?:业务|收入|经营|营收)(?:指标|目标)"
        ),
        re.compile(f"{_NUMERAL}+(?:万|元|%|分|个百分点|人|名|辆|台|家|所|套)|百分之"),
        "amount",
    ),
    (  # how many times a thing is done: 办几场, 搞多少轮 (a speech of the genre asks for it, seldom counts it);
        # not 讲话提到了几次, which counts the speech's own words
        re.compile(
            "(?<![哪每第])(?<!提到了|出现了|提及了)(?<!提到|提了|说了|讲了|出现|提及)(?:几|多少)(?:次|场|回|轮)"
        ),
        re.compile(f"{_COUNT}+(?:次|场|回|轮)"),
        "times",
    ),
    (  # who first said it: a slogan's origin, which the speech gives only when it cites its source
        re.compile(
            "谁(?:最早|最先|首先|率先)?提出|(?:最早|最先|首先)(?:是)?(?:由)?谁|由谁提出"
            "|(?:哪一?次|哪届|什么)(?:会议|全会|大会)?[^，。？！]{0,2}(?:通过|发布|印发|出台)的"
        ),
        re.compile("总书记|主席|同志|党中央|中央|全会|大会|报告"),
        "origin",
    ),
    (  # a reward or a penalty for one case: a speech of the genre asks for strictness, not a tariff
        re.compile(
            "(?:什么|啥|哪些|何种|哪条)[^，。？！]{0,4}(?:奖励|奖惩|表彰|处分|处罚|惩罚)"
            "|(?:奖励|处分|处罚|惩罚)(?:是|有)?(?:什么|啥|多重)|(?:怎么|如何|怎样)(?:处分|处罚|惩罚)"
            "|受到?(?:什么|啥|怎样的?|哪些)(?:处理|处分|处罚)"
        ),
        re.compile("奖励|奖惩|表彰|处分|处罚|惩罚|警告|记过"),
        "sanction",
    ),
    (  # the rules of a scoring or an assessment: 评分细则, 考核指标
        re.compile(
            "细则|(?:评分|打分|考核|测评)(?:标准|指标|办法|表)"
            "|(?:认定|评定|评选|划分|分级|处分|评价)标准|标准(?:是什么|是啥|有哪些)|(?:分|划)几级"
        ),
        re.compile("细则|评分|打分|考核指标|测评"),
        "rules",
    ),
    (  # which units: a speech of the genre says 个别单位, 有的支部; it names a unit only where it praises or reports
        re.compile(
            "(?:哪个|哪些|哪几个|哪几家|哪家|有几个|有几家)(?:单位|支部|党支部|学校|公司|企业|党组织)"
        ),
        re.compile(
            "(?:市|县|区|省)[\u4e00-\u9fff]{2,10}(?:中心|公司|学校|中学|小学|医院)"
            "|[\u4e00-\u9fff]{2,6}(?:公司|中学|小学|医院)(?=[、，和与；。（])|第[一二三四五六七八九十]+(?:党)?支部"
        ),
        "units",
    ),
    (  # where a meeting is held
        re.compile(
            "(?:会议|会|例会)?(?:在哪里?(?:召开|举行|开)|在哪个[^，。？！]{0,4}开|在什么地方开|地点|会场|哪个城市|哪座城市)"
        ),
        re.compile("会议室|会场|礼堂|[在于][^，。]{1,8}(?:召开|举行)"),
        "place",
    ),
)

# A question for the contents of a thing (某报告的主要内容, “三个聚焦”具体是哪三个): an entry the speech only
# mentions (mention_only in the pack) cannot answer it.
CONTENTS_QUESTION = re.compile(
    "(?:主要|具体|核心)内容|内容(?:有|是)|有哪些内容|核心要义|内涵|(?:包括|包含|提出了|规定了)(?:哪些|什么)|具体措施"
    f"|(?:分别|各自|各)(?:是|指|管|包括|包含|有|为)?(?:什么|哪)|(?:包括|包含|含有)哪{_COUNT}+|(?:具体|都)(?:是|指|有|是指|指的是)?哪[几{_COUNT[1:-1]}]*[条项个种些样]"
    f"|是哪{_COUNT}+[条项个种]|[管指]哪{_COUNT}+[条项个种样]"
    "|具体(?:是|指|要)(?!求)[^，。？！ ]{1,3}什么|具体(?!要求)[^，。？！ 是指要]{1,2}什么"  # 具体要查什么, 具体落实什么
    "|哪[两二三四五六七八九十]{1,2}[\u4e00-\u9fff]"  # 哪+a count+a letter: the items of a counted name
    "|(?:到底|究竟)[^，。？！ ]{0,3}什么|什么内容|什么[^，。？！为]{1,2}什么"  # 到底指什么; 查什么、改什么
)


def lacking(reading: Reading, entries: Sequence[Entry]) -> str | None:
    """What the question asks for that the entries' text cannot give (a kind of ANSWER_KINDS, or "contents"),
    or None. Only the entries' answers and quotes count: background is not the speech."""
    normalized = reading.normalized
    if all(entry.mention_only for entry in entries) and (
        CONTENTS_QUESTION.search(normalized) or _asks_its_own_word(normalized, entries)
    ):
        return "contents"
    text = "".join(entry.answer + "".join(entry.quotes) for entry in entries)
    for asks, gives, kind in ANSWER_KINDS:
        if asks.search(normalized) and not gives.search(text):
            return kind
    return None


# 三个聚焦是聚焦什么: what the thing's own word (聚焦) is done to, which is its contents.
OWN_WORD_WHAT = re.compile("是([\u4e00-\u9fff]{2})什么")


def _asks_its_own_word(normalized: str, entries: Sequence[Entry]) -> bool:
    found = OWN_WORD_WHAT.search(normalized)
    return found is not None and any(found.group(1) in entry.title for entry in entries)


def gives(kind: str, text: str) -> bool:
    """Whether a text gives what a question of this kind (ANSWER_KINDS) asks: a sentence the answer quotes may
    hold the date or the figure its entry's card does not."""
    return any(found == kind and pattern.search(text) for _, pattern, found in ANSWER_KINDS)
