"""Telegram's HTML subset: entities, UTF-16 offsets, and Telegram's error messages."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachbot.sandbox.html import HtmlParseError, parse_html, utf16_len

TAGS = {"b": "bold", "i": "italic", "u": "underline", "s": "strikethrough", "code": "code",
        "tg-spoiler": "spoiler", "blockquote": "blockquote"}


def test_plain_text_and_entities():
    parsed = parse_html("<b>Bold</b>, <i>it</i> and <a href='https://t.me/x'>link</a>")
    assert parsed.text == "Bold, it and link"
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 6, "length": 2},
        {"type": "text_link", "offset": 13, "length": 4, "url": "https://t.me/x"},
    ]


def test_offsets_count_utf16_code_units():
    parsed = parse_html("😀 <b>粗体</b> 🎉<i>x</i>")
    assert parsed.text == "😀 粗体 🎉x"
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 2},
                               {"type": "italic", "offset": 8, "length": 1}]
    assert utf16_len("😀") == 2 and utf16_len("粗") == 1


def test_every_supported_tag():
    source = ("<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>"
              '<span class="tg-spoiler">f</span><tg-spoiler>g</tg-spoiler><code>h</code>'
              '<pre><code class="language-python">i</code></pre><pre>j</pre>'
              "<blockquote expandable>k</blockquote><blockquote>l</blockquote>"
              '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><u>m</u><s>n</s>')
    parsed = parse_html(source)
    assert parsed.text == "abcdefghij" + "kl👍mn"
    kinds = [(e["type"], e.get("language")) for e in parsed.entities]
    assert kinds == [("bold", None), ("italic", None), ("underline", None),
                     ("strikethrough", None), ("strikethrough", None), ("spoiler", None),
                     ("spoiler", None), ("code", None), ("pre", "python"), ("pre", None),
                     ("expandable_blockquote", None), ("blockquote", None),
                     ("custom_emoji", None), ("underline", None), ("strikethrough", None)]


def test_character_references():
    parsed = parse_html("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42; &#x1F600;")
    assert parsed.text == '<tag> & "q" AB 😀'
    assert parsed.entities == []


def test_nested_and_empty_entities():
    parsed = parse_html("<b>bold <i>both</i></b><u></u>")
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 9},
                               {"type": "italic", "offset": 5, "length": 4}]


@pytest.mark.parametrize(("source", "message"), [
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("x<br>y", 'Unsupported start tag "br" at byte offset 1'),
    ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b><i>test</b></i>", 'Unmatched end tag at byte offset 10, expected "</i>", found "</b>"'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("x <", "Unclosed start tag at byte offset 2"),
    ("Q&A", 'Character "&" must be escaped as "&amp;" at byte offset 1'),
    ("&amp", 'Character "&" must be escaped as "&amp;" at byte offset 0'),
    ("&nbsp;", 'Unsupported character reference "&nbsp;" at byte offset 0'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    ("中文<br>", 'Unsupported start tag "br" at byte offset 6'),
])
def test_errors_in_telegram_words(source, message):
    with pytest.raises(HtmlParseError) as error:
        parse_html(source)
    assert str(error.value) == message


def test_bare_greater_than_is_text_as_in_telegram():
    assert parse_html("a > b").text == "a > b"


@given(st.text())
def test_escaped_text_parses_back_to_itself(text):
    parsed = parse_html(html.escape(text))
    assert parsed.text == text
    assert parsed.entities == []


@given(st.lists(st.tuples(st.sampled_from(sorted(TAGS)), st.text(min_size=1)), max_size=6))
def test_tagged_runs_give_exact_entities(runs):
    source = "".join(f"<{tag}>{html.escape(text)}</{tag}>" for tag, text in runs)
    parsed = parse_html(source)
    assert parsed.text == "".join(text for _, text in runs)
    offset = 0
    expected = []
    for tag, text in runs:
        expected.append({"type": TAGS[tag], "offset": offset, "length": utf16_len(text)})
        offset += utf16_len(text)
    assert sorted(parsed.entities, key=lambda e: e["offset"]) == expected
