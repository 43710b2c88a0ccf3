"""A learner's reload and a dropped network both bring the room back to the same place."""

from __future__ import annotations

import time
from typing import Any

import pytest
from browser_helpers import (
    check_accessibility,
    command,
    create_session,
    join,
    screenshot,
    sign_in,
    wait_connected,
)

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) first
    expect = None  # type: ignore[assignment]


def _seconds(text: str) -> int:
    minutes, seconds = text.split(":")[-2:]
    hours = int(text.split(":")[0]) if text.count(":") == 2 else 0
    return hours * 3600 + int(minutes) * 60 + int(seconds)


def _started_session(new_context: Any, live_server: Any, scenario_id: str) -> tuple[Any, str]:
    fac = new_context(1280, 800).new_page()
    sign_in(fac, live_server.password)
    _session_id, code = create_session(fac, scenario_id)
    return fac, code


def test_reload_mid_round_lands_in_the_same_state(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    fac, code = _started_session(new_context, live_server, scenario_id)
    page = new_context().new_page()
    join(page, code, "Lin")
    page.fill("#new-team-name", "Reloaders")
    page.click("#create-team button[type=submit]")
    expect(page.locator("#ctx-team")).to_have_text("Team Reloaders")
    command(fac, "start_session")
    expect(page.locator("#countdown .label")).to_have_text("Time left")

    # The facilitator's clock controls reach the learner; the countdown is the server's.
    command(fac, "pause")
    expect(page.locator("#countdown .label")).to_have_text("Paused")
    frozen = page.inner_text("#countdown-value")
    page.wait_for_timeout(1200)
    expect(page.locator("#countdown-value")).to_have_text(frozen)
    command(fac, "resume")
    expect(page.locator("#countdown .label")).to_have_text("Time left")
    before = _seconds(page.inner_text("#countdown-value"))
    fac.fill("#extend-minutes", "5")
    command(fac, "extend")
    deadline = time.monotonic() + 5
    while _seconds(page.inner_text("#countdown-value")) < before + 240:
        assert time.monotonic() < deadline, "the extension never reached the learner's countdown"
        page.wait_for_timeout(100)

    # Keyboard: arrow keys move between workspace tabs.
    page.focus("#tab-investigate")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-causes")).to_be_focused()
    expect(page.locator("#panel-causes")).to_be_visible()
    page.keyboard.press("End")
    expect(page.locator("#panel-results")).to_be_visible()
    page.keyboard.press("Home")
    expect(page.locator("#panel-investigate")).to_be_visible()

    item = page.locator("#diagnostics li:has(button:enabled)").first
    diagnostic = item.get_attribute("data-diagnostic")
    item.locator("button").click()
    expect(page.locator(f"#findings [data-finding='{diagnostic}']")).to_be_visible()
    page.click("#tab-deliverable")
    area = page.locator("#deliverable textarea[data-text-field]").first
    area.fill("Written before the reload")
    area.press("Tab")
    field = area.get_attribute("data-text-field")
    expect(page.locator(f"#status-{field}")).to_have_text("Saved")
    page.fill("#chat-input", "note to self")
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat")).to_contain_text("note to self")
    round_title = page.inner_text("#round-h")

    page.reload()
    wait_connected(page)
    expect(page.locator("#ctx-team")).to_have_text("Team Reloaders")
    expect(page.locator("#round-h")).to_have_text(round_title)
    expect(page.locator(f"#findings [data-finding='{diagnostic}']")).to_be_visible()
    expect(page.locator(f"#diagnostics li[data-diagnostic='{diagnostic}']")).to_contain_text(
        "Run by Lin"
    )
    expect(page.locator(f"textarea[data-text-field='{field}']")).to_have_value(
        "Written before the reload"
    )
    expect(page.locator("#chat")).to_contain_text("note to self")
    expect(page.locator("#me-name")).to_have_text("Lin")
    # The facilitator still sees one learner, not a second seat created by the reload.
    fac.click("#tab-teams")
    expect(fac.locator("#roster tr[data-learner]")).to_have_count(1)
    screenshot(fac, "facilitator-teams-1280")
    check_accessibility(fac, "console teams and learners")


def test_dropped_network_shows_reconnecting_and_recovers(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    fac, code = _started_session(new_context, live_server, scenario_id)
    learner = new_context()
    page = learner.new_page()
    mate = new_context().new_page()
    join(page, code, "Noor")
    page.fill("#new-team-name", "Offliners")
    page.click("#create-team button[type=submit]")
    join(mate, code, "Sam")
    mate.get_by_role("button", name="Join team Offliners").click()
    expect(mate.locator("#ctx-team")).to_have_text("Team Offliners")
    command(fac, "start_session")
    expect(page.locator("#round-h")).to_contain_text("Round 1")

    learner.set_offline(True)
    expect(page.locator("#conn")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#conn")).to_contain_text("Reconnecting")
    expect(page.locator("#conn-banner")).to_be_visible()
    expect(page.locator("#conn-banner")).to_contain_text("Reconnecting")
    screenshot(page, "learner-room-reconnecting")
    # An action taken while offline is kept and sent, once, when the network returns.
    page.fill("#chat-input", "sent while offline")
    page.press("#chat-input", "Enter")

    learner.set_offline(False)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=15_000)
    expect(page.locator("#conn-banner")).to_be_hidden()
    expect(mate.locator("#chat")).to_contain_text("sent while offline", timeout=15_000)
    expect(mate.locator("#chat .chat-line", has_text="sent while offline")).to_have_count(1)
    expect(mate.locator("#members li", has_text="Noor")).to_contain_text("online")
    # Still live afterwards: a teammate's edit arrives.
    mate.fill("#chat-input", "welcome back")
    mate.press("#chat-input", "Enter")
    expect(page.locator("#chat")).to_contain_text("welcome back")
