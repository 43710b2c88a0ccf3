"""Shared text over Socket.IO: edits merge and reach teammates, sync, carets, refusals."""
# ruff: noqa: F811 - test parameters named after the imported fixtures

from __future__ import annotations

import base64

from pycrdt import Doc, Text

from practicum.engine.shared_text import ROOT, utf8_offset

# The two_teams and facilitator fixtures of the socket tests, reused as they are.
from tests.server.test_sockets import facilitator, two_teams  # noqa: F401


class Copy:
    """A browser's copy of one field document."""

    def __init__(self) -> None:
        self.doc = Doc()
        self.text = self.doc.get(ROOT, type=Text)
        self.outbox: list[bytes] = []
        self.doc.observe(lambda event: self.outbox.append(event.update))

    def type(self, index: int, chars: str) -> str:
        self.text.insert(utf8_offset(str(self.text), index), chars)
        update = self.outbox[-1]
        self.outbox.clear()
        return base64.b64encode(update).decode()

    def apply(self, update: str) -> None:
        self.doc.apply_update(base64.b64decode(update))
        self.outbox.clear()


def _text_updates(client) -> list[dict]:
    """Return the merged text edits a client's team patches carried, in order."""
    return [
        update
        for message in client.received("team_patch")
        for update in message["args"][0].get("textUpdates", [])
    ]


def test_two_teammates_typing_at_once_converge_and_the_other_team_hears_nothing(two_teams):
    ana, ben = two_teams["a"]
    cy, _ = two_teams["b"]
    team = two_teams["team_a"]
    a_copy, b_copy = Copy(), Copy()
    a_update = a_copy.type(0, "Search is broken. ")
    b_update = b_copy.type(0, "FCR fell 7 points.")
    assert ana.send("edit_text", team=team, field="gap", update=a_update)["ok"]
    ack = ben.send("edit_text", team=team, field="gap", update=b_update)
    assert ack["ok"] and ack["field"] == "gap"
    relayed_to_ana = _text_updates(ana)
    relayed_to_ben = _text_updates(ben)
    for update in relayed_to_ana:
        a_copy.apply(update["update"])
    for update in relayed_to_ben:
        b_copy.apply(update["update"])
    assert {u["by"]["name"] for u in relayed_to_ana} == {"Ana", "Ben"}
    assert str(a_copy.text) == str(b_copy.text) == ana.team["texts"]["gap"]
    assert "Search is broken. " in str(a_copy.text) and "FCR fell 7 points." in str(a_copy.text)
    assert _text_updates(cy) == []


def test_sync_sends_what_a_reconnecting_browser_lacks(two_teams):
    ana, ben = two_teams["a"]
    team = two_teams["team_a"]
    a_copy = Copy()
    assert ana.send("edit_text", team=team, field="gap", update=a_copy.type(0, "hello"))["ok"]
    late = Copy()
    answer = ben.send("text_sync", team=team, fields={"gap": "", "nope": ""})
    assert answer["ok"] and answer["unknown"] == ["nope"]
    late.apply(answer["docs"]["gap"]["update"])
    assert str(late.text) == "hello"
    everything = ben.send("text_sync", team=team)
    assert "gap" in everything["docs"] and "contract" in everything["docs"]
    bad = ben.send("text_sync", team=team, fields={"gap": "%%%"})
    assert bad["code"] == "text/bad_update"


def test_carets_reach_teammates_only(two_teams):
    ana, ben = two_teams["a"]
    cy, _ = two_teams["b"]
    team = two_teams["team_a"]
    assert ana.send("text_cursor", team=team, field="gap", anchor="AQ==", head="AQ==")["ok"]
    caret = ben.last("text_cursor")
    assert caret["name"] == "Ana" and caret["field"] == "gap" and caret["anchor"] == "AQ=="
    assert ana.received("text_cursor") == [] and cy.received("text_cursor") == []
    refused = cy.send("text_cursor", team=team, field="gap")
    assert refused["code"] == "team/changed"


def test_refusals_are_coded_and_leave_the_text_intact(two_teams):
    ana, _ = two_teams["a"]
    cy, _ = two_teams["b"]
    team = two_teams["team_a"]
    copy = Copy()
    assert ana.send("edit_text", team=team, field="gap", update=copy.type(0, "kept"))["ok"]
    assert ana.send("edit_text", team=team, field="gap", update="!!!!")["code"] == (
        "text/bad_update"
    )
    too_big = ana.send("edit_text", team=team, field="gap", update="A" * 12004)
    assert too_big["code"] in ("payload/invalid", "payload/too_large")
    foreign = cy.send("edit_text", team=team, field="gap", update=Copy().type(0, "sneaky"))
    assert foreign["code"] == "team/changed"
    assert ana.send("edit_text", team=team, field="../x", update="AAAA")["code"] == (
        "payload/invalid"
    )
    assert ana.team["texts"]["gap"] == "kept"
