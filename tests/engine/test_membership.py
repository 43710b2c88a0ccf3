"""Joining the session and forming teams."""

from __future__ import annotations

from .fixtures import FAC, Game, learner


def test_join_session_trims_and_records_the_learner():
    game = Game()
    answer = game.ok("join_session", learner("l1"), learner_id="l1", name="  Ada   Lovelace ")
    assert answer.result == {"learnerId": "l1"}
    assert game.state.learners["l1"].name == "Ada Lovelace"
    assert game.state.learners["l1"].team is None


def test_join_session_rejects_bad_names_and_repeats():
    game = Game()
    game.no("learner/name_invalid", "join_session", learner("l1"), learner_id="l1", name="   ")
    game.no("learner/name_invalid", "join_session", learner("l1"), learner_id="l1", name="x" * 41)
    game.ok("join_session", learner("l1"), learner_id="l1", name="x" * 40)
    game.no("learner/already_joined", "join_session", learner("l1"), learner_id="l1", name="Bo")
    game.no("input/invalid", "join_session", learner("l2"), learner_id=7, name="Bo")


def test_unknown_learner_cannot_act():
    game = Game()
    game.no("auth/unknown_learner", "create_team", learner("ghost"), team_id="t", name="T")


def test_create_team_moves_the_creator_in_and_names_are_unique_case_insensitively():
    game = Game()
    a1, b1 = game.join("a1"), game.join("b1")
    answer = game.ok("create_team", a1, team_id="t_a", name="Alpha")
    assert answer.result == {"teamId": "t_a"}
    assert game.team("t_a").members == ("a1",)
    assert game.state.learners["a1"].team == "t_a"
    game.no("team/name_taken", "create_team", b1, team_id="t_b", name="  ALPHA ")
    game.no("team/exists", "create_team", b1, team_id="t_a", name="Other")
    game.no("team/name_invalid", "create_team", b1, team_id="t_b", name="")
    game.no("team/name_invalid", "create_team", b1, team_id="t_b", name="n" * 41)


def test_facilitator_creates_empty_teams_with_the_start_budget():
    game = Game()
    game.ok("create_team", FAC, team_id="t_x", name="X-ray")
    team = game.team("t_x")
    assert team.members == ()
    assert (team.granted.points, team.granted.cash, team.granted.days) == (4, 100_000.0, 8)


def test_team_made_late_gets_grants_of_rounds_already_opened():
    game = Game()
    game.started()
    game.ok("advance", FAC)  # round two grants 3 points and 3 days
    game.ok("create_team", FAC, team_id="t_late", name="Late")
    granted = game.team("t_late").granted
    assert (granted.points, granted.days) == (4 + 3, 8 + 3)
    assert game.team("t_a").granted.points == 7


def test_join_team_full_locked_and_already_member():
    game = Game()
    a1, a2, b1, b2 = game.two_teams()
    c1 = game.join("c1")
    game.ok("join_team", c1, team="t_a")  # three is the maximum
    d1 = game.join("d1")
    game.no("team/full", "join_team", d1, team="t_a")
    game.no("team/already_member", "join_team", a1, team="t_a")
    game.no("ref/unknown_team", "join_team", d1, team="t_zz")
    game.ok("lock_team", FAC, team="t_b", locked=True)
    game.no("team/locked", "join_team", d1, team="t_b")
    game.no("team/locked", "join_team", b1, team="t_a")  # cannot leave a locked team either
    game.no("team/locked", "leave_team", b2)
    game.ok("lock_team", FAC, team="t_b", locked=False)
    game.ok("leave_team", b2)
    assert game.team("t_b").members == ("b1",)
    assert game.state.learners["b2"].team is None
    game.no("team/none", "leave_team", b2)


def test_auto_assign_fills_the_smallest_open_team_then_creates_one():
    game = Game()
    a1, b1 = game.join("a1"), game.join("b1")
    game.ok("create_team", a1, team_id="t_a", name="Alpha")
    game.ok("create_team", FAC, team_id="t_b", name="Bravo")
    c1 = game.join("c1")
    assert game.ok("auto_assign", c1, team_id="unused").result == {"teamId": "t_b"}
    assert game.ok("auto_assign", b1, team_id="unused").result == {"teamId": "t_a"}
    game.no("team/already_member", "auto_assign", b1, team_id="x")
    game.ok("lock_team", FAC, team="t_a", locked=True)
    joined = [game.join(f"n{i}") for i in range(3)]
    for newcomer in joined[:2]:  # t_b has room for two more
        assert game.ok("auto_assign", newcomer, team_id="t_no").result == {"teamId": "t_b"}
    answer = game.ok("auto_assign", joined[2], team_id="t_new1")
    assert answer.result == {"teamId": "t_new1"}
    assert game.team("t_new1").name == "Team 3"
    assert game.team("t_new1").members == ("n2",)
    nobody = game.join("n3")
    game.ok("lock_team", FAC, team="t_new1", locked=True)
    game.no("input/invalid", "auto_assign", nobody)  # a new team needs an id


def test_move_learner_even_into_a_locked_team_but_not_beyond_max():
    game = Game()
    game.two_teams()
    game.ok("lock_team", FAC, team="t_b", locked=True)
    game.ok("move_learner", FAC, learner="a2", team="t_b")
    assert game.team("t_b").members == ("b1", "b2", "a2")
    assert game.team("t_a").members == ("a1",)
    game.join("c1")
    game.no("team/full", "move_learner", FAC, learner="c1", team="t_b")
    game.no("ref/unknown_learner", "move_learner", FAC, learner="zz", team="t_b")
    game.no("ref/unknown_team", "move_learner", FAC, learner="c1", team="t_zz")
    game.ok("move_learner", FAC, learner="a2", team=None)
    assert game.state.learners["a2"].team is None
    assert game.ok("move_learner", FAC, learner="a1", team="t_a").events == []


def test_learners_may_join_during_rounds_but_no_new_team_in_the_debrief():
    game = Game()
    game.started()
    late = game.join("late")
    game.ok("join_team", late, team="t_a")
    for _ in game.scenario.rounds:
        game.ok("advance", FAC)
    assert game.state.phase == "debrief"
    other = game.join("other")
    game.no("phase/debrief", "create_team", other, team_id="t_d", name="Delta")


def test_roles_are_enforced():
    game = Game()
    a1 = game.join("a1")
    game.no("auth/forbidden", "start_session", a1)
    game.no("auth/forbidden", "lock_team", a1, team="t", locked=True)
    game.no("auth/forbidden", "join_team", FAC, team="t")
    game.no("auth/forbidden", "chat", FAC, text="hi")
