"""A log with 1,000 ended and 1,000 idle sessions: the server starts and idles as on an empty one.

The measurement lives in `bench/history.py` (its README row has the timings); this test runs it
once at the issue's size and checks what makes start-up flat: nothing from the history is
loaded, at start-up or to list the sessions, and memory stays within noise of an empty log.
"""

from __future__ import annotations

import pytest

from bench.history import run_history

pytestmark = pytest.mark.live


def test_a_long_history_is_not_loaded_at_start_up_nor_to_list_it():
    result = run_history(ended=1000, idle=1000, starts=1)
    empty, history = result["empty"], result["history"]
    assert result["events"] > 200_000  # every past session was played, not just created
    assert history["listed"] == 2000 and empty["listed"] == 0
    assert history["loadedAtWarm"] == 0 and history["loadedAfterList"] == 0
    # Within noise: a single loaded session of this log costs about 0.1 MB, so 2,000 loaded
    # would show as tens of MB; start-up garbage and allocator slack vary by a few MB.
    assert abs(history["rssMB"] - empty["rssMB"]) < 4.0, result
