"""Coaching: SPIN sessions, meeting prep, playbooks, objections, referrals, /next, /practice."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from coachbot.domain.clients import clean_text, search_words
from coachbot.domain.coaching import playbooks as pb
from coachbot.domain.coaching import practice, spin
from coachbot.domain.coaching.objections import match_objection
from coachbot.domain.coaching.prep import prepare
from coachbot.domain.coaching.referrals import referral_lines
from coachbot.domain.models import Agent, Client, Dialog
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
from coachbot.scripts.loader import ScriptLibrary
from coachbot.services import book, coach

PREFIX = "co"
FLOW = "coach"
MAX_PICK = 8


def _library(context: CoachContext) -> ScriptLibrary:
    return context.services.library


def _client(context: CoachContext, agent: Agent, client_id: int) -> Client | None:
    return context.services.store.clients.get_client(agent.id, client_id)


def _facts(context: CoachContext, agent: Agent, client: Client) -> coach.ClientFacts:
    today = book.agent_today(agent, context.services.clock.now())
    return coach.client_facts(context.services.store, agent, client, today)


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


# -- entry points -------------------------------------------------------------------------
async def menu(update: Update, context: CoachContext, agent: Agent, client_id: int) -> None:
    """The coaching menu of a client (the card's 🎯 button)."""
    client = _client(context, agent, client_id)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return

    def b(key: str, action: str) -> Button:
        return label(context, agent, f"coaching.{key}"), f"{PREFIX}:{action}:{client_id}"

    rows = [[b("spin", "sp"), b("prep", "pr")], [b("playbooks", "pl"), b("objections", "ob")],
            [b("referral", "rf")]]
    if client.needs_summary:
        rows.append([b("summary", "sm")])
    rows.append([(label(context, agent, "buttons.back"), f"cl:o:{client_id}")])
    await edit_or_reply(update, context, agent, "coaching/menu", client=client,
                        keyboard=inline_keyboard(rows))


async def spin_command(update: Update, context: CoachContext) -> None:
    """/spin [name]: start or resume a SPIN session."""
    await _pick_client(update, context, "sp", "coaching/pick_spin")


async def prep_command(update: Update, context: CoachContext) -> None:
    """/prep [name]: needs-mining preparation before a meeting."""
    await _pick_client(update, context, "pr", "coaching/pick_prep")


async def _pick_client(update: Update, context: CoachContext, action: str,
                       template: str) -> None:
    agent = current_agent(update, context)
    store = context.services.store
    words = search_words(" ".join(context.args or []))
    if words:
        found = store.clients.search_clients(agent.id, words, limit=MAX_PICK + 1)
        if len(found) == 1:
            await ACTIONS[action](update, context, agent, found[0].id, "")
            return
    else:
        found = [c for c in _recent_clients(context, agent)]
    rows = [[(c.name[:30], f"{PREFIX}:{action}:{c.id}")] for c in found[:MAX_PICK]]
    await reply(update, context, agent, template, query=" ".join(words), count=len(found),
                keyboard=inline_keyboard(rows) if rows else None)


def _recent_clients(context: CoachContext, agent: Agent) -> list[Client]:
    store = context.services.store
    today = book.agent_today(agent, context.services.clock.now())
    return [p.client for p in coach.priorities(store, agent, today, limit=MAX_PICK)] or \
        store.clients.list_clients(agent.id, limit=MAX_PICK)[0]


async def on_callback(update: Update, context: CoachContext) -> None:
    """co:<action>:<id>[:<arg>]"""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    handler = ACTIONS.get(parts[0]) if parts else None
    if handler is None or len(parts) < 2 or not parts[1].isdigit():
        await reply(update, context, agent, "general/stale_button")
        return
    await handler(update, context, agent, int(parts[1]), ":".join(parts[2:]))


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
    store = context.services.store
    session = state.session
    client = _client(context, agent, int(session.client_id))
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    facts = _facts(context, agent, client)
    questions = spin.suggest_questions(session, _library(context), agent.locale, facts)
    store.dialogs.set_dialog(agent.id, _chat_id(update), Dialog(FLOW, "spin", {
        "record": state.record_id, "question": selected}))
    sid = state.record_id
    ask_row = [((("✓ " if q.id == selected else "") + label(context, agent, "coaching.asked",
                                                            n=i + 1)),
                f"{PREFIX}:sq:{sid}:{q.id}") for i, q in enumerate(questions)]
    rows = [ask_row,
            [(label(context, agent, "coaching.back"), f"{PREFIX}:sb:{sid}"),
             (label(context, agent, "coaching.skip"), f"{PREFIX}:ss:{sid}"),
             (label(context, agent, "coaching.next"), f"{PREFIX}:sn:{sid}")],
            [(label(context, agent, "coaching.pause"), f"{PREFIX}:sp_:{sid}"),
             (label(context, agent, "coaching.finish"), f"{PREFIX}:sf:{sid}")]]
    profile = _library(context).get(agent.locale).profiles[session.profile]
    values = {"client": client, "session": session, "questions": questions,
              "profile": profile, "resumed": resumed, "selected": selected,
              "recorded": recorded,
              "step_index": spin.STEPS.index(session.step) + 1}
    keyboard = inline_keyboard(rows)
    if fresh:
        await reply(update, context, agent, "coaching/spin_step", keyboard=keyboard, **values)
    else:
        await edit_or_reply(update, context, agent, "coaching/spin_step", keyboard=keyboard,
                            **values)


async def _spin_action(update: Update, context: CoachContext, agent: Agent, record_id: int,
                       arg: str) -> None:
    """Buttons of a SPIN step: which question was asked, back, skip, next, pause, finish."""
    services = context.services
    state = coach.load_spin(services.store, agent.id, record_id)
    query = update.callback_query
    action = (query.data or "").split(":")[1] if query else ""
    if state is None:
        await reply(update, context, agent, "coaching/spin_closed")
        return
    now = services.clock.now()
    session = state.session
    if session.status == spin.PAUSED:
        session = spin.resume(session, now)
    try:
        if action == "sq":
            await _spin_show(update, context, agent, coach.SpinState(record_id, session),
                             selected=arg)
            return
        if action == "sb":
            session = spin.go_back(session, now)
        elif action == "ss":
            session = spin.skip_step(session, now)
        elif action == "sn":
            session = spin.advance(session, now)
        elif action == "sp_":
            session = spin.pause(session, now)
    except spin.SpinError:
        pass  # e.g. back at the first step: just show the step again
    state = coach.SpinState(record_id, session)
    if action == "sf" or session.status == spin.FINISHED:
        await _spin_finish(update, context, agent, state)
        return
    coach.save_spin(services.store, agent.id, state)
    if session.status == spin.PAUSED:
        services.store.dialogs.clear_dialog(agent.id, _chat_id(update))
        client = _client(context, agent, int(session.client_id))
        rows = [[(label(context, agent, "coaching.resume"), f"{PREFIX}:sp:{session.client_id}")]]
        await edit_or_reply(update, context, agent, "coaching/spin_paused", client=client,
                            keyboard=inline_keyboard(rows))
        return
    await _spin_show(update, context, agent, state)


async def _spin_finish(update: Update, context: CoachContext, agent: Agent,
                       state: coach.SpinState) -> None:
    services = context.services
    client = _client(context, agent, int(state.session.client_id))
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    summary = coach.finish_spin(services.store, agent, state, _library(context),
                                _facts(context, agent, client), services.clock.now())
    services.store.dialogs.clear_dialog(agent.id, _chat_id(update))
    await _show_summary(update, context, agent, client.id, summary.to_dict(), fresh=False)


async def _summary(update: Update, context: CoachContext, agent: Agent, client_id: int,
                   arg: str) -> None:
    client = _client(context, agent, client_id)
    if client is None or not client.needs_summary:
        await reply(update, context, agent, "clients/not_found")
        return
    await _show_summary(update, context, agent, client_id, client.needs_summary)


async def _show_summary(update: Update, context: CoachContext, agent: Agent, client_id: int,
                        summary: dict[str, object], *, fresh: bool = False) -> None:
    client = _client(context, agent, client_id)
    scripts = _library(context).get(agent.locale)
    step = summary.get("next_step") or {}
    rows: list[list[Button]] = []
    if isinstance(step, dict) and step.get("key") == "move_to_stage":
        stage = str(step.get("data", {}).get("stage", ""))
        if client is not None and stage and stage != client.stage:
            rows.append([(label(context, agent, "card.accept_stage", stage=stage),
                          f"cl:ss:{client_id}:{stage}")])
    rows.append([(label(context, agent, "coaching.to_card"), f"cl:o:{client_id}:new")])
    await reply(update, context, agent, "coaching/spin_summary", client=client,
                summary=summary, scripts=scripts, keyboard=inline_keyboard(rows))


async def on_text(update: Update, context: CoachContext, agent: Agent, dialog: Dialog) -> None:
    """A client's answer in a SPIN session, a practice question, or a referral's person."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if dialog.step == "practice":
        await _practice_turn(update, context, agent, dialog, message.text)
    elif dialog.step == "referral":
        await _referral_lines(update, context, agent, int(dialog.data["client"]),
                              dialog.data["moment"], clean_text(message.text, 60))
    elif dialog.step == "objection":
        await _objection_search(update, context, agent, message.text)
    else:
        await _spin_answer(update, context, agent, dialog, message.text, None)


async def on_voice(update: Update, context: CoachContext) -> None:
    """A voice note during a SPIN session is kept as the client's answer."""
    agent = current_agent(update, context)
    message = update.effective_message
    assert message is not None and message.voice is not None
    dialog = context.services.store.dialogs.get_dialog(agent.id, message.chat_id)
    if dialog is None or dialog.flow != FLOW or dialog.step != "spin":
        await reply(update, context, agent, "general/unsupported")
        return
    await _spin_answer(update, context, agent, dialog, message.caption or "",
                       message.voice.file_id)


async def _spin_answer(update: Update, context: CoachContext, agent: Agent, dialog: Dialog,
                       text: str, voice_file_id: str | None) -> None:
    services = context.services
    state = coach.load_spin(services.store, agent.id, int(dialog.data["record"]))
    if state is None:
        services.store.dialogs.clear_dialog(agent.id, _chat_id(update))
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
    rows = [[(label(context, agent, "coaching.spin"), f"{PREFIX}:sp:{client_id}"),
             (label(context, agent, "coaching.to_card"), f"cl:o:{client_id}:new")]]
    await reply(update, context, agent, "coaching/prep", client=client, sheet=sheet,
                scripts=scripts, keyboard=inline_keyboard(rows))


async def _playbooks(update: Update, context: CoachContext, agent: Agent, client_id: int,
                     arg: str) -> None:
    scripts = _library(context).get(agent.locale)
    client = _client(context, agent, client_id)
    if client is None:
        await reply(update, context, agent, "clients/not_found")
        return
    rows = [[(playbook.title[:40], f"{PREFIX}:po:{client_id}:{playbook_id}")]
            for playbook_id, playbook in scripts.playbooks.items()]
    rows.append([(label(context, agent, "buttons.back"), f"{PREFIX}:m:{client_id}")])
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
    store = context.services.store
    record = store.coaching.get_session(agent.id, record_id)
    if record is None or record.kind != coach.PLAYBOOK or record.client_id is None:
        await reply(update, context, agent, "general/stale_button")
        return
    playbook = _library(context).get(agent.locale).playbooks[record.ref]
    progress = pb.PlaybookProgress.from_dict(record.state)
    step = pb.current_step(progress, playbook)
    rows: list[list[Button]] = []
    if step is not None:
        rows += [[(("✅ " if item in progress.done_items else "▫️ ") + text[:40],
                   f"{PREFIX}:pt:{record_id}:{item}")] for item, text in step.checklist.items()]
    rows.append([(label(context, agent, "coaching.back"), f"{PREFIX}:pb:{record_id}"),
                 (label(context, agent, "coaching.next"), f"{PREFIX}:pn:{record_id}")])
    rows.append([(label(context, agent, "coaching.to_card"), f"cl:o:{record.client_id}:new")])
    await edit_or_reply(update, context, agent, "coaching/playbook_step",
                        client=_client(context, agent, record.client_id), playbook=playbook,
                        step=step, progress=progress,
                        index=min(progress.step_index + 1, len(playbook.steps)),
                        ratio=pb.progress_ratio(progress, playbook),
                        keyboard=inline_keyboard(rows))


async def _playbook_action(update: Update, context: CoachContext, agent: Agent, record_id: int,
                           arg: str) -> None:
    store = context.services.store
    record = store.coaching.get_session(agent.id, record_id)
    query = update.callback_query
    action = (query.data or "").split(":")[1] if query else ""
    if record is None or record.kind != coach.PLAYBOOK:
        await reply(update, context, agent, "general/stale_button")
        return
    playbook = _library(context).get(agent.locale).playbooks[record.ref]
    progress = pb.PlaybookProgress.from_dict(record.state)
    try:
        if action == "pt":
            done = arg not in progress.done_items
            progress = pb.tick(progress, playbook, arg, done=done)
        elif action == "pn":
            progress = pb.advance(progress, playbook)
        elif action == "pb":
            progress = pb.back(progress, playbook)
    except pb.PlaybookError:
        pass  # a stale item or the last step: show it as it is
    status = "done" if pb.is_finished(progress, playbook) else "active"
    store.coaching.save_session(agent.id, record_id, progress.to_dict(), status)
    await _playbook_show(update, context, agent, record_id)


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
    context.services.store.dialogs.clear_dialog(agent.id, _chat_id(update))
    found = match_objection(text, _library(context), agent.locale)
    if found:
        await _objection_show(update, context, agent, 0, found[0].id, fresh=True)
        return
    await _objection_list(update, context, agent, 0, "", missed=text[:60])


async def _objection_list(update: Update, context: CoachContext, agent: Agent, client_id: int,
                          arg: str, *, missed: str | None = None) -> None:
    scripts = _library(context).get(agent.locale)
    rows = [[(objection.label[:40], f"{PREFIX}:oo:{client_id}:{objection_id}")]
            for objection_id, objection in scripts.objections.items()]
    context.services.store.dialogs.set_dialog(agent.id, _chat_id(update),
                                              Dialog(FLOW, "objection", {}))
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
    context.services.store.dialogs.clear_dialog(agent.id, _chat_id(update))
    rows = [[(label(context, agent, "coaching.other_objections"), f"{PREFIX}:ob:{client_id}")]]
    if fresh:
        await reply(update, context, agent, "coaching/objection", objection=objection,
                    keyboard=inline_keyboard(rows))
    else:
        await edit_or_reply(update, context, agent, "coaching/objection", objection=objection,
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
        context.services.store.dialogs.set_dialog(agent.id, _chat_id(update), Dialog(
            FLOW, "referral", {"client": client_id, "moment": arg}))
        await reply(update, context, agent, "coaching/referral_person", client=client,
                    moment=scripts.referrals[arg])
        return
    rows = [[(moment.label[:40], f"{PREFIX}:rf:{client_id}:{moment_id}")]
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
              f"{PREFIX}:rf:{client_id}:{moment}")]]
    await reply(update, context, agent, "coaching/referral_nudge", client=client,
                moment=scripts.referrals[moment], keyboard=inline_keyboard(rows))


async def _referral_lines(update: Update, context: CoachContext, agent: Agent, client_id: int,
                          moment: str, person: str) -> None:
    client = _client(context, agent, client_id)
    context.services.store.dialogs.clear_dialog(agent.id, _chat_id(update))
    if client is None or not person:
        await reply(update, context, agent, "clients/field_error", error="empty")
        return
    scripts = _library(context).get(agent.locale)
    lines = referral_lines(moment, _library(context), agent.locale, client.name, person,
                           agent.signature or agent.first_name)
    rows = [[(label(context, agent, "coaching.to_card"), f"cl:o:{client_id}:new")]]
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
    rows = [[(f"{p.client.name[:20]}", f"cl:o:{p.client.id}:new")] for p in found]
    await reply(update, context, agent, "coaching/next", priorities=found, scripts=scripts,
                keyboard=inline_keyboard(rows) if rows else None)


# -- /practice ---------------------------------------------------------------------------------
async def practice_command(update: Update, context: CoachContext) -> None:
    """/practice: role-play a prospect; the agent asks, the bot answers and scores."""
    agent = current_agent(update, context)
    scripts = _library(context).get(agent.locale)
    rows = [[(scenario.title[:40], f"{PREFIX}:ps:0:{scenario_id}")]
            for scenario_id, scenario in scripts.scenarios.items()]
    await reply(update, context, agent, "coaching/practice_pick",
                scenarios=list(scripts.scenarios.values()), keyboard=inline_keyboard(rows))


async def _practice_start(update: Update, context: CoachContext, agent: Agent, _: int,
                          scenario_id: str) -> None:
    services = context.services
    record = coach.open_practice(services.store, agent, scenario_id, _library(context),
                                 services.clock.now())
    if record is None:
        await reply(update, context, agent, "general/stale_button")
        return
    services.store.dialogs.set_dialog(agent.id, _chat_id(update),
                                      Dialog(FLOW, "practice", {"record": record.id}))
    scenario = _library(context).get(agent.locale).scenarios[scenario_id]
    await reply(update, context, agent, "coaching/practice_start", scenario=scenario,
                keyboard=_practice_keyboard(context, agent, record.id))


def _practice_keyboard(context: CoachContext, agent: Agent, record_id: int) -> \
        InlineKeyboardMarkup:
    return inline_keyboard([[(label(context, agent, "coaching.practice_end"),
                              f"{PREFIX}:pe:{record_id}")]])


async def _practice_turn(update: Update, context: CoachContext, agent: Agent, dialog: Dialog,
                         question: str) -> None:
    services = context.services
    record = services.store.coaching.get_session(agent.id, int(dialog.data["record"]))
    if record is None or record.status == "done":
        services.store.dialogs.clear_dialog(agent.id, _chat_id(update))
        await reply(update, context, agent, "coaching/spin_closed")
        return
    scenario = _library(context).get(agent.locale).scenarios[record.ref]
    session = practice.PracticeSession.from_dict(record.state)
    session, answer = practice.ask(session, clean_text(question, 500), scenario,
                                   services.clock.now(), prospect=services.prospect)
    services.store.coaching.save_session(agent.id, record.id, session.to_dict(), "active")
    await reply(update, context, agent, "coaching/practice_turn", turn=session.turns[-1],
                scenario=scenario, answer=answer,
                keyboard=_practice_keyboard(context, agent, record.id))


async def _practice_end(update: Update, context: CoachContext, agent: Agent, record_id: int,
                        arg: str) -> None:
    services = context.services
    record = services.store.coaching.get_session(agent.id, record_id)
    if record is None or record.kind != coach.PRACTICE:
        await reply(update, context, agent, "general/stale_button")
        return
    session = practice.PracticeSession.from_dict(record.state)
    result = practice.score(session)
    services.store.coaching.save_session(agent.id, record.id, session.to_dict(), "done")
    services.store.dialogs.clear_dialog(agent.id, _chat_id(update))
    scripts = _library(context).get(agent.locale)
    await reply(update, context, agent, "coaching/practice_score", score=result,
                scripts=scripts, turns=len(session.turns))


async def _menu(update: Update, context: CoachContext, agent: Agent, client_id: int,
                arg: str) -> None:
    await menu(update, context, agent, client_id)


ACTIONS = {
    "m": _menu, "sp": _spin_start, "sq": _spin_action, "sb": _spin_action,
    "ss": _spin_action, "sn": _spin_action, "sp_": _spin_action, "sf": _spin_action,
    "sm": _summary, "pr": _prep, "pl": _playbooks, "po": _playbook_open,
    "pt": _playbook_action, "pn": _playbook_action, "pb": _playbook_action,
    "ob": _objection_list, "oo": _objection_open, "rf": _referral,
    "ps": _practice_start, "pe": _practice_end,
}
