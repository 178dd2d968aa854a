"""Exports: the book as a CSV of clients and a workbook with a sheet per kind of record.

Built from plain records with a `label` function for the headers, so the agent gets them in
their own language (and the import reads them back).
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from coachbot.domain import classify
from coachbot.domain.calendar import YearlyDate
from coachbot.domain.models import (
    Client,
    Contact,
    FamilyMember,
    ImportantDate,
    Policy,
)
from coachbot.domain.phones import format_phone
from coachbot.services.clientio.columns import FORMULA_START
from coachbot.services.clientio.model import Label

if TYPE_CHECKING:
    from coachbot.store import Store

CLIENT_COLUMNS = ("name", "phone", "birthday", "gender", "kind", "address", "occupation",
                  "income_band", "family_situation", "financial_situation", "notes", "tags",
                  "grade", "stage", "tier", "annual_premium", "policies", "last_contact",
                  "referred_by", "consent", "created")
POLICY_COLUMNS = ("client", "policy_no", "product", "product_type", "insured", "holder",
                  "sum_insured", "annual_premium", "currency", "start_date",
                  "payment_term_years", "payment_frequency", "status", "next_due_date",
                  "delivered_date", "source")
FAMILY_COLUMNS = ("client", "relation", "name", "gender", "birthday")
DATE_COLUMNS = ("client", "date_kind", "label", "date")
CONTACT_COLUMNS = ("client", "at", "channel", "summary", "next_step", "next_step_date")
SHEETS = ("clients", "policies", "family", "contacts", "dates")


@dataclass(frozen=True)
class Book:
    """Everything of one agent's book, as plain records, with what export computes."""

    clients: list[Client]
    policies: list[Policy]
    family: list[FamilyMember]
    dates: list[ImportantDate]
    contacts: list[Contact]
    tiers: Mapping[int, str | None]
    currency: str


def load_book(store: Store, agent_id: int, *, currency: str,
              thresholds: Mapping[str, tuple[int, int]]) -> Book:
    """The whole book of one agent (and nobody else's)."""
    clients = store.transfer.book_clients(agent_id)
    policies = store.transfer.book_policies(agent_id)
    by_client: dict[int, list[Policy]] = {}
    for policy in policies:
        by_client.setdefault(policy.client_id, []).append(policy)
    tiers = {c.id: classify.client_tier(by_client.get(c.id, []), currency, thresholds)
             for c in clients}
    return Book(clients, policies, store.transfer.book_family(agent_id),
                store.transfer.book_dates(agent_id),
                store.transfer.book_contacts(agent_id), tiers, currency)


@dataclass(frozen=True)
class ExportFiles:
    csv: bytes
    xlsx: bytes
    clients: int
    policies: int


def export_book(book: Book, label: Label, *, locale: str, region: str,
                timezone: str) -> ExportFiles:
    """The book as a CSV of clients and an XLSX workbook with one sheet per kind of record."""
    options = {"locale": locale, "region": region, "timezone": timezone}
    return ExportFiles(export_csv(book, label, **options), export_xlsx(book, label, **options),
                       len(book.clients), len(book.policies))


def _client_cells(book: Book, label: Label, locale: str, region: str, zone: ZoneInfo,
                  as_text: bool) -> Iterator[list[Any]]:
    names = {c.id: c.name for c in book.clients}
    premiums: dict[int, tuple[float, int]] = {}
    for p in book.policies:
        total, count = premiums.get(p.client_id, (0.0, 0))
        live = p.status in classify.LIVE_POLICY_STATUSES
        premiums[p.client_id] = (total + (p.annual_premium if live else 0), count + 1)
    for c in book.clients:
        premium, count = premiums.get(c.id, (0.0, 0))
        grade = classify.grade_of(c).grade
        tier = book.tiers.get(c.id)
        last = c.last_contact_at.astimezone(zone).date() if c.last_contact_at else None
        created = c.created_at.astimezone(zone).date() if c.created_at else None
        consent = (f"{label('files.consent.' + c.consent_scope)} "
                   f"{c.consent_at.astimezone(zone).date().isoformat()}"
                   if c.consent_at and c.consent_scope else "")
        # what an import could not read goes out as it came in, so it is not lost on the way
        raw_birthday = c.raw_values.get("birthday") or c.raw_values.get("lunar_birthday", "")
        yield [
            c.name, format_phone(c.phone, region) if c.phone else c.raw_values.get("phone", ""),
            _birthday_cell(c.birthday, locale, as_text) if c.birthday else raw_birthday,
            label(f"files.gender.{c.gender}") if c.gender in ("m", "f") else "",
            label(f"files.kind.{c.kind}"), c.address or "", c.occupation or "",
            c.income_band or "", c.family_situation or "", c.financial_situation or "",
            c.notes or "", ", ".join(c.tags),
            grade or "", label(f"files.stage.{c.stage}") if c.stage else "",
            label(f"files.tier.{tier}") if tier else "", _number(premium) if count else "",
            count, _day(last, as_text), names.get(c.referred_by or 0, ""), consent,
            _day(created, as_text),
        ]


def export_csv(book: Book, label: Label, *, locale: str, region: str, timezone: str) -> bytes:
    """Clients as CSV, UTF-8 with a BOM so Excel shows Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label(f"files.columns.{c}") for c in CLIENT_COLUMNS])
    for cells in _client_cells(book, label, locale, region, ZoneInfo(timezone), as_text=True):
        writer.writerow([_csv_safe(cell) for cell in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value: Any) -> Any:
    """Spreadsheets run a cell that starts with = + - @ as a formula: quote such text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_xlsx(book: Book, label: Label, *, locale: str, region: str, timezone: str) -> bytes:
    """A workbook: clients first (importable again), then policies, family, contacts, dates."""
    from openpyxl import Workbook

    zone = ZoneInfo(timezone)
    names = {c.id: c.name for c in book.clients}
    workbook = Workbook(write_only=True)  # streams rows: thousands of clients stay fast

    def put(key: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        _write_sheet(workbook, label, key, columns, rows)

    put("clients", CLIENT_COLUMNS,
        _client_cells(book, label, locale, region, zone, as_text=False))
    put("policies", POLICY_COLUMNS, (
        [names.get(p.client_id, ""), p.policy_no, p.product,
         label(f"files.product_type.{p.product_type}") if p.product_type else None,
         p.insured, p.holder, p.sum_insured, p.annual_premium, p.currency or book.currency,
         p.start_date, p.payment_term_years,
         label(f"files.payment_frequency.{p.payment_frequency}"),
         label(f"files.status.{p.status}"), p.next_due_date, p.delivered_date,
         label(f"files.source.{p.source}")] for p in book.policies))
    put("family", FAMILY_COLUMNS, (
        [names.get(m.client_id, ""), label(f"files.relation.{m.relation}"), m.name,
         label(f"files.gender.{m.gender}") if m.gender in ("m", "f") else None,
         _birthday_cell(m.birthday, locale, as_text=False)] for m in book.family))
    put("contacts", CONTACT_COLUMNS, (
        [names.get(k.client_id, ""), k.at.astimezone(zone).replace(tzinfo=None),
         label(f"files.channel.{k.channel}"), k.summary, k.next_step, k.next_step_date]
        for k in book.contacts))
    put("dates", DATE_COLUMNS, (
        [names.get(d.client_id, ""), label(f"files.date_kind.{d.kind}"), d.label,
         _birthday_cell(d.date, locale, as_text=False)] for d in book.dates))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_sheet(workbook: Any, label: Label, key: str, columns: Sequence[str],
                 rows: Iterable[Sequence[Any]]) -> None:
    """One sheet: a bold header row, then the rows (dates formatted, no formulas)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(label(f"files.sheets.{key}")[:31])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        wide = name in ("address", "notes", "summary", "next_step")
        sheet.column_dimensions[get_column_letter(index)].width = 28 if wide else 14
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=label(f"files.columns.{name}"))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if cell.data_type == "f":  # text that merely starts with "=" stays text
                cell.data_type = "s"
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def _day(value: date | None, as_text: bool) -> Any:
    if value is None:
        return ""
    return value.isoformat() if as_text else value


def _birthday_cell(stored: str | None, locale: str, as_text: bool) -> Any:
    """A yearly date as a cell people read and the import reads back."""
    if not stored:
        return ""
    yearly = YearlyDate.from_storage(stored)
    if not yearly.lunar and yearly.year is not None:
        day = date(yearly.year, yearly.month, yearly.day)
        return day.isoformat() if as_text else day
    return yearly_cell_text(yearly, locale)


def yearly_cell_text(yearly: YearlyDate, locale: str) -> str:
    """"农历1985年闰6月15日", "3月2日", "lunar 1985-08-15", "March 2": forms people read and
    parse_yearly_date reads back."""
    if locale == "en" and not yearly.leap:
        if yearly.lunar:
            year = f"{yearly.year:04d}-" if yearly.year else ""
            return f"lunar {year}{yearly.month:02d}-{yearly.day:02d}"
        if yearly.year is None:
            return f"{calendar.month_name[yearly.month]} {yearly.day}"
    if yearly.lunar:
        word = "農曆" if locale == "zh-Hant" else "农历"
        leap = ("閏" if locale == "zh-Hant" else "闰") if yearly.leap else ""
        year = f"{yearly.year}年" if yearly.year else ""
        return f"{word}{year}{leap}{yearly.month}月{yearly.day}日"
    if yearly.year is not None:
        return f"{yearly.year:04d}-{yearly.month:02d}-{yearly.day:02d}"
    return f"{yearly.month}月{yearly.day}日"

