"""Accounts in real browsers: an admin adds people, each sees and may do only what their role
allows, and removing an account closes its open console at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    check_accessibility,
    command,
    confirm,
    join,
    sign_in,
    wait_connected,
)

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/acct-shots")
PASSWORD = "a long enough password"

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or fails in CI) before any test body runs
    expect = None  # type: ignore[assignment]


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot for reviewers."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def add_account(page: Any, name: str, role: str) -> None:
    """Add an account through the admin's accounts page."""
    page.goto("/facilitator/accounts")
    page.fill("#account-name", name)
    page.select_option("#account-role", role)
    page.fill("#account-password", PASSWORD)
    page.click("#add-account button[type=submit]")
    expect(page.locator(f"#account-list tr[data-account='{name}']")).to_contain_text(role)


def share(page: Any, session_id: str, name: str, role: str) -> None:
    """Share a session from its sharing page."""
    page.goto(f"/facilitator/sessions/{session_id}/access")
    page.fill("#share-name", name)
    page.select_option("#share-role", role)
    page.click("#share-form button[type=submit]")
    expect(page.locator(f"#access-list tr[data-account='{name}']")).to_contain_text(role)


def create_session(page: Any, scenario_id: str) -> str:
    """Create a session from the session list; return its id."""
    page.goto("/facilitator/sessions")
    page.locator(f"form:has(input[name=scenario][value='{scenario_id}']) button").click()
    page.wait_for_url("**/facilitator/sessions/s_*")
    wait_connected(page)
    return page.url.rstrip("/").split("/")[-1]


def test_roles_in_the_browser(new_context: Any, live_server: Any, scenario_id: str) -> None:
    admin = new_context().new_page()
    sign_in(admin, live_server.password)  # single-password mode: the first admin
    admin_session = create_session(admin, scenario_id)
    for name, role in (("fran", "facilitator"), ("ada", "assessor"), ("obi", "observer")):
        add_account(admin, name, role)
    shot(admin, "01-admin-accounts")
    check_accessibility(admin, "accounts page")

    # The facilitator signs in with a user name and sees none of the admin's sessions.
    fran = new_context().new_page()
    sign_in(fran, PASSWORD, user="fran")
    expect(fran.locator("#signed-in-as")).to_contain_text("fran")
    expect(fran.locator(f"tr[data-session='{admin_session}']")).to_have_count(0)
    session_id = create_session(fran, scenario_id)
    fran.goto("/facilitator/sessions")
    expect(fran.locator("tr[data-session]")).to_have_count(1)
    expect(fran.locator(f"tr[data-session='{session_id}']")).to_contain_text("owner")
    shot(fran, "02-facilitator-sees-only-her-session")
    assert fran.goto(f"/facilitator/sessions/{admin_session}").status == 404
    share(fran, session_id, "ada", "assessor")
    share(fran, session_id, "obi", "observer")
    shot(fran, "03-sharing")
    check_accessibility(fran, "sharing page")
    fran.goto(f"/facilitator/sessions/{session_id}")
    wait_connected(fran)
    code = fran.inner_text("#join-code").strip()
    command(fran, "start_session")

    learner = new_context().new_page()
    join(learner, code, "Lee")
    learner.fill("#new-team-name", "Kestrel")
    learner.click("#create-team button[type=submit]")
    expect(learner.locator("#ctx-team")).to_have_text("Team Kestrel")

    # The assessor scores, but the session controls are not hers: the server says no too.
    ada = new_context().new_page()
    sign_in(ada, PASSWORD, user="ada")
    expect(ada.locator("tr[data-session]")).to_have_count(1)
    expect(ada.locator(f"tr[data-session='{session_id}']")).to_contain_text("assessor")
    ada.goto(f"/facilitator/sessions/{session_id}")
    wait_connected(ada)
    expect(ada.locator("#role-note")).to_contain_text("assessor")
    end = ada.locator("#controls [data-cmd=end_session]")
    expect(end).to_be_disabled()
    ada.click("#tab-scoring")
    ada.select_option("#score-team", label="Kestrel")
    form = ada.locator("#score-form")
    radios = form.locator("fieldset.level-options")
    expect(radios.first).to_be_visible()
    for index in range(radios.count()):
        radios.nth(index).locator("input[value='3']").check()
    ada.fill("#score-comment", "Scored by the assessor")
    ada.click("#save-score")
    expect(form).to_contain_text("Saved score")
    shot(ada, "04-assessor-scored")
    # A forced press of the disabled End button is refused by the server.
    end.evaluate("b => { b.disabled = false; }")
    end.click()
    confirm(ada)  # the console asks first, naming what ending does
    expect(ada.locator(".toast.error")).to_contain_text("cannot do that")
    shot(ada, "05-assessor-cannot-end")
    expect(fran.locator("#session-phase")).not_to_contain_text("Closed")

    # The observer watches and can do nothing.
    obi = new_context().new_page()
    sign_in(obi, PASSWORD, user="obi")
    obi.goto(f"/facilitator/sessions/{session_id}")
    wait_connected(obi)
    expect(obi.locator("#role-note")).to_contain_text("cannot change anything")
    for cmd in ("pause", "extend", "advance", "end_session"):
        expect(obi.locator(f"#controls [data-cmd={cmd}]")).to_be_disabled()
    obi.click("#tab-scoring")
    obi.select_option("#score-team", label="Kestrel")
    obi.click("#save-score")
    expect(obi.locator(".toast.error")).to_contain_text("cannot do that")
    shot(obi, "06-observer-refused")

    # Removing the observer's account closes the open console at once: it goes to sign-in.
    admin.goto("/facilitator/accounts")
    admin.click("#account-list tr[data-account='obi'] button")
    expect(admin.locator("#account-list tr[data-account='obi']")).to_have_count(0)
    obi.wait_for_url(f"**/facilitator?next=%2Ffacilitator%2Fsessions%2F{session_id}")
    shot(obi, "07-observer-removed-sent-to-sign-in")
    obi.goto("/facilitator/sessions")
    assert "/facilitator?next=" in obi.url, obi.url

    # Signing out ends fran's login: the console is gone with it.
    fran.click("form[action$='sign-out'] button")
    # The sign-in page (the console's socket, closed by the revocation, may get there first).
    fran.wait_for_url(lambda url: url.split("?")[0].endswith("/facilitator"))
    fran.goto(f"/facilitator/sessions/{session_id}")
    shot(fran, "08-signed-out")
    assert "/facilitator?next=" in fran.url, fran.url
