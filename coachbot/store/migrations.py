"""Ordered, named schema migrations. Never edit one that has landed: add a new one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("coachbot")


def _run_script(db: Database, script: str) -> None:
    """Run statements one by one: executescript() would commit the migration's transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations(name="0001_agents_and_dialogs")
def agents_and_dialogs(db: Database) -> None:
    """Agents (Telegram users who keep a book) and multi-step dialog state."""
    db.execute(
        """
        CREATE TABLE agents (
            id INTEGER PRIMARY KEY,            -- Telegram user id
            first_name TEXT NOT NULL DEFAULT '',
            username TEXT,
            locale TEXT NOT NULL DEFAULT 'zh-Hans',
            region TEXT NOT NULL DEFAULT 'CN',
            timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
            digest_time TEXT NOT NULL DEFAULT '08:00',
            monthly_target INTEGER NOT NULL DEFAULT 2,
            onboarded_at TEXT,
            blocked_at TEXT,                   -- set when Telegram says the user blocked the bot
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE dialogs (
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            flow TEXT NOT NULL,
            step TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (agent_id, chat_id)
        )
        """
    )


@migrations(name="0002_client_book")
def client_book(db: Database) -> None:
    """Clients with family, important dates, policies, contact log, tags and group profiles."""
    _run_script(
        db,
        """
        CREATE TABLE clients (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL DEFAULT 'person',      -- person | group
            name TEXT NOT NULL,
            search_key TEXT NOT NULL DEFAULT '',      -- name, pinyin and initials, lower case
            gender TEXT,                              -- m | f
            phone TEXT,                               -- E.164
            phone_digits TEXT,
            birthday TEXT,                            -- YearlyDate storage form
            address TEXT, occupation TEXT, income_band TEXT,
            family_situation TEXT, financial_situation TEXT, notes TEXT,
            locale TEXT,                              -- the client's language, if not the agent's
            trait_financial INTEGER NOT NULL DEFAULT 0,
            trait_health INTEGER NOT NULL DEFAULT 0,
            trait_accepts INTEGER NOT NULL DEFAULT 0,
            trait_decision INTEGER NOT NULL DEFAULT 0,
            grade_override TEXT,                      -- A-D when the agent overrides the traits
            stage TEXT,                               -- D C B A: prospect stage, NULL = name only
            referred_by INTEGER REFERENCES clients(id) ON DELETE SET NULL,
            contact_every_days INTEGER,               -- overrides the tier's frequency
            consent_at TEXT, consent_scope TEXT,
            group_profile TEXT,                       -- JSON for group clients
            needs_summary TEXT,                       -- JSON from the last SPIN session
            last_contact_at TEXT,
            archived_at TEXT,
            deleted_at TEXT,                          -- soft delete, undoable for a while
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX clients_agent ON clients(agent_id, deleted_at, archived_at);
        CREATE INDEX clients_agent_phone ON clients(agent_id, phone_digits);
        CREATE TABLE client_tags (
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (client_id, tag)
        );
        CREATE INDEX client_tags_agent ON client_tags(agent_id, tag);
        CREATE TABLE family_members (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            relation TEXT NOT NULL,                   -- spouse | child | parent | other
            name TEXT NOT NULL,
            gender TEXT,
            birthday TEXT
        );
        CREATE INDEX family_client ON family_members(client_id);
        CREATE TABLE important_dates (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,                       -- wedding | custom
            label TEXT,
            date TEXT NOT NULL                        -- YearlyDate storage form
        );
        CREATE INDEX dates_client ON important_dates(client_id);
        CREATE TABLE policies (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            policy_no TEXT, product TEXT NOT NULL, product_type TEXT,
            insured TEXT, holder TEXT,
            sum_insured REAL, annual_premium REAL NOT NULL DEFAULT 0, currency TEXT,
            start_date TEXT, payment_term_years INTEGER,
            payment_frequency TEXT NOT NULL DEFAULT 'annual',
            status TEXT NOT NULL DEFAULT 'active',
            next_due_date TEXT, delivered_date TEXT,
            source TEXT NOT NULL DEFAULT 'new',       -- new | upsell | referral
            created_at TEXT NOT NULL
        );
        CREATE INDEX policies_client ON policies(client_id);
        CREATE INDEX policies_agent ON policies(agent_id, status);
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            channel TEXT NOT NULL,                    -- face | phone | message | event | other
            summary TEXT,
            next_step TEXT,
            next_step_date TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX contacts_client ON contacts(client_id, at);
        CREATE INDEX contacts_agent_at ON contacts(agent_id, at);
        CREATE TABLE group_roles (
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            role TEXT NOT NULL,                       -- user | purchaser | gatekeeper | decider
            person TEXT,
            won INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (client_id, role)
        );
        """
    )


@migrations(name="0003_reminders")
def reminders(db: Database) -> None:
    """Derived due dates for one indexed sweep, the agent's to-do items, one-offs, the outbox."""
    _run_script(
        db,
        """
        ALTER TABLE agents ADD COLUMN tone TEXT NOT NULL DEFAULT 'warm';
        ALTER TABLE agents ADD COLUMN signature TEXT;
        ALTER TABLE agents ADD COLUMN eod_time TEXT NOT NULL DEFAULT '20:30';
        ALTER TABLE agents ADD COLUMN quiet_start TEXT NOT NULL DEFAULT '22:00';
        ALTER TABLE agents ADD COLUMN quiet_end TEXT NOT NULL DEFAULT '07:30';
        ALTER TABLE agents ADD COLUMN last_digest_date TEXT;
        ALTER TABLE agents ADD COLUMN last_eod_date TEXT;
        ALTER TABLE clients ADD COLUMN tier TEXT;
        ALTER TABLE clients ADD COLUMN contact_due_date TEXT;
        ALTER TABLE clients ADD COLUMN review_due_date TEXT;
        ALTER TABLE clients ADD COLUMN last_review_at TEXT;
        CREATE INDEX clients_contact_due ON clients(agent_id, contact_due_date);
        CREATE INDEX clients_review_due ON clients(agent_id, review_due_date);
        CREATE INDEX contacts_next_step ON contacts(agent_id, next_step_date);
        CREATE INDEX policies_due ON policies(agent_id, next_due_date);
        CREATE INDEX policies_delivered ON policies(agent_id, delivered_date);
        CREATE TABLE occasions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,            -- birthday | family_birthday | wedding | custom
                                           -- | policy_anniversary
            ref_id INTEGER NOT NULL DEFAULT 0,
            yearly TEXT NOT NULL,          -- YearlyDate storage form
            next_date TEXT NOT NULL,       -- its next occurrence (ISO), rolled forward yearly
            UNIQUE (client_id, kind, ref_id)
        );
        CREATE INDEX occasions_agent_next ON occasions(agent_id, next_date);
        CREATE INDEX occasions_next ON occasions(next_date);
        CREATE TABLE reminder_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            client_id INTEGER REFERENCES clients(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            ref TEXT NOT NULL DEFAULT '',
            occasion_date TEXT NOT NULL,
            dedup_key TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'open',   -- open | done | snoozed | skipped
            snooze_until TEXT,
            variant INTEGER NOT NULL DEFAULT 0,
            text_message_id INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX reminder_items_agent ON reminder_items(agent_id, status, occasion_date);
        CREATE INDEX reminder_items_snoozed ON reminder_items(status, snooze_until);
        CREATE TABLE one_off_reminders (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            client_id INTEGER REFERENCES clients(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            due_at TEXT NOT NULL,                   -- UTC
            status TEXT NOT NULL DEFAULT 'pending', -- pending | queued | cancelled
            created_at TEXT NOT NULL
        );
        CREATE INDEX one_off_due ON one_off_reminders(status, due_at);
        CREATE INDEX one_off_agent ON one_off_reminders(agent_id, status);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            kind TEXT NOT NULL,                     -- digest | eod | remind | item | nudge ...
            key TEXT NOT NULL UNIQUE,               -- one message per reminder and occurrence
            payload TEXT NOT NULL DEFAULT '{}',     -- ids only: texts are rendered at send time
            due_at TEXT NOT NULL,
            late INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending', -- pending | sending | sent | dead | uncertain
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            sent_at TEXT,
            message_id INTEGER,
            error TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX outbox_ready ON outbox(status, next_attempt_at);
        """,
    )


@migrations(name="0004_teams")
def teams(db: Database) -> None:
    """Teams led by a supervisor, their members and group chat, and when funnel moves happened."""
    _run_script(
        db,
        """
        CREATE TABLE teams (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            leader_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            invite_code TEXT NOT NULL UNIQUE,         -- t.me/<bot>?start=t_<code>
            group_chat_id INTEGER UNIQUE,             -- the linked Telegram group, if any
            group_title TEXT,
            bot_status TEXT,                          -- member | administrator (in that group)
            report_time TEXT NOT NULL DEFAULT '08:30',-- in the leader's time zone
            weekly_target INTEGER NOT NULL DEFAULT 0, -- policies a week; 0 = from members' goals
            last_report_date TEXT,
            closed_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX teams_leader ON teams(leader_id, closed_at);
        CREATE TABLE team_members (
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            agent_id INTEGER NOT NULL UNIQUE REFERENCES agents(id) ON DELETE CASCADE,
            role TEXT NOT NULL DEFAULT 'member',      -- leader | deputy | member
            nickname TEXT,
            show_nickname INTEGER NOT NULL DEFAULT 0, -- groups see the nickname, not the name
            joined_at TEXT NOT NULL,
            PRIMARY KEY (team_id, agent_id)
        );
        CREATE TABLE activity_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,                       -- new_prospect | proposal
            client_id INTEGER REFERENCES clients(id) ON DELETE SET NULL,
            at TEXT NOT NULL,                         -- UTC
            UNIQUE (agent_id, kind, client_id)
        );
        CREATE INDEX activity_events_agent_at ON activity_events(agent_id, at);
        CREATE INDEX clients_agent_created ON clients(agent_id, created_at);
        CREATE INDEX policies_agent_start ON policies(agent_id, start_date);
        """,
    )


@migrations(name="0005_coaching")
def coaching(db: Database) -> None:
    """SPIN sessions, role-play practice and playbook progress, kept across restarts."""
    _run_script(
        db,
        """
        CREATE TABLE coaching_sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            client_id INTEGER REFERENCES clients(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,                     -- spin | practice | playbook
            ref TEXT NOT NULL DEFAULT '',           -- playbook or scenario id
            state TEXT NOT NULL,                    -- JSON from the coaching module
            status TEXT NOT NULL DEFAULT 'active',  -- active | paused | done
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX coaching_agent ON coaching_sessions(agent_id, kind, status);
        CREATE INDEX coaching_client ON coaching_sessions(client_id, kind)
        """,
    )


@migrations(name="0006_performance")
def performance(db: Database) -> None:
    """Indexes the bench's profile asked for (issue 7), measured on 1,000,000 clients.

    Deleting a client (the sweep's purge of soft-deleted clients, an erasure request) made
    SQLite scan every child table without an index on its foreign key: the whole clients table
    for referred_by, all reminder items, one-offs and activity events. That took 300 ms per
    client; with these indexes 0.3 ms. The sweep's purge scanned all clients for deleted_at on
    every run (24 ms every 30 s); a card's recent contacts walked all of the agent's contacts
    (the planner preferred agent_id, at for the ORDER BY) instead of the client's.
    """
    _run_script(
        db,
        """
        CREATE INDEX clients_referred_by ON clients(referred_by) WHERE referred_by IS NOT NULL;
        CREATE INDEX reminder_items_client ON reminder_items(client_id)
            WHERE client_id IS NOT NULL;
        CREATE INDEX one_off_client ON one_off_reminders(client_id) WHERE client_id IS NOT NULL;
        CREATE INDEX activity_events_client ON activity_events(client_id)
            WHERE client_id IS NOT NULL;
        CREATE INDEX clients_deleted ON clients(deleted_at) WHERE deleted_at IS NOT NULL;
        CREATE INDEX contacts_agent_client ON contacts(agent_id, client_id, at)
        """,
    )


@migrations(name="0007_snoozed_items_index")
def snoozed_items_index(db: Database) -> None:
    """Index only the snoozed to-do items: the sweep looks for nothing else by snooze time.

    The full (status, snooze_until) index made every to-do item written keep an entry that no
    query reads (measured on the bench database: 100,000 inserts 0.43 s, with the partial
    index 0.35 s), and it held a row for every item ever made.
    """
    _run_script(
        db,
        """
        DROP INDEX reminder_items_snoozed;
        CREATE INDEX reminder_items_snoozed ON reminder_items(snooze_until)
            WHERE status = 'snoozed'
        """,
    )


@migrations(name="0008_contact_times_in_utc")
def contact_times_in_utc(db: Database) -> None:
    """Contact times in UTC, like every other stored moment.

    They were stored with the offset they were logged in ("2026-11-24T01:36:00+08:00"), but
    read back by text ranges in UTC or the agent's zone: a contact at 01:36 in Shanghai counted
    as the day before in the digest's "yesterday". SQLite's strftime converts an offset to UTC;
    a time without one was already taken as UTC.
    """
    _run_script(
        db,
        """
        UPDATE contacts SET at = strftime('%Y-%m-%dT%H:%M:%S', at) || '+00:00'
            WHERE at NOT LIKE '%+00:00' AND strftime('%s', at) IS NOT NULL;
        UPDATE clients SET last_contact_at = strftime('%Y-%m-%dT%H:%M:%S', last_contact_at)
            || '+00:00' WHERE last_contact_at NOT LIKE '%+00:00'
            AND strftime('%s', last_contact_at) IS NOT NULL
        """,
    )


@migrations(name="0009_open_next_steps_on_clients")
def open_next_steps_on_clients(db: Database) -> None:
    """Each client's open next step (that of their latest contact) on the client row.

    The morning digests found open next steps by joining every contact in a 60-day window
    with its client to check that no later contact closed it: 0.35-0.45 s of the 1.9-2.5 s
    that 5,000 agents' digests took on the bench database. On the client row it is an index
    range (the store keeps it when a contact is logged or its next step is set).
    """
    _run_script(
        db,
        """
        ALTER TABLE clients ADD COLUMN open_step_date TEXT;
        ALTER TABLE clients ADD COLUMN open_step_contact_id INTEGER;
        UPDATE clients SET (open_step_date, open_step_contact_id) = (SELECT k.next_step_date,
            k.id FROM contacts k WHERE k.client_id = clients.id ORDER BY k.at DESC, k.id DESC
            LIMIT 1);
        CREATE INDEX clients_open_step ON clients(agent_id, open_step_date)
            WHERE open_step_date IS NOT NULL
        """,
    )


@migrations(name="0010_client_raw_values")
def client_raw_values(db: Database) -> None:
    """What an import could not read, as it was in the file: {"birthday": "1983-02-29"}.

    An imported client whose birthday was no real date or whose phone cell held words was
    left out of the book whole; now the client is added with the field empty, and the raw
    value stays on their card until the agent fills the field in.
    """
    db.execute("ALTER TABLE clients ADD COLUMN raw_values TEXT")


@migrations(name="0011_outbox_claim_lease")
def outbox_claim_lease(db: Database) -> None:
    """When and by whom an outbox message was claimed for sending.

    Start-up put every 'sending' message back in the queue: a second bot started on the same
    database took the first one's messages while it was sending them, and both sent them. A
    claim now has a time (and the sender that made it), and is taken back only once it is older
    than a lease, or at the start of a bot that holds the database's instance lock. Messages
    left 'sending' by an older version have no claim time: they are orphans and recoverable.
    """
    _run_script(
        db,
        """
        ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT
        """,
    )


@migrations(name="0012_client_facts_and_proposals")
def client_facts_and_proposals(db: Database) -> None:
    """What the coach knows about each client, with its source, and proposals as records (issue
    15).

    client_facts: one row per fact a source states (a note, a field, a contact's summary, a SPIN
    answer) or the agent gave; re-reading a source updates its rows in place (the unique key),
    and a fact the agent removed stays removed while the source says the same. proposals: what
    was proposed, how far it got and its outcome; the open ones drive stages, /next and the
    digest's follow-ups (a partial index: an agent has few open proposals).
    """
    _run_script(
        db,
        """
        CREATE TABLE client_facts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            key TEXT NOT NULL,                         -- extract.FACT_KEYS or profile
            value TEXT NOT NULL,                       -- JSON
            source TEXT NOT NULL,                      -- note | field | visit | call | message
                                                       -- | forward | spin | agent | book
            ref TEXT NOT NULL DEFAULT '',              -- notes, field:occupation, contact:12...
            source_date TEXT,                          -- ISO date the source was written
            evidence TEXT NOT NULL DEFAULT '',         -- the words it was read from
            status TEXT NOT NULL DEFAULT 'extracted',  -- extracted | confirmed | removed
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (client_id, key, source, ref)
        );
        CREATE INDEX client_facts_agent ON client_facts(agent_id, client_id);
        CREATE TABLE proposals (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            title TEXT NOT NULL DEFAULT '',
            products TEXT NOT NULL DEFAULT '[]',       -- JSON list of script product ids
            sum_insured REAL,
            premium REAL,                              -- per payment, at frequency
            frequency TEXT NOT NULL DEFAULT 'annual',  -- annual | semiannual | quarterly
                                                       -- | monthly | single
            currency TEXT,
            prepared_on TEXT, sent_on TEXT,
            explain_on TEXT,                           -- the meeting booked to explain it
            explained_on TEXT,
            reaction TEXT,                             -- what the client said
            objection TEXT,                            -- an objection id of the scripts
            objection_open INTEGER NOT NULL DEFAULT 0,
            outcome TEXT,                              -- accepted | declined
            outcome_on TEXT,
            decline_reason TEXT,
            policy_id INTEGER REFERENCES policies(id) ON DELETE SET NULL,
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX proposals_client ON proposals(client_id, id);
        CREATE INDEX proposals_open ON proposals(agent_id) WHERE outcome IS NULL;
        CREATE INDEX proposals_policy ON proposals(policy_id) WHERE policy_id IS NOT NULL
        """,
    )


@migrations(name="0013_service_events")
def service_events(db: Database) -> None:
    """Gatherings a client was invited to or attended, and claims / servicing the agent helped
    with: what happened drives the stage suggestion and the referral moment, not a manual tap.
    """
    _run_script(
        db,
        """
        CREATE TABLE service_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
            agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,          -- gathering | claim | servicing | renewal
            status TEXT NOT NULL,        -- per kind: invited, attended, missed / filed, paid,
                                         -- declined / open, done
            title TEXT,
            day TEXT NOT NULL,           -- the gathering's date, or the day it was filed
            resolved_on TEXT,            -- attended / paid / declined / done on
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX service_events_client ON service_events(agent_id, client_id, day)
        """,
    )


@migrations(name="0014_model_calls")
def model_calls(db: Database) -> None:
    """One row per request to a language model: what left the server, when, for what.

    Sizes and counts only, never the text: an operator can answer "what did we send, to whom,
    for which feature" (`coachbot model-log`), and the per-agent daily budget is counted here.
    No foreign key to agents: the record outlives an agent's deletion.
    """
    _run_script(
        db,
        """
        CREATE TABLE model_calls (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,                     -- UTC, when the request was sent
            agent_id INTEGER,                     -- NULL for operator runs (coachbot eval)
            feature TEXT NOT NULL,                -- practice_reply, classify, facts, voice...
            endpoint TEXT NOT NULL,               -- chat | chat_stream | transcription
            host TEXT NOT NULL,                   -- where it went (the base URL's host)
            model TEXT NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 1,
            sent_chars INTEGER NOT NULL DEFAULT 0,  -- text sent, after redaction
            sent_bytes INTEGER NOT NULL DEFAULT 0,  -- audio sent
            redacted INTEGER NOT NULL DEFAULT 0,    -- identifiers taken out before sending
            names_masked INTEGER NOT NULL DEFAULT 0,  -- client names sent as placeholders
            received_chars INTEGER NOT NULL DEFAULT 0,
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0,
            tokens_estimated INTEGER NOT NULL DEFAULT 0,  -- 1: the server did not report them
            duration_ms INTEGER NOT NULL DEFAULT 0,
            outcome TEXT NOT NULL                 -- ok, timeout, rate_limited, server, ...
        );
        CREATE INDEX model_calls_agent_at ON model_calls(agent_id, at);
        CREATE INDEX model_calls_at ON model_calls(at)
        """,
    )


@migrations(name="0015_money_and_sources")
def money_and_sources(db: Database) -> None:
    """The agent's money and sources of business (issue 16), and a team's currency.

    - agents.commission_rate: the agent's own first-year commission rate, for the income
      estimate (the methodology's example: 2 x 1,500 x 35% = 1,050 a month);
    - agents.source_targets: monthly policy targets per business source (新增 / 加保 /
      转介绍) as JSON {"new": n, "upsell": n, "referral": n}; NULL until the agent sets them;
    - clients.origin: where a prospect came from (warm 缘故 | referral 转介绍 | cold 陌生);
    - teams.currency: what the team's premiums are counted in (NULL: the leader's region's);
    - team_rates: the leader's conversion rates into the team's currency, so that a premium
      in another currency is converted on the board, never dropped.
    """
    _run_script(
        db,
        """
        ALTER TABLE agents ADD COLUMN commission_rate REAL NOT NULL DEFAULT 0.35;
        ALTER TABLE agents ADD COLUMN source_targets TEXT;
        ALTER TABLE clients ADD COLUMN origin TEXT;
        ALTER TABLE teams ADD COLUMN currency TEXT;
        CREATE TABLE team_rates (
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            currency TEXT NOT NULL,                   -- ISO 4217, e.g. HKD
            rate REAL NOT NULL,                       -- team-currency units for 1 unit
            updated_at TEXT NOT NULL,
            PRIMARY KEY (team_id, currency)
        );
        CREATE INDEX clients_origin ON clients(agent_id, origin) WHERE origin IS NOT NULL
        """,
    )


@migrations(name="0016_clients_by_name")
def clients_by_name(db: Database) -> None:
    """Clients found by exact name within an agent's book: the duplicate check of every add
    (same phone, or same name and birthday), imports and forwarded messages. Without it each
    of these read the agent's whole book (the phone had an index, the name did not)."""
    _run_script(db, "CREATE INDEX clients_agent_name ON clients(agent_id, name)")


@migrations(name="0017_contacts_agent_at_channel")
def contacts_agent_at_channel(db: Database) -> None:
    """The contacts' (agent, time) index carries the channel too.

    Counting an agent's contacts by channel in a time window (the digest's "yesterday" and
    month visits, the team reports' visits) read every contact's table row for its channel:
    the month's visits for 5,000 agents took 0.52 s of the bench's day. With the channel in
    the index the count reads the index alone (0.11 s). Same leading columns, so every query
    that used the old index uses this one.
    """
    _run_script(
        db,
        """
        DROP INDEX contacts_agent_at;
        CREATE INDEX contacts_agent_at ON contacts(agent_id, at, channel)
        """,
    )


@migrations(name="0018_reminder_items_by_agent_and_date")
def reminder_items_by_agent_and_date(db: Database) -> None:
    """The to-do items' per-agent index by occurrence date, without the status.

    The digest asks whether an agent has any to-do item dated in its days (before the agent
    opens an entry of the morning, none has: the item lookups of every entry are skipped).
    (agent_id, status, occasion_date) made that a scan of every item the agent ever had;
    (agent_id, occasion_date) is one seek. No query read the status through this index.
    """
    _run_script(
        db,
        """
        DROP INDEX reminder_items_agent;
        CREATE INDEX reminder_items_agent ON reminder_items(agent_id, occasion_date)
        """,
    )


@migrations(name="0019_reminder_items_snoozed_by_agent")
def reminder_items_snoozed_by_agent(db: Database) -> None:
    """The to-do items ever snoozed, by agent: each digest batch looks for its agents' items
    snoozed past the start of the day (a daily entry stays away while its snooze lasts). Few
    items are ever snoozed, so the index is small; without it the batch read every item its
    agents ever had."""
    _run_script(
        db,
        "CREATE INDEX reminder_items_snoozed_agent ON reminder_items(agent_id, snooze_until) "
        "WHERE snooze_until IS NOT NULL",
    )
