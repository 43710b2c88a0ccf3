"""A bench learner's copy of a shared text field: a pycrdt document typed into like a browser.

Each learner holds one document per field (root ``Y.Text`` named ``t``, as the server and the
browser use), types into it and sends what it typed as a Yjs v1 update (``edit_text``), and
merges the updates its teammates typed (a team patch's ``textUpdates``). Every update inserts
one fragment that ends with a unique marker (`` KPI [#k-g0a1]``), so at the end the swarm can
check that the server's text and every teammate's copy are the same and hold every marker still
expected.

Inserts land only at fragment boundaries (the start, the end, or just after a marker's ``]``)
and deletes remove whole fragments from the start, so a fragment is never split: concurrent
inserts anchored at the same boundary end up next to each other, never inside one another. A
field that would grow past ``KEEP_BELOW`` of its limit first loses its oldest fragments (down
to ``TRIM_TO``), as a team rewriting its draft does; the markers a learner deletes that way are
returned so the checker stops expecting them.
"""

from __future__ import annotations

import base64
import random
import re

from pycrdt import Doc, Text

ROOT = "t"
KEEP_BELOW = 0.6  # of the field's max length: trim before the text would grow past this
TRIM_TO = 0.3  # ... down to about this
MARKER = re.compile(r"\[#([^\]\s]+)\]")


def b64(update: bytes) -> str:
    """Return an update as the base64 text the protocol carries."""
    return base64.b64encode(update).decode("ascii")


def utf8_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of a code point index (pycrdt's Text counts bytes)."""
    return len(text[:index].encode("utf-8"))


def markers_in(text: str) -> list[str]:
    """Return the markers a text holds, in order."""
    return MARKER.findall(text)


def text_of_update(update: str) -> str:
    """Return the text of a fresh document after one (base64) update, e.g. a text_sync answer."""
    doc = Doc()
    text = doc.get(ROOT, type=Text)
    if update:
        doc.apply_update(base64.b64decode(update))
    return str(text)


class FieldDoc:
    """One learner's copy of one shared text field."""

    __slots__ = ("doc", "text")

    def __init__(self) -> None:
        self.doc = Doc()
        self.text = self.doc.get(ROOT, type=Text)

    def __str__(self) -> str:
        return str(self.text)

    def receive(self, update: str) -> None:
        """Merge an update a teammate typed (or our own, echoed: merging twice is harmless)."""
        self.doc.apply_update(base64.b64decode(update))

    def type_fragment(self, fragment: str, limit: int, rng: random.Random) -> tuple[str, list[str]]:
        """Type one fragment (trimming old ones first if needed); return (update, deleted markers).

        The fragment goes at the end most of the time, otherwise at the start or just after a
        random earlier fragment, as people insert into a draft.
        """
        current = str(self.text)
        vector = self.doc.get_state()
        deleted: list[str] = []
        with self.doc.transaction():
            if len(current) + len(fragment) > KEEP_BELOW * limit:
                cut = _cut_point(current, len(current) - int(TRIM_TO * limit))
                if cut > 0:
                    deleted = markers_in(current[:cut])
                    del self.text[0 : utf8_offset(current, cut)]
                    current = current[cut:]
            boundaries = [0] + [m.end() for m in MARKER.finditer(current)]
            at = len(current) if rng.random() < 0.7 else rng.choice(boundaries)
            self.text.insert(utf8_offset(current, at), fragment)
        return b64(self.doc.get_update(vector)), deleted


def _cut_point(text: str, at_least: int) -> int:
    """Return the first fragment boundary at or after `at_least` characters (0: none)."""
    for match in MARKER.finditer(text):
        if match.end() >= at_least:
            return match.end()
    return 0
