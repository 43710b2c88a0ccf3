"""User-typed text is shown as text everywhere: a hostile team or learner name breaks nothing."""

from __future__ import annotations

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

HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"


def test_markup_in_names_and_texts_is_shown_literally(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    dialogs: list[str] = []

    def guard(page: Any) -> Any:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return page

    fac = guard(new_context(1920, 1080).new_page())
    fac.goto("/facilitator")
    screenshot(fac, "facilitator-sign-in")
    check_accessibility(fac, "sign-in")
    sign_in(fac, live_server.password)
    session_id, code = create_session(fac, scenario_id)

    evil = guard(new_context().new_page())
    join(evil, code, HOSTILE)
    evil.fill("#new-team-name", HOSTILE)
    evil.click("#create-team button[type=submit]")
    expect(evil.locator("#ctx-team")).to_have_text(f"Team {HOSTILE}")
    expect(evil.locator("#me-name")).to_have_text(HOSTILE)

    other = guard(new_context(390, 844).new_page())
    join(other, code, SCRIPT)
    expect(other.locator("#team-list")).to_contain_text(HOSTILE)
    other.get_by_role("button", name=f"Join team {HOSTILE}").click()
    expect(other.locator("#members")).to_contain_text(HOSTILE)
    expect(evil.locator("#members")).to_contain_text(SCRIPT)

    # The stage lists the teams forming in the lobby, names as text.
    stage = guard(fac.context.new_page())
    stage.goto(f"/facilitator/sessions/{session_id}/stage")
    wait_connected(stage)
    expect(stage.locator("#stage-teams")).to_contain_text(HOSTILE)

    command(fac, "start_session")
    evil.fill("#chat-input", f"{SCRIPT} and {HOSTILE}")
    evil.press("#chat-input", "Enter")
    expect(other.locator("#chat")).to_contain_text(f"{SCRIPT} and {HOSTILE}")
    evil.click("#tab-deliverable")
    area = evil.locator("#deliverable textarea[data-text-field]").first
    area.fill(f"<b>bold?</b> {HOSTILE}")
    area.press("Tab")
    other.click("#tab-deliverable")
    expect(other.locator("#deliverable textarea[data-text-field]").first).to_have_value(
        f"<b>bold?</b> {HOSTILE}"
    )

    board = fac.locator("#board")
    expect(board).to_contain_text(HOSTILE)
    expect(board).to_contain_text(SCRIPT)
    fac.get_by_role("button", name=f"Details of team {HOSTILE}").click()
    expect(fac.locator("#detail-body")).to_contain_text(f"<b>bold?</b> {HOSTILE}")
    expect(fac.locator("#detail-body")).to_contain_text(f"{SCRIPT} and {HOSTILE}")
    fac.click("#tab-teams")
    expect(fac.locator("#roster")).to_contain_text(SCRIPT)
    fac.click("#tab-scoring")
    expect(fac.locator("#score-team")).to_contain_text(HOSTILE)

    for page in (fac, evil, other, stage):
        # No element was created from the text: the only images are the QR codes.
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("#main script").count() == 0
        assert page.locator("#main b").count() == 0
    screenshot(evil, "xss-learner-room")
    screenshot(fac, "xss-console")
    assert dialogs == [], f"a dialog fired: {dialogs}"
