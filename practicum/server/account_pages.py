"""Account pages: an admin manages accounts; a session's owner shares it with other accounts."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
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

from practicum.server.accounts import ROLES, SHARE_ROLES, AccountError
from practicum.server.auth import (
    Refusal,
    admin_page,
    disconnect_watchers,
    session_page,
    signed_in_page,
)
from practicum.server.pages import _check_csrf, _security_headers, _snapshot_or_404

account_pages = Blueprint("accounts", __name__)
# The same CSRF check and headers as every other page.
account_pages.before_request(_check_csrf)
account_pages.after_request(_security_headers)


def _auth() -> Any:
    return current_app.extensions["practicum.auth"]


@account_pages.app_errorhandler(403)
def _forbidden(_exc: Exception) -> Any:
    if request.path.startswith(("/api/", "/socket.io")):
        body = {"ok": False, "code": "auth/role", "message": "Your role does not allow this."}
        return jsonify(body), 403
    return render_template(
        "error.html",
        title=gettext("Not allowed"),
        message=gettext(
            "Your account's role does not allow this. Ask an admin or the session's owner."
        ),
    ), 403


@account_pages.get("/facilitator/accounts")
@admin_page
def accounts_page() -> str:
    """List the accounts with a form to add one (admins only)."""
    return render_template("accounts.html", accounts=_auth().accounts.all(), roles=ROLES)


@account_pages.post("/facilitator/accounts")
@admin_page
def add_account() -> Response:
    """Create an account from the form."""
    form = request.form
    try:
        account = _auth().accounts.add(
            form.get("name", ""), form.get("role", ""), form.get("password", "")
        )
    except AccountError as exc:
        flash(exc.message, "error")
    else:
        flash(
            gettext("Account '%(name)s' (%(role)s) created.", name=account.name, role=account.role),
            "success",
        )
    return redirect(url_for("accounts.accounts_page"))


@account_pages.post("/facilitator/accounts/<name>/remove")
@admin_page
def remove_account(name: str) -> Response:
    """Remove an account: its logins end and its open consoles are disconnected at once."""
    if name == g.login.account.name:
        flash(gettext("You cannot remove your own account while signed in with it."), "error")
        return redirect(url_for("accounts.accounts_page"))
    try:
        revoked = _auth().accounts.remove(name)
    except AccountError as exc:
        flash(exc.message, "error")
    else:
        _auth().revoke(revoked)
        flash(gettext("Account '%(name)s' removed.", name=name), "success")
    return redirect(url_for("accounts.accounts_page"))


@account_pages.get("/facilitator/sessions/<session_id>/access")
@session_page("share")
def access_page(session_id: str) -> str:
    """Show who may see a session, with a form to share it."""
    scenario, _state = _snapshot_or_404(session_id)
    return render_template(
        "access.html",
        session_id=session_id,
        title=scenario.title,
        access=_auth().accounts.access(session_id),
        roles=SHARE_ROLES,
    )


@account_pages.post("/facilitator/sessions/<session_id>/access")
@session_page("share")
def share(session_id: str) -> Response:
    """Share the session with an account in a role, or take a share back."""
    accounts = _auth().accounts
    name = request.form.get("name", "")
    try:
        if request.form.get("remove"):
            accounts.unshare(session_id, name)
            # A board already open would otherwise keep streaming to the account.
            disconnect_watchers(current_app.extensions, name.strip().lower(), session_id)
            flash(gettext("'%(name)s' no longer has access.", name=name), "success")
        else:
            role = request.form.get("role", "")
            account = accounts.share(session_id, name, role)
            shared = gettext("Shared with '%(name)s' as %(role)s.", name=account.name, role=role)
            flash(shared, "success")
    except AccountError as exc:
        flash(exc.message, "error")
    return redirect(url_for("accounts.access_page", session_id=session_id))


@account_pages.route("/facilitator/password", methods=["GET", "POST"])
@signed_in_page
def change_password() -> Any:
    """Change one's own password: every login of the account ends, this browser signs in anew."""
    if request.method == "GET":
        return render_template("password.html")
    auth = _auth()
    account = g.login.account
    form = request.form
    # The current password again, under the guessing limit: a borrowed unlocked browser must
    # not be enough to take the account over.
    checked = auth.sign_in(account.name, form.get("current", ""), request.remote_addr or "?")
    if isinstance(checked, Refusal):
        return render_template("password.html", error=checked.message, code=checked.code), (
            checked.status
        )
    if form.get("new", "") != form.get("again", ""):
        auth.revoke([checked.id])
        return render_template("password.html", error="The two new passwords differ."), 400
    try:
        revoked = auth.accounts.set_password(account.name, form.get("new", ""))
    except AccountError as exc:
        auth.revoke([checked.id])
        return render_template("password.html", error=exc.message, code=exc.code), 400
    auth.revoke(revoked)
    fresh = auth.accounts.open_login(account, auth.login_hours)
    session["login"] = fresh.id
    flash(gettext("Password changed. Every other sign-in of your account has ended."), "success")
    return redirect(url_for("pages.session_list"))
