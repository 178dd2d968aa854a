"""Onboarding (/start) and /settings: language, region or zone, digest time, monthly target."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from coachbot.domain.locales import LOCALES
from coachbot.domain.models import Agent, Dialog
from coachbot.domain.plan import activity_plan, parse_target
from coachbot.domain.preferences import (
    DIGEST_TIME_CHOICES,
    EOD_TIME_CHOICES,
    REGION_CHOICES,
    TARGET_CHOICES,
    TONE_CHOICES,
    choice_for_typed,
    parse_clock_time,
    parse_signature,
    place_for_region,
    place_for_zone_text,
)
from coachbot.domain.regions import OTHER, timezone_at
from coachbot.handlers import teams
from coachbot.handlers.common import (
    CoachContext,
    chat_id_of,
    current_agent,
    edit_or_reply,
    label,
    placeholder,
    reply,
    show,
    typed_answer,
)
from coachbot.handlers.dispatch import Buttons, Command, Feature, Press
from coachbot.handlers.menu import sync_chat_commands
from coachbot.render.buttons import PREFERENCES
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.services import agents, dialogs, money

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
# typed-only settings saved by the money service: step -> (saver, template saying what was wrong)
MONEY_STEPS = {
    "commission": (money.set_commission_rate, "preferences/bad_commission"),
    "source_targets": (money.set_source_targets, "preferences/bad_source_targets"),
}
# steps answered by one of a few choices: step -> (label prefix of their captions, choices)
CHOICE_LABELS = {"lang": ("languages", LOCALES), "region": ("regions", REGION_CHOICES),
                 "tone": ("tones", TONE_CHOICES)}
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


async def _ask_button(press: Press) -> None:
    """pf:ask:<field>:<mode> asks for one preference; pf:ask:menu:<mode> is back to them all."""
    field = press.arg(0)
    if len(press.args) != 2 or (field != "menu" and field not in (*FIELDS, *MONEY_STEPS)):
        await press.stale()
        return
    if field == "menu":
        press.clear_dialog()
        await _settings_card(press.update, press.context, press.agent)
        return
    await _ask(press.update, press.context, press.agent, field, _mode(press.arg(1)))


async def _choice(press: Press) -> None:
    """pf:<field>:<value>:<mode>: a choice from the buttons."""
    field, value, mode = press.action, press.arg(0), _mode(press.arg(1))
    if len(press.args) != 2 or (mode == ONBOARDING and press.agent.onboarded):
        await press.stale()
        return
    if field == "region" and value == OTHER:
        await _ask_zone(press.update, press.context, press.agent, mode)
        return
    updated = _apply(press.context, press.agent, field, value)
    if updated is None:
        await press.stale()
        return
    await _after_change(press.update, press.context, updated, field, mode)


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
        agent = agents.update_preferences(context.services.store, agent.id,
                                          region=place.region, timezone=place.timezone)
        await reply(update, context, agent, "preferences/zone_set", agent=agent,
                    keyboard=ReplyKeyboardRemove())
        await _after_change(update, context, agent, "region", mode, fresh=True)
        return
    if dialog.step in MONEY_STEPS:
        await _typed_money(update, context, agent, dialog.step, answer, mode)
        return
    if dialog.step in CHOICE_LABELS:
        await _typed_choice(update, context, agent, dialog.step, answer, mode)
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
    agent = agents.update_preferences(context.services.store, agent.id, **{column: value})
    await _after_change(update, context, agent, dialog.step, mode, fresh=True)


async def _typed_choice(update: Update, context: CoachContext, agent: Agent, field: str,
                        answer: str, mode: str) -> None:
    """A language, region or tone typed instead of tapped ("Singapore", "english"): taken as the
    tap; anything else gets the choices again under the agent's message."""
    prefix, values = CHOICE_LABELS[field]
    renderer = context.services.renderer
    captions = {value: [value, *(renderer.label(loc, f"{prefix}.{value}") for loc in LOCALES)]
                for value in values}
    value = choice_for_typed(answer, captions)
    if value is None:
        rows = _choices(context, agent, field, mode)
        if mode == SETTINGS:
            rows.append([(label(context, agent, "buttons.back"),
                          PREFERENCES.data("ask", "menu", mode))])
        await reply(update, context, agent, "preferences/pick_one", typed=answer[:60],
                    keyboard=inline_keyboard(rows))
        return
    if field == "region" and value == OTHER:
        await _ask_zone(update, context, agent, mode)
        return
    updated = _apply(context, agent, field, value)
    assert updated is not None  # the value is one of the choices
    await _after_change(update, context, updated, field, mode, fresh=True)


async def _typed_money(update: Update, context: CoachContext, agent: Agent, step: str,
                       answer: str, mode: str) -> None:
    """The commission rate or the targets by source, read by the money service."""
    save, error_template = MONEY_STEPS[step]
    updated = save(context.services.store, agent, answer)
    if updated is None:
        await reply(update, context, agent, error_template, typed=answer[:60],
                    keyboard=typed_answer(context, agent, f"settings.{step}"))
        return
    await _after_change(update, context, updated, step, mode, fresh=True)


async def on_location(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A shared location while we asked for the agent's time zone."""
    message = update.effective_message
    assert message is not None and message.location is not None
    zone = timezone_at(message.location.latitude, message.location.longitude)
    place = place_for_zone_text(zone) if zone else None
    if place is None:
        await reply(update, context, agent, "preferences/bad_location")
        return
    agent = agents.update_preferences(context.services.store, agent.id,
                                      region=place.region, timezone=place.timezone)
    await reply(update, context, agent, "preferences/zone_set", agent=agent,
                keyboard=ReplyKeyboardRemove())
    await _after_change(update, context, agent, "region", dialog.data.get("mode", SETTINGS),
                        fresh=True)


# -- steps -------------------------------------------------------------------------------
def _mode(text: str) -> str:
    return ONBOARDING if text == ONBOARDING else SETTINGS


def _apply(context: CoachContext, agent: Agent, field: str, value: str) -> Agent | None:
    """Save one choice from a button; None if the button's value is not a valid choice."""
    changes = _changes(field, value)
    if changes is None:
        return None
    return agents.update_preferences(context.services.store, agent.id, **changes)


def _changes(field: str, value: str) -> dict[str, object] | None:
    """What a button's choice changes; None for a value that is none of the choices."""
    if field == "lang" and value in LOCALES:
        return {"locale": value}
    if field == "region":
        place = place_for_region(value)
        return {"region": place.region, "timezone": place.timezone} if place else None
    if field in ("time", "eod"):
        clock = f"{value[:2]}:{value[2:]}" if len(value) == 4 else ""
        if parse_clock_time(clock) != clock:
            return None
        return {"digest_time" if field == "time" else "eod_time": clock}
    if field == "target" and value.isdigit() and parse_target(value) is not None:
        return {"monthly_target": int(value)}
    if field == "tone" and value in TONE_CHOICES:
        return {"tone": value}
    if field == "sign" and value == "-":
        return {"signature": None}
    return None


async def _after_change(
    update: Update, context: CoachContext, agent: Agent, field: str, mode: str, *,
    fresh: bool = False,
) -> None:
    store, chat_id = context.services.store, chat_id_of(update)
    if field == "lang":
        await sync_chat_commands(context.bot, context.menu, context.services.renderer, chat_id,
                                 agent.locale)
    if mode == SETTINGS:
        dialogs.clear_dialog(store, agent.id, chat_id)
        await _settings_card(update, context, agent, fresh=fresh, changed=field)
        return
    following = NEXT_IN_ONBOARDING.get(field)
    if following is not None:
        await _ask(update, context, agent, following, ONBOARDING, fresh=fresh)
        return
    dialogs.clear_dialog(store, agent.id, chat_id)
    agents.finish_onboarding(store, agent, context.services.clock.now())
    # the last step's message becomes the summary: its buttons go, so a second tap can't
    # finish the onboarding twice
    await edit_or_reply(update, context, agent, "onboarding/done", agent=agent,
                        plan=activity_plan(agent.monthly_target))


async def _ask(
    update: Update, context: CoachContext, agent: Agent, field: str, mode: str, *,
    fresh: bool = False,
) -> None:
    """Show the choices for one preference; typed answers are accepted too."""
    dialogs.set_dialog(context.services.store, agent.id, chat_id_of(update),
                       Dialog(FLOW, field, {"mode": mode}))
    if field in MONEY_STEPS:
        # typed only: a new message under the settings card, which stays with its buttons, so
        # the reply field can open with an example (the other fields' choices are buttons,
        # which matter more than a placeholder: a message carries one markup)
        await reply(update, context, agent, f"preferences/ask_{field}", agent=agent,
                    onboarding=mode == ONBOARDING,
                    keyboard=typed_answer(context, agent, f"settings.{field}"))
        return
    rows = _choices(context, agent, field, mode)
    if mode == SETTINGS:
        rows.append([(label(context, agent, "buttons.back"),
                      PREFERENCES.data("ask", "menu", mode))])
    await show(update, context, agent, f"preferences/ask_{field}", fresh=fresh,
               keyboard=inline_keyboard(rows), agent=agent, onboarding=mode == ONBOARDING)


def _choices(context: CoachContext, agent: Agent, field: str, mode: str) -> list[list[Button]]:
    def mark(caption: str, chosen: bool) -> str:
        return f"✓ {caption}" if chosen else caption

    if field == "lang":
        return [[(mark(label(context, agent, f"languages.{loc}"), loc == agent.locale),
                  PREFERENCES.data("lang", loc, mode))] for loc in LOCALES]
    if field == "region":
        buttons = [(mark(label(context, agent, f"regions.{code}"), code == agent.region),
                    PREFERENCES.data("region", code, mode)) for code in REGION_CHOICES]
        return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if field in ("time", "eod"):
        current = agent.digest_time if field == "time" else agent.eod_time
        choices = DIGEST_TIME_CHOICES if field == "time" else EOD_TIME_CHOICES
        buttons = [(mark(value, value == current),
                    PREFERENCES.data(field, value.replace(":", ""), mode)) for value in choices]
        return [buttons[:3], buttons[3:]]
    if field == "tone":
        return [[(mark(label(context, agent, f"tones.{tone}"), tone == agent.tone),
                  PREFERENCES.data("tone", tone, mode)) for tone in TONE_CHOICES]]
    if field == "sign":
        return [[(label(context, agent, "settings.sign_default"),
                  PREFERENCES.data("sign", "-", mode))]]
    buttons = [(mark(str(value), value == agent.monthly_target),
                PREFERENCES.data("target", value, mode)) for value in TARGET_CHOICES]
    return [buttons[:3], buttons[3:]]


async def _ask_zone(update: Update, context: CoachContext, agent: Agent, mode: str) -> None:
    dialogs.set_dialog(context.services.store, agent.id, chat_id_of(update),
                       Dialog(FLOW, "zone", {"mode": mode}))
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(label(context, agent, "buttons.share_location"), request_location=True)]],
        resize_keyboard=True, one_time_keyboard=True,
        input_field_placeholder=placeholder(context, agent, "settings.zone"),
    )
    await reply(update, context, agent, "preferences/ask_zone", keyboard=keyboard)


async def _settings_card(
    update: Update, context: CoachContext, agent: Agent, *, fresh: bool = False,
    changed: str | None = None,
) -> None:
    def b(field: str) -> Button:
        return label(context, agent, f"settings.{field}"), PREFERENCES.data("ask", field, SETTINGS)

    rows = [[b("lang"), b("region")], [b("time"), b("target")], [b("eod"), b("tone")],
            [b("sign"), b("commission")], [b("source_targets")]]
    await show(update, context, agent, "preferences/settings", fresh=fresh,
               keyboard=inline_keyboard(rows), agent=agent,
               plan=activity_plan(agent.monthly_target), changed=changed)


FEATURE = Feature(
    commands=(Command("start", start, in_menu=False), Command("settings", show_settings)),
    buttons=(Buttons(PREFERENCES, {"ask": _ask_button, **{field: _choice for field in FIELDS}}),),
    text_steps={FLOW: on_text},
    location_steps={FLOW: on_location},
)
