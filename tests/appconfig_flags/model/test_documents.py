"""Document text: JSON that Python reads but AppConfig would not, and the size quota."""
from __future__ import annotations

import json

import pytest

from appconfig_flags.model import check_document_text, rules
from appconfig_flags.model.document import dump_json

from .test_schema import Pair, pair

VALID = '{"version":"1","flags":{"f":{"name":"F"}},"values":{"f":{"enabled":true}}}'


def sized(size: int) -> str:
    """A valid document of exactly ``size`` bytes (``_createdAt``, a free string, pads it)."""
    empty = '{"version":"1","flags":{"f":{"_createdAt":""}},"values":{"f":{"enabled":true}}}'
    return empty.replace('""', '"' + "d" * (size - len(empty)) + '"')


TEXT_PROBLEMS = [
    pair("syntax", "json", VALID, VALID[:-1], None),
    pair("NaN", "json", VALID.replace('"enabled":true', '"enabled":true,"a":1.5'),
         VALID.replace('"enabled":true', '"enabled":true,"a":NaN'), None),
    pair("top level", "duplicate-key", VALID, VALID.replace('{"version":"1"', '{"version":"1","version":"1"'), "version"),
    pair("flag key", "duplicate-key", VALID, VALID.replace('"values":{"f":{"enabled":true}}', '"values":{"f":{"enabled":true},"f":{}}'),
         "f"),
    pair("attribute key", "duplicate-key", VALID.replace('"enabled":true', '"enabled":true,"a":1'),
         VALID.replace('"enabled":true', '"enabled":true,"a":1,"a":2'), "a"),
    pair("2,048 KB", "content-size", sized(rules.DEFAULT_MAX_CONTENT_BYTES), sized(rules.DEFAULT_MAX_CONTENT_BYTES + 1),
         rules.DEFAULT_MAX_CONTENT_BYTES + 1),
]


@pytest.mark.parametrize("case", TEXT_PROBLEMS)
def test_document_text_passes_or_breaks_one_rule(case: Pair) -> None:
    assert check_document_text(case.good, name="Doc") == []
    problems = check_document_text(case.bad, name="Doc")
    assert [p.rule for p in problems] == [case.rule]
    if case.value is not None:
        assert problems[0].value == case.value


def test_the_size_gate_counts_utf8_bytes_and_can_be_raised() -> None:
    text = sized(1000).replace("d" * 10, "\u00e9" * 10, 1)  # 10 more bytes, same number of characters
    assert len(text.encode()) == 1010
    assert [p.rule for p in check_document_text(text, name="Doc", max_content_bytes=1009)] == ["content-size"]
    assert check_document_text(text, name="Doc", max_content_bytes=1010) == []


def test_bytes_are_read_as_utf8() -> None:
    assert check_document_text(VALID.encode(), name="Doc") == []
    assert [p.rule for p in check_document_text(b"\xff" + VALID.encode(), name="Doc")] == ["json"]


def test_the_rendered_text_is_compact_and_keeps_non_ascii() -> None:
    assert dump_json({"a": ["\u00e9", 1]}) == '{"a":["\u00e9",1]}'
    assert json.loads(dump_json({"x": 1.5})) == {"x": 1.5}
    with pytest.raises(ValueError):
        dump_json({"x": float("nan")})
