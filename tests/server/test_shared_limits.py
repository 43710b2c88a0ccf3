"""Join and sign-in windows shared through Redis: a cluster allows what one process allows."""

from __future__ import annotations

import uuid

from practicum.server.auth import FailureLimiter
from practicum.server.limits import JoinGuard, SharedWindows, WindowLimiter

NOW = 1_800_000_000.0


def _windows(redis_url: str) -> SharedWindows:
    # A prefix per test: the server lives for the whole run.
    windows = SharedWindows.from_url(redis_url)
    windows.prefix = f"test:{uuid.uuid4().hex}:"
    return windows


def test_two_processes_share_one_window(redis_url):
    windows = _windows(redis_url)
    first = WindowLimiter(3, shared=windows, name="join")
    second = WindowLimiter(3, shared=SharedWindows(windows.client, windows.prefix), name="join")
    assert first.allow("10.0.0.1", NOW)
    assert second.allow("10.0.0.1", NOW + 1)
    assert first.allow("10.0.0.1", NOW + 2)
    assert not second.allow("10.0.0.1", NOW + 3)  # a single process would still allow this
    assert second.full("10.0.0.1", NOW + 3) and second.recent("10.0.0.1", NOW + 3) == 3
    assert first.allow("10.0.0.2", NOW + 3)  # another address has its own window
    assert second.allow("10.0.0.1", NOW + 60.5)  # the first attempt left the window


def test_wrong_join_codes_count_across_processes(redis_url):
    windows = _windows(redis_url)
    guards = [JoinGuard(600, 2, 300, shared=windows), JoinGuard(600, 2, 300, shared=windows)]
    guards[0].failed("10.0.0.9", NOW)
    guards[1].failed("10.0.0.9", NOW)
    assert not guards[0].allow("10.0.0.9", NOW + 1)
    assert not guards[1].allow("10.0.0.9", NOW + 1)
    assert guards[1].allow("10.0.0.8", NOW + 1)


def test_failed_sign_ins_count_across_processes(redis_url):
    windows = _windows(redis_url)
    limiters = [FailureLimiter(5, 60.0, 2, 900.0, shared=windows) for _ in range(2)]
    limiters[0].failed("10.0.0.1", "ana", NOW)
    assert not limiters[1].blocked("10.0.1.1", "ana", NOW)
    limiters[1].failed("10.0.0.2", "ana", NOW)
    assert limiters[0].blocked("10.0.1.1", "ana", NOW + 1)  # the name, from a third address
    assert not limiters[0].blocked("10.0.1.1", "bo", NOW + 1)


def test_without_redis_each_process_falls_back_to_its_own_window():
    # A port nothing listens on: every call fails fast and the local window decides.
    windows = SharedWindows.from_url("redis://127.0.0.1:1/0")
    limiter = WindowLimiter(2, shared=windows, name="join")
    assert limiter.allow("a", NOW) and limiter.allow("a", NOW)
    assert not limiter.allow("a", NOW)
    failures = FailureLimiter(1, 60.0, 5, 900.0, shared=windows)
    failures.failed("a", "ana", NOW)
    assert failures.blocked("a", "ana", NOW)
