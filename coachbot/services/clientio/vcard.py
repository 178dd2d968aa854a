"""vCard files (a phone's contacts export): one record per card."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from coachbot.domain.calendar import YearlyDate
from coachbot.services.clientio.columns import full_name, present
from coachbot.services.clientio.model import MAX_ROWS, ImportFileError

# A phone's card has a few dozen lines (a photo folded in base64: a few thousand). vobject
# makes an object of every line of a card before it yields the card: one card of 870,000
# phone lines took 73 s and 500 MB.
MAX_CARD_LINES = 5000


def vcard_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(card number, record) for each card; cards past MAX_ROWS are refused."""
    import vobject

    _check_card_sizes(text)
    records: list[tuple[int, dict[str, Any]]] = []
    try:
        for number, card in enumerate(vobject.readComponents(text), start=1):
            if number > MAX_ROWS:
                raise ImportFileError("too_many_rows")
            records.append((number, _vcard_record(card)))
    except ImportFileError:
        raise
    except Exception as exc:  # vobject's ParseError and friends on damaged files
        raise ImportFileError("bad_vcard") from exc
    if not records:
        raise ImportFileError("bad_vcard")
    return records


def _check_card_sizes(text: str) -> None:
    lines = 0
    for line in io.StringIO(text):
        if line[:11].upper() == "BEGIN:VCARD":
            lines = 0
        lines += 1
        if lines > MAX_CARD_LINES:
            raise ImportFileError("too_complex")


def _vcard_record(card: Any) -> dict[str, Any]:
    contents: dict[str, list[Any]] = card.contents
    record: dict[str, Any] = {}

    def first(key: str) -> Any:
        items = contents.get(key) or []
        return items[0] if items else None

    fn = first("fn")
    if fn is not None and str(fn.value).strip():
        record["name"] = str(fn.value)
    elif first("n") is not None:
        n = first("n").value
        record["name"] = full_name(str(n.family or "").strip(), str(n.given or "").strip())
    phones = contents.get("tel") or []
    phones = sorted(phones, key=lambda t: 0 if "CELL" in _vcard_types(t) else 1)
    if phones:
        record["phone"] = str(phones[0].value)
    if first("bday") is not None:
        record["birthday"] = _vcard_date(str(first("bday").value))
    if first("note") is not None:
        record["notes"] = str(first("note").value)
    if first("adr") is not None:
        adr = first("adr").value
        parts = [getattr(adr, name, "") for name in ("country", "region", "city", "street")]
        record["address"] = " ".join(str(p).strip() for p in parts if str(p).strip())
    title, org = first("title"), first("org")
    job = [str(title.value).strip()] if title is not None else []
    if org is not None:
        job += [str(x).strip() for x in (org.value if isinstance(org.value, list) else [org.value])]
    if any(job):
        record["occupation"] = " · ".join(p for p in job if p)
    if first("categories") is not None:
        value = first("categories").value
        record["tags"] = ",".join(value) if isinstance(value, list) else str(value)
    for key in ("gender", "x-gender"):
        if first(key) is not None:
            record["gender"] = str(first(key).value).split(";")[0]
            break
    return {k: v for k, v in record.items() if present(v)}


def _vcard_types(line: Any) -> set[str]:
    types = {str(t).upper() for t in line.params.get("TYPE", [])}
    return types | {str(k).upper() for k in line.params if k.upper() in {"CELL", "MOBILE"}}


def _vcard_date(value: str) -> Any:
    text = value.strip()
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?", text)
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            return text
    match = re.fullmatch(r"--(\d{2})-?(\d{2})", text)
    if match:
        return YearlyDate(int(match.group(1)), int(match.group(2)))
    return text

