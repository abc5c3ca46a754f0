"""Which messages are meant for the bot: everything in a private chat; in a group, only commands for it,
messages that mention it and replies to it."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.constants import ChatType
from telegram.ext import filters


def is_addressed(message: Message) -> bool:
    if message.chat.type == ChatType.PRIVATE:
        return True
    bot = message.get_bot()
    username = (bot.username or "").lower() if bot else ""
    replied = message.reply_to_message
    if replied and replied.from_user and bot and replied.from_user.id == bot.id:
        return True
    text = message.text or message.caption or ""
    for entity, value in message.parse_entities([MessageEntity.BOT_COMMAND, MessageEntity.MENTION]).items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            target = value.partition("@")[2].lower()
            if not target or target == username:
                return True
        elif entity.type == MessageEntity.MENTION and username and value[1:].lower() == username:
            return True
    return bool(username) and f"@{username}" in text.lower()


def without_mention(text: str, username: str | None) -> str:
    """The question without the bot's @name, wherever it stands."""
    if not username:
        return text.strip()
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


class _Addressed(filters.MessageFilter):
    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return is_addressed(message)


ADDRESSED = _Addressed(name="ADDRESSED")


class _HasText(filters.MessageFilter):
    """Any text message, the empty one included (filters.TEXT skips ""), so it still gets an answer."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return message.text is not None


class _TargetedCommand(filters.MessageFilter):
    """A command in a private chat, or one written /name@thisbot in a group: others may be for other bots."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        command = message.parse_entities([MessageEntity.BOT_COMMAND])
        first = next((value for entity, value in command.items() if entity.offset == 0), None)
        if first is None:
            return False
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        return bool(bot and bot.username) and first.partition("@")[2].lower() == bot.username.lower()


HAS_TEXT = _HasText(name="HAS_TEXT")
TARGETED_COMMAND = _TargetedCommand(name="TARGETED_COMMAND")
MEDIA = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.VOICE
    | filters.AUDIO
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)


NEW = filters.UpdateType.MESSAGE  # commands are not run again when their message is edited
CHATS = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
