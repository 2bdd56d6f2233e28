"""JSON parsed within limits: nesting checked before parsing, numbers' digits bounded."""

from __future__ import annotations

import pytest

from dictanote.core.safejson import JSONLimitError, load_bounded, nesting_exceeds


@pytest.mark.parametrize(
    ("text", "depth", "exceeds"),
    [
        ("[[1]]", 2, False),
        ("[[[1]]]", 2, True),
        ('{"a": "[[[[[[["}', 1, False),  # brackets inside a string are text
        ('{"a": "\\"[[["}', 1, False),  # an escaped quote does not end the string
        ('"[[[[', 0, False),  # an unclosed string runs to the end
        ("[" * 200_000, 32, True),  # scanned, never parsed: no recursion
    ],
)
def test_safejson_nesting_is_scanned_not_parsed(text: str, depth: int, exceeds: bool) -> None:
    assert nesting_exceeds(text, depth) is exceeds


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("[" * 100 + "]" * 100, "depth"),
        ('{"n": ' + "9" * 19 + "}", "digits"),
        ("[-" + "1" * 19 + "]", "digits"),
    ],
)
def test_safejson_beyond_a_limit_says_which(text: str, limit: str) -> None:
    with pytest.raises(JSONLimitError) as caught:
        load_bounded(text, max_depth=32, max_digits=18)
    assert caught.value.limit == limit


def test_safejson_within_the_limits_is_plain_json() -> None:
    assert load_bounded('{"a": [1, -2, 3.5, "x"]}', max_depth=2, max_digits=18) == {"a": [1, -2, 3.5, "x"]}
    with pytest.raises(ValueError):
        load_bounded("{", max_depth=2)
