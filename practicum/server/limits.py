"""Rate limits: a token bucket per connection and a sliding window per address for joins."""

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

    def _forget_idle(self, now: float) -> None:
        # Bound memory under a flood of addresses: drop keys with no recent attempt.
        idle = [k for k, v in self._attempts.items() if not v or v[-1] <= now - self.window]
        for key in idle:
            del self._attempts[key]
