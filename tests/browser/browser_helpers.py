"""Helpers the browser tests share: screenshots for reviewers and axe-core checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot for reviewers (test-artifacts/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_accessibility(page: Any, screen: str) -> None:
    """Run the vendored axe-core on the page and fail on serious or critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # By URL, not inline: the pages' Content-Security-Policy refuses inline scripts.
        page.add_script_tag(url="/static/vendor/axe.min.js")
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' +
                                                   (n.failureSummary || ''))}));
        }"""
    )
    serious = [v for v in results if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe-core found serious violations on {screen}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in serious
    )


# --- people: the steps a facilitator and a learner take in the browser --------------------------


def sign_in(page: Any, password: str, user: str | None = None) -> None:
    """Sign in through the HTML form (no user name: the first admin, single-password mode)."""
    page.goto("/facilitator")
    if user is not None:
        page.fill("#username", user)
    page.fill("#password", password)
    page.click("form button[type=submit]")
    page.wait_for_url("**/facilitator/sessions")


def create_session(page: Any, scenario_id: str) -> tuple[str, str]:
    """Create a session from the scenario list; return (session id, join code)."""
    page.goto("/facilitator/sessions")
    page.locator(f"form:has(input[name=scenario][value='{scenario_id}']) button").click()
    page.wait_for_url("**/facilitator/sessions/s_*")
    session_id = page.url.rstrip("/").split("/")[-1]
    wait_connected(page)
    return session_id, page.inner_text("#join-code").strip()


def wait_connected(page: Any) -> None:
    """Wait until the page's live connection says it is connected."""
    from playwright.sync_api import expect

    expect(page.locator("#conn")).to_have_attribute("data-state", "online")


def join(page: Any, code: str, name: str, via_link: bool = True) -> None:
    """Join a session as a learner and land in the team room."""
    if via_link:
        page.goto(f"/join/{code}")
    else:
        page.goto("/")
        page.fill("#code", code)
    page.fill("#name", name)
    page.click("#join-button")
    page.wait_for_url("**/room/*")
    wait_connected(page)


def command(page: Any, name: str) -> None:
    """Press a session control in the console (start, pause, advance...), confirming it."""
    from playwright.sync_api import expect

    button = page.locator(f"#controls [data-cmd={name}]")
    expect(button).to_be_enabled()
    button.click()
    if name in CONFIRMED:
        confirm(page)


# Controls that ask first, naming what happens to whom.
CONFIRMED = ("start_session", "advance", "end_session")


def confirm(page: Any) -> str:
    """Accept the console's confirmation dialog; return what it said."""
    from playwright.sync_api import expect

    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    text = dialog.inner_text()
    page.click("#confirm-yes")
    expect(dialog).to_be_hidden()
    return text
