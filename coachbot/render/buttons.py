"""The wire format of every inline button: `prefix:code:args`, spelled here and nowhere else.

Code names each action in words (`CARD.data("open", client_id)`); the short codes exist only on
the wire, where Telegram allows 64 bytes. Handlers parse presses with the same sets, and push/
builds the buttons of what it sends with them, so neither has to import the other.
"""

from __future__ import annotations

from collections.abc import Mapping

MAX_CALLBACK_BYTES = 64  # Telegram's limit; PTB does not check it before sending
MAX_ID = 2**63 - 1  # SQLite INTEGER


class ButtonSet:
    """The buttons of one feature: a prefix, and a short wire code per action name."""

    def __init__(self, prefix: str, *, fallback: str | None = None, **codes: str) -> None:
        """`fallback` names the action of data whose code is none of ours: for buttons whose
        first field is itself data (a filter code, a board period), spelled `prefix:args`."""
        if len(set(codes.values())) != len(codes):
            raise ValueError(f"two actions of {prefix!r} share a code")
        self.prefix = prefix
        self.fallback = fallback
        self.codes: Mapping[str, str] = dict(codes)
        self._names = {code: name for name, code in codes.items()}

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action name, the fallback included."""
        return (*self.codes, *([self.fallback] if self.fallback else []))

    def data(self, action: str, *args: object) -> str:
        """The callback data of a button; ValueError if it does not fit Telegram's 64 bytes."""
        data = self._spell(action, args)
        if not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data {data!r} does not fit Telegram's 64 bytes")
        return data

    def fits(self, action: str, *args: object) -> bool:
        """Whether data() would fit (a long holiday name as an argument may not)."""
        return len(self._spell(action, args).encode()) <= MAX_CALLBACK_BYTES

    def data_if_fits(self, action: str, *args: object) -> str | None:
        """data(), or None where it would not fit: spelled once (a morning's digests spell
        ~30,000 entry buttons)."""
        data = self._spell(action, args)
        return data if 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES else None

    def parse(self, data: str) -> tuple[str, list[str]] | None:
        """(action name, args) of data of this set; None for another set's or an unknown code.

        Any client can send any callback data. An argument that str.isdigit() accepts but that
        cannot be one of our ids ("²", "٣", or beyond SQLite's 64-bit INTEGER) comes back as "",
        so checks on digits refuse it instead of int() or SQLite raising.
        """
        if not data.startswith(self.prefix + ":"):
            return None
        fields = [_id_or_blank(part) for part in data[len(self.prefix) + 1:].split(":")]
        name = self._names.get(fields[0])
        if name is not None:
            return name, fields[1:]
        if self.fallback is not None:
            return self.fallback, fields
        return None

    def _spell(self, action: str, args: tuple[object, ...]) -> str:
        if action == self.fallback:
            return ":".join([self.prefix, *map(str, args)])
        return ":".join([self.prefix, self.codes[action], *map(str, args)])


def _id_or_blank(part: str) -> str:
    if part.isdigit() and not (part.isascii() and int(part) <= MAX_ID):
        return ""
    return part


# -- clients ----------------------------------------------------------------------------------
CARD = ButtonSet(
    "cl", open="o", edit="e", field="f", choose="set", grade="g", stages="s", set_stage="ss",
    more="m", ask_tag="tag", remove_tag="ut", kind="kind", consent="cs", archive="ar",
    delete="del", undo="undo", erase="er", export="x", coach="co", visit="v", family="fam",
    policies="pol", dates="dat", origin="og",
)
RECORDS = ButtonSet(
    "rc", family="fam", policies="pol", dates="dat", add_family="fam+", relation="rel",
    delete_family="fx", add_date="dat+", date_kind="dk", delete_date="dx", add_policy="pol+",
    policy="po", policy_field="pf", policy_choice="pc", delete_policy="px",
    skip_birthday="dskip",
)
VISITS = ButtonSet("vi", channel="c", next_in="n", summary="s", pick_date="d", forwarded="f")
ADD = ButtonSet("ad", skip="skip", force="force", stop="stop", line="line")
CLIENT_LIST = ButtonSet("ls", fallback="page", filters="menu")  # ls:<filter code>:<page>
GROUP_CLIENT = ButtonSet("gc", open="o", role="r", won="w", source="src", guide="guide",
                         typed="t", profit="pf", social="soc")
# se:<code>:<client or event>[:<kind or status>]: gatherings, claims, servicing, renewals
SERVICE = ButtonSet("se", menu="m", kind="k", status="st", history="h")
IMPORT = ButtonSet("im", confirm="ok", cancel="no", answer="q", answer_all="qa")

# -- the day ----------------------------------------------------------------------------------
ITEMS = ButtonSet("rm", open="o", entry="e", sent="sent", alternative="alt", done="done",
                  skip="skip", snooze="snz", rest="rest")  # rm:rest:<yyyymmdd>:<page>
ONE_OFFS = ButtonSet("ro", cancel="x", edit="e", snooze="s", done="d")
END_OF_DAY = ButtonSet("eod", visited="v", find="find", end="end")
# one letter per kind in a digest entry's data (rm:e:<kind>:<client>:<yyyymmdd>:<ref>)
ENTRY_KINDS = {"birthday": "b", "family_birthday": "f", "wedding": "w", "custom": "c",
               "policy_anniversary": "a", "festival": "h", "follow_up": "u", "premium": "p",
               "callback": "k", "review": "r", "stay_in_touch": "s", "proposal": "o"}
ENTRY_KINDS_BY_CODE = {code: kind for kind, code in ENTRY_KINDS.items()}

# -- coaching, settings, teams ----------------------------------------------------------------
COACH = ButtonSet(
    "co", menu="m", spin="sp", spin_question="sq", spin_back="sb", spin_skip="ss",
    spin_next="sn", spin_pause="sp_", spin_finish="sf", summary="sm", prep="pr",
    playbooks="pl", playbook="po", playbook_tick="pt", playbook_next="pn", playbook_back="pb",
    objections="ob", objection="oo", referral="rf", type="ty",
)
# a client's proposals (计划书): pp:<action>:<client or proposal id>[:<choice>]
PROPOSAL = ButtonSet(
    "pp", list="l", open="o", new="n", product="p", frequency="f", sent="s", book="bk",
    explained="ex", resolve="v", accept="ok", decline="no", reason="r",
)
# role-play practice (handlers/practice.py): pc:start:<scenario>, pc:end:<record>
PRACTICE = ButtonSet("pc", start="s", end="e")
# what the coach knows about a client, fact by fact (handlers/facts.py):
# kf:<action>:<client>[:<fact id> | :<key>[:<choice>]]
FACTS = ButtonSet("kf", list="l", open="o", confirm="ok", remove="x", correct="e", choose="c")
# facts a model read from a note (handlers/ai_facts.py): fx:ok:<held record>
FOUND_FACTS = ButtonSet("fx", save="ok")
# pf:ask:<field>:<mode> asks; pf:<field>:<value>:<mode> saves a choice
PREFERENCES = ButtonSet("pf", ask="ask", lang="lang", region="region", time="time",
                        target="target", eod="eod", tone="tone", sign="sign")
TEAM = ButtonSet(
    "tm", new="new", home="home", invite="inv", regenerate="regen", members="mem", member="m",
    nudge="nudge", deputy="dep", remove="rm", remove_confirmed="rmy", time="time", goal="goal",
    nickname="nick", rename="name", close="close", close_confirmed="closey", leave="leave",
    currency="cur", remove_rate="rmr",
)
BOARD = ButtonSet("tb", fallback="show")  # tb:<week|month>:<policies|premium|visits>

ALL = (CARD, RECORDS, VISITS, ADD, CLIENT_LIST, GROUP_CLIENT, SERVICE, IMPORT, ITEMS, ONE_OFFS,
       END_OF_DAY, COACH, PREFERENCES, TEAM, BOARD, PRACTICE, FOUND_FACTS, PROPOSAL, FACTS)


def open_card(client_id: int, *, new: bool = False) -> str:
    """A button to a client's card: edited in place, or (`new`) sent as a new message."""
    return CARD.data("open", client_id, "new") if new else CARD.data("open", client_id)
