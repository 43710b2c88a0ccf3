"""A round played in German: every learner screen is scanned for English left untranslated."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import check_accessibility, command, create_session, screenshot, sign_in
from conftest import PASSWORD
from servers import LiveServer, serving

from practicum.server.i18n_catalogue import po_path, read_catalog

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "practicum" / "translations"

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) before any test body runs
    expect = None  # type: ignore[assignment]

# Words that are the same in both languages or are names, never a sign of a missed string.
ALLOWED = {"practicum", "english", "deutsch", "roi", "kpis", "kpi"}
LEARNER = "Ada"
TEAM = "Adler"
# The scenario's own text, translated for German learners by the scenario itself.
GERMAN_TITLE = "Runde eins: Die Lücke verstehen"
GERMAN_REQUEST = "Bitte helfen Sie uns, die Lücke zu schließen."


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", text)}


def _catalogue_words() -> tuple[set[str], set[str]]:
    """Return (English words, German words) of every catalogue, templates and scripts alike."""
    english: set[str] = set()
    german: set[str] = set()
    for locale, words in (("en", english), ("de", german)):
        data = json.loads((CATALOGUES / "js" / f"{locale}.json").read_text(encoding="utf-8"))
        for text in _strings(data):
            words |= _words(re.sub(r"\{\w+\}", " ", text))
    for message in read_catalog(po_path("de"), "de"):
        if message.id:
            english |= _words(re.sub(r"%\(\w+\)s", " ", str(message.id)))
            german |= _words(re.sub(r"%\(\w+\)s", " ", str(message.string)))
    return english, german


# Everyday English a missed string would almost surely contain, whether or not a catalogue
# holds it (a literal the scripts never passed to t() is in no catalogue).
EVERYDAY = set(
    re.findall(
        r"[a-z]+",
        "the and you your with from for this that are not yet has have will what when who which "
        "there their they them our his her its into than then here more about after before again "
        "please submit submitted round rounds teams cause causes metric metrics plan "
        "online away ready done open close closed locked edit remove add run running saved "
        "saving message messages yes cancel none free week weeks day days points",
    )
)
ENGLISH, GERMAN = _catalogue_words()
ENGLISH_ONLY = (ENGLISH | EVERYDAY) - GERMAN - ALLOWED


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict]]:
    """Serve one shipped scenario, given German translations of some of its own text."""
    listed = []
    for path in sorted((ROOT / "scenarios").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        listed.append((data["difficulty"] != "introductory", len(data["rounds"]), path, data))
    _, _, source, scenario = min(listed, key=lambda item: item[:2])
    first_round = scenario["rounds"][0]["id"]
    scenario["language"] = "en"
    scenario["translations"] = {
        "de": {f"rounds.{first_round}.name": GERMAN_TITLE, "brief.request": GERMAN_REQUEST}
    }
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / source.name).write_text(json.dumps(scenario), encoding="utf-8")
    shutil.copy(ROOT / "scenarios" / source.name, tmp_path_factory.mktemp("original"))
    with serving(tmp_path_factory.mktemp("server"), PASSWORD, SCENARIO_DIR=str(folder)) as server:
        yield server, scenario


def visible_text(page: Any, skip: str = "") -> str:
    """Return the text a person sees or hears on the page (screen-reader text included)."""
    return page.evaluate(
        """(skip) => {
            const out = [document.title];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const parent = node.parentElement;
                if (!parent || parent.closest('script, style, noscript, template')) continue;
                if (skip && parent.closest(skip)) continue;
                const shown = parent.closest('option') || parent.checkVisibility();
                if (shown && node.textContent.trim()) out.push(node.textContent);
            }
            return out.join('\\n');
        }""",
        skip,
    )


def english_left(
    page: Any, scenario: dict[str, Any], typed: list[str], skip: str = ""
) -> list[str]:
    """Return the English words on the page that are not the scenario's own text or input."""
    text = visible_text(page, skip)
    # The scenario's text, names and what was typed may be English: take them out first.
    known = sorted(
        {s for s in _strings(scenario) if len(s) >= 3} | set(typed), key=len, reverse=True
    )
    for item in known:
        text = text.replace(item, " ")
    text = re.sub(r"https?://\S+", " ", text)  # links are addresses, not words
    left = sorted(_words(text) & ENGLISH_ONLY)
    lines = [line for line in text.splitlines() if _words(line) & set(left)]
    return [f"{word} (in: {' | '.join(lines)[:300]})" for word in left] if left else []


def assert_german(
    page: Any, screen: str, scenario: dict[str, Any], typed: list[str], skip: str = ""
) -> None:
    """Fail with the English words a German learner would still see on this screen."""
    left = english_left(page, scenario, typed, skip)
    assert not left, f"English on the German {screen}: {left}"


def open_tab(page: Any, name: str) -> None:
    """Select a workspace tab of the team room."""
    page.click(f"#tab-{name}")
    expect(page.locator(f"#panel-{name}")).to_be_visible()


def do_round(page: Any, actions: list[str]) -> None:
    """Do what the round allows through the German room (no English button names)."""
    if "run_diagnostic" in actions:
        open_tab(page, "investigate")
        item = page.locator("#diagnostics li:has(button:enabled)").first
        diagnostic = item.get_attribute("data-diagnostic")
        item.locator("button").click()
        ran = page.locator(f"#diagnostics li[data-diagnostic='{diagnostic}']")
        expect(ran).to_contain_text("Durchgeführt von")
    if "mark_evidence" in actions:
        open_tab(page, "causes")
        board = page.locator("#evidence [data-evidence]").first
        board.locator("[data-focus-key^=ev-add-]").click()
        expect(board).to_contain_text("Stützt:")
    if "declare_cause" in actions:
        open_tab(page, "causes")
        item = page.locator("#causes [data-cause]").first
        item.locator("select").first.select_option(index=1)
        item.locator("[data-focus-key^=declare-]").click()
        expect(item).to_contain_text("Festgelegt")
    if "rule_out_cause" in actions:
        item = page.locator("#causes [data-cause]").last
        item.locator("[data-focus-key^=rule-]").click()
        expect(item).to_contain_text("Ausgeschlossen")
    if "select_intervention" in actions:
        open_tab(page, "plan")
        items = page.locator("#interventions [data-intervention]")
        for index in range(items.count()):
            items.nth(index).locator("[data-focus-key^=add-]").click()
            try:
                expect(items.nth(index)).to_contain_text("Im Plan", timeout=2000)
                break
            except AssertionError:
                continue
    if "select_metric" in actions:
        open_tab(page, "evaluate")
        metric = page.locator("#metrics [data-metric]").first
        metric.locator("input[type=number]").fill("75")
        metric.locator("[data-focus-key^=pick-]").click()
        expect(metric).to_contain_text("Zielwert 75")
        page.locator("#isolation input[type=radio]").first.check()


def score_and_publish(fac: Any, round_: dict[str, Any]) -> None:
    """Score the team's round in the (English) console and publish it to the learners."""
    fac.click("#tab-scoring")
    expect(fac.locator("#panel-scoring")).to_be_visible()
    fac.select_option("#score-team", label=TEAM)
    fac.select_option("#score-round", value=round_["id"])
    form = fac.locator("#score-form")
    expect(form.locator("h2")).to_contain_text(TEAM)
    levels = form.locator("fieldset.level-options")
    for index in range(levels.count()):
        levels.nth(index).locator("input[value='3']").check()
    fac.click("#save-score")
    expect(form).to_contain_text("Saved score")
    fac.locator(f"[data-publish='{round_['id']}']").click()
    expect(fac.locator(f"[data-publish-round='{round_['id']}']")).to_contain_text("Published")


def test_a_round_in_german_leaves_no_english_on_the_learner_screens(
    browser: Any, translated: tuple[LiveServer, dict]
) -> None:
    server, scenario = translated
    rounds = scenario["rounds"]
    assert len(ENGLISH_ONLY) > 200  # the scan has a vocabulary to find

    fac_context = browser.new_context(base_url=server.url, viewport={"width": 1400, "height": 900})
    learner_context = browser.new_context(
        base_url=server.url, viewport={"width": 1280, "height": 900}, locale="de-DE"
    )
    try:
        for context in (fac_context, learner_context):
            context.set_default_timeout(10_000)
        fac = fac_context.new_page()
        sign_in(fac, PASSWORD)  # the facilitator's browser asks for English
        session_id, code = create_session(fac, scenario["id"])
        expect(fac.locator("html")).to_have_attribute("lang", "en")

        page = learner_context.new_page()
        typed = [LEARNER, TEAM, code]
        # The browser's language (Accept-Language: de-DE) picks German; a wrong code is
        # explained in German.
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        page.fill("#code", "ZZZZZZ")
        page.fill("#name", LEARNER)
        page.click("#join-button")
        expect(page.locator("#join-error")).to_contain_text("Keine Sitzung hat diesen Code")
        assert_german(page, "join page", scenario, typed)
        screenshot(page, "i18n-de-join")

        page.goto(f"/join/{code}")
        page.fill("#name", LEARNER)
        page.click("#join-button")
        page.wait_for_url("**/room/*")
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        expect(page.locator("#conn")).to_contain_text("Verbunden")
        assert_german(page, "lobby", scenario, typed)

        page.fill("#new-team-name", TEAM)
        page.click("#create-team button[type=submit]")
        expect(page.locator("#ctx-team")).to_have_text(f"Team {TEAM}")
        # A refusal with a name in it, in German: the same team name again is taken.
        page.click("#leave-team")
        expect(page.locator("#team-choice")).to_be_visible()
        page.fill("#new-team-name", TEAM)
        page.click("#create-team button[type=submit]")
        page.locator(f"#team-list li:has-text('{TEAM}') button").click()
        expect(page.locator("#ctx-team")).to_have_text(f"Team {TEAM}")
        assert_german(page, "lobby in a team", scenario, typed)
        screenshot(page, "i18n-de-lobby")

        command(fac, "start_session")
        # The scenario's own German: its round name and its sponsor's request.
        expect(page.locator("#round-h")).to_contain_text(GERMAN_TITLE)
        expect(page.locator("#brief")).to_contain_text(GERMAN_REQUEST)
        expect(page.locator("#countdown .label")).to_have_text("Verbleibende Zeit")

        do_round(page, rounds[0]["actions"])
        for tab in ("investigate", "causes", "plan", "evaluate", "deliverable"):
            open_tab(page, tab)
            assert_german(page, f"room, tab {tab}", scenario, typed)
        open_tab(page, "investigate")
        screenshot(page, "i18n-de-room-investigate")

        open_tab(page, "deliverable")
        areas = page.locator("#deliverable textarea[data-text-field]")
        for index in range(areas.count()):
            text = f"Unsere Analyse, Teil {index + 1}"
            typed.append(text)
            areas.nth(index).fill(text)
        areas.first.press("Tab")
        for index in range(areas.count()):
            field = areas.nth(index).get_attribute("data-text-field")
            expect(page.locator(f"#status-{field}")).to_have_text("Gespeichert")
        expect(page.locator("#completeness")).to_have_text(re.compile(r"^100\s%"))
        assert_german(page, "deliverable, complete", scenario, typed)
        screenshot(page, "i18n-de-room-deliverable")
        page.click("#submit-round")
        page.click("#confirm-submit")
        expect(page.locator("#submit-area")).to_contain_text("Abgegeben um")
        expect(page.locator("#activity")).to_contain_text(f"{LEARNER} (du) hat")
        assert_german(page, "room after submitting", scenario, typed)
        screenshot(page, "i18n-de-room-submitted")
        check_accessibility(page, "German team room")

        # The facilitator moves on to the debrief: what the plan would have done, in German.
        for _ in rounds[1:]:
            command(fac, "advance")
        command(fac, "advance")
        expect(page.locator("#round-h")).to_have_text("Nachbesprechung")
        open_tab(page, "results")
        expect(page.locator("#debrief figure[data-chart=kpi]")).to_have_count(len(scenario["kpis"]))
        assert_german(page, "results and debrief", scenario, typed)
        screenshot(page, "i18n-de-debrief")

        # The facilitator publishes every round's scores (the rounds after the first scored on
        # what the team left): the automatic scores' explanations, written in English by the
        # scoring rules, read in German in the Results tab.
        for round_ in rounds:
            score_and_publish(fac, round_)
        scores = page.locator("#scores [data-score-round]")
        expect(scores).to_have_count(len(rounds))
        auto = scores.locator("[data-component]:has(.badge:text-is('Automatisch')) .small.pre")
        german_words = re.compile(r"\b(ihr|eure?r?|der|die|keine)\b", re.IGNORECASE)
        for index in range(auto.count()):
            expect(auto.nth(index)).to_contain_text(german_words)
        assert_german(page, "results with published scores", scenario, typed)
        page.locator("#scores").scroll_into_view_if_needed()
        screenshot(page, "i18n-de-results-scores")

        # A German-speaking facilitator: the console and the stage in German too.
        german_fac = learner_context.new_page()
        sign_in(german_fac, PASSWORD)
        assert_german(german_fac, "session list", scenario, typed)
        german_fac.goto(f"/facilitator/sessions/{session_id}")
        expect(german_fac.locator("#conn")).to_have_attribute("data-state", "online")
        for tab in ("board", "scoring", "injects", "teams", "debrief", "replay"):
            german_fac.click(f"#tab-{tab}")
            expect(german_fac.locator(f"#panel-{tab}")).to_be_visible()
            assert_german(german_fac, f"console, tab {tab}", scenario, typed)
            if tab == "board":
                screenshot(german_fac, "i18n-de-console-board")
            if tab == "scoring":
                # The team's stored score: its explanations in German, as the learners read them.
                german_fac.select_option("#score-team", label=TEAM)
                german_fac.select_option("#score-round", value=rounds[0]["id"])
                expect(german_fac.locator("#score-preview [data-score-round]")).to_have_count(1)
                assert_german(german_fac, "console, a stored score", scenario, typed)
                screenshot(german_fac, "i18n-de-console-scoring")
        screenshot(german_fac, "i18n-de-console-replay")
        stage = learner_context.new_page()
        stage.goto(f"/facilitator/sessions/{session_id}/stage")
        expect(stage.locator("#conn")).to_have_attribute("data-state", "online")
        expect(stage.locator("#stage-debrief")).to_be_visible()
        assert_german(stage, "stage", scenario, typed)
        screenshot(stage, "i18n-de-stage")
    finally:
        fac_context.close()
        learner_context.close()


def test_the_chosen_language_persists_over_the_browser_language(
    browser: Any, translated: tuple[LiveServer, dict]
) -> None:
    server, scenario = translated
    context = browser.new_context(
        base_url=server.url, locale="en-US", viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("h1")).to_have_text("Join your team's practicum")
        page.select_option("#lang-picker", "de")  # reloads in German at once
        expect(page.locator("h1")).to_have_text("Tritt dem Practicum deines Teams bei")
        assert_german(page, "join page after choosing German", scenario, [])
        screenshot(page, "i18n-de-join-390")
        page.reload()
        expect(page.locator("html")).to_have_attribute("lang", "de")
        assert page.evaluate("() => localStorage.getItem('practicum.lang')") == "de"
        # The cookie is what the server reads: a new page in the same browser is German too.
        other = context.new_page()
        other.goto("/facilitator")
        expect(other.locator("html")).to_have_attribute("lang", "de")
        page.select_option("#lang-picker", "en")
        expect(page.locator("h1")).to_have_text("Join your team's practicum")
    finally:
        context.close()
