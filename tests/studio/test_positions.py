"""The JSON-path-to-position map that links workbench findings to the editor."""

from __future__ import annotations

import json

import pytest

from practicum.studio.positions import LineIndex, json_spans, locate, parse_path
from practicum.studio.workbench import Located


def text_at(text: str, path: str) -> str:
    """Return the text of the value a path names."""
    _key, span = locate(json_spans(text), path)
    assert span is not None
    return text[span.start : span.end]


def test_nested_objects_and_arrays() -> None:
    text = json.dumps({"a": {"b": [1, {"c": [True, None]}], "d": "x"}}, indent=2)
    assert text_at(text, "a.b[1].c[0]") == "true"
    assert text_at(text, "a.b[1].c[1]") == "null"
    assert text_at(text, "a.d") == '"x"'
    assert json.loads(text_at(text, "a.b")) == [1, {"c": [True, None]}]
    assert json.loads(text_at(text, "")) == json.loads(text)


def test_key_position_and_lines() -> None:
    text = '{\n  "rounds": [\n    {\n      "minutes": 40\n    }\n  ]\n}\n'
    spans = json_spans(text)
    span = spans[("rounds", 0, "minutes")]
    lines = LineIndex(text)
    assert lines.position(span.key) == (4, 7)  # the key's opening quote
    assert text[span.start : span.end] == "40"


def test_strings_with_escapes() -> None:
    value = 'say "hi" \\ then } and ] and \n a tab\t'
    text = json.dumps({"a": value, "b": 2, 'k"ey': 3})
    assert json.loads(text_at(text, "a")) == value
    assert text_at(text, "b") == "2"
    assert text_at(text, '["k\\"ey"]') == "3"


def test_escaped_key_decodes() -> None:
    text = '{"caf\\u00e9": {"x": 1}}'
    assert json_spans(text)[("café", "x")].start == text.index("1")


def test_unicode_and_utf16_offsets() -> None:
    text = '{"emoji": "😀😀", "after": "é", "n": 5}'
    spans = json_spans(text)
    span = spans[("n",)]
    assert text[span.start : span.end] == "5"
    lines = LineIndex(text)
    # Each astral character counts twice in UTF-16, as in a browser's textarea.
    assert lines.utf16(span.start) == span.start + 2
    assert lines.utf16(text.index("😀")) == text.index("😀")
    assert lines.utf16(text.index("😀") + 1) == text.index("😀") + 2


def test_missing_path_falls_back_to_parent() -> None:
    text = '{"rounds": [{"id": "r1"}]}'
    key, span = locate(json_spans(text), "rounds[0].minutes")
    assert key == ("rounds", 0)
    assert span is not None and text[span.start] == "{"
    key, span = locate(json_spans(text), "nothing.here")
    assert key == () and span is not None and span.start == 0


def test_broken_json_keeps_what_parsed() -> None:
    text = '{\n  "a": 1,\n  "b": {"c": 2,\n  "d": [1, 2'  # unclosed at the end
    spans = json_spans(text)
    assert text[spans[("b", "c")].start] == "2"
    assert ("a",) in spans and ("b", "d", 1) in spans
    broken = '{"a": 1, "b": tru, "c": 3}'
    spans = json_spans(broken)
    assert ("a",) in spans and ("c",) not in spans


def test_bom_is_skipped() -> None:
    text = '\ufeff{"a": 1}'
    assert text_at(text, "a") == "1"


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("", ()),
        ("id", ("id",)),
        ("rounds[1].deliverable[0].kind", ("rounds", 1, "deliverable", 0, "kind")),
        ('economics.valuePerPoint["odd key"]', ("economics", "valuePerPoint", "odd key")),
        ("rubric[2].params.primary-weight", ("rubric", 2, "params", "primary-weight")),
    ],
)
def test_parse_path(path: str, key: tuple) -> None:
    assert parse_path(path) == key


def test_syntax_error_place_uses_loader_line_and_column() -> None:
    text = '{\n  "a": 1\n  "b": 2\n}'
    place = Located(text).place("", line=3, column=3)
    assert (place["line"], place["column"]) == (3, 3)
    assert text[place["start"]] == '"'
