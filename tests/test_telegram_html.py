"""Telegram HTML: everything escaped, the quote in a blockquote, long texts split at sentence ends."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import DEFAULT_DIR, Entry, load_knowledge
from bot.present.html import card_html, restated
from bot.present.model import Card
from bot.telegram.html import MESSAGE_LIMIT, entry_html, escape, split_html, units
from tests.fake_bot_api import parse_html

KB = load_knowledge(DEFAULT_DIR)


@pytest.mark.parametrize("entry", KB.entries, ids=lambda e: e.id)
def test_every_entry_renders_as_html_telegram_accepts(entry: Entry) -> None:
    text = entry_html(entry, KB)
    shown = parse_html(text)
    assert shown.startswith((entry.title, entry.short_title))
    # Every word of every quote is shown once: in the blockquote, or in the answer that already gives it.
    assert all(restated(quote, shown) for quote in entry.quotes)
    assert f"— {entry.where}" in shown or f"出处：{entry.where}" in shown
    assert "““" not in shown and "””" not in shown
    assert units(text) <= MESSAGE_LIMIT


def test_a_card_says_each_sentence_once_and_folds_the_speechs_words() -> None:
    single = Card("e", "一句话的名字", "原文的一句话，在这里。", ("原文的一句话，在这里。",), "一、第一部分")
    text = card_html(single)
    assert text.count("原文的一句话") == 1 and "<blockquote expandable>" in text
    listed = Card("l", "三条", "三条是：\n1. 甲要好；\n2. 乙要快。", ("甲要好，乙要快。",), "二、第二部分")
    text = card_html(listed)
    assert "<blockquote" not in text and "出处：二、第二部分" in text  # the list gave the quote's words
    own = Card("o", "“四明确”", "讲话提出“四明确”。", ("“四明确”即明确主体。",), "三")
    assert "<blockquote expandable>“四明确”即明确主体。\n— 三</blockquote>" in card_html(own)  # no ““…””


def test_escape_leaves_quotes_and_escapes_markup() -> None:
    assert escape('<b>&"x"') == '&lt;b&gt;&amp;"x"'


def test_a_short_text_is_one_piece() -> None:
    assert split_html("<b>短</b>文本。") == ["<b>短</b>文本。"]


def test_a_long_text_splits_at_sentence_ends_and_keeps_every_character() -> None:
    sentence = "这是讲话中的一句话，说明一个要求。"
    text = "<b>标题</b>\n" + sentence * 600
    pieces = split_html(text)
    assert len(pieces) > 1
    for piece in pieces:
        assert units(piece) <= MESSAGE_LIMIT
        parse_html(piece)
    for piece in pieces[:-1]:
        assert piece.endswith("。")
    assert "".join(parse_html(p) for p in pieces) == parse_html(text)


def test_a_tag_open_at_a_cut_is_closed_and_opened_again() -> None:
    text = "<blockquote>" + "引用的原文。" * 1200 + "</blockquote>"
    pieces = split_html(text, limit=1000)
    assert all(p.startswith("<blockquote>") and p.endswith("</blockquote>") for p in pieces)


def test_a_sentence_longer_than_a_message_is_cut_between_characters_not_inside_entities() -> None:
    text = "a&amp;b" * 2000
    pieces = split_html(text, limit=100)
    assert all(units(p) <= 100 for p in pieces)
    assert "".join(parse_html(p) for p in pieces) == "a&b" * 2000


def test_length_counts_utf16_units_as_telegram_does() -> None:
    pieces = split_html("🙂。" * 3000)
    assert all(units(p) <= MESSAGE_LIMIT for p in pieces)
    assert units("🙂") == 2


words = st.text(alphabet=st.sampled_from("党建引领。！？；\n<>&*_[]🙂 ab"), min_size=0, max_size=300)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["", "b", "i", "blockquote", "code"]), words), max_size=12),
    st.integers(min_value=40, max_value=400),
)
def test_no_text_breaks_the_splitter(parts: list[tuple[str, str]], limit: int) -> None:
    text = "".join(f"<{tag}>{escape(body)}</{tag}>" if tag else escape(body) for tag, body in parts)
    pieces = split_html(text, limit=limit)
    for piece in pieces:
        assert units(piece) <= limit
        parse_html(piece)  # every piece is valid Telegram HTML on its own
    # nothing visible is lost or repeated (pieces of blank lines only are not sent)
    assert re.sub(r"\s", "", "".join(parse_html(p) for p in pieces)) == re.sub(r"\s", "", parse_html(text))
