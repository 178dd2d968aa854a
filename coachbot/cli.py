"""The `coachbot` command: parse arguments, load settings, call one function."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from coachbot.config import ConfigError, Settings, load_settings

logger = logging.getLogger("coachbot")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    # PTB 22: RetryAfter.retry_after becomes a timedelta; opt in now (read at first use)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(config_file=args.config)
    except ConfigError as exc:
        print(f"coachbot: {exc}", file=sys.stderr)
        return 2
    handler = args.handler
    try:
        return int(handler(args, settings) or 0)
    except ConfigError as exc:
        print(f"coachbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachbot", description="CoachBot: a Telegram sales coach for insurance agents."
    )
    parser.add_argument("--config", type=Path, default=None,
                        help="optional TOML settings file (environment variables win)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (against the local sandbox without a token)",
                         description="Run the bot. With TELEGRAM_BOT_TOKEN set it long-polls "
                         "Telegram (or serves a webhook with --webhook); without a token it "
                         "starts the bundled sandbox and a terminal chat.")
    run.add_argument("--webhook", metavar="URL", default=None,
                     help="public HTTPS URL Telegram should POST updates to")
    run.add_argument("--listen", default=None, help="address the webhook server binds")
    run.add_argument("--port", type=int, default=None, help="port the webhook server binds")
    run.add_argument("--user-id", type=int, default=1001,
                     help="sandbox only: the Telegram user id you chat as")
    run.add_argument("--language", default="zh-hans",
                     help="sandbox only: your Telegram language_code (zh-hans, zh-hant, en)")
    run.set_defaults(handler=_run)

    sandbox = sub.add_parser("sandbox", help="serve the local Telegram sandbox only",
                             description="Serve the local Bot API sandbox, for a bot started "
                             "with TELEGRAM_API_URL pointing at it and `coachbot chat`.")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.set_defaults(handler=_sandbox)

    backup = sub.add_parser("backup", help="copy the database safely while the bot runs",
                            description="Online backup of the SQLite database (COACHBOT_DB).")
    backup.add_argument("target", type=Path, help="the backup file to create")
    backup.set_defaults(handler=_backup)

    restore = sub.add_parser("restore", help="replace the database with a backup",
                             description="Restore COACHBOT_DB from a backup file. Stop the "
                             "bot first; the restored database is migrated to this version.")
    restore.add_argument("source", type=Path, help="the backup file")
    restore.add_argument("--yes", action="store_true", help="don't ask for confirmation")
    restore.set_defaults(handler=_restore)

    chat = sub.add_parser("chat", help="terminal chat with a running sandbox",
                          description="Chat as a Telegram user through a running sandbox.")
    chat.add_argument("--control-url", default="http://127.0.0.1:8081/control")
    chat.add_argument("--user-id", type=int, default=1001)
    chat.add_argument("--language", default="zh-hans")
    chat.set_defaults(handler=_chat)

    demo = sub.add_parser("demo-data", help="fill one agent's book with realistic demo clients",
                          description="Create about 40 demo clients for one agent in the "
                          "database of COACHBOT_DB: grades A-D, prospects at every stage, "
                          "closed clients in all three tiers, families, solar and lunar "
                          "birthdays, policies, a 60-day contact log and two group clients. "
                          "Creates the agent if needed.")
    demo.add_argument("--agent-id", type=int, default=1001,
                      help="Telegram user id of the agent (the sandbox chats as 1001)")
    demo.add_argument("--reset", action="store_true",
                      help="delete that agent's clients first (otherwise an agent who already "
                      "has clients is left alone)")
    demo.set_defaults(handler=_demo_data)

    bench = sub.add_parser("bench", help="print performance figures (issue 7's benchmarks)",
                           description="Benchmarks that print figures: a bare PTB echo bot and "
                           "CoachBot's busiest chat paths against the sandbox, idle agents' "
                           "answers while one agent floods, a day's reminders for every "
                           "agent, and the digest fan-out under Telegram's flood limits while "
                           "agents tap. The bench database (5,000 agents, "
                           "1,000,000 clients) is generated once and reused.")
    bench.add_argument("--db", type=Path, default=None,
                       help="the bench database to reuse or create (default .bench/bench.db, "
                       "or .bench/bench-quick.db with --quick)")
    bench.add_argument("--quick", action="store_true",
                       help="smoke run: 500 agents and 50,000 clients, fewer updates")
    bench.add_argument("--updates", type=int, default=None,
                       help="updates per chat path (default 2000, 300 with --quick)")
    bench.add_argument("--chats", type=int, default=None,
                       help="chats sending at once (default 50, 20 with --quick)")
    bench.add_argument("--only", choices=("chat", "flood", "sweep", "fanout"), default=None,
                       help="run one of the benchmarks")
    bench.set_defaults(handler=_bench)
    return parser


def _configure_logging(settings: Settings, *, to_file: Path | None = None) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        filename=str(to_file) if to_file else None,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot import runner

    if settings.uses_sandbox:
        log_file = settings.db_path.with_suffix(".log")
        _configure_logging(settings, to_file=log_file)
        print(f"No TELEGRAM_BOT_TOKEN: starting the local sandbox (log: {log_file}).")
        asyncio.run(runner.run_with_sandbox(settings, user_id=args.user_id,
                                            language_code=args.language))
        return 0
    _configure_logging(settings)
    if args.webhook:
        settings = settings.with_overrides(
            webhook_url=args.webhook,
            webhook_listen=args.listen or settings.webhook_listen,
            webhook_port=args.port or settings.webhook_port,
        )
        runner.run_webhook(settings)
    else:
        runner.run_polling(settings)
    return 0


def _sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot import runner

    _configure_logging(settings)
    asyncio.run(runner.serve_sandbox(args.port))
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot.store.database import backup

    if not settings.db_path.exists():
        raise ConfigError(f"COACHBOT_DB: {settings.db_path} does not exist, nothing to back up")
    try:
        pages = backup(settings.db_path, args.target)
    except FileExistsError:
        print(f"coachbot: {args.target} already exists; choose a new file name", file=sys.stderr)
        return 1
    print(f"Backed up {settings.db_path} to {args.target} ({pages} pages, integrity ok).")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot.store.database import restore

    if not args.source.exists():
        print(f"coachbot: {args.source} does not exist", file=sys.stderr)
        return 1
    if not args.yes:
        answer = input(f"Replace {settings.db_path} with {args.source}? Stop the bot first. "
                       "[y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            print("Nothing changed.")
            return 1
    applied = restore(args.source, settings.db_path)
    print(f"Restored {settings.db_path} from {args.source}; schema {applied[-1]}.")
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot.sandbox.terminal import run_terminal_chat

    asyncio.run(run_terminal_chat(args.control_url, user_id=args.user_id,
                                  language_code=args.language))
    return 0


def _demo_data(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from coachbot.services.demo import install_demo
    from coachbot.store import Store

    store = Store.open(settings.db_path, tier_thresholds=settings.tier_thresholds)
    try:
        agent = store.agents.ensure_agent(args.agent_id, first_name="Demo", username=None,
                                          locale="zh-Hans")
        today = datetime.now(ZoneInfo(agent.timezone)).date()
        try:
            result = install_demo(store, agent.id, today=today, reset=args.reset)
        except LookupError as exc:
            print(f"coachbot: agent {agent.id} already has {exc.args[0]} clients in "
                  f"{settings.db_path}; add --reset to replace them", file=sys.stderr)
            return 1
    finally:
        store.close()
    removed = f" (removed {result.removed} old ones)" if result.removed else ""
    print(f"Demo book for agent {agent.id} in {settings.db_path}: "
          f"{result.clients} clients{removed}.")
    print("  grades:  " + ", ".join(f"{k} {v}" for k, v in result.grades.items()))
    print("  stages:  " + ", ".join(f"{k} {v}" for k, v in result.stages.items()))
    print("  tiers:   " + ", ".join(f"{k} {v}" for k, v in result.tiers.items()))
    print(f"  groups:  {result.groups}")
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot.bench.main import BenchOptions, run_bench

    run_bench(BenchOptions.make(db=args.db, quick=args.quick, updates=args.updates,
                                chats=args.chats, only=args.only))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
