"""The bench harness end to end, small and fast: it checks counts, never speed.

Eight learners in two sessions play for two seconds against a real Practicum process and
against the reference relay, through the same orchestration `make bench` uses (swarm
subprocess, READY/GO, merge, summary). Every action must be acked, every teammate must see every
update, the facilitator must see every exact update on the board, and nothing may fail. Shared
texts: every `edit_text` is acked and reaches every teammate, and at the end every teammate's
document, the server's text and every team view hold the same text with every marker typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cluster import missing_programs
from bench.mix import playbook
from bench.step import StepConfig, run_step
from practicum.scenario.loader import load_scenario
from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.live


def _small(**settings: object) -> StepConfig:
    """Eight learners in two sessions of four, two seconds measured, one swarm process."""
    return StepConfig(
        **{
            "learners": 8,
            "session_size": 4,
            "interval": 0.4,
            "warmup": 0.5,
            "duration": 2.0,
            "drain": 5.0,
            "generators": 1,
            **settings,
        }
    )


@pytest.fixture(scope="module")
def harbor_book():
    return playbook(load_scenario(ROOT / "scenarios" / "harbor.json"))


@pytest.mark.parametrize("target", ["practicum", "reference"])
def test_a_small_swarm_loses_nothing(target, harbor_book):
    config = _small(target=target)
    step = run_step(config, harbor_book, log=lambda *_: None)
    _assert_nothing_lost(step)
    if target == "practicum":
        # What a session holds in memory, measured from the log the step left.
        memory = step["server"]["sessionMemory"]
        assert "error" not in memory, memory
        assert len(memory["sessions"]) == 2 and memory["events"] > 20, memory
        assert memory["stateKB"] > 0 and memory["viewsKB"] > 0, memory


def test_a_session_under_way_drafts_long_texts_and_still_loses_nothing(harbor_book):
    """--chat-backlog: chat first, then every typed field drafted long, before the window."""
    config = _small(target="practicum", chat_backlog=6)
    step = run_step(config, harbor_book, log=lambda *_: None)
    _assert_nothing_lost(step)
    fields = len(harbor_book.text_fields)
    # Two teams, each field drafted to 55% of its limit in edits of under 80 characters.
    shortest = min(limit for _, limit in harbor_book.text_fields)
    assert step["counts"]["backlog_edits"] >= 2 * fields * (0.55 * shortest // 80)


def test_a_small_swarm_through_the_proxy_on_two_processes_loses_nothing(harbor_book):
    missing = missing_programs()
    if missing:
        unavailable(f"the cluster bench needs {' '.join(missing)}")
    config = _small(target="cluster", processes=2)
    step = run_step(config, harbor_book, log=lambda *_: None)
    _assert_nothing_lost(step)
    assert (step["label"], step["processes"], step["redis"]) == ("cluster 2p", 2, True)
    server = step["server"]
    assert len(server["appCpuPercent"]) == 2
    assert set(server["partsCpuPercent"]) == {"haproxy", "redis", "postgres"}


def _assert_nothing_lost(step: dict) -> None:
    counts = step["counts"]
    assert step["joined"] == 8 and step["sessions"] == 2
    assert counts["sent"] > 20, counts
    assert counts["acked"] == counts["sent"], counts
    assert step["errors"] == 0, step["errorCodes"]
    assert step["rejections"] == 0, step["rejectionCodes"]
    assert step["unacked"] == 0
    assert step["lostUpdates"] == 0 and step["lostDeliveries"] == 0
    assert step["lostBoardUpdates"] == 0
    # Every action in the window was acked, and each one reached all its teammates.
    assert step["ack"]["count"] == counts["acked_in_window"]
    assert step["teammate"]["count"] == step["ack"]["count"]
    assert step["board"]["count"] > 0
    assert sum(step["kinds"].values()) == counts["sent"]
    # Shared texts: typing bursts happened, every edit was acked and relayed, nothing diverged.
    edits = step["kinds"]["edit_text"]
    assert edits > 10 and counts["text_acked"] == edits, counts
    assert counts.get("text_unchanged", 0) == 0
    # Each edit reaches the three teammates (and the sender: Practicum's team patch, the
    # reference's team relay both go to the whole room), and so do a backlog's drafts.
    assert counts["text_updates_received"] == (edits + counts.get("backlog_edits", 0)) * 4, counts
    assert counts["text_fields_checked"] > 0
    assert counts["text_markers_expected"] > 0
    assert counts.get("text_markers_missing", 0) == 0, counts
    assert counts.get("text_diverged", 0) == 0, counts
    assert counts.get("text_view_stale", 0) == 0, counts
