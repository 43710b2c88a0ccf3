"""Browsers through HAProxy on two processes: the room and console follow their session's owner.

Needs chromium and the cluster's packages (postgresql, redis-server, haproxy): skips locally
without them, fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.browser_helpers import command, create_session, join, sign_in
from tests.cluster.harness import owner_of, running_cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Any]:
    with running_cluster(tmp_path) as running:
        yield running


def test_a_room_follows_its_session_when_the_owner_dies(browser: Any, cluster: Any) -> None:
    from playwright.sync_api import expect

    contexts = []
    # What the room sent and got, printed if the test fails.
    logs: list[str] = []

    def page() -> Any:
        context = browser.new_context(
            base_url=cluster.url, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        fac = page()
        sign_in(fac, cluster.password)
        session_id, code = create_session(fac, "harbor")
        # Typed on the join page, whose socket carries no session yet: whichever process the
        # proxy picks, the join lands (session/moved is followed by the page).
        noor, sam = page(), page()

        def watcher(who: str) -> Any:
            def watch_ws(ws: Any) -> None:
                logs.append(f"{who} ws {ws.url}")
                ws.on("framesent", lambda f: logs.append(f"{who} > {str(f)[:160]}"))
                ws.on("framereceived", lambda f: logs.append(f"{who} < {str(f)[:160]}"))

            return watch_ws

        noor.on("websocket", watcher("noor"))
        sam.on("websocket", watcher("sam"))
        join(noor, code, "Noor", via_link=False)
        noor.fill("#new-team-name", "Movers")
        noor.click("#create-team button[type=submit]")
        join(sam, code, "Sam")
        sam.get_by_role("button", name="Join team Movers").click()
        expect(sam.locator("#ctx-team")).to_have_text("Team Movers")
        command(fac, "start_session")  # round 1 has no time: round 2 opens by itself
        expect(noor.locator("#round-h")).to_contain_text("Round 2")
        noor.fill("#chat-input", "before the crash")
        noor.press("#chat-input", "Enter")
        expect(sam.locator("#chat")).to_contain_text("before the crash")

        owner = next(a for a in cluster.apps if a.name == owner_of(cluster, session_id))
        owner.kill()
        logs.append("owner killed")
        # The pages reconnect through the proxy, are told session/moved until the lease of the
        # dead owner runs out, then resume on the other process.
        noor.fill("#chat-input", "after the crash")
        noor.press("#chat-input", "Enter")
        expect(sam.locator("#chat")).to_contain_text("after the crash", timeout=20_000)
        expect(sam.locator("#chat .chat-line", has_text="before the crash")).to_have_count(1)
        expect(sam.locator("#chat .chat-line", has_text="after the crash")).to_have_count(1)
        expect(noor.locator("#conn")).to_have_attribute("data-state", "online")
        expect(fac.locator("#conn")).to_have_attribute("data-state", "online", timeout=20_000)
        assert owner_of(cluster, session_id) != owner.name
        assert noor.locator("#room-error").is_hidden()
    except BaseException:
        print("\n".join(line for line in logs if "team_patch" not in line))
        for app in cluster.apps:
            print(app.name, app.log.read_text()[-3000:])
        print((cluster.base / "haproxy" / "log").read_text()[-2000:])
        raise
    finally:
        for context in contexts:
            context.close()
