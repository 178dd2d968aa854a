"""Every feature in one ordered place: handler registration, the command menu and /help."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from coachbot.handlers import (
    ai_facts,
    browse,
    card,
    clients,
    coaching,
    errors,
    facts,
    files,
    general,
    group_client,
    groups,
    practice,
    preferences,
    proposals,
    records,
    remind,
    reports,
    service_events,
    teams,
    today,
    visits,
    voice,
)
from coachbot.handlers.dispatch import Command, Dispatcher, Feature
from coachbot.handlers.menu import Menu
from coachbot.handlers.menu import set_menus as set_bot_menus

FEATURES: tuple[Feature, ...] = (
    preferences.FEATURE, general.FEATURE, clients.FEATURE, card.FEATURE, visits.FEATURE,
    records.FEATURE, browse.FEATURE, today.FEATURE, coaching.FEATURE, group_client.FEATURE,
    service_events.FEATURE,
    remind.FEATURE, files.FEATURE, teams.FEATURE, reports.FEATURE, proposals.FEATURE,
    practice.FEATURE, voice.FEATURE, ai_facts.FEATURE, facts.FEATURE,
)
# the order of the menu and of /help within each section (the features declare the commands)
MENU_ORDER = (
    "start", "help", "today", "add", "clients", "book", "next", "spin", "prep", "objection",
    "practice", "import", "export", "remind", "reminders", "log", "team", "stats", "board",
    "link", "settings", "cancel",
)


def _commands(features: tuple[Feature, ...]) -> tuple[Command, ...]:
    declared = {c.name: c for feature in features for c in feature.commands}
    if sorted(declared) != sorted(MENU_ORDER):
        raise ValueError(f"MENU_ORDER and the features' commands differ: "
                         f"{sorted(set(declared) ^ set(MENU_ORDER))}")
    return tuple(declared[name] for name in MENU_ORDER)


COMMANDS = _commands(FEATURES)
PREFIXES = tuple(b.set.prefix for feature in FEATURES for b in feature.buttons)
MENU = Menu(tuple((c.name, c.section) for c in COMMANDS if c.in_menu))


def dispatcher() -> Dispatcher:
    """The features' buttons and typed steps; text and locations outside any flow."""
    return Dispatcher(FEATURES, outside_flow_text=browse.outside_flow,
                      outside_flow_location=general.unsupported)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every handler. Order matters: earlier groups see updates first."""
    private = filters.ChatType.PRIVATE
    groups_only = filters.ChatType.GROUPS
    features = dispatcher()
    app.bot_data["menu"] = MENU
    # group -2: a deployment that requires an invite turns everyone else away politely
    app.add_handler(TypeHandler(Update, teams.gate), group=-2)
    # group -1: housekeeping that must run before any feature sees a command
    app.add_handler(MessageHandler(filters.COMMAND & private & filters.UpdateType.MESSAGE,
                                   general.before_command), group=-1)
    # buttons of private features never act in a group, whatever data a client forges
    group_safe = "|".join(features.group_safe_prefixes)
    app.add_handler(CallbackQueryHandler(groups.guard_private_buttons,
                                         pattern=f"^(?!({group_safe}):)"), group=-1)
    # edited messages first: commands and text filters would otherwise match them too
    app.add_handler(MessageHandler(filters.UpdateType.EDITED & private, general.edited))
    # every button, of every feature (stale and forged data included): one dispatcher. Only
    # button presses reach it and they match nothing below: placed first, a press is not
    # checked against each of the commands' handlers
    app.add_handler(CallbackQueryHandler(features.on_press))

    for command in COMMANDS:
        if command.where in ("private", "any"):
            app.add_handler(CommandHandler(command.name, command.callback, filters=private))
        if command.where in ("group", "any"):
            app.add_handler(CommandHandler(command.name, command.callback, filters=groups_only))
        else:
            app.add_handler(CommandHandler(command.name, groups.private_only,
                                           filters=groups_only))

    app.add_handler(ChatMemberHandler(groups.membership_changed,
                                      ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.migrated))
    app.add_handler(MessageHandler(filters.COMMAND & private, general.unknown_command))
    # before forwards: a client list forwarded from a colleague is still an import
    app.add_handler(MessageHandler(filters.Document.ALL & private, files.on_document))
    app.add_handler(MessageHandler(filters.FORWARDED & private, visits.on_forward))
    app.add_handler(MessageHandler(filters.CONTACT & private, clients.on_contact))
    app.add_handler(MessageHandler(filters.TEXT & private, features.on_text))
    app.add_handler(MessageHandler(filters.LOCATION & private, features.on_location))
    app.add_handler(MessageHandler(filters.VOICE & private, voice.handler(features)))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, general.unsupported))
    app.add_handler(MessageHandler(
        groups_only & filters.Entity("mention") & filters.UpdateType.MESSAGE, groups.mentioned
    ))
    app.add_error_handler(errors.on_error)  # type: ignore[arg-type]


async def set_menus(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """setMyCommands for each language Telegram can tell apart, at start-up."""
    await set_bot_menus(app.bot, MENU, app.bot_data["services"].renderer)
