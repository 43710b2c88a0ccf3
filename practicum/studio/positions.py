"""Where each JSON path of a document sits in its text, for linking findings to the editor.

The loader and lint name a place by a JSON path (``rounds[1].deliverable[0].kind``); an editor
needs offsets. `json_spans` scans the text once and records the span of every value (and of its
key), tolerating broken JSON: it keeps what it read up to the first syntax error, so a finding
on the part that parsed still finds its line while the author is mid-edit.
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_right
from dataclasses import dataclass

Segment = str | int
Key = tuple[Segment, ...]
MAX_DEPTH = 200  # deeper documents are refused by the loader anyway
_WHITESPACE = " \t\r\n"
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")
_SEGMENT = re.compile(
    r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([A-Za-z_$][A-Za-z0-9_$]*)(?=$|[.\[])|\.?([^.\[]+)'
)


@dataclass(frozen=True)
class Span:
    """A value's place: [start, end) in characters; ``key`` is where its key starts, if any."""

    start: int
    end: int
    key: int | None = None


class _Stop(Exception):
    """The text stops being JSON here; what was recorded so far stands."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: dict[Key, Span] = {}

    def skip(self, at: int) -> int:
        text = self.text
        while at < len(text) and text[at] in _WHITESPACE:
            at += 1
        return at

    def value(self, at: int, path: Key, key: int | None) -> int:
        """Scan the value starting at ``at`` (whitespace skipped); return the offset after it."""
        at = self.skip(at)
        if at >= len(self.text) or len(path) > MAX_DEPTH:
            raise _Stop
        start = at
        char = self.text[at]
        # Recorded before descending, so an unclosed container still has a (partial) span.
        self.spans[path] = Span(start, len(self.text), key)
        if char == "{":
            end = self.object(at, path)
        elif char == "[":
            end = self.array(at, path)
        elif char == '"':
            end = self.string(at)
        else:
            end = self.scalar(at)
        self.spans[path] = Span(start, end, key)
        return end

    def object(self, at: int, path: Key) -> int:
        at = self.skip(at + 1)
        if at < len(self.text) and self.text[at] == "}":
            return at + 1
        while True:
            at = self.skip(at)
            if at >= len(self.text) or self.text[at] != '"':
                raise _Stop
            key_start = at
            at = self.string(at)
            name = _decode_key(self.text[key_start:at])
            at = self.skip(at)
            if at >= len(self.text) or self.text[at] != ":":
                raise _Stop
            at = self.skip(self.value(at + 1, (*path, name), key_start))
            if at < len(self.text) and self.text[at] == ",":
                at += 1
                continue
            if at < len(self.text) and self.text[at] == "}":
                return at + 1
            raise _Stop

    def array(self, at: int, path: Key) -> int:
        at = self.skip(at + 1)
        if at < len(self.text) and self.text[at] == "]":
            return at + 1
        index = 0
        while True:
            at = self.skip(self.value(at, (*path, index), None))
            index += 1
            if at < len(self.text) and self.text[at] == ",":
                at += 1
                continue
            if at < len(self.text) and self.text[at] == "]":
                return at + 1
            raise _Stop

    def string(self, at: int) -> int:
        text = self.text
        at += 1
        while at < len(text):
            char = text[at]
            if char == "\\":
                at += 2
            elif char == '"':
                return at + 1
            elif char == "\n":
                raise _Stop  # an unterminated string: do not swallow the rest of the file
            else:
                at += 1
        raise _Stop

    def scalar(self, at: int) -> int:
        for literal in _LITERALS:
            if self.text.startswith(literal, at):
                return at + len(literal)
        match = _NUMBER.match(self.text, at)
        if match is None or match.end() == at:
            raise _Stop
        return match.end()


def _decode_key(quoted: str) -> str:
    """Decode a JSON string literal (with its quotes); keep it raw if the escapes are broken."""
    import json

    try:
        return str(json.loads(quoted))
    except ValueError:
        return quoted[1:-1]


def json_spans(text: str) -> dict[Key, Span]:
    """Return the span of every value by its path (a tuple of keys and indexes; () is the root)."""
    scanner = _Scanner(text)
    start = 1 if text.startswith("\ufeff") else 0
    with contextlib.suppress(_Stop):
        scanner.value(start, (), None)
    return scanner.spans


def parse_path(path: str) -> Key:
    """Split a loader or lint JSON path (``a.b[2]["odd key"]``) into its segments."""
    segments: list[Segment] = []
    at = 0
    while at < len(path):
        match = _SEGMENT.match(path, at)
        if match is None or match.end() == at:
            break  # an unexpected shape: keep the part understood so far
        index, quoted, name, loose = match.groups()
        if index is not None:
            segments.append(int(index))
        elif quoted is not None:
            segments.append(_decode_key(f'"{quoted}"'))
        else:
            segments.append(name if name is not None else loose)
        at = match.end()
    return tuple(segments)


def locate(spans: dict[Key, Span], path: str) -> tuple[Key, Span | None]:
    """Return the deepest existing prefix of ``path`` and its span (a missing key: its parent)."""
    key = parse_path(path)
    while key and key not in spans:
        key = key[:-1]
    return key, spans.get(key)


class LineIndex:
    """Offsets to 1-based lines and columns, and to UTF-16 offsets (what a browser counts)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        # Offsets of characters outside the BMP: each takes two UTF-16 code units.
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def position(self, offset: int) -> tuple[int, int]:
        """Return (line, column), both from 1, columns in characters."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """Return the character offset of a 1-based line and column (clamped to the text)."""
        line = max(1, min(line, len(self.starts)))
        return min(self.starts[line - 1] + max(column, 1) - 1, len(self.text))

    def utf16(self, offset: int) -> int:
        """Return the UTF-16 offset of a character offset (a textarea's selection unit)."""
        return offset + bisect_right(self.astral, offset - 1)
