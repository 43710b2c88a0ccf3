"""A whole practicum in real browsers: a facilitator and two teams of two, from join to debrief."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    check_accessibility,
    command,
    confirm,
    create_session,
    join,
    screenshot,
    sign_in,
    wait_connected,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) before any test body runs
    expect = None  # type: ignore[assignment]


# --- learner steps ------------------------------------------------------------------------------


def open_tab(page: Any, name: str) -> None:
    """Select a workspace tab of the team room."""
    page.click(f"#tab-{name}")
    expect(page.locator(f"#panel-{name}")).to_be_visible()


def run_first_diagnostic(page: Any) -> str:
    """Run the first diagnostic the team can afford now; return its id."""
    open_tab(page, "investigate")
    item = page.locator("#diagnostics li:has(button:enabled)").first
    diagnostic = item.get_attribute("data-diagnostic")
    item.locator("button").click()
    ran = page.locator(f"#diagnostics li[data-diagnostic='{diagnostic}']")
    expect(ran).to_contain_text("Run by")
    return diagnostic


def link_first_finding(page: Any) -> None:
    """Link the first finding on the evidence board to the first cause (supports)."""
    open_tab(page, "causes")
    board = page.locator("#evidence [data-evidence]").first
    board.get_by_role("button", name=re.compile(r"^Link '.+' to the chosen cause$")).click()
    expect(board).to_contain_text("Supports:")


def declare_first_cause(page: Any) -> None:
    """Declare the first candidate cause in the first cell of the taxonomy."""
    open_tab(page, "causes")
    item = page.locator("#causes [data-cause]").first
    item.locator("select").first.select_option(index=1)
    item.get_by_role("button", name="Declare").click()
    expect(page.locator("#causes [data-cause]").first).to_contain_text("Declared")
    expect(page.locator("#bem .chip")).to_have_count(1)


def rule_out_last_cause(page: Any) -> None:
    """Rule out the last candidate cause (the first one is declared)."""
    open_tab(page, "causes")
    item = page.locator("#causes [data-cause]").last
    item.get_by_role("button", name="Rule out").click()
    expect(item).to_contain_text("Ruled out")


def add_affordable_intervention(page: Any) -> None:
    """Add interventions in catalogue order until one fits the budget."""
    open_tab(page, "plan")
    items = page.locator("#interventions [data-intervention]")
    for index in range(items.count()):
        items.nth(index).get_by_role("button", name=re.compile(r"^Add '.+' to the plan$")).click()
        try:
            expect(items.nth(index)).to_contain_text("In plan", timeout=2000)
            return
        except AssertionError:
            continue
    raise AssertionError("no intervention fits the budget")


def choose_metric_and_isolation(page: Any) -> None:
    """Pick the first metric with a target, and the first isolation method."""
    open_tab(page, "evaluate")
    metric = page.locator("#metrics [data-metric]").first
    metric.locator("input[type=number]").fill("75")
    metric.get_by_role("button", name=re.compile(r"^Add '.+' to the evaluation plan$")).click()
    expect(metric).to_contain_text("Target 75")
    page.locator("#isolation input[type=radio]").first.check()
    expect(page.locator("#isolation input[type=radio]").first).to_be_checked()


def write_texts(page: Any, text: str) -> None:
    """Fill every text field of the current deliverable and wait until each is saved."""
    open_tab(page, "deliverable")
    areas = page.locator("#deliverable textarea[data-text-field]")
    for index in range(areas.count()):
        areas.nth(index).fill(f"{text} ({index + 1})")
    areas.first.press("Tab")
    for index in range(areas.count()):
        field = areas.nth(index).get_attribute("data-text-field")
        expect(page.locator(f"#status-{field}")).to_have_text("Saved")


def submit_round(page: Any) -> None:
    """Submit the round's deliverable (two steps: submit, confirm)."""
    open_tab(page, "deliverable")
    expect(page.locator("#completeness")).to_have_text("100% complete")
    page.click("#submit-round")
    page.click("#confirm-submit")
    expect(page.locator("#submit-area")).to_contain_text("Submitted")


def do_round_work(page: Any, actions: list[str], text: str) -> None:
    """Do what the round allows: the actions in scenario order, then the text fields."""
    if "run_diagnostic" in actions:
        run_first_diagnostic(page)
    if "mark_evidence" in actions:
        link_first_finding(page)
    if "declare_cause" in actions:
        declare_first_cause(page)
    if "rule_out_cause" in actions:
        rule_out_last_cause(page)
    if "select_intervention" in actions:
        add_affordable_intervention(page)
    if "select_metric" in actions:
        choose_metric_and_isolation(page)
    write_texts(page, text)


# --- facilitator steps --------------------------------------------------------------------------


def console_tab(page: Any, name: str) -> None:
    """Select a console tab."""
    page.click(f"#tab-{name}")
    expect(page.locator(f"#panel-{name}")).to_be_visible()


def score_all(page: Any, teams: list[str], rounds: list[dict[str, Any]], nudge: Any) -> None:
    """Score every team's every round: level 3 for facilitator components, a comment.

    ``nudge`` makes a learner change something, so the board updates mid-edit once.
    """
    console_tab(page, "scoring")
    for team in teams:
        for round_ in rounds:
            page.select_option("#score-team", label=team)
            page.select_option("#score-round", value=round_["id"])
            form = page.locator("#score-form")
            expect(form.locator("h2")).to_have_text(f"{team} · {round_['name']}")
            radios = form.locator("fieldset.level-options")
            for index in range(radios.count()):
                radios.nth(index).locator("input[value='3']").check()
            if team == teams[0] and round_ is rounds[0]:
                first = form.locator("[data-component]").first
                first.locator("summary").click()
                first.locator("[data-override-points]").fill("1")
                first.locator("[data-override-reason]").fill("Gap stated as a solution")
            page.fill("#score-comment", f"Well argued, {team}: <b>keep</b> going")
            if team == teams[0] and round_ is rounds[0]:
                page.focus("#score-round")  # not typing: the form may be rebuilt
                nudge()  # a board update arrives while the score is being edited
                page.wait_for_timeout(500)
                expect(form.locator("input[type=radio]:checked")).to_have_count(radios.count())
                expect(page.locator("#score-comment")).to_have_value(
                    f"Well argued, {team}: <b>keep</b> going")
            page.click("#save-score")
            expect(form).to_contain_text("Saved score")
            preview = page.locator(f"#score-preview [data-score-round='{round_['id']}']")
            expect(preview).to_contain_text(f"Well argued, {team}")


def test_two_teams_play_a_scenario_from_join_to_debrief(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    started = time.monotonic()
    scenario = json.loads((ROOT / "scenarios" / f"{scenario_id}.json").read_text())
    rounds = scenario["rounds"]

    fac = new_context(1920, 1080).new_page()
    sign_in(fac, live_server.password)
    screenshot(fac, "facilitator-sessions")
    check_accessibility(fac, "session list")
    session_id, code = create_session(fac, scenario_id)

    # Four learners in separate contexts; one on a phone-sized screen.
    a1 = new_context().new_page()
    a2 = new_context(390, 844).new_page()
    b1 = new_context().new_page()
    b2 = new_context().new_page()

    # A wrong code is explained, then the right one works.
    a2.goto("/")
    a2.fill("#code", "ZZZZZZ")
    a2.fill("#name", "Grace")
    a2.click("#join-button")
    expect(a2.locator("#join-error")).to_contain_text("No session has that code")
    screenshot(a2, "learner-join-error-390")
    check_accessibility(a2, "join page")

    join(a1, code, "Ada")
    expect(a1.locator("#team-choice")).to_be_visible()
    screenshot(a1, "learner-team-choice")
    a1.fill("#new-team-name", "Alpha")
    a1.click("#create-team button[type=submit]")
    expect(a1.locator("#ctx-team")).to_have_text("Team Alpha")
    join(a2, code, "Grace", via_link=False)
    a2.get_by_role("button", name="Join team Alpha").click()
    expect(a2.locator("#ctx-team")).to_have_text("Team Alpha")
    join(b1, code, "Barbara")
    b1.fill("#new-team-name", "Bravo")
    b1.click("#create-team button[type=submit]")
    expect(b1.locator("#ctx-team")).to_have_text("Team Bravo")
    join(b2, code, "Edsger")
    b2.click("#auto-assign")  # the emptiest open team is Bravo
    expect(b2.locator("#ctx-team")).to_have_text("Team Bravo")

    # The facilitator moves a learner across and back; the learner's room follows.
    console_tab(fac, "teams")
    row = fac.locator("#roster tr", has_text="Edsger")
    for target in ("Alpha", "Bravo"):
        row.locator("select").select_option(label=target)
        row.get_by_role("button", name="Move").click()
        expect(b2.locator("#ctx-team")).to_have_text(f"Team {target}")
    console_tab(fac, "board")

    # Presence: each teammate shows as online, in words.
    expect(a1.locator("#members li[data-learner]")).to_have_count(2)
    expect(a1.locator("#members")).not_to_contain_text("away")
    screenshot(a1, "learner-room-lobby")
    check_accessibility(a1, "team room (lobby)")

    board = fac.locator("#board")
    expect(board.locator("[data-team]")).to_have_count(2)
    expect(board).to_contain_text("Grace")
    expect(board).not_to_contain_text("away")
    screenshot(fac, "facilitator-console-lobby")
    check_accessibility(fac, "console (lobby)")

    command(fac, "start_session")
    expect(a1.locator("#round-h")).to_contain_text(rounds[0]["name"])
    expect(a1.locator("#countdown-value")).to_have_text(re.compile(r"^\d+:\d\d$"))

    # Live updates between teammates: a finding and a text field, each within a second.
    diagnostic = run_first_diagnostic(a1)
    t0 = time.monotonic()
    expect(a2.locator(f"#findings [data-finding='{diagnostic}']")).to_be_visible(timeout=1000)
    assert time.monotonic() - t0 < 1.0
    expect(a2.locator("#findings")).to_contain_text("run by Ada")
    open_tab(a1, "deliverable")
    open_tab(a2, "deliverable")
    first_field = a1.locator("#deliverable textarea[data-text-field]").first
    field_id = first_field.get_attribute("data-text-field")
    first_field.fill("FCR fell from 78% to 66% since the migration")
    t0 = time.monotonic()
    expect(a2.locator(f"textarea[data-text-field='{field_id}']")).to_have_value(
        "FCR fell from 78% to 66% since the migration", timeout=1500
    )
    assert time.monotonic() - t0 < 1.5  # includes the 300 ms typing debounce

    # Team chat.
    a2.fill("#chat-input", "I'll take the evidence board")
    a2.press("#chat-input", "Enter")
    expect(a1.locator("#chat")).to_contain_text("I'll take the evidence board")

    screenshot(a1, "learner-room-round1")
    screenshot(a2, "learner-room-round1-390")
    check_accessibility(a1, "team room (round 1)")
    check_accessibility(a2, "team room at 390px")
    expect(board.locator("[data-team] [data-stat=diagnostics]").first).to_contain_text("1 run")
    screenshot(fac, "facilitator-console-round1")

    for index, round_ in enumerate(rounds):
        if index > 0:
            command(fac, "advance")
            expect(a1.locator("#round-h")).to_contain_text(round_["name"])
        pending = None
        if "declare_cause" in round_["actions"]:
            # Grace picks a cell but has not declared yet; Ada's edits must not undo her choice.
            open_tab(a2, "causes")
            pending = a2.locator("#causes [data-cause]").nth(1).locator("select").first
            pending.select_option(index=2)
            chosen = pending.input_value()
        do_round_work(a1, round_["actions"], f"Alpha's {round_['name']}")
        if pending is not None:
            expect(a2.locator("#bem .chip")).to_have_count(1)  # Ada's cause arrived
            expect(pending).to_have_value(chosen)
        shown = {1: "causes", 2: "plan", 3: "evaluate"}.get(index)
        if shown:
            open_tab(a1, shown)
            screenshot(a1, f"learner-room-{shown}")
            if shown == "causes":
                check_accessibility(a1, "team room (causes and evidence)")
        submit_round(a1)
        expect(a2.locator("#submit-area")).to_contain_text("Submitted")
        if index == 0:  # the facilitator reopens Alpha's submission; Alpha submits again
            fac.get_by_role("button", name="Details of team Alpha").click()
            expect(fac.get_by_label("Round to reopen for Alpha")).to_have_value(round_["id"])
            fac.get_by_role("button", name="Reopen round").click()
            said = confirm(fac)
            assert "Alpha" in said and round_["name"] in said and "Other teams" in said
            expect(a1.locator("#submit-round")).to_be_visible()
            submit_round(a1)
        if index < 2:  # Bravo works too; later it leaves the clock to submit for it
            do_round_work(b1, round_["actions"], f"Bravo's {round_['name']}")
            submit_round(b2)
        manual = [i for i in scenario["injects"] if i["trigger"] == "manual"
                  and i["round"] == round_["id"]]
        if manual:
            console_tab(fac, "injects")
            card = fac.locator(f"[data-inject='{manual[0]['id']}']")
            expect(card).to_contain_text("Expected response")
            screenshot(fac, "facilitator-injects")
            check_accessibility(fac, "console injects")
            card.get_by_role("button", name="Fire inject").click()
            message = a1.locator(f"#injects [data-inject-card='{manual[0]['id']}']")
            expect(message).to_contain_text(manual[0]["title"])
            message.locator("textarea").fill("We will show the sponsor the search-log evidence")
            expect(message).to_contain_text("Saved")  # shared text: saved as it is typed
            expect(card).to_contain_text("We will show the sponsor the search-log evidence")
            screenshot(a1, "learner-room-inject")
            console_tab(fac, "board")
        expect(board.locator("[data-team]").first).to_contain_text("Submitted")

    # Drill into a team.
    fac.get_by_role("button", name="Details of team Alpha").click()
    expect(fac.locator("#detail-body")).to_contain_text("Causes declared")
    screenshot(fac, "facilitator-console-team-detail")

    def nudge() -> None:
        a2.fill("#chat-input", "waiting for our scores")
        a2.press("#chat-input", "Enter")
        expect(a1.locator("#chat")).to_contain_text("waiting for our scores")

    score_all(fac, ["Alpha", "Bravo"], rounds, nudge)
    screenshot(fac, "facilitator-scoring")
    check_accessibility(fac, "console scoring")
    fac.locator("#publish-all").click()  # every team is scored: nothing to warn about
    for round_ in rounds:
        row = fac.locator(f"[data-publish-round='{round_['id']}']")
        expect(row).to_contain_text("2/2 scored")
        expect(row).to_contain_text("Published")
    command(fac, "advance")  # into the debrief
    expect(fac.locator("#session-phase")).to_contain_text("Debrief")

    # Learners: scores with explanations and the comment, then the debrief charts.
    open_tab(a1, "results")
    expect(a1.locator("#scores [data-score-round]")).to_have_count(len(rounds))
    expect(a1.locator("#scores")).to_contain_text("Well argued, Alpha: <b>keep</b> going")
    expect(a1.locator("#scores")).to_contain_text("Gap stated as a solution")
    charts = a1.locator("#debrief figure[data-chart=kpi]")
    expect(charts).to_have_count(len(scenario["kpis"]))
    expect(charts.first.locator("polyline")).to_have_count(3)
    expect(a1.locator("#debrief figure[data-chart=roi] rect")).not_to_have_count(0)
    expect(a1.locator("#debrief table[data-debrief=causes] tbody tr[data-cause]")).to_have_count(
        len(scenario["causes"])
    )
    screenshot(a1, "learner-results-debrief")
    screenshot(a2, "learner-results-debrief-390")
    check_accessibility(a1, "results and debrief")

    console_tab(fac, "debrief")
    expect(fac.locator("table[data-debrief=compare] thead th")).to_have_count(4)
    charts = fac.locator("#debrief-body figure[data-chart=kpi]")
    expect(charts).to_have_count(len(scenario["kpis"]))  # one per KPI, every team overlaid
    for i in range(len(scenario["kpis"])):
        lines = charts.nth(i).locator("polyline").evaluate_all(
            "(ls) => ls.map((l) => l.dataset.series)")
        assert set(lines) == {"Alpha", "Bravo", "Doing nothing", "Expert plan"}
    # Read from the back row at 1920x1080: no chart text under 16 px.
    sizes = fac.evaluate("""() => Array.from(document.querySelectorAll(
        '#debrief-body svg.chart text')).map((t) =>
        parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a)""")
    assert sizes and min(sizes) >= 16, sorted(sizes)[:3]
    screenshot(fac, "facilitator-debrief")
    check_accessibility(fac, "console debrief")

    # Replay: Alpha's path from the log, scrubbed back to its first step, Bravo beside it.
    console_tab(fac, "replay")
    fac.get_by_label("Team to replay").select_option(label="Alpha")
    slider = fac.locator("#replay-at-a")
    expect(fac.locator("#replay-a figure[data-chart=kpi]")).to_have_count(len(scenario["kpis"]))
    steps = int(slider.get_attribute("max")) + 1
    assert steps > 5
    slider.focus()
    fac.keyboard.press("Home")
    expect(fac.locator("#replay-a label[for=replay-at-a]")).to_have_text(f"Step 1 of {steps}")
    expect(fac.locator("#replay-a figure[data-chart=kpi]").first).to_contain_text("step 1")
    fac.get_by_label("Team to compare").select_option(label="Bravo")
    expect(fac.locator("#replay-b figure[data-chart=kpi]")).to_have_count(len(scenario["kpis"]))
    screenshot(fac, "facilitator-replay")
    check_accessibility(fac, "console replay")

    stage = fac.context.new_page()
    stage.goto(f"/facilitator/sessions/{session_id}/stage")
    wait_connected(stage)
    expect(stage.locator("#stage-debrief figure[data-chart=kpi]")).to_have_count(
        len(scenario["kpis"])
    )
    expect(stage.locator("#stage-debrief figure[data-chart=kpi]").first.locator(
        "polyline")).to_have_count(4)  # two teams, doing nothing, the expert plan
    fac.locator("[data-stage-mode=leaderboard]").click()
    expect(stage.locator("#stage-board tbody tr")).to_have_count(2)
    expect(fac.locator("#stage-now")).to_contain_text("leaderboard")
    screenshot(stage, "stage-debrief")
    check_accessibility(stage, "stage")

    # Exports, downloaded from the console and parsed.
    console_tab(fac, "board")
    with fac.expect_download() as download:
        fac.get_by_role("link", name="Scores CSV").click()
    rows = list(csv.DictReader(io.StringIO(
        download.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2 * len(scenario["rubric"])
    assert {r["team_name"] for r in rows} == {"Alpha", "Bravo"}
    assert all(r["published"] == "yes" for r in rows)
    overridden = [r for r in rows if r["override_reason"]]
    assert [r["override_reason"] for r in overridden] == ["Gap stated as a solution"]
    assert float(overridden[0]["points"]) == 1.0
    alpha_total = sum(float(r["points"]) for r in rows if r["team_name"] == "Alpha")
    assert 0 < alpha_total <= 100
    with fac.expect_download() as download:
        fac.get_by_role("link", name="Event log CSV").click()
    events = list(csv.DictReader(io.StringIO(
        download.value.path().read_text(encoding="utf-8-sig"))))
    kinds = {e["type"] for e in events}
    assert {"learner_joined", "diagnostic_run", "round_submitted", "scores_published"} <= kinds
    assert any(e["who"] == "Ada" and e["type"] == "diagnostic_run" for e in events)
    with fac.expect_download() as download:
        fac.get_by_role("link", name="JSON export").click()
    exported = json.loads(download.value.path().read_text())
    assert exported["sessionId"] == session_id
    assert len(exported["events"]) == len(events)

    # Ending the session (confirmed) closes it to newcomers, with a clear message.
    fac.locator("#controls [data-cmd=end_session]").click()
    assert "cannot be undone" in confirm(fac)
    expect(fac.locator("#session-phase")).to_contain_text("Session ended")
    late = new_context(390, 844).new_page()
    late.goto(f"/join/{code}")
    late.fill("#name", "Late Larry")
    late.click("#join-button")
    expect(late.locator("#join-error")).to_contain_text("This session has ended")

    assert time.monotonic() - started < 150, "the end-to-end play-through is too slow"

