"""Telegram's HTML subset (parse_mode=HTML), parsed the way the Bot API server does.

The algorithm follows tdlib's `parse_html` (the code behind the Bot API): the same tags, the same
error wording and byte offsets. It is stricter than Telegram in one respect, on purpose: an `&`
that does not start one of the supported character references (&lt; &gt; &amp; &quot; &#NN;
&#xHH;, terminated by `;`) is an error here, while Telegram keeps it as a literal `&`. A bare
`&` in bot output almost always means a user value was not escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SUPPORTED_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
    "span", "pre", "code", "blockquote",
})
ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "code": "code", "pre": "pre",
    "a": "text_link", "tg-emoji": "custom_emoji", "blockquote": "blockquote",
}
NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\f\v"


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; str(error) is Telegram's description."""


@dataclass
class ParsedText:
    text: str
    entities: list[dict[str, object]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_offset: int  # index into the output text, for <a> without href


def entity_sort_key(entity: dict[str, object]) -> tuple[int, int]:
    """Telegram's entity order: by offset, longer (enclosing) entities first."""
    offset, length = entity["offset"], entity["length"]
    assert isinstance(offset, int) and isinstance(length, int)
    return offset, -length


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # characters in out
        self.utf16 = 0
        self.open: list[_OpenTag] = []
        self.entities: list[dict[str, object]] = []

    # -- helpers -------------------------------------------------------------------------------
    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def error(self, message: str) -> HtmlParseError:
        return HtmlParseError(message)

    def char(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += len(text)
        self.utf16 += utf16_len(text)

    def reference(self, index: int) -> tuple[str, int]:
        """Decode the character reference at `index` (an `&`): (character, next index)."""
        src = self.src
        semicolon = src.find(";", index + 1, index + 12)
        body = src[index + 1 : semicolon] if semicolon != -1 else ""
        decoded: str | None = None
        if body in NAMED_REFERENCES:
            decoded = NAMED_REFERENCES[body]
        elif body.startswith("#x") and len(body) > 2 and _is_hex(body[2:]):
            decoded = _code_point(int(body[2:], 16))
        elif body.startswith("#") and len(body) > 1 and body[1:].isascii() and body[1:].isdigit():
            decoded = _code_point(int(body[1:]))
        if decoded is None:
            shown = src[index : semicolon + 1] if semicolon != -1 else "&"
            if shown == "&" or not body or not _looks_like_reference(body):
                raise self.error(
                    f'Character "&" must be escaped as "&amp;" at byte offset '
                    f"{self.byte_offset(index)}"
                )
            raise self.error(
                f'Unsupported character reference "{shown}" at byte offset '
                f"{self.byte_offset(index)}"
            )
        return decoded, semicolon + 1

    # -- the parse loop ------------------------------------------------------------------------
    def parse(self) -> ParsedText:
        src = self.src
        plain_start = 0
        while self.pos < len(src):
            ch = src[self.pos]
            if ch not in "&<":
                self.pos += 1
                continue
            if self.pos > plain_start:
                self.emit(src[plain_start : self.pos])
            if ch == "&":
                decoded, self.pos = self.reference(self.pos)
                self.emit(decoded)
            elif self.char(self.pos + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
            plain_start = self.pos
        if len(src) > plain_start:
            self.emit(src[plain_start:])
        if self.open:
            raise self.error(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"'
            )
        self.entities.sort(key=entity_sort_key)
        return ParsedText("".join(self.out), self.entities)

    def start_tag(self) -> None:
        src = self.src
        begin = self.pos
        i = begin + 1
        while i < len(src) and src[i] not in _SPACES and src[i] != ">":
            i += 1
        if i >= len(src):
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = src[begin + 1 : i].lower()
        if name not in SUPPORTED_TAGS:
            raise self.error(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        argument = ""
        while self.char(i) != ">":
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if self.char(i) == ">":
                break
            attr_begin = i
            while i < len(src) and src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            attr_name = src[attr_begin:i]
            if not attr_name:
                raise self.error(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if self.char(i) != "=":
                if name == "blockquote" and attr_name == "expandable":
                    argument = "1"
                    continue
                if i >= len(src):
                    raise self.error(
                        f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                    )
                raise self.error(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i += 1
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if i >= len(src):
                raise self.error(
                    f'Unclosed start tag "{name}" at byte offset {self.byte_offset(begin)}'
                )
            value, i = self.attribute_value(i)
            if i >= len(src):
                raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            argument = _tag_argument(name, attr_name, value, argument)
        if name == "span" and argument != "spoiler":
            raise self.error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.open.append(_OpenTag(name, argument, self.utf16, self.out_len))
        self.pos = i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        src = self.src
        quote = src[i]
        if quote not in "'\"":
            begin = i
            while i < len(src) and (src[i].isascii() and (src[i].isalnum() or src[i] in ".-")):
                i += 1
            if i < len(src) and src[i] not in _SPACES and src[i] != ">":
                raise self.error(
                    f"Unexpected end of name token at byte offset {self.byte_offset(begin)}"
                )
            return src[begin:i].lower(), i
        i += 1
        value: list[str] = []
        while i < len(src) and src[i] != quote:
            if src[i] == "&":
                decoded, i = self.reference(i)
                value.append(decoded)
            else:
                value.append(src[i])
                i += 1
        if i < len(src):
            i += 1  # the closing quote
        return "".join(value), i

    def end_tag(self) -> None:
        src = self.src
        begin = self.pos
        if not self.open:
            raise self.error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while i < len(src) and src[i] not in _SPACES and src[i] != ">":
            i += 1
        end_name = src[begin + 2 : i].lower()
        while i < len(src) and src[i] in _SPACES:
            i += 1
        if self.char(i) != ">":
            raise self.error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.open[-1]
        if end_name and end_name != tag.name:
            raise self.error(
                f'Unmatched end tag at byte offset {self.byte_offset(begin)}, expected '
                f'"</{tag.name}>", found "</{end_name}>"'
            )
        self.open.pop()
        self.pos = i + 1
        self.close_entity(tag)

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.utf16_offset
        if length <= 0:
            return
        entity: dict[str, object] = {
            "type": ENTITY_TYPES[tag.name], "offset": tag.utf16_offset, "length": length,
        }
        if tag.name == "a":
            url = _normalize_url(tag.argument or "".join(self.out)[tag.text_offset :])
            if url is None:
                return  # Telegram silently drops links it cannot parse
            entity["url"] = url
        elif tag.name == "tg-emoji":
            if not (tag.argument.isascii() and tag.argument.isdigit() and int(tag.argument)):
                raise self.error("Invalid custom emoji identifier specified")
            entity["custom_emoji_id"] = tag.argument
        elif tag.name == "blockquote" and tag.argument:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "code" and tag.argument and any(t.name == "pre" for t in self.open):
            entity["language"] = tag.argument  # claimed by the enclosing <pre> if it matches
        elif tag.name == "pre":
            last = self.entities[-1] if self.entities else None
            if (
                last is not None and last["type"] == "code" and "language" in last
                and last["offset"] == entity["offset"] and last["length"] == length
            ):
                self.entities.pop()
                entity["language"] = last["language"]
            for other in self.entities:
                if other["type"] == "code":
                    other.pop("language", None)
        self.entities.append(entity)


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "1"
    return current


def _is_hex(text: str) -> bool:
    return text.isascii() and all(c in "0123456789abcdefABCDEF" for c in text)


def _code_point(value: int) -> str | None:
    if value <= 0 or value >= 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        return None
    return chr(value)


def _looks_like_reference(body: str) -> bool:
    return body.isascii() and (body.isalnum() or (body.startswith("#") and body[1:].isalnum()))


def _normalize_url(url: str) -> str | None:
    url = url.strip()
    if not url or any(c in url for c in " \n\t"):
        return None
    if "://" in url or url.startswith(("tg:", "mailto:")):
        return url
    return "http://" + url


def parse_html(text: str) -> ParsedText:
    """Plain text and entities (UTF-16 offsets) of Telegram HTML; raises HtmlParseError."""
    return _Parser(text).parse()
