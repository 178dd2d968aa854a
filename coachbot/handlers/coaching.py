"""Coaching: SPIN sessions, meeting prep, playbooks, objections, referrals, /next."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from coachbot.domain.clients import clean_text, search_words
from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.coaching import spin
from coachbot.domain.coaching.objections import match_objection
from coachbot.domain.coaching.referrals import referral_lines
from coachbot.domain.models import Agent, Client, Dialog
from coachbot.handlers import ai_facts
from coachbot.handlers.common import (
    CoachContext,
    chat_id_of,
    current_agent,
    edit_or_reply,
    label,
    reply,
    show,
    text,
    typed_answer,
)
from coachbot.handlers.dispatch import Action, Buttons, Command, Feature, Press
from coachbot.render.buttons import CARD, COACH, open_card
from coachbot.render.templates import split_message
from coachbot.runtime.messages import Button, inline_keyboard, send_html
from coachbot.scripts.loader import ScriptLibrary
from coachbot.services import clients, coach, dialogs

FLOW = "coach"
MAX_PICK = 8

# a button's id (a client, a session or 0) and what follows it
Step = Callable[[Update, CoachContext, Agent, int, str], Awaitable[None]]


def _library(context: CoachContext) -> ScriptLibrary:
    return context.services.library


def _client(context: CoachContext, agent: Agent, client_id: int) -> Client | None:
    return clients.get_client(context.services.store, agent.id, client_id)


def _set_dialog(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    dialogs.set_dialog(context.services.store, agent.id, chat_id_of(update), dialog)


def _clear_dialog(update: Update, context: CoachContext, agent: Agent) -> None:
    dialogs.clear_dialog(context.services.store, agent.id, chat_id_of(update))


def _with_id(step: Step) -> Action:
    """co:<action>:<id>[:<arg>]: refused unless the id is a number."""
    async def run(press: Press) -> None:
        record_id = press.int_arg(0)
        if record_id is None:
            await press.stale()
            return
        await step(press.update, press.context, press.agent, record_id, press.rest(1))
    return run


# -- entry points -------------------------------------------------------------------------
async def menu(update: Update, context: CoachContext, agent: Agent, client_id: int) -> None:
    """The coaching menu of a client (the card's 🎯 button)."""
    client = _client(context, agent, client_id)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return

    def b(key: str) -> Button:
        return label(context, agent, f"coaching.{key}"), COACH.data(key, client_id)

    rows = [[b("spin"), b("prep")], [b("summary"), b("playbooks")],
            [b("objections"), b("referral")]]
    rows.append([(label(context, agent, "buttons.back"), open_card(client_id))])
    await edit_or_reply(update, context, agent, "coaching/menu", client=client,
                        keyboard=inline_keyboard(rows))


async def spin_command(update: Update, context: CoachContext) -> None:
    """/spin [name]: start or resume a SPIN session."""
    await _pick_client(update, context, "spin", _spin_start, "coaching/pick_spin")


async def prep_command(update: Update, context: CoachContext) -> None:
    """/prep [name]: needs-mining preparation before a meeting."""
    await _pick_client(update, context, "prep", _prep, "coaching/pick_prep")


async def _pick_client(update: Update, context: CoachContext, action: str, start: Step,
                       template: str) -> None:
    """A name typed after the command starts at once; otherwise pick from the likely ones."""
    agent = current_agent(update, context)
    words = search_words(" ".join(context.args or []))
    if words:
        found = clients.search_clients(context.services.store, agent.id, words,
                                       limit=MAX_PICK + 1)
        if len(found) == 1:
            await start(update, context, agent, found[0].id, "")
            return
    else:
        found = _recent_clients(context, agent)
    rows = [[(c.name[:30], COACH.data(action, c.id))] for c in found[:MAX_PICK]]
    await reply(update, context, agent, template, query=" ".join(words), count=len(found),
                keyboard=inline_keyboard(rows) if rows else None)


def _recent_clients(context: CoachContext, agent: Agent) -> list[Client]:
    store = context.services.store
    found = coach.next_actions(store, agent, context.services.clock.now(), limit=MAX_PICK)
    return [a.client for a in found] or clients.first_clients(store, agent.id, MAX_PICK)


# -- the client's type ---------------------------------------------------------------------
async def _ask_type(update: Update, context: CoachContext, agent: Agent,
                    question: coach.TypeQuestion, then: str, *, fresh: bool = True) -> None:
    """The one-tap type question; the answer goes on to `then` (spin, prep or needs)."""
    await show(update, context, agent, "coaching/type_question", fresh=fresh,
               question=question, scripts=_library(context).get(agent.locale),
               keyboard=_type_keyboard(context, agent, question, then))


def _type_keyboard(context: CoachContext, agent: Agent, question: coach.TypeQuestion,
                   then: str) -> InlineKeyboardMarkup:
    return inline_keyboard(_type_rows(context, agent, question, then))


def _type_rows(context: CoachContext, agent: Agent, question: coach.TypeQuestion,
               then: str) -> list[list[Button]]:
    """One button per type, the rules' guess first."""
    choices = sorted(question.choices, key=lambda c: c != question.guess)
    buttons = [(label(context, agent, f"client_types.{c}"),
                COACH.data("type", question.client_id, c, then)) for c in choices]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


async def _set_type(press: Press) -> None:
    """co:ty:<client>:<profile>:<then>: keep the agent's answer, go on where it was asked."""
    client_id, profile, then = press.int_arg(0), press.arg(1), press.arg(2)
    if client_id is None or not coach.set_client_type(press.store, press.agent, client_id,
                                                       profile, press.services.clock.now()):
        await press.stale()
        return
    step = TYPE_THEN.get(then)
    if step is None:  # asked inside a SPIN talk: show the talk again
        await press.follow(COACH.data("spin", client_id))
        return
    await step(press.update, press.context, press.agent, client_id, "")


# -- SPIN -----------------------------------------------------------------------------------
async def _spin_start(update: Update, context: CoachContext, agent: Agent, client_id: int,
                      arg: str) -> None:
    services = context.services
    found = coach.spin_start(services.store, agent, client_id, _library(context),
                             services.clock.now())
    if found is None:
        await reply(update, context, agent, "clients/not_found")
    elif isinstance(found, coach.TypeQuestion):
        await _ask_type(update, context, agent, found, "spin")
    else:
        await _spin_show(update, context, agent, found)


async def _spin_show(update: Update, context: CoachContext, agent: Agent,
                     view: coach.SpinView, message_id: int | None = None,
                     screen: str | None = None) -> None:
    """The talk's step, edited in place (the pressed message, or the step a typed answer
    belongs to; `screen`: the fingerprint of what that message shows); typed text and voice
    notes answer its current question from now on."""
    rid = view.record_id

    def b(key: str, action: str) -> Button:
        return label(context, agent, f"coaching.{key}"), COACH.data(action, rid)

    rows: list[list[Button]] = []
    if view.finished:
        rows.append([b("finish", "spin_finish")])
    else:
        rows.append([(("✅ " if q.answered else "👉 " if q.current else "") + str(q.position),
                      COACH.data("spin_question", rid, q.position)) for q in view.questions])
        rows += [[b("back", "spin_back"), b("skip", "spin_skip"), b("next", "spin_next")],
                 [b("pause", "spin_pause"), b("finish", "spin_finish")]]
    if view.ask_type is not None:
        rows = _type_rows(context, agent, view.ask_type, "talk") + rows
    keyboard = inline_keyboard(rows)
    html = text(context, agent, "coaching/spin_view", view=view,
                scripts=_library(context).get(agent.locale))
    now_showing = _fingerprint(html, keyboard)
    if message_id is not None and screen == now_showing:
        return  # an answer that changes nothing on the screen: no edit Telegram would refuse
    shown = await _put(update, context, html, message_id, keyboard=keyboard)
    _set_dialog(update, context, agent,
                Dialog(FLOW, "spin", {"record": rid, "msg": shown, "screen": now_showing}))


def _fingerprint(html: str, keyboard: InlineKeyboardMarkup) -> str:
    shown = html + json.dumps(keyboard.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(shown.encode(), digest_size=8).hexdigest()


async def _put(update: Update, context: CoachContext, html: str, message_id: int | None, *,
               keyboard: InlineKeyboardMarkup) -> int | None:
    """Show `html` by editing the pressed message, or `message_id`, in place; a new message
    when neither can take it. The id of the message that shows it."""
    query = update.callback_query
    fits = len(split_message(html)) == 1
    target = query.message.message_id if query is not None and query.message is not None \
        else message_id
    if target is not None and fits:
        try:
            await context.bot.edit_message_text(html, chat_id=chat_id_of(update),
                                                message_id=target, parse_mode=ParseMode.HTML,
                                                reply_markup=keyboard)
            return target
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return target  # the screen already shows this: no second copy
        except TelegramError:
            pass  # gone, too old, a photo or a forged press: shown anew below
    sent = await send_html(context.bot, chat_id_of(update), html, reply_markup=keyboard)
    return sent.message_id


SPIN_MOVES = {"spin_back": coach.spin_back, "spin_skip": coach.spin_skip,
              "spin_next": coach.spin_next, "spin_pause": coach.spin_pause}


async def _spin_action(press: Press) -> None:
    """Buttons of a SPIN step: a question's fixed position, back, skip, next, pause, finish."""
    record_id = press.int_arg(0)
    if record_id is None:
        await press.stale()
        return
    now, library = press.services.clock.now(), _library(press.context)
    if press.action == "spin_finish":
        await _spin_finish(press, record_id)
        return
    if press.action == "spin_question":
        position = press.int_arg(1)
        view = coach.spin_select(press.store, press.agent, record_id, position, library, now) \
            if position is not None else None
    else:
        view = SPIN_MOVES[press.action](press.store, press.agent, record_id, library, now)
    if view is None:
        await press.reply("coaching/spin_closed")
    elif view.session.status == spin.PAUSED:
        await _spin_paused(press, view)
    else:
        await _spin_show(press.update, press.context, press.agent, view)


async def _spin_paused(press: Press, view: coach.SpinView) -> None:
    """Paused: typed text no longer goes to the talk; a button resumes it."""
    press.clear_dialog()
    rows = [[(press.label("coaching.resume"), COACH.data("spin", view.client.id))]]
    await press.edit("coaching/spin_paused", client=view.client, keyboard=inline_keyboard(rows))


async def _spin_finish(press: Press, record_id: int) -> None:
    """The talk is over: the needs found, logged as a contact, the stage it suggests."""
    finish = coach.spin_finish(press.store, press.agent, record_id, _library(press.context),
                               press.services.clock.now())
    press.clear_dialog()
    if finish is None:
        await press.reply("coaching/spin_closed")
        return
    cid = finish.client.id
    rows: list[list[Button]] = []
    if finish.suggested_stage:
        rows.append([(press.label("card.accept_stage", stage=finish.suggested_stage),
                      CARD.data("set_stage", cid, finish.suggested_stage))])
    rows.append([(press.label("coaching.to_card"), open_card(cid, new=True))])
    await press.edit("coaching/spin_finished", finish=finish,
                     scripts=_library(press.context).get(press.agent.locale),
                     keyboard=inline_keyboard(rows))


async def _summary(update: Update, context: CoachContext, agent: Agent, client_id: int,
                   arg: str) -> None:
    """The client's needs now (the latest talk weighed with today's facts and proposals)."""
    services = context.services
    summary = coach.needs_summary(services.store, agent, client_id, _library(context),
                                  services.clock.now())
    client = _client(context, agent, client_id)
    if summary is None or client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    step = summary.next_step
    rows: list[list[Button]] = []
    stage = step.data.get("stage") if step.key == "move_to_stage" else None
    if stage and stage != client.stage:
        rows.append([(label(context, agent, "card.accept_stage", stage=stage),
                      CARD.data("set_stage", client_id, stage))])
    rows.append([(label(context, agent, "coaching.to_card"), open_card(client_id, new=True))])
    await reply(update, context, agent, "coaching/needs", client=client,
                summary=summary.to_dict(), scripts=_library(context).get(agent.locale),
                keyboard=inline_keyboard(rows))


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A client's answer in a SPIN talk, an objection, or a referral's person."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if dialog.step == "referral":
        await _referral_lines(update, context, agent, int(dialog.data["client"]),
                              dialog.data["moment"], clean_text(message.text, 60))
    elif dialog.step == "objection":
        await _objection_search(update, context, agent, message.text)
    else:
        await _spin_answer(update, context, agent, dialog, message.text, None)


async def _spin_answer(update: Update, context: CoachContext, agent: Agent, dialog: Dialog,
                       typed: str, voice_file_id: str | None) -> None:
    services = context.services
    record_id, now = int(dialog.data["record"]), services.clock.now()
    if voice_file_id:
        view = coach.spin_voice(services.store, agent, record_id, voice_file_id,
                                clean_text(typed), _library(context), now)
    else:
        view = coach.spin_answer(services.store, agent, record_id, clean_text(typed),
                                 _library(context), now)
    if view is None:
        _clear_dialog(update, context, agent)
        await reply(update, context, agent, "coaching/spin_closed")
        return
    shown = dialog.data.get("msg")
    await _spin_show(update, context, agent, view, int(shown) if shown else None,
                     dialog.data.get("screen"))
    if not voice_file_id:
        # the model's reading comes as its own short message under the step: the step keeps
        # being edited in place by its id (the dialog's "msg"), whatever is sent after it
        await ai_facts.offer(update, context, agent, view.client.id, typed, "spin_answer")


# -- meeting prep, playbooks, objections, referrals---------------------------------------------
async def _prep(update: Update, context: CoachContext, agent: Agent, client_id: int,
                arg: str) -> None:
    services = context.services
    found = coach.prep(services.store, agent, client_id, _library(context), services.clock.now())
    if found is None:
        await reply(update, context, agent, "clients/not_found")
        return
    if isinstance(found, coach.TypeQuestion):
        await _ask_type(update, context, agent, found, "prep")
        return
    rows = [[(label(context, agent, "coaching.spin"), COACH.data("spin", client_id)),
             (label(context, agent, "coaching.to_card"), open_card(client_id, new=True))]]
    await reply(update, context, agent, "coaching/prep", client=found.client, sheet=found.sheet,
                scripts=_library(context).get(agent.locale), keyboard=inline_keyboard(rows))


async def _playbooks(update: Update, context: CoachContext, agent: Agent, client_id: int,
                     arg: str) -> None:
    scripts = _library(context).get(agent.locale, agent.region)
    client = _client(context, agent, client_id)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    rows = [[(playbook.title[:40], COACH.data("playbook", client_id, playbook_id))]
            for playbook_id, playbook in scripts.playbooks.items()]
    rows.append([(label(context, agent, "buttons.back"), COACH.data("menu", client_id))])
    await edit_or_reply(update, context, agent, "coaching/playbooks", client=client,
                        playbooks=list(scripts.playbooks.values()),
                        keyboard=inline_keyboard(rows))


async def _playbook_open(update: Update, context: CoachContext, agent: Agent, client_id: int,
                         arg: str) -> None:
    record = coach.open_playbook(context.services.store, agent, client_id, arg,
                                 _library(context)) if _client(context, agent, client_id) \
        else None
    if record is None:
        await reply(update, context, agent, "general/stale_button")
        return
    await _playbook_show(update, context, agent, record.id)


async def _playbook_show(update: Update, context: CoachContext, agent: Agent,
                         record_id: int) -> None:
    record = coach.get_session(context.services.store, agent.id, record_id)
    if record is None or record.kind != coach.PLAYBOOK or record.client_id is None:
        await reply(update, context, agent, "general/stale_button")
        return
    playbook = _library(context).get(agent.locale, agent.region).playbooks[record.ref]
    progress = pb.PlaybookProgress.from_dict(record.state)
    step = pb.current_step(progress, playbook)
    rows: list[list[Button]] = []
    if step is not None:
        rows += [[(("✅ " if item in progress.done_items else "▫️ ") + text[:40],
                   COACH.data("playbook_tick", record_id, item))]
                 for item, text in step.checklist.items()]
    rows.append([(label(context, agent, "coaching.back"), COACH.data("playbook_back", record_id)),
                 (label(context, agent, "coaching.next"), COACH.data("playbook_next", record_id))])
    rows.append([(label(context, agent, "coaching.to_card"),
                  open_card(record.client_id, new=True))])
    await edit_or_reply(update, context, agent, "coaching/playbook_step",
                        client=_client(context, agent, record.client_id), playbook=playbook,
                        step=step, progress=progress,
                        index=min(progress.step_index + 1, len(playbook.steps)),
                        ratio=pb.progress_ratio(progress, playbook),
                        keyboard=inline_keyboard(rows))


async def _playbook_action(press: Press) -> None:
    """Tick an item of the step's checklist, or move to the next or previous step."""
    record_id = press.int_arg(0)
    record = coach.get_session(press.store, press.agent.id, record_id) \
        if record_id is not None else None
    if record_id is None or record is None or record.kind != coach.PLAYBOOK:
        await press.stale()
        return
    playbook = _library(press.context).get(press.agent.locale,
                                           press.agent.region).playbooks[record.ref]
    progress = pb.PlaybookProgress.from_dict(record.state)
    item = press.rest(1)
    try:
        if press.action == "playbook_tick":
            progress = pb.tick(progress, playbook, item, done=item not in progress.done_items)
        elif press.action == "playbook_next":
            progress = pb.advance(progress, playbook)
        else:
            progress = pb.back(progress, playbook)
    except pb.PlaybookError:
        pass  # a stale item or the last step: show it as it is
    status = "done" if pb.is_finished(progress, playbook) else "active"
    coach.save_session(press.store, press.agent.id, record_id, progress.to_dict(), status)
    await _playbook_show(press.update, press.context, press.agent, record_id)


async def objection_command(update: Update, context: CoachContext) -> None:
    """/objection [what the client said]: ways to answer, in the methodology's spirit."""
    agent = current_agent(update, context)
    text = " ".join(context.args or [])
    if text:
        await _objection_search(update, context, agent, text)
        return
    await _objection_list(update, context, agent, 0, "")


async def _objection_search(update: Update, context: CoachContext, agent: Agent,
                            text: str) -> None:
    _clear_dialog(update, context, agent)
    found = match_objection(text, _library(context), agent.locale)
    if found:
        await _objection_show(update, context, agent, 0, found[0].id, fresh=True)
        return
    await _objection_list(update, context, agent, 0, "", missed=text[:60])


async def _objection_list(update: Update, context: CoachContext, agent: Agent, client_id: int,
                          arg: str, *, missed: str | None = None) -> None:
    scripts = _library(context).get(agent.locale)
    rows = [[(objection.label[:40], COACH.data("objection", client_id, objection_id))]
            for objection_id, objection in scripts.objections.items()]
    _set_dialog(update, context, agent, Dialog(FLOW, "objection", {}))
    await reply(update, context, agent, "coaching/objections", missed=missed,
                keyboard=inline_keyboard(rows))


async def _objection_open(update: Update, context: CoachContext, agent: Agent, client_id: int,
                          arg: str) -> None:
    await _objection_show(update, context, agent, client_id, arg)


async def _objection_show(update: Update, context: CoachContext, agent: Agent, client_id: int,
                          objection_id: str, *, fresh: bool = False) -> None:
    objection = _library(context).get(agent.locale).objections.get(objection_id)
    if objection is None:
        await reply(update, context, agent, "general/stale_button")
        return
    _clear_dialog(update, context, agent)
    rows = [[(label(context, agent, "coaching.other_objections"),
              COACH.data("objections", client_id))]]
    await show(update, context, agent, "coaching/objection", fresh=fresh, objection=objection,
               keyboard=inline_keyboard(rows))


async def _referral(update: Update, context: CoachContext, agent: Agent, client_id: int,
                    arg: str) -> None:
    """Pick the happy moment, then who to ask for."""
    client = _client(context, agent, client_id)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    scripts = _library(context).get(agent.locale)
    if arg in scripts.referrals:
        _set_dialog(update, context, agent, Dialog(
            FLOW, "referral", {"client": client_id, "moment": arg}))
        await reply(update, context, agent, "coaching/referral_person", client=client,
                    moment=scripts.referrals[arg],
                    keyboard=typed_answer(context, agent, "referral_person"))
        return
    rows = [[(moment.label[:40], COACH.data("referral", client_id, moment_id))]
            for moment_id, moment in scripts.referrals.items()]
    await edit_or_reply(update, context, agent, "coaching/referral_moments", client=client,
                        keyboard=inline_keyboard(rows))


async def suggest_referral(update: Update, context: CoachContext, agent: Agent, client_id: int,
                           moment: str) -> None:
    """After a happy moment (policy delivered, claim paid, review done): ask for a referral."""
    client = _client(context, agent, client_id)
    scripts = _library(context).get(agent.locale)
    if client is None or moment not in scripts.referrals:
        return
    rows = [[(label(context, agent, "coaching.referral_how"),
              COACH.data("referral", client_id, moment))]]
    await reply(update, context, agent, "coaching/referral_nudge", client=client,
                moment=scripts.referrals[moment], keyboard=inline_keyboard(rows))


async def _referral_lines(update: Update, context: CoachContext, agent: Agent, client_id: int,
                          moment: str, person: str) -> None:
    client = _client(context, agent, client_id)
    _clear_dialog(update, context, agent)
    if client is None or not person:
        await reply(update, context, agent, "clients/field_error", error="empty")
        return
    scripts = _library(context).get(agent.locale)
    lines = referral_lines(moment, _library(context), agent.locale, client.name, person,
                           agent.signature or agent.first_name)
    rows = [[(label(context, agent, "coaching.to_card"), open_card(client_id, new=True))]]
    await reply(update, context, agent, "coaching/referral", client=client, person=person,
                lines=lines, moment=scripts.referrals[moment], keyboard=inline_keyboard(rows))


# -- /next -------------------------------------------------------------------------------------
async def next_command(update: Update, context: CoachContext) -> None:
    """/next: the clients that need the agent now, each with its one next action."""
    agent = current_agent(update, context)
    services = context.services
    found = coach.next_actions(services.store, agent, services.clock.now())
    rows = [[(a.client.name[:20], open_card(a.client.id, new=True))] for a in found]
    await reply(update, context, agent, "coaching/next_actions", actions=found,
                scripts=_library(context).get(agent.locale),
                keyboard=inline_keyboard(rows) if rows else None)


TYPE_THEN: dict[str, Step] = {"spin": _spin_start, "prep": _prep, "needs": _summary}


async def _menu(update: Update, context: CoachContext, agent: Agent, client_id: int,
                arg: str) -> None:
    await menu(update, context, agent, client_id)


FEATURE = Feature(
    commands=(Command("next", next_command, section="day"),
              Command("spin", spin_command, section="coach"),
              Command("prep", prep_command, section="coach"),
              Command("objection", objection_command, section="coach")),
    buttons=(Buttons(COACH, {
        "menu": _with_id(_menu), "spin": _with_id(_spin_start), "type": _set_type,
        "spin_question": _spin_action, "spin_back": _spin_action, "spin_skip": _spin_action,
        "spin_next": _spin_action, "spin_pause": _spin_action, "spin_finish": _spin_action,
        "summary": _with_id(_summary), "prep": _with_id(_prep),
        "playbooks": _with_id(_playbooks), "playbook": _with_id(_playbook_open),
        "playbook_tick": _playbook_action, "playbook_next": _playbook_action,
        "playbook_back": _playbook_action, "objections": _with_id(_objection_list),
        "objection": _with_id(_objection_open), "referral": _with_id(_referral),
    }),),
    text_steps={FLOW: on_text},
)
