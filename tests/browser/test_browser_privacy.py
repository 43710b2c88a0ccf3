"""A facilitator exports and erases one learner's personal data from the console."""

from __future__ import annotations

import json
from typing import Any

import pytest
from browser_helpers import check_accessibility, create_session, join, screenshot, sign_in

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) first
    expect = None  # type: ignore[assignment]


def test_export_then_erase_a_learner_from_the_console(
    new_context: Any, live_server: Any, scenario_id: str
) -> None:
    fac = new_context(1280, 900).new_page()
    sign_in(fac, live_server.password)
    session_id, code = create_session(fac, scenario_id)
    learner = new_context().new_page()
    join(learner, code, "Priya Private")
    learner.fill("#new-team-name", "Quiet")
    learner.click("#create-team button[type=submit]")
    learner.fill("#chat-input", "call me on 555-0199")
    learner.press("#chat-input", "Enter")
    expect(learner.locator("#chat")).to_contain_text("555-0199")

    fac.click("#tab-teams")
    fac.get_by_role("link", name="Personal data of Priya Private: export or erase").click()
    expect(fac.locator("h1")).to_have_text("Personal data of Priya Private")
    check_accessibility(fac, "learner data page")
    with fac.expect_download() as download:
        fac.get_by_role("link", name="Download everything").click()
    with open(download.value.path(), encoding="utf-8") as file:
        exported = json.load(file)
    assert exported["name"] == "Priya Private"
    assert [c["text"] for c in exported["chat"]] == ["call me on 555-0199"]

    fac.get_by_role("checkbox").check()
    fac.get_by_role("button", name="Erase Priya Private's personal data").click()
    expect(fac.locator("h1")).to_have_text("Personal data of Erased learner")
    expect(fac.locator("p.alert[role=status]")).to_contain_text("2 stored events were rewritten")
    screenshot(fac, "learner-data-erased")
    log = fac.request.get(f"/facilitator/sessions/{session_id}/export.json").text()
    assert "Priya Private" not in log and "555-0199" not in log
