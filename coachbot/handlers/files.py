"""Client book files: import a CSV/Excel/vCard list (preview, then confirm) and /export."""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

from telegram import Update
from telegram.constants import ChatAction

from coachbot.domain.models import Agent, Dialog
from coachbot.domain.regions import REGIONS, currency_for
from coachbot.handlers.common import (
    CoachContext,
    chat_id_of,
    current_agent,
    edit_or_reply,
    label,
    reply,
)
from coachbot.handlers.dispatch import Buttons, Command, Feature, Press
from coachbot.render.buttons import IMPORT
from coachbot.runtime.messages import inline_keyboard
from coachbot.services import book, clientio, dialogs, knowledge
from coachbot.services.clientio import ImportFileError

logger = logging.getLogger(__name__)

FLOW = "import"
STEP_CONFIRM = "confirm"
# answers to a question (same phone, another name): merge, add as a new person, skip
CHOICES = {"m": "merge", "n": "new", "s": "skip"}
QUESTIONS_SHOWN = 5  # with a row of buttons each; the next ones come as these are answered
MARKS = "①②③④⑤"


def _region(agent: Agent) -> str:
    return agent.region if agent.region in REGIONS else "CN"


async def import_help(update: Update, context: CoachContext) -> None:
    """/import: how to bring a client list in (send the file)."""
    agent = current_agent(update, context)
    await reply(update, context, agent, "files/import_help",
                max_rows=clientio.MAX_ROWS, max_mb=clientio.MAX_FILE_BYTES // (1024 * 1024))


async def on_document(update: Update, context: CoachContext) -> None:
    """A file in a private chat: read it as a client list and preview what importing does."""
    agent = current_agent(update, context)
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    if (document.file_size or 0) > clientio.MAX_FILE_BYTES:
        await _bad_file(update, context, agent, ImportFileError("too_big"))
        return
    # reading a list takes a moment: show "typing…" rather than silence
    await context.bot.send_chat_action(chat_id_of(update), ChatAction.TYPING)
    telegram_file = await context.bot.get_file(document.file_id)
    content = bytes(await telegram_file.download_as_bytearray())
    today = book.agent_today(agent, context.services.clock.now())
    try:
        # in a child process with a time and memory limit: a hostile spreadsheet must not
        # stall every other chat or take the machine's memory
        read = await clientio.read_in_child(document.file_name or "", content,
                                            region=_region(agent), today=today)
    except ImportFileError as problem:
        await _bad_file(update, context, agent, problem)
        return
    preview = clientio.preview_import(context.services.store, agent.id, read)
    await _show_preview(update, context, agent, preview, document.file_name or "")


async def _bad_file(update: Update, context: CoachContext, agent: Agent,
                    problem: ImportFileError) -> None:
    await reply(update, context, agent, "files/bad_file", reason=problem.reason,
                headers=problem.headers, max_rows=clientio.MAX_ROWS,
                max_mb=clientio.MAX_FILE_BYTES // (1024 * 1024))


async def _show_preview(update: Update, context: CoachContext, agent: Agent,
                        preview: clientio.ImportPreview, filename: str,
                        token: str | None = None) -> None:
    """The preview with its questions and buttons; edited in place when answering."""
    chat_id = chat_id_of(update)
    problems = preview.problems
    values: dict[str, Any] = {
        "plan": preview.plan, "read": preview.read, "skipped": len(problems),
        "problems": problems[:clientio.MAX_PROBLEMS_SHOWN],
        "more_problems": max(0, len(problems) - clientio.MAX_PROBLEMS_SHOWN),
        "gaps": preview.plan.gaps[:clientio.MAX_PROBLEMS_SHOWN],
        "questions": list(zip(MARKS, preview.plan.questions[:QUESTIONS_SHOWN], strict=False)),
    }
    send = edit_or_reply if update.callback_query is not None else reply  # answers edit
    store = context.services.store
    if not preview.plan.has_changes:
        dialogs.clear_dialog(store, agent.id, chat_id)
        await send(update, context, agent, "files/nothing_to_import", **values)
        return
    token = token or secrets.token_hex(4)  # ties the buttons to this preview, not an older one
    dialogs.set_dialog(store, agent.id, chat_id,
                       Dialog(FLOW, STEP_CONFIRM, preview.dialog_data(filename, token)))
    keyboard = inline_keyboard(_preview_buttons(context, agent, preview, token))
    await send(update, context, agent, "files/preview", keyboard=keyboard, **values)


def _preview_buttons(context: CoachContext, agent: Agent, preview: clientio.ImportPreview,
                     token: str) -> list[list[tuple[str, str]]]:
    """A row of answers per question shown; confirm once nothing is left to answer."""
    rows = [[(label(context, agent, f"files.answer.{choice}", mark=mark),
              IMPORT.data("answer", token, question.line, key))
             for key, choice in CHOICES.items()]
            for mark, question in zip(MARKS, preview.plan.questions[:QUESTIONS_SHOWN],
                                      strict=False)]
    if len(preview.plan.questions) > 1:
        # "merge them all" is not offered: each merge is the agent's call, one by one
        rows.append([(label(context, agent, f"files.answer.all_{choice}",
                            count=len(preview.plan.questions)),
                      IMPORT.data("answer_all", token, key))
                     for key, choice in CHOICES.items() if choice != "merge"])
    last = [(label(context, agent, "files.cancel"), IMPORT.data("cancel", token))]
    if not preview.plan.questions:
        count = len(preview.plan.new) + len(preview.plan.merges)
        last.insert(0, (label(context, agent, "files.confirm", count=count),
                        IMPORT.data("confirm", token)))
    return [*rows, last]


def _preview_dialog(press: Press, extra_args: int) -> Dialog | None:
    """The open preview this press belongs to (its token first, then `extra_args` more)."""
    dialog = press.dialog()
    if dialog is None or dialog.flow != FLOW or len(press.args) != 1 + extra_args \
            or press.arg(0) != dialog.data.get("token"):
        return None
    return dialog


async def _confirm_or_cancel(press: Press) -> None:
    """im:ok:<token> applies the previewed import in one go and reads the imported clients'
    notes and fields into facts; im:no:<token> drops it."""
    dialog = _preview_dialog(press, 0)
    if dialog is None:
        await press.stale()
        return
    press.clear_dialog()
    if press.action == "cancel":
        await press.edit("files/import_cancelled")
        return
    outcome = clientio.apply_import(press.store, press.agent.id, dialog.data)
    logger.info("agent %s imported %s new, %s merged", press.agent.id, outcome.added,
                outcome.merged)
    # the coach reads the imported notes and fields (off the event loop; a few seconds for a
    # long list, "typing…" meanwhile) before saying it's done: a card opened next shows them
    if len(outcome.touched) > knowledge.READ_BATCH:
        await press.context.bot.send_chat_action(press.chat_id, ChatAction.TYPING)
    known = await knowledge.read_clients(press.store, press.agent.id, outcome.touched)
    await press.edit("files/imported", outcome=outcome, facts_read=known,
                     gaps=outcome.gaps[:clientio.MAX_PROBLEMS_SHOWN])


async def _answer(press: Press) -> None:
    """im:q:<token>:<line>:<m|n|s> answers one question (same phone, another name);
    im:qa:<token>:<n|s> answers every open one; the preview is shown again in place."""
    one = press.action == "answer"
    dialog = _preview_dialog(press, 2 if one else 1)
    choice = CHOICES.get(press.arg(2 if one else 1))
    line = press.int_arg(1) if one else None
    if dialog is None or choice is None or (one and line is None) \
            or (not one and choice == "merge"):
        await press.stale()
        return
    preview = clientio.preview_from_dialog(press.store, press.agent.id, dialog.data)
    preview = clientio.answer_questions(press.store, press.agent.id, preview,
                                        [line] if line is not None else None, choice)
    await _show_preview(press.update, press.context, press.agent, preview,
                        str(dialog.data.get("file", "")), token=str(dialog.data["token"]))


async def export(update: Update, context: CoachContext) -> None:
    """/export: the whole book as a CSV (clients) and an Excel workbook (everything)."""
    agent = current_agent(update, context)
    chat_id = chat_id_of(update)
    services = context.services
    data = clientio.load_book(services.store, agent.id, currency=currency_for(agent.region),
                              thresholds=services.settings.tier_thresholds)
    if not data.clients:
        await reply(update, context, agent, "files/export_empty")
        return
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    files = await asyncio.to_thread(
        clientio.export_book, data, lambda key: label(context, agent, key),
        locale=agent.locale, region=_region(agent), timezone=agent.timezone)
    stamp = book.agent_today(agent, services.clock.now()).strftime("%Y%m%d")
    await context.bot.send_document(
        chat_id, document=files.csv, filename=f"clients-{stamp}.csv",
        caption=label(context, agent, "files.csv_caption", clients=files.clients))
    await context.bot.send_document(
        chat_id, document=files.xlsx, filename=f"client-book-{stamp}.xlsx",
        caption=label(context, agent, "files.xlsx_caption", clients=files.clients,
                      policies=files.policies))


FEATURE = Feature(
    commands=(Command("import", import_help, section="book"),
              Command("export", export, section="book")),
    buttons=(Buttons(IMPORT, {"confirm": _confirm_or_cancel, "cancel": _confirm_or_cancel,
                              "answer": _answer, "answer_all": _answer}),),
)
