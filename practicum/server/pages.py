"""HTML pages: the learner join page and team room, the facilitator console, and exports."""

from __future__ import annotations

import hmac
import io
import json
import secrets
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext

from practicum import engine
from practicum.engine.limits import console_limits
from practicum.engine.settings import SettingsError
from practicum.engine.timeline import outlook, team_timeline
from practicum.server import exports, privacy
from practicum.server.accounts import CREATES_SESSIONS
from practicum.server.auth import Refusal, current_login, session_page, signed_in_page
from practicum.server.hardening import page_headers
from practicum.server.identity import STAGE_LINK_SECONDS, STAGE_RENEW_SECONDS
from practicum.server.service import UnknownScenario, UnknownSession, normalise_join_code

pages = Blueprint("pages", __name__)

CSRF_KEY = "csrf_token"
# Scripts and styles only from this origin: even if some user text slipped into markup, an
# injected inline script or event handler attribute would not run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def init_pages(app: Flask) -> None:
    """Register the pages blueprint and the template helpers it needs."""
    app.register_blueprint(pages)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.filters["utc"] = _iso


def _service() -> Any:
    return current_app.extensions["practicum"]


# --- CSRF and sign-in ---------------------------------------------------------------------------


def csrf_token() -> str:
    """Return this browser session's CSRF token, creating it on first use."""
    token = session.get(CSRF_KEY)
    if not token:
        token = session[CSRF_KEY] = secrets.token_urlsafe(24)
    return token


def _csrf_ok() -> bool:
    sent = request.form.get(CSRF_KEY, "")
    expected = session.get(CSRF_KEY, "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


@pages.before_request
def _check_csrf() -> Any:
    """Refuse any form post that does not carry this session's CSRF token."""
    if request.method == "POST" and not _csrf_ok():
        return render_template(
            "error.html",
            title=gettext("Form expired"),
            message=gettext(
                "This form has expired or did not come from this site. Go back, reload "
                "the page and try again."
            ),
        ), 400
    return None


@pages.after_request
def _security_headers(response: Response) -> Response:
    return page_headers(response, CONTENT_SECURITY_POLICY)


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after sign-in, or the session list."""
    # Only a path on this site: an open redirect after sign-in would be a phishing aid.
    # Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    # "/\t/evil.example" or "/\\evil.example" would leave the site: refuse any control
    # character, any backslash, and anything with a scheme or a host.
    if not target or len(target) > 2000 or not target.startswith("/"):
        return url_for("pages.session_list")
    if "\\" in target or any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in target):
        return url_for("pages.session_list")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return url_for("pages.session_list")
    return target


def _snapshot_or_404(session_id: str) -> tuple[Any, Any]:
    try:
        return _service().snapshot(session_id)
    except UnknownSession:
        abort(404)


@pages.app_errorhandler(404)
def _not_found(_exc: Exception) -> Any:
    if request.path.startswith(("/api/", "/socket.io")):
        return jsonify({"ok": False, "code": "http/not_found", "message": "Not found."}), 404
    return render_template(
        "error.html",
        title=gettext("Not found"),
        message=gettext("There is nothing at this address. Check the link or the join code."),
    ), 404


# --- learner pages ------------------------------------------------------------------------------


@pages.get("/")
def join_page() -> str:
    """Show the join form (code and name)."""
    code = normalise_join_code(request.args.get("code", ""))[:16]
    return render_template("join.html", code=code)


@pages.get("/join/<code>")
def join_prefilled(code: str) -> str:
    """Show the join form with the code filled in (the QR code's target)."""
    return render_template("join.html", code=normalise_join_code(code)[:16])


@pages.get("/room/<session_id>")
def team_room(session_id: str) -> str:
    """Show a learner's team room; the page script resumes with the stored token."""
    scenario, _state = _snapshot_or_404(session_id)
    return render_template("room.html", session_id=session_id, title=scenario.title)


@pages.get("/clock")
def server_clock() -> Any:
    """Answer the server's time, so countdowns show the server's deadline, not the device's."""
    response = jsonify({"now": _service().clock()})
    response.headers["Cache-Control"] = "no-store"
    return response


# --- facilitator pages --------------------------------------------------------------------------


@pages.route("/facilitator", methods=["GET", "POST"])
def sign_in() -> Any:
    """Sign a facilitator in with a user name and password (no name: the first admin)."""
    if request.method == "GET":
        if current_login(allow_bearer=False) is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("signin.html", next=request.args.get("next", ""), username="")
    auth = current_app.extensions["practicum.auth"]
    username = request.form.get("username", "")[:64]
    signed = auth.sign_in(username, request.form.get("password", ""), request.remote_addr or "?")
    if isinstance(signed, Refusal):
        return render_template(
            "signin.html", next=request.form.get("next", ""), username=username,
            error=signed.message, code=signed.code,
        ), signed.status
    # A fresh session on privilege change: a planted session id must not become a signed-in one.
    session.clear()
    session["login"] = signed.id
    csrf_token()
    return redirect(_safe_next(request.form.get("next")))


@pages.post("/facilitator/sign-out")
def sign_out() -> Any:
    """Sign out: the login is revoked, so a copy of the cookie stops working too."""
    login = current_login(allow_bearer=False)
    if login is not None:
        current_app.extensions["practicum.auth"].revoke([login.id])
    session.clear()
    return redirect(url_for("pages.sign_in"))


def settings_from_form(form: Any) -> dict[str, Any] | None:
    """Return the session settings a creation form asks for (None: the scenario as written).

    Left as the form offers them, they match the scenario and no settings event is stored.
    """
    if "minutes_percent" not in form:
        return None
    scenario = _service().catalog.get(form.get("scenario", ""))
    if scenario is None:
        return None  # create_session says the scenario is gone

    def number(name: str, kind: type) -> Any:
        try:
            return kind(form.get(name, ""))
        except ValueError:
            raise SettingsError(f"'{form.get(name, '')}' is not a number.") from None

    return {
        "minutes_scale": number("minutes_percent", float) / 100,
        "team_min": number("team_min", int),
        "team_max": number("team_max", int),
        "disabled_injects": [
            i.id for i in scenario.injects if i.id not in set(form.getlist("inject_on"))
        ],
        "leaderboard": form.get("leaderboard") == "1",
    }


def scenario_card(scenario: Any) -> dict[str, Any]:
    """Return what the session list shows about a scenario."""
    return {
        "id": scenario.id,
        "title": scenario.title,
        "summary": scenario.summary,
        "industry": scenario.company.industry,
        "company": scenario.company.name,
        "difficulty": scenario.difficulty,
        "minutes": sum(r.minutes for r in scenario.rounds),
        "rounds": len(scenario.rounds),
        "teamSize": f"{scenario.team_size.min}–{scenario.team_size.max}",
        "teamMin": scenario.team_size.min,
        "teamMax": scenario.team_size.max,
        "injects": [{"id": i.id, "title": i.title, "trigger": i.trigger} for i in scenario.injects],
    }


@pages.get("/facilitator/sessions")
@signed_in_page
def session_list() -> str:
    """List the sessions this account may see and the scenarios to create one from."""
    service = _service()
    account = g.login.account
    scenarios = sorted(
        (scenario_card(s) for s in service.catalog.values()),
        key=lambda card: (card["difficulty"], card["title"]),
    )
    accounts = current_app.extensions["practicum.auth"].accounts
    sessions = service.list_sessions(accounts.visible_sessions(account))
    show_archived = request.args.get("archived") == "1"
    archived = sum(1 for s in sessions if s["status"] == "archived")
    if not show_archived:
        sessions = [s for s in sessions if s["status"] != "archived"]
    for summary in sessions:
        summary["role"] = accounts.session_role(account, summary["id"])
    return render_template(
        "sessions.html",
        sessions=sessions,
        archived=archived,
        show_archived=show_archived,
        scenarios=scenarios if account.role in CREATES_SESSIONS else [],
        can_create=account.role in CREATES_SESSIONS,
    )


@pages.post("/facilitator/sessions/<session_id>/archive")
@session_page("run")
def archive_session(session_id: str) -> Any:
    """Move an ended session out of the list (it stays readable from the archived list)."""
    row = _service().store.session(session_id)
    if row is None or row.status not in ("closed", "purged", "archived"):
        return render_template(
            "error.html", title=gettext("Not archived"),
            message=gettext("Only an ended session can be archived: end it first."),
        ), 400
    restore = request.form.get("restore") == "1"
    _service().store.set_status(session_id, "closed" if restore else "archived")
    return redirect(url_for("pages.session_list", archived="1" if restore else None))


@pages.post("/facilitator/sessions")
@signed_in_page
def create_session() -> Any:
    """Create a session from a scenario, owned by this account, and open its console."""
    account = g.login.account
    if account.role not in CREATES_SESSIONS:
        abort(403)
    try:
        session_id, _code = _service().create_session(
            request.form.get("scenario", ""),
            owner=(account.id, account.name),
            settings=settings_from_form(request.form),
        )
    except UnknownScenario:
        flash(gettext("That scenario is no longer available; pick another."), "error")
        return redirect(url_for("pages.session_list"))
    except SettingsError as exc:
        flash(gettext("The session was not created: %(reason)s", reason=exc), "error")
        return redirect(url_for("pages.session_list"))
    return redirect(url_for("pages.console", session_id=session_id))


def _join_url(join_code: str) -> str:
    return url_for("pages.join_prefilled", code=join_code, _external=True)


def _session_page(template: str, session_id: str) -> str:
    """Render a facilitator page of one session with its title and join details."""
    scenario, state = _snapshot_or_404(session_id)
    return render_template(
        template,
        session_id=session_id,
        session_role=g.session_role,
        title=scenario.title,
        join_code=state.join_code,
        join_url=_join_url(state.join_code),
    )


@pages.get("/facilitator/sessions/<session_id>")
@session_page("view")
def console(session_id: str) -> str:
    """Show the facilitator console of a session."""
    return _session_page("console.html", session_id)


@pages.app_context_processor
def _command_limits() -> dict[str, Any]:
    """Give templates the bounds of the facilitator's commands (the console's form uses them)."""
    return {"limits": console_limits()}


# --- the stage (the room's projector) ------------------------------------------------------------


def _stage_url(session_id: str) -> str:
    token = current_app.extensions["practicum.tokens"].stage_token(session_id)
    return url_for("pages.stage", token=token, _external=True)


@pages.get("/facilitator/sessions/<session_id>/stage")
@session_page("view")
def open_stage(session_id: str) -> Response:
    """Open the session's stage through a fresh screen link."""
    _snapshot_or_404(session_id)
    return redirect(_stage_url(session_id))


@pages.get("/facilitator/sessions/<session_id>/projector")
@session_page("view")
def projector(session_id: str) -> Response:
    """Send an old projector bookmark to the stage."""
    return redirect(url_for("pages.open_stage", session_id=session_id))


@pages.get("/facilitator/sessions/<session_id>/stage-link")
@session_page("view")
def stage_link(session_id: str) -> Response:
    """Answer a fresh screen link to the session's stage, to copy onto a projector's browser."""
    _snapshot_or_404(session_id)
    return jsonify({"url": _stage_url(session_id), "expiresIn": STAGE_LINK_SECONDS})


def _stage_session(token: str) -> tuple[Any, Any]:
    """Return the scenario and state a stage link opens, or (None, None) for a bad link."""
    session_id = current_app.extensions["practicum.tokens"].stage(token)
    if session_id is None:
        return None, None
    return _snapshot_or_404(session_id)


@pages.get("/stage/<token>")
def stage(token: str) -> Any:
    """Show the stage: a public screen for the room, opened by a signed, expiring link."""
    scenario, state = _stage_session(token)
    if scenario is None:
        return render_template(
            "error.html",
            title=gettext("Stage link expired"),
            message=gettext(
                "This stage link is not valid any more (screen links last 30 minutes). "
                "Open the stage again from the facilitator console."
            ),
        ), 403
    return render_template(
        "stage.html",
        token=token,
        renew_seconds=STAGE_RENEW_SECONDS,
        session_id=state.session_id,
        title=scenario.title,
        join_code=state.join_code,
        join_url=_join_url(state.join_code),
    )


@pages.get("/stage/<token>/qr.svg")
def stage_qr(token: str) -> Response:
    """Return the QR code of the join link for a stage screen."""
    _scenario, state = _stage_session(token)
    if state is None:
        abort(403)
    return Response(qr_svg(_join_url(state.join_code)), mimetype="image/svg+xml")


@pages.get("/facilitator/sessions/<session_id>/qr.svg")
@session_page("view")
def join_qr(session_id: str) -> Response:
    """Return the QR code of the session's join link as SVG."""
    _scenario, state = _snapshot_or_404(session_id)
    return Response(qr_svg(_join_url(state.join_code)), mimetype="image/svg+xml")


def qr_svg(text: str) -> str:
    """Return an SVG QR code for a text (medium error correction, dark on white)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer,
        kind="svg",
        scale=8,
        border=2,
        xmldecl=False,
        dark="#111111",
        light="#ffffff",
        title="Join link",
    )
    return buffer.getvalue().decode()


@pages.get("/facilitator/sessions/<session_id>/score-preview")
@session_page("score")
def score_preview(session_id: str) -> Any:
    """Answer the automatic breakdown a team's round would get now (nothing is stored)."""
    from practicum.engine.scores import breakdown  # read-only use of the engine's scorer

    scenario, state = _snapshot_or_404(session_id)
    team = state.teams.get(request.args.get("team", ""))
    try:
        round_ = scenario.round(request.args.get("round", ""))
    except KeyError:
        round_ = None
    if team is None or round_ is None:
        missing = {"ok": False, "code": "ref/unknown", "message": "Unknown team or round."}
        return jsonify(missing), 404
    return jsonify({"ok": True, **breakdown(scenario, team, round_, {}, {})})


# --- exports ------------------------------------------------------------------------------------


def _download(body: str, session_id: str, suffix: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{session_id}-{suffix}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- a learner's personal data (docs/privacy.md) -------------------------------------------------


def _learner_or_404(session_id: str, learner_id: str) -> tuple[Any, Any]:
    _scenario, state = _snapshot_or_404(session_id)
    learner = state.learners.get(learner_id)
    if learner is None:
        abort(404)
    return state, learner


@pages.get("/facilitator/sessions/<session_id>/learners/<learner_id>/data")
@session_page("score")
def learner_data(session_id: str, learner_id: str) -> str:
    """Show what the session holds about a learner: export it, or erase it on request."""
    state, learner = _learner_or_404(session_id, learner_id)
    return render_template(
        "learner_data.html",
        session_id=session_id,
        learner=learner,
        team=state.teams.get(learner.team or ""),
        erased=request.args.get("erased"),
    )


@pages.get("/facilitator/sessions/<session_id>/learners/<learner_id>/export.json")
@session_page("score")
def learner_data_export(session_id: str, learner_id: str) -> Response:
    """Download everything the session holds about one learner."""
    _learner_or_404(session_id, learner_id)
    body = privacy.learner_export(current_app.extensions, session_id, learner_id)
    return _download(
        json.dumps(body, ensure_ascii=False, indent=1), session_id, f"{learner_id}.json",
        "application/json",
    )


@pages.post("/facilitator/sessions/<session_id>/learners/<learner_id>/erase")
@session_page("run")
def learner_data_erase(session_id: str, learner_id: str) -> Any:
    """Erase one learner's personal data from the session's log (after an explicit confirm)."""
    _learner_or_404(session_id, learner_id)
    if request.form.get("confirm") != "yes":
        return render_template(
            "error.html", title=gettext("Not erased"),
            message=gettext("Tick the box that confirms the erasure request, then erase."),
        ), 400
    changed = privacy.erase_learner(current_app.extensions, session_id, learner_id)
    return redirect(url_for(
        "pages.learner_data", session_id=session_id, learner_id=learner_id, erased=changed
    ))


def _csv_export(session_id: str, build: Callable[[Any, Any], str], suffix: str) -> Response:
    """Download a CSV built from the session's stored events (see practicum/server/exports.py)."""
    scenario, _state = _snapshot_or_404(session_id)
    rows = _service().stored_events(session_id)
    return _download(build(scenario, rows), session_id, suffix, "text/csv; charset=utf-8")


@pages.get("/facilitator/sessions/<session_id>/scores.csv")
@session_page("score")
def scores_csv(session_id: str) -> Response:
    """Download the scores: one row per team per rubric component, with totals and ranks."""
    return _csv_export(session_id, exports.scores_csv, "scores.csv")


def _timeline(session_id: str, team_id: str) -> tuple[Any, list[dict[str, Any]]]:
    """Return the scenario and a team's path from the stored events (404 for an unknown team)."""
    scenario, _state = _snapshot_or_404(session_id)
    events = [engine.Event.from_dict(row) for row in _service().stored_events(session_id)]
    entries = team_timeline(scenario, events, team_id)
    if not any(e.team == team_id for e in events):
        abort(404)
    return scenario, entries


@pages.get("/facilitator/sessions/<session_id>/teams/<team_id>/timeline")
@session_page("view")
def team_path(session_id: str, team_id: str) -> Response:
    """Answer a team's path through the session: who did what and when (no plans)."""
    _scenario, entries = _timeline(session_id, team_id)
    return jsonify(
        {"entries": [{k: v for k, v in e.items() if k != "plan"} for e in entries]}
    )


@pages.get("/facilitator/sessions/<session_id>/teams/<team_id>/timeline/<int:index>")
@session_page("view")
def team_path_point(session_id: str, team_id: str, index: int) -> Response:
    """Answer the team's plan at one point of its path, and what that plan would do."""
    scenario, entries = _timeline(session_id, team_id)
    entry = next((e for e in entries if e["index"] == index), None)
    if entry is None:
        abort(404)
    return jsonify({"entry": entry, "outlook": outlook(scenario, entry["plan"])})


@pages.get("/facilitator/sessions/<session_id>/teams.csv")
@session_page("score")
def teams_csv(session_id: str) -> Response:
    """Download one row per team: rank, totals, points and members round by round."""
    return _csv_export(session_id, exports.teams_csv, "teams.csv")


@pages.get("/facilitator/sessions/<session_id>/learners.csv")
@session_page("score")
def learners_csv(session_id: str) -> Response:
    """Download one row per learner: actions, chat messages and text edits."""
    return _csv_export(session_id, exports.learners_csv, "learners.csv")


@pages.get("/facilitator/sessions/<session_id>/events.csv")
@session_page("score")
def events_csv(session_id: str) -> Response:
    """Download the event log as CSV, in words."""
    return _csv_export(session_id, exports.events_csv, "events.csv")


@pages.get("/facilitator/sessions/<session_id>/export.json")
@session_page("score")
def export_json(session_id: str) -> Response:
    """Download the session as JSON: the board (views) and the full event log."""
    scenario, state = _snapshot_or_404(session_id)
    body = {
        "sessionId": session_id,
        "scenarioId": scenario.id,
        "scenarioTitle": scenario.title,
        "exportedAt": exports.iso(_service().clock()),
        # Every chat message, not the board's newest few: an export is the session's record.
        "board": exports.iso_times(
            engine.facilitator_view(scenario, state, chat_limit=sys.maxsize)
        ),
        # Each event's time in ISO 8601; its data as stored (epoch seconds), so a replay of
        # the exported log reads the same facts.
        "events": [
            {**row, "at": exports.iso(row.get("at"))}
            for row in _service().stored_events(session_id)
        ],
    }
    return _download(
        json.dumps(body, ensure_ascii=False, indent=1),
        session_id,
        "export.json",
        "application/json",
    )


def _iso(epoch: float | None) -> str:
    if not epoch:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")
