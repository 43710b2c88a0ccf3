"""HTTP hardening: headers on every response, 413 before reading, cookies, proxy trust."""

from __future__ import annotations

import pytest

from practicum.server.hardening import DEFAULT_HEADERS

from .conftest import PASSWORD

EVERY_KIND = [
    "/healthz",
    "/static/js/room.js",
    "/static/css/practicum.css",
    "/api/scenarios",  # 401 without a token
    "/no/such/page",  # 404
    "/socket.io/?EIO=4&transport=polling",  # engine.io answers, not Flask
    "/",
]


@pytest.mark.parametrize("path", EVERY_KIND)
def test_every_response_carries_the_security_headers(app, path):
    response = app.test_client().get(path)
    for name, _value in DEFAULT_HEADERS:
        assert response.headers.get(name), f"{path} lacks {name}"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_pages_keep_their_own_content_security_policy(app):
    policy = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy


def test_an_oversized_polling_body_is_refused_at_once(app):
    client = app.test_client()
    too_big = app.config["MAX_PACKET_BYTES"] + 1
    response = client.post(
        "/socket.io/?EIO=4&transport=polling&sid=whatever",
        data=b"x" * too_big,
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 413
    assert response.headers["Connection"] == "close"
    assert response.get_json()["code"] == "payload/too_large"


def _sign_in(client):
    page = client.get("/facilitator")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/facilitator", data={"password": PASSWORD, "csrf_token": token})


def test_the_session_cookie_is_secure_when_configured(make_app):
    secure = make_app(SECURE_COOKIES=True).test_client()
    response = _sign_in(secure)
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    plain = make_app().test_client()
    assert not any("Secure" in c for c in _sign_in(plain).headers.getlist("Set-Cookie"))


def _handshake(client, headers):
    return client.get("/socket.io/?EIO=4&transport=polling", headers=headers)


# What the README's nginx snippet sets (proxy_set_header ... X-Forwarded-Proto $scheme etc.),
# and what a browser sends behind TLS: Origin https://host.
NGINX_TLS = {
    "Host": "practicum.example.org",
    "Origin": "https://practicum.example.org",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Host": "practicum.example.org",
}


def test_behind_a_trusted_tls_proxy_the_websocket_origin_check_passes(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    assert _handshake(app.test_client(), NGINX_TLS).status_code == 200
    # Without the proxy's header (the old README snippet) the browser's https origin fails.
    without = {k: v for k, v in NGINX_TLS.items() if k != "X-Forwarded-Proto"}
    assert _handshake(app.test_client(), without).status_code == 400


def test_forwarded_headers_count_only_from_a_configured_proxy(make_app):
    app = make_app(TRUSTED_PROXIES=0)
    assert _handshake(app.test_client(), NGINX_TLS).status_code == 400
    seen = {}

    @app.get("/__address")
    def address():
        from flask import request

        seen["addr"] = request.remote_addr
        seen["scheme"] = request.scheme
        return "ok"

    app.test_client().get("/__address", headers=NGINX_TLS)
    assert seen == {"addr": "127.0.0.1", "scheme": "http"}
    trusted = make_app(TRUSTED_PROXIES=1)
    trusted.add_url_rule("/__address", view_func=address)
    trusted.test_client().get("/__address", headers=NGINX_TLS)
    assert seen == {"addr": "203.0.113.9", "scheme": "https"}


def _readme_block(language: str) -> str:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    return readme.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def _nginx_headers(host: str, client: str) -> dict[str, str]:
    """Return the headers the README's nginx block sends for a TLS request (its variables)."""
    variables = {
        "$scheme": "https", "$host": host, "$http_host": host,
        "$proxy_add_x_forwarded_for": client,
        "$http_upgrade": "", "$remote_addr": client,
    }
    headers = {}
    for line in _readme_block("nginx").splitlines():
        parts = line.strip().rstrip(";").split(None, 2)
        if len(parts) == 3 and parts[0] == "proxy_set_header":
            value = parts[2].strip('"')
            headers[parts[1]] = variables.get(value, value)
    return {k: v for k, v in headers.items() if v and k not in ("Upgrade", "Connection")}


def _haproxy_headers(host: str, client: str) -> dict[str, str]:
    """Return the headers the README's HAProxy block sends for a TLS request."""
    block = _readme_block("haproxy")
    headers = {"Host": host}
    if "option forwardfor" in block:
        headers["X-Forwarded-For"] = client
    for line in block.splitlines():
        words = line.split()
        if words[:2] == ["http-request", "set-header"] and "!{" not in line:
            value = words[3].replace("%[req.hdr(host)]", host)
            headers[words[2]] = value
    return headers


@pytest.mark.parametrize("snippet", [_nginx_headers, _haproxy_headers])
def test_the_readme_proxy_snippets_pass_the_origin_check_behind_tls(make_app, snippet):
    host, client = "practicum.example.org", "203.0.113.9"
    headers = {**snippet(host, client), "Origin": f"https://{host}"}
    assert headers["X-Forwarded-Proto"] == "https"
    app = make_app(TRUSTED_PROXIES=1)
    assert _handshake(app.test_client(), headers).status_code == 200
    seen = {}

    @app.get("/__who")
    def who():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host)
        return "ok"

    app.test_client().get("/__who", headers=headers)
    assert seen == {"addr": client, "scheme": "https", "host": host}
