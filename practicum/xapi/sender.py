"""The background sender: claims outbox batches and POSTs them to the learning record store.

It runs as a Socket.IO background task (a greenlet under eventlet or gevent, a thread under
threading), so nothing on a request's path ever waits for the LRS. Plain urllib: under eventlet
and gevent the monkey-patched socket makes it cooperative, and the server carries no HTTP
client library.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from practicum.xapi.outbox import Claimed, Outbox
from practicum.xapi.profile import VERSION_HEADER

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LrsConfig:
    """Where statements go and how the sender paces itself."""

    url: str  # the xAPI endpoint, e.g. https://lrs.example.org/xAPI (…/statements is added)
    username: str = ""
    password: str = ""
    batch_size: int = 50
    poll_seconds: float = 1.0
    timeout_seconds: float = 10.0
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 300.0


class LrsError(Exception):
    """The LRS did not take a request; `status` is its HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def backoff(attempts: int, base: float, cap: float, rand: Callable[[], float]) -> float:
    """Return the wait before try number attempts + 1: exponential, capped, with jitter."""
    # "Equal jitter": half the exponential step is kept, the other half is random, so senders
    # of several processes spread out without any of them retrying at once.
    step = min(cap, base * (2 ** min(attempts, 30)))
    return step / 2 + rand() * step / 2


class LrsClient:
    """POSTs and PUTs statements to an xAPI LRS (version 1.0.3, HTTP basic auth)."""

    def __init__(self, config: LrsConfig) -> None:
        self.config = config
        self.endpoint = config.url.rstrip("/") + "/statements"
        self.headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": VERSION_HEADER,
        }
        if config.username or config.password:
            pair = f"{config.username}:{config.password}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()

    def _call(self, method: str, url: str, body: Any) -> int:
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), headers=self.headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_seconds) as reply:
                reply.read()
                return reply.status
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            if exc.code == 409:
                return 409
            raise LrsError(f"LRS answered {exc.code}: {detail}", exc.code) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise LrsError(f"LRS unreachable: {exc}") from exc

    def post(self, statements: list[dict[str, Any]]) -> int:
        """POST a batch; return the status (200/204 stored, 409 some id conflicts)."""
        return self._call("POST", self.endpoint, statements)

    def put(self, statement: dict[str, Any]) -> int:
        """PUT one statement under its id; return the status (204 stored, 409 id known)."""
        query = urllib.parse.urlencode({"statementId": statement["id"]})
        return self._call("PUT", f"{self.endpoint}?{query}", statement)


class Sender:
    """One process's sender: claim a batch, send it, clear or reschedule it."""

    def __init__(
        self,
        outbox: Outbox,
        client: LrsClient,
        clock: Callable[[], float] = time.time,
        worker: str | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.config = client.config
        self.clock = clock
        self.worker = worker or uuid.uuid4().hex[:12]
        self.rand = rand
        self.failures = 0  # consecutive failed batches: the whole sender backs off too
        self.sent_total = 0
        self.last_error: str | None = None
        self.last_sent_at: float | None = None
        self._until = 0.0  # when the current batch's single sends must stop

    def step(self) -> float:
        """Send one batch if any is due; return how long to sleep before the next step."""
        now = self.clock()
        token = f"{self.worker}-{uuid.uuid4().hex[:12]}"
        # Long enough for a batch and a few single sends; a sender that dies mid-send leaves
        # its rows to others this soon. Single sends stop before the claim runs out.
        hold = self.config.timeout_seconds * 4 + 5
        batch = self.outbox.claim(token, now, self.config.batch_size, hold)
        if not batch:
            return self.config.poll_seconds
        self._until = now + hold - self.config.timeout_seconds
        stored, failed, error = self._send(batch)
        self.outbox.sent(token, stored)
        self.sent_total += len(stored)
        if stored:
            self.last_sent_at = self.clock()
        if failed:
            attempts = max(c.attempts for c in batch if c.id in set(failed))
            wait = backoff(
                attempts, self.config.retry_base_seconds, self.config.retry_max_seconds, self.rand
            )
            self.outbox.failed(token, failed, self.clock() + wait, error or "unknown error")
            self.failures += 1
            self.last_error = error
            log.warning(
                "xAPI: %d statements not sent (%s); next try in %.1f s", len(failed), error, wait
            )
            return backoff(
                self.failures - 1,
                self.config.retry_base_seconds,
                self.config.retry_max_seconds,
                self.rand,
            )
        self.failures = 0
        return 0.0  # more may be due: drain without waiting

    def _send(self, batch: list[Claimed]) -> tuple[list[str], list[str], str | None]:
        """Send a batch; return (ids stored, ids not stored, the error)."""
        bodies = self.outbox.outgoing(batch)
        ids = [c.id for c in batch]
        try:
            status = self.client.post(bodies)
        except LrsError as exc:
            if exc.status is None or len(batch) == 1:
                return [], ids, str(exc)
            # The LRS refused the batch: send one by one, so one bad statement holds back
            # only itself.
            return self._one_by_one(batch, bodies)
        if status == 409:
            # An id the LRS already holds with other content (sent before an erasure made it
            # pseudonymous): the rest of the batch may not be stored, so PUT each.
            return self._one_by_one(batch, bodies)
        return ids, [], None

    def _one_by_one(
        self, batch: list[Claimed], bodies: list[dict[str, Any]]
    ) -> tuple[list[str], list[str], str | None]:
        stored, failed, error = [], [], None
        for index, (claimed, body) in enumerate(zip(batch, bodies, strict=True)):
            if self.clock() > self._until:  # the claim is running out: the rest go later
                failed += [c.id for c in batch[index:]]
                error = error or "claim ran out before the LRS took every statement"
                break
            try:
                self.client.put(body)  # 204 stored, 409 already there: both are sent
                stored.append(claimed.id)
            except LrsError as exc:
                failed.append(claimed.id)
                error = str(exc)
                if exc.status is None:  # the LRS went away: the rest would fail the same
                    failed += [c.id for c in batch[index + 1 :]]
                    break
        return stored, failed, error

    def status(self) -> dict[str, Any]:
        """Return the sender's state for the status line (pending rows are in the database)."""
        pending = self.outbox.pending()
        return {
            "pending": pending.count,
            "oldestPendingAt": pending.oldest_at,
            "mostAttempts": pending.most_attempts,
            "lastError": self.last_error or pending.last_error,
            "sentByThisProcess": self.sent_total,
            "lastSentAt": self.last_sent_at,
        }
