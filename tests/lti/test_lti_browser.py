"""LTI launches in headless Chromium through the local platform: the instructor links the
activity and lands in the console, a learner lands in the team room under their LMS name.
Screenshots go to test-artifacts/screenshots/ (not committed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.lti.platform import ROOT

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _launch_as(browser: Any, platform: Any, user: str) -> Any:
    """Sign in to the platform as a user and open the course's Practicum activity."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{platform.url}/login")
    page.select_option("select[name=userid]", user)
    page.click("button[type=submit]")
    page.click("text=Course 1")  # the platform's form posts to /lti/login, then the launch
    return page


def _shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def test_instructor_and_learner_land_in_console_and_room(browser, lti_pair):
    from playwright.sync_api import expect

    server, platform = lti_pair
    teacher = _launch_as(browser, platform, "teacher-1")
    teacher.wait_for_url(re.compile(r"/lti/link$"))
    expect(teacher.locator("h1")).to_have_text("Link this activity to a session")
    _shot(teacher, "lti-link")
    teacher.locator("form", has=teacher.locator("input[value=harbor]")).locator("button").click()
    teacher.wait_for_url(re.compile(r"/facilitator/sessions/s_[A-Za-z0-9_-]+$"))
    join_code = teacher.locator("#join-code")
    expect(join_code).not_to_be_empty()
    _shot(teacher, "lti-console")

    learner = _launch_as(browser, platform, "learner-1")
    learner.wait_for_url(re.compile(r"/room/s_[A-Za-z0-9_-]+$"))
    expect(learner.locator("#me-name")).to_have_text("Lena Learner")
    expect(learner.locator("#team-choice")).to_be_visible()
    _shot(learner, "lti-room")
    assert learner.url.rsplit("/", 1)[-1] == teacher.url.rsplit("/", 1)[-1]
    # The console sees the learner arrive under the LMS name; the instructor's account is
    # named after theirs.
    expect(teacher.locator(".appbar")).to_contain_text("tess-teacher-")
    teacher.get_by_role("tab", name="Teams & learners").click()
    expect(teacher.locator("main")).to_contain_text("Lena Learner", timeout=15_000)
    _shot(teacher, "lti-console-with-learner")

    # A launch the tool cannot match to a login it started: the refusal page, not a traceback.
    stray = learner.context.new_page()
    stray.goto(f"{platform.url}/")
    stray.evaluate(
        """(url) => { const f = document.createElement("form"); f.method = "post";
        f.action = url; for (const [k, v] of [["id_token", "a.b.c"], ["state", "nope"]]) {
        const i = document.createElement("input"); i.name = k; i.value = v; f.append(i); }
        document.body.append(f); f.submit(); }""",
        f"{server.url}/lti/launch",
    )
    stray.wait_for_url(re.compile(r"/lti/launch$"))
    expect(stray.locator("#lti-code")).to_have_text("lti/no_state")
    expect(stray.locator("h1")).to_have_text("Launch expired")
    _shot(stray, "lti-refused")
    assert server.log.exists()
