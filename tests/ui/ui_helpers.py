"""Helpers the page tests share."""

from __future__ import annotations

import re

PASSWORD = "page-test-password"


def csrf_from(html: str) -> str:
    """Return the CSRF token embedded in a rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)
