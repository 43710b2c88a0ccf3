"""The team room as a shared workspace: alerts, activity, who did what, time, rounds, membership.

Each test drives real browsers against the real server; screenshots of the room at 1280 and
390 px go to test-artifacts/screenshots/ (and /tmp/ui-shots/ for the report).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
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
from servers import LiveServer, serving

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/ui-shots")

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) first
    expect = None  # type: ignore[assignment]


def shot(page: Any, name: str, full_page: bool = False) -> None:
    """Save a screenshot for reviewers: the viewport (what a person sees) unless asked."""
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def scenario_of(scenario_id: str) -> dict[str, Any]:
    return json.loads((ROOT / "scenarios" / f"{scenario_id}.json").read_text())


def open_tab(page: Any, name: str) -> None:
    page.click(f"#tab-{name}")
    expect(page.locator(f"#panel-{name}")).to_be_visible()


def console_tab(page: Any, name: str) -> None:
    page.click(f"#tab-{name}")
    expect(page.locator(f"#panel-{name}")).to_be_visible()


def team_of(new_page: Any, code: str, team: str, people: list[tuple[str, int]]) -> list[Any]:
    """Join learners (name, viewport width) into one team; the first creates it."""
    pages = []
    for index, (name, width) in enumerate(people):
        page = new_page(width)
        join(page, code, name)
        if index == 0:
            page.fill("#new-team-name", team)
            page.click("#create-team button[type=submit]")
        else:
            page.get_by_role("button", name=f"Join team {team}").click()
        expect(page.locator("#ctx-team")).to_have_text(f"Team {team}")
        pages.append(page)
    return pages


def pages_on(new_context: Any) -> Any:
    return lambda width: new_context(width, 844 if width < 500 else 800).new_page()


def run_first_diagnostic(page: Any) -> tuple[str, str]:
    """Run the first diagnostic the team can afford; return its id and name."""
    open_tab(page, "investigate")
    item = page.locator("#diagnostics li:has(button:enabled)").first
    diagnostic = item.get_attribute("data-diagnostic")
    name = item.locator("strong").first.inner_text()
    item.locator("button").click()
    ran = page.locator(f"#diagnostics li[data-diagnostic='{diagnostic}']")
    expect(ran).to_contain_text("Run by")
    return diagnostic, name


def fill_texts(page: Any, text: str, scope: str = "#deliverable") -> None:
    """Fill every text field in `scope` and wait until each is saved."""
    areas = page.locator(f"{scope} textarea[data-text-field]")
    for index in range(areas.count()):
        areas.nth(index).fill(f"{text} ({index + 1})")
        areas.nth(index).press("Tab")
    for index in range(areas.count()):
        field = areas.nth(index).get_attribute("data-text-field")
        expect(page.locator(f"#status-{field}")).to_have_text("Saved")


NAMES = """(selector) => [...document.querySelectorAll(selector)]
  .filter((n) => n.getClientRects().length)
  .map((n) => n.getAttribute('aria-label') || n.textContent.trim())"""


def assert_named_per_item(page: Any, selector: str) -> None:
    """Controls repeated per item each name their item (no two share an accessible name)."""
    names = page.evaluate(NAMES, selector)
    assert len(names) > 1, (selector, names)
    assert len(names) == len(set(names)), f"repeated names in {selector}: {sorted(names)}"


AUDIO_STUB = """
window.__beeps = 0;
class CountingAudio {
  constructor() { this.state = "running"; this.currentTime = 0; this.destination = {}; }
  resume() {}
  createOscillator() {
    const count = () => { window.__beeps += 1; };
    return { frequency: { value: 0 }, connect: (n) => n, start: count, stop() {} };
  }
  createGain() {
    return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (n) => n };
  }
}
window.AudioContext = CountingAudio;
window.webkitAudioContext = CountingAudio;
"""


# --- alerts ---------------------------------------------------------------------------------------


def test_an_inject_alerts_every_teammate_until_read(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    scenario = scenario_of(scenario_id)
    manual = next(i for i in scenario["injects"] if i["trigger"] == "manual")
    fac = new_context(1280, 900).new_page()
    sign_in(fac, live_server.password)
    _sid, code = create_session(fac, scenario_id)
    ada, grace = team_of(pages_on(new_context), code, "Alpha", [("Ada", 1280), ("Grace", 390)])
    command(fac, "start_session")
    expect(ada.locator("#round-h")).to_contain_text(scenario["rounds"][0]["name"])
    base_title = grace.title()

    console_tab(fac, "injects")
    fac.locator(f"[data-inject='{manual['id']}']").get_by_role("button", name="Fire inject").click()
    for page in (ada, grace):
        alert = page.locator(f"#room-notices [data-notice='inject:{manual['id']}']")
        expect(alert).to_be_visible()
        expect(alert).to_contain_text(manual["title"])
        expect(page.locator("#alert-live")).to_contain_text("New message from")
        expect(page.locator("#alert-live")).to_contain_text(manual["title"])
        expect(page.locator("#alert-messages-count")).to_have_text("1")
        expect(page.get_by_role("button", name="Messages 1 unread")).to_be_visible()
        expect(page).to_have_title(re.compile(r"^\(1\) New message – "))
    shot(ada, "room-inject-alert-1280")
    shot(grace, "room-inject-alert-390")
    check_accessibility(ada, "team room with an inject alert")
    check_accessibility(grace, "team room with an inject alert at 390px")

    # The alert stays until read (a toast would be gone by now).
    ada.wait_for_timeout(4500)
    expect(ada.locator(f"#room-notices [data-notice='inject:{manual['id']}']")).to_be_visible()

    # On the phone, one tap on the bar's Messages button opens the message itself.
    grace.click("#alert-messages")
    card = grace.locator(f"#injects [data-inject-card='{manual['id']}']")
    expect(card).to_be_focused()
    expect(card).to_be_in_viewport()
    expect(grace.locator("#alert-messages-count")).to_have_text("")
    expect(grace.locator("#room-notices [data-kind='inject']")).to_have_count(0)
    expect(grace).to_have_title(base_title)
    shot(grace, "room-inject-opened-390")

    # On the desktop, "Mark as read" clears it; the read state survives a reload.
    ada.locator(f"#room-notices [data-notice='inject:{manual['id']}']").get_by_role(
        "button", name=re.compile("^Mark as read")).click()
    expect(ada.locator("#alert-messages-count")).to_have_text("")
    expect(ada).to_have_title(base_title)

    # The read state survives a reload; the beep (counted by a stand-in for WebAudio) is off
    # until the learner switches it on, and the choice is remembered by the browser.
    ada.context.add_init_script(AUDIO_STUB)
    ada.reload()
    wait_connected(ada)
    expect(ada.locator(f"#injects [data-inject-card='{manual['id']}']")).to_be_visible()
    expect(ada.locator("#room-notices [data-kind='inject']")).to_have_count(0)
    expect(ada.locator("#sound-toggle")).not_to_be_checked()
    others = [i for i in scenario["injects"] if i["id"] != manual["id"]]

    def fire(inject: dict[str, Any]) -> None:
        fac.locator(f"[data-inject='{inject['id']}']").get_by_role(
            "button", name=re.compile("^Fire inject")).click()
        expect(ada.locator(f"#room-notices [data-notice='inject:{inject['id']}']")).to_be_visible()

    fire(others[0])
    ada.wait_for_timeout(300)
    assert ada.evaluate("window.__beeps") == 0, "a beep although the sound is off"
    ada.check("#sound-toggle")  # switching it on plays it once, so the learner knows it
    preview = ada.evaluate("window.__beeps")
    assert preview > 0
    fire(others[1])
    ada.wait_for_function(f"window.__beeps > {preview}")
    ada.reload()
    wait_connected(ada)
    expect(ada.locator("#sound-toggle")).to_be_checked()
    expect(ada.locator("#alert-messages-count")).to_have_text("2")

    # Chat has its unread count too, reset when the chat is opened.
    grace.evaluate("window.scrollTo(0, 0)")
    ada.fill("#chat-input", "Grace, can you take the evidence board?")
    ada.press("#chat-input", "Enter")
    expect(grace.locator("#alert-chat-count")).to_have_text("1")
    grace.click("#alert-chat")
    expect(grace.locator("#chat-input")).to_be_focused()
    expect(grace.locator("#alert-chat-count")).to_have_text("")


# --- activity, who did what, ready ----------------------------------------------------------------


def test_activity_feed_who_did_what_and_ready_marks(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    fac = new_context(1280, 900).new_page()
    sign_in(fac, live_server.password)
    _sid, code = create_session(fac, scenario_id)
    chen, grace = team_of(pages_on(new_context), code, "Cobalt",
                          [("Chen Li", 1280), ("Grace", 390)])
    command(fac, "start_session")
    expect(grace.locator("#countdown-value")).to_have_text(re.compile(r"^\d+:\d\d$"))
    grace.evaluate("window.scrollTo(0, 0)")

    diagnostic, name = run_first_diagnostic(chen)
    entry = grace.locator("#activity [data-kind='diagnostic']").first
    expect(entry).to_contain_text("Chen Li")
    expect(entry).to_contain_text(name)
    expect(grace.locator("#activity")).not_to_contain_text("Chen Li (you)")
    expect(grace.locator("#alert-activity-count")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(chen.locator("#alert-activity-count")).to_have_text("")  # one's own doing is no news
    expect(grace.locator("#chat")).not_to_contain_text(name)  # the feed, not the chat
    grace.click("#alert-activity")
    expect(grace.locator("#activity-h")).to_be_focused()
    expect(grace.locator("#alert-activity-count")).to_have_text("")

    # An evidence mark shows who made it, with initials.
    open_tab(chen, "causes")
    board = chen.locator(f"#evidence [data-evidence='{diagnostic}']")
    board.get_by_role("button", name=re.compile(r"^Link '.+' to the chosen cause$")).click()
    expect(board).to_contain_text("Supports:")
    open_tab(grace, "causes")
    by = grace.locator(f"#evidence [data-evidence='{diagnostic}'] .by")
    expect(by).to_contain_text("by Chen Li")
    expect(by.locator(".initials")).to_have_text("CL")
    expect(chen.locator(f"#evidence [data-evidence='{diagnostic}'] .by")).to_contain_text("by you")
    open_tab(chen, "investigate")
    assert_named_per_item(chen, "#diagnostics button")
    open_tab(chen, "causes")
    assert_named_per_item(chen, "#evidence button, #evidence select")

    # A text field says who wrote it last.
    open_tab(chen, "deliverable")
    open_tab(grace, "deliverable")
    first = chen.locator("#deliverable textarea[data-text-field]").first
    field = first.get_attribute("data-text-field")
    first.fill("FCR fell from 78% to 66% since the migration")
    first.press("Tab")
    expect(grace.locator(f"[data-text-meta='{field}']")).to_contain_text("Chen Li")

    # Ready marks: Grace marks herself ready; Chen sees it before submitting.
    toggle = grace.locator("#ready-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(grace.locator("#ready-toggle")).to_have_attribute("aria-pressed", "true")
    expect(chen.locator("#ready-area")).to_contain_text("Grace is ready")
    expect(chen.locator("#ready-area")).to_contain_text("1 of 2 ready")
    expect(chen.locator("#members [data-ready]")).to_have_count(1)
    shot(chen, "room-deliverable-ready-1280", full_page=True)
    check_accessibility(chen, "deliverable with ready marks and bylines")
    open_tab(chen, "causes")
    check_accessibility(chen, "causes with bylines and activity")
    shot(grace, "room-activity-390")


# --- rounds from the view -------------------------------------------------------------------------


def test_a_reopened_earlier_round_is_edited_and_resubmitted(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    scenario = scenario_of(scenario_id)
    first, second = scenario["rounds"][0], scenario["rounds"][1]
    fac = new_context(1280, 900).new_page()
    sign_in(fac, live_server.password)
    _sid, code = create_session(fac, scenario_id)
    ada, ben = team_of(pages_on(new_context), code, "Delta", [("Ada", 1280), ("Ben", 390)])
    command(fac, "start_session")
    expect(ada.locator("#round-h")).to_contain_text(first["name"])
    command(fac, "advance")  # round 1 closes with nothing written: submitted as it stood
    expect(ada.locator("#round-h")).to_contain_text(second["name"])
    chip = ada.locator(f"#round-steps li[data-round='{first['id']}']")
    expect(chip).to_have_attribute("data-outcome", "advanced")
    expect(chip).to_contain_text("closed when the facilitator moved on")
    expect(chip).not_to_have_class(re.compile(r"\b(done|submitted)\b"))

    open_tab(ada, "causes")
    assert_named_per_item(ada, "#causes button, #causes select")

    # Who declared a cause, and who ruled one out, shows on every teammate's screen.
    declared = ada.locator("#causes [data-cause]").first
    declared.locator("select").first.select_option(index=1)
    declared.get_by_role("button", name=re.compile(r"^Declare '")).click()
    expect(declared).to_contain_text("Declared")
    ruled = ada.locator("#causes [data-cause]").last
    ruled.get_by_role("button", name=re.compile(r"^Rule out '")).click()
    expect(ruled).to_contain_text("Ruled out")
    open_tab(ben, "causes")
    expect(ben.locator("#causes [data-cause]").first.locator(".by")).to_contain_text("by Ada")
    expect(ben.locator("#causes [data-cause]").last.locator(".by")).to_contain_text("by Ada")
    expect(ben.locator("#bem .chip .by .initials")).to_have_text("AD")
    ben.locator("#bem").evaluate("n => n.scrollIntoView({block: 'start'})")
    shot(ben, "room-causes-bylines-390")
    check_accessibility(ben, "causes with bylines at 390px")
    fac.get_by_role("button", name="Details of team Delta").click()
    fac.get_by_label("Round to reopen for Delta").select_option(first["id"])
    fac.get_by_role("button", name="Reopen round").click()
    confirm(fac)

    notice = ada.locator(f"#room-notices [data-notice='reopened:{first['id']}']")
    expect(notice).to_be_visible()
    expect(chip).to_have_attribute("data-outcome", "reopened")
    notice.get_by_role("button", name="Open it").click()
    section = ada.locator(f"#reopened-rounds [data-round-section='{first['id']}']")
    expect(section).to_be_visible()
    expect(section).to_contain_text(f"Reopened: Round 1: {first['name']}")
    # The current round's deliverable is still there, below.
    expect(ada.locator("#deliverable")).to_contain_text(second["deliverable"][0]["label"])
    fill_texts(ada, "Alpha's reopened contract", f"[data-round-section='{first['id']}']")
    ben_section = ben.locator(f"[data-round-section='{first['id']}']")
    expect(ben_section.locator("textarea").first).to_have_value(
        "Alpha's reopened contract (1)")
    expect(section.locator(f"[data-round-completeness='{first['id']}']")).to_have_text(
        "100% complete")
    shot(ada, "room-reopened-round-1280", full_page=True)
    check_accessibility(ada, "deliverable with a reopened round")
    section.get_by_role("button", name=f"Submit “{first['name']}” again").click()
    section.locator(f"[data-confirm-round='{first['id']}']").click()
    expect(ada.locator(f"[data-round-section='{first['id']}']")).to_have_count(0)
    expect(ada.locator(f"#room-notices [data-notice='reopened:{first['id']}']")).to_have_count(0)
    expect(chip).to_have_attribute("data-outcome", "submitted")
    expect(ben.locator(f"#round-steps li[data-round='{first['id']}']")).to_have_attribute(
        "data-outcome", "submitted")
    expect(ada.locator("#activity")).to_contain_text("Ada")


# --- time, membership: a scenario whose first round lasts one minute ------------------------------


@pytest.fixture(scope="module")
def quick_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose scenarios' first round lasts one minute (so a timeout comes quickly)."""
    workdir = tmp_path_factory.mktemp("quick")
    scenarios = workdir / "scenarios"
    scenarios.mkdir()
    for path in (ROOT / "scenarios").glob("*.json"):
        data = json.loads(path.read_text())
        data["rounds"][0]["minutes"] = 1
        (scenarios / path.name).write_text(json.dumps(data))
    with serving(workdir, "quick-test-password", SCENARIO_DIR=str(scenarios)) as server:
        yield server
    shutil.rmtree(workdir, ignore_errors=True)


def test_teams_are_fixed_in_a_round_moves_are_told_and_a_timeout_is_explained(
    browser: Any, quick_server: LiveServer, scenario_id: str
) -> None:
    contexts = []

    def page(width: int = 1280) -> Any:
        viewport = {"width": width, "height": 844 if width < 500 else 800}
        context = browser.new_context(base_url=quick_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        scenario = scenario_of(scenario_id)
        first = scenario["rounds"][0]
        fac = page()
        sign_in(fac, quick_server.password)
        _sid, code = create_session(fac, scenario_id)
        ada, lin = team_of(page, code, "Alpha", [("Ada", 1280), ("Lin", 390)])
        (bo,) = team_of(page, code, "Bravo", [("Bo", 1280)])

        # In the lobby a learner may change team.
        expect(lin.locator("#leave-team")).to_be_visible()
        command(fac, "start_session")
        expect(ada.locator("#round-h")).to_contain_text(first["name"])

        # In a round the control is gone; forced anyway, the refusal is readable.
        expect(lin.locator("#leave-team")).to_be_hidden()
        lin.evaluate("document.getElementById('leave-team').hidden = false")
        lin.click("#leave-team")
        refusal = lin.locator("#team-change-error")
        expect(refusal).to_be_visible()
        expect(refusal).to_contain_text("can't change team while a round is running")
        expect(lin.locator("#ctx-team")).to_have_text("Team Alpha")

        # The facilitator may open team changes for a while.
        fac.check("#allow-team-changes")
        expect(lin.locator("#leave-team")).to_be_visible()
        fac.uncheck("#allow-team-changes")
        expect(lin.locator("#leave-team")).to_be_hidden()

        # Lin is writing Alpha's gap, still in the field, when the facilitator moves her.
        open_tab(lin, "deliverable")
        area = lin.locator("#deliverable textarea[data-text-field]").first
        field = area.get_attribute("data-text-field")
        area.fill("Alpha's gap, typed by Lin")
        expect(lin.locator(f"#status-{field}")).to_have_text("Saved")
        area.focus()

        # A learner moved by the facilitator sees the new team's room and a lasting notice.
        console_tab(fac, "teams")
        row = fac.locator("#roster tr", has=fac.get_by_label("Team of Lin"))
        row.locator("select").select_option(label="Bravo")
        row.get_by_role("button", name="Move").click()
        expect(lin.locator("#ctx-team")).to_have_text("Team Bravo")
        moved = lin.locator("#room-notices [data-kind='moved']")
        expect(moved).to_contain_text("moved you to Bravo")
        expect(lin.locator("#alert-live")).to_contain_text("moved you to")
        lin.wait_for_timeout(4500)
        expect(moved).to_be_visible()
        expect(lin.locator("#members")).to_contain_text("Bo")
        expect(lin.locator("#team-change-error")).to_be_hidden()  # the old refusal is gone
        # Nothing of Alpha's work is shown in, or carried into, Bravo's room.
        mine = lin.locator(f"#deliverable textarea[data-text-field='{field}']")
        expect(mine).to_have_value("")
        mine.fill("Bravo's gap, typed by Lin")
        mine.press("Tab")
        expect(lin.locator(f"#status-{field}")).to_have_text("Saved")
        open_tab(bo, "deliverable")
        expect(bo.locator(f"#deliverable textarea[data-text-field='{field}']")).to_have_value(
            "Bravo's gap, typed by Lin")
        open_tab(ada, "deliverable")
        expect(ada.locator(f"#deliverable textarea[data-text-field='{field}']")).to_have_value(
            "Alpha's gap, typed by Lin")
        shot(lin, "room-moved-390")
        check_accessibility(lin, "room after a move at 390px")

        # Bravo submits round 1; Alpha leaves it to the clock.
        open_tab(bo, "deliverable")
        fill_texts(bo, "Bravo's contract")
        bo.click("#submit-round")
        bo.click("#confirm-submit")
        expect(bo.locator("#submit-area")).to_contain_text("Submitted")

        # The one-minute round runs out: each team is told what became of its draft.
        timeout = ada.locator("#room-notices [data-kind='timeout']")
        expect(timeout).to_contain_text("Time is up", timeout=75_000)
        expect(timeout).to_contain_text("submitted as it stood")
        expect(bo.locator("#room-notices [data-kind='timeout']")).to_contain_text(
            "already submitted")
        ada.wait_for_timeout(4500)
        expect(timeout).to_be_visible()  # not a toast: it stays until dismissed
        expect(ada.locator(f"#round-steps li[data-round='{first['id']}']")).to_have_attribute(
            "data-outcome", "auto")
        expect(ada.locator(f"#round-steps li[data-round='{first['id']}']")).to_contain_text(
            "closed by time")
        expect(bo.locator(f"#round-steps li[data-round='{first['id']}']")).to_have_attribute(
            "data-outcome", "submitted")
        shot(ada, "room-timeout-1280")
        check_accessibility(ada, "room after a timeout")
        timeout.get_by_role("button", name=re.compile("^Dismiss")).click()
        expect(timeout).to_have_count(0)
    finally:
        for context in contexts:
            context.close()


# --- phones: nothing sticky covers a control ------------------------------------------------------

def _page_functions() -> list[str]:
    """Return the arrow functions of room_geometry.js, comments dropped."""
    text = (Path(__file__).parent / "room_geometry.js").read_text()
    return ["\n".join(line for line in part.splitlines() if not line.startswith("//")).strip()
            for part in text.split("\n// ---\n")]


COVERED, FOCUS_SWEEP = _page_functions()


def test_at_390px_the_sticky_bar_and_toasts_cover_no_control(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    fac = new_context(1280, 900).new_page()
    sign_in(fac, live_server.password)
    _sid, code = create_session(fac, scenario_id)
    ada, phone = team_of(pages_on(new_context), code, "Echo", [("Ada", 1280), ("Pat", 390)])
    command(fac, "start_session")
    expect(phone.locator("#countdown-value")).to_have_text(re.compile(r"^\d+:\d\d$"))
    command(fac, "pause")
    expect(phone.locator("#roombar")).to_have_attribute("data-paused", "true")
    expect(phone.locator("#countdown .label")).to_have_text("Paused")
    expect(phone.locator("#bar-paused")).to_be_attached()  # said, not shown twice at 390 px
    expect(phone.locator("#roombar .toast").first).to_be_visible()  # "paused" toast

    result = phone.evaluate(COVERED)
    assert result["boxes"] >= 2 and result["controls"] > 10, result
    assert not result["hits"], f"the bar or a toast covers: {result['hits']}"
    shot(phone, "room-bar-toasts-390")

    # Scrolled anywhere, the clock and the pause state stay in view ...
    for fraction in (0.3, 0.6, 1.0):
        phone.evaluate(f"window.scrollTo(0, document.body.scrollHeight * {fraction})")
        bar = phone.locator("#roombar").bounding_box()
        assert bar is not None and -1 <= bar["y"] <= 1, bar
        expect(phone.locator("#countdown")).to_be_in_viewport()
        expect(phone.locator("#countdown .label")).to_have_text("Paused")
    shot(phone, "room-scrolled-390")

    # ... and every control reached by focus (keyboard, or a tap that scrolls) is not under it.
    for tab in ("investigate", "causes", "deliverable"):
        phone.evaluate("window.scrollTo(0, 0)")
        open_tab(phone, tab)
        sweep = phone.evaluate(FOCUS_SWEEP)
        assert sweep["checked"] > 5, sweep
        assert not sweep["covered"], f"under the bar after focusing ({tab}): {sweep['covered']}"
    command(fac, "resume")
    expect(phone.locator("#roombar")).to_have_attribute("data-paused", "false")
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "room-round-390")
    shot(ada, "room-round-1280")
    check_accessibility(phone, "room at 390px with the sticky bar")
