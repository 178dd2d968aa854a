"""Client book files: import a CSV/Excel/vCard list (preview, then confirm) and /export."""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

from telegram import Update

from coachbot.domain.models import Agent, Dialog
from coachbot.domain.regions import REGIONS, currency_for
from coachbot.handlers.common import (
    CoachContext,
    callback_parts,
    current_agent,
    edit_or_reply,
    inline_keyboard,
    label,
    reply,
)
from coachbot.services import book, clientio
from coachbot.services.clientio import ImportFileError

logger = logging.getLogger(__name__)

PREFIX = "im"
FLOW = "import"
STEP_CONFIRM = "confirm"
CONFIRM, CANCEL = "ok", "no"
# im:q:<token>:<line>:<choice> answers one question, im:qa:<token>:<choice> all open ones
ANSWER, ANSWER_ALL = "q", "qa"
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
    chat = update.effective_chat
    assert chat is not None
    problems = preview.problems
    questions = preview.plan.questions[:QUESTIONS_SHOWN]
    values: dict[str, Any] = {
        "plan": preview.plan, "read": preview.read, "skipped": len(problems),
        "problems": problems[:clientio.MAX_PROBLEMS_SHOWN],
        "more_problems": max(0, len(problems) - clientio.MAX_PROBLEMS_SHOWN),
        "gaps": preview.plan.gaps[:clientio.MAX_PROBLEMS_SHOWN],
        "questions": list(zip(MARKS, questions, strict=False)),
    }
    store = context.services.store
    send = edit_or_reply if update.callback_query is not None else reply  # answers edit
    if not preview.plan.has_changes:
        store.dialogs.clear_dialog(agent.id, chat.id)
        await send(update, context, agent, "files/nothing_to_import", **values)
        return
    # a new token ties the buttons to this preview, not an older one
    token = token or secrets.token_hex(4)
    store.dialogs.set_dialog(agent.id, chat.id,
                             Dialog(FLOW, STEP_CONFIRM, preview.dialog_data(filename, token)))
    keyboard = inline_keyboard(_preview_buttons(context, agent, preview, token))
    await send(update, context, agent, "files/preview", keyboard=keyboard, **values)


def _preview_buttons(context: CoachContext, agent: Agent, preview: clientio.ImportPreview,
                     token: str) -> list[list[tuple[str, str]]]:
    """A row of answers per question shown; confirm once nothing is left to answer."""
    rows = [[(label(context, agent, f"files.answer.{choice}", mark=mark),
              f"{PREFIX}:{ANSWER}:{token}:{question.line}:{key}")
             for key, choice in CHOICES.items()]
            for mark, question in zip(MARKS, preview.plan.questions[:QUESTIONS_SHOWN],
                                      strict=False)]
    if len(preview.plan.questions) > 1:
        rows.append([(label(context, agent, f"files.answer.all_{choice}",
                            count=len(preview.plan.questions)),
                      f"{PREFIX}:{ANSWER_ALL}:{token}:{key}")
                     for key, choice in CHOICES.items() if choice != "merge"])
    last = [(label(context, agent, "files.cancel"), f"{PREFIX}:{CANCEL}:{token}")]
    if not preview.plan.questions:
        count = len(preview.plan.new) + len(preview.plan.merges)
        last.insert(0, (label(context, agent, "files.confirm", count=count),
                        f"{PREFIX}:{CONFIRM}:{token}"))
    return [*rows, last]


def _valid_callback(parts: list[str], dialog: Dialog | None) -> bool:
    """A button of the current preview, in one of its shapes."""
    if dialog is None or dialog.flow != FLOW or len(parts) < 2 \
            or parts[1] != dialog.data.get("token"):
        return False
    action, rest = parts[0], parts[2:]
    if action in (CONFIRM, CANCEL):
        return not rest
    if action == ANSWER:
        return len(rest) == 2 and rest[0].isdigit() and rest[1] in CHOICES
    # "merge them all" is not offered: each merge is the agent's call, one by one
    return action == ANSWER_ALL and len(rest) == 1 and rest[0] in ("n", "s")


async def on_callback(update: Update, context: CoachContext) -> None:
    """im:ok:<token> applies the previewed import in one go; im:no:<token> drops it;
    im:q / im:qa answer its questions (same phone, another name)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    chat = update.effective_chat
    assert chat is not None
    store = context.services.store
    dialog = store.dialogs.get_dialog(agent.id, chat.id)
    parts = callback_parts(update, PREFIX)
    if not _valid_callback(parts, dialog):
        await reply(update, context, agent, "general/stale_button")
        return
    assert dialog is not None
    if parts[0] in (ANSWER, ANSWER_ALL):
        await _answer(update, context, agent, dialog, parts)
        return
    store.dialogs.clear_dialog(agent.id, chat.id)
    if parts[0] == CANCEL:
        await edit_or_reply(update, context, agent, "files/import_cancelled")
        return
    outcome = clientio.apply_import(store, agent.id, dialog.data)
    logger.info("agent %s imported %s new, %s merged", agent.id, outcome.added, outcome.merged)
    await edit_or_reply(update, context, agent, "files/imported", outcome=outcome,
                        gaps=outcome.gaps[:clientio.MAX_PROBLEMS_SHOWN])


async def _answer(update: Update, context: CoachContext, agent: Agent, dialog: Dialog,
                  parts: list[str]) -> None:
    """Record the agent's answer to one question (or to all open ones), show the preview."""
    store = context.services.store
    preview = clientio.preview_from_dialog(store, agent.id, dialog.data)
    lines = [int(parts[2])] if parts[0] == ANSWER else None
    preview = clientio.answer_questions(store, agent.id, preview, lines, CHOICES[parts[-1]])
    await _show_preview(update, context, agent, preview, str(dialog.data.get("file", "")),
                        token=str(dialog.data["token"]))


async def export(update: Update, context: CoachContext) -> None:
    """/export: the whole book as a CSV (clients) and an Excel workbook (everything)."""
    agent = current_agent(update, context)
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    data = clientio.load_book(services.store, agent.id, currency=currency_for(agent.region),
                              thresholds=services.settings.tier_thresholds)
    if not data.clients:
        await reply(update, context, agent, "files/export_empty")
        return
    files = await asyncio.to_thread(
        clientio.export_book, data, lambda key: label(context, agent, key),
        locale=agent.locale, region=_region(agent), timezone=agent.timezone)
    stamp = book.agent_today(agent, services.clock.now()).strftime("%Y%m%d")
    await context.bot.send_document(
        chat.id, document=files.csv, filename=f"clients-{stamp}.csv",
        caption=label(context, agent, "files.csv_caption", clients=files.clients))
    await context.bot.send_document(
        chat.id, document=files.xlsx, filename=f"client-book-{stamp}.xlsx",
        caption=label(context, agent, "files.xlsx_caption", clients=files.clients,
                      policies=files.policies))
