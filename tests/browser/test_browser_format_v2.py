"""Format v2 in the room: a learner asks a stakeholder a question and hears a reaction to a
choice. Screenshots go to test-artifacts/screenshots/ and /tmp/ui-shots/."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    check_accessibility,
    command,
    create_session,
    join,
    screenshot,
    sign_in,
)
from servers import LiveServer, serving

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/ui-shots")
QUESTION = "What happened to the articles in the migration?"
ANSWER = "Half of them came over without their troubleshooting steps, and nobody owns fixing it."
REACTION = "Search? I asked for a refresher course. Show me this moves first-contact resolution."
PITCH = "Pitch your plan to Ingrid; the Q&A will probe how you will show the effect."
QA_NOTES = "Asked how they would isolate the effect: named the two-site comparison."

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) first
    expect = None  # type: ignore[assignment]


def v2_harbor() -> dict[str, Any]:
    """Return the harbor scenario as format v2 with a stakeholder question and a reaction."""
    data = json.loads((ROOT / "scenarios" / "harbor.json").read_text(encoding="utf-8"))
    data["schemaVersion"] = 2
    data["id"] = "harbor-v2"
    data["budget"]["analysisCash"] = 10_000  # separate budgets: diagnostics pay from this
    for diagnostic in data["diagnostics"]:
        if diagnostic["id"] == "d_kb_owner_interview":
            diagnostic.update(stakeholder="st_kb", question=QUESTION, finding=ANSWER)
            diagnostic["cost"]["cash"] = 2_500
    for intervention in data["interventions"]:
        if intervention["id"] == "i_search_fix":
            intervention["reactions"] = [{"stakeholder": "st_sponsor", "text": REACTION}]
            intervention["pilot"] = {
                "site": "Kelso Bay",
                "cost": {"points": 1, "cash": 3_000, "days": 2},
                "quarters": 1,
                "note": "Kelso Bay also had a quieter storm season.",
            }
    data["rounds"][1]["actions"].append("run_pilot")  # cause analysis: pilot before choosing
    data["rounds"][3]["presentation"] = {"pitchMinutes": 6, "qaMinutes": 4, "brief": PITCH}
    data["objectives"] = [
        {"id": "obj_evidence", "text": "Defend a diagnosis with triangulated evidence."},
        {"id": "obj_gap", "text": "State a performance gap in the sponsor's terms."},
    ]
    for component in data["rubric"]:
        if component["id"] == "c_defend":
            component["qa"] = True
            component["objectives"] = ["obj_evidence"]
        if component["id"] in ("c_gap", "c_triangulation"):
            component["objectives"] = ["obj_gap" if component["id"] == "c_gap" else "obj_evidence"]
    return data


@pytest.fixture(scope="module")
def v2_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose only scenario is a v2 file."""
    workdir = tmp_path_factory.mktemp("formatv2")
    scenarios = workdir / "scenarios"
    scenarios.mkdir()
    (scenarios / "harbor-v2.json").write_text(json.dumps(v2_harbor()), encoding="utf-8")
    with serving(workdir, "v2-test-password", SCENARIO_DIR=str(scenarios)) as server:
        yield server
    shutil.rmtree(workdir, ignore_errors=True)


def shot(page: Any, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_a_learner_asks_a_stakeholder_and_hears_a_reaction(
    browser: Any, v2_server: LiveServer
) -> None:
    contexts = []

    def page() -> Any:
        context = browser.new_context(
            base_url=v2_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        fac = page()
        sign_in(fac, v2_server.password)
        _sid, code = create_session(fac, "harbor-v2")
        ada = page()
        join(ada, code, "Ada")
        ada.fill("#new-team-name", "Alpha")
        ada.click("#create-team button[type=submit]")
        expect(ada.locator("#ctx-team")).to_have_text("Team Alpha")
        command(fac, "start_session")

        # The question sits under the person, not in the diagnostics menu.
        questions = ada.locator("[data-questions=st_kb]")
        expect(questions).to_contain_text(QUESTION)
        expect(ada.locator("#diagnostics [data-diagnostic=d_kb_owner_interview]")).to_have_count(0)
        ask = questions.get_by_role("button", name="Ask")
        expect(ask).to_be_enabled()
        budget = ada.locator("#budget")
        expect(budget).to_contain_text("Analysis cash left")
        expect(budget).to_contain_text("€10,000")
        expect(budget).to_contain_text("Intervention cash left")
        ask.click()
        expect(questions.locator(".answer")).to_contain_text(ANSWER)
        # The question's €2,500 came off the analysis cash; intervention cash is untouched.
        analysis = budget.locator(".cell", has_text="Analysis cash left")
        expect(analysis.locator(".value")).to_have_text("€7,500")
        interventions = budget.locator(".cell", has_text="Intervention cash left")
        expect(interventions.locator(".value")).to_have_text("€200,000")
        budget.scroll_into_view_if_needed()
        shot(ada, "formatv2-separate-budgets")
        questions.scroll_into_view_if_needed()
        shot(ada, "formatv2-question-answered")
        check_accessibility(ada, "room with a stakeholder question answered")

        # Round 2 (causes): pilot the search fix on one site and read the measured result.
        command(fac, "advance")
        ada.click("#tab-plan")
        pilot = ada.locator("[data-pilot=i_search_fix]")
        pilot.get_by_role("button", name="Pilot 'Fix knowledge-base search' at Kelso Bay").click()
        expect(pilot).to_contain_text("Pilot of Fix knowledge-base search at Kelso Bay")
        expect(pilot).to_contain_text("First-contact resolution +")
        expect(pilot).to_contain_text("quieter storm season")
        analysis = ada.locator("#budget .cell", has_text="Analysis cash left")
        expect(analysis.locator(".value")).to_have_text("€4,500")  # 10,000 - 2,500 - 3,000
        pilot.scroll_into_view_if_needed()
        shot(ada, "formatv2-pilot")
        check_accessibility(ada, "room with a pilot result")

        # Round 3 (design): choosing the search fix draws the sponsor's reaction.
        command(fac, "advance")
        reactions = ada.locator("#reactions")
        expect(reactions).to_be_hidden()
        ada.locator("[data-intervention=i_search_fix]").get_by_role("button", name="Add").click()
        expect(reactions).to_be_visible()
        expect(reactions).to_contain_text(REACTION)
        reactions.scroll_into_view_if_needed()
        shot(ada, "formatv2-reaction")
        check_accessibility(ada, "room with a reaction")

        # The facilitator's team detail shows the pilot's result and the reaction heard.
        fac.get_by_role("button", name="Details of team Alpha").click()
        detail = fac.locator("#detail-body")
        expect(detail.locator("[data-detail=pilots]")).to_contain_text("at Kelso Bay")
        expect(detail.locator("[data-detail=reactions]")).to_contain_text(REACTION)
        detail.locator("[data-detail=pilots]").scroll_into_view_if_needed()
        shot(fac, "formatv2-console-detail")

        # Round 4 is a pitch round: teams read the format; the facilitator scores the Q&A.
        command(fac, "advance")
        note = ada.locator("#round-brief [data-presentation]")
        expect(note).to_contain_text("each team presents for 6 min, then takes 4 min")
        expect(note).to_contain_text(PITCH)
        note.scroll_into_view_if_needed()
        shot(ada, "formatv2-pitch-round")
        fac.click("#tab-scoring")
        fac.select_option("#score-team", label="Alpha")
        fac.select_option("#score-round", value="r_evaluate")
        form = fac.locator("#score-form")
        expect(form.locator("[data-presentation]")).to_contain_text("6 min pitch")
        defend = form.locator("[data-component=c_defend]")
        defend.locator("input[value='3']").check()
        defend.locator("textarea[data-qa-notes]").fill(QA_NOTES)
        fac.click("#save-score")
        expect(form).to_contain_text("Saved score")
        expect(fac.locator("#score-preview [data-qa-notes=c_defend]")).to_contain_text(QA_NOTES)
        defend.scroll_into_view_if_needed()
        shot(fac, "formatv2-qa-scoring")
        check_accessibility(fac, "console scoring a Q&A")
        fac.locator("[data-publish-round=r_evaluate] button").click()
        ada.click("#tab-results")
        expect(ada.locator("#scores [data-qa-notes=c_defend]")).to_contain_text(QA_NOTES)
        ada.locator("#scores [data-qa-notes=c_defend]").scroll_into_view_if_needed()
        shot(ada, "formatv2-qa-notes-for-the-team")

        # The debrief lists each learning objective with the components that assess it.
        command(fac, "advance")
        objectives = ada.locator("[data-debrief=objectives]")
        expect(objectives).to_be_visible()
        evidence = objectives.locator("[data-objective=obj_evidence]")
        expect(evidence).to_contain_text("Defend a diagnosis with triangulated evidence.")
        expect(evidence).to_contain_text("Defending the evidence: 4.5 / 6")
        expect(evidence).to_contain_text("Evidence and triangulation: – / 8")  # not scored
        expect(objectives.locator("[data-objective=obj_gap]")).to_contain_text("Gap statement")
        objectives.scroll_into_view_if_needed()
        shot(ada, "formatv2-objectives-debrief")
    finally:
        for context in contexts:
            context.close()


def test_the_format_v2_parts_read_in_german(browser: Any, v2_server: LiveServer) -> None:
    """Questions, separate budgets, pilots, reactions, the pitch note and the Q&A notes field in
    German: the v2 parts of the room and the console show none of the catalogues' English."""
    from test_browser_i18n import ENGLISH_ONLY, _strings, _words

    scenario = v2_harbor()
    contexts = []

    def page() -> Any:
        context = browser.new_context(
            base_url=v2_server.url,
            viewport={"width": 1280, "height": 900},
            extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    def no_english(node: Any, where: str) -> None:
        text = node.inner_text()
        # The scenario's own text stays in its language (English here): take it out first.
        for item in sorted({t for t in _strings(scenario) if len(t) >= 3}, key=len, reverse=True):
            text = text.replace(item, " ")
        left = sorted(_words(text) & ENGLISH_ONLY)
        assert not left, f"English in the German {where}: {left} in {text!r}"

    try:
        fac = page()
        sign_in(fac, v2_server.password)
        _sid, code = create_session(fac, "harbor-v2")
        ada = page()
        join(ada, code, "Ada")
        ada.fill("#new-team-name", "Adler")
        ada.click("#create-team button[type=submit]")
        command(fac, "start_session")

        questions = ada.locator("[data-questions=st_kb]")
        expect(questions.get_by_role("button", name="Fragen")).to_be_enabled()
        budget = ada.locator("#budget")
        expect(budget).to_contain_text("Verbleibendes Analysegeld")
        expect(budget).to_contain_text("10.000")
        no_english(questions, "questions")
        no_english(budget, "budget")
        questions.get_by_role("button", name="Fragen").click()
        expect(questions.locator(".answer")).to_contain_text(ANSWER)

        command(fac, "advance")
        ada.click("#tab-plan")
        pilot = ada.locator("[data-pilot=i_search_fix]")
        expect(pilot.get_by_role("button")).to_contain_text("In Kelso Bay pilotieren")
        no_english(pilot, "pilot offer")
        pilot.get_by_role("button").click()
        expect(pilot).to_contain_text("Pilotiert von Ada")
        shot(ada, "formatv2-de-pilot")

        command(fac, "advance")
        ada.locator("[data-intervention=i_search_fix] .controls button.primary").click()
        reactions = ada.locator("#reactions")
        expect(reactions).to_contain_text("Was die Beteiligten zu euren Entscheidungen")
        no_english(reactions, "reactions")

        command(fac, "advance")
        note = ada.locator("#round-brief [data-presentation]")
        expect(note).to_contain_text("Jedes Team präsentiert 6 Min.")
        no_english(note, "pitch note")
        shot(ada, "formatv2-de-pitch-round")
        fac.click("#tab-scoring")
        fac.select_option("#score-team", label="Adler")
        fac.select_option("#score-round", value="r_evaluate")
        defend = fac.locator("#score-form [data-component=c_defend]")
        expect(defend).to_contain_text("Notizen zur Fragerunde")
        expect(fac.locator("#score-form [data-presentation]")).to_contain_text("Min. Pitch")
        shot(fac, "formatv2-de-qa-scoring")
    finally:
        for context in contexts:
            context.close()
