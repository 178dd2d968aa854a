"""The command menu (setMyCommands) and /help, from the commands the features declare."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)

from coachbot.domain.locales import DEFAULT_LOCALE, LOCALES
from coachbot.render.templates import Renderer
from coachbot.services.team_reports import group_menu

ADMIN_ONLY_IN_GROUPS = ("link",)  # a group's admins link it to a team; members can't
HELP_SECTIONS = ("day", "book", "coach", "team", "other")
# Telegram's menu takes two-letter language codes only: zh-Hant agents get theirs per chat.
MENU_LANGUAGE_CODES = {"en": "en", "zh": "zh-Hans"}


@dataclass(frozen=True)
class Menu:
    """The commands shown in the menu, in order, each with its /help section; a command's
    description is the label `commands.<name>` in each locale."""

    entries: tuple[tuple[str, str], ...]  # (command, section)

    def described(self, renderer: Renderer, locale: str) -> list[tuple[str, str]]:
        """(command, description) pairs of the menu in one locale."""
        return [(name, renderer.label(locale, f"commands.{name}")) for name, _ in self.entries]

    def help_sections(self, renderer: Renderer, locale: str) -> \
            list[tuple[str, list[tuple[str, str]]]]:
        """The menu grouped for /help: (section, [(command, description)])."""
        return [(section, [(name, renderer.label(locale, f"commands.{name}"))
                           for name, where in self.entries if where == section])
                for section in HELP_SECTIONS]

    def bot_commands(self, renderer: Renderer, locale: str) -> list[BotCommand]:
        """The menu as setMyCommands takes it."""
        return [BotCommand(name, description)
                for name, description in self.described(renderer, locale)]


async def set_menus(bot: Bot, menu: Menu, renderer: Renderer) -> None:
    """setMyCommands for each language Telegram can tell apart, at start-up."""
    for code, locale in (("", DEFAULT_LOCALE), *MENU_LANGUAGE_CODES.items()):
        await bot.set_my_commands(menu.bot_commands(renderer, locale),
                                  scope=BotCommandScopeDefault(), language_code=code or None)
        await set_group_menus(bot, renderer, locale, code or None)


async def set_group_menus(bot: Bot, renderer: Renderer, locale: str,
                          language_code: str | None) -> None:
    """Groups see only what works in a group (/board, /help), their admins /link as well."""
    described = group_menu(renderer, locale)
    everyone = [BotCommand(name, text) for name, text in described
                if name not in ADMIN_ONLY_IN_GROUPS]
    await bot.set_my_commands(everyone, scope=BotCommandScopeAllGroupChats(),
                              language_code=language_code)
    await bot.set_my_commands([BotCommand(name, text) for name, text in described],
                              scope=BotCommandScopeAllChatAdministrators(),
                              language_code=language_code)


async def sync_chat_commands(bot: Bot, menu: Menu, renderer: Renderer, chat_id: int,
                             locale: str) -> None:
    """After a language change, give this chat the menu in the chosen language."""
    if locale not in LOCALES:
        return
    await bot.set_my_commands(menu.bot_commands(renderer, locale),
                              scope=BotCommandScopeChat(chat_id))
