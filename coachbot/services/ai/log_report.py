"""`coachbot model-log`: what left the server, for an operator (sizes and counts, no text)."""

from __future__ import annotations

from datetime import datetime

from coachbot.store import Store


def model_log_lines(store: Store, *, since: datetime, agent_id: int | None = None,
                    feature: str | None = None, calls: int = 20) -> list[str]:
    """A summary per day and feature, then the latest requests one per line."""
    summary = store.model_calls.summary(since=since, agent_id=agent_id, feature=feature)
    scope = f" for agent {agent_id}" if agent_id is not None else ""
    scope += f", feature {feature}" if feature else ""
    lines = [f"Requests to a language model since {since:%Y-%m-%d %H:%M} UTC{scope} "
             "(what was sent: characters of text after redaction, bytes of audio; "
             "never the text itself)"]
    if not summary:
        return [*lines, "  none"]
    lines.append(f"  {'day':10}  {'feature':15} {'requests':>8} {'failed':>6} {'agents':>6} "
                 f"{'chars sent':>10} {'audio bytes':>11} {'redacted':>8} {'tokens':>9}")
    for row in summary:
        lines.append(f"  {row.day:10}  {row.feature:15} {row.calls:>8} {row.failed:>6} "
                     f"{row.agents:>6} {row.sent_chars:>10} {row.sent_bytes:>11} "
                     f"{row.redacted:>8} {row.tokens:>9}")
    recent = store.model_calls.recent(since=since, agent_id=agent_id, feature=feature,
                                      limit=calls)
    if recent:
        lines.append(f"Latest {len(recent)}:")
    for call in recent:
        who = "operator" if call.agent_id is None else f"agent {call.agent_id}"
        sent = f"{call.sent_chars} chars" + (f" + {call.sent_bytes} audio bytes"
                                             if call.sent_bytes else "")
        estimated = "~" if call.tokens_estimated else ""
        lines.append(f"  {call.at:%Y-%m-%d %H:%M:%S}  {who:12} {call.feature:15} -> "
                     f"{call.host} {call.model} #{call.attempt}: {call.outcome}; sent {sent} "
                     f"({call.redacted} redacted, {call.names_masked} names masked), "
                     f"got {call.received_chars} chars, {estimated}{call.tokens} tokens, "
                     f"{call.duration_ms} ms")
    return lines
