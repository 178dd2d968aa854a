"""/clients (list, filters, search) and /book (the book at a glance)."""

from __future__ import annotations

from telegram import Update

from coachbot.domain.classify import activity_needed, grade_of
from coachbot.domain.clients import search_words
from coachbot.domain.models import GRADES, STAGES, TIERS, Agent, Client, ClientFilter
from coachbot.domain.plan import activity_plan
from coachbot.handlers import general
from coachbot.handlers.card import show_card
from coachbot.handlers.common import CoachContext, current_agent, label, reply, show
from coachbot.handlers.dispatch import Buttons, Command, Feature, Press
from coachbot.render.buttons import CLIENT_LIST, open_card
from coachbot.runtime.messages import Button, inline_keyboard
from coachbot.services import book, clients


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


async def clients_command(update: Update, context: CoachContext) -> None:
    """/clients lists the book; /clients <words> searches names, pinyin, initials and phones."""
    agent = current_agent(update, context)
    words = search_words(" ".join(context.args or []))
    if not words:
        await _list(update, context, agent, "all", 0, fresh=True)
        return
    await search(update, context, agent, words)


async def search(update: Update, context: CoachContext, agent: Agent, words: list[str]) -> None:
    """Show the matches; a single hit opens its card."""
    found = clients.search_clients(context.services.store, agent.id, words, limit=21)
    if len(found) == 1:
        await show_card(update, context, agent, found[0].id, fresh=True)
        return
    rows = [[(_client_caption(c), open_card(c.id))] for c in found[:20]]
    await reply(update, context, agent, "browse/search_results", query=" ".join(words),
                count=len(found), keyboard=inline_keyboard(rows) if rows else None)


async def outside_flow(update: Update, context: CoachContext, agent: Agent) -> None:
    """Text outside any flow: a typed name (or pinyin, or phone digits) finds the client."""
    words = search_words(update.effective_message.text or "")  # type: ignore[union-attr]
    if words and clients.search_clients(context.services.store, agent.id, words, limit=1):
        await search(update, context, agent, words)
        return
    await general.free_text(update, context)


async def _page(press: Press) -> None:
    """ls:<filter>:<page>"""
    page = press.int_arg(1)
    if len(press.args) != 2 or page is None:
        await press.stale()
        return
    await _list(press.update, press.context, press.agent, press.arg(0), page)


async def _filters(press: Press) -> None:
    """ls:menu: the filter choices."""
    if press.args:
        await press.stale()
        return
    await _filter_menu(press)


async def _list(update: Update, context: CoachContext, agent: Agent, code: str, page: int, *,
                fresh: bool = False) -> None:
    services = context.services
    flt = _filter_from(code, clients.tags_in_use(services.store, agent.id))
    if flt is None:
        await reply(update, context, agent, "general/stale_button")
        return
    result = book.list_page(services.store, agent, flt, page, services.settings.tier_thresholds)
    rows: list[list[Button]] = [[(_client_caption(c), open_card(c.id))] for c in result.clients]
    nav: list[Button] = []
    if result.page > 0:
        nav.append(("◀", CLIENT_LIST.data("page", code, result.page - 1)))
    nav.append((label(context, agent, "browse.filter"), CLIENT_LIST.data("filters")))
    if result.page + 1 < result.pages:
        nav.append(("▶", CLIENT_LIST.data("page", code, result.page + 1)))
    rows.append(nav)
    await show(update, context, agent, "browse/list", fresh=fresh, keyboard=inline_keyboard(rows),
               result=result, filter_code=code, tag=flt.tag,
               empty_book=result.total == 0 and code == "all")


async def _filter_menu(press: Press) -> None:
    tags = clients.tags_in_use(press.store, press.agent.id)[:6]

    def first_page(caption: str, code: str) -> Button:
        return caption, CLIENT_LIST.data("page", code, 0)

    rows: list[list[Button]] = [
        [first_page(press.label("browse.grade", grade=g), f"g{g}") for g in GRADES],
        [first_page(press.label(f"stages.{s}"), f"s{s}") for s in STAGES[:2]],
        [first_page(press.label(f"stages.{s}"), f"s{s}") for s in STAGES[2:]],
        [first_page(press.label(f"tiers.{t}"), f"t{t}") for t in TIERS],
        [first_page(press.label("browse.groups"), "grp"),
         first_page(press.label("browse.archived"), "arc"),
         first_page(press.label("browse.everyone"), "all")],
    ]
    if tags:
        rows.append([first_page(f"#{t}"[:20], f"T{i}") for i, t in enumerate(tags[:3])])
        if len(tags) > 3:
            rows.append([first_page(f"#{t}"[:20], f"T{i + 3}") for i, t in enumerate(tags[3:])])
    await press.edit("browse/filters", keyboard=inline_keyboard(rows))


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
    buttons = [[(label(context, agent, "browse.open_list"), CLIENT_LIST.data("page", "all", 0)),
                (label(context, agent, "browse.filter"), CLIENT_LIST.data("filters"))]]
    await reply(update, context, agent, "browse/book", summary=summary, plan=plan,
                gaps=activity_needed(summary, plan), keyboard=inline_keyboard(buttons))


FEATURE = Feature(
    commands=(Command("clients", clients_command, section="book"),
              Command("book", show_book, section="book")),
    buttons=(Buttons(CLIENT_LIST, {"page": _page, "filters": _filters}),),
)
