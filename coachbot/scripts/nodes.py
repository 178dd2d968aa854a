"""Read a YAML file into plain data while remembering the line of every key and item."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path_ = tuple[str | int, ...]


class ScriptError(ValueError):
    """A script file is broken; the message names the file and line of each problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loading with YAML 1.2 booleans: only true/false, so `no`, `on`, `N` stay text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class Document:
    """One parsed file: its data, the line of each path in it, and its display name."""

    name: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int:
        """The line of a path, or of its nearest ancestor that has one (1-based)."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: Path_) -> str:
        """`file:line` for a path, as error messages start."""
        return f"{self.name}:{self.line(path)}"


def parse_document(text: str, name: str) -> Document:
    """Compose the YAML text and convert it, keeping lines; raise ScriptError if malformed."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ScriptError([f"{name}:{line}: not valid YAML: {exc.problem}"]) from exc
    if node is None:
        raise ScriptError([f"{name}:1: the file is empty"])
    doc = Document(name=name, data=None)
    problems: list[str] = []
    doc.data = _convert(node, (), doc, problems)
    if problems:
        raise ScriptError(problems)
    return doc


_constructor = SafeConstructor()


def _convert(node: Node, path: Path_, doc: Document, problems: list[str]) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                problems.append(f"{doc.name}:{line}: a key must be a plain word")
                continue
            key = str(key_node.value)
            if key == "<<":
                problems.append(f"{doc.name}:{line}: merge keys (<<) are not supported")
                continue
            if key in result:
                problems.append(f"{doc.name}:{line}: key '{key}' appears twice")
                continue
            doc.lines[(*path, key)] = line
            result[key] = _convert(value_node, (*path, key), doc, problems)
        return result
    if isinstance(node, SequenceNode):
        return [
            _convert(item, (*path, index), doc, problems) for index, item in enumerate(node.value)
        ]
    return _constructor.construct_object(node, deep=True)
