"""Telegram glue. One table of commands drives handler registration, the menu and /help."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from coachbot.domain.locales import DEFAULT_LOCALE, LOCALES
from coachbot.handlers import (
    browse,
    card,
    clients,
    coaching,
    errors,
    files,
    general,
    group_client,
    groups,
    preferences,
    records,
    remind,
    reports,
    router,
    teams,
    today,
    visits,
)
from coachbot.handlers.common import CoachContext

Callback = Callable[[Update, CoachContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Command:
    """A slash command; its description is the label `commands.<name>` in each locale."""

    name: str
    callback: Callback
    where: Literal["private", "group", "any"] = "private"
    in_menu: bool = True
    section: str = "other"  # how /help groups it (label help_sections.<section>)


COMMANDS: tuple[Command, ...] = (
    Command("start", preferences.start, in_menu=False),
    Command("help", general.show_help, where="any"),
    Command("today", today.today, section="day"),
    Command("add", clients.add, section="book"),
    Command("clients", browse.clients, section="book"),
    Command("book", browse.show_book, section="book"),
    Command("next", coaching.next_command, section="day"),
    Command("spin", coaching.spin_command, section="coach"),
    Command("prep", coaching.prep_command, section="coach"),
    Command("objection", coaching.objection_command, section="coach"),
    Command("practice", coaching.practice_command, section="coach"),
    Command("import", files.import_help, section="book"),
    Command("export", files.export, section="book"),
    Command("remind", remind.remind, section="day"),
    Command("reminders", remind.list_reminders, section="day"),
    Command("log", remind.eod_now, section="day"),
    Command("team", teams.team, section="team"),
    Command("stats", reports.my_stats, section="team"),
    Command("board", reports.board, where="any", section="team"),
    Command("link", teams.link, where="group", in_menu=False),
    Command("settings", preferences.show_settings),
    Command("cancel", general.cancel),
)

# callback data prefix -> handler; every button's data starts with one of these
CALLBACKS: dict[str, Callback] = {
    preferences.PREFIX: preferences.on_callback,
    clients.PREFIX: clients.on_callback,
    card.PREFIX: card.on_callback,
    visits.PREFIX: visits.on_callback,
    records.PREFIX: records.on_callback,
    browse.PREFIX: browse.on_callback,
    today.PREFIX: today.on_callback,
    coaching.PREFIX: coaching.on_callback,
    group_client.PREFIX: group_client.on_callback,
    remind.PREFIX: remind.on_callback,
    remind.EOD_PREFIX: remind.on_eod_callback,
    files.PREFIX: files.on_callback,
    teams.PREFIX: teams.on_callback,
    reports.PREFIX: reports.on_callback,
}

# Telegram's menu takes two-letter language codes only: zh-Hant agents get theirs per chat.
MENU_LANGUAGE_CODES = {"en": "en", "zh": "zh-Hans"}


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every handler. Order matters: earlier groups see updates first."""
    private = filters.ChatType.PRIVATE
    groups_only = filters.ChatType.GROUPS
    # group -2: a deployment that requires an invite turns everyone else away politely
    app.add_handler(TypeHandler(Update, teams.gate), group=-2)
    # group -1: housekeeping that must run before any feature sees a command
    app.add_handler(MessageHandler(filters.COMMAND & private & filters.UpdateType.MESSAGE,
                                   router.before_command), group=-1)
    # buttons of private features never act in a group, whatever data a client forges
    group_safe = "|".join([reports.PREFIX, teams.PREFIX])
    app.add_handler(CallbackQueryHandler(groups.guard_private_buttons,
                                         pattern=f"^(?!({group_safe}):)"), group=-1)
    # edited messages first: commands and text filters would otherwise match them too
    app.add_handler(MessageHandler(filters.UpdateType.EDITED & private, general.edited))

    for command in COMMANDS:
        if command.where in ("private", "any"):
            app.add_handler(CommandHandler(command.name, command.callback, filters=private))
        if command.where in ("group", "any"):
            app.add_handler(CommandHandler(command.name, command.callback, filters=groups_only))
        else:
            app.add_handler(CommandHandler(command.name, groups.private_only,
                                           filters=groups_only))
    for prefix, callback in CALLBACKS.items():
        app.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}:"))
    app.add_handler(CallbackQueryHandler(general.stale_button))

    app.add_handler(ChatMemberHandler(groups.membership_changed,
                                      ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.migrated))
    app.add_handler(MessageHandler(filters.COMMAND & private, general.unknown_command))
    # before forwards: a client list forwarded from a colleague is still an import
    app.add_handler(MessageHandler(filters.Document.ALL & private, files.on_document))
    app.add_handler(MessageHandler(filters.FORWARDED & private, visits.on_forward))
    app.add_handler(MessageHandler(filters.CONTACT & private, clients.on_contact))
    app.add_handler(MessageHandler(filters.TEXT & private, router.on_text))
    app.add_handler(MessageHandler(filters.LOCATION & private, router.on_location))
    app.add_handler(MessageHandler(filters.VOICE & private, coaching.on_voice))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, general.unsupported))
    app.add_handler(MessageHandler(
        groups_only & filters.Entity("mention") & filters.UpdateType.MESSAGE, groups.mentioned
    ))
    app.add_error_handler(errors.on_error)  # type: ignore[arg-type]


HELP_SECTIONS = ("day", "book", "coach", "team", "other")


def menu_for(context: CoachContext, locale: str) -> list[tuple[str, str]]:
    """(command, description) pairs of the menu in one locale."""
    renderer = context.services.renderer
    return [(c.name, renderer.label(locale, f"commands.{c.name}")) for c in COMMANDS if c.in_menu]


def help_sections(context: CoachContext, locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The menu grouped for /help: (section, [(command, description)])."""
    renderer = context.services.renderer
    return [(section, [(c.name, renderer.label(locale, f"commands.{c.name}"))
                       for c in COMMANDS if c.in_menu and c.section == section])
            for section in HELP_SECTIONS]


async def set_menus(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """setMyCommands for each language Telegram can tell apart, at start-up."""
    renderer = app.bot_data["services"].renderer
    for code, locale in (("", DEFAULT_LOCALE), *MENU_LANGUAGE_CODES.items()):
        commands = [BotCommand(c.name, renderer.label(locale, f"commands.{c.name}"))
                    for c in COMMANDS if c.in_menu]
        await app.bot.set_my_commands(commands, scope=BotCommandScopeDefault(),
                                      language_code=code or None)


async def sync_chat_commands(context: CoachContext, chat_id: int, locale: str) -> None:
    """After a language change, give this chat the menu in the chosen language."""
    if locale not in LOCALES:
        return
    commands = [BotCommand(name, description) for name, description in menu_for(context, locale)]
    await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
