"""Onboarding (/start) and /settings: language, region or zone, digest time, monthly target."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from coachbot.domain import reminders
from coachbot.domain.locales import LOCALES
from coachbot.domain.models import Agent, Dialog
from coachbot.domain.plan import activity_plan, parse_target
from coachbot.domain.preferences import (
    DIGEST_TIME_CHOICES,
    EOD_TIME_CHOICES,
    REGION_CHOICES,
    TARGET_CHOICES,
    TONE_CHOICES,
    parse_clock_time,
    parse_signature,
    place_for_region,
    place_for_zone_text,
)
from coachbot.domain.regions import OTHER, timezone_at
from coachbot.handlers import teams
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

PREFIX = "pf"
FLOW = "prefs"
ONBOARDING, SETTINGS = "o", "s"
FIELDS = ("lang", "region", "time", "target", "eod", "tone", "sign")
# typed answers: step -> (parser, agent column, template saying what was wrong)
TYPED = {
    "time": (parse_clock_time, "digest_time", "preferences/bad_time"),
    "eod": (parse_clock_time, "eod_time", "preferences/bad_time"),
    "target": (parse_target, "monthly_target", "preferences/bad_target"),
    "sign": (parse_signature, "signature", "preferences/bad_signature"),
}
NEXT_IN_ONBOARDING = {"lang": "region", "region": "time", "time": "target", "target": None}


async def start(update: Update, context: CoachContext) -> None:
    """/start: onboard a new agent, or greet one who is back."""
    if context.args and await teams.join_from_start(update, context):
        return
    agent = current_agent(update, context)
    if agent.onboarded:
        await reply(update, context, agent, "onboarding/welcome_back", agent=agent)
        return
    await reply(update, context, agent, "onboarding/welcome", name=agent.first_name)
    await _ask(update, context, agent, "lang", ONBOARDING, fresh=True)


async def show_settings(update: Update, context: CoachContext) -> None:
    """/settings: the agent's preferences with a button to change each."""
    agent = current_agent(update, context)
    await _settings_card(update, context, agent, fresh=True)


async def on_callback(update: Update, context: CoachContext) -> None:
    """Buttons of onboarding and settings: pf:ask:<field>:<mode> or pf:<field>:<value>:<mode>."""
    query = update.callback_query
    assert query is not None
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    await query.answer()
    if len(parts) == 3 and parts[0] == "ask" and parts[1] == "menu":
        context.services.store.dialogs.clear_dialog(agent.id, update.effective_chat.id)  # type: ignore[union-attr]
        await _settings_card(update, context, agent)
        return
    if len(parts) == 3 and parts[0] == "ask" and parts[1] in FIELDS:
        await _ask(update, context, agent, parts[1], _mode(parts[2]))
        return
    if len(parts) == 3 and parts[0] in FIELDS:
        field, value, mode = parts[0], parts[1], _mode(parts[2])
        if field == "region" and value == OTHER:
            await _ask_zone(update, context, agent, mode)
            return
        updated = _apply(context, agent, field, value)
        if updated is None:
            await reply(update, context, agent, "general/stale_button")
            return
        await _after_change(update, context, updated, field, mode)
        return
    await reply(update, context, agent, "general/stale_button")


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """What the agent typed while a preference question was open."""
    message = update.effective_message
    assert message is not None and message.text is not None
    mode = dialog.data.get("mode", SETTINGS)
    answer = message.text
    if dialog.step == "zone":
        place = place_for_zone_text(answer)
        if place is None:
            await reply(update, context, agent, "preferences/bad_zone", typed=answer[:60])
            return
        agent = context.services.store.agents.update_agent(
            agent.id, region=place.region, timezone=place.timezone
        )
        await reply(update, context, agent, "preferences/zone_set", agent=agent,
                    keyboard=ReplyKeyboardRemove())
        await _after_change(update, context, agent, "region", mode, fresh=True)
        return
    typed = TYPED.get(dialog.step)
    if typed is None:
        await reply(update, context, agent, "general/free_text")
        return
    parse, column, error_template = typed
    value = parse(answer)
    if value is None:
        await reply(update, context, agent, error_template, typed=answer[:60])
        return
    agent = context.services.store.agents.update_agent(agent.id, **{column: value})
    await _after_change(update, context, agent, dialog.step, mode, fresh=True)


async def on_location(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A shared location while we asked for the agent's time zone."""
    message = update.effective_message
    assert message is not None and message.location is not None
    zone = timezone_at(message.location.latitude, message.location.longitude)
    place = place_for_zone_text(zone) if zone else None
    if place is None:
        await reply(update, context, agent, "preferences/bad_location")
        return
    agent = context.services.store.agents.update_agent(
        agent.id, region=place.region, timezone=place.timezone
    )
    await reply(update, context, agent, "preferences/zone_set", agent=agent,
                keyboard=ReplyKeyboardRemove())
    await _after_change(update, context, agent, "region", dialog.data.get("mode", SETTINGS),
                        fresh=True)


# -- steps -------------------------------------------------------------------------------
def _mode(text: str) -> str:
    return ONBOARDING if text == ONBOARDING else SETTINGS


def _apply(context: CoachContext, agent: Agent, field: str, value: str) -> Agent | None:
    """Save one choice from a button; None if the button's value is not a valid choice."""
    store = context.services.store
    if field == "lang" and value in LOCALES:
        return store.agents.update_agent(agent.id, locale=value)
    if field == "region":
        place = place_for_region(value)
        if place is None:
            return None
        return store.agents.update_agent(agent.id, region=place.region, timezone=place.timezone)
    if field == "time":
        clock = f"{value[:2]}:{value[2:]}" if len(value) == 4 else ""
        if parse_clock_time(clock) != clock:
            return None
        return store.agents.update_agent(agent.id, digest_time=clock)
    if field == "target" and value.isdigit() and parse_target(value) is not None:
        return store.agents.update_agent(agent.id, monthly_target=int(value))
    if field == "eod":
        clock = f"{value[:2]}:{value[2:]}" if len(value) == 4 else ""
        if parse_clock_time(clock) != clock:
            return None
        return store.agents.update_agent(agent.id, eod_time=clock)
    if field == "tone" and value in TONE_CHOICES:
        return store.agents.update_agent(agent.id, tone=value)
    if field == "sign" and value == "-":
        return store.agents.update_agent(agent.id, signature=None)
    return None


async def _after_change(
    update: Update, context: CoachContext, agent: Agent, field: str, mode: str, *,
    fresh: bool = False,
) -> None:
    store = context.services.store
    chat = update.effective_chat
    assert chat is not None
    if field == "lang":
        from coachbot.handlers import sync_chat_commands  # the registry imports this module

        await sync_chat_commands(context, chat.id, agent.locale)
    if mode == SETTINGS:
        store.dialogs.clear_dialog(agent.id, chat.id)
        await _settings_card(update, context, agent, fresh=fresh, changed=field)
        return
    following = NEXT_IN_ONBOARDING.get(field)
    if following is not None:
        await _ask(update, context, agent, following, ONBOARDING, fresh=fresh)
        return
    store.dialogs.clear_dialog(agent.id, chat.id)
    store.agents.mark_onboarded(agent.id)
    local = reminders.local_now(context.services.clock.now(), agent.timezone)
    for kind in reminders.pushes_already_past(local, agent.digest_time, agent.eod_time):
        store.agents.mark_daily_done(agent.id, kind, local.date())
    await reply(update, context, agent, "onboarding/done", agent=agent,
                plan=activity_plan(agent.monthly_target))


async def _ask(
    update: Update, context: CoachContext, agent: Agent, field: str, mode: str, *,
    fresh: bool = False,
) -> None:
    """Show the choices for one preference; typed answers are accepted too."""
    chat = update.effective_chat
    assert chat is not None
    context.services.store.dialogs.set_dialog(agent.id, chat.id, Dialog(FLOW, field,
                                                                        {"mode": mode}))
    rows = _choices(context, agent, field, mode)
    if mode == SETTINGS:
        rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:ask:menu:{mode}")])
    keyboard = inline_keyboard(rows)
    template = f"preferences/ask_{field}"
    values = {"agent": agent, "onboarding": mode == ONBOARDING}
    if fresh:
        await reply(update, context, agent, template, keyboard=keyboard, **values)
    else:
        await edit_or_reply(update, context, agent, template, keyboard=keyboard, **values)


def _choices(context: CoachContext, agent: Agent, field: str, mode: str) -> list[list[Button]]:
    def mark(caption: str, chosen: bool) -> str:
        return f"✓ {caption}" if chosen else caption

    if field == "lang":
        return [[(mark(label(context, agent, f"languages.{loc}"), loc == agent.locale),
                  f"{PREFIX}:lang:{loc}:{mode}")] for loc in LOCALES]
    if field == "region":
        buttons = [(mark(label(context, agent, f"regions.{code}"), code == agent.region),
                    f"{PREFIX}:region:{code}:{mode}") for code in REGION_CHOICES]
        return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if field in ("time", "eod"):
        current = agent.digest_time if field == "time" else agent.eod_time
        choices = DIGEST_TIME_CHOICES if field == "time" else EOD_TIME_CHOICES
        buttons = [(mark(value, value == current),
                    f"{PREFIX}:{field}:{value.replace(':', '')}:{mode}") for value in choices]
        return [buttons[:3], buttons[3:]]
    if field == "tone":
        return [[(mark(label(context, agent, f"tones.{tone}"), tone == agent.tone),
                  f"{PREFIX}:tone:{tone}:{mode}") for tone in TONE_CHOICES]]
    if field == "sign":
        return [[(label(context, agent, "settings.sign_default"), f"{PREFIX}:sign:-:{mode}")]]
    buttons = [(mark(str(value), value == agent.monthly_target),
                f"{PREFIX}:target:{value}:{mode}") for value in TARGET_CHOICES]
    return [buttons[:3], buttons[3:]]


async def _ask_zone(update: Update, context: CoachContext, agent: Agent, mode: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    context.services.store.dialogs.set_dialog(agent.id, chat.id, Dialog(FLOW, "zone",
                                                                        {"mode": mode}))
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(label(context, agent, "buttons.share_location"), request_location=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )
    await reply(update, context, agent, "preferences/ask_zone", keyboard=keyboard)


async def _settings_card(
    update: Update, context: CoachContext, agent: Agent, *, fresh: bool = False,
    changed: str | None = None,
) -> None:
    rows = [
        [(label(context, agent, "settings.lang"), f"{PREFIX}:ask:lang:{SETTINGS}"),
         (label(context, agent, "settings.region"), f"{PREFIX}:ask:region:{SETTINGS}")],
        [(label(context, agent, "settings.time"), f"{PREFIX}:ask:time:{SETTINGS}"),
         (label(context, agent, "settings.target"), f"{PREFIX}:ask:target:{SETTINGS}")],
        [(label(context, agent, "settings.eod"), f"{PREFIX}:ask:eod:{SETTINGS}"),
         (label(context, agent, "settings.tone"), f"{PREFIX}:ask:tone:{SETTINGS}")],
        [(label(context, agent, "settings.sign"), f"{PREFIX}:ask:sign:{SETTINGS}")],
    ]
    values = {"agent": agent, "plan": activity_plan(agent.monthly_target), "changed": changed}
    if fresh:
        await reply(update, context, agent, "preferences/settings", keyboard=inline_keyboard(rows),
                    **values)
    else:
        await edit_or_reply(update, context, agent, "preferences/settings",
                            keyboard=inline_keyboard(rows), **values)
