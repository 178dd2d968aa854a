"""What a feature declares (commands, button actions, typed steps), and the one dispatcher that
hands button presses, typed answers and shared locations to the feature that declared them.

One CallbackQueryHandler serves every button: PTB would try one regex per prefix in turn, we
look the prefix up in a dict, and the preamble every press needs (answer it, load the agent,
parse the data, refuse what is not ours) lives in one place instead of in each feature.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from telegram import ForceReply, InlineKeyboardMarkup, Update

from coachbot.domain.models import Agent, Client, Dialog
from coachbot.handlers.common import (
    CoachContext,
    chat_id_of,
    current_agent,
    edit_or_reply,
    label,
    reply,
    show,
    typed_answer,
)
from coachbot.render.buttons import ButtonSet
from coachbot.runtime.messages import Markup
from coachbot.services import clients, dialogs
from coachbot.services.container import Services
from coachbot.store import Store

Callback = Callable[[Update, CoachContext], Coroutine[Any, Any, None]]
DialogStep = Callable[[Update, CoachContext, Agent, Dialog], Awaitable[None]]
OutsideFlow = Callable[[Update, CoachContext, Agent], Awaitable[None]]
STALE = "general/stale_button"


@dataclass(frozen=True)
class Command:
    """A slash command; its description is the label `commands.<name>` in each locale."""

    name: str
    callback: Callback
    where: Literal["private", "group", "any"] = "private"
    in_menu: bool = True
    section: str = "other"  # how /help groups it (label help_sections.<section>)


@dataclass(frozen=True)
class Press:
    """A button press, parsed: who pressed, which action of which set, with what arguments."""

    update: Update
    context: CoachContext
    agent: Agent
    action: str
    args: tuple[str, ...]
    dispatcher: Dispatcher

    @property
    def services(self) -> Services:
        return self.context.services

    @property
    def store(self) -> Store:
        """To pass to a service function."""
        return self.context.services.store

    @property
    def chat_id(self) -> int:
        return chat_id_of(self.update)

    def arg(self, index: int) -> str:
        """The argument at `index`, "" if the data has none there."""
        return self.args[index] if index < len(self.args) else ""

    def int_arg(self, index: int) -> int | None:
        """The argument at `index` as an id: None unless ASCII digits within SQLite's INTEGER
        (ButtonSet.parse blanks "²", "٣" and overflowing numbers)."""
        value = self.arg(index)
        return int(value) if value.isdigit() else None

    def rest(self, index: int) -> str:
        """The arguments from `index` on, as one (an argument may itself hold a colon)."""
        return ":".join(self.args[index:])

    def label(self, key: str, /, **values: Any) -> str:
        return label(self.context, self.agent, key, **values)

    def typed_answer(self, key: str, /, **values: Any) -> ForceReply:
        """The reply field opened with `placeholders.<key>`'s example (see common)."""
        return typed_answer(self.context, self.agent, key, **values)

    async def answer(self, text: str | None = None) -> None:
        """Answer the press (only for actions that answer it themselves)."""
        query = self.update.callback_query
        if query is not None:
            await query.answer(text)

    async def reply(self, name: str, /, *, keyboard: Markup | None = None,
                    **values: Any) -> None:
        await reply(self.update, self.context, self.agent, name, keyboard=keyboard, **values)

    async def edit(self, name: str, /, *, keyboard: InlineKeyboardMarkup | None = None,
                   **values: Any) -> None:
        await edit_or_reply(self.update, self.context, self.agent, name, keyboard=keyboard,
                            **values)

    async def show(self, name: str, /, *, fresh: bool,
                   keyboard: InlineKeyboardMarkup | None = None, **values: Any) -> None:
        await show(self.update, self.context, self.agent, name, fresh=fresh, keyboard=keyboard,
                   **values)

    async def stale(self) -> None:
        """The data is not (or no longer) something we can act on."""
        await self.reply(STALE)

    def set_dialog(self, dialog: Dialog) -> None:
        """Typed text in this chat goes to the dialog's step from now on."""
        dialogs.set_dialog(self.store, self.agent.id, self.chat_id, dialog)

    def clear_dialog(self) -> None:
        dialogs.clear_dialog(self.store, self.agent.id, self.chat_id)

    def dialog(self) -> Dialog | None:
        return dialogs.get_dialog(self.store, self.agent.id, self.chat_id)

    async def follow(self, data: str) -> None:
        """Do what pressing a button with this data does (another feature's, too), without
        answering the press again: how one feature moves to another without importing it."""
        await self.dispatcher.follow(self, data)


Action = Callable[[Press], Awaitable[None]]
Record = TypeVar("Record")


def owned(load: Callable[[Press, int], Record | None],
          step: Callable[[Press, Record], Awaitable[None]]) -> Action:
    """<prefix>:<action>:<id>[:...]: run `step` with the presser's record of that id (`load`
    gives None for one that isn't theirs: another agent's, a deleted one, a forged id); the
    stale-button reply otherwise."""
    async def run(press: Press) -> None:
        record_id = press.int_arg(0)
        record = load(press, record_id) if record_id is not None else None
        if record is None:
            await press.stale()
            return
        await step(press, record)
    return run


def on_client(step: Callable[[Press, Client], Awaitable[None]]) -> Action:
    """<prefix>:<action>:<client id>[:...]: the step with the presser's live client."""
    return owned(lambda press, client_id: clients.get_client(press.store, press.agent.id,
                                                             client_id), step)


@dataclass(frozen=True)
class Buttons:
    """The actions of one button set, by name (every name of the set has one)."""

    set: ButtonSet
    actions: Mapping[str, Action]
    answers_itself: frozenset[str] = frozenset()  # these answer the press (a toast, an alert)
    unknown: Action | None = None  # data with a code none of ours: the stale reply if None
    group_safe: bool = False  # may act in a group (the others are refused there)


@dataclass(frozen=True)
class Feature:
    """Everything one handler module answers, declared in one place."""

    commands: tuple[Command, ...] = ()
    buttons: tuple[Buttons, ...] = ()
    text_steps: Mapping[str, DialogStep] = field(default_factory=dict)  # flow -> step
    location_steps: Mapping[str, DialogStep] = field(default_factory=dict)


class Dispatcher:
    """Buttons by prefix, typed answers and locations by the open dialog's flow."""

    def __init__(self, features: Sequence[Feature], *, outside_flow_text: OutsideFlow,
                 outside_flow_location: Callback) -> None:
        self._buttons: dict[str, Buttons] = {}
        self._text_steps: dict[str, DialogStep] = {}
        self._location_steps: dict[str, DialogStep] = {}
        for feature in features:
            for buttons in feature.buttons:
                _check(buttons)
                _add(self._buttons, buttons.set.prefix, buttons)
            for flow, step in feature.text_steps.items():
                _add(self._text_steps, flow, step)
            for flow, step in feature.location_steps.items():
                _add(self._location_steps, flow, step)
        self._outside_flow_text = outside_flow_text
        self._outside_flow_location = outside_flow_location

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(self._buttons)

    @property
    def group_safe_prefixes(self) -> tuple[str, ...]:
        return tuple(prefix for prefix, b in self._buttons.items() if b.group_safe)

    async def on_press(self, update: Update, context: CoachContext) -> None:
        """Any button: answer it, load the agent, parse the data, run the named action."""
        query = update.callback_query
        assert query is not None
        data = query.data or ""
        buttons = self._buttons.get(data.split(":", 1)[0])
        parsed = buttons.set.parse(data) if buttons is not None else None
        action: Action | None = None
        if buttons is not None:
            action = buttons.actions[parsed[0]] if parsed else buttons.unknown
        if buttons is None or action is None:
            # an old message's button, or forged data
            await query.answer()
            await reply(update, context, current_agent(update, context), STALE)
            return
        name, args = parsed if parsed else ("", [])
        if name not in buttons.answers_itself:
            await query.answer()
        agent = current_agent(update, context)
        await action(Press(update, context, agent, name, tuple(args), self))

    async def follow(self, press: Press, data: str) -> None:
        """Run the action behind our own callback data for a press already answered."""
        buttons = self._buttons[data.split(":", 1)[0]]
        parsed = buttons.set.parse(data)
        assert parsed is not None, f"{data!r} is not data of ours"
        name, args = parsed
        await buttons.actions[name](replace(press, action=name, args=tuple(args)))

    async def on_text(self, update: Update, context: CoachContext) -> None:
        """Private text that is not a command: the open dialog's step, or outside any flow."""
        agent = current_agent(update, context)
        if not await self._to_dialog(update, context, agent, self._text_steps):
            await self._outside_flow_text(update, context, agent)

    async def on_location(self, update: Update, context: CoachContext) -> None:
        """A shared location: only meaningful while a step asked for one."""
        agent = current_agent(update, context)
        if not await self._to_dialog(update, context, agent, self._location_steps):
            await self._outside_flow_location(update, context)

    async def _to_dialog(self, update: Update, context: CoachContext, agent: Agent,
                         steps: Mapping[str, DialogStep]) -> bool:
        """Hand the message to the open dialog's step, if it takes this kind of message."""
        dialog = dialogs.get_dialog(context.services.store, agent.id, chat_id_of(update))
        step = steps.get(dialog.flow) if dialog else None
        if dialog is None or step is None:
            return False
        await step(update, context, agent, dialog)
        return True


def _check(buttons: Buttons) -> None:
    """Every action of the set handled, nothing else: a button can't lead nowhere."""
    declared, handled = set(buttons.set.actions), set(buttons.actions)
    if declared != handled or not buttons.answers_itself <= handled:
        raise ValueError(f"{buttons.set.prefix}: actions {sorted(declared ^ handled)} are "
                         "declared without a handler or handled without a button")


def _add(table: dict[str, Any], key: str, value: Any) -> None:
    if key in table:
        raise ValueError(f"{key!r} is declared by two features")
    table[key] = value
