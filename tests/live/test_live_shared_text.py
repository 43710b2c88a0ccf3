"""Shared text on the real server: acknowledged edits survive SIGKILL, the CRDT too."""

from __future__ import annotations

import base64

import pytest
from pycrdt import Doc, Text

from practicum.engine.shared_text import ROOT, utf8_offset
from tests.live.test_live_server import _lobby

pytestmark = pytest.mark.live


class Copy:
    """A client's copy of one field document."""

    def __init__(self) -> None:
        self.doc = Doc()
        self.text = self.doc.get(ROOT, type=Text)

    def type(self, index: int, chars: str) -> str:
        vector = self.doc.get_state()
        self.text.insert(utf8_offset(str(self.text), index), chars)
        return base64.b64encode(self.doc.get_update(vector)).decode()

    def apply(self, update: str) -> None:
        self.doc.apply_update(base64.b64decode(update))


def test_acknowledged_edits_and_the_document_survive_a_crash(server, clients):
    session, facilitator, teams, members = _lobby(clients, server)
    assert facilitator.call("start_session")["ok"]
    ana, ben = members["Alpha"]
    team = teams["Alpha"]
    a_copy, b_copy = Copy(), Copy()
    for word in ("Search ", "fails ", "for ", "ferry ", "codes. "):
        assert ana.call("edit_text", team=team, field="gap",
                        update=a_copy.type(len(str(a_copy.text)), word))["ok"]
    assert ben.call("edit_text", team=team, field="gap", update=b_copy.type(0, "Gap: "))["ok"]
    before = ben.wait_for("team", lambda t: "codes." in t["texts"].get("gap", "")
                          and "Gap: " in t["texts"]["gap"])["texts"]["gap"]

    server.kill()  # SIGKILL: nothing flushed on the way out
    server.start()

    back = clients(server, "/play", auth={"token": ana.token})
    view = back.wait_for("view", lambda v: v["team"] is not None)
    assert view["team"]["texts"]["gap"] == before
    # The CRDT came back too: a fresh copy gets the same text, and an old copy that missed
    # Ben's edit gets exactly what it lacks and keeps editing.
    synced = back.call("text_sync", team=team, fields={"gap": ""})
    fresh = Copy()
    fresh.apply(synced["docs"]["gap"]["update"])
    assert str(fresh.text) == before
    vector = base64.b64encode(a_copy.doc.get_state()).decode()
    catch_up = back.call("text_sync", team=team, fields={"gap": vector})
    a_copy.apply(catch_up["docs"]["gap"]["update"])
    assert str(a_copy.text) == before
    assert back.call("edit_text", team=team, field="gap",
                     update=a_copy.type(len(before), "After the crash."))["ok"]
    after = back.wait_for("team", lambda t: "After the crash." in t["texts"].get("gap", ""))
    assert after["texts"]["gap"] == before + "After the crash."
