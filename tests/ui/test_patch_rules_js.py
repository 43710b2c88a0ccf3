"""The browser's patch rules (static/js/common.js) give the same views as viewsync's in Python."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from practicum.server.viewsync import apply_team_patch
from tests.services import node as node_path

ROOT = Path(__file__).resolve().parents[2]
MERGE_ALL = """
const { mergeTeamPatch } = await import(process.argv[1]);
let held = null;
const out = [];
for (const patch of JSON.parse(process.argv[2])) {
  held = mergeTeamPatch(held, patch);
  out.push(held);
}
console.log(JSON.stringify(out));
"""


def test_field_entries_and_appends_merge_alike_in_the_browser_and_in_python():
    node = node_path()
    patches = [
        {"version": "v.1", "base": None, "chatCount": 1, "activityCount": 0, "activity": [],
         "set": {"texts": {"a": "long a", "b": "b"}, "textMeta": {"a": {"by": "x"}}},
         "chat": [{"n": 0, "text": "hi"}]},
        {"version": "v.2", "base": "v.1", "set": {}, "chat": [], "chatCount": 1,
         "fields": {"texts": {"b": "longer b"}, "textMeta": {"b": {"by": "y"}}}},
        {"version": "v.3", "base": "v.2", "set": {"texts": {"c": "whole again"}},
         "chat": [{"n": 1, "text": "yo"}], "chatCount": 2},
    ]
    script = subprocess.run(
        [node, "--input-type=module", "-e", MERGE_ALL,
         (ROOT / "static" / "js" / "common.js").as_uri(), json.dumps(patches)],
        capture_output=True, text=True, timeout=30, check=True,
    )
    in_browser = json.loads(script.stdout)
    held = None
    for patch, browser in zip(patches, in_browser, strict=True):
        held = apply_team_patch(held, patch)
        assert browser == held
    assert in_browser[1]["texts"] == {"a": "long a", "b": "longer b"}
    assert in_browser[1]["textMeta"] == {"a": {"by": "x"}, "b": {"by": "y"}}
    assert in_browser[2]["texts"] == {"c": "whole again"}
