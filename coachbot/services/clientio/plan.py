"""Planning an import against the book: new clients, fills of known ones, rows to skip."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coachbot.domain.clients import same_name
from coachbot.domain.models import Client
from coachbot.services.clientio.clean import digits
from coachbot.services.clientio.model import (
    ANSWERS,
    ImportPlan,
    ImportRow,
    Merge,
    Problem,
    Question,
    ReadResult,
)
from coachbot.store.transfer import FILLABLE_FIELDS

if TYPE_CHECKING:
    from coachbot.store import Store

RAW_FIELD_OF = {"phone": "phone", "birthday": "birthday", "lunar_birthday": "birthday"}

def plan_import(rows: Sequence[ImportRow], book: Sequence[Client],
                answers: Mapping[int, str] | None = None) -> ImportPlan:
    """New clients, fills of clients already in the book, rows to skip, and questions.

    A row is the client it matches in the book when it has their phone and their name, or
    their name and nothing that contradicts. The same phone under another name is a question
    for the agent (merge, add as a separate person, or skip), answered in `answers` by line;
    never a silent merge. Pure: `book` is a snapshot of the agent's clients.
    """
    by_phone: dict[str, Client] = {}
    by_name: dict[str, list[Client]] = {}
    for client in book:
        if client.phone:
            by_phone.setdefault(digits(client.phone), client)
        by_name.setdefault(client.name, []).append(client)
    plan = ImportPlan([], [], [], [])
    touched: set[int] = set()
    for row in rows:
        match, ambiguous = _match(row, by_phone, by_name)
        if ambiguous:
            plan.skipped.append(Problem(row.line, "ambiguous_name", row.name))
        elif match is None:
            plan.new.append(row)
        elif same_name(row.name, match.name):
            _merge(plan, row, match, touched)
        else:
            _answered(plan, row, match, (answers or {}).get(row.line), touched)
    return plan


def _answered(plan: ImportPlan, row: ImportRow, match: Client, answer: str | None,
              touched: set[int]) -> None:
    """A row with a client's phone under another name, as the agent answered (or asks)."""
    if answer == "merge":
        _merge(plan, row, match, touched)
    elif answer == "new":
        plan.new.append(row)
    elif answer == "skip":
        plan.skipped.append(Problem(row.line, "skipped_by_agent", row.name))
    else:
        plan.questions.append(Question(row, match.id, match.name))


def _merge(plan: ImportPlan, row: ImportRow, match: Client, touched: set[int]) -> None:
    """Fill the empty fields of the client in the book (an import never overwrites)."""
    if match.id in touched:
        plan.skipped.append(Problem(row.line, "duplicate_in_file", row.name))
        return
    touched.add(match.id)
    fills = {k: v for k, v in row.values.items()
             if k in FILLABLE_FIELDS and not getattr(match, k)}
    tags = tuple(t for t in row.tags if t not in match.tags)
    raw = {k: v for k, v in row.raw.items()
           if not getattr(match, RAW_FIELD_OF[k]) and k not in match.raw_values}
    if not fills and not tags and not raw:
        plan.skipped.append(Problem(row.line, "already_in_book", row.name))
        return
    plan.merges.append(Merge(row.line, match.id, match.name, fills, tags, raw))


def _match(row: ImportRow, by_phone: Mapping[str, Client],
           by_name: Mapping[str, list[Client]]) -> tuple[Client | None, bool]:
    phone = row.values.get("phone")
    if phone and digits(str(phone)) in by_phone:
        return by_phone[digits(str(phone))], False
    birthday = row.values.get("birthday")
    candidates = [c for c in by_name.get(row.name, [])
                  if (not phone or not c.phone) and (not birthday or not c.birthday
                                                     or c.birthday == birthday)]
    if len(candidates) > 1:
        return None, True
    return (candidates[0] if candidates else None), False


@dataclass(frozen=True)
class ImportPreview:
    """A read file planned against the book: what the agent answers and confirms."""

    read: ReadResult
    plan: ImportPlan
    answers: Mapping[int, str] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return sorted([*self.read.problems, *self.plan.skipped], key=lambda p: p.line)

    def dialog_data(self, filename: str, token: str) -> dict[str, Any]:
        """What the dialog row keeps until the agent confirms: the cleaned rows (not the
        file), what the preview shows of the file, and the answers given so far."""
        return {"token": token, "file": filename[:80], "unit": self.read.unit,
                "kind": self.read.kind, "columns": list(self.read.columns),
                "ignored": list(self.read.ignored),
                "problems": [p.to_dict() for p in self.read.problems],
                "rows": [row.to_dict() for row in self.read.rows],
                "file_skipped": len(self.read.problems),
                "answers": {str(line): answer for line, answer in self.answers.items()}}


def preview_import(store: Store, agent_id: int, read: ReadResult) -> ImportPreview:
    return ImportPreview(read, plan_import(read.rows, store.transfer.book_clients(agent_id)))


def preview_from_dialog(store: Store, agent_id: int, data: Mapping[str, Any]) -> ImportPreview:
    """The preview kept in a dialog, planned again against the book as it is now."""
    read = ReadResult(str(data.get("kind", "csv")),
                      [ImportRow.from_dict(item) for item in data.get("rows", [])],
                      [Problem(**item) for item in data.get("problems", [])],
                      list(data.get("columns", [])), list(data.get("ignored", [])))
    answers = dialog_answers(data)
    plan = plan_import(read.rows, store.transfer.book_clients(agent_id), answers)
    return ImportPreview(read, plan, answers)


def dialog_answers(data: Mapping[str, Any]) -> dict[int, str]:
    return {int(line): str(answer) for line, answer in (data.get("answers") or {}).items()
            if str(line).isdigit() and answer in ANSWERS}


def answer_questions(store: Store, agent_id: int, preview: ImportPreview,
                     lines: Sequence[int] | None, answer: str) -> ImportPreview:
    """The preview with `answer` given to its open questions on `lines` (to every open one
    when None), planned again; lines that ask nothing are ignored."""
    if answer not in ANSWERS:
        raise ValueError(answer)
    open_lines = {q.line for q in preview.plan.questions}
    chosen = open_lines if lines is None else open_lines & set(lines)
    answers = {**preview.answers, **dict.fromkeys(chosen, answer)}
    plan = plan_import(preview.read.rows, store.transfer.book_clients(agent_id), answers)
    return ImportPreview(preview.read, plan, answers)
