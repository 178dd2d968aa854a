"""SQL for the client book. Every query is scoped by the agent who owns the data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from coachbot.domain.models import (
    STAGES,
    TRAITS,
    Client,
    ClientCard,
    ClientFilter,
    Contact,
    FamilyMember,
    GroupRole,
    ImportantDate,
    Policy,
)
from coachbot.domain.teams import PROPOSAL_STAGES
from coachbot.store.base import Repository, parse_stamp, utc_stamp

CLIENT_FIELDS = frozenset({
    "kind", "name", "gender", "phone", "birthday", "address", "occupation", "income_band",
    "family_situation", "financial_situation", "notes", "locale", "grade_override", "stage",
    "referred_by", "contact_every_days", "consent_scope", "group_profile", "needs_summary",
    "origin", "raw_values",
})
POLICY_FIELDS = frozenset({
    "policy_no", "product", "product_type", "insured", "holder", "sum_insured", "annual_premium",
    "currency", "start_date", "payment_term_years", "payment_frequency", "status",
    "next_due_date", "delivered_date", "source",
})
JSON_FIELDS = frozenset({"group_profile", "needs_summary", "raw_values"})
# field -> the raw_values keys it retires when set (what an import could not read)
RAW_FIELDS = {"phone": ("phone",), "birthday": ("birthday", "lunar_birthday")}
LIVE_CLIENT = "c.deleted_at IS NULL"

# A client's open next step: the next-step date of their latest contact (a later contact closes
# an earlier one's step). Kept on the client row so that the digest's follow-ups are an index
# range instead of a join over every contact.
DERIVE_OPEN_STEP = (
    "UPDATE clients SET (open_step_date, open_step_contact_id) = (SELECT k.next_step_date, k.id "
    "FROM contacts k WHERE k.client_id = clients.id ORDER BY k.at DESC, k.id DESC LIMIT 1)")


class ClientStore(Repository):
    """Clients and everything hanging off them."""

    # -- clients ----------------------------------------------------------------------------
    def add_client(
        self, agent_id: int, values: Mapping[str, Any], *, search_key: str,
        traits: Iterable[str] = (), tags: Iterable[str] = (),
    ) -> Client:
        """Insert a client; `values` uses CLIENT_FIELDS names."""
        client_id = self.insert_client(agent_id, values, search_key=search_key, traits=traits,
                                       tags=tags)
        client = self.get_client(agent_id, client_id)
        assert client is not None
        return client

    def insert_client(
        self, agent_id: int, values: Mapping[str, Any], *, search_key: str,
        traits: Iterable[str] = (), tags: Iterable[str] = (),
    ) -> int:
        """add_client without reading the client back: its id."""
        unknown = set(values) - CLIENT_FIELDS
        if unknown:
            raise ValueError(f"unknown client fields {sorted(unknown)}")
        row = {name: _to_db(name, value) for name, value in values.items()}
        row.update(_trait_columns(traits))
        now = self._stamp()
        row.update(agent_id=agent_id, search_key=search_key, created_at=now, updated_at=now,
                   phone_digits=_digits(values.get("phone")))
        with self.db.atomic():
            columns = ", ".join(row)
            cursor = self.db.execute(
                f"INSERT INTO clients ({columns}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
            client_id = int(cursor.lastrowid or 0)
            for tag in tags:
                self._add_tag(agent_id, client_id, tag)
        return client_id

    def get_client(self, agent_id: int, client_id: int, *, include_deleted: bool = False) -> \
            Client | None:
        """A client of this agent, or None (never another agent's)."""
        deleted = "" if include_deleted else f" AND {LIVE_CLIENT}"
        rows = self.rows(f"c.agent_id = ? AND c.id = ?{deleted}", [agent_id, client_id])
        return rows[0] if rows else None

    def update_client(
        self, agent_id: int, client_id: int, values: Mapping[str, Any], *,
        search_key: str | None = None, traits: Iterable[str] | None = None,
    ) -> Client | None:
        """Change fields of one client; None if it isn't this agent's."""
        unknown = set(values) - CLIENT_FIELDS
        if unknown:
            raise ValueError(f"unknown client fields {sorted(unknown)}")
        row = {name: _to_db(name, value) for name, value in values.items()}
        if "phone" in values:
            row["phone_digits"] = _digits(values.get("phone"))
        if search_key is not None:
            row["search_key"] = search_key
        if traits is not None:
            row.update(_trait_columns(traits))
        row["updated_at"] = self._stamp()
        self._note_stage_change(agent_id, client_id, values)
        assignments = ", ".join(f"{name} = ?" for name in row)
        # a field set by hand replaces what an import could not read
        for name, keys in RAW_FIELDS.items():
            if values.get(name) and "raw_values" not in values:
                paths = ", ".join(f"'$.{key}'" for key in keys)
                assignments += f", raw_values = json_remove(raw_values, {paths})"
        cursor = self.db.execute(
            f"UPDATE clients SET {assignments} WHERE agent_id = ? AND id = ? "
            "AND deleted_at IS NULL",
            [*row.values(), agent_id, client_id],
        )
        if not cursor.rowcount:
            return None
        return self.get_client(agent_id, client_id)

    def set_consent(self, agent_id: int, client_id: int, scope: str | None) -> Client | None:
        """Record (or withdraw, with None) the client's consent to keep their data."""
        stamp = self._stamp() if scope else None
        self.db.execute(
            "UPDATE clients SET consent_at = ?, consent_scope = ?, updated_at = ? "
            "WHERE agent_id = ? AND id = ? AND deleted_at IS NULL",
            [stamp, scope, self._stamp(), agent_id, client_id],
        )
        return self.get_client(agent_id, client_id)

    def list_clients(
        self, agent_id: int, flt: ClientFilter | None = None, *, limit: int = 1000,
        offset: int = 0,
    ) -> tuple[list[Client], int]:
        """A page of the agent's clients (grade and tier filters are applied by the caller)."""
        flt = flt or ClientFilter()
        where, params = self._filter_sql(agent_id, flt)
        total = self.db.execute(f"SELECT COUNT(*) FROM clients c WHERE {where}", params)
        count = int(total.fetchone()[0])
        rows = self.rows(where, params, limit=limit, offset=offset)
        return rows, count

    def search_clients(self, agent_id: int, words: list[str], *, limit: int = 50) -> list[Client]:
        """Clients whose name, pinyin, initials or phone digits contain every word."""
        clauses = []
        params: list[Any] = [agent_id]
        for word in words:
            clauses.append("(c.search_key LIKE ? ESCAPE '\\' OR c.phone_digits LIKE ? ESCAPE '\\')")
            pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%")\
                .replace("_", "\\_") + "%"
            params.extend([pattern, pattern])
        where = " AND ".join(["c.agent_id = ?", LIVE_CLIENT, "c.archived_at IS NULL", *clauses])
        return self.rows(where, params, limit=limit)

    def find_duplicates(
        self, agent_id: int, *, phone: str | None, name: str, birthday: str | None,
        exclude_id: int | None = None,
    ) -> list[Client]:
        """Clients with the same phone, or the same name and birthday."""
        # each way of matching looks up its own index (agent + phone, agent + name); an OR in
        # one WHERE made SQLite read the agent's whole book on every add
        lookups, params = [], []
        digits = _digits(phone)
        if digits:
            lookups.append("SELECT id FROM clients WHERE agent_id = ? AND phone_digits = ?")
            params.extend([agent_id, digits])
        if birthday:
            lookups.append("SELECT id FROM clients WHERE agent_id = ? AND name = ? "
                           "AND birthday = ?")
            params.extend([agent_id, name, birthday])
        if not lookups:
            return []
        where = f"+c.agent_id = ? AND {LIVE_CLIENT} AND c.id IN ({' UNION ALL '.join(lookups)})"
        found = self.rows(where, [agent_id, *params], limit=10)
        return [c for c in found if c.id != exclude_id]

    def clients_by_ids(self, agent_id: int, client_ids: Iterable[int]) -> list[Client]:
        """The agent's live clients among these ids (others are left out)."""
        ids = list(client_ids)
        return self.rows(f"c.agent_id = ? AND {LIVE_CLIENT} AND c.id IN "
                         "(SELECT value FROM json_each(?))", [agent_id, json.dumps(ids)],
                         limit=max(1, len(ids)))

    def clients_by_name(self, agent_id: int, name: str) -> list[Client]:
        """Exact-name matches (imports and forwarded messages)."""
        return self.rows(f"c.agent_id = ? AND {LIVE_CLIENT} AND c.name = ?",
                         [agent_id, name], limit=10)

    def client_named_at_start(self, agent_id: int, text: str) -> Client | None:
        """The client whose full name begins `text` ("张三明天15点..." -> 张三), longest first."""
        rows = self.db.execute(
            "SELECT id, name FROM clients WHERE agent_id = ? AND deleted_at IS NULL AND "
            "length(name) < length(?) AND substr(?, 1, length(name)) = name "
            "ORDER BY length(name) DESC LIMIT 5", [agent_id, text, text]).fetchall()
        for client_id, name in rows:
            following = text[len(name):len(name) + 1]
            if name[-1].isascii() and name[-1].isalnum() and following.isalnum():
                continue  # "Tom" must not match "Tomorrow ..."
            return self.get_client(agent_id, client_id)
        return None

    def eod_candidates(self, agent_id: int, today: date, *, limit: int = 8) -> \
            list[tuple[int, str]]:
        """Clients an agent most likely saw today: follow-ups due first, then recent contacts."""
        rows = self.db.execute(
            "SELECT c.id, c.name FROM clients c WHERE c.agent_id = ? AND c.deleted_at IS NULL "
            "AND c.archived_at IS NULL ORDER BY CASE WHEN EXISTS (SELECT 1 FROM contacts k "
            "WHERE k.client_id = c.id AND k.next_step_date <= ? AND k.next_step_date >= ?) "
            "THEN 0 ELSE 1 END, COALESCE(c.last_contact_at, c.created_at) DESC LIMIT ?",
            [agent_id, today.isoformat(), (today - timedelta(days=7)).isoformat(), limit])
        return [(row[0], row[1]) for row in rows]

    def soft_delete(self, agent_id: int, client_id: int) -> bool:
        """Hide a client; undo_delete brings it back until it is purged."""
        cursor = self.db.execute(
            "UPDATE clients SET deleted_at = ? WHERE agent_id = ? AND id = ? "
            "AND deleted_at IS NULL", [self._stamp(), agent_id, client_id])
        return cursor.rowcount == 1

    def undo_delete(self, agent_id: int, client_id: int) -> bool:
        cursor = self.db.execute(
            "UPDATE clients SET deleted_at = NULL WHERE agent_id = ? AND id = ? "
            "AND deleted_at IS NOT NULL", [agent_id, client_id])
        return cursor.rowcount == 1

    def purge_deleted(self, older_than: timedelta) -> int:
        """Erase for good what was deleted longer ago than the undo window (all agents)."""
        limit = (self.clock.now() - older_than).isoformat(timespec="seconds")
        cursor = self.db.execute(
            "DELETE FROM clients WHERE deleted_at IS NOT NULL AND deleted_at < ?", [limit])
        return cursor.rowcount

    def set_archived(self, agent_id: int, client_id: int, archived: bool) -> bool:
        cursor = self.db.execute(
            "UPDATE clients SET archived_at = ? WHERE agent_id = ? AND id = ? "
            "AND deleted_at IS NULL", [self._stamp() if archived else None, agent_id, client_id])
        return cursor.rowcount == 1

    def erase_client(self, agent_id: int, client_id: int) -> bool:
        """Delete a client and everything about them now (a privacy-law erasure request)."""
        # every table about a client references it ON DELETE CASCADE, reminders included
        cursor = self.db.execute(
            "DELETE FROM clients WHERE agent_id = ? AND id = ?", [agent_id, client_id])
        return cursor.rowcount == 1

    # -- tags -------------------------------------------------------------------------------
    def add_tag(self, agent_id: int, client_id: int, tag: str) -> bool:
        if self.get_client(agent_id, client_id) is None:
            return False
        self._add_tag(agent_id, client_id, tag)
        return True

    def remove_tag(self, agent_id: int, client_id: int, tag: str) -> None:
        self.db.execute("DELETE FROM client_tags WHERE agent_id = ? AND client_id = ? AND tag = ?",
                        [agent_id, client_id, tag])

    def tags_in_use(self, agent_id: int) -> list[str]:
        rows = self.db.execute(
            "SELECT t.tag, COUNT(*) n FROM client_tags t JOIN clients c ON c.id = t.client_id "
            f"WHERE t.agent_id = ? AND {LIVE_CLIENT} GROUP BY t.tag ORDER BY n DESC, t.tag",
            [agent_id])
        return [row[0] for row in rows]

    def _add_tag(self, agent_id: int, client_id: int, tag: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO client_tags (client_id, agent_id, tag) VALUES (?, ?, ?)",
            [client_id, agent_id, tag])

    # -- family, dates, roles ---------------------------------------------------------------
    def add_family_member(self, agent_id: int, client_id: int, *, relation: str, name: str,
                          gender: str | None = None, birthday: str | None = None) -> int | None:
        if self.get_client(agent_id, client_id) is None:
            return None
        cursor = self.db.execute(
            "INSERT INTO family_members (client_id, agent_id, relation, name, gender, birthday) "
            "VALUES (?, ?, ?, ?, ?, ?)", [client_id, agent_id, relation, name, gender, birthday])
        return int(cursor.lastrowid or 0)

    def family_of(self, agent_id: int, client_id: int) -> list[FamilyMember]:
        rows = self.db.execute(
            "SELECT id, client_id, relation, name, gender, birthday FROM family_members "
            "WHERE agent_id = ? AND client_id = ? ORDER BY id", [agent_id, client_id])
        return [FamilyMember(*row) for row in rows]

    def set_family_birthday(self, agent_id: int, member_id: int,
                            birthday: str | None) -> int | None:
        """A family member's birthday; the client's id, or None if not this agent's."""
        rows = self._returning(
            "UPDATE family_members SET birthday = ? WHERE agent_id = ? AND id = ? "
            "RETURNING client_id", [birthday, agent_id, member_id])
        return rows[0][0] if rows else None

    def delete_family_member(self, agent_id: int, member_id: int) -> int | None:
        """Remove a family member; the client's id, or None if not this agent's."""
        rows = self._returning(
            "DELETE FROM family_members WHERE agent_id = ? AND id = ? RETURNING client_id",
            [agent_id, member_id])
        return rows[0][0] if rows else None

    def add_date(self, agent_id: int, client_id: int, *, kind: str, label: str | None,
                 yearly: str) -> int | None:
        if self.get_client(agent_id, client_id) is None:
            return None
        cursor = self.db.execute(
            "INSERT INTO important_dates (client_id, agent_id, kind, label, date) "
            "VALUES (?, ?, ?, ?, ?)", [client_id, agent_id, kind, label, yearly])
        return int(cursor.lastrowid or 0)

    def dates_of(self, agent_id: int, client_id: int) -> list[ImportantDate]:
        rows = self.db.execute(
            "SELECT id, client_id, kind, label, date FROM important_dates "
            "WHERE agent_id = ? AND client_id = ? ORDER BY id", [agent_id, client_id])
        return [ImportantDate(*row) for row in rows]

    def delete_date(self, agent_id: int, date_id: int) -> int | None:
        """Remove a key date; the client's id, or None if not this agent's."""
        rows = self._returning(
            "DELETE FROM important_dates WHERE agent_id = ? AND id = ? RETURNING client_id",
            [agent_id, date_id])
        return rows[0][0] if rows else None

    def set_group_role(self, agent_id: int, client_id: int, role: str, *,
                       person: str | None, won: bool) -> bool:
        if self.get_client(agent_id, client_id) is None:
            return False
        self.db.execute(
            "INSERT INTO group_roles (client_id, agent_id, role, person, won) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(client_id, role) DO UPDATE SET "
            "person = excluded.person, won = excluded.won",
            [client_id, agent_id, role, person, int(won)])
        return True

    def roles_of(self, agent_id: int, client_id: int) -> list[GroupRole]:
        rows = self.db.execute(
            "SELECT role, person, won FROM group_roles WHERE agent_id = ? AND client_id = ?",
            [agent_id, client_id])
        return [GroupRole(role, person, bool(won)) for role, person, won in rows]

    # -- policies ---------------------------------------------------------------------------
    def add_policy(self, agent_id: int, client_id: int, values: Mapping[str, Any]) -> \
            Policy | None:
        unknown = set(values) - POLICY_FIELDS
        if unknown:
            raise ValueError(f"unknown policy fields {sorted(unknown)}")
        if self.get_client(agent_id, client_id) is None:
            return None
        row = {name: _to_db(name, value) for name, value in values.items()}
        row.update(client_id=client_id, agent_id=agent_id, created_at=self._stamp())
        cursor = self.db.execute(
            f"INSERT INTO policies ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()))
        return self.get_policy(agent_id, int(cursor.lastrowid or 0))

    def update_policy(self, agent_id: int, policy_id: int, values: Mapping[str, Any]) -> \
            Policy | None:
        unknown = set(values) - POLICY_FIELDS
        if unknown:
            raise ValueError(f"unknown policy fields {sorted(unknown)}")
        row = {name: _to_db(name, value) for name, value in values.items()}
        if row:
            self.db.execute(
                f"UPDATE policies SET {', '.join(f'{n} = ?' for n in row)} "
                "WHERE agent_id = ? AND id = ?", [*row.values(), agent_id, policy_id])
        return self.get_policy(agent_id, policy_id)

    def get_policy(self, agent_id: int, policy_id: int) -> Policy | None:
        rows = self.policy_rows("p.agent_id = ? AND p.id = ?", [agent_id, policy_id])
        return rows[0] if rows else None

    def policies_of(self, agent_id: int, client_id: int) -> list[Policy]:
        # "+p.agent_id": by the client's index, not a scan of the agent's policies
        return self.policy_rows("+p.agent_id = ? AND p.client_id = ?", [agent_id, client_id])

    def delete_policy(self, agent_id: int, policy_id: int) -> int | None:
        """Remove a policy; the client's id, or None if not this agent's."""
        rows = self._returning(
            "DELETE FROM policies WHERE agent_id = ? AND id = ? RETURNING client_id",
            [agent_id, policy_id])
        return rows[0][0] if rows else None

    def premium_by_client(self, agent_id: int) -> dict[int, tuple[float, int]]:
        """Per client: total live annual premium and number of live policies."""
        rows = self.db.execute(
            "SELECT p.client_id, SUM(p.annual_premium), COUNT(*) FROM policies p "
            "JOIN clients c ON c.id = p.client_id "
            f"WHERE p.agent_id = ? AND p.status IN ('active', 'pending') AND {LIVE_CLIENT} "
            "GROUP BY p.client_id", [agent_id])
        return {row[0]: (float(row[1] or 0), int(row[2])) for row in rows}

    def policies_started_between(self, agent_id: int, first: date, last: date) -> list[Policy]:
        """Policies sold in a period (by start date), for funnels and sources."""
        return self.policy_rows(
            "p.agent_id = ? AND p.start_date BETWEEN ? AND ?",
            [agent_id, first.isoformat(), last.isoformat()])

    def policies_sold_between(self, agent_id: int, first: date, last: date,
                              start: datetime, end: datetime) -> list[Policy]:
        """Policies sold in a period: by start date (起保日期), or by the moment they were
        recorded (`start` to `end`, UTC) when they have none, as the activity counts do."""
        return self.policy_rows(
            "p.agent_id = ? AND ((p.start_date BETWEEN ? AND ?) OR (p.start_date IS NULL AND "
            "p.created_at >= ? AND p.created_at < ?))",
            [agent_id, first.isoformat(), last.isoformat(), utc_stamp(start), utc_stamp(end)])

    def renewals_due_between(self, agent_id: int, first: date,
                             last: date) -> list[tuple[Policy, str]]:
        """Live policies whose next premium falls in the period, with their client's name."""
        policies = self.policy_rows(
            "p.agent_id = ? AND p.next_due_date BETWEEN ? AND ? AND p.status = 'active'",
            [agent_id, first.isoformat(), last.isoformat()], order="p.next_due_date, p.id")
        names = dict(self.db.execute(
            "SELECT c.id, c.name FROM clients c WHERE c.agent_id = ? AND c.id IN "
            "(SELECT value FROM json_each(?))",
            [agent_id, json.dumps(sorted({p.client_id for p in policies}))]).fetchall())
        return [(p, names.get(p.client_id, "")) for p in policies]

    def referred_by(self, agent_id: int, client_id: int, *, limit: int = 20) -> list[Client]:
        """The clients this one introduced (转介绍), live ones, by name."""
        # "+c.agent_id": by the referrer's index, not a scan of the agent's whole book
        return self.rows(f"+c.agent_id = ? AND c.referred_by = ? AND {LIVE_CLIENT}",
                         [agent_id, client_id], limit=limit)

    def count_referred_by(self, agent_id: int, client_id: int) -> int:
        row = self.db.execute(
            f"SELECT COUNT(*) FROM clients c WHERE +c.agent_id = ? AND c.referred_by = ? "
            f"AND {LIVE_CLIENT}", [agent_id, client_id]).fetchone()
        return int(row[0])

    def origins(self, agent_id: int) -> dict[str, int]:
        """How many live clients came from each origin (缘故 / 转介绍 / 陌生)."""
        return {origin: count for origin, count in self.db.execute(
            f"SELECT origin, COUNT(*) FROM clients c WHERE c.agent_id = ? AND {LIVE_CLIENT} "
            "AND c.origin IS NOT NULL GROUP BY origin", [agent_id])}

    # -- contact log ------------------------------------------------------------------------
    def log_contact(
        self, agent_id: int, client_id: int, *, at: datetime, channel: str,
        summary: str | None = None, next_step: str | None = None,
        next_step_date: date | None = None,
    ) -> Contact | None:
        """Record a visit or other contact; it also resets the stay-in-touch timer."""
        if self.get_client(agent_id, client_id) is None:
            return None
        stamp = utc_stamp(at)  # one offset for all: the log is compared as text
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT INTO contacts (client_id, agent_id, at, channel, summary, next_step, "
                "next_step_date, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [client_id, agent_id, stamp, channel, summary, next_step,
                 next_step_date.isoformat() if next_step_date else None, self._stamp()])
            self.db.execute(
                "UPDATE clients SET last_contact_at = MAX(COALESCE(last_contact_at, ''), ?) "
                "WHERE agent_id = ? AND id = ?", [stamp, agent_id, client_id])
            self._derive_open_step(agent_id, client_id)
        contact_id = int(cursor.lastrowid or 0)
        return next(c for c in self.contacts_of(agent_id, client_id, limit=50)
                    if c.id == contact_id)

    def set_next_step(self, agent_id: int, contact_id: int, *, next_step: str | None,
                      on: date) -> int | None:
        """Give a logged contact its next step's date; returns the client id."""
        self.db.execute(
            "UPDATE contacts SET next_step_date = ?, next_step = COALESCE(?, next_step) "
            "WHERE agent_id = ? AND id = ?", [on.isoformat(), next_step, agent_id, contact_id])
        client_id = self._contact_client(agent_id, contact_id)
        if client_id is not None:
            self._derive_open_step(agent_id, client_id)
        return client_id

    def _derive_open_step(self, agent_id: int, client_id: int) -> None:
        self.db.execute(f"{DERIVE_OPEN_STEP} WHERE agent_id = ? AND id = ?",
                        [agent_id, client_id])

    def set_contact_summary(self, agent_id: int, contact_id: int, summary: str) -> int | None:
        """Record what was said at a logged contact; returns the client id."""
        self.db.execute("UPDATE contacts SET summary = ? WHERE agent_id = ? AND id = ?",
                        [summary, agent_id, contact_id])
        return self._contact_client(agent_id, contact_id)

    def _contact_client(self, agent_id: int, contact_id: int) -> int | None:
        row = self.db.execute(
            "SELECT k.client_id FROM contacts k JOIN clients c ON c.id = k.client_id "
            f"WHERE k.agent_id = ? AND k.id = ? AND {LIVE_CLIENT}", [agent_id, contact_id]
        ).fetchone()
        return int(row[0]) if row else None

    def contacts_of(self, agent_id: int, client_id: int, *, limit: int = 5) -> list[Contact]:
        rows = self.db.execute(
            "SELECT id, client_id, at, channel, summary, next_step, next_step_date FROM contacts "
            "WHERE agent_id = ? AND client_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            [agent_id, client_id, limit])
        return [Contact(r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4], r[5],
                        date.fromisoformat(r[6]) if r[6] else None) for r in rows]

    def contacts_between(self, agent_id: int, start: datetime, end: datetime) -> list[Contact]:
        rows = self.db.execute(
            "SELECT id, client_id, at, channel, summary, next_step, next_step_date FROM contacts "
            "WHERE agent_id = ? AND at >= ? AND at < ? ORDER BY at",
            [agent_id, utc_stamp(start), utc_stamp(end)])
        return [Contact(r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4], r[5],
                        date.fromisoformat(r[6]) if r[6] else None) for r in rows]

    # -- the whole card ---------------------------------------------------------------------
    def client_card(self, agent_id: int, client_id: int, *, contacts: int = 3,
                    client: Client | None = None) -> ClientCard | None:
        """Everything on the card (`client`: the client as the caller just read it, this
        agent's, to save reading it again)."""
        if client is None or client.id != client_id or client.agent_id != agent_id \
                or client.deleted_at is not None:
            client = self.get_client(agent_id, client_id)
        if client is None:
            return None
        referrer = self.get_client(agent_id, client.referred_by) if client.referred_by else None
        return ClientCard(
            client=client,
            family=self.family_of(agent_id, client_id),
            dates=self.dates_of(agent_id, client_id),
            policies=self.policies_of(agent_id, client_id),
            contacts=self.contacts_of(agent_id, client_id, limit=contacts),
            roles=self.roles_of(agent_id, client_id),
            referrer=referrer,
        )

    # -- helpers ----------------------------------------------------------------------------
    def _note_stage_change(self, agent_id: int, client_id: int,
                           values: Mapping[str, Any]) -> None:
        """Before a client's stage changes: record when they became a prospect or a proposal."""
        new = values.get("stage")
        if "stage" not in values or new not in STAGES:
            return
        row = self.db.execute(
            "SELECT stage FROM clients WHERE agent_id = ? AND id = ? AND deleted_at IS NULL",
            [agent_id, client_id]).fetchone()
        if row is None:
            return
        old = row[0]
        kinds = []
        if old is None:
            kinds.append("new_prospect")
        if new in PROPOSAL_STAGES and old not in PROPOSAL_STAGES:
            kinds.append("proposal")
        for kind in kinds:  # once per client: moving back and forth is not new work
            self.db.execute(
                "INSERT INTO activity_events (agent_id, kind, client_id, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(agent_id, kind, client_id) DO NOTHING",
                [agent_id, kind, client_id, self._stamp()])

    def _filter_sql(self, agent_id: int, flt: ClientFilter) -> tuple[str, list[Any]]:
        clauses = ["c.agent_id = ?", LIVE_CLIENT,
                   "c.archived_at IS NOT NULL" if flt.archived else "c.archived_at IS NULL"]
        params: list[Any] = [agent_id]
        if flt.stage:
            clauses.append("c.stage = ?")
            params.append(flt.stage)
        if flt.kind:
            clauses.append("c.kind = ?")
            params.append(flt.kind)
        if flt.tag:
            clauses.append("EXISTS (SELECT 1 FROM client_tags t WHERE t.client_id = c.id "
                           "AND t.tag = ?)")
            params.append(flt.tag)
        return " AND ".join(clauses), params

    # rows() and policy_rows() take a WHERE clause: for this store and its sibling repositories
    def rows(self, where: str, params: list[Any], *, limit: int = 1000,
             offset: int = 0) -> list[Client]:
        cursor = self.db.execute(
            "SELECT c.*, (SELECT group_concat(tag, char(31)) FROM client_tags t "
            f"WHERE t.client_id = c.id) AS tag_list FROM clients c WHERE {where} "
            "ORDER BY c.name COLLATE NOCASE, c.id LIMIT ? OFFSET ?", [*params, limit, offset])
        columns = [d[0] for d in cursor.description]
        return [_client(dict(zip(columns, row, strict=True))) for row in cursor]

    def policy_rows(self, where: str, params: list[Any], *,
                    order: str = "p.start_date, p.id") -> list[Policy]:
        cursor = self.db.execute(
            "SELECT p.id, p.client_id, p.product, p.annual_premium, p.policy_no, p.product_type, "
            "p.insured, p.holder, p.sum_insured, p.currency, p.start_date, p.payment_term_years, "
            "p.payment_frequency, p.status, p.next_due_date, p.delivered_date, p.source "
            f"FROM policies p JOIN clients c ON c.id = p.client_id WHERE {where} "
            f"AND {LIVE_CLIENT} ORDER BY {order}", params)
        policies = []
        for row in cursor:
            values = list(row)
            for index in (10, 14, 15):
                values[index] = date.fromisoformat(values[index]) if values[index] else None
            policies.append(Policy(*values))
        return policies


def _client(row: dict[str, Any]) -> Client:
    traits = frozenset(t for t in TRAITS if row[f"trait_{t}"])
    tags = tuple(sorted(row["tag_list"].split("\x1f"))) if row["tag_list"] else ()
    return Client(
        id=row["id"], agent_id=row["agent_id"], kind=row["kind"], name=row["name"],
        gender=row["gender"], phone=row["phone"], birthday=row["birthday"],
        address=row["address"], occupation=row["occupation"], income_band=row["income_band"],
        family_situation=row["family_situation"], financial_situation=row["financial_situation"],
        notes=row["notes"], locale=row["locale"], traits=traits,
        grade_override=row["grade_override"], stage=row["stage"],
        referred_by=row["referred_by"], contact_every_days=row["contact_every_days"],
        consent_at=parse_stamp(row["consent_at"]), consent_scope=row["consent_scope"],
        group_profile=json.loads(row["group_profile"]) if row["group_profile"] else None,
        needs_summary=json.loads(row["needs_summary"]) if row["needs_summary"] else None,
        last_contact_at=parse_stamp(row["last_contact_at"]),
        archived_at=parse_stamp(row["archived_at"]), deleted_at=parse_stamp(row["deleted_at"]),
        created_at=parse_stamp(row["created_at"]), updated_at=parse_stamp(row["updated_at"]),
        tags=tags, origin=row.get("origin"),
        raw_values=json.loads(row["raw_values"]) if row.get("raw_values") else {},
    )


def _to_db(name: str, value: Any) -> Any:
    if name in JSON_FIELDS and value is not None:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _trait_columns(traits: Iterable[str]) -> dict[str, int]:
    chosen = set(traits)
    return {f"trait_{t}": int(t in chosen) for t in TRAITS}


def _digits(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits or None
