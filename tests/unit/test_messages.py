"""The bot's own keyboard class sends exactly what PTB's would."""

from __future__ import annotations

import json

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request._requestparameter import RequestParameter

from coachbot.runtime.messages import InlineKeyboard, inline_keyboard

ROWS = [[("✅ 对", "kf:ok:12:3"), ("✏️ 改", "kf:edit:12:3")], [("返回", "cl:o:12")]]


def _ptb(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)
                                  for text, data in row] for row in rows])


def test_the_keyboard_serialises_as_ptbs_own_markup() -> None:
    ours, theirs = inline_keyboard(ROWS), _ptb(ROWS)
    assert isinstance(ours, InlineKeyboard)
    assert ours.to_dict() == theirs.to_dict()
    # what goes on the wire: PTB's request parameter of each
    wire = [json.loads(RequestParameter.from_input("reply_markup", markup).json_value or "")
            for markup in (ours, theirs)]
    assert wire[0] == wire[1]
    assert json.loads(ours.to_json()) == theirs.to_dict()


def test_the_keyboard_still_holds_ptbs_buttons_and_compares_equal() -> None:
    ours = inline_keyboard(ROWS)
    assert ours == _ptb(ROWS)
    assert [[b.callback_data for b in row] for row in ours.inline_keyboard] == \
        [["kf:ok:12:3", "kf:edit:12:3"], ["cl:o:12"]]
    with pytest.raises(AttributeError):  # frozen like every PTB object
        ours.inline_keyboard = ()  # type: ignore[misc]


def test_empty_rows_are_left_out_and_oversized_data_refused() -> None:
    assert inline_keyboard([[], [("a", "x:1")]]).to_dict() == \
        {"inline_keyboard": [[{"text": "a", "callback_data": "x:1"}]]}
    with pytest.raises(ValueError):
        inline_keyboard([[("a", "x" * 65)]])
    with pytest.raises(ValueError):
        inline_keyboard([[("a", "")]])
