"""Load and validate the script files of every locale at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coachbot.scripts import build
from coachbot.scripts.fields import (
    Context,
    Field,
    FixedMap,
    IdMap,
    Lines,
    Opt,
    Record,
    RefMap,
    children,
    dotted,
)
from coachbot.scripts.model import ScriptLibrary
from coachbot.scripts.nodes import Document, Path_, ScriptError, parse_document
from coachbot.scripts.schema import DEFAULT_LOCALE, FILES, LOCALES, VALIDATORS

SCRIPTS_ROOT = Path(__file__).parent


def load_library(root: Path | None = None) -> ScriptLibrary:
    """Read every locale's script files under root, validate them together, build the library."""
    root = SCRIPTS_ROOT if root is None else Path(root)
    docs = {locale: _read_locale(root, locale) for locale in LOCALES}
    contexts = {locale: _check_schema(docs[locale]) for locale in LOCALES}
    _raise_if(p for per_file in contexts.values() for ctx in per_file.values()
              for p in ctx.problems)
    problems: list[str] = []
    for locale in LOCALES:
        if locale != DEFAULT_LOCALE:
            for name, spec in FILES.items():
                ref, other = docs[DEFAULT_LOCALE][name], docs[locale][name]
                _compare(spec, ref.data, other.data, (), ref, other, problems)
    _raise_if(problems)
    for locale in LOCALES:
        _raise_if(_check_links(docs[locale], contexts[locale]))
    return ScriptLibrary(
        locales={
            locale: build.locale_scripts(locale, {n: d.data for n, d in docs[locale].items()})
            for locale in LOCALES
        },
        default_locale=DEFAULT_LOCALE,
    )


def _raise_if(problems: Any) -> None:
    found = list(problems)
    if found:
        raise ScriptError(found)


def _read_locale(root: Path, locale: str) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    problems: list[str] = []
    for name in FILES:
        path = root / locale / f"{name}.yaml"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(f"{path}:1: the file is missing (every locale needs {name}.yaml)")
            continue
        except UnicodeDecodeError as exc:
            problems.append(f"{path}:1: not UTF-8 text ({exc.reason})")
            continue
        try:
            docs[name] = parse_document(text, str(path))
        except ScriptError as exc:
            problems.extend(exc.problems)
    _raise_if(problems)
    return docs


def _check_schema(docs: dict[str, Document]) -> dict[str, Context]:
    defined: dict[str, dict[str, str]] = {}
    contexts = {}
    for name, spec in FILES.items():
        ctx = Context(doc=docs[name], problems=[], defined=defined)
        spec.check(docs[name].data, (), ctx)
        contexts[name] = ctx
    return contexts


def _check_links(docs: dict[str, Document], contexts: dict[str, Context]) -> list[str]:
    problems: list[str] = []
    files = {name: doc.data for name, doc in docs.items()}
    for name, ctx in contexts.items():
        for kind, value, where in ctx.references:
            if value not in ctx.defined.get(kind, {}):
                known = ", ".join(sorted(ctx.defined.get(kind, {}))[:12])
                problems.append(f"{where}: unknown {kind} id '{value}' (known: {known}...)")
        checker = Context(doc=docs[name], problems=problems, defined=ctx.defined)
        for validator in VALIDATORS.get(name, []):
            validator(files, checker)
    return problems


def _compare(
    spec: Field | Opt, ref: Any, other: Any, path: Path_, ref_doc: Document, doc: Document,
    problems: list[str],
) -> None:
    """Walk two locales of one file together: same keys everywhere, same shared values."""
    spec = spec.field if isinstance(spec, Opt) else spec
    if isinstance(spec, Record | IdMap | FixedMap | RefMap):
        for key in ref.keys() - other.keys():
            problems.append(f"{doc.where(path)}: {dotted((*path, key))} is missing here but "
                            f"present in {ref_doc.where((*path, key))}")
        for key in other.keys() - ref.keys():
            problems.append(f"{doc.where((*path, key))}: {dotted((*path, key))} is not in "
                            f"{ref_doc.name}; every locale needs the same keys")
        pairs = {key: (item_spec, item) for key, item_spec, item in children(spec, other)}
        for key, item_spec, item in children(spec, ref):
            if key in pairs:
                _compare(item_spec, item, pairs[key][1], (*path, key), ref_doc, doc, problems)
    elif isinstance(spec, Lines):
        if len(ref) != len(other):
            problems.append(f"{doc.where(path)}: {dotted(path)} has {len(other)} lines here "
                            f"but {len(ref)} in {ref_doc.where(path)}")
    elif spec.shared and ref != other:
        problems.append(f"{doc.where(path)}: {dotted(path)} is {other!r} here but {ref!r} in "
                        f"{ref_doc.where(path)}; it must be the same in every locale")
