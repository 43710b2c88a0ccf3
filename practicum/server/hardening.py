"""HTTP-level protections for every response: static files, API, health, 404s and socket.io too.

Flask's ``after_request`` only sees what Flask routes; socket.io's polling and handshakes are
answered by engine.io before Flask, and static files by Flask without the pages blueprint. This
WSGI middleware sits outermost, so nothing leaves without the headers, an oversized polling
body is refused before it is read, and proxy headers count only from a configured proxy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

# Pages set their own Content-Security-Policy (practicum/server/pages.py); everything else
# (JSON, scripts, styles, socket.io) may be neither framed nor used as a document with scripts.
DEFAULT_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)
FORWARDED = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_FORWARDED",
)

def page_headers(response: Any, policy: str, no_store: bool = False) -> Any:
    """Give an HTML page its own Content-Security-Policy and the headers every page has.

    One helper for the pages, the studio and the LTI blueprints: each differs only in what
    its policy allows (and whether the page may be cached). Headers a view set win.
    """
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if no_store:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Hardened:
    """Security headers on every response; 413 for oversized socket.io bodies; proxy trust."""

    def __init__(self, app: WsgiApp, max_packet_bytes: int, trusted_proxies: int) -> None:
        self.max_packet_bytes = max_packet_bytes
        self.trusted_proxies = trusted_proxies
        # ProxyFix takes the scheme, host and client address from the last `trusted_proxies`
        # hops only; with none configured the headers are dropped, so no client can claim an
        # address (join and sign-in limits key on it) or a scheme (the websocket Origin check).
        self.app = (
            ProxyFix(app, x_for=trusted_proxies, x_proto=trusted_proxies,
                     x_host=trusted_proxies, x_port=trusted_proxies)
            if trusted_proxies > 0
            else app
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.trusted_proxies <= 0:
            for key in FORWARDED:
                environ.pop(key, None)
        if self._too_large(environ):
            # Answered before reading: engine.io would read nothing and close, and the client
            # (still sending) would see a hung request instead of a clear refusal.
            body = b'{"ok":false,"code":"payload/too_large","message":"The request is too large."}'
            headers = [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Connection", "close"),
                *DEFAULT_HEADERS,
            ]
            start_response("413 Request Entity Too Large", headers)
            return [body]

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend(h for h in DEFAULT_HEADERS if h[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)

    def _too_large(self, environ: dict[str, Any]) -> bool:
        if environ.get("REQUEST_METHOD") != "POST":
            return False
        if not environ.get("PATH_INFO", "").startswith("/socket.io"):
            return False  # Flask answers other bodies over MAX_CONTENT_LENGTH with its own 413
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return True
        return length > self.max_packet_bytes
