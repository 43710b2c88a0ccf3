"""The LTI tool's parts without a platform: grades and their outbox, nonces, the LMS identity,
refusal codes, the JWKS and the `practicum lti` command (the real launches: tests/lti/)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from practicum.cli import main
from practicum.server.lti_grades import SCORE_SCOPE, queue_session, send_due, team_fraction
from practicum.server.lti_launch import classify, lms_name
from practicum.server.lti_store import LtiStore, Seat, lms_identity
from tests.services import free_port

ISSUER = "https://lms.example.org"


def _state(published: set[str], team: str | None = "t1") -> SimpleNamespace:
    scores = {"r1": {"total": 6.0, "max": 10.0}, "r2": {"total": 3.5, "max": 10.0}}
    return SimpleNamespace(
        learners={"l1": SimpleNamespace(team=team), "l2": SimpleNamespace(team=team)},
        teams={"t1": SimpleNamespace(scores=scores)},
        published=frozenset(published),
    )


def _seat(learner: str, subject: str, lineitem: str = "http://127.0.0.1:9/li/1") -> Seat:
    ags = {"scope": [SCORE_SCOPE], "lineitem": lineitem}
    return Seat("s1", ISSUER, subject, learner, subject.title(), "tool", "1", "rl-1", ags)


def test_team_fraction_counts_published_rounds_only():
    assert team_fraction(_state(set()), "l1") is None
    given, maximum, first = team_fraction(_state({"r1"}), "l1")
    assert (given, maximum) == (6.0, 10.0)
    given, maximum, second = team_fraction(_state({"r1", "r2"}), "l1")
    assert (given, maximum) == (9.5, 20.0)
    assert first != second
    assert team_fraction(_state({"r1"}, team=None), "l1") is None
    assert team_fraction(_state({"r1"}), "nobody") is None


def test_grades_are_queued_once_and_only_the_newest_is_sent(app: Flask):
    store: LtiStore = app.extensions["practicum.lti"]
    store.save_seat(_seat("l1", "ana"))
    store.save_seat(_seat("l2", "ben"))
    assert queue_session(app.extensions, "s1", _state({"r1"})) == 2
    assert queue_session(app.extensions, "s1", _state({"r1"})) == 0  # same grade: not again
    assert queue_session(app.extensions, "s1", _state({"r1", "r2"})) == 2
    due = store.due_grades()
    assert sorted((row.learner_id, row.score_given, row.score_maximum) for row in due) == [
        ("l1", 9.5, 20.0),
        ("l2", 9.5, 20.0),
    ]
    statuses = [(g["learner_id"], g["status"]) for g in store.grades("s1")]
    assert statuses.count(("l1", "superseded")) == 1 and statuses.count(("l1", "pending")) == 1
    # One process takes a grade; another process asking at once does not get it.
    row = due[0]
    assert store.claim_grade(row, 60)
    assert not LtiStore(store.engine, store.clock).claim_grade(row, 60)


def test_an_activity_without_grades_queues_none(app: Flask):
    store: LtiStore = app.extensions["practicum.lti"]
    store.save_seat(replace(_seat("l1", "ana"), ags={}))
    assert queue_session(app.extensions, "s1", _state({"r1"})) == 0
    assert store.grades("s1") == []


def _register(app: Flask, token_url: str) -> None:
    path = Path(app.config["INSTANCE_DIR"]) / "lti.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "platforms": [
                    {
                        "issuer": ISSUER,
                        "client_id": "tool",
                        "deployment_ids": ["1"],
                        "auth_login_url": f"{ISSUER}/auth",
                        "auth_token_url": token_url,
                        "key_set_url": f"{ISSUER}/jwks",
                    }
                ]
            }
        )
    )


def test_a_failed_post_is_kept_and_retried_with_backoff(app: Flask, clock):
    store: LtiStore = app.extensions["practicum.lti"]
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: the LMS is down
    _register(app, f"{closed}/token")
    store.save_seat(_seat("l1", "ana", lineitem=f"{closed}/li/1"))
    queue_session(app.extensions, "s1", _state({"r1"}))
    with app.app_context():
        assert send_due(app.extensions) == (0, 1)
        (grade,) = store.grades("s1")
        assert grade["status"] == "pending" and grade["attempts"] == 1
        assert "Connection" in grade["last_error"] or "refused" in grade["last_error"]
        assert send_due(app.extensions) == (0, 0)  # not due before its backoff
        clock.advance(5)
        assert send_due(app.extensions) == (0, 1)
        (grade,) = store.grades("s1")
        assert grade["attempts"] == 2 and grade["next_at"] - clock() > 5  # longer wait now


def test_a_nonce_is_used_once_whichever_process_sees_it(app: Flask):
    store: LtiStore = app.extensions["practicum.lti"]
    other = LtiStore(store.engine, store.clock)
    assert store.use_nonce(ISSUER, "n-1")
    assert not other.use_nonce(ISSUER, "n-1")
    assert other.use_nonce("https://other.example", "n-1")


def test_the_lms_identity_of_a_launched_learner(app: Flask):
    store: LtiStore = app.extensions["practicum.lti"]
    assert lms_identity(store, "s1", "l1") is None
    store.save_seat(_seat("l1", "ana"))
    assert lms_identity(store, "s1", "l1") == {"issuer": ISSUER, "subject": "ana", "name": "Ana"}


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("State not found", "lti/no_state"),
        ("Missing cookie lti1p3-session-id", "lti/no_state"),
        ("Invalid Nonce.", "lti/replayed"),
        ("Can't decode id_token: Signature has expired", "lti/expired"),
        ('The deployment ID "9" is not recognised.', "lti/unknown_deployment"),
        ("Registration not found.", "lti/unknown_platform"),
        ("Can't decode id_token: Signature verification failed", "lti/bad_signature"),
        ("Unable to find public key", "lti/bad_signature"),
        ("Unrecognized message type", "lti/invalid"),
    ],
)
def test_library_failures_map_to_stable_codes(message, code):
    assert classify(Exception(message)).code == code


def test_the_lms_name_fits_a_learner_name():
    assert lms_name({"name": "  Lena   Learner "}) == "Lena Learner"
    assert lms_name({"given_name": "Omar", "family_name": "Okafor"}) == "Omar Okafor"
    assert lms_name({}) == "Learner"
    assert len(lms_name({"name": "x" * 200})) == 40


def test_the_served_jwks_names_the_key_the_tool_signs_with(app: Flask):
    _register(app, f"{ISSUER}/token")
    served = app.test_client().get("/lti/jwks.json").get_json()["keys"]
    tool = app.extensions["practicum.lti_tool"].tool()
    registration = tool.conf.find_registration_by_params(ISSUER, "tool")
    assert [k["kid"] for k in served] == [registration.get_kid()]
    assert "d" not in served[0]  # never the private part


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["lti", *args], out=out), out.getvalue()


def test_the_lti_command_manages_keys_and_platforms(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICUM_INSTANCE_DIR", str(tmp_path))
    for key in ("PRACTICUM_LTI_CONFIG", "PRACTICUM_LTI_PRIVATE_KEY"):
        monkeypatch.delenv(key, raising=False)
    code, text = _cli("keys")
    assert code == 0 and (tmp_path / "lti_private_key.pem").stat().st_mode & 0o077 == 0
    code, text = _cli("jwks")
    assert json.loads(text)["keys"][0]["kty"] == "RSA"
    code, text = _cli("urls", "--base", "https://practicum.example.org/")
    assert "Initiate login URL:         https://practicum.example.org/lti/login" in text
    assert "https://practicum.example.org/lti/jwks.json" in text
    args = [
        "--issuer",
        ISSUER,
        "--client-id",
        "abc",
        "--deployment-id",
        "1",
        "--deployment-id",
        "2",
        "--login-url",
        f"{ISSUER}/auth",
        "--token-url",
        f"{ISSUER}/token",
        "--jwks-url",
        f"{ISSUER}/jwks",
    ]
    assert _cli("add-platform", "--name", "Moodle", *args)[0] == 0
    assert _cli("add-platform", "--name", "Moodle again", *args)[0] == 0  # replaces
    code, text = _cli("list")
    assert text.count(ISSUER) == 1 and "deployments=1,2" in text and "Moodle again" in text
    assert _cli("remove", "--issuer", ISSUER, "--client-id", "abc")[0] == 0
    assert _cli("remove", "--issuer", ISSUER, "--client-id", "abc")[0] == 1
    (tmp_path / "lti.json").write_text("{not json")
    code, text = _cli("list")
    assert code == 1 and "not readable JSON" in text


def test_pages_without_a_platform_say_so_and_refusals_may_be_framed(app: Flask):
    client = app.test_client()
    refused = client.post("/lti/launch", data={"id_token": "a.b.c", "state": "x"})
    assert refused.status_code == 400
    assert b'<code id="lti-code">lti/not_configured</code>' in refused.data
    assert "frame-ancestors" not in refused.headers["Content-Security-Policy"]
    served = client.get("/lti/jwks.json")
    assert "frame-ancestors 'none'" in served.headers["Content-Security-Policy"]
    assert client.get("/lti/link").status_code == 302  # signed-in instructors only


def test_after_a_restart_recent_lti_sessions_are_read_for_grades(app: Flask, clock, monkeypatch):
    from practicum.server import lti_grades

    service = app.extensions["practicum"]
    store: LtiStore = app.extensions["practicum.lti"]
    session_id, _code = service.create_session("harbor")
    store.save_seat(replace(_seat("l1", "ana"), session_id=session_id))
    service.evict_idle(0, busy=lambda _sid: False)  # as after a restart: not in memory
    assert session_id not in service.live_session_ids()
    read: list[str] = []
    monkeypatch.setattr(
        lti_grades, "queue_session", lambda _ext, sid, _state: read.append(sid) or 0
    )
    queue = lti_grades.GradeQueue()
    with app.app_context():
        queue.sweep(app.extensions)
        queue.sweep(app.extensions)  # once, at start-up; then only what changes in memory
    assert read == [session_id]
    service.evict_idle(0, busy=lambda _sid: False)
    clock.advance(3 * 86400)
    read.clear()
    with app.app_context():
        lti_grades.GradeQueue().sweep(app.extensions)
    assert read == []  # ended long ago: not read again


def test_a_login_from_an_unregistered_platform_gets_the_page(app: Flask):
    _register(app, f"{ISSUER}/token")
    client = app.test_client()
    for form in ({}, {"iss": "https://stranger.example", "login_hint": "x"}):
        reply = client.post("/lti/login", data=form)
        assert reply.status_code == 400, reply.data[-300:]
        assert b'<code id="lti-code">lti/unknown_platform</code>' in reply.data
    known = client.post(
        "/lti/login",
        data={"iss": ISSUER, "login_hint": "u1", "client_id": "tool", "target_link_uri": "x"},
    )
    assert known.status_code == 302 and known.headers["Location"].startswith(f"{ISSUER}/auth?")
