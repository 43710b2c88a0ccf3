"""The vendored browser files are exactly the npm builds recorded in static/vendor/CHECKSUMS."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"


def _checksums() -> dict[str, str]:
    entries = {}
    for line in (VENDOR / "CHECKSUMS").read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            entries[name.lstrip("*")] = digest
    return entries


def test_every_vendored_file_matches_its_checksum() -> None:
    entries = _checksums()
    assert set(entries) == {"socket.io.min.js", "axe.min.js", "yjs.min.js"}
    for name, digest in entries.items():
        actual = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name} changed: refresh it with `npm run vendor`, never by hand"


def test_no_unlisted_script_in_vendor() -> None:
    listed = set(_checksums())
    scripts = {p.name for p in VENDOR.iterdir() if p.suffix == ".js"}
    assert scripts == listed


def test_socket_io_client_is_the_4_8_browser_build() -> None:
    head = (VENDOR / "socket.io.min.js").read_text()[:200]
    assert re.search(r"Socket\.IO v4\.8\.\d+", head), head
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    assert pinned["socket.io-client"].startswith("4.8.")
    assert f"v{pinned['socket.io-client']}" in head


def test_axe_core_version_matches_package_json() -> None:
    head = (VENDOR / "axe.min.js").read_text()[:300]
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["axe-core"]
    assert f"axe v{pinned}" in head, head


def test_yjs_is_the_13_6_bundle_pinned_in_package_json() -> None:
    head = (VENDOR / "yjs.min.js").read_text()[:200]
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    assert pinned["yjs"].startswith("13.6.")
    assert f"yjs {pinned['yjs']} " in head, head
    assert f"esbuild {pinned['esbuild']} " in head, head


def test_templates_load_nothing_from_other_origins() -> None:
    offenders = []
    for path in (ROOT / "templates").glob("*.html"):
        text = path.read_text()
        if re.search(r"""(src|href)=["'](https?:)?//""", text):
            offenders.append(path.name)
    for path in (ROOT / "static").rglob("*"):
        local = path.suffix in (".js", ".css") and "vendor" not in path.parts
        if local and re.search(r"""(import|url\()\s*["']?(https?:)?//""", path.read_text()):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"these files load from another origin: {offenders}"


def test_client_code_never_builds_markup_from_strings() -> None:
    # User-typed text must reach the page as text nodes only (see static/js/dom.js).
    forbidden = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "static" / "js").rglob("*.js")
        if forbidden.search(path.read_text())
    ]
    assert not offenders, f"markup built from strings in {offenders}"
