"""Shared text fields: Yjs updates merged by the engine, refused cleanly, rebuilt on replay."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from practicum.engine import Actor, replay, text_sync
from practicum.engine.events import Event
from practicum.engine.shared_text import ROOT, utf8_offset

from .fixtures import FAC, Game

A1, A2, B1 = Actor("learner", "a1"), Actor("learner", "a2"), Actor("learner", "b1")


class Client:
    """A browser's copy of one field document, speaking the protocol with base64 updates."""

    def __init__(self) -> None:
        self.doc = Doc()
        self.text = self.doc.get(ROOT, type=Text)
        self.outbox: list[bytes] = []
        self.doc.observe(lambda event: self.outbox.append(event.update))

    def insert(self, index: int, chars: str) -> None:
        current = str(self.text)
        self.text.insert(utf8_offset(current, min(index, len(current))), chars)

    def delete(self, start: int, length: int) -> str:
        current = str(self.text)
        start = min(start, len(current))
        end = min(len(current), start + length)
        if end > start:
            del self.text[utf8_offset(current, start) : utf8_offset(current, end)]
        return current[start:end]

    def take_update(self) -> str | None:
        """Return everything typed since the last call as one base64 update (None: nothing)."""
        if not self.outbox:
            return None
        from pycrdt import merge_updates

        merged = merge_updates(*self.outbox) if len(self.outbox) > 1 else self.outbox[0]
        self.outbox.clear()
        return base64.b64encode(merged).decode()

    def receive(self, update: str) -> None:
        """Merge an update relayed by the server (not echoed back: it is not our own edit)."""
        outbox = list(self.outbox)
        self.doc.apply_update(base64.b64decode(update))
        self.outbox[:] = outbox

    def vector(self) -> str:
        return base64.b64encode(self.doc.get_state()).decode()


@pytest.fixture
def game() -> Game:
    """A session in round one with teams t_a (a1, a2) and t_b (b1, b2)."""
    g = Game()
    g.started()
    return g


def edit(game: Game, actor: Actor, client: Client, field: str = "gap", team: str = "t_a"):
    update = client.take_update()
    assert update is not None
    return game.send("edit_text", actor, team=team, field=field, update=update), update


def test_two_people_typing_at_once_keep_both_texts(game):
    ana, ben = Client(), Client()
    ana.insert(0, "Search fails. ")
    answer, first = edit(game, A1, ana)
    assert answer.events[0].type == "text_edited"
    ben.receive(first)
    ana.insert(14, "Agents give up.")  # both type at the same moment, neither has the other's
    ben.insert(0, "Root cause: ")
    a_answer, a_update = edit(game, A1, ana)
    b_answer, b_update = edit(game, A2, ben)
    ana.receive(b_update)
    ben.receive(a_update)
    merged = game.team("t_a").texts["gap"]
    assert str(ana.text) == str(ben.text) == merged
    assert "Agents give up." in merged and "Root cause: " in merged
    assert b_answer.result == {"field": "gap", "length": len(merged)}
    event = b_answer.events[0]
    assert (event.data["by"], event.data["name"], event.data["text"]) == ("a2", "a2", merged)


def test_a_replayed_log_has_the_same_text_and_document(game):
    ana = Client()
    ana.insert(0, "hello world")
    edit(game, A1, ana)
    ana.delete(0, 6)
    ana.insert(0, "bye ")
    edit(game, A1, ana)
    rebuilt = replay(game.scenario, game.events)
    assert rebuilt.teams["t_a"].texts["gap"] == "bye world"
    synced = text_sync(game.scenario, rebuilt, "t_a", {"gap": ""})["docs"]["gap"]
    fresh = Client()
    fresh.receive(synced["update"])
    assert str(fresh.text) == "bye world"


def test_a_malformed_update_is_refused_and_the_text_stays(game):
    ana = Client()
    ana.insert(0, "kept")
    edit(game, A1, ana)
    for bad in ("not base64!", base64.b64encode(b"\x05\x09garbage").decode(), "AAE="):
        game.no("text/bad_update", "edit_text", A1, team="t_a", field="gap", update=bad)
    game.no("text/bad_update", "edit_text", A1, team="t_a", field="gap", update=None)
    other = Doc()
    other.get("m", type=Map)["x"] = 1  # a well-formed update of something else than the text
    game.no("text/bad_update", "edit_text", A1, team="t_a", field="gap",
            update=base64.b64encode(other.get_update()).decode())
    assert game.team("t_a").texts["gap"] == "kept"
    ana.insert(4, " going")
    edit(game, A1, ana)
    assert game.team("t_a").texts["gap"] == "kept going"


def test_an_edit_past_the_length_limit_is_refused_and_later_edits_still_merge(game):
    ana = Client()
    ana.insert(0, "short")
    edit(game, A1, ana)
    too_long = Client()
    too_long.receive(base64.b64encode(ana.doc.get_update()).decode())
    too_long.insert(0, "x" * 400)
    update = too_long.take_update()
    game.no("text/too_long", "edit_text", A2, team="t_a", field="gap", update=update)
    assert game.team("t_a").texts["gap"] == "short"
    ana.insert(5, " and sweet")
    edit(game, A1, ana)
    assert game.team("t_a").texts["gap"] == "short and sweet"


def test_an_update_built_on_edits_the_server_lacks_asks_for_a_resync(game):
    ana = Client()
    ana.insert(0, "first")
    ana.take_update()  # lost on the way
    ana.insert(5, " second")
    update = ana.take_update()
    game.no("text/missing_history", "edit_text", A1, team="t_a", field="gap", update=update)
    # The client resyncs: the server's vector tells it what to send again.
    server = text_sync(game.scenario, game.state, "t_a", {"gap": ana.vector()})["docs"]["gap"]
    missing = ana.doc.get_update(base64.b64decode(server["stateVector"]))
    game.ok("edit_text", A1, team="t_a", field="gap", update=base64.b64encode(missing).decode())
    assert game.team("t_a").texts["gap"] == "first second"


def test_a_resent_update_changes_nothing(game):
    ana = Client()
    ana.insert(0, "once")
    _, update = edit(game, A1, ana)
    answer = game.ok("edit_text", A1, team="t_a", field="gap", update=update)
    assert answer.events == [] and answer.result["unchanged"] is True


def test_an_edit_for_the_team_left_behind_never_reaches_the_new_team(game):
    ana = Client()
    ana.insert(0, "alpha's words")
    update = ana.take_update()
    game.ok("move_learner", FAC, learner="a1", team="t_b")
    game.no("team/changed", "edit_text", A1, team="t_a", field="gap", update=update)
    assert "gap" not in game.team("t_b").texts and "gap" not in game.team("t_a").texts


def test_edit_text_follows_the_write_rules_of_its_field(game):
    ana = Client()
    ana.insert(0, "x")
    update = ana.take_update()
    game.no("ref/unknown_field", "edit_text", A1, team="t_a", field="nope", update=update)
    game.no("ref/unknown_inject", "edit_text", A1, team="t_a", field="inject:nope", update=update)
    game.no("inject/not_received", "edit_text", A1, team="t_a", field="inject:inj_cut",
            update=update)


def test_inject_responses_are_shared_texts(game):
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    game.ok("fire_inject", FAC, inject="inj_push", teams=["t_a"])
    ana, ben = Client(), Client()
    ana.insert(0, "We hear you. ")
    ben.insert(0, "The course would not fix the routing.")
    edit(game, A1, ana, field="inject:inj_push")
    edit(game, A2, ben, field="inject:inj_push")
    response = game.team("t_a").texts["inject:inj_push"]
    assert "We hear you. " in response and "routing" in response
    ben.insert(0, "x" * 2000)
    game.no("text/too_long", "edit_text", A2, team="t_a", field="inject:inj_push",
            update=ben.take_update())
    game.no("inject/not_received", "edit_text", B1, team="t_b", field="inject:inj_push",
            update=base64.b64encode(Doc().get_update()).decode())


def test_write_text_is_a_server_edit_that_merges_with_browser_edits(game):
    ana = Client()
    ana.insert(0, "draft by ana")
    edit(game, A1, ana)
    game.ok("write_text", A2, field="gap", text="draft by ana, checked by ben")
    server = text_sync(game.scenario, game.state, "t_a", {"gap": ana.vector()})["docs"]["gap"]
    ana.receive(server["update"])
    assert str(ana.text) == "draft by ana, checked by ben"
    ana.insert(0, "Final ")
    edit(game, A1, ana)
    assert game.team("t_a").texts["gap"] == "Final draft by ana, checked by ben"


def test_a_log_from_before_shared_editing_seeds_the_document(game):
    legacy = Event("text_written", {"field": "gap", "text": "old words"}, "t_a")
    game.apply([legacy])
    assert game.team("t_a").texts["gap"] == "old words"
    synced = text_sync(game.scenario, game.state, "t_a", {})["docs"]["gap"]
    ana = Client()
    ana.receive(synced["update"])
    ana.insert(9, " and new")
    edit(game, A1, ana)
    assert game.team("t_a").texts["gap"] == "old words and new"
    assert replay(game.scenario, game.events).teams["t_a"].texts["gap"] == "old words and new"


def test_sync_lists_unknown_fields_and_refuses_a_bad_vector(game):
    answer = text_sync(game.scenario, game.state, "t_a", {"gap": "", "nope": ""})
    assert set(answer["docs"]) == {"gap"} and answer["unknown"] == ["nope"]
    from practicum.engine.shared_text import BadUpdate

    with pytest.raises(BadUpdate):
        text_sync(game.scenario, game.state, "t_a", {"gap": "%%%"})


# --- property: any interleaving of three people's edits converges and loses nothing ----------

op = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 2), st.integers(0, 60), st.integers(1, 4)),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 60), st.integers(1, 5)),
    st.tuples(st.just("send"), st.integers(0, 2), st.just(0), st.just(0)),
    st.tuples(st.just("deliver"), st.integers(0, 2), st.just(0), st.just(0)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=1, max_size=60))
def test_random_interleavings_converge_without_losing_a_character(ops):
    game = Game()
    game.started()
    game.join("a3")
    game.ok("join_team", Actor("learner", "a3"), team="t_a")
    actors = [A1, A2, Actor("learner", "a3")]
    clients = [Client(), Client(), Client()]
    relayed: list[list[str]] = [[], [], []]  # what the server has relayed, not yet delivered
    inserted: set[str] = set()
    deleted: set[str] = set()
    counter = 0
    for kind, who, position, size in ops:
        client = clients[who]
        if kind == "insert":
            chars = "".join(chr(0x4E00 + counter + i) for i in range(size))  # each char unique
            counter += size
            inserted.update(chars)
            client.insert(position, chars)
        elif kind == "delete":
            deleted.update(client.delete(position, size))
        elif kind == "send":
            update = client.take_update()
            if update is None:
                continue
            game.ok("edit_text", actors[who], team="t_a", field="gap", update=update)
            for other in range(3):
                if other != who:
                    relayed[other].append(update)
        else:  # deliver the oldest relayed update, in the order the server sent them
            if relayed[who]:
                client.receive(relayed[who].pop(0))
    # Everyone sends what is left and receives everything: all copies must agree.
    for who, client in enumerate(clients):
        update = client.take_update()
        if update is not None:
            game.ok("edit_text", actors[who], team="t_a", field="gap", update=update)
    final = game.team("t_a").texts.get("gap", "")
    synced = text_sync(game.scenario, game.state, "t_a", {"gap": ""})["docs"]["gap"]["update"]
    for client in clients:
        client.receive(synced)
        assert str(client.text) == final
    assert set(final) == inserted - deleted
    assert len(final) == len(set(final))  # nothing doubled
    assert replay(game.scenario, game.events).teams["t_a"].texts.get("gap", "") == final


def test_server_edits_of_non_ascii_text_land_where_they_should(game):
    game.ok("write_text", A1, field="gap", text="Größe 😀 中文 ok")
    game.ok("write_text", A1, field="gap", text="Größe 😀 中文 and ok")
    game.ok("write_text", A1, field="gap", text="Gre 😀 文 and ok!")
    assert game.team("t_a").texts["gap"] == "Gre 😀 文 and ok!"
    fresh = Client()
    fresh.receive(text_sync(game.scenario, game.state, "t_a", {})["docs"]["gap"]["update"])
    assert str(fresh.text) == "Gre 😀 文 and ok!"


def test_an_edit_merges_into_the_kept_document_instead_of_rebuilding_it(game, monkeypatch):
    """decide folds its events on trial (auto injects) before the real fold: one build only."""
    from practicum.engine import shared_text

    built = []
    original = shared_text._new_doc
    monkeypatch.setattr(shared_text, "_new_doc", lambda: built.append(1) or original())
    ana = Client()
    for word in ("one ", "two ", "three ", "four ", "five "):
        ana.insert(len(str(ana.text)), word)
        edit(game, A1, ana)
    assert game.team("t_a").texts["gap"] == "one two three four five "
    # The first edit of a field builds its document on trial and once more for the new state;
    # every later edit merges into the kept one.
    assert len(built) == 2


def test_successors_of_one_text_keep_their_own_histories():
    """Successors share one growing log; a fork copies it, twins of one update share it."""
    from practicum.engine.shared_text import SharedText

    browser = Doc(client_id=77)
    text = browser.get(ROOT, type=Text)
    updates = []
    for word in ("one ", "two ", "three "):
        vector = browser.get_state()
        text += word
        updates.append(base64.b64encode(browser.get_update(vector)).decode())
    u1, u2, u3 = updates
    base = SharedText()
    first = base.then(u1, "one ")
    twin = base.then(u1, "one ")  # decide's trial fold and the service's fold of one edit
    fork = base.then(u3, "three ")  # another successor of the same text
    longer = first.then(u2, "one two ")
    assert base.updates == ()
    assert first.updates == twin.updates == (u1,)
    assert fork.updates == (u3,)
    assert longer.updates == (u1, u2)
    assert twin.then(u2, "one two ").updates == (u1, u2)
    assert fork.then(u1, "x").updates == (u3, u1) and longer.updates == (u1, u2)
    # A document rebuilt from a history holds that history's text, after forks too.
    assert str(longer.document().get(ROOT, type=Text)) == "one two "
    assert str(twin.document().get(ROOT, type=Text)) == "one "
