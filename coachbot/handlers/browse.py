"""/clients (list, filters, search) and /book (the book at a glance)."""

from __future__ import annotations

from telegram import Update

from coachbot.domain.classify import activity_needed, grade_of
from coachbot.domain.clients import search_words
from coachbot.domain.models import GRADES, STAGES, TIERS, Agent, Client, ClientFilter
from coachbot.domain.plan import activity_plan
from coachbot.handlers.card import show_card
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
from coachbot.services import book

PREFIX = "ls"
FILTER_MENU = "menu"


def _filter_from(code: str, tags: list[str]) -> ClientFilter | None:
    """Filter codes kept short for callback data: gA, sB, tvip, T3 (tag index), grp, arc, all."""
    if code == "all":
        return ClientFilter()
    if code == "grp":
        return ClientFilter(kind="group")
    if code == "arc":
        return ClientFilter(archived=True)
    if code[:1] == "g" and code[1:] in GRADES:
        return ClientFilter(grade=code[1:])
    if code[:1] == "s" and code[1:] in STAGES:
        return ClientFilter(stage=code[1:])
    if code[:1] == "t" and code[1:] in TIERS:
        return ClientFilter(tier=code[1:])
    if code[:1] == "T" and code[1:].isdigit() and int(code[1:]) < len(tags):
        return ClientFilter(tag=tags[int(code[1:])])
    return None


async def clients(update: Update, context: CoachContext) -> None:
    """/clients lists the book; /clients <words> searches names, pinyin, initials and phones."""
    agent = current_agent(update, context)
    words = search_words(" ".join(context.args or []))
    if not words:
        await _list(update, context, agent, "all", 0, fresh=True)
        return
    await search(update, context, agent, words)


async def search(update: Update, context: CoachContext, agent: Agent, words: list[str]) -> None:
    """Show the matches; a single hit opens its card."""
    found = context.services.store.clients.search_clients(agent.id, words, limit=21)
    if len(found) == 1:
        await show_card(update, context, agent, found[0].id, fresh=True)
        return
    rows = [[(_client_caption(c), f"cl:o:{c.id}")] for c in found[:20]]
    await reply(update, context, agent, "browse/search_results", query=" ".join(words),
                count=len(found), keyboard=inline_keyboard(rows) if rows else None)


async def on_callback(update: Update, context: CoachContext) -> None:
    """ls:<filter>:<page>, or ls:menu for the filter choices."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    agent = current_agent(update, context)
    parts = callback_parts(update, PREFIX)
    if parts == [FILTER_MENU]:
        await _filter_menu(update, context, agent)
        return
    if len(parts) == 2 and parts[1].isdigit():
        await _list(update, context, agent, parts[0], int(parts[1]))
        return
    await reply(update, context, agent, "general/stale_button")


async def _list(update: Update, context: CoachContext, agent: Agent, code: str, page: int, *,
                fresh: bool = False) -> None:
    services = context.services
    tags = services.store.clients.tags_in_use(agent.id)
    flt = _filter_from(code, tags)
    if flt is None:
        await reply(update, context, agent, "general/stale_button")
        return
    result = book.list_page(services.store, agent, flt, page, services.settings.tier_thresholds)
    rows: list[list[Button]] = [[(_client_caption(c), f"cl:o:{c.id}")] for c in result.clients]
    nav: list[Button] = []
    if result.page > 0:
        nav.append(("◀", f"{PREFIX}:{code}:{result.page - 1}"))
    nav.append((label(context, agent, "browse.filter"), f"{PREFIX}:{FILTER_MENU}"))
    if result.page + 1 < result.pages:
        nav.append(("▶", f"{PREFIX}:{code}:{result.page + 1}"))
    rows.append(nav)
    values = {"result": result, "filter_code": code,
              "tag": flt.tag, "empty_book": result.total == 0 and code == "all"}
    keyboard = inline_keyboard(rows)
    if fresh:
        await reply(update, context, agent, "browse/list", keyboard=keyboard, **values)
    else:
        await edit_or_reply(update, context, agent, "browse/list", keyboard=keyboard, **values)


async def _filter_menu(update: Update, context: CoachContext, agent: Agent) -> None:
    tags = context.services.store.clients.tags_in_use(agent.id)[:6]
    rows: list[list[Button]] = [
        [(label(context, agent, "browse.grade", grade=g), f"{PREFIX}:g{g}:0") for g in GRADES],
        [(label(context, agent, f"stages.{s}"), f"{PREFIX}:s{s}:0") for s in STAGES[:2]],
        [(label(context, agent, f"stages.{s}"), f"{PREFIX}:s{s}:0") for s in STAGES[2:]],
        [(label(context, agent, f"tiers.{t}"), f"{PREFIX}:t{t}:0") for t in TIERS],
        [(label(context, agent, "browse.groups"), f"{PREFIX}:grp:0"),
         (label(context, agent, "browse.archived"), f"{PREFIX}:arc:0"),
         (label(context, agent, "browse.everyone"), f"{PREFIX}:all:0")],
    ]
    if tags:
        rows.append([(f"#{t}"[:20], f"{PREFIX}:T{i}:0") for i, t in enumerate(tags[:3])])
        if len(tags) > 3:
            rows.append([(f"#{t}"[:20], f"{PREFIX}:T{i + 3}:0") for i, t in enumerate(tags[3:])])
    await edit_or_reply(update, context, agent, "browse/filters", keyboard=inline_keyboard(rows))


def _client_caption(client: Client) -> str:
    """A list button: the name, cut to fit a phone, with grade and stage badges."""
    grade = grade_of(client).grade
    stage = f"[{client.stage}]" if client.stage else None
    name = client.name if len(client.name) <= 28 else client.name[:27] + "…"
    return " ".join(filter(None, [name, grade, stage]))


async def show_book(update: Update, context: CoachContext) -> None:
    """/book: counts by grade, stage and tier, the month's funnel against the target."""
    agent = current_agent(update, context)
    services = context.services
    summary = book.book_summary(services.store, agent, services.clock.now(),
                                services.settings.tier_thresholds)
    plan = activity_plan(agent.monthly_target)
    buttons = [[(label(context, agent, "browse.open_list"), f"{PREFIX}:all:0"),
                (label(context, agent, "browse.filter"), f"{PREFIX}:{FILTER_MENU}")]]
    await reply(update, context, agent, "browse/book", summary=summary, plan=plan,
                gaps=activity_needed(summary, plan), keyboard=inline_keyboard(buttons))
