"""Reading an import in a child process, with a memory ceiling and a time limit.

Parsing a spreadsheet is CPU work on a file a stranger may have crafted: in the bot's process
it would hold the event loop's GIL (every other agent waits) and a hostile file could take the
memory of the whole machine. A child process can be given a ceiling (RLIMIT_AS) and killed
when it runs out of time; at worst the agent hears that the file is too complex.

Children are forked from a multiprocessing fork server that imported the readers once, so a
file costs a fork (milliseconds), not a fresh interpreter (seconds of imports). The child gets
bytes and returns plain JSON (never a pickle: it has just parsed a stranger's file). It touches
no database: sqlite connections belong to the bot's thread, and the preview is planned there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import resource
import time
import weakref
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from coachbot.services.clientio.model import ImportFileError, ReadResult

logger = logging.getLogger(__name__)

READ_TIMEOUT_SECONDS = 30.0
# Address space of a reading child. 5 MB lists of every kind read within 600 MB of it (peak
# RSS 105-165 MB); calamine's grid for one far cell of an .xls wants over 1 GB and is
# stopped here (the child aborts and the agent hears the file is too complex).
READ_MEMORY_BYTES = 768 * 1024 * 1024
MAX_PARALLEL_READS = 2  # two cores: more parsers at once would only slow each other
MAX_ANSWER_BYTES = 64 * 1024 * 1024
PRELOAD = ["coachbot.services.clientio.read", "openpyxl", "python_calamine", "vobject"]

_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = \
    weakref.WeakKeyDictionary()


async def read_in_child(filename: str, content: bytes, *, region: str, today: date,
                        timeout: float = READ_TIMEOUT_SECONDS) -> ReadResult:
    """read_import in a child process; ImportFileError as read_import raises it, or
    "too_complex" when the child runs out of time or memory."""
    loop = asyncio.get_running_loop()
    slots = _slots.setdefault(loop, asyncio.Semaphore(MAX_PARALLEL_READS))
    request = json.dumps({"filename": filename, "region": region,
                          "today": today.isoformat()}).encode() + b"\n" + content
    async with slots:
        # the thread only waits on the child's pipe: the parsing happens in the child
        answer = await asyncio.to_thread(_run_child, request, timeout)
    if "error" in answer:
        raise ImportFileError(answer["error"], headers=answer.get("headers", ()))
    return ReadResult.from_dict(answer["result"])


def _run_child(request: bytes, timeout: float) -> dict[str, Any]:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    ours, theirs = context.Pipe()
    child = context.Process(target=child_main, args=(theirs,), daemon=True)
    started = time.monotonic()
    child.start()
    theirs.close()
    try:
        ours.send_bytes(request)
        if not ours.poll(timeout):
            logger.warning("import reader killed after %.0f s", timeout)
            return {"error": "too_complex"}
        answer: dict[str, Any] = json.loads(ours.recv_bytes(MAX_ANSWER_BYTES))
    except (EOFError, OSError):  # the child died: out of memory (abort or MemoryError)
        child.join(1)
        logger.warning("import reader died (exit code %s)", child.exitcode)
        return {"error": "too_complex"}
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        ours.close()
    report = answer.pop("report", {})
    logger.info("import read in %.2f s (child %.2f s, peak %s KB)", time.monotonic() - started,
                report.get("seconds", 0), report.get("peak_rss_kb"))
    return answer


def child_main(connection: Connection) -> None:
    """In the child: read one request, answer with JSON, exit."""
    resource.setrlimit(resource.RLIMIT_AS, (READ_MEMORY_BYTES, READ_MEMORY_BYTES))
    started = time.perf_counter()
    try:
        request = connection.recv_bytes()
    except (EOFError, OSError):
        return  # the bot went away (killed) before the file was sent: nothing to read
    answer = answer_request(request)
    answer["report"] = {"seconds": round(time.perf_counter() - started, 3),
                        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    with contextlib.suppress(OSError):  # the bot went away, or stopped waiting
        connection.send_bytes(json.dumps(answer, ensure_ascii=False).encode())
    connection.close()


def answer_request(request: bytes) -> dict[str, Any]:
    """The JSON answer to one request (a JSON line of options, then the file's bytes)."""
    from coachbot.services.clientio.read import read_import

    options_line, _, content = request.partition(b"\n")
    options = json.loads(options_line)
    try:
        result = read_import(options["filename"], content, region=options["region"],
                             today=date.fromisoformat(options["today"]))
    except ImportFileError as problem:
        return {"error": problem.reason, "headers": problem.headers}
    except MemoryError:
        return {"error": "too_complex"}
    return {"result": result.to_dict()}
