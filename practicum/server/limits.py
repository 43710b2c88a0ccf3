"""Rate limits: a token bucket per connection, sliding windows per key, the join-code guard."""

from __future__ import annotations

import threading
from collections import deque


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
    """At most `limit` attempts per key in any `window` seconds."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        """Record an attempt; say whether it is within the limit."""
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
        with self._lock:
            attempts = self._attempts.get(key)
            if not attempts:
                return False
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            return len(attempts) >= self.limit

    def recent(self, key: str, now: float) -> int:
        """Return how many attempts the key made in the window."""
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
        self, joins_per_address: int, failures_per_address: int, failures_global: int
    ) -> None:
        self.joins = WindowLimiter(joins_per_address)
        self.failures = WindowLimiter(failures_per_address)
        self.failures_global = WindowLimiter(failures_global)

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
