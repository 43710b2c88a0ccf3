"""The stage at 1920x1080: lobby, round, inject, scoring, debrief and reveal, from a screen link
alone, while nothing hidden ever reaches the screen's websocket."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import socketio
from browser_helpers import check_accessibility, sign_in, wait_connected

from practicum.scenario.loader import load_scenario

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) first
    expect = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/stage-shots")
MIN_LABEL_PX = 16


class Socket:
    """A python-socketio client that sends actions and returns their acks."""

    def __init__(self, url: str, namespace: str, auth: dict[str, Any] | None = None) -> None:
        self.namespace = namespace
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(url, namespaces=[namespace], auth=auth, transports=["websocket"])
        self.session_id: str | None = None

    def call(self, event: str, **payload: Any) -> dict[str, Any]:
        """Send an event (an action gets an actionId, a facilitator one the session id)."""
        if event != "watch":
            payload.setdefault("actionId", uuid.uuid4().hex)
        if self.namespace == "/facilitate" and event != "watch":
            payload.setdefault("sessionId", self.session_id)
        ack = self.sio.call(event, payload, namespace=self.namespace, timeout=10)
        assert ack["ok"], (event, ack)
        return ack


def shot(page: Any, name: str) -> None:
    """Save a screenshot of the screen as the room sees it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)


def chart_label_sizes(page: Any, scope: str) -> list[float]:
    """Return the rendered size in CSS px of every text in the charts under a selector."""
    return page.evaluate(
        """(scope) => Array.from(document.querySelectorAll(scope + ' svg.chart text')).map((t) => {
            const m = t.ownerSVGElement.getScreenCTM();
            return parseFloat(getComputedStyle(t).fontSize) * m.a;
        })""",
        scope,
    )


def test_the_stage_runs_the_room_and_never_sees_hidden_truth(
    new_context: Any, live_server: Any, facilitator_token: str, scenario_id: str
) -> None:
    scenario = next(
        s for s in (load_scenario(p) for p in (ROOT / "scenarios").glob("*.json"))
        if s.id == scenario_id
    )
    created = live_server.api("POST", "/api/sessions", {"scenarioId": scenario_id},
                              token=facilitator_token)
    session_id, code = created["sessionId"], created["joinCode"]
    fac = Socket(live_server.url, "/facilitate", {"token": facilitator_token})
    fac.session_id = session_id
    fac.call("watch", sessionId=session_id)

    # The console hands out a link; the screen opens it in a browser nobody signed in to.
    console = new_context().new_page()
    sign_in(console, live_server.password)
    link = console.request.get(f"/facilitator/sessions/{session_id}/stage-link").json()
    screen = new_context(1920, 1080).new_page()
    frames: list[str] = []
    screen.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
        payload if isinstance(payload, str) else payload.decode(errors="replace"))))
    screen.goto(link["url"])
    wait_connected(screen)
    expect(screen.locator(".join-code")).to_have_text(code)

    people = {}
    for name, team in (("Ada", "Alpha"), ("Bo", "Alpha"), ("Cy", "Bravo"), ("Di", "Bravo")):
        learner = Socket(live_server.url, "/play")
        learner.call("join_session", code=code, name=name)
        teams = {t["name"]: t["id"] for t in fac.call("watch", sessionId=session_id)["board"]
                 ["public"]["teams"]}
        if team in teams:
            learner.call("join_team", team=teams[team])
        else:
            learner.call("create_team", name=team)
        people[name] = learner
    people["Ada"].call("chat", text="alpha-secret-chat-line")
    expect(screen.locator("#stage-teams li")).to_have_count(2)
    expect(screen.locator("#stage-teams")).to_contain_text("2 members")
    expect(screen.locator("#lobby-count")).to_have_text("4 people joined · 2 teams")
    shot(screen, "1-lobby")
    check_accessibility(screen, "stage lobby")

    fac.call("start_session")
    expect(screen.locator("#stage-round")).to_be_visible()
    expect(screen.locator("#round-h")).to_have_text(scenario.rounds[0].name)
    expect(screen.locator("#stage-clock")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(screen.locator("#stage-submitted")).to_have_text("0 of 2 teams submitted")
    clock_px = screen.evaluate(
        "() => parseFloat(getComputedStyle(document.getElementById('stage-clock')).fontSize)")
    assert clock_px >= 150, clock_px  # readable from the back of a room
    shot(screen, "2-round")

    inject = next((i for i in scenario.injects if i.trigger == "manual"), scenario.injects[0])
    fac.call("fire_inject", inject=inject.id, teams=None)
    expect(screen.locator("#stage-inject-title")).to_have_text(inject.title)
    people["Ada"].call("respond_inject", inject=inject.id, text="alpha-secret-response")
    shot(screen, "3-inject")

    first = scenario.rounds[0]
    levels = {c.id: 3 for c in scenario.rubric if c.round == first.id and c.kind == "facilitator"}
    board = fac.call("watch", sessionId=session_id)["board"]
    team_ids = [t["id"] for t in board["public"]["teams"]]
    fac.call("score_round", team=team_ids[0], round=first.id, levels=levels,
             comment="alpha-secret-score-comment", overrides={})
    fac.call("stage_show", mode="scoring")
    expect(screen.locator("#stage-scoring")).to_be_visible()
    expect(screen.locator("#stage-scoring-list li").first).to_contain_text("1 of 2 teams scored")
    shot(screen, "4-scoring")
    fac.call("score_round", team=team_ids[1], round=first.id, levels=levels, comment="",
             overrides={})
    fac.call("publish_scores", round=first.id)
    expect(screen.locator("#stage-scoring-list li").first).to_contain_text(
        "2 of 2 teams scored · published")
    expect(screen.locator("#stage-board")).to_be_hidden()  # no reveal until asked

    for _ in scenario.rounds:
        fac.call("advance")
    expect(screen.locator("#stage-debrief")).to_be_visible()
    charts = screen.locator("#stage-debrief figure[data-chart=kpi]")
    expect(charts).to_have_count(len(scenario.kpis))
    for i in range(len(scenario.kpis)):
        series = charts.nth(i).locator("polyline")
        expect(series).to_have_count(4)
        names = set(series.evaluate_all("(lines) => lines.map((l) => l.dataset.series)"))
        assert names == {"Alpha", "Bravo", "Doing nothing", "Expert plan"}
    sizes = chart_label_sizes(screen, "#stage-debrief")
    assert sizes and min(sizes) >= MIN_LABEL_PX, sorted(sizes)[:5]
    expect(screen.locator("#stage-debrief figure[data-chart=roi] rect.bar")).not_to_have_count(0)
    real = [c for c in scenario.causes if c.truth != "false"]
    expect(screen.locator("[data-stage=causes] li")).to_have_count(len(real))
    shot(screen, "5-debrief")
    check_accessibility(screen, "stage debrief")

    fac.call("stage_show", mode="leaderboard")
    expect(screen.locator("#stage-board tbody tr")).to_have_count(2)
    screen.wait_for_timeout(1500)  # the reveal animation
    shot(screen, "6-leaderboard")

    # Everything the screen's websocket ever received holds public data only.
    received = "\n".join(frames)
    assert '"stage"' in received and '"debrief"' in received
    hidden = [c.debrief for c in scenario.causes]
    hidden += [i.expected_response for i in scenario.injects]
    hidden += [i.text for i in scenario.injects]
    hidden += [scenario.debrief_notes] + [c.description for c in scenario.causes]
    hidden += [scenario.intervention(p.id).name for p in scenario.expert_plan.interventions]
    hidden += ["alpha-secret-chat-line", "alpha-secret-response", "alpha-secret-score-comment"]
    leaked = [text for text in hidden if text and json.dumps(text)[1:-1] in received]
    assert not leaked, leaked
    for key in ("truth", "gapShare", "expertPlan", "expectedResponse", "debriefNotes", "chat",
                "answerKey", "comment", "texts", "finding"):
        assert f'"{key}"' not in received, key
