"""Coaching: SPIN sessions, meeting prep, playbooks, objections, referrals, /next."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from telegram import Update

from coachbot.domain.clients import clean_text, search_words
from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.coaching import spin
from coachbot.domain.coaching.objections import match_objection
from coachbot.domain.coaching.prep import prepare
from coachbot.domain.coaching.referrals import referral_lines
from coachbot.domain.models import Agent, Client, Dialog
from coachbot.handlers.common import (
    CoachContext,
    chat_id_of,
    current_agent,
    edit_or_reply,
    label,
    reply,
    show,
)
from coachbot.handlers.dispatch import Action, Buttons, Command, Feature, Press
from coachbot.render.buttons import CARD, COACH, open_card
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.scripts.loader import ScriptLibrary
from coachbot.services import book, clients, coach, dialogs

FLOW = "coach"
MAX_PICK = 8

# a button's id (a client, a session or 0) and what follows it
Step = Callable[[Update, CoachContext, Agent, int, str], Awaitable[None]]


def _library(context: CoachContext) -> ScriptLibrary:
    return context.services.library


def _client(context: CoachContext, agent: Agent, client_id: int) -> Client | None:
    return clients.get_client(context.services.store, agent.id, client_id)


def _facts(context: CoachContext, agent: Agent, client: Client) -> coach.ClientFacts:
    today = book.agent_today(agent, context.services.clock.now())
    return coach.client_facts(context.services.store, agent, client, today)


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

    rows = [[b("spin"), b("prep")], [b("playbooks"), b("objections")], [b("referral")]]
    if client.needs_summary:
        rows.append([b("summary")])
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
    today = book.agent_today(agent, context.services.clock.now())
    return [p.client for p in coach.priorities(store, agent, today, limit=MAX_PICK)] or \
        clients.first_clients(store, agent.id, MAX_PICK)


# -- SPIN -----------------------------------------------------------------------------------
async def _spin_start(update: Update, context: CoachContext, agent: Agent, client_id: int,
                      arg: str) -> None:
    client = _client(context, agent, client_id)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    services = context.services
    state, resumed = coach.open_spin(services.store, agent, client, _facts(context, agent, client),
                                     services.clock.now())
    await _spin_show(update, context, agent, state, fresh=True, resumed=resumed)


async def _spin_show(update: Update, context: CoachContext, agent: Agent,
                     state: coach.SpinState, *, fresh: bool = False, resumed: bool = False,
                     selected: str | None = None,
                     recorded: str | None = None) -> None:
    """The current SPIN step: suggested questions, and what the agent can do."""
    session = state.session
    client = _client(context, agent, int(session.client_id))
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    facts = _facts(context, agent, client)
    questions = spin.suggest_questions(session, _library(context), agent.locale, facts)
    _set_dialog(update, context, agent, Dialog(FLOW, "spin", {
        "record": state.record_id, "question": selected}))
    sid = state.record_id

    def b(key: str, action: str) -> Button:
        return label(context, agent, f"coaching.{key}"), COACH.data(action, sid)

    ask_row = [((("✓ " if q.id == selected else "") + label(context, agent, "coaching.asked",
                                                            n=i + 1)),
                COACH.data("spin_question", sid, q.id)) for i, q in enumerate(questions)]
    rows = [ask_row,
            [b("back", "spin_back"), b("skip", "spin_skip"), b("next", "spin_next")],
            [b("pause", "spin_pause"), b("finish", "spin_finish")]]
    profile = _library(context).get(agent.locale).profiles[session.profile]
    await show(update, context, agent, "coaching/spin_step", fresh=fresh,
               keyboard=inline_keyboard(rows), client=client, session=session,
               questions=questions, profile=profile, resumed=resumed, selected=selected,
               recorded=recorded, step_index=spin.STEPS.index(session.step) + 1)


SPIN_MOVES = {"spin_back": spin.go_back, "spin_skip": spin.skip_step,
              "spin_next": spin.advance, "spin_pause": spin.pause}


async def _spin_action(press: Press) -> None:
    """Buttons of a SPIN step: which question was asked, back, skip, next, pause, finish."""
    record_id = press.int_arg(0)
    if record_id is None:
        await press.stale()
        return
    state = coach.load_spin(press.store, press.agent.id, record_id)
    if state is None:
        await press.reply("coaching/spin_closed")
        return
    now = press.services.clock.now()
    session = state.session
    if session.status == spin.PAUSED:
        session = spin.resume(session, now)
    if press.action == "spin_question":
        await _spin_show(press.update, press.context, press.agent,
                         coach.SpinState(record_id, session), selected=press.rest(1))
        return
    move = SPIN_MOVES.get(press.action)
    if move is not None:
        with contextlib.suppress(spin.SpinError):  # e.g. back at the first step: show it again
            session = move(session, now)
    state = coach.SpinState(record_id, session)
    if press.action == "spin_finish" or session.status == spin.FINISHED:
        await _spin_finish(press.update, press.context, press.agent, state)
        return
    coach.save_spin(press.store, press.agent.id, state)
    if session.status == spin.PAUSED:
        await _spin_paused(press, session)
        return
    await _spin_show(press.update, press.context, press.agent, state)


async def _spin_paused(press: Press, session: spin.SpinSession) -> None:
    """Paused: typed text no longer goes to the session; a button resumes it."""
    press.clear_dialog()
    client = _client(press.context, press.agent, int(session.client_id))
    rows = [[(press.label("coaching.resume"), COACH.data("spin", session.client_id))]]
    await press.edit("coaching/spin_paused", client=client, keyboard=inline_keyboard(rows))


async def _spin_finish(update: Update, context: CoachContext, agent: Agent,
                       state: coach.SpinState) -> None:
    services = context.services
    client = _client(context, agent, int(state.session.client_id))
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    summary = coach.finish_spin(services.store, agent, state, _library(context),
                                _facts(context, agent, client), services.clock.now())
    _clear_dialog(update, context, agent)
    await _show_summary(update, context, agent, client.id, summary.to_dict())


async def _summary(update: Update, context: CoachContext, agent: Agent, client_id: int,
                   arg: str) -> None:
    client = _client(context, agent, client_id)
    if client is None or not client.needs_summary:
        await reply(update, context, agent, "clients/not_found")
        return
    await _show_summary(update, context, agent, client_id, client.needs_summary)


async def _show_summary(update: Update, context: CoachContext, agent: Agent, client_id: int,
                        summary: dict[str, object]) -> None:
    """The needs found, as a new message, with the stage they suggest and the card."""
    client = _client(context, agent, client_id)
    scripts = _library(context).get(agent.locale)
    step = summary.get("next_step") or {}
    rows: list[list[Button]] = []
    if isinstance(step, dict) and step.get("key") == "move_to_stage":
        stage = str(step.get("data", {}).get("stage", ""))
        if client is not None and stage and stage != client.stage:
            rows.append([(label(context, agent, "card.accept_stage", stage=stage),
                          CARD.data("set_stage", client_id, stage))])
    rows.append([(label(context, agent, "coaching.to_card"), open_card(client_id, new=True))])
    await reply(update, context, agent, "coaching/spin_summary", client=client,
                summary=summary, scripts=scripts, keyboard=inline_keyboard(rows))


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A client's answer in a SPIN session, an objection, or a referral's person."""
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
                       text: str, voice_file_id: str | None) -> None:
    services = context.services
    state = coach.load_spin(services.store, agent.id, int(dialog.data["record"]))
    if state is None:
        _clear_dialog(update, context, agent)
        await reply(update, context, agent, "coaching/spin_closed")
        return
    session = state.session
    now = services.clock.now()
    if session.status == spin.PAUSED:
        session = spin.resume(session, now)
    session = spin.record_answer(session, clean_text(text), now,
                                 question_id=dialog.data.get("question"),
                                 voice_file_id=voice_file_id)
    state = coach.SpinState(state.record_id, session)
    coach.save_spin(services.store, agent.id, state)
    # one message: the note that the answer is kept, on top of the step to carry on with
    await _spin_show(update, context, agent, state, fresh=True,
                     recorded="voice" if voice_file_id else "text")


# -- meeting prep, playbooks, objections, referrals---------------------------------------------
async def _prep(update: Update, context: CoachContext, agent: Agent, client_id: int,
                arg: str) -> None:
    client = _client(context, agent, client_id)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    facts = _facts(context, agent, client)
    profile = coach.infer_profile(facts)
    sheet = prepare(profile, facts, _library(context), agent.locale)
    scripts = _library(context).get(agent.locale)
    rows = [[(label(context, agent, "coaching.spin"), COACH.data("spin", client_id)),
             (label(context, agent, "coaching.to_card"), open_card(client_id, new=True))]]
    await reply(update, context, agent, "coaching/prep", client=client, sheet=sheet,
                scripts=scripts, keyboard=inline_keyboard(rows))


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
                    moment=scripts.referrals[arg])
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
    """/next: the best next action for today's priority clients."""
    agent = current_agent(update, context)
    services = context.services
    today = book.agent_today(agent, services.clock.now())
    found = coach.priorities(services.store, agent, today)
    scripts = _library(context).get(agent.locale)
    rows = [[(f"{p.client.name[:20]}", open_card(p.client.id, new=True))] for p in found]
    await reply(update, context, agent, "coaching/next", priorities=found, scripts=scripts,
                keyboard=inline_keyboard(rows) if rows else None)


async def _menu(update: Update, context: CoachContext, agent: Agent, client_id: int,
                arg: str) -> None:
    await menu(update, context, agent, client_id)


FEATURE = Feature(
    commands=(Command("next", next_command, section="day"),
              Command("spin", spin_command, section="coach"),
              Command("prep", prep_command, section="coach"),
              Command("objection", objection_command, section="coach")),
    buttons=(Buttons(COACH, {
        "menu": _with_id(_menu), "spin": _with_id(_spin_start),
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
