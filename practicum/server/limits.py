"""Rate limits: a token bucket per connection, sliding windows per key, the join-code guard.

The token buckets stay in each process (one per connection, checked per message). The windows
of joins and sign-ins are shared by every process through Redis when one is configured
(`SharedWindows`), so a cluster of N processes does not allow N times the attempts.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import deque
from typing import Any

log = logging.getLogger(__name__)

# Prune the window, count it, and add this attempt if it is within the limit: in one step, so
# two processes checking at once cannot both take the last place.
_WINDOW_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local n = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[3])
if ARGV[4] == '1' and (limit < 0 or n < limit) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
  return {n + 1, 1}
end
return {n, 0}
"""


class SharedWindows:
    """Sliding windows of attempts in Redis, one sorted set per key, shared by all processes."""

    def __init__(self, client: Any, prefix: str = "practicum:limit:") -> None:
        self.client = client
        self.prefix = prefix
        self._script = client.register_script(_WINDOW_SCRIPT)

    @classmethod
    def from_url(cls, url: str) -> SharedWindows:
        """Connect to Redis (short timeouts: a limit check must not hang a request)."""
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0))

    def hit(self, key: str, now: float, window: float, limit: int = -1) -> tuple[int, bool]:
        """Record an attempt unless `limit` are in the window; return (count, recorded)."""
        member = f"{now!r}:{secrets.token_hex(4)}"
        count, added = self._script(
            keys=[self.prefix + key], args=[repr(now), repr(window), limit, 1, member]
        )
        return int(count), bool(added)

    def count(self, key: str, now: float, window: float) -> int:
        """Return how many attempts the key made in the window."""
        count, _ = self._script(keys=[self.prefix + key], args=[repr(now), repr(window), -1, 0, ""])
        return int(count)


def _shared_failed(exc: Exception) -> None:
    # Redis away: each process falls back to its own windows (limits per process, as with
    # one process) rather than refusing every join and sign-in.
    log.warning("shared limits unavailable, using this process's own: %s", exc)


class TokenBucket:
    """Allow `rate` events a second on average with bursts up to `burst`."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.updated = now

    def allow(self, now: float) -> bool:
        """Take one token if there is one."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class WindowLimiter:
    """At most `limit` attempts per key in any `window` seconds (shared through Redis if given)."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        max_keys: int = 100_000,
        shared: SharedWindows | None = None,
        name: str = "window",
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self.shared = shared
        self.name = name
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _shared_key(self, key: str) -> str:
        return f"{self.name}:{key}"

    def allow(self, key: str, now: float) -> bool:
        """Record an attempt; say whether it is within the limit."""
        if self.shared is not None:
            try:
                return self.shared.hit(self._shared_key(key), now, self.window, self.limit)[1]
            except Exception as exc:  # noqa: BLE001 - any Redis failure: fall back
                _shared_failed(exc)
        with self._lock:
            attempts = self._attempts.get(key)
            if attempts is None:
                if len(self._attempts) >= self.max_keys:
                    self._forget_idle(now)
                attempts = self._attempts[key] = deque()
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return False
            attempts.append(now)
            return True

    def full(self, key: str, now: float) -> bool:
        """Say whether the key has used its attempts in the window (recording nothing)."""
        if self.shared is not None:
            try:
                return self.shared.count(self._shared_key(key), now, self.window) >= self.limit
            except Exception as exc:  # noqa: BLE001 - any Redis failure: fall back
                _shared_failed(exc)
        with self._lock:
            attempts = self._attempts.get(key)
            if not attempts:
                return False
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            return len(attempts) >= self.limit

    def recent(self, key: str, now: float) -> int:
        """Return how many attempts the key made in the window."""
        if self.shared is not None:
            try:
                return self.shared.count(self._shared_key(key), now, self.window)
            except Exception as exc:  # noqa: BLE001 - any Redis failure: fall back
                _shared_failed(exc)
        with self._lock:
            attempts = self._attempts.get(key)
            return 0 if not attempts else sum(1 for t in attempts if t > now - self.window)

    def _forget_idle(self, now: float) -> None:
        # Bound memory under a flood of addresses: drop keys with no recent attempt.
        idle = [k for k, v in self._attempts.items() if not v or v[-1] <= now - self.window]
        for key in idle:
            del self._attempts[key]


class JoinGuard:
    """Joins by code: a classroom behind one address joins freely, guessing codes stays slow.

    Only failed guesses are scarce. An address that made `failures_per_address` wrong guesses
    in a minute is refused (even with the right code) until the minute passes; once every
    address together made `failures_global` wrong guesses in a minute, addresses with a recent
    wrong guess are refused too, so an attacker spread over many addresses gains nothing, while
    a classroom that typed its code right still gets in. Successful joins are only capped at
    `joins_per_address` a minute per address (a NAT or a proxy in front of a whole cohort).
    """

    def __init__(
        self,
        joins_per_address: int,
        failures_per_address: int,
        failures_global: int,
        shared: SharedWindows | None = None,
    ) -> None:
        self.joins = WindowLimiter(joins_per_address, shared=shared, name="join")
        self.failures = WindowLimiter(failures_per_address, shared=shared, name="join-failed")
        self.failures_global = WindowLimiter(
            failures_global, shared=shared, name="join-failed-all"
        )

    def allow(self, address: str, now: float) -> bool:
        """Say whether a join attempt from this address may be checked at all."""
        if self.failures.full(address, now):
            return False
        if self.failures_global.full("*", now) and self.failures.recent(address, now):
            return False
        return self.joins.allow(address, now)

    def failed(self, address: str, now: float) -> None:
        """Record a wrong code from this address."""
        self.failures.allow(address, now)
        self.failures_global.allow("*", now)
