"""The field types the script schema is written in, each checking one value in place."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from coachbot.scripts.nodes import Document, Path_

ID_PATTERN = re.compile(r"^[a-z0-9_]{1,16}$")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass
class Context:
    """What a check needs: the document, where problems go, ids defined and ids referenced."""

    doc: Document
    problems: list[str]
    defined: dict[str, dict[str, str]]
    references: list[tuple[str, str, str]] = field(default_factory=list)

    def fail(self, path: Path_, message: str) -> None:
        """Record a problem at a path."""
        self.problems.append(f"{self.doc.where(path)}: {message}")


def dotted(path: Path_) -> str:
    """A path as a trainer reads it: profiles.young_single.label or tips[2]."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


class Field:
    """A schema node; `shared` values must be identical in every locale."""

    shared = True
    aligned = False  # lists whose length must match across locales

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        """Validate a value, recording problems; True when it has the right shape."""
        raise NotImplementedError

    def _wrong(self, value: Any, path: Path_, ctx: Context, expected: str) -> bool:
        ctx.fail(path, f"{dotted(path)} should be {expected}, not {_type_name(value)}")
        return False


@dataclass
class Text(Field):
    """A localized, non-empty line of text."""

    max_len: int = 600
    shared = False

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, str) or not value.strip():
            return self._wrong(value, path, ctx, "non-empty text")
        if len(value) > self.max_len:
            ctx.fail(path, f"{dotted(path)} is {len(value)} characters; keep it under "
                     f"{self.max_len}")
            return False
        return True


@dataclass
class Template(Text):
    """Text that may contain {{ name }} placeholders from a fixed list."""

    allowed: tuple[str, ...] = ()

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not super().check(value, path, ctx):
            return False
        ok = True
        for name in PLACEHOLDER.findall(value):
            if name not in self.allowed:
                ctx.fail(path, f"{dotted(path)} uses unknown placeholder '{{{{ {name} }}}}'; "
                         f"allowed: {', '.join(self.allowed)}")
                ok = False
        rest = PLACEHOLDER.sub("", value)
        if "{" in rest or "}" in rest:
            ctx.fail(path, f"{dotted(path)} has a stray brace; placeholders are written "
                     "{{ person }}")
            ok = False
        return ok


@dataclass
class Words(Field):
    """Localized keywords or phrases; the lists may differ in length between locales."""

    min: int = 1
    shared = False

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, list):
            return self._wrong(value, path, ctx, "a list of words")
        ok = len(value) >= self.min or self._too_few(path, ctx)
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                ok = self._wrong(item, (*path, index), ctx, "non-empty text")
        return ok

    def _too_few(self, path: Path_, ctx: Context) -> bool:
        ctx.fail(path, f"{dotted(path)} needs at least {self.min} entries")
        return False


@dataclass
class Lines(Field):
    """Localized lines that translate one another, so every locale has the same count."""

    min: int = 1
    max: int = 12
    item: Text = field(default_factory=Text)
    shared = False
    aligned = True

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, list):
            return self._wrong(value, path, ctx, "a list of lines")
        ok = True
        if not self.min <= len(value) <= self.max:
            ctx.fail(path, f"{dotted(path)} has {len(value)} entries; expected "
                     f"{self.min}-{self.max}")
            ok = False
        for index, item in enumerate(value):
            ok = self.item.check(item, (*path, index), ctx) and ok
        return ok


@dataclass
class Enum(Field):
    """One of a fixed set of words, the same in every locale."""

    values: tuple[str, ...]

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if value not in self.values or not isinstance(value, str):
            ctx.fail(path, f"{dotted(path)} is {value!r}; expected one of "
                     f"{', '.join(self.values)}")
            return False
        return True


@dataclass
class EnumList(Field):
    """A list of words from a fixed set."""

    values: tuple[str, ...]
    min: int = 1

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, list) or len(value) < self.min:
            return self._wrong(value, path, ctx, f"a list of {', '.join(self.values)}")
        item = Enum(self.values)
        return all([item.check(v, (*path, i), ctx) for i, v in enumerate(value)])


@dataclass
class Int(Field):
    """A whole number in a range."""

    min: int = 0
    max: int = 10**9

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return self._wrong(value, path, ctx, "a whole number")
        if not self.min <= value <= self.max:
            ctx.fail(path, f"{dotted(path)} is {value}; expected {self.min}-{self.max}")
            return False
        return True


@dataclass
class Bool(Field):
    """true or false."""

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        return isinstance(value, bool) or self._wrong(value, path, ctx, "true or false")


@dataclass
class Ref(Field):
    """The id of something defined elsewhere (a need, a question...)."""

    kind: str

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, str):
            return self._wrong(value, path, ctx, f"a {self.kind} id")
        ctx.references.append((self.kind, value, ctx.doc.where(path)))
        return True


@dataclass
class Refs(Field):
    """A list of ids of one kind, without repeats."""

    kind: str
    min: int = 0

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, list):
            return self._wrong(value, path, ctx, f"a list of {self.kind} ids")
        ok = len(value) >= self.min or self._few(path, ctx)
        seen: set[str] = set()
        for index, item in enumerate(value):
            ok = Ref(self.kind).check(item, (*path, index), ctx) and ok
            if item in seen:
                ctx.fail((*path, index), f"{dotted(path)} lists '{item}' twice")
                ok = False
            seen.add(item)
        return ok

    def _few(self, path: Path_, ctx: Context) -> bool:
        ctx.fail(path, f"{dotted(path)} needs at least {self.min} {self.kind} ids")
        return False


@dataclass
class Opt:
    """Marks a record field as optional."""

    field: Field


@dataclass
class Record(Field):
    """A mapping with known keys: required ones must be there, unknown ones are refused."""

    fields: dict[str, Field | Opt]

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, dict):
            return self._wrong(value, path, ctx, "a mapping")
        ok = True
        for key, spec in self.fields.items():
            if key not in value and not isinstance(spec, Opt):
                ctx.fail(path, f"{dotted(path)} is missing required key '{key}'")
                ok = False
        for key, item in value.items():
            if key not in self.fields:
                ctx.fail((*path, key), f"unknown key '{key}' in {dotted(path)} (allowed: "
                         f"{', '.join(self.fields)})")
                ok = False
                continue
            ok = self.field(key).check(item, (*path, key), ctx) and ok
        return ok

    def field(self, key: str) -> Field:
        """The field for a key, unwrapped from Opt."""
        spec = self.fields[key]
        return spec.field if isinstance(spec, Opt) else spec


@dataclass
class IdMap(Field):
    """A mapping keyed by callback-safe ids; a `kind` makes ids referable and unique."""

    value: Field
    kind: str | None = None
    min: int = 1
    max: int = 1000

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, dict):
            return self._wrong(value, path, ctx, "a mapping of ids")
        ok = True
        if not self.min <= len(value) <= self.max:
            ctx.fail(path, f"{dotted(path)} has {len(value)} entries; expected "
                     f"{self.min}-{self.max}")
            ok = False
        for key, item in value.items():
            ok = self.check_key(key, (*path, key), ctx) and ok
            ok = self.value.check(item, (*path, key), ctx) and ok
        return ok

    def check_key(self, key: str, path: Path_, ctx: Context) -> bool:
        """An id must be short ASCII [a-z0-9_] and, within its kind, unique."""
        if not ID_PATTERN.match(key):
            ctx.fail(path, f"id '{key}' must be 1-16 characters of a-z, 0-9 and _ "
                     "(it travels in Telegram callback data)")
            return False
        if self.kind:
            seen = ctx.defined.setdefault(self.kind, {})
            if key in seen and seen[key] != ctx.doc.where(path):
                ctx.fail(path, f"{self.kind} id '{key}' is already defined at {seen[key]}")
                return False
            seen[key] = ctx.doc.where(path)
        return True


@dataclass
class FixedMap(Field):
    """A mapping whose keys come from a fixed set (SPIN steps, grades, tiers)."""

    keys: tuple[str, ...]
    value: Field
    required: bool = True

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, dict):
            return self._wrong(value, path, ctx, f"a mapping with keys {', '.join(self.keys)}")
        ok = True
        for key in self.keys:
            if self.required and key not in value:
                ctx.fail(path, f"{dotted(path)} is missing required key '{key}'")
                ok = False
        for key, item in value.items():
            if key not in self.keys:
                ctx.fail((*path, key), f"unknown key '{key}' in {dotted(path)} (allowed: "
                         f"{', '.join(self.keys)})")
                ok = False
                continue
            ok = self.value.check(item, (*path, key), ctx) and ok
        return ok


@dataclass
class RefMap(Field):
    """A mapping keyed by ids defined elsewhere (e.g. need id -> priority)."""

    kind: str
    value: Field
    min: int = 1

    def check(self, value: Any, path: Path_, ctx: Context) -> bool:
        if not isinstance(value, dict):
            return self._wrong(value, path, ctx, f"a mapping keyed by {self.kind} ids")
        ok = len(value) >= self.min
        if not ok:
            ctx.fail(path, f"{dotted(path)} needs at least {self.min} entries")
        for key, item in value.items():
            ctx.references.append((self.kind, key, ctx.doc.where((*path, key))))
            ok = self.value.check(item, (*path, key), ctx) and ok
        return ok


def children(spec: Field | Opt, value: Any) -> Iterable[tuple[str | int, Field, Any]]:
    """The (key, field, value) under a container value, for walking two locales together."""
    spec = spec.field if isinstance(spec, Opt) else spec
    if isinstance(spec, Record):
        for key, item in value.items():
            yield key, spec.field(key), item
    elif isinstance(spec, IdMap | FixedMap | RefMap):
        for key, item in value.items():
            yield key, spec.value, item
    elif isinstance(spec, Lines):
        for index, item in enumerate(value):
            yield index, spec.item, item


Validator = Callable[[Any, Context], None]
