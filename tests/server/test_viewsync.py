"""Team and board patches: a client merging every patch holds exactly the full view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.restart import play_session
from practicum import engine
from practicum.engine.views import CHAT_IN_VIEW
from practicum.scenario.loader import load_scenario
from practicum.server.sockets import facilitator_board
from practicum.server.viewsync import (
    BoardSync,
    PatchGap,
    TeamSync,
    Versions,
    apply_board_patch,
    apply_team_patch,
    changed,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def played() -> tuple[Any, list[Any]]:
    """A harbor session played by the bench mix: joins, teams, chat, drafts, diagnostics."""
    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    return scenario, play_session(scenario, 7, 1500, NOW).events


def states(scenario: Any, events: list[Any]):
    """Yield (state, event) after each event."""
    state = engine.replay(scenario, [])
    for event in events:
        state = engine.evolve(scenario, state, event)
        yield state, event


def without_version(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k != "version"}


def test_changed_keeps_only_new_or_different_entries():
    assert changed({"a": 1, "b": [1]}, {"a": 1, "b": [1, 2], "c": None}) == {"b": [1, 2], "c": None}
    assert changed({"a": {"x": 1}}, {"a": {"x": 1}}) == {}


def test_merging_every_team_patch_gives_the_full_view(played):
    scenario, events = played
    sync = TeamSync()
    sent: list[dict[str, Any]] = []
    held: dict[str, dict[str, Any] | None] = {}
    final = None
    for state, event in states(scenario, events):
        if event.team is None or event.team not in state.teams:
            continue
        sync.update(scenario, state, "s1", event.team, sent.append)
        for patch in sent:
            held[patch["teamId"]] = apply_team_patch(held.get(patch["teamId"]), patch)
        sent.clear()
        final = state
    assert final is not None and len(held) == len(final.teams)
    for team_id, view in held.items():
        assert without_version(view) == engine.team_view(scenario, final, team_id)
    chats = [len(final.teams[t].chat) for t in held]
    assert max(chats) > 50  # the mix chatted, so appends were exercised


def test_patches_carry_only_what_changed(played):
    scenario, events = played
    sync = TeamSync()
    sent: list[dict[str, Any]] = []
    for state, event in states(scenario, events):
        if event.team is not None and event.team in state.teams:
            sync.update(scenario, state, "s1", event.team, sent.append)
    chat_only = [p for p in sent if p["base"] is not None and p["chat"] and not p["set"]]
    assert chat_only, "a chat message must travel without the rest of the view"
    assert all(len(p["chat"]) == 1 for p in chat_only)
    assert all("chat" not in p["set"] for p in sent)


def test_a_snapshot_taken_behind_patches_the_room_first_and_matches_the_state(played):
    scenario, events = played
    sync = TeamSync()
    sent: list[dict[str, Any]] = []
    all_states = list(states(scenario, events))
    middle = all_states[len(all_states) // 2][0]
    team_id = sorted(middle.teams)[0]
    first = sync.snapshot(scenario, middle, "s1", team_id, sent.append)
    last = all_states[-1][0]
    sent.clear()
    snap = sync.snapshot(scenario, last, "s1", team_id, sent.append)
    assert [p["base"] for p in sent] == [first["version"]]
    assert sent[0]["version"] == snap["version"]
    assert without_version(snap) == engine.team_view(scenario, last, team_id)
    assert without_version(apply_team_patch(first, sent[0])) == without_version(snap)


def test_a_patch_that_skips_a_version_is_refused():
    patch = {"teamId": "t", "version": "x.3", "base": "x.2", "set": {}, "chat": [], "chatCount": 0}
    with pytest.raises(PatchGap):
        apply_team_patch({"version": "x.1", "chat": []}, patch)
    with pytest.raises(PatchGap):
        apply_team_patch(None, patch)


def test_chat_keeps_the_newest_messages_in_order():
    held = {"version": "v.1", "chat": [{"n": i} for i in range(CHAT_IN_VIEW)], "chatCount": 200}
    fresh = [{"n": i} for i in range(CHAT_IN_VIEW - 2, CHAT_IN_VIEW + 3)]  # overlaps two
    patch = {"version": "v.2", "base": "v.1", "set": {}, "chat": fresh, "chatCount": 203}
    merged = apply_team_patch(held, patch)
    assert [m["n"] for m in merged["chat"]] == list(range(3, CHAT_IN_VIEW + 3))
    assert merged["chatCount"] == 203 and merged["version"] == "v.2"


def test_versions_differ_between_processes():
    assert Versions().next() != Versions().next()


def test_merging_every_board_patch_gives_the_full_board(played):
    scenario, events = played
    sync = BoardSync()
    sent: list[dict[str, Any]] = []
    held: dict[str, Any] | None = None
    final = None
    for number, (state, _event) in enumerate(states(scenario, events)):
        if number % 7:  # boards are coalesced: several events between two boards
            continue
        board = facilitator_board(scenario, state, {"l_7_0"} if number % 2 else set(), NOW)
        sync.update("s1", board, sent.append)
        for patch in sent:
            held = apply_board_patch(held, patch)
        sent.clear()
        final = board
    assert held is not None and final is not None
    assert without_version(held) == final


def test_a_board_patch_sends_only_the_teams_that_changed(played):
    scenario, events = played
    sync = BoardSync()
    with_teams = 0
    for number, (state, event) in enumerate(states(scenario, events)):
        sent: list[dict[str, Any]] = []
        sync.update("s1", facilitator_board(scenario, state, set(), NOW), sent.append)
        if number == 0 or not sent:
            continue
        (patch,) = sent
        if event.team is not None:
            assert set(patch["teams"]) <= {event.team}
            with_teams += bool(patch["teams"])
    assert with_teams > 100


def _patched_views_match_fresh_ones(scenario: Any, events: list[Any]) -> dict[str, Any]:
    """Fold events one by one: patched team views and memoised boards must equal fresh ones."""
    sync = TeamSync()
    held: dict[str, dict[str, Any] | None] = {}
    memo: dict[str, Any] = {}
    sent: list[dict[str, Any]] = []
    for state, event in states(scenario, events):
        touched = set(state.teams) if event.team is None else {event.team}
        for team_id in sorted(touched & set(state.teams)):
            sync.update(scenario, state, "s1", team_id, sent.append)
        for patch in sent:
            held[patch["teamId"]] = apply_team_patch(held.get(patch["teamId"]), patch)
        sent.clear()
        for team_id, view in held.items():
            assert without_version(view) == engine.team_view(scenario, state, team_id), event.type
        fresh = engine.facilitator_view(scenario, state, NOW)
        assert engine.facilitator_view(scenario, state, NOW, memo=memo) == fresh, event.type
    return held


def test_patched_views_and_memoised_boards_match_fresh_ones_at_every_step_of_a_whole_game():
    """Phases, grants, injects, scores, publication, the debrief: nothing a patch may miss."""
    from tests.engine.test_playthrough import play

    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    game, _expert, _sponsor = play(scenario)
    held = _patched_views_match_fresh_ones(scenario, game.events)
    assert game.state.phase == "debrief" and len(held) == 2


def test_patched_views_and_memoised_boards_follow_the_workspace_events():
    """Ready marks, pauses, team changes, moves, reopened rounds: the memo inputs cover them."""
    from tests.engine.fixtures import FAC, Game, learner

    game = Game()
    a1, a2, b1, _b2 = game.started()
    game.ok("mark_ready", a1, ready=True)
    game.ok("write_text", a2, field="gap", text="88% against 93%")
    game.ok("pause", FAC)  # changes every team's `allowed` only: no editing while paused
    game.ok("chat", a1, text="Paused?")
    game.ok("resume", FAC)
    game.ok("allow_team_changes", FAC, allowed=True)  # changes every team's `allowed` only
    game.ok("join_team", game.join("c1"), team="t_a")
    game.ok("leave_team", a2)
    game.ok("move_learner", FAC, learner="b1", team="t_a")
    game.ok("allow_team_changes", FAC, allowed=False)
    game.ok("advance", FAC)
    game.ok("reopen_round", FAC, team="t_a", round="r_one")
    game.ok("write_text", learner("c1"), field="gap", text="Revised")
    game.ok("submit_round", a1, round="r_one")
    game.ok("mark_ready", b1, ready=True)
    game.tick(game.state.deadline)
    held = _patched_views_match_fresh_ones(game.scenario, game.events)
    assert set(held) == {"t_a", "t_b"}


def test_a_text_edit_sends_only_its_field_not_every_text_of_the_team():
    import random

    from bench.mix import playbook
    from bench.texts import FieldDoc

    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    fields = [f for f, _ in playbook(scenario).text_fields]
    assert len(fields) > 1
    ana = engine.Actor(engine.LEARNER, "l_a")
    state = engine.replay(scenario, engine.new_session(scenario, "s1", "ABC234", NOW))
    commands = [
        (ana, "join_session", {"learner_id": "l_a", "name": "Ana"}),
        (ana, "create_team", {"team_id": "t_1", "name": "Alpha"}),
        (engine.Actor(engine.FACILITATOR), "start_session", {}),
    ]
    docs = {f: FieldDoc() for f in fields}
    rng = random.Random(3)
    for number in range(12):
        field_id = fields[number % len(fields)]
        update, _ = docs[field_id].type_fragment(f"line {number} " * 20, 4000, rng)
        commands.append((ana, "edit_text", {"field": field_id, "update": update}))
    sync = TeamSync()
    sent: list[dict[str, Any]] = []
    held = None
    for actor, kind, data in commands:
        decision = engine.decide(scenario, state, engine.Command(kind, actor, data), NOW)
        assert not isinstance(decision, engine.Rejected), decision
        for event in decision.events:
            state = engine.evolve(scenario, state, event)
        if "t_1" not in state.teams:
            continue
        sent.clear()
        sync.update(scenario, state, "s1", "t_1", sent.append)
        for patch in sent:
            held = apply_team_patch(held, patch)
        if kind == "edit_text" and sent:
            (patch,) = sent
            # Only the edited field's text and stamp travel, however long the other texts are.
            assert "texts" not in patch["set"] and "textMeta" not in patch["set"], patch["set"]
            assert list(patch["fields"]["texts"]) == [data["field"]]
            text = state.teams["t_1"].texts[data["field"]]
            assert patch["fields"]["texts"][data["field"]] == text
    assert held is not None
    assert without_version(held) == engine.team_view(scenario, state, "t_1")
    assert all(held["texts"][f] == str(docs[f]) and len(held["texts"][f]) > 200 for f in fields)
