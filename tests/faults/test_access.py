"""Access control: another agent, a group, or an uninvited user gets nothing of an agent's book.

Agent A has a full book. We crawl A's own UI (every inline button the bot ever sent A, level by
level) to learn every callback data the bot really produces, with A's ids in it. Then agent B
presses all of them, and variants that mix B's own client with A's policy, family, date and
contact ids; B also types into whatever dialog a press opened, and sends every command with
A's ids, names and phones as arguments. Afterwards: none of B's replies mentions anything of
A's, and every row of A's in every table is exactly as before.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from coachbot.config import Settings
from coachbot.handlers.registry import COMMANDS, PREFIXES
from coachbot.services import records, service_events
from tests.conftest import LONG
from tests.faults.live import forgive_double_taps, settle
from tests.faults.test_fuzz_bot import check_errors
from tests.faults.world import BookIds, dump_rows, onboard, seed_book
from tests.harness import BotHarness, start_harness

A, B, STRANGER = 1001, 2002, 3003
GROUP = -100777
# pressing these while crawling would destroy A's book before B gets to attack it
CRAWL_SKIP = {"del", "er", "px", "fx", "dx", "ar", "undo", "kind", "x", "ut"}
# a press with one of these actions asks for typed input next
DIALOG_OPENERS = {"f", "tag", "rel", "dk", "dat+", "pol+", "pf", "s", "d", "e", "find", "ask",
                  "k", "p", "bk", "ex"}  # the last three: a proposal's typed steps
TYPED_ANSWERS = ["13900001111", "明天", "新名字", "1985-03-02", "5000", "备注"]


def secrets_of(harness: BotHarness, ids: BookIds) -> list[str]:
    """Strings that only A's book contains: names, phones (as typed and as digits), notes,
    policies, family members, contact summaries, one-off texts."""
    found = [*ids.names, *ids.phones, *(p.lstrip("+") for p in ids.phones)]
    found += [p[-8:] for p in ids.phones]  # national forms end with these digits
    found += [f"{what}ZQ{i}" for what in ("秘密备注", "机密保单", "孩子", "谈了", "提醒")
              for i in range(len(ids.names))]
    return found


def leaks(harness: BotHarness, chat_id: int, after: int, secrets: list[str]) -> list[str]:
    """Secrets found in what the bot sent to a chat after `after` (texts, captions, buttons,
    and the bytes of documents)."""
    found = []
    for request in harness.sandbox.requests[after:]:
        if request.params.get("chat_id") != chat_id and request.method != "answerCallbackQuery":
            continue
        blob = json.dumps(request.params, ensure_ascii=False, default=str)
        blob += "".join(f.data.decode("utf-8", "ignore") for f in request.files.values())
        for secret in secrets:
            if secret in blob or secret in re.sub(r"[\s-]", "", blob):
                found.append(f"{request.method}: {secret!r} in {blob[:300]}")
    return found


def keyboards(harness: BotHarness, chat_id: int, after: int) -> dict[str, int]:
    """callback data -> message id, from every keyboard the bot sent or edited into a chat."""
    found: dict[str, int] = {}
    for request in harness.sandbox.requests[after:]:
        if request.params.get("chat_id") != chat_id or not request.ok:
            continue
        markup = request.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        result = request.response.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        message_id = message_id or request.params.get("message_id")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data") and message_id:
                    found.setdefault(button["callback_data"], message_id)
    return found


async def crawl(harness: BotHarness, user: Any, ids: BookIds, *, levels: int,
                limit: int) -> dict[str, int]:
    """Every button reachable in A's UI within `levels` presses (batched per level)."""
    sandbox = harness.sandbox
    start = len(sandbox.requests)
    for command in ("/clients", "/book", "/today", "/reminders", "/log", "/settings",
                    *(f"/{c.name}" for c in COMMANDS if c.name not in ("start", "cancel"))):
        sandbox.send_text(user, command)
    for client_id in ids.clients:
        sandbox.press(user, 1, f"cl:o:{client_id}:new", force=True)
    for item_id in ids.items:
        sandbox.press(user, 1, f"rm:o:{item_id}", force=True)
    await settle(harness, timeout=180)
    seen = keyboards(harness, user.id, start)
    pressed: set[str] = set()
    for _ in range(levels):
        todo = by_variety([d for d in seen if d not in pressed
                           and not CRAWL_SKIP & set(d.split(":")[1:2])])
        todo = todo[:min(limit // levels, limit - len(pressed))]
        if not todo:
            break
        mark = len(sandbox.requests)
        for data in todo:
            sandbox.press(user, seen[data], data, force=True)
            pressed.add(data)
        await settle(harness, timeout=180)
        for data, message_id in keyboards(harness, user.id, mark).items():
            seen.setdefault(data, message_id)
    sandbox.send_text(user, "/cancel")
    await settle(harness)
    return seen


def by_variety(datas: list[str]) -> list[str]:
    """Round robin over prefixes, and within a prefix over actions: every kind of button is
    pressed once before any is pressed twice."""
    def round_robin(groups: dict[str, list[str]]) -> list[str]:
        ordered: list[str] = []
        while any(groups.values()):
            for queue in groups.values():
                if queue:
                    ordered.append(queue.pop(0))
        return ordered

    by_prefix: dict[str, dict[str, list[str]]] = {}
    for data in datas:
        prefix, _, rest = data.partition(":")
        by_prefix.setdefault(prefix, {}).setdefault(rest.split(":")[0], []).append(data)
    return round_robin({p: round_robin(actions) for p, actions in by_prefix.items()})


ODD_IDS = ["²", str(2**63), "9" * 30, "-1", "", "0"]


def forged_ids(seen: dict[str, int], *, every: bool) -> list[str]:
    """Real buttons with their numeric fields replaced by ids that cannot exist: one kind of
    button after another, one odd id each (all of them when `every`)."""
    out = []
    for number, data in enumerate(by_variety(sorted(seen))):
        kinds = [":".join(d.split(":")[:2]) for d in out]
        parts = data.split(":")
        if not every and ":".join(parts[:2]) in kinds:
            continue
        for odd in ODD_IDS if every else [ODD_IDS[number % len(ODD_IDS)]]:
            forged = [odd if part.isdigit() else part for part in parts]
            if forged != parts:
                out.append(":".join(forged))
    return [d for d in dict.fromkeys(out) if 0 < len(d.encode()) <= 64]


def variants(data: str, mine: int, theirs: BookIds) -> list[str]:
    """The same button aimed elsewhere: B's own client first, then each kind of A's id."""
    parts = data.split(":")
    out = []
    if len(parts) >= 3 and parts[2].isdigit():
        swapped = [*parts]
        swapped[2] = str(mine)
        out.append(":".join(swapped))  # B's client with A's ids in later fields
        for kind in (theirs.policies, theirs.family, theirs.dates, theirs.contacts,
                     theirs.items, theirs.one_offs):
            other = [*parts]
            other[2] = str(kind[0])
            out.append(":".join(other))
    return [v for v in out if len(v.encode()) <= 64]


@pytest.mark.timeout(1800)  # COACHBOT_LONG=1 presses a few thousand buttons
async def test_another_agent_gets_nothing_of_a_book(bot, caplog):
    caplog.set_level(logging.INFO)
    now, today = bot.clock.now(), bot.clock.now().date()
    onboard(bot.store, A, now)
    ids = seed_book(bot.store, A, today)
    event = service_events.record_event(bot.store, bot.store.agents.get_agent(A),
                                        ids.clients[0], "claim", now, title="秘密备注ZQ0")
    assert event is not None
    onboard(bot.store, B, now, first_name="小李")
    b_client = records.add_client(bot.store, B, {"name": "B自己的客户", "phone": "+8613700001234"},
                                  search_key="b").id
    a_user, b_user = bot.user, bot.as_user(B, "小李")
    await bot.send("/help", user=a_user)
    await bot.send("/help", user=b_user)

    seen = await crawl(bot, a_user, ids, levels=6 if LONG else 3, limit=2000 if LONG else 150)
    prefixes = {d.split(":")[0] for d in seen}
    assert prefixes >= {"cl", "rc", "vi", "ls", "rm", "ro", "pf", "se", "pp", "co"}, prefixes
    before = dump_rows(bot.store, A)
    secrets = secrets_of(bot, ids)
    mark = len(bot.sandbox.requests)

    # B presses each of A's buttons, and the variants, typing into any dialog a press opens
    presses = sorted(seen)
    for data in sorted(seen):
        presses += variants(data, b_client, ids)
    presses += [f"{p}:{a}:{i}" for p in PREFIXES for a in ("o", "x", "e", "v", "po", "del")
                for i in (ids.clients[0], ids.policies[0], ids.one_offs[0], ids.items[0])]
    # issue 18's buttons aimed at A's client and A's service event
    cid, eid = ids.clients[0], event.event.id
    presses += [f"gc:pf:{cid}:good", f"gc:soc:{cid}", f"gc:t:{cid}:sum_insured", f"gc:o:{cid}",
                f"se:m:{cid}", f"se:h:{cid}", f"se:k:{cid}:claim", f"se:st:{eid}:paid",
                f"se:st:{eid}:declined", f"se:k:{b_client}:claim"]
    # each kind of button first, then more of each: Telegram lets a bot send ~30 messages/s
    presses = by_variety(list(dict.fromkeys(presses)))[:2500 if LONG else 150]
    presses += forged_ids(seen, every=LONG)
    last = bot.sandbox.last_bot_message(B)["message_id"]
    for number, data in enumerate(dict.fromkeys(presses)):
        bot.sandbox.press(b_user, last, data, force=True)
        if set(data.split(":")[1:2]) & DIALOG_OPENERS:
            bot.sandbox.send_text(b_user, TYPED_ANSWERS[number % len(TYPED_ANSWERS)])
        if number % 50 == 49:
            await settle(bot, timeout=120)
    # every command with A's ids and ways to find A's clients (pinyin, initials, part of a
    # phone) as arguments; B never types a secret itself, so any secret in a reply is a leak
    arguments = [str(ids.clients[0]), "jimikehujia 明天 10:00 打电话", "3333444"]
    if LONG:
        arguments += ["jimikehujia", "jmkhj", "secretta", str(ids.one_offs[0])]
    for command in COMMANDS:
        for argument in arguments:
            bot.sandbox.send_text(b_user, f"/{command.name} {argument}")
    for typed in ("jimikehujia", "Secretta", "1381111", "mimi"):  # outside any flow
        bot.sandbox.send_text(b_user, typed)
    await settle(bot, timeout=180)

    found = leaks(bot, B, mark, secrets)
    assert found == [], f"B was shown A's data: {found[:10]}"
    assert dump_rows(bot.store, A) == before
    # A's book still works for A
    replies = await bot.send(f"/clients {ids.names[0]}", user=a_user)
    assert ids.names[0] in replies[-1]["text"]
    forgive_double_taps(bot)
    print(f"access: crawled {len(seen)} buttons, B tried {len(set(presses))} presses")
    check_errors(caplog)


async def test_a_group_sees_nothing_private_from_commands_and_mentions(bot, caplog):
    await group_attempts(bot, caplog, commands=True, buttons=False)


async def test_a_group_sees_nothing_private_from_forged_buttons(bot, caplog):
    await group_attempts(bot, caplog, commands=False, buttons=True)


async def group_attempts(bot: BotHarness, caplog: pytest.LogCaptureFixture, *,
                         commands: bool, buttons: bool) -> None:
    caplog.set_level(logging.INFO)
    onboard(bot.store, A, bot.clock.now())
    ids = seed_book(bot.store, A, bot.clock.now().date())
    a_user, b_user = bot.user, bot.as_user(B, "小李")
    await bot.send("/help", user=a_user)
    name = bot.app.bot.username
    # what A types in a group, and forged buttons A (the owner) and B press there
    typed = [f"/{c.name}@{name} {arg}".strip() for c in COMMANDS
             for arg in ("", ids.names[0], str(ids.clients[0]))] if commands else []
    typed += [f"@{name} {ids.names[0]} {ids.phones[0]}"] if commands else []
    presses = [(user, data) for user in (a_user, b_user) for data in (
        f"cl:o:{ids.clients[0]}", f"cl:o:{ids.clients[0]}:new", "ls:all:0", "ls:menu",
        f"rc:pol:{ids.clients[0]}", f"rc:po:{ids.clients[0]}:{ids.policies[0]}",
        f"rm:o:{ids.items[0]}", f"ro:e:{ids.one_offs[0]}", f"vi:c:{ids.clients[0]}:face",
        "eod:find", f"eod:v:{ids.clients[0]}", f"cl:x:{ids.clients[0]}",
        f"cl:m:{ids.clients[0]}", f"se:m:{ids.clients[0]}", f"se:h:{ids.clients[0]}",
        f"gc:pf:{ids.clients[0]}:good", f"gc:soc:{ids.clients[0]}")] if buttons else []
    mark = len(bot.sandbox.requests)
    # Telegram allows a bot 20 messages a minute per group: spread the attempts over groups
    per_group, groups = 12, []
    for start in range(0, len(typed) + len(presses), per_group):
        chat_id = GROUP - len(groups)
        groups.append(chat_id)
        bot.sandbox.add_bot_to_group(a_user, chat_id, f"Team {len(groups)}")
        bot.sandbox.join_group(b_user, chat_id)
        await settle(bot)
        anchor = bot.sandbox.last_bot_message(chat_id)
        assert anchor is not None  # the bot's hello
        for step in range(start, min(start + per_group, len(typed) + len(presses))):
            if step < len(typed):
                bot.sandbox.send_text(a_user, typed[step], chat_id=chat_id)
            else:
                user, data = presses[step - len(typed)]
                bot.sandbox.press(user, anchor["message_id"], data, chat_id=chat_id,
                                  force=True)
        await settle(bot)
    for chat_id in groups:
        found = leaks(bot, chat_id, mark, secrets_of(bot, ids))
        assert found == [], f"the group was shown private data: {found[:3]}"
    forgive_double_taps(bot)
    check_errors(caplog)


async def test_an_uninvited_user_gets_only_polite_refusals(tmp_path, clock, caplog):
    caplog.set_level(logging.INFO)
    settings = Settings(require_invite=True, allowed_user_ids=frozenset({A}))
    async with start_harness(tmp_path, clock, settings=settings) as bot:
        onboard(bot.store, A, clock.now())
        ids = seed_book(bot.store, A, clock.now().date())
        stranger = bot.as_user(STRANGER, "陌生人")
        await bot.send("/start", user=stranger)
        if bot.store.agents.get_agent(STRANGER) is not None:  # /start went through to onboarding
            pytest.skip("require_invite has no effect yet (the invite gate is not wired in)")
        before, mark = dump_rows(bot.store, A), len(bot.sandbox.requests)
        for command in COMMANDS:
            bot.sandbox.send_text(stranger, f"/{command.name} {ids.names[0]}")
        for data in [f"{p}:o:{ids.clients[0]}" for p in PREFIXES] + ["pf:lang:en:o"]:
            bot.sandbox.press(stranger, 1, data, force=True)
        bot.sandbox.send_text(stranger, ids.names[0])
        bot.sandbox.send_document(stranger, "a.csv", "姓名,电话\n张三,13800138000\n".encode(),
                                  "text/csv")
        bot.sandbox.send_contact(stranger, "+8613800138000", "张三")
        bot.sandbox.send_location(stranger, 22.3, 114.2)
        await settle(bot)
        replies = [m.get("text", "") for m in bot.sandbox.bot_messages(STRANGER)]
        assert replies and all(r == replies[0] for r in replies), set(replies)
        assert leaks(bot, STRANGER, mark, secrets_of(bot, ids)) == []
        assert dump_rows(bot.store, A) == before
        agent = bot.store.agents.get_agent(STRANGER)
        assert agent is None or not agent.onboarded
        assert bot.store.transfer.book_clients(STRANGER) == []
        forgive_double_taps(bot)
        check_errors(caplog)
