"""A group (corporate) client's profile: the four roles (1+2+1), source, credit, value checks."""

from __future__ import annotations

from telegram import Update

from coachbot.domain.models import GROUP_ROLES, GROUP_SOURCES, Agent, Dialog
from coachbot.handlers.common import (
    Button,
    CoachContext,
    callback_parts,
    current_agent,
    edit_or_reply,
    inline_keyboard,
    label,
    reply,
)
from coachbot.services import group_clients

PREFIX = "gc"
FLOW = "group"
TYPED = ("person", "credit", "loss", "expense", "industry", "size")


async def show(update: Update, context: CoachContext, agent: Agent, client_id: int, *,
               fresh: bool = False, notice: str | None = None) -> None:
    """The group panel: roles won, source, credit score and value checks, with buttons."""
    store = context.services.store
    client = store.clients.get_client(agent.id, client_id)
    if client is None or not client.is_group:
        await reply(update, context, agent, "clients/not_found")
        return
    roles = {r.role: r for r in store.clients.roles_of(agent.id, client_id)}
    profile = client.group_profile or {}

    def b(key: str, action: str, arg: str = "", mark: bool = False) -> Button:
        caption = ("✓ " if mark else "") + label(context, agent, f"group.{key}")
        return caption, f"{PREFIX}:{action}:{client_id}" + (f":{arg}" if arg else "")

    rows: list[list[Button]] = [
        [b("role_" + role, "r", role) for role in GROUP_ROLES[:2]],
        [b("role_" + role, "r", role) for role in GROUP_ROLES[2:]],
        [b("source_" + s, "src", s, mark=profile.get("source") == s) for s in GROUP_SOURCES],
        [b("guide_on" if not profile.get("guide") else "guide_off", "guide"),
         b("credit", "t", "credit")],
        [b("loss", "t", "loss"), b("expense", "t", "expense")],
        [b("industry", "t", "industry"), b("size", "t", "size")],
        [(label(context, agent, "buttons.back"), f"cl:o:{client_id}")],
    ]
    values = {"client": client, "roles": roles, "profile": profile, "notice": notice,
              "assessment": group_clients.assessment(client, list(roles.values()))}
    keyboard = inline_keyboard(rows)
    if fresh:
        await reply(update, context, agent, "group_clients/panel", keyboard=keyboard, **values)
    else:
        await edit_or_reply(update, context, agent, "group_clients/panel", keyboard=keyboard,
                            **values)


async def on_callback(update: Update, context: CoachContext) -> None:
    """gc:o:<id>, gc:r:<id>:<role> (role menu), gc:w:<id>:<role> (won?), gc:src:<id>:<s>,
    gc:guide:<id>, gc:t:<id>:<field> (ask a typed value)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    store = context.services.store
    if len(parts) < 2 or not parts[1].isdigit():
        await reply(update, context, agent, "general/stale_button")
        return
    action, client_id, arg = parts[0], int(parts[1]), (parts[2] if len(parts) > 2 else "")
    client = store.clients.get_client(agent.id, client_id)
    if client is None or not client.is_group:
        await reply(update, context, agent, "clients/not_found")
        return
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if action == "o":
        await show(update, context, agent, client_id)
    elif action == "r" and arg in GROUP_ROLES:
        role = next((r for r in store.clients.roles_of(agent.id, client_id) if r.role == arg), None)
        store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, "person", {"client": client_id,
                                                                            "role": arg}))
        rows = [[(label(context, agent, "group.won_yes" if not (role and role.won)
                        else "group.won_no"), f"{PREFIX}:w:{client_id}:{arg}")],
                [(label(context, agent, "buttons.back"), f"{PREFIX}:o:{client_id}")]]
        await edit_or_reply(update, context, agent, "group_clients/role", client=client,
                            role=arg, current=role, keyboard=inline_keyboard(rows))
    elif action == "w" and arg in GROUP_ROLES:
        group_clients.toggle_won(store, agent.id, client_id, arg)
        store.dialogs.clear_dialog(agent.id, chat_id)
        await show(update, context, agent, client_id, notice="saved")
    elif action == "src" and arg in GROUP_SOURCES:
        group_clients.update_profile(store, agent.id, client, source=arg)
        await show(update, context, agent, client_id, notice="saved")
    elif action == "guide":
        profile = client.group_profile or {}
        group_clients.update_profile(store, agent.id, client, guide=not profile.get("guide"))
        await show(update, context, agent, client_id, notice="saved")
    elif action == "t" and arg in TYPED:
        store.dialogs.set_dialog(agent.id, chat_id, Dialog(FLOW, arg, {"client": client_id}))
        await reply(update, context, agent, "group_clients/ask", field=arg, client=client)
    else:
        await reply(update, context, agent, "general/stale_button")


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A typed value: who fills a role, credit scores, ratios, industry, size."""
    message = update.effective_message
    assert message is not None and message.text is not None
    store = context.services.store
    client = store.clients.get_client(agent.id, int(dialog.data["client"]))
    if client is None or not client.is_group:
        store.dialogs.clear_dialog(agent.id, message.chat_id)
        await reply(update, context, agent, "clients/not_found")
        return
    error = group_clients.apply_typed(store, agent.id, client, dialog.step, message.text,
                                      role=dialog.data.get("role"))
    if error:
        await reply(update, context, agent, "group_clients/bad_value", error=error)
        return
    store.dialogs.clear_dialog(agent.id, message.chat_id)
    await show(update, context, agent, client.id, fresh=True, notice="saved")
