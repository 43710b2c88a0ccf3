"""Shared text fields: a Yjs document per field, merged with Yrs (pycrdt), read as plain text.

Every free-text field a team shares (deliverable texts, inject responses) is a CRDT document
whose one root is a Y.Text named ``t``. Browsers edit their own copy with Yjs and send binary
updates; merging the updates in any order gives every copy the same text, so two people typing
at once both keep their words. The engine stores each accepted update in its event together
with the merged text it produced: replaying a log sets the text without running the CRDT, and
the document itself is rebuilt from the updates only when someone edits or syncs the field.

The merge is deterministic (Yrs is a pure function of the updates), and edits the server makes
itself (a plain ``write_text``, or a text from a log written before shared editing) use one
fixed client id: they are serialised by the session, so one id never forks.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from pycrdt import Doc, Text, get_update

ROOT = "t"  # the name of the Y.Text every field document holds (the browser uses the same)
# Client id of edits the server makes itself. Browsers draw random 32-bit ids; a clash with 1
# has a chance of one in four billion per browser, and would only reorder two equal inserts.
SERVER_CLIENT_ID = 1
EMPTY_UPDATE = b"\x00\x00"  # an update with no structs and no deletions


class BadUpdate(ValueError):
    """A client's update cannot be decoded, or does not hold a text edit."""


class MissingHistory(ValueError):
    """The update builds on edits the server has not received (the client must resync)."""


def decode_b64(raw: Any) -> bytes:
    """Return the bytes of a base64 update, or raise BadUpdate."""
    if not isinstance(raw, str) or not raw:
        raise BadUpdate("the update must be a non-empty base64 string")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise BadUpdate("the update is not valid base64") from None


def encode_b64(update: bytes) -> str:
    """Return an update as base64 text (the form events and messages carry)."""
    return base64.b64encode(update).decode("ascii")


def _read_var_uint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise BadUpdate("truncated state vector")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def state_vector_dict(vector: bytes) -> dict[int, int]:
    """Return a Yjs state vector as {client id: next clock}."""
    count, pos = _read_var_uint(vector, 0)
    out = {}
    for _ in range(count):
        client, pos = _read_var_uint(vector, pos)
        clock, pos = _read_var_uint(vector, pos)
        out[client] = clock
    return out


def utf8_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of a code point index (the unit pycrdt's Text uses)."""
    return len(text[:index].encode("utf-8"))


def _new_doc() -> Doc:
    doc = Doc(client_id=SERVER_CLIENT_ID)
    doc.get(ROOT, type=Text)
    return doc


def _text(doc: Doc) -> str:
    return str(doc.get(ROOT, type=Text))


def _replace(doc: Doc, new: str) -> None:
    """Edit the document's text into ``new`` with the smallest single splice."""
    text = doc.get(ROOT, type=Text)
    old = str(text)
    if old == new:
        return
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # Yrs (as pycrdt builds it) counts offsets in UTF-8 bytes, Python in code points.
    at = utf8_offset(old, start)
    with doc.transaction():
        if end_old > start:
            del text[at : utf8_offset(old, end_old)]
        if end_new > start:
            text.insert(at, new[start:end_new])


class _DocBox:
    """A merged document waiting for the one successor text that will use it.

    ``vector`` is the document's state vector, read once when it was merged: the next merge
    needs it and need not read it again.
    """

    __slots__ = ("doc", "claimed", "vector")

    def __init__(self, doc: Doc, vector: bytes | None = None) -> None:
        self.doc: Doc | None = doc
        self.claimed = False
        self.vector = vector

    def claim(self) -> Doc | None:
        """Return the document to the first caller only."""
        if self.claimed:
            return None
        self.claimed = True
        doc, self.doc = self.doc, None
        return doc


class SharedText:
    """One field's CRDT history and merged text. Immutable to readers.

    ``updates`` are the base64 updates in the order the server accepted them. The pycrdt
    document that reflects them is a private memo: built on first need, and handed on when an
    accepted update was merged into it, so an edit costs one merge, not a rebuild. A merge may
    be folded more than once (``decide`` folds its events on trial to see what they trigger,
    then the service folds them for real): every successor made from the same update may
    claim the merged document, and the first one that needs it gets it; the others rebuild.
    """

    __slots__ = ("_log", "_count", "text", "_doc", "_box", "_handoff")

    def __init__(self, updates: tuple[str, ...] = (), text: str = "") -> None:
        # The updates are the first `_count` entries of `_log`, a list the successors share
        # and append to: an edit must not copy a history that grows all session long (a
        # tuple copy per edit was 6 us at 2,000 updates, and rising).
        self._log = list(updates)
        self._count = len(updates)
        self.text = text
        self._doc: Doc | None = None
        self._box: _DocBox | None = None
        self._handoff: tuple[str, _DocBox] | None = None

    @property
    def updates(self) -> tuple[str, ...]:
        """Return the base64 updates in the order the server accepted them."""
        return tuple(self._log[: self._count])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SharedText):
            return NotImplemented
        return self.updates == other.updates and self.text == other.text

    def __hash__(self) -> int:
        return hash((self._count, self.text))

    def __repr__(self) -> str:
        return f"SharedText({self._count} updates, {len(self.text)} chars)"

    def _take_doc(self) -> Doc:
        """Return a document reflecting this text's updates, which the caller now owns."""
        return self._take_doc_and_vector()[0]

    def _take_doc_and_vector(self) -> tuple[Doc, bytes | None]:
        """Return `_take_doc` and its state vector when known without reading it."""
        doc, self._doc = self._doc, None
        if doc is None and self._box is not None:
            box, self._box = self._box, None
            doc = box.claim()
            if doc is not None:
                return doc, box.vector
        if doc is None:
            doc = _new_doc()
            for update in self._log[: self._count]:
                if update:  # an update emptied by a privacy purge holds nothing
                    doc.apply_update(base64.b64decode(update))
            if not self._count and self.text:
                _replace(doc, self.text)  # a text from before shared editing: seed it
        return doc, None

    def document(self) -> Doc:
        """Return the (memoised) document of this text; callers must not change it."""
        if self._doc is None:
            self._doc = self._take_doc()
        return self._doc

    def merge(self, update: bytes) -> str | None:
        """Merge a client's update on trial; return the merged text, or None if nothing changed.

        Raise BadUpdate for an update that is not a text edit and MissingHistory for one that
        builds on edits the server lacks. The merged document is kept for `then` to hand on.
        """
        doc, before_vector = self._take_doc_and_vector()
        if before_vector is None:
            before_vector = doc.get_state()
        before = self.text  # what the document reads (reading it again costs a copy)
        try:
            # One transaction for the merge and its reads: each one opened costs as much as
            # applying a keystroke's update.
            with doc.transaction():
                doc.apply_update(update)
                roots = set(doc.keys())
                merged = _text(doc)
                after_vector = doc.get_state()
        except Exception as exc:  # noqa: BLE001 - Yrs raises several kinds for bad input
            raise BadUpdate(f"the update could not be merged ({exc})") from None
        if roots != {ROOT}:
            raise BadUpdate("the update edits something other than the field's text")
        # What the document could not integrate stays pending inside it: the part of the
        # update its new state vector does not cover. An update without structs starts with a
        # zero count of clients (its delete set, which vectors do not track, may follow).
        if get_update(update, after_vector)[:1] != b"\x00":
            raise MissingHistory("the update builds on edits the server has not received")
        if merged == before and state_vector_dict(after_vector) == state_vector_dict(
            before_vector
        ):
            self._doc = doc  # a duplicate: the document is still exactly this text's
            return None
        self._handoff = (encode_b64(update), _DocBox(doc, after_vector))
        return merged

    def replace(self, new: str) -> tuple[str, str] | None:
        """Edit the whole text into ``new`` as the server; return (update, text) or None."""
        doc = self._take_doc()
        vector = doc.get_state()
        _replace(doc, new)
        if _text(doc) == self.text:
            self._doc = doc
            return None
        update = encode_b64(doc.get_update(vector))
        self._handoff = (update, _DocBox(doc))
        return update, _text(doc)

    def then(self, update: str, text: str) -> SharedText:
        """Return the text after an accepted update (which may claim the merged document)."""
        following = SharedText((), text)
        log, count = self._log, self._count
        if len(log) == count:
            log.append(update)  # this text is the newest: its successor extends the log
        elif log[count] != update:
            log = [*log[:count], update]  # a successor already took the next place: fork
        # (else a twin successor of the same update appended it already: share it)
        following._log, following._count = log, count + 1
        handoff = self._handoff
        if handoff is not None and handoff[0] == update:
            following._box = handoff[1]
        return following

    def sync(self, client_vector: bytes | None) -> tuple[str, str]:
        """Return (what the client lacks, the server's state vector), both base64."""
        doc = self.document()
        try:
            missing = doc.get_update(client_vector) if client_vector else doc.get_update()
        except Exception as exc:  # noqa: BLE001 - a malformed vector from a client
            raise BadUpdate(f"the state vector could not be read ({exc})") from None
        return encode_b64(missing), encode_b64(doc.get_state())


def field_text(docs: Mapping[str, SharedText], key: str) -> SharedText:
    """Return a field's shared text, or a new empty one (never a shared singleton: the memo
    inside a text is private state that must not travel between fields or sessions)."""
    found = docs.get(key)
    return found if found is not None else SharedText()
