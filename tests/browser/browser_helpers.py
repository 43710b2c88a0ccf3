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
