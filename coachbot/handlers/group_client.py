"""A group (corporate) client's profile: the four roles (1+2+1), source, credit, value checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from coachbot.domain.group_value import PROFIT_LEVELS
from coachbot.domain.models import GROUP_ROLES, GROUP_SOURCES, Agent, Client, Dialog
from coachbot.handlers.common import CoachContext, label, reply, show, typed_answer
from coachbot.handlers.dispatch import Action, Buttons, Feature, Press
from coachbot.render.buttons import GROUP_CLIENT, open_card
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.services import clients, dialogs, group_clients

FLOW = "group"
TYPED = ("person", "credit", "loss", "expense", "industry", "size", "sum_insured", "compulsory",
         "group_motor")

GroupStep = Callable[[Press, Client], Awaitable[None]]


async def show_panel(update: Update, context: CoachContext, agent: Agent, client_id: int, *,
                     fresh: bool = False, notice: str | None = None) -> None:
    """The group panel: roles won, value classification, credit score, where to find more."""
    services = context.services
    found = group_clients.panel_values(services.store, agent, client_id, services.library)
    if found is None:
        await reply(update, context, agent, "clients/not_found")
        return
    values = {**found, "notice": notice}
    await show(update, context, agent, "group_clients/panel", fresh=fresh,
               keyboard=_panel_keyboard(context, agent, client_id, values["profile"]), **values)


def _panel_keyboard(context: CoachContext, agent: Agent, client_id: int,
                    profile: dict[str, Any]) -> InlineKeyboardMarkup:
    def b(key: str, action: str, arg: str = "", mark: bool = False) -> Button:
        caption = ("✓ " if mark else "") + label(context, agent, f"group.{key}")
        return caption, GROUP_CLIENT.data(action, client_id, *([arg] if arg else []))

    rows: list[list[Button]] = [
        [b("role_" + role, "role", role) for role in GROUP_ROLES[:2]],
        [b("role_" + role, "role", role) for role in GROUP_ROLES[2:]],
        [b("source_" + s, "source", s, mark=profile.get("source") == s) for s in GROUP_SOURCES],
        [b("profit_" + p, "profit", p, mark=profile.get("profit") == p) for p in PROFIT_LEVELS],
        [b("social_off" if profile.get("social") else "social_on", "social")],
        [b("guide_on" if not profile.get("guide") else "guide_off", "guide"),
         b("credit", "typed", "credit")],
        [b("loss", "typed", "loss"), b("expense", "typed", "expense")],
        [b("sum_insured", "typed", "sum_insured")],
        [b("compulsory", "typed", "compulsory"), b("group_motor", "typed", "group_motor")],
        [b("industry", "typed", "industry"), b("size", "typed", "size")],
        [(label(context, agent, "buttons.back"), open_card(client_id))],
    ]
    return inline_keyboard(rows)


def _on_group(step: GroupStep) -> Action:
    """gc:<action>:<client>[:<arg>]: only a group client of the presser's."""
    async def run(press: Press) -> None:
        client_id = press.int_arg(0)
        if client_id is None:
            await press.stale()
            return
        client = clients.get_client(press.store, press.agent.id, client_id)
        if client is None or not client.is_group:
            await press.reply("clients/not_found")
            return
        await step(press, client)
    return run


async def _panel(press: Press, client: Client, notice: str | None = None) -> None:
    await show_panel(press.update, press.context, press.agent, client.id, notice=notice)


async def _role(press: Press, client: Client) -> None:
    """gc:r:<client>:<role>: who fills it (typed next), and whether it is won."""
    role_name = press.arg(1)
    if role_name not in GROUP_ROLES:
        await press.stale()
        return
    role = next((r for r in group_clients.roles_of(press.store, press.agent.id, client.id)
                 if r.role == role_name), None)
    press.set_dialog(Dialog(FLOW, "person", {"client": client.id, "role": role_name}))
    # the won toggle answers the role too: the buttons stay, the example is in the text
    rows = [[(press.label("group.won_yes" if not (role and role.won) else "group.won_no"),
              GROUP_CLIENT.data("won", client.id, role_name))],
            [(press.label("buttons.back"), GROUP_CLIENT.data("open", client.id))]]
    await press.edit("group_clients/role", client=client, role=role_name, current=role,
                     keyboard=inline_keyboard(rows))


async def _won(press: Press, client: Client) -> None:
    if press.arg(1) not in GROUP_ROLES:
        await press.stale()
        return
    group_clients.toggle_won(press.store, press.agent.id, client.id, press.arg(1))
    press.clear_dialog()
    await _panel(press, client, notice="saved")


async def _source(press: Press, client: Client) -> None:
    if press.arg(1) not in GROUP_SOURCES:
        await press.stale()
        return
    group_clients.update_profile(press.store, press.agent.id, client, source=press.arg(1))
    await _panel(press, client, notice="saved")


async def _profit(press: Press, client: Client) -> None:
    """gc:pf:<client>:<good|average|poor>: the agent's judgement of profitability."""
    if not group_clients.set_profit(press.store, press.agent.id, client, press.arg(1)):
        await press.stale()
        return
    await _panel(press, client, notice="saved")


async def _social(press: Press, client: Client) -> None:
    """gc:soc:<client>: mark or unmark the client as a brand-building name."""
    group_clients.toggle_social(press.store, press.agent.id, client)
    await _panel(press, client, notice="saved")


async def _guide(press: Press, client: Client) -> None:
    profile = client.group_profile or {}
    group_clients.update_profile(press.store, press.agent.id, client,
                                 guide=not profile.get("guide"))
    await _panel(press, client, notice="saved")


async def _typed(press: Press, client: Client) -> None:
    """gc:t:<client>:<field>: ask for a typed value."""
    field = press.arg(1)
    if field not in TYPED or field == "person":  # a role's person is asked from its button
        await press.stale()
        return
    press.set_dialog(Dialog(FLOW, field, {"client": client.id}))
    await press.reply("group_clients/ask", field=field, client=client,
                      keyboard=press.typed_answer(f"group.{field}"))


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A typed value: who fills a role, credit scores, ratios, industry, size."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store = context.services.store
    client = clients.get_client(store, agent.id, int(dialog.data["client"]))
    if client is None or not client.is_group:
        dialogs.clear_dialog(store, agent.id, message.chat_id)
        await reply(update, context, agent, "clients/not_found")
        return
    error = group_clients.apply_typed(store, agent.id, client, dialog.step, message.text,
                                      role=dialog.data.get("role"))
    if error:
        await reply(update, context, agent, "group_clients/bad_value", error=error,
                    keyboard=typed_answer(context, agent, f"group.{dialog.step}"))
        return
    dialogs.clear_dialog(store, agent.id, message.chat_id)
    await show_panel(update, context, agent, client.id, fresh=True, notice="saved")


FEATURE = Feature(
    buttons=(Buttons(GROUP_CLIENT, {
        "open": _on_group(_panel), "role": _on_group(_role), "won": _on_group(_won),
        "source": _on_group(_source), "guide": _on_group(_guide), "typed": _on_group(_typed),
        "profit": _on_group(_profit), "social": _on_group(_social),
    }),),
    text_steps={FLOW: on_text},
)
