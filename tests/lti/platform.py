"""The local LTI platform for tests: its venv (.venv-lti, made from tests/lti/requirements.txt),
the uvicorn process, and a launch driven over HTTP as a browser would."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import requests

from tests.services import free_port, stop_group, unavailable

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PRACTICUM_LTI_VENV", ROOT / ".venv-lti"))
REQUIREMENTS = HERE / "requirements.txt"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
USERS = [
    {"id": "teacher-1", "given_name": "Tess", "family_name": "Teacher", "email": "t@example.org"},
    {"id": "learner-1", "given_name": "Lena", "family_name": "Learner", "email": "l@example.org"},
    {"id": "learner-2", "given_name": "Omar", "family_name": "Okafor", "email": "o@example.org"},
    {"id": "learner-3", "given_name": "Late", "family_name": "Comer", "email": "x@example.org"},
]


def platform_python() -> Path:
    """Return the python of .venv-lti, making the venv when missing or out of date."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements-sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(VENV)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-r", str(REQUIREMENTS)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        unavailable(f"cannot make {VENV} for the LTI platform: {exc} {detail[-500:]!r}")
    stamp.write_text(wanted)
    return python


class Platform:
    """lti-provider-mock plus the test AGS endpoint under uvicorn, on loopback."""

    def __init__(self, workdir: Path, tool_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tool_url = tool_url
        self.claims_file = workdir / "platform-claims.json"
        self.log = workdir / "platform.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.set_claims({})

    @property
    def issuer(self) -> str:
        return self.url

    def registration(self) -> dict[str, Any]:
        """Return the tool-side registration of this platform (an lti.json entry)."""
        return {
            "name": "lti-provider-mock",
            "issuer": self.issuer,
            "client_id": "lti-provider-mock",
            "deployment_ids": ["1"],
            "auth_login_url": f"{self.url}/authorize",
            "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks",
        }

    def set_claims(self, claims: dict[str, Any]) -> None:
        """Set the claims the platform adds to its next launches (see platform_app.py)."""
        base = {
            "all": {
                AGS: {
                    "scope": SCOPES,
                    "lineitems": f"{self.url}/ags/course-1/lineitems",
                    "lineitem": f"{self.url}/ags/course-1/lineitems/1",
                }
            },
            "subs": {"teacher-1": {ROLES: [MEMBERSHIP + "Instructor"]}},
        }
        for key, value in claims.items():
            if key == "subs":
                for sub, extra in value.items():
                    base["subs"][sub] = {**base["subs"].get(sub, {}), **extra}
            else:
                base[key] = value
        self.claims_file.write_text(json.dumps(base))

    def start(self) -> None:
        """Start uvicorn and wait for the platform's JWKS."""
        python = platform_python()
        env = {
            **os.environ,
            "LTI_PROVIDER_MOCK__USERS": json.dumps(USERS),
            "LTI_PROVIDER_MOCK__COURSES": json.dumps([{"id": "course-1", "name": "Course 1"}]),
            "LTI_PROVIDER_MOCK__LTI": json.dumps(
                {
                    "iss": self.issuer,
                    "login_url": f"{self.tool_url}/lti/login",
                    "launch_url": f"{self.tool_url}/lti/launch",
                }
            ),
            "PLATFORM_CLAIMS": str(self.claims_file),
            "TOOL_JWKS_URL": f"{self.tool_url}/lti/jwks.json",
            "PLATFORM_TOKEN_URL": f"{self.url}/token",
            "PLATFORM_ISSUER": self.issuer,
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(python),
                    "-m",
                    "uvicorn",
                    "platform_app:app",
                    "--app-dir",
                    str(HERE),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                ],
                env=env,
                cwd=self.log.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"platform exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/jwks", timeout=0.5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("the LTI platform did not start in 30 s")

    def stop(self) -> None:
        """Stop uvicorn by its process group."""
        stop_group(self.process)

    def seen(self) -> dict[str, Any]:
        """Return what the platform's AGS endpoint saw."""
        return requests.get(f"{self.url}/test/log", timeout=5).json()


def form_fields(page: str) -> tuple[str, dict[str, str]]:
    """Return the action and hidden fields of the auto-submitted form of a platform page."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', page, re.S
        )
    }
    return action, fields


class Reply:
    """An HTTP answer: status, headers, text."""

    def __init__(self, status: int, headers: Any, body: bytes, url: str) -> None:
        self.status_code = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")
        self.url = url
        self.ok = 200 <= status < 400


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as the answer


class Browser:
    """A cookie-keeping HTTP client, like one browser.

    Not requests: its cookie jar strips the escaped quotes of the mock's cookies (quoted JSON,
    as Starlette writes it), which then fail their signature; the standard library's jar keeps
    them as a browser does.
    """

    def __init__(self) -> None:
        self.jar = CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self._follow = urllib.request.build_opener(cookies)
        self._stay = urllib.request.build_opener(cookies, _Stay())

    def request(
        self, method: str, url: str, data: dict[str, str] | None = None, follow: bool = True
    ) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method)
        opener = self._follow if follow else self._stay
        try:
            with opener.open(request, timeout=20) as answer:
                return Reply(answer.status, answer.headers, answer.read(), answer.url)
        except urllib.error.HTTPError as answer:
            return Reply(answer.code, answer.headers, answer.read(), url)

    def get(self, url: str, follow: bool = True) -> Reply:
        return self.request("GET", url, follow=follow)

    def post(self, url: str, data: dict[str, str], follow: bool = True) -> Reply:
        return self.request("POST", url, data, follow)

    def cookie(self, name: str) -> str | None:
        """Return the value of a cookie this browser holds."""
        return next((c.value for c in self.jar if c.name == name), None)

    def forget_cookies(self, prefix: str) -> None:
        """Drop the cookies whose names start with a prefix."""
        for cookie in [c for c in self.jar if c.name.startswith(prefix)]:
            self.jar.clear(cookie.domain, cookie.path, cookie.name)


def sign_in(browser: Browser, platform: Platform, user: str) -> None:
    """Sign in to the platform as one of its users."""
    reply = browser.post(f"{platform.url}/login", {"userid": user})
    assert reply.ok, reply.text


def start_launch(browser: Browser, platform: Platform) -> dict[str, str]:
    """Run a launch up to the id_token the platform posts to the tool; return that form."""
    page = browser.get(f"{platform.url}/courses/course-1")
    assert page.ok, page.text
    login_url, login_form = form_fields(page.text)
    redirect = browser.post(login_url, login_form, follow=False)
    assert redirect.status_code == 302, redirect.text
    authorize = browser.get(redirect.headers["Location"])
    assert authorize.ok, authorize.text
    _launch_url, launch_form = form_fields(authorize.text)
    assert set(launch_form) == {"id_token", "state"}, launch_form
    return launch_form


def launch(browser: Browser, platform: Platform, user: str) -> Reply:
    """Launch the tool as a platform user; return the tool's answer to the launch post."""
    sign_in(browser, platform, user)
    form = start_launch(browser, platform)
    return browser.post(f"{platform.tool_url}/lti/launch", form, follow=False)


def learner_launch(browser: Browser, platform: Platform, user: str) -> Reply:
    """Launch as a learner and follow the tool to the seat page (the room's threshold)."""
    reply = launch(browser, platform, user)
    assert reply.status_code == 302, reply.text
    assert "/lti/seat?session=" in reply.headers["Location"]
    return browser.get(urllib.parse.urljoin(platform.tool_url, reply.headers["Location"]))
