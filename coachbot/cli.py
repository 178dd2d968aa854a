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
from coachbot.store.lock import DatabaseInUse, DatabaseNotWritable, InstanceLock

logger = logging.getLogger("coachbot")

# Exit codes a supervisor can tell apart (systemd: RestartPreventExitStatus=2 3 4, since
# restarting does not help with any of them): 1 is an unexpected error.
EXIT_CONFIG = 2  # a setting or the database file needs fixing
EXIT_DATABASE_IN_USE = 3  # another CoachBot runs on this database
EXIT_TOKEN_IN_USE = 4  # Telegram's 409: another process polls with this token


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
        return EXIT_CONFIG
    handler = args.handler
    try:
        return int(handler(args, settings) or 0)
    except ConfigError as exc:
        print(f"coachbot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseNotWritable as exc:
        print(f"coachbot: COACHBOT_DB: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseInUse as exc:
        holder = f" ({exc})" if str(exc) else ""
        print(f"coachbot: another CoachBot runs on {settings.db_path}{holder}; "
              f"stop it first (one bot per database)", file=sys.stderr)
        return EXIT_DATABASE_IN_USE
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    """The `coachbot` argument parser: global options and one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="coachbot", description="CoachBot: a Telegram sales coach for insurance agents."
    )
    parser.add_argument("--config", type=Path, default=None,
                        help="optional TOML settings file (environment variables win)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run(sub)
    _add_sandbox(sub)
    _add_backup(sub)
    _add_restore(sub)
    _add_chat(sub)
    _add_demo_data(sub)
    _add_bench(sub)
    _add_model_log(sub)
    _add_eval(sub)
    return parser


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot run`: the bot, against Telegram or the bundled sandbox."""
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


def _add_sandbox(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot sandbox`: the local Bot API sandbox alone."""
    sandbox = sub.add_parser("sandbox", help="serve the local Telegram sandbox only",
                             description="Serve the local Bot API sandbox, for a bot started "
                             "with TELEGRAM_API_URL pointing at it and `coachbot chat`.")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.set_defaults(handler=_sandbox)


def _add_backup(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot backup`: an online copy of the database."""
    backup = sub.add_parser("backup", help="copy the database safely while the bot runs",
                            description="Online backup of the SQLite database (COACHBOT_DB).")
    backup.add_argument("target", type=Path, help="the backup file to create")
    backup.set_defaults(handler=_backup)


def _add_restore(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot restore`: the database replaced by a backup."""
    restore = sub.add_parser("restore", help="replace the database with a backup",
                             description="Restore COACHBOT_DB from a backup file. Refused while "
                             "a bot runs on that database (stop it first); the restored "
                             "database is migrated to this version.")
    restore.add_argument("source", type=Path, help="the backup file")
    restore.add_argument("--yes", action="store_true", help="don't ask for confirmation")
    restore.set_defaults(handler=_restore)


def _add_chat(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot chat`: a terminal chat through a running sandbox."""
    chat = sub.add_parser("chat", help="terminal chat with a running sandbox",
                          description="Chat as a Telegram user through a running sandbox.")
    chat.add_argument("--control-url", default="http://127.0.0.1:8081/control")
    chat.add_argument("--user-id", type=int, default=1001)
    chat.add_argument("--language", default="zh-hans")
    chat.set_defaults(handler=_chat)


def _add_demo_data(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot demo-data`: demo clients for one agent."""
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


def _add_bench(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot bench`: the performance benchmarks."""
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


def _add_model_log(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot model-log`: the log of language-model requests."""
    model_log = sub.add_parser(
        "model-log", help="what was sent to the language model: when, for what, how much",
        description="The log of requests to the configured language model (COACHBOT_LLM_*): "
        "per day and feature, then the latest requests. Sizes and counts only: the text "
        "sent is never stored.")
    model_log.add_argument("--days", type=int, default=7, help="how far back (default 7)")
    model_log.add_argument("--agent-id", type=int, default=None, help="one agent only")
    model_log.add_argument("--feature", default=None,
                           help="one feature only (classify, practice_reply, facts, voice)")
    model_log.add_argument("--calls", type=int, default=20,
                           help="how many of the latest requests to list (default 20)")
    model_log.set_defaults(handler=_model_log)


def _add_eval(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`coachbot eval`: the model scored on the frozen sets."""
    evaluate = sub.add_parser(
        "eval", help="score the model on the frozen question and note sets",
        description="Ask the configured model to label the frozen questions and read the "
        "frozen notes, and report the classifier's accuracy (beside the rules') and the "
        "facts' precision and recall. --record saves the answers; --recorded replays saved "
        "answers offline (no model needed).")
    evaluate.add_argument("--data", type=Path, default=Path("tests/coaching/data/frozen"),
                          help="folder of questions_<locale>.yaml and notes_<locale>.yaml")
    evaluate.add_argument("--recorded", type=Path, default=None,
                          help="replay answers from this file instead of asking the model")
    evaluate.add_argument("--record", type=Path, default=None,
                          help="save the model's answers to this file")
    evaluate.add_argument("--locale", action="append", default=None,
                          help="only this locale (repeatable)")
    evaluate.add_argument("--limit", type=int, default=None,
                          help="only the first N questions and notes of each locale")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(handler=_eval)


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
    from coachbot.services.ai.setup import features_line

    # First of all (before a log file is created beside the database): one bot per database,
    # and a database the bot can write. The lock is held until this process ends.
    with InstanceLock.acquire(settings.db_path, purpose="run") as lock:
        print(features_line(settings))
        if settings.uses_sandbox:
            log_file = settings.db_path.with_suffix(".log")
            _configure_logging(settings, to_file=log_file)
            print(f"No TELEGRAM_BOT_TOKEN: starting the local sandbox (log: {log_file}).")
            asyncio.run(runner.run_with_sandbox(settings, user_id=args.user_id,
                                                language_code=args.language,
                                                instance_lock=lock))
            return 0
        _configure_logging(settings)
        if args.webhook:
            settings = settings.with_overrides(
                webhook_url=args.webhook,
                webhook_listen=args.listen or settings.webhook_listen,
                webhook_port=args.port or settings.webhook_port,
            )
            runner.run_webhook(settings, instance_lock=lock)
            return 0
        stopped_because = runner.run_polling(settings, instance_lock=lock)
        return EXIT_TOKEN_IN_USE if stopped_because == "conflict" else 0


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
    # Held until the restore is done: a running bot refuses it, and no bot starts meanwhile.
    with InstanceLock.acquire(settings.db_path, purpose="restore"):
        if not args.yes:
            answer = input(f"Replace {settings.db_path} with {args.source}? [y/N] ")
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


def _model_log(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime, timedelta

    from coachbot.services.ai.log_report import model_log_lines
    from coachbot.store import Store

    if not settings.db_path.exists():
        raise ConfigError(f"COACHBOT_DB: {settings.db_path} does not exist")
    store = Store.open(settings.db_path)
    try:
        since = datetime.now(UTC) - timedelta(days=args.days)
        for line in model_log_lines(store, since=since, agent_id=args.agent_id,
                                    feature=args.feature, calls=args.calls):
            print(line)
    finally:
        store.close()
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from coachbot.domain.clock import SystemClock
    from coachbot.domain.locales import LOCALES
    from coachbot.render.templates import Renderer
    from coachbot.services.ai import evaluate
    from coachbot.services.ai.setup import build_ai
    from coachbot.store import Store

    locales = args.locale or list(LOCALES)
    unknown = sorted(set(locales) - set(LOCALES))
    if unknown:
        raise ConfigError(f"--locale must be one of {', '.join(LOCALES)} (got {unknown})")
    if args.recorded is not None:
        try:
            recorded = evaluate.read_recording(args.recorded)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"--recorded: {exc}") from exc
        report = asyncio.run(evaluate.evaluate(args.data, recorded=recorded, locales=locales,
                                               limit=args.limit))
    else:
        if not settings.llm_enabled:
            raise ConfigError("no model configured: set COACHBOT_LLM_MODEL (and "
                              "COACHBOT_LLM_BASE_URL, COACHBOT_LLM_API_KEY) or pass --recorded")
        store = Store.open(settings.db_path)
        record = evaluate.new_recording(settings.llm_model or "")

        async def live() -> evaluate.EvalReport:
            ai = build_ai(settings, store, Renderer(settings.templates_dir), SystemClock())
            try:
                return await evaluate.evaluate(args.data, ai=ai, locales=locales,
                                               limit=args.limit, record=record)
            finally:
                await ai.close()

        try:
            report = asyncio.run(live())
        finally:
            store.close()
        if args.record is not None:
            evaluate.write_recording(args.record, record)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
