"""LTI 1.3 launches: OIDC login, the launch itself, the JWKS, and linking a resource link to a
session on an instructor's first launch (docs/lti.md)."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from practicum import engine
from practicum.server.accounts import CREATES_SESSIONS, FACILITATOR, Account, AccountError
from practicum.server.auth import signed_in_page
from practicum.server.hardening import page_headers
from practicum.server.lti_config import LtiConfigError, ToolSource
from practicum.server.lti_storage import DbLaunchStorage
from practicum.server.lti_store import LtiStore, Seat
from practicum.server.roles import ABILITIES
from practicum.server.service import (
    NotOwner,
    UnknownScenario,
    UnknownSession,
    normalise_join_code,
)

log = logging.getLogger(__name__)
lti = Blueprint("lti", __name__, url_prefix="/lti")

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LINK_KEY = "lti_link"
DEEP_LINK_KEY = "lti_deep_link"
SEAT_KEY = "lti_seat"
DEEP_LINK_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
NAME_MAX = 40  # the engine's limit on a learner's name
# The tool's pages: scripts and styles from this origin only, never framed (the link and
# deep-link pages hold buttons a framing site could trick an instructor into pressing). Forms
# may post to the LMS (the deep-linking answer goes there).
TOOL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'"
)
# A refusal page may show inside the LMS's frame, where a launch set to embed would land: better
# a readable page there than a blank frame.
REFUSAL_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; base-uri 'self'"


@dataclass(frozen=True)
class LaunchRefusal(Exception):
    """A launch refused: HTTP status, stable code (the page's template says it in words)."""

    status: int
    code: str
    detail: str = ""


def init_lti(app: Flask) -> None:
    """Attach the LTI tool (keys, registrations, tables) and its pages."""
    service = app.extensions["practicum"]
    app.extensions["practicum.lti"] = LtiStore(
        app.extensions["practicum.store"].engine, service.clock
    )
    app.extensions["practicum.lti_tool"] = ToolSource(app.config)
    app.register_blueprint(lti)
    if app.config["RUN_TIMERS"]:
        from practicum.server.extensions import socketio
        from practicum.server.lti_grades import run_grades

        socketio.start_background_task(run_grades, app)


def _store() -> LtiStore:
    return current_app.extensions["practicum.lti"]


def _storage() -> DbLaunchStorage:
    return DbLaunchStorage(_store())


@lti.after_request
def _headers(response: Response) -> Response:
    return page_headers(response, TOOL_CSP, no_store=True)


@lti.errorhandler(LaunchRefusal)
def _refused(refusal: LaunchRefusal) -> Any:
    log.info("LTI launch refused: %s %s", refusal.code, refusal.detail)
    page = render_template("lti_error.html", code=refusal.code)
    return page, refusal.status, {"Content-Security-Policy": REFUSAL_CSP}


# --- the tool's public endpoints -------------------------------------------------------------


@lti.get("/jwks.json")
def jwks() -> Response:
    """Answer the tool's public keys: platforms check the tool's grade requests with them."""
    return jsonify({"keys": [current_app.extensions["practicum.lti_tool"].jwk]})


def _tool() -> Any:
    try:
        tool = current_app.extensions["practicum.lti_tool"].tool()
    except LtiConfigError as exc:
        log.error("LTI registrations unusable: %s", exc)
        raise LaunchRefusal(500, "lti/not_configured", str(exc)) from exc
    if not tool.platforms:
        raise LaunchRefusal(400, "lti/not_configured")
    return tool


@lti.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Start a launch (OIDC third-party login): send the browser to the platform's authorize."""
    from pylti1p3.contrib.flask import FlaskOIDCLogin, FlaskRequest
    from pylti1p3.exception import LtiException, OIDCException, ToolConfException

    tool = _tool()
    target = request.values.get("target_link_uri") or url_for("lti.launch", _external=True)
    try:
        oidc = FlaskOIDCLogin(FlaskRequest(), tool.conf, launch_data_storage=_storage())
        return oidc.redirect(target)
    except (LtiException, OIDCException, ToolConfException) as exc:
        # No issuer or login hint, or an issuer / client id that is not registered.
        raise LaunchRefusal(400, "lti/unknown_platform", str(exc)) from exc


def classify(exc: Exception) -> LaunchRefusal:
    """Return the refusal a failed pylti1p3 validation stands for."""
    text = str(exc)
    lowered = text.lower()
    if "state" in lowered or "missing cookie" in lowered:
        code = "lti/no_state"
    elif "nonce" in lowered:
        code = "lti/replayed"
    elif "expired" in lowered:
        code = "lti/expired"
    elif "deployment" in lowered:
        code = "lti/unknown_deployment"
    elif "registration" in lowered or "client id" in lowered or "not found in settings" in lowered:
        code = "lti/unknown_platform"
    elif "decode" in lowered or "signature" in lowered or "public key" in lowered:
        code = "lti/bad_signature"
    else:
        code = "lti/invalid"
    return LaunchRefusal(403 if code != "lti/invalid" else 400, code, text)


@lti.post("/launch")
def launch() -> Any:
    """Check a launch and take the user to the console (instructors) or the room (learners)."""
    from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest

    tool = _tool()
    try:
        # Over HTTPS the constructor already wants the login step's cookie: inside the try.
        message = FlaskMessageLaunch(FlaskRequest(), tool.conf, launch_data_storage=_storage())
        data = message.get_launch_data()
    except Exception as exc:  # noqa: BLE001 - any failed check is a refused launch, not a 500
        raise classify(exc) from exc
    issuer, nonce = str(data.get("iss", "")), str(data.get("nonce", ""))
    # The library checks the nonce came from our login step; a second launch with the same
    # token is refused here, in the database every process shares.
    if not _store().use_nonce(issuer, nonce):
        raise LaunchRefusal(403, "lti/replayed")
    subject = str(data.get("sub") or "")
    if not subject:
        raise LaunchRefusal(400, "lti/anonymous")
    teaches = (
        message.check_teacher_access()
        or message.check_teaching_assistant_access()
        or message.check_designer_access()
        or message.check_staff_access()
    )
    if message.is_deep_link_launch():
        if not teaches:
            raise LaunchRefusal(403, "lti/deep_link_instructors")
        _sign_in_instructor(data)
        session[DEEP_LINK_KEY] = message.get_launch_id()
        return redirect(url_for("lti.choose_deep_link"))
    if not message.is_resource_launch():
        raise LaunchRefusal(400, "lti/unsupported_message")
    link = _link_key(data)
    session_id = _session_for(data, link)
    if teaches:
        return _instructor(data, link, session_id)
    return _learner(data, link, session_id)


def _link_key(data: dict[str, Any]) -> tuple[str, str, str, str]:
    context = data.get(CLAIM + "context") or {}
    resource = data.get(CLAIM + "resource_link") or {}
    return (
        str(data["iss"]),
        str(data.get(CLAIM + "deployment_id", "")),
        str(context.get("id", "")),
        str(resource.get("id", "")),
    )


def _session_for(data: dict[str, Any], link: tuple[str, str, str, str]) -> str | None:
    """Return the session a launch opens: the custom `session` join code, else the stored link."""
    custom = data.get(CLAIM + "custom") or {}
    code = custom.get("session") if isinstance(custom, dict) else None
    if isinstance(code, str) and code.strip() and not code.startswith("$"):
        session_id = current_app.extensions["practicum"].session_by_code(code)
        if session_id is None:
            raise LaunchRefusal(404, "lti/unknown_session", normalise_join_code(code))
        return session_id
    session_id = _store().linked_session(link)
    if (
        session_id is not None
        and current_app.extensions["practicum"].store.session(session_id) is None
    ):
        return None
    return session_id


def lms_name(data: dict[str, Any]) -> str:
    """Return the name the LMS gives the user, cut to what a learner's name may hold."""
    name = str(data.get("name") or "").strip()
    if not name:
        name = " ".join(
            str(data.get(k) or "").strip() for k in ("given_name", "family_name")
        ).strip()
    return (" ".join(name.split()) or "Learner")[:NAME_MAX]


# --- instructors -----------------------------------------------------------------------------


def _account_for(data: dict[str, Any]) -> Account:
    """Return the facilitator account of an LMS instructor, creating it on a first launch."""
    auth = current_app.extensions["practicum.auth"]
    issuer, subject = str(data["iss"]), str(data["sub"])
    account_id = _store().account_of(issuer, subject)
    if account_id is not None:
        account = next((a for a in auth.accounts.all() if a.id == account_id), None)
        if account is not None:
            return account
    # A user name no one types: the account signs in through the LMS only (its password is
    # random and never shown). The digest keeps the name stable and unique per LMS user.
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:6]
    slug = re.sub(r"[^a-z0-9]+", "-", lms_name(data).lower()).strip("-")[:40] or "lti"
    name = f"{slug}-{digest}"
    account = auth.accounts.get(name)
    if account is None:
        try:
            account = auth.accounts.add(
                name, FACILITATOR, secrets.token_urlsafe(32), check_strength=False
            )
        except AccountError:
            account = auth.accounts.get(name)  # another launch made it just now
    if account is None:
        raise LaunchRefusal(500, "lti/account")
    if account_id is None:
        _store().link_account(issuer, subject, account.id, lms_name(data))
    return account


def _sign_in_instructor(data: dict[str, Any]) -> Account:
    """Sign the browser in as the instructor's account (a fresh session, as a sign-in does)."""
    auth = current_app.extensions["practicum.auth"]
    account = _account_for(data)
    opened = auth.accounts.open_login(account, float(current_app.config["LOGIN_HOURS"]))
    session.clear()
    session["login"] = opened.id
    return account


def _instructor(
    data: dict[str, Any], link: tuple[str, str, str, str], session_id: str | None
) -> Any:
    account = _sign_in_instructor(data)
    title = (data.get(CLAIM + "resource_link") or {}).get("title") or ""
    session[LINK_KEY] = {"key": list(link), "title": str(title)[:200]}
    if session_id is None:
        return redirect(url_for("lti.choose_link"))
    _grant(account, session_id)
    return redirect(url_for("pages.console", session_id=session_id))


def _grant(account: Account, session_id: str) -> None:
    """Let an instructor of the linked course run the session (a facilitator share)."""
    accounts = current_app.extensions["practicum.auth"].accounts
    role = accounts.session_role(account, session_id)
    if role is None or "run" not in ABILITIES[role]:
        accounts.share(session_id, account.name, FACILITATOR)


def _choices(mode: str, activity: str) -> str:
    """Render the page where an instructor picks a session they run or a scenario."""
    service = current_app.extensions["practicum"]
    accounts = current_app.extensions["practicum.auth"].accounts
    account = g.login.account
    sessions = [
        s
        for s in service.list_sessions(accounts.visible_sessions(account))
        if s["status"] not in ("closed", "purged", "archived")
    ]
    scenarios = sorted(service.catalog.values(), key=lambda s: (s.difficulty, s.title))
    return render_template(
        "lti_link.html",
        mode=mode,
        action=url_for("lti.save_link" if mode == "link" else "lti.save_deep_link"),
        activity=activity,
        sessions=sessions,
        scenarios=scenarios if account.role in CREATES_SESSIONS else [],
    )


def _chosen_session() -> str | None:
    """Return the session the instructor's form picked (creating it from a scenario)."""
    service = current_app.extensions["practicum"]
    account = g.login.account
    scenario_id = request.form.get("scenario")
    if scenario_id:
        if account.role not in CREATES_SESSIONS:
            abort(403)
        try:
            session_id, _code = service.create_session(
                scenario_id, owner=(account.id, account.name)
            )
        except UnknownScenario:
            return None
        return session_id
    session_id = request.form.get("session", "")
    role = current_app.extensions["practicum.auth"].accounts.session_role(account, session_id)
    if role is None or "run" not in ABILITIES[role]:
        abort(404)
    return session_id


@lti.get("/link")
@signed_in_page
def choose_link() -> Any:
    """Let an instructor link this LMS activity to a session (new or existing)."""
    pending = session.get(LINK_KEY)
    if not pending:
        abort(404)
    return _choices("link", pending.get("title") or "")


@lti.post("/link")
@signed_in_page
def save_link() -> Any:
    """Link the pending LMS activity to the chosen session, or to a new one, and open it."""
    from practicum.server.pages import _csrf_ok

    pending = session.get(LINK_KEY)
    if not pending or not _csrf_ok():
        raise LaunchRefusal(400, "lti/link_expired")
    session_id = _chosen_session()
    if session_id is None:
        return redirect(url_for("lti.choose_link"))
    _store().link(tuple(pending["key"]), session_id, g.login.account.name)
    session.pop(LINK_KEY, None)
    return redirect(url_for("pages.console", session_id=session_id))


# --- deep linking: the LMS's "add content" dialog --------------------------------------------


@lti.get("/deep-link")
@signed_in_page
def choose_deep_link() -> Any:
    """Let an instructor pick the session a new LMS activity will open."""
    if not session.get(DEEP_LINK_KEY):
        abort(404)
    return _choices("deep", "")


@lti.post("/deep-link")
@signed_in_page
def save_deep_link() -> Any:
    """Answer the LMS with an activity (a resource link) that opens the chosen session."""
    from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest
    from pylti1p3.deep_link_resource import DeepLinkResource
    from pylti1p3.lineitem import LineItem

    from practicum.server.pages import _csrf_ok

    launch_id = session.get(DEEP_LINK_KEY)
    if not launch_id or not _csrf_ok():
        raise LaunchRefusal(400, "lti/link_expired")
    try:
        message = FlaskMessageLaunch.from_cache(
            launch_id, FlaskRequest(), _tool().conf, launch_data_storage=_storage()
        )
    except Exception as exc:  # noqa: BLE001 - launch data gone (expired): launch again
        raise LaunchRefusal(400, "lti/link_expired", str(exc)) from exc
    session_id = _chosen_session()
    if session_id is None:
        return redirect(url_for("lti.choose_deep_link"))
    scenario, state = current_app.extensions["practicum"].snapshot(session_id)
    resource = (
        DeepLinkResource()
        .set_url(url_for("lti.launch", _external=True))
        .set_title(scenario.title)
        # The activity carries the session's join code: every launch of it opens the session.
        .set_custom_params({"session": state.join_code})
        .set_lineitem(LineItem().set_score_maximum(100).set_label(scenario.title))
    )
    deep_link = message.get_deep_link()
    settings = message.get_launch_data()[DEEP_LINK_SETTINGS]
    session.pop(DEEP_LINK_KEY, None)
    return render_template(
        "lti_deep_link.html",
        return_url=settings["deep_link_return_url"],
        jwt=deep_link.get_response_jwt([resource]),
        title=scenario.title,
    )


# --- learners --------------------------------------------------------------------------------


def _learner(data: dict[str, Any], link: tuple[str, str, str, str], session_id: str | None) -> Any:
    """Keep the launched learner's seat request and send the browser to take it.

    The seat is taken by a second request that names the session in its URL, as every request
    of a session does: behind the cluster's proxy it reaches the process that owns the session.
    The request rides in the signed browser session, so it cannot be forged.
    """
    if session_id is None:
        raise LaunchRefusal(409, "lti/not_linked")
    aud = data.get("aud")
    ags = data.get(AGS_CLAIM)
    session[SEAT_KEY] = {
        "session": session_id,
        "issuer": str(data["iss"]),
        "subject": str(data["sub"]),
        "name": lms_name(data),
        "client_id": aud[0] if isinstance(aud, list) else str(aud or ""),
        "deployment_id": link[1],
        "resource_link_id": link[3],
        "ags": ags if isinstance(ags, dict) else {},
    }
    return redirect(url_for("lti.take_seat", session=session_id))


@lti.get("/seat")
def take_seat() -> Any:
    """Seat the launched learner (joining the session on a first launch) and open the room."""
    pending = session.get(SEAT_KEY)
    session_id = request.args.get("session", "")
    if not isinstance(pending, dict) or pending.get("session") != session_id:
        raise LaunchRefusal(400, "lti/seat_expired")
    service = current_app.extensions["practicum"]
    issuer, subject, name = pending["issuer"], pending["subject"], pending["name"]
    lms = {"issuer": issuer, "subject": subject, "name": name}
    seat = _store().seat(session_id, issuer, subject)
    try:
        _scenario, state = service.snapshot(session_id)
    except UnknownSession as exc:
        raise LaunchRefusal(404, "lti/unknown_session") from exc
    learner_id = seat.learner_id if seat is not None else None
    if learner_id is None or learner_id not in state.learners:
        learner_id = _join(session_id, name, lms, issuer, subject)
    _store().save_seat(
        Seat(
            session_id,
            issuer,
            subject,
            learner_id,
            name,
            pending["client_id"],
            pending["deployment_id"],
            pending["resource_link_id"],
            pending["ags"],
        )
    )
    token = current_app.extensions["practicum.tokens"].learner_token(session_id, learner_id)
    return render_template(
        "lti_seat.html",
        session_id=session_id,
        learner_id=learner_id,
        token=token,
        room_url=url_for("pages.team_room", session_id=session_id),
    )


def _join(session_id: str, name: str, lms: dict[str, str], issuer: str, subject: str) -> str:
    """Seat an LMS learner in the session (the join a join code would make) and tell the room."""
    service = current_app.extensions["practicum"]
    learner_id = "l_" + secrets.token_hex(6)
    command = engine.Command(
        "join_session",
        engine.Actor(engine.LEARNER, learner_id),
        {"learner_id": learner_id, "name": name},
    )
    # One action id per LMS user and session: two launches racing make one seat.
    action = "lti:" + hashlib.sha256(f"{session_id}\n{issuer}\n{subject}".encode()).hexdigest()
    try:
        applied = service.apply(
            session_id,
            command,
            action[:64],
            # The LMS identity rides on the join's answer (stored with the action), never in
            # the engine's event: xAPI statements read it there or from the seat.
            extra={"sessionId": session_id, "learnerId": learner_id, "lms": lms},
        )
    except NotOwner as exc:
        raise LaunchRefusal(503, "lti/busy") from exc
    current_app.extensions["practicum.broadcaster"].publish(
        current_app.extensions, session_id, applied
    )
    ack = applied.ack
    if not ack.get("ok"):
        raise LaunchRefusal(409, "lti/join_refused", str(ack.get("code")))
    return str(ack["learnerId"])
