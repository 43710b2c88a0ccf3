"""The newer shipped scenarios in a real browser: a learner reads the briefing and a first finding.

The long play-through (test_browser_practicum.py) runs one scenario; this one opens each of the
scenarios added later, so their text is seen on screen (screenshots for reviewers) and the
hidden truth (cause roles, debriefs) never reaches the team room.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from browser_helpers import ROOT, check_accessibility, command, join, screenshot, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scenario_id", ["alder", "pennant"])
def test_learner_reads_the_briefing_and_a_first_finding(
    new_context: Any, live_server: Any, facilitator_token: str, scenario_id: str
) -> None:
    scenario = json.loads((ROOT / "scenarios" / f"{scenario_id}.json").read_text())
    created = live_server.api(
        "POST", "/api/sessions", {"scenarioId": scenario_id}, token=facilitator_token
    )
    fac = new_context(1440, 900).new_page()
    sign_in(fac, live_server.password)
    fac.goto(f"/facilitator/sessions/{created['sessionId']}")

    learner = new_context(1366, 900).new_page()
    join(learner, created["joinCode"], "Ada")
    learner.fill("#new-team-name", "Alpha")
    learner.click("#create-team button[type=submit]")
    expect(learner.locator("#ctx-team")).to_have_text("Team Alpha")
    command(fac, "start_session")
    expect(learner.locator("#round-h")).to_contain_text(scenario["rounds"][0]["name"])

    page = learner.locator("body")
    expect(page).to_contain_text(scenario["company"]["name"])
    expect(page).to_contain_text(scenario["brief"]["request"][:60])
    for kpi in scenario["kpis"]:
        expect(page).to_contain_text(kpi["name"])
    screenshot(learner, f"learner-briefing-{scenario_id}")
    check_accessibility(learner, f"team room briefing ({scenario_id})")

    # The cheapest first-round diagnostic: the one that lets a team question the sponsor.
    first = min(
        (
            d
            for d in scenario["diagnostics"]
            if d["opensIn"] == scenario["rounds"][0]["id"]
            and not d.get("locked")
            and not d.get("redHerring")
        ),
        key=lambda d: d["cost"]["points"],
    )
    learner.click("#tab-investigate")
    learner.locator(f"#diagnostics li[data-diagnostic='{first['id']}'] button").click()
    finding = learner.locator(f"#findings [data-finding='{first['id']}']")
    expect(finding).to_contain_text(first["finding"][:80])
    screenshot(learner, f"learner-finding-{scenario_id}")

    shown = page.inner_text()
    for cause in scenario["causes"]:
        assert cause["debrief"][:60] not in shown, cause["id"]
    assert scenario["debriefNotes"][:60] not in shown
