"""Grade passback (LTI Assignment and Grade Services): each launched learner's team result, as a
fraction, posted to the LMS line item once scores are published, in the background.

Grades go through the `lti_grades` outbox: a published score is queued (once per distinct
grade), and a sender posts the newest grade of each learner, retrying with backoff until the
LMS takes it. A slow or absent LMS never delays a facilitator's command, and a failed post is
logged and tried again, never dropped.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Flask

from practicum.server.lti_store import LtiStore, Seat

log = logging.getLogger(__name__)

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
CLAIM_SECONDS = 60.0  # how long a sender holds a grade it is posting
MAX_BACKOFF_SECONDS = 900.0
NONCE_DAYS = 2
# Ended sessions this recent are read again at start-up in case their grades were not queued.
CATCH_UP_DAYS = 2
POST_TIMEOUT_SECONDS = 20.0


def team_fraction(state: Any, learner_id: str) -> tuple[float, float, str] | None:
    """Return (score given, score maximum, fingerprint) of a learner's team, or None.

    The result is the team's points over its published rounds out of those rounds' maximum;
    None before any round is published or when the learner has no team.
    """
    learner = state.learners.get(learner_id)
    team = state.teams.get(learner.team) if learner is not None and learner.team else None
    if team is None or not state.published:
        return None
    rounds = sorted(r for r in team.scores if r in state.published)
    if not rounds:
        return None
    given = round(sum(float(team.scores[r]["total"]) for r in rounds), 4)
    maximum = round(sum(float(team.scores[r]["max"]) for r in rounds), 4)
    if maximum <= 0:
        return None
    return given, maximum, f"{','.join(rounds)}|{given}|{maximum}"


def queue_session(app_ext: dict[str, Any], session_id: str, state: Any) -> int:
    """Queue the current grade of every LTI learner of a session; return how many were new."""
    store: LtiStore = app_ext["practicum.lti"]
    queued = 0
    for seat in store.seats(session_id):
        if SCORE_SCOPE not in (seat.ags.get("scope") or []):
            continue  # the LMS takes no grade for this activity: nothing to retry forever
        result = team_fraction(state, seat.learner_id)
        if result is None:
            continue
        given, maximum, fingerprint = result
        if store.enqueue_grade(seat, fingerprint, given, maximum):
            queued += 1
    return queued


class GradeQueue:
    """Queue grades for sessions whose state changed since it last looked (states are
    immutable, so an unchanged state is the same object)."""

    def __init__(self) -> None:
        self._seen: dict[str, Any] = {}
        self._caught_up = False

    def catch_up(self, app_ext: dict[str, Any]) -> int:
        """Queue the grades of recent LTI sessions not in memory (once, at start-up).

        A process that died between a publication and its next sweep queued nothing for it;
        the sessions it leaves in memory after a restart are only the live ones, so the recently
        ended ones are read from the log here. Queueing is idempotent: nothing is sent twice.
        """
        service = app_ext["practicum"]
        store: LtiStore = app_ext["practicum.lti"]
        since = service.clock() - CATCH_UP_DAYS * 86400
        queued = 0
        for session_id in sorted(store.seat_sessions() - set(service.live_session_ids())):
            row = service.store.session(session_id)
            if row is None or row.status == "purged":
                continue
            if (row.updated_at or row.created_at) < since or not service.owns(session_id, False):
                continue
            try:
                _scenario, state = service.snapshot(session_id)
            except Exception:  # noqa: BLE001 - one unreadable session must not stop the rest
                log.exception("LTI grades: session %s could not be read", session_id)
                continue
            queued += queue_session(app_ext, session_id, state)
            self._seen[session_id] = state
        self._caught_up = True
        return queued

    def sweep(self, app_ext: dict[str, Any]) -> int:
        """Look at every LTI session this process holds; return how many grades were queued."""
        service = app_ext["practicum"]
        store: LtiStore = app_ext["practicum.lti"]
        queued = 0 if self._caught_up else self.catch_up(app_ext)
        live = set(service.live_session_ids())
        for session_id in sorted(store.seat_sessions() & live):
            _scenario, state = service.cached(session_id)
            if self._seen.get(session_id) is state:
                continue
            queued += queue_session(app_ext, session_id, state)
            self._seen[session_id] = state
        for gone in set(self._seen) - live:
            del self._seen[gone]
        return queued


class TimedSession(requests.Session):
    """A requests session whose calls give up after POST_TIMEOUT_SECONDS (pylti1p3 sets none)."""

    def request(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("timeout", POST_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def _grade_body(row: Any, completed: bool) -> Any:
    from pylti1p3.grade import Grade

    stamp = datetime.fromtimestamp(time.time(), UTC).isoformat(timespec="milliseconds")
    return (
        Grade()
        .set_score_given(row.score_given)
        .set_score_maximum(row.score_maximum)
        .set_timestamp(stamp.replace("+00:00", "Z"))
        .set_activity_progress("Completed" if completed else "Submitted")
        .set_grading_progress("FullyGraded")
        .set_user_id(row.subject)
    )


def post_grade(app_ext: dict[str, Any], row: Any, seat: Seat) -> None:
    """Post one grade to the seat's line item (raises on any failure)."""
    from pylti1p3.assignments_grades import AssignmentsGradesService
    from pylti1p3.contrib.flask import FlaskServiceConnector
    from pylti1p3.lineitem import LineItem

    tool = app_ext["practicum.lti_tool"].tool()
    registration = tool.conf.find_registration_by_params(seat.issuer, seat.client_id)
    if registration is None:
        raise LookupError(f"no registration for {seat.issuer} / {seat.client_id}")
    ags = seat.ags
    if SCORE_SCOPE not in (ags.get("scope") or []):
        raise PermissionError("the launch gave no score scope (the activity takes no grade)")
    service = AssignmentsGradesService(FlaskServiceConnector(registration, TimedSession()), ags)
    store = app_ext["practicum.store"]
    status = store.session(row.session_id)
    grade = _grade_body(row, completed=status is not None and status.status != "live")
    if ags.get("lineitem"):
        service.put_grade(grade)
    else:
        # No line item of its own: find or make one for this resource link.
        item = (
            LineItem()
            .set_tag("practicum")
            .set_resource_link_id(seat.resource_link_id)
            .set_score_maximum(row.score_maximum)
            .set_label("Practicum")
        )
        service.put_grade(grade, item)


def send_due(app_ext: dict[str, Any]) -> tuple[int, int]:
    """Post every due grade; return (sent, failed)."""
    store: LtiStore = app_ext["practicum.lti"]
    sent = failed = 0
    for row in store.due_grades():
        if not store.claim_grade(row, CLAIM_SECONDS):
            continue  # another process took it
        seat = store.seat_of_learner(row.session_id, row.learner_id)
        try:
            if seat is None:
                raise LookupError("the learner's LTI seat is gone")
            post_grade(app_ext, row, seat)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
            attempts = row.attempts + 1
            retry_in = min(MAX_BACKOFF_SECONDS, 2.0 * 2 ** min(attempts, 10))
            detail = _describe(exc)
            if "401" in detail:
                _forget_access_tokens()  # a token the platform no longer takes: ask anew
            log.warning(
                "LTI grade %s (session %s, learner %s) not posted, attempt %d, retry in %.0f s: %s",
                row.id,
                row.session_id,
                row.learner_id,
                attempts,
                retry_in,
                detail,
            )
            store.grade_failed(row.id, attempts, retry_in, detail)
            failed += 1
            continue
        store.grade_sent(row.id)
        sent += 1
    return sent, failed


def _forget_access_tokens() -> None:
    from pylti1p3.contrib.flask import FlaskServiceConnector

    FlaskServiceConnector.access_tokens.clear()


def _describe(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is not None and hasattr(response, "status_code"):
        return f"{type(exc).__name__}: {exc} (HTTP {response.status_code}: {response.text[:300]})"
    return f"{type(exc).__name__}: {exc}"


def run_grades(app: Flask) -> None:
    """Queue and send grades forever (a background task of the serving process)."""
    from practicum.server.extensions import socketio

    queue = GradeQueue()
    interval = float(app.config["LTI_GRADE_SECONDS"])
    next_prune = 0.0
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                queue.sweep(app.extensions)
                send_due(app.extensions)
                now = time.time()
                if now >= next_prune:
                    next_prune = now + 3600
                    app.extensions["practicum.lti"].forget_nonces(now - NONCE_DAYS * 86400)
        except Exception:  # noqa: BLE001 - the sender must outlive a database hiccup
            log.exception("LTI grade sweep failed")
