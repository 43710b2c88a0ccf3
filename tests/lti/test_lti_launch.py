"""LTI 1.3 against a real local platform (lti-provider-mock under uvicorn, with a real AGS
endpoint): instructor and learner launches, a round played to publication, the grade posted,
and bad launches refused on a clear page."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import create_engine, select

from practicum.server.lti_store import LtiStore, lms_identity
from practicum.server.store import actions_table, events_table
from tests.live.conftest import Client, LiveServer
from tests.live.test_live_server import TEAM_ACTIONS
from tests.lti.platform import (
    SCOPES,
    Browser,
    Reply,
    form_fields,
    launch,
    learner_launch,
    sign_in,
    start_launch,
)

pytestmark = pytest.mark.live
SCORE_SCOPE = SCOPES[2]
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class CookieClient(Client):
    """A facilitator socket that signs in with the browser's session cookie, as the console."""

    def __init__(self, server: LiveServer, namespace: str, cookie: str) -> None:
        self.namespace = namespace
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.team = self.board = None
        self.changed = threading.Condition()
        self.sio.on("*", self._record, namespace=namespace)
        self.sio.connect(
            server.url,
            namespaces=[namespace],
            headers={"Cookie": cookie},
            transports=["websocket"],
            wait_timeout=10,
        )
        self.session_id = None


def _lti_store(server: LiveServer) -> LtiStore:
    """Open the server's database (SQLite in its instance directory) for reading."""
    return LtiStore(create_engine(f"sqlite:///{server.workdir / 'practicum.db'}"), time.time)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _seat_token(reply: Reply) -> str:
    assert reply.status_code == 200, reply.text
    return re.search(r'data-token="([^"]+)"', reply.text).group(1)


def _wait(check: Any, timeout: float = 20.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _refused(reply: Reply, code: str) -> None:
    assert reply.status_code in (400, 403, 404, 409), (reply.status_code, reply.text[-500:])
    assert f'<code id="lti-code">{code}</code>' in reply.text, reply.text[-800:]
    assert "Traceback" not in reply.text
    assert reply.headers["Content-Type"].startswith("text/html")


def test_instructor_and_learners_launch_play_and_the_grade_is_posted(lti_pair, clients):
    server, platform = lti_pair
    # The instructor's first launch: an account from the LMS identity, then a page to link
    # this activity to a session; they create one from a scenario and land in its console.
    teacher = Browser()
    first = launch(teacher, platform, "teacher-1")
    assert first.status_code == 302, first.text
    assert first.headers["Location"].endswith("/lti/link")
    page = teacher.get(f"{server.url}/lti/link")
    assert "Link this activity to a session" in page.text
    made = teacher.post(
        f"{server.url}/lti/link",
        {"csrf_token": _csrf(page.text), "scenario": "harbor"},
        follow=False,
    )
    assert made.status_code == 302, made.text
    console_path = made.headers["Location"]
    session_id = console_path.rstrip("/").rsplit("/", 1)[-1]
    assert teacher.get(f"{server.url}{console_path}").ok
    # A later launch of the same link opens the console directly.
    again = launch(teacher, platform, "teacher-1")
    assert again.status_code == 302 and again.headers["Location"].endswith(console_path)

    # Learners land in the room with their LMS names, no join code typed.
    learners = {}
    for user, name in (("learner-1", "Lena Learner"), ("learner-2", "Omar Okafor")):
        browser = Browser()
        token = _seat_token(learner_launch(browser, platform, user))
        client = clients(server, "/play")
        ack = client.call("hello", token=token)
        assert ack["ok"], ack
        assert ack["sessionId"] == session_id
        assert ack["view"]["me"]["name"] == name
        learners[user] = client
        # The LMS identity is kept for the learner (xAPI names the learner by it): on the seat
        # and on the stored answer to the join, never in the engine's events.
        lms = {"issuer": platform.issuer, "subject": user, "name": name}
        assert lms_identity(_lti_store(server), session_id, ack["learnerId"]) == lms
        with _lti_store(server).engine.connect() as conn:
            acks = [json.loads(r.result) for r in conn.execute(select(actions_table))]
            events = [r.data for r in conn.execute(select(events_table))]
        assert any(a.get("learnerId") == ack["learnerId"] and a.get("lms") == lms for a in acks)
        assert not any(user in str(data) for data in events)
        # Launching again keeps the same seat.
        assert _seat_token(learner_launch(browser, platform, user)) == token

    cookie = f"session={teacher.cookie('session')}"
    facilitator = CookieClient(server, "/facilitate", cookie)
    try:
        facilitator.session_id = session_id
        assert facilitator.call("watch", sessionId=session_id)["ok"]
        lena, omar = learners["learner-1"], learners["learner-2"]
        team_id = lena.call("create_team", name="Alpha")["teamId"]
        assert omar.call("join_team", team=team_id)["ok"]
        assert facilitator.call("start_session")["ok"]
        for event, payload in TEAM_ACTIONS["r_contract"]:
            assert lena.call(event, **payload)["ok"], event
        assert omar.call("submit_round")["ok"]
        scored = facilitator.call(
            "score_round", team=team_id, round="r_contract", levels={}, comment="", overrides={}
        )
        assert scored["ok"], scored
        # The LMS is slow (3 s an answer) and refuses the first post: the facilitator's ack
        # does not wait for it, and the grade is retried, not lost.
        platform.set_claims({"fail_scores": 1, "slow_scores": 3})
        started = time.monotonic()
        published = facilitator.call("publish_scores", round="r_contract")
        assert published["ok"], published
        assert time.monotonic() - started < 2  # the ack never waits for the LMS
    finally:
        facilitator.close()

    def two_scores() -> list[dict[str, Any]]:
        good = [s for s in platform.seen()["scores"] if not s.get("failed")]
        return good if len(good) >= 2 else []

    posted = _wait(two_scores, timeout=30)
    time.sleep(1.5)  # a few more sweeps: a sent grade is not posted again
    seen = platform.seen()
    assert len([s for s in seen["scores"] if not s.get("failed")]) == 2
    assert any(s.get("failed") for s in seen["scores"])  # one refused post, then retried
    assert {s["body"]["userId"] for s in posted} == {"learner-1", "learner-2"}
    for score in posted:
        body = score["body"]
        assert (score["context"], score["item"]) == ("course-1", "1")
        assert body["scoreGiven"] == pytest.approx(scored["total"])
        assert body["scoreMaximum"] == pytest.approx(scored["max"])
        assert 0 <= body["scoreGiven"] <= body["scoreMaximum"]
        assert body["gradingProgress"] == "FullyGraded"
        assert body["activityProgress"] in ("Submitted", "Completed")
        assert body["timestamp"].endswith("Z")
    # The token exchange: an assertion signed with the tool's key, checked against its JWKS.
    tool_kid = requests.get(f"{server.url}/lti/jwks.json", timeout=5).json()["keys"][0]["kid"]
    assert seen["tokens"], seen
    exchange = seen["tokens"][0]
    assert exchange["kid"] == tool_kid
    assert exchange["claims"]["iss"] == exchange["claims"]["sub"] == "lti-provider-mock"
    assert exchange["claims"]["aud"] == f"{platform.url}/token"
    assert SCORE_SCOPE in exchange["scope"].split()
    assert not [r for r in seen["refused"] if "invalid_client" in r]


def _tamper(token: str, change: Any) -> str:
    header, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    change(claims)
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{encoded}.{signature}"


def test_bad_launches_are_refused_on_a_clear_page(lti_pair):
    server, platform = lti_pair
    launch_url = f"{server.url}/lti/launch"
    browser = Browser()
    sign_in(browser, platform, "learner-1")

    # A token whose claims were changed after signing.
    form = start_launch(browser, platform)
    forged = {**form, "id_token": _tamper(form["id_token"], lambda c: c.update(name="Mallory"))}
    _refused(browser.post(launch_url, forged), "lti/bad_signature")
    # A signature that is not the platform's.
    form = start_launch(browser, platform)
    head, body, signature = form["id_token"].split(".")
    flipped = ("A" if signature[5] != "A" else "B").join((signature[:5], signature[6:]))
    bad = {**form, "id_token": f"{head}.{body}.{flipped}"}
    _refused(browser.post(launch_url, bad), "lti/bad_signature")
    # A token claiming an issuer that is not registered.
    form = start_launch(browser, platform)
    stranger = {
        **form,
        "id_token": _tamper(
            form["id_token"], lambda c: c.update(iss="https://lms.elsewhere.example")
        ),
    }
    _refused(browser.post(launch_url, stranger), "lti/unknown_platform")

    # A valid launch is accepted once (here: not linked to a session yet) and refused when
    # the same post comes again.
    form = start_launch(browser, platform)
    _refused(browser.post(launch_url, form), "lti/not_linked")
    _refused(browser.post(launch_url, form), "lti/replayed")

    # A launch without the state cookie the login step set (another browser, or one blocking
    # cookies).
    form = start_launch(browser, platform)
    browser.forget_cookies("lti1p3")
    _refused(browser.post(launch_url, form), "lti/no_state")

    # An expired token, and a deployment that is not registered, both signed by the platform.
    platform.set_claims({"subs": {"learner-1": {"exp_offset": -120}}})
    _refused(browser.post(launch_url, start_launch(browser, platform)), "lti/expired")
    platform.set_claims(
        {"subs": {"learner-1": {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "99"}}}
    )
    _refused(browser.post(launch_url, start_launch(browser, platform)), "lti/unknown_deployment")
    # The seat page without the launch that leads to it.
    _refused(Browser().get(f"{server.url}/lti/seat?session=s_nothing"), "lti/seat_expired")
    assert "Traceback" not in (server.log.read_text())


def test_custom_session_parameter_links_the_activity(lti_pair, clients):
    server, platform = lti_pair
    session = server.create_session("harbor")
    platform.set_claims(
        {
            "all": {
                "https://purl.imsglobal.org/spec/lti/claim/custom": {
                    "session": session["joinCode"]
                },
            }
        }
    )
    teacher = Browser()
    reply = launch(teacher, platform, "teacher-1")
    assert reply.status_code == 302
    assert reply.headers["Location"].endswith(f"/facilitator/sessions/{session['sessionId']}")
    token = _seat_token(learner_launch(Browser(), platform, "learner-2"))
    ack = clients(server, "/play").call("hello", token=token)
    assert ack["ok"] and ack["sessionId"] == session["sessionId"]


def test_deep_linking_adds_an_activity_that_opens_a_new_session(lti_pair, clients):
    server, platform = lti_pair
    request = {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
            "deep_link_return_url": f"{platform.url}/deep-link-return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["window"],
            "data": "opaque-platform-data",
        },
    }
    platform.set_claims({"subs": {"teacher-1": request}})
    teacher = Browser()
    reply = launch(teacher, platform, "teacher-1")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/lti/deep-link")
    page = teacher.get(f"{server.url}/lti/deep-link")
    assert "Add a session to your course" in page.text
    answer = teacher.post(
        f"{server.url}/lti/deep-link", {"csrf_token": _csrf(page.text), "scenario": "harbor"}
    )
    assert answer.status_code == 200, answer.text
    action, fields = form_fields(answer.text)
    assert action == f"{platform.url}/deep-link-return"
    assert teacher.post(action, fields).ok  # the platform checks the tool's signature
    (claims,) = platform.seen()["deep_links"]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == f"{server.url}/lti/launch"
    assert item["lineItem"]["scoreMaximum"] == 100
    code = item["custom"]["session"]
    # The platform launches the new activity with its custom parameter: the learner lands in
    # the session that deep linking made.
    custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
    platform.set_claims({"all": {custom: item["custom"]}})
    token = _seat_token(learner_launch(Browser(), platform, "learner-1"))
    ack = clients(server, "/play").call("hello", token=token)
    assert ack["ok"], ack
    sessions = requests.get(
        f"{server.url}/api/sessions",
        timeout=5,
        headers={"Authorization": f"Bearer {server.token()}"},
    ).json()
    made = [s for s in sessions["sessions"] if s["joinCode"] == code]
    assert made and made[0]["id"] == ack["sessionId"]
